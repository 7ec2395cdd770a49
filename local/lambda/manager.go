package lambda

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Manager runs the instances of a set of functions. It implements the gateway's Invoker.
type Manager struct {
	opts Options
	log  *logWriter

	mu     sync.Mutex
	pools  map[string]*pool
	closed bool
}

// NewManager returns a Manager without functions; add them with Add. Instances start lazily, on
// the first invocation (a cold start), like Lambda.
func NewManager(opts Options) *Manager {
	opts = opts.withDefaults()
	return &Manager{opts: opts, log: &logWriter{w: opts.Log}, pools: map[string]*pool{}}
}

// Add registers a function.
func (m *Manager) Add(cfg FunctionConfig) error {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("lambda: manager closed")
	}
	if _, dup := m.pools[cfg.Name]; dup {
		return fmt.Errorf("lambda: function %s added twice", cfg.Name)
	}
	m.pools[cfg.Name] = &pool{m: m, cfg: cfg, all: map[*Instance]struct{}{}, changed: make(chan struct{})}
	return nil
}

// Functions lists the registered function names, sorted.
func (m *Manager) Functions() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.pools))
}

// Config returns the configuration of a registered function.
func (m *Manager) Config(name string) (FunctionConfig, bool) {
	p := m.pool(name)
	if p == nil {
		return FunctionConfig{}, false
	}
	return p.cfg, true
}

func (m *Manager) pool(name string) *pool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pools[name]
}

// Invoke invokes a function synchronously (RequestResponse) and returns its response payload.
// A function error is returned as a *FunctionError, with Lambda's error document as payload.
func (m *Manager) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	res, err := m.InvokeResult(ctx, name, payload)
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return res.Payload, res.Err
	}
	return res.Payload, nil
}

// InvokeResult is Invoke with the invocation's details (cold start, durations, instance).
// ctx bounds the wait for an instance; an invocation handed to an instance runs to completion
// or timeout even when ctx ends first (the instance stays busy meanwhile, as in Lambda), but
// InvokeResult then returns ctx's error at once.
func (m *Manager) InvokeResult(ctx context.Context, name string, payload []byte) (*Result, error) {
	p := m.pool(name)
	if p == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownFunction, name)
	}
	if len(payload) > MaxPayload {
		return nil, ErrRequestTooLarge
	}
	for attempt := 0; ; attempt++ {
		inst, err := p.acquire(ctx)
		if err != nil {
			return nil, err
		}
		type answer struct {
			res *Result
			err error
		}
		ch := make(chan answer, 1)
		go func() {
			res, err := inst.Invoke(ctx, payload)
			p.release(inst)
			ch <- answer{res, err}
		}()
		var a answer
		select {
		case a = <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if errors.Is(a.err, ErrNoInstance) && attempt < 3 {
			continue
		}
		return a.res, a.err
	}
}

// PoolStats describes a function's instances.
type PoolStats struct {
	Instances  int // running (idle or busy)
	Idle       int
	ColdStarts int // instances started so far
}

// Stats returns the current instance counts of a function.
func (m *Manager) Stats(name string) PoolStats {
	p := m.pool(name)
	if p == nil {
		return PoolStats{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Instances: len(p.all), Idle: len(p.idle), ColdStarts: p.coldStarts}
}

// Instances returns the function's running instances (for tests and benchmarks).
func (m *Manager) Instances(name string) []*Instance {
	p := m.pool(name)
	if p == nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Instance, 0, len(p.all))
	for i := range p.all {
		out = append(out, i)
	}
	return out
}

// Reset stops every instance of a function, so that the next invocation is a cold start.
// Busy instances are stopped too; their invocations fail.
func (m *Manager) Reset(name string) {
	for _, i := range m.Instances(name) {
		_ = i.Close()
	}
}

// Close stops every instance of every function and waits for them.
func (m *Manager) Close() error {
	m.mu.Lock()
	m.closed = true
	pools := make([]*pool, 0, len(m.pools))
	for _, p := range m.pools {
		pools = append(pools, p)
	}
	m.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range pools {
		p.mu.Lock()
		p.closed = true
		p.broadcast()
		for i := range p.all {
			wg.Add(1)
			go func(i *Instance) {
				defer wg.Done()
				_ = i.Close()
			}(i)
		}
		p.mu.Unlock()
	}
	wg.Wait()
	return nil
}

// pool holds one function's instances.
type pool struct {
	m   *Manager
	cfg FunctionConfig

	mu         sync.Mutex
	all        map[*Instance]struct{}
	starting   int
	idle       []*Instance // LIFO: the most recently used instance is the warmest
	coldStarts int
	closed     bool
	changed    chan struct{} // closed and replaced on every release/removal
}

func (p *pool) broadcast() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// acquire returns an idle instance, or starts one when under the cap, or waits.
func (p *pool) acquire(ctx context.Context) (*Instance, error) {
	for {
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, errors.New("lambda: manager closed")
		}
		for len(p.idle) > 0 {
			inst := p.idle[len(p.idle)-1]
			p.idle = p.idle[:len(p.idle)-1]
			if inst.usable() {
				p.mu.Unlock()
				return inst, nil
			}
		}
		if len(p.all)+p.starting < p.cfg.MaxInstances {
			p.starting++
			p.coldStarts++
			p.mu.Unlock()
			inst, err := startInstance(p.cfg, p.m.opts, p.m.log)
			p.mu.Lock()
			p.starting--
			if err != nil {
				p.broadcast()
				p.mu.Unlock()
				return nil, err
			}
			if p.closed {
				p.mu.Unlock()
				_ = inst.Close()
				return nil, errors.New("lambda: manager closed")
			}
			p.all[inst] = struct{}{}
			p.mu.Unlock()
			go p.watch(inst)
			return inst, nil
		}
		wait := p.changed
		p.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release returns an instance after an invocation: to the idle list, or out of the pool when it
// can no longer serve (killed on timeout, crashed).
func (p *pool) release(inst *Instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.all[inst]; ok && inst.usable() && !p.closed {
		p.idle = append(p.idle, inst)
	} else if ok && !inst.usable() {
		go func() { _ = inst.Close() }()
	}
	p.broadcast()
}

// watch removes an instance from the pool when its process ends.
func (p *pool) watch(inst *Instance) {
	<-inst.Done()
	_ = inst.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.all, inst)
	for k, i := range p.idle {
		if i == inst {
			p.idle = append(p.idle[:k], p.idle[k+1:]...)
			break
		}
	}
	p.broadcast()
}
