// Package streams plays Lambda's event source mappings for DynamoDB streams against DynamoDB
// Local: it polls each mapped table's stream (DescribeStream → shards → GetShardIterator →
// GetRecords, every PollInterval), drops the records the mapping's FilterCriteria reject,
// batches the rest (BatchSize, MaximumBatchingWindowInSeconds) into Lambda's DynamoDB event, and
// invokes the function through an Invoker (the local runtime's lambda.Manager). It answers
// failures the way Lambda does:
//
//   - A partial batch response (FunctionResponseTypes: ReportBatchItemFailures) checkpoints
//     before the lowest reported SequenceNumber and retries from there; an empty, malformed or
//     unknown itemIdentifier fails the whole batch.
//   - A function error (or a timeout) retries the whole batch, split in two first when
//     BisectBatchOnFunctionError is set.
//   - Every retry counts against MaximumRetryAttempts (-1: unbounded); records older than
//     MaximumRecordAgeInSeconds are not delivered again (DynamoDB Local rounds the creation
//     time down to the minute: the age counts from the latest moment the record can have been
//     written, at most when it was read). Either way the records are discarded
//     and the batch's metadata (shard, sequence range, condition) goes to the on-failure
//     destination: locally a JSON-lines file, <DeadLetterDir>/<Function>.jsonl, plus a log line.
//
// Shards are read parent before child; one batch per shard is in flight at a time (a
// ParallelizationFactor above 1 is treated as 1). Records are read once and kept in memory until
// delivered or discarded, which is what re-reading from a checkpoint amounts to.
package streams

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/partner-admin-center/pac/local/template"
)

// Invoker invokes a function synchronously and returns its response; an error is a function
// error (lambda.Manager implements it).
type Invoker interface {
	Invoke(ctx context.Context, function string, payload []byte) ([]byte, error)
}

// InvokerFunc adapts a function to Invoker (tests, in-process handlers).
type InvokerFunc func(ctx context.Context, function string, payload []byte) ([]byte, error)

// Invoke calls f.
func (f InvokerFunc) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	return f(ctx, function, payload)
}

// StreamsAPI is the part of the DynamoDB Streams client the poller uses.
type StreamsAPI interface {
	DescribeStream(context.Context, *dynamodbstreams.DescribeStreamInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(context.Context, *dynamodbstreams.GetShardIteratorInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(context.Context, *dynamodbstreams.GetRecordsInput, ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// TableAPI finds a table's stream.
type TableAPI interface {
	DescribeTable(context.Context, *dynamodb.DescribeTableInput, ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// Mapping is one event source mapping: a function's DynamoDB event on a table's stream.
type Mapping struct {
	// Function is the name the Invoker knows the function by (locally its logical ID).
	Function string
	// FunctionARN goes into the on-failure records (default: a local ARN from Function).
	FunctionARN string
	// Table is the name of the table whose stream is read (its ARN comes from DescribeTable,
	// not from the template's resolved StreamArn, which is only a local placeholder).
	Table string
	Event template.StreamEvent
}

// Config configures a Poller.
type Config struct {
	DynamoDB TableAPI
	Streams  StreamsAPI
	Invoker  Invoker
	// Region is the awsRegion of the events (default us-east-1).
	Region string
	// DeadLetterDir receives <Function>.jsonl, the on-failure destination ("": log only).
	DeadLetterDir string
	// Log receives progress and failures, one line each (nil: discarded).
	Log io.Writer
	// PollInterval between GetRecords calls on an idle shard (default 250 ms: Lambda polls
	// DynamoDB stream shards four times a second).
	PollInterval time.Duration
	// RetryDelay is the first pause before a failed batch is retried; it doubles per retry up
	// to 5 s (default 200 ms).
	RetryDelay time.Duration
	// ShardRefresh is how often DescribeStream looks for new shards (default 2 s).
	ShardRefresh time.Duration
}

// Stats counts what one mapping did.
type Stats struct {
	Invocations int // function invocations
	Delivered   int // records in successful (or partially successful) invocations, counted once each when acknowledged
	Retries     int // invocations that were retries
	Discarded   int // records sent to the on-failure destination
	Filtered    int // records the filter criteria dropped
}

// Poller runs the mappings until Close.
type Poller struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	logMu  sync.Mutex
	dlqMu  sync.Mutex

	mu    sync.Mutex
	stats map[string]*Stats
}

// Start resolves every enabled mapping's stream, positions its shard iterators
// (StartingPosition: TRIM_HORIZON or LATEST) and starts polling. Records written after Start
// returns are delivered in either case.
func Start(ctx context.Context, cfg Config, mappings ...Mapping) (*Poller, error) {
	if cfg.DynamoDB == nil || cfg.Streams == nil || cfg.Invoker == nil {
		return nil, errors.New("streams: DynamoDB, Streams and Invoker are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 200 * time.Millisecond
	}
	if cfg.ShardRefresh <= 0 {
		cfg.ShardRefresh = 2 * time.Second
	}
	pctx, cancel := context.WithCancel(context.Background())
	p := &Poller{cfg: cfg, ctx: pctx, cancel: cancel, stats: map[string]*Stats{}}
	var esms []*esm
	for _, m := range mappings {
		if !m.Event.Enabled {
			p.logf("%s.%s: disabled in the template; not polled", m.Function, m.Event.Name)
			continue
		}
		e, err := p.newESM(ctx, m)
		if err != nil {
			cancel()
			return nil, fmt.Errorf("streams: %s.%s: %w", m.Function, m.Event.Name, err)
		}
		esms = append(esms, e)
	}
	for _, e := range esms {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			e.run()
		}()
	}
	return p, nil
}

// Close stops polling and waits for in-flight invocations to end.
func (p *Poller) Close() error {
	p.cancel()
	p.wg.Wait()
	return nil
}

// Stats returns the counters of the function's mapping(s).
func (p *Poller) Stats(function string) Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s := p.stats[function]; s != nil {
		return *s
	}
	return Stats{}
}

func (p *Poller) count(function string, f func(*Stats)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats[function]
	if s == nil {
		s = &Stats{}
		p.stats[function] = s
	}
	f(s)
}

func (p *Poller) logf(format string, args ...any) {
	if p.cfg.Log == nil {
		return
	}
	p.logMu.Lock()
	defer p.logMu.Unlock()
	fmt.Fprintf(p.cfg.Log, "[streams] "+format+"\n", args...)
}

// esm is one running event source mapping.
type esm struct {
	p         *Poller
	m         Mapping
	filters   Filters
	streamARN string
	shards    map[string]*shard
	refreshed time.Time
	errLogged map[string]time.Time
}

type shard struct {
	id, parent string
	iterator   *string
	started    bool // an iterator was obtained once
	closed     bool // the shard ended (no NextShardIterator)
	done       bool // closed and every record handled
	lastSeq    string
	buf        []record
	firstAt    time.Time // when buf became non-empty
}

func (p *Poller) newESM(ctx context.Context, m Mapping) (*esm, error) {
	filters, err := CompileFilters(m.Event.FilterPatterns)
	if err != nil {
		return nil, err
	}
	if m.Event.BatchSize <= 0 {
		m.Event.BatchSize = 100
	}
	if m.FunctionARN == "" {
		m.FunctionARN = fmt.Sprintf("arn:aws:lambda:%s:000000000000:function:%s", p.cfg.Region, m.Function)
	}
	out, err := p.cfg.DynamoDB.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(m.Table)})
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", m.Table, err)
	}
	if out.Table.LatestStreamArn == nil || out.Table.StreamSpecification == nil || !aws.ToBool(out.Table.StreamSpecification.StreamEnabled) {
		return nil, fmt.Errorf("table %s has no stream enabled", m.Table)
	}
	e := &esm{p: p, m: m, filters: filters, streamARN: *out.Table.LatestStreamArn, shards: map[string]*shard{}, errLogged: map[string]time.Time{}}
	pos := types.ShardIteratorTypeTrimHorizon
	if strings.EqualFold(m.Event.StartingPosition, "LATEST") {
		pos = types.ShardIteratorTypeLatest
	}
	if err := e.refresh(ctx, pos); err != nil {
		return nil, err
	}
	p.count(m.Function, func(*Stats) {})
	p.logf("%s.%s: polling %s (%d shard(s), %s, batch %d, window %s, %d filter(s))", m.Function, m.Event.Name, m.Table,
		len(e.shards), pos, m.Event.BatchSize, m.Event.MaximumBatchingWindow, len(filters))
	return e, nil
}

// refresh lists the stream's shards. On the first call, open shards get iterators at pos
// (closed ones are skipped under LATEST); shards found later always start at TRIM_HORIZON.
func (e *esm) refresh(ctx context.Context, pos types.ShardIteratorType) error {
	first := len(e.shards) == 0 && e.refreshed.IsZero()
	e.refreshed = time.Now()
	var start *string
	for {
		out, err := e.p.cfg.Streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &e.streamARN, ExclusiveStartShardId: start})
		if err != nil {
			return fmt.Errorf("describe stream: %w", err)
		}
		for _, sh := range out.StreamDescription.Shards {
			id := aws.ToString(sh.ShardId)
			if _, known := e.shards[id]; known {
				continue
			}
			s := &shard{id: id, parent: aws.ToString(sh.ParentShardId)}
			open := sh.SequenceNumberRange == nil || sh.SequenceNumberRange.EndingSequenceNumber == nil
			if first && pos == types.ShardIteratorTypeLatest {
				if !open {
					s.done, s.closed = true, true
				} else if err := e.iterator(ctx, s, types.ShardIteratorTypeLatest); err != nil {
					return err
				}
			}
			e.shards[id] = s
		}
		start = out.StreamDescription.LastEvaluatedShardId
		if start == nil {
			return nil
		}
	}
}

func (e *esm) iterator(ctx context.Context, s *shard, pos types.ShardIteratorType) error {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &e.streamARN, ShardId: &s.id, ShardIteratorType: pos}
	if s.lastSeq != "" {
		in.ShardIteratorType, in.SequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(s.lastSeq)
	}
	out, err := e.p.cfg.Streams.GetShardIterator(ctx, in)
	if err != nil {
		var tr *types.TrimmedDataAccessException
		if errors.As(err, &tr) && s.lastSeq != "" {
			s.lastSeq = ""
			return e.iterator(ctx, s, types.ShardIteratorTypeTrimHorizon)
		}
		return fmt.Errorf("shard %s: iterator: %w", s.id, err)
	}
	s.iterator, s.started = out.ShardIterator, true
	if s.iterator == nil {
		s.closed = true
	}
	return nil
}

// run polls until the poller closes.
func (e *esm) run() {
	ctx := e.p.ctx
	for ctx.Err() == nil {
		if time.Since(e.refreshed) >= e.p.cfg.ShardRefresh {
			if err := e.refresh(ctx, types.ShardIteratorTypeTrimHorizon); err != nil {
				e.logErr("refresh", err)
			}
		}
		worked := false
		for _, s := range e.ordered() {
			if ctx.Err() != nil {
				return
			}
			if s.done || !e.parentDone(s) {
				continue
			}
			if !s.closed && len(s.buf) < e.m.Event.BatchSize {
				if err := e.fetch(ctx, s); err != nil {
					e.logErr("shard "+s.id, err)
					continue
				}
			}
			if e.ready(s) {
				e.deliver(ctx, s)
				worked = true
			}
			if s.closed && len(s.buf) == 0 {
				s.done = true
			}
		}
		if !worked {
			select {
			case <-ctx.Done():
			case <-time.After(e.p.cfg.PollInterval):
			}
		}
	}
}

// logErr logs a polling error at most every 10 s per kind (a deleted table would flood).
func (e *esm) logErr(kind string, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	if last, ok := e.errLogged[kind]; ok && time.Since(last) < 10*time.Second {
		return
	}
	e.errLogged[kind] = time.Now()
	e.p.logf("%s.%s: %s: %v", e.m.Function, e.m.Event.Name, kind, err)
}

func (e *esm) ordered() []*shard {
	out := make([]*shard, 0, len(e.shards))
	for _, s := range e.shards {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

func (e *esm) parentDone(s *shard) bool {
	if s.parent == "" {
		return true
	}
	p, ok := e.shards[s.parent]
	return !ok || p.done // a parent trimmed away is as good as done
}

// fetch reads the next records of a shard into its buffer, dropping those the filters reject.
func (e *esm) fetch(ctx context.Context, s *shard) error {
	if s.iterator == nil {
		if err := e.iterator(ctx, s, types.ShardIteratorTypeTrimHorizon); err != nil {
			return err
		}
		if s.iterator == nil {
			return nil
		}
	}
	out, err := e.p.cfg.Streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: s.iterator, Limit: aws.Int32(1000)})
	if err != nil {
		var exp *types.ExpiredIteratorException
		var tr *types.TrimmedDataAccessException
		if errors.As(err, &exp) || errors.As(err, &tr) {
			s.iterator = nil // re-positioned after the last record read on the next round
		}
		return fmt.Errorf("get records: %w", err)
	}
	for _, r := range out.Records {
		rec, err := convert(r, e.p.cfg.Region, e.streamARN)
		if err != nil {
			e.logErr("convert", err)
			continue
		}
		s.lastSeq = rec.seq
		if !e.filters.Match(rec.json) {
			e.p.count(e.m.Function, func(st *Stats) { st.Filtered++ })
			continue
		}
		if len(s.buf) == 0 {
			s.firstAt = time.Now()
		}
		s.buf = append(s.buf, rec)
	}
	s.iterator = out.NextShardIterator
	if s.iterator == nil {
		s.closed = true
	}
	return nil
}

// ready: a full batch, or the batching window since the first buffered record has passed (no
// window: at once), or the shard ended.
func (e *esm) ready(s *shard) bool {
	if len(s.buf) == 0 {
		return false
	}
	return len(s.buf) >= e.m.Event.BatchSize || s.closed || time.Since(s.firstAt) >= e.m.Event.MaximumBatchingWindow
}

// attempt is a (sub-)batch waiting for an invocation.
type attempt struct {
	recs    []record
	retries int
}

// deliver invokes the function with the next batch of a shard until every record of it is
// acknowledged or discarded.
func (e *esm) deliver(ctx context.Context, s *shard) {
	n := min(len(s.buf), e.m.Event.BatchSize)
	batch := s.buf[:n]
	queue := []attempt{{recs: batch}}
	ev := e.m.Event
	for len(queue) > 0 && ctx.Err() == nil {
		cur := queue[0]
		queue = queue[1:]
		if ev.MaximumRecordAge > 0 {
			aged := 0
			for aged < len(cur.recs) && time.Since(cur.recs[aged].latestCreation()) > ev.MaximumRecordAge {
				aged++
			}
			if aged > 0 {
				e.discard(s, cur.recs[:aged], "RecordAgeExceeded", cur.retries+1, nil)
				cur.recs = cur.recs[aged:]
				if len(cur.recs) == 0 {
					continue
				}
			}
		}
		if cur.retries > 0 {
			e.p.count(e.m.Function, func(st *Stats) { st.Retries++ })
		}
		from, err := e.invoke(ctx, cur.recs)
		if ctx.Err() != nil {
			return // closing: the batch stays buffered, as an unfinished checkpoint would
		}
		if err == nil && from < 0 {
			e.p.count(e.m.Function, func(st *Stats) { st.Delivered += len(cur.recs) })
			continue
		}
		failed := cur.recs
		if err == nil {
			e.p.count(e.m.Function, func(st *Stats) { st.Delivered += from })
			failed = cur.recs[from:]
			e.p.logf("%s.%s: partial batch failure: %d of %d record(s) to retry from %s", e.m.Function, ev.Name, len(failed), len(cur.recs), failed[0].seq)
		} else {
			e.p.logf("%s.%s: batch of %d record(s) failed: %v", e.m.Function, ev.Name, len(cur.recs), err)
		}
		if ev.MaximumRetryAttempts >= 0 && cur.retries >= ev.MaximumRetryAttempts {
			e.discard(s, failed, "RetryAttemptsExhausted", cur.retries+1, err)
			continue
		}
		delay := min(e.p.cfg.RetryDelay<<min(cur.retries, 10), 5*time.Second)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		next := cur.retries + 1
		switch {
		case err == nil: // partial response: retry from the lowest failed record
			queue = append([]attempt{{failed, next}}, queue...)
		case ev.BisectBatchOnFunctionError && len(failed) > 1:
			half := len(failed) / 2
			queue = append([]attempt{{failed[:half], next}, {failed[half:], next}}, queue...)
		default:
			queue = append([]attempt{{failed, next}}, queue...)
		}
	}
	if ctx.Err() == nil {
		s.buf = s.buf[n:]
		if len(s.buf) > 0 {
			s.firstAt = time.Now()
		}
	}
}

// invoke calls the function with recs. It returns the index of the lowest record a partial
// batch response reported (-1: none), or an error when the whole batch failed: a function error,
// or a response Lambda would not accept.
func (e *esm) invoke(ctx context.Context, recs []record) (int, error) {
	e.p.count(e.m.Function, func(st *Stats) { st.Invocations++ })
	resp, err := e.p.cfg.Invoker.Invoke(ctx, e.m.Function, payload(recs))
	if err != nil {
		return -1, err
	}
	if !e.m.Event.ReportsBatchItemFailures() {
		return -1, nil
	}
	return lowestFailure(resp, recs)
}

// lowestFailure interprets a partial batch response as Lambda does: null, {} or an empty list is
// success; a reported itemIdentifier that is empty or not a record of the batch fails the batch.
func lowestFailure(resp []byte, recs []record) (int, error) {
	trimmed := strings.TrimSpace(string(resp))
	if trimmed == "" || trimmed == "null" {
		return -1, nil
	}
	var r struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if err := json.Unmarshal(resp, &r); err != nil {
		return -1, fmt.Errorf("the partial batch response is not a batchItemFailures document: %w", err)
	}
	lowest := -1
	for _, f := range r.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return -1, errors.New("the partial batch response has an empty itemIdentifier")
		}
		idx := -1
		for i, rec := range recs {
			if rec.seq == *f.ItemIdentifier {
				idx = i
				break
			}
		}
		if idx < 0 {
			return -1, fmt.Errorf("the partial batch response names %q, which is not a SequenceNumber of the batch", *f.ItemIdentifier)
		}
		if lowest < 0 || idx < lowest {
			lowest = idx
		}
	}
	return lowest, nil
}

// DeadLetter is what the on-failure destination receives for a discarded batch: metadata only,
// in the shape Lambda sends to SQS/SNS for DynamoDB stream sources.
type DeadLetter struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionARN            string `json:"functionArn"`
		Condition              string `json:"condition"` // RetryAttemptsExhausted | RecordAgeExceeded
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int    `json:"statusCode"`
		ExecutedVersion string `json:"executedVersion"`
		FunctionError   string `json:"functionError,omitempty"`
	} `json:"responseContext"`
	Version            string `json:"version"`
	Timestamp          string `json:"timestamp"`
	DDBStreamBatchInfo struct {
		ShardID                         string `json:"shardId"`
		StartSequenceNumber             string `json:"startSequenceNumber"`
		EndSequenceNumber               string `json:"endSequenceNumber"`
		ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
		ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
		BatchSize                       int    `json:"batchSize"`
		StreamARN                       string `json:"streamArn"`
	} `json:"DDBStreamBatchInfo"`
	// Destination is the template's OnFailure destination (a queue ARN), for reference.
	Destination string `json:"destination,omitempty"`
}

func (e *esm) discard(s *shard, recs []record, condition string, invokes int, cause error) {
	e.p.count(e.m.Function, func(st *Stats) { st.Discarded += len(recs) })
	var d DeadLetter
	d.RequestContext.RequestID = newID()
	d.RequestContext.FunctionARN = e.m.FunctionARN
	d.RequestContext.Condition = condition
	d.RequestContext.ApproximateInvokeCount = invokes
	d.ResponseContext.StatusCode = 200
	d.ResponseContext.ExecutedVersion = "$LATEST"
	if cause != nil {
		d.ResponseContext.FunctionError = "Unhandled"
	}
	d.Version = "1.0"
	d.Timestamp = time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	b := &d.DDBStreamBatchInfo
	b.ShardID, b.StreamARN, b.BatchSize = s.id, e.streamARN, len(recs)
	b.StartSequenceNumber, b.EndSequenceNumber = recs[0].seq, recs[len(recs)-1].seq
	b.ApproximateArrivalOfFirstRecord = recs[0].created.UTC().Format("2006-01-02T15:04:05Z")
	b.ApproximateArrivalOfLastRecord = recs[len(recs)-1].created.UTC().Format("2006-01-02T15:04:05Z")
	d.Destination = e.m.Event.OnFailureDestination
	where := "no on-failure destination file"
	if dir := e.p.cfg.DeadLetterDir; dir != "" {
		path := filepath.Join(dir, e.m.Function+".jsonl")
		if err := e.p.appendJSON(path, d); err != nil {
			where = "writing " + path + " failed: " + err.Error()
		} else {
			where = "metadata in " + path
		}
	}
	e.p.logf("%s.%s: DISCARDED %d record(s) %s..%s of shard %s (%s; %s)", e.m.Function, e.m.Event.Name, len(recs),
		b.StartSequenceNumber, b.EndSequenceNumber, s.id, condition, where)
}

func (p *Poller) appendJSON(path string, v any) error {
	p.dlqMu.Lock()
	defer p.dlqMu.Unlock()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
