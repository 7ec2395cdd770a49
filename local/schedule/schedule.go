// Package schedule plays EventBridge schedules locally: it invokes each function with a
// Schedule (or ScheduleV2) event of template.yaml at the times its expression gives, with the
// event EventBridge sends ("detail-type": "Scheduled Event", or the event's Input when set), as
// an asynchronous invocation would: a failed invocation is retried twice, then logged.
//
// Expressions: rate(N minute|minutes|hour|hours|day|days) and cron(minutes hours
// day-of-month month day-of-week year) with numbers, names (JAN, MON), *, ?, lists, ranges and
// /steps, in UTC (or the event's ScheduleExpressionTimezone). L, W and # are not supported;
// neither is at(…).
//
// Speedup divides every interval (speedup 60 makes rate(1 minute) fire every second), for
// trying time-driven behaviour locally; `make run` reads it from PAC_LOCAL_SCHEDULE_SPEEDUP.
package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/partner-admin-center/pac/local/template"
)

// EnvSpeedup is the environment variable `pac-local run` reads the speedup from.
const EnvSpeedup = "PAC_LOCAL_SCHEDULE_SPEEDUP"

// Invoker invokes a function (lambda.Manager implements it).
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// Expression is a parsed schedule expression.
type Expression struct {
	src   string
	every time.Duration // rate(…)
	cron  *cronSpec
	loc   *time.Location
}

func (e *Expression) String() string { return e.src }

// Parse parses a rate(…) or cron(…) expression; timezone is an IANA zone for cron ("": UTC).
func Parse(expr, timezone string) (*Expression, error) {
	expr = strings.TrimSpace(expr)
	loc := time.UTC
	if timezone != "" {
		l, err := time.LoadLocation(timezone)
		if err != nil {
			return nil, fmt.Errorf("schedule: timezone %q: %w", timezone, err)
		}
		loc = l
	}
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		f := strings.Fields(expr[5 : len(expr)-1])
		if len(f) != 2 {
			return nil, fmt.Errorf("schedule: %q: want rate(N unit)", expr)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("schedule: %q: N must be a positive integer", expr)
		}
		units := map[string]time.Duration{"minute": time.Minute, "minutes": time.Minute, "hour": time.Hour, "hours": time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour}
		u, ok := units[f[1]]
		if !ok || (n == 1) != !strings.HasSuffix(f[1], "s") {
			return nil, fmt.Errorf("schedule: %q: unit must be minute(s), hour(s) or day(s), singular exactly for 1", expr)
		}
		return &Expression{src: expr, every: time.Duration(n) * u, loc: loc}, nil
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		c, err := parseCron(expr[5 : len(expr)-1])
		if err != nil {
			return nil, fmt.Errorf("schedule: %q: %w", expr, err)
		}
		return &Expression{src: expr, cron: c, loc: loc}, nil
	}
	return nil, fmt.Errorf("schedule: %q: only rate(…) and cron(…) are played locally", expr)
}

// Next returns the first firing time after t. A rate fires every interval counted from start
// (EventBridge counts from the rule's creation); cron at its matching minutes.
func (e *Expression) Next(start, t time.Time) time.Time {
	if e.every > 0 {
		if t.Before(start) {
			return start.Add(e.every)
		}
		n := t.Sub(start)/e.every + 1
		return start.Add(n * e.every)
	}
	return e.cron.next(t.In(e.loc))
}

// cronSpec holds the allowed values of each field.
type cronSpec struct {
	minute, hour, dom, month, dow, year map[int]bool
	domAny, dowAny                      bool // "?" or "*"
}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

func parseCron(s string) (*cronSpec, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return nil, fmt.Errorf("cron needs 6 fields (minutes hours day-of-month month day-of-week year), got %d", len(f))
	}
	c := &cronSpec{}
	var err error
	if c.minute, err = field(f[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	if c.hour, err = field(f[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("hours: %w", err)
	}
	if c.dom, err = field(f[2], 1, 31, nil); err != nil {
		return nil, fmt.Errorf("day-of-month: %w", err)
	}
	if c.month, err = field(f[3], 1, 12, monthNames); err != nil {
		return nil, fmt.Errorf("month: %w", err)
	}
	if c.dow, err = field(f[4], 1, 7, dayNames); err != nil {
		return nil, fmt.Errorf("day-of-week: %w", err)
	}
	if c.year, err = field(f[5], 1970, 2199, nil); err != nil {
		return nil, fmt.Errorf("year: %w", err)
	}
	c.domAny, c.dowAny = f[2] == "?" || f[2] == "*", f[4] == "?" || f[4] == "*"
	if (f[2] == "?") == (f[4] == "?") {
		return nil, fmt.Errorf("exactly one of day-of-month and day-of-week must be ?")
	}
	return c, nil
}

func field(s string, lo, hi int, names map[string]int) (map[int]bool, error) {
	out := map[int]bool{}
	if s == "*" || s == "?" {
		for v := lo; v <= hi; v++ {
			out[v] = true
		}
		return out, nil
	}
	if strings.ContainsAny(s, "LW#") && !isName(s, names) {
		return nil, fmt.Errorf("%q: L, W and # are not supported locally", s)
	}
	val := func(x string) (int, error) {
		if v, ok := names[strings.ToUpper(x)]; ok {
			return v, nil
		}
		v, err := strconv.Atoi(x)
		if err != nil || v < lo || v > hi {
			return 0, fmt.Errorf("%q is not in %d-%d", x, lo, hi)
		}
		return v, nil
	}
	for _, part := range strings.Split(s, ",") {
		rng, step := part, 1
		if i := strings.Index(part, "/"); i >= 0 {
			var err error
			if step, err = strconv.Atoi(part[i+1:]); err != nil || step <= 0 {
				return nil, fmt.Errorf("%q: bad step", part)
			}
			rng = part[:i]
		}
		from, to := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if from, err = val(a); err != nil {
				return nil, err
			}
			if to, err = val(b); err != nil {
				return nil, err
			}
		default:
			v, err := val(rng)
			if err != nil {
				return nil, err
			}
			from = v
			if !strings.Contains(part, "/") {
				to = v
			}
		}
		if from > to {
			return nil, fmt.Errorf("%q: empty range", part)
		}
		for v := from; v <= to; v += step {
			out[v] = true
		}
	}
	return out, nil
}

func isName(s string, names map[string]int) bool {
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '-' || r == '/' }) {
		if _, ok := names[strings.ToUpper(p)]; !ok {
			if _, err := strconv.Atoi(p); err != nil {
				return false
			}
		}
	}
	return true
}

// next finds the first matching minute after t (within 5 years).
func (c *cronSpec) next(t time.Time) time.Time {
	t = t.Truncate(time.Minute).Add(time.Minute)
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		if !c.year[t.Year()] || !c.month[int(t.Month())] {
			t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location()).AddDate(0, 1, 0)
			continue
		}
		dayOK := (c.domAny || c.dom[t.Day()]) && (c.dowAny || c.dow[int(t.Weekday())+1])
		if !dayOK {
			t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location()).AddDate(0, 0, 1)
			continue
		}
		if !c.hour[t.Hour()] {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), 0, 0, 0, t.Location()).Add(time.Hour)
			continue
		}
		if !c.minute[t.Minute()] {
			t = t.Add(time.Minute)
			continue
		}
		return t
	}
	return time.Time{}
}

// Target is one schedule: a function's Schedule event.
type Target struct {
	Function string // the name the Invoker knows
	Event    template.ScheduleEvent
	// RuleARN goes into the event's resources (default: a local rule ARN).
	RuleARN string
}

// Config configures a Scheduler.
type Config struct {
	Invoker   Invoker
	Region    string // default us-east-1
	AccountID string // default 000000000000
	// Speedup divides every interval (≥ 1; default 1).
	Speedup float64
	// Log receives one line per firing failure and a summary at start (nil: discarded).
	Log io.Writer
	// Now is the clock (default time.Now).
	Now func() time.Time
	// OnFire, if set, is called after each firing with its result (tests).
	OnFire func(function string, err error)
}

// Scheduler runs the targets until Close.
type Scheduler struct {
	cfg    Config
	cancel context.CancelFunc
	wg     sync.WaitGroup
	logMu  sync.Mutex
}

// Start parses every enabled target's expression and starts its timer.
func Start(cfg Config, targets ...Target) (*Scheduler, error) {
	if cfg.Invoker == nil {
		return nil, fmt.Errorf("schedule: Invoker is required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "000000000000"
	}
	if cfg.Speedup < 1 {
		cfg.Speedup = 1
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	type planned struct {
		t    Target
		expr *Expression
	}
	var plan []planned
	for _, t := range targets {
		if !t.Event.Enabled {
			continue
		}
		expr, err := Parse(t.Event.Expression, t.Event.Timezone)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t.Function, t.Event.Name, err)
		}
		if t.RuleARN == "" {
			t.RuleARN = fmt.Sprintf("arn:aws:events:%s:%s:rule/pac-local-%s%s", cfg.Region, cfg.AccountID, t.Function, t.Event.Name)
		}
		plan = append(plan, planned{t, expr})
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{cfg: cfg, cancel: cancel}
	for _, p := range plan {
		s.logf("%s.%s: %s%s", p.t.Function, p.t.Event.Name, p.expr, map[bool]string{true: fmt.Sprintf(" (%gx faster)", cfg.Speedup)}[cfg.Speedup > 1])
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.run(ctx, p.t, p.expr)
		}()
	}
	return s, nil
}

// Close stops the timers and waits for running invocations.
func (s *Scheduler) Close() error {
	s.cancel()
	s.wg.Wait()
	return nil
}

func (s *Scheduler) logf(format string, args ...any) {
	if s.cfg.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.Log, "[schedule] "+format+"\n", args...)
}

func (s *Scheduler) run(ctx context.Context, t Target, expr *Expression) {
	start := s.cfg.Now()
	last := start
	for {
		next := expr.Next(start, last)
		if next.IsZero() {
			s.logf("%s.%s: %s never fires again", t.Function, t.Event.Name, expr)
			return
		}
		wait := time.Duration(float64(next.Sub(last)) / s.cfg.Speedup)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		last = next
		// The event's time is when it fires (with a speedup, the schedule's own clock runs ahead).
		err := s.fire(ctx, t, s.cfg.Now())
		if s.cfg.OnFire != nil {
			s.cfg.OnFire(t.Function, err)
		}
	}
}

// Event returns the event EventBridge sends for a firing at at: the target's Input if set,
// else a Scheduled Event.
func Event(t Target, region, account string, at time.Time) []byte {
	if t.Event.Input != "" {
		return []byte(t.Event.Input)
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	h := hex.EncodeToString(id[:])
	b, _ := json.Marshal(map[string]any{
		"version": "0", "id": h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:],
		"detail-type": "Scheduled Event", "source": "aws.events", "account": account,
		"time": at.UTC().Format("2006-01-02T15:04:05Z"), "region": region, "resources": []string{t.RuleARN}, "detail": map[string]any{},
	})
	return b
}

// fire invokes the function like an asynchronous invocation: up to two retries, a minute and
// then two apart in Lambda (here 1 s and 2 s, divided by the speedup), then the event is dropped.
func (s *Scheduler) fire(ctx context.Context, t Target, at time.Time) error {
	ev := Event(t, s.cfg.Region, s.cfg.AccountID, at)
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(float64(time.Duration(attempt)*time.Second) / s.cfg.Speedup)):
			}
		}
		if _, err = s.cfg.Invoker.Invoke(ctx, t.Function, ev); err == nil || ctx.Err() != nil {
			return err
		}
		s.logf("%s.%s: invocation failed (attempt %d of 3): %v", t.Function, t.Event.Name, attempt+1, err)
	}
	return err
}
