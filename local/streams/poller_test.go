package streams_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"

	"github.com/partner-admin-center/pac/local/streams"
	"github.com/partner-admin-center/pac/local/template"
	"github.com/partner-admin-center/pac/local/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const outboxFilter = `{"eventName":["INSERT","MODIFY"],"dynamodb":{"NewImage":{"Type":{"S":["Outbox"]},"status":{"S":["pending"]}}}}`

// fake is a stream function: it records every batch (as the outbox ids it held) and answers
// with what answer returns.
type fake struct {
	mu      sync.Mutex
	batches [][]string
	answer  func(ev events.DynamoDBEvent, ids []string) ([]byte, error)
}

func (f *fake) Invoke(_ context.Context, _ string, payload []byte) ([]byte, error) {
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("bad event: %w", err)
	}
	ids := make([]string, len(ev.Records))
	for i, r := range ev.Records {
		ids[i] = r.Change.NewImage["id"].String()
	}
	f.mu.Lock()
	f.batches = append(f.batches, ids)
	answer := f.answer
	f.mu.Unlock()
	if answer == nil {
		return []byte(`{"batchItemFailures":[]}`), nil
	}
	return answer(ev, ids)
}

func (f *fake) seen() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches)
}

type env struct {
	db    *dynamodb.Client
	table string
	dlq   string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.DynamoDB(t)
	return &env{db: db, table: testenv.NewStreamTable(t, db), dlq: t.TempDir()}
}

func (e *env) start(t *testing.T, f streams.Invoker, ev template.StreamEvent) *streams.Poller {
	t.Helper()
	ev.Name, ev.Enabled = "Outbox", true
	if ev.StartingPosition == "" {
		ev.StartingPosition = "TRIM_HORIZON"
	}
	if ev.FunctionResponseTypes == nil {
		ev.FunctionResponseTypes = []string{"ReportBatchItemFailures"}
	}
	if ev.FilterPatterns == nil {
		ev.FilterPatterns = []string{outboxFilter}
	}
	endpoint := testenv.DynamoDBEndpoint(t)
	st := dynamodbstreams.NewFromConfig(testenv.AWSConfig(), func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(endpoint) })
	var log strings.Builder
	var logMu sync.Mutex
	p, err := streams.Start(context.Background(), streams.Config{DynamoDB: e.db, Streams: st, Invoker: f, DeadLetterDir: e.dlq,
		Log: writerFunc(func(b []byte) { logMu.Lock(); log.Write(b); logMu.Unlock() }), PollInterval: 20 * time.Millisecond, RetryDelay: 5 * time.Millisecond},
		streams.Mapping{Function: "Fn", Table: e.table, Event: ev})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = p.Close()
		if t.Failed() {
			logMu.Lock()
			t.Logf("poller log:\n%s", log.String())
			logMu.Unlock()
		}
	})
	return p
}

type writerFunc func([]byte)

func (w writerFunc) Write(b []byte) (int, error) { w(b); return len(b), nil }

// put writes items one by one (one stream record each, in order).
func (e *env) put(t *testing.T, typ, status string, ids ...string) {
	t.Helper()
	for _, id := range ids {
		_, err := e.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &e.table, Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "OUTBOX#" + id}, "SK": &types.AttributeValueMemberS{Value: "OUTBOX"},
			"Type": &types.AttributeValueMemberS{Value: typ}, "status": &types.AttributeValueMemberS{Value: status},
			"id": &types.AttributeValueMemberS{Value: id},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// waitFor polls cond until it holds. A test waits for the very condition it then asserts (the
// poller's counters move after the invocation that the fake recorded returns, and a dead letter
// is written after the discard is counted), never for an earlier step of it. The limit is
// generous: on a loaded machine DynamoDB Local and the poller can be slow, and a passing test
// never waits for it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func flatten(batches [][]string) []string {
	var out []string
	for _, b := range batches {
		out = append(out, b...)
	}
	return out
}

func deadLetters(t *testing.T, e *env) []streams.DeadLetter {
	t.Helper()
	f, err := os.Open(filepath.Join(e.dlq, "Fn.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []streams.DeadLetter
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var d streams.DeadLetter
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// deadLettersWritten counts the complete lines of the dead-letter file, for waiting while the
// poller may still be writing it (deadLetters would choke on a half-written line).
func deadLettersWritten(t *testing.T, e *env) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dlq, "Fn.jsonl"))
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestBatchesFilteredRecordsLikeLambda(t *testing.T) {
	e := newEnv(t)
	var got []events.DynamoDBEvent
	var mu sync.Mutex
	f := &fake{}
	f.answer = func(ev events.DynamoDBEvent, _ []string) ([]byte, error) {
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
		return []byte(`null`), nil
	}
	p := e.start(t, f, template.StreamEvent{BatchSize: 3, MaximumBatchingWindow: 300 * time.Millisecond})
	e.put(t, "Outbox", "pending", "a", "b")
	e.put(t, "Partner", "pending", "x")
	e.put(t, "Outbox", "sent", "y")
	e.put(t, "Outbox", "pending", "c", "d", "e", "f", "g")
	// Delivered is counted when an invocation returns, after the fake recorded its batch.
	waitFor(t, "7 records delivered", func() bool { return len(flatten(f.seen())) == 7 && p.Stats("Fn").Delivered == 7 })
	if got := flatten(f.seen()); !slices.Equal(got, []string{"a", "b", "c", "d", "e", "f", "g"}) {
		t.Fatalf("delivered %v", got)
	}
	for _, b := range f.seen() {
		if len(b) > 3 {
			t.Errorf("batch %v exceeds BatchSize 3", b)
		}
	}
	mu.Lock()
	r := got[0].Records[0]
	mu.Unlock()
	if r.EventName != "INSERT" || r.EventSource != "aws:dynamodb" || r.AWSRegion != "us-east-1" || r.EventVersion != "1.1" || r.EventID == "" ||
		!strings.Contains(r.EventSourceArn, ":table/"+e.table+"/stream/") || r.Change.SequenceNumber == "" || r.Change.SizeBytes == 0 ||
		r.Change.StreamViewType != "NEW_AND_OLD_IMAGES" || r.Change.Keys["PK"].String() != "OUTBOX#a" || r.Change.NewImage["status"].String() != "pending" ||
		r.Change.ApproximateCreationDateTime.IsZero() || time.Since(r.Change.ApproximateCreationDateTime.Time) > 2*time.Minute { // DynamoDB Local: minute precision
		t.Errorf("record %+v", r)
	}
	if st := p.Stats("Fn"); st.Filtered != 2 || st.Delivered != 7 || st.Retries != 0 || st.Discarded != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestPartialBatchResponseRetriesFromTheLowestFailure(t *testing.T) {
	e := newEnv(t)
	f := &fake{}
	failed := map[string]int{}
	f.answer = func(ev events.DynamoDBEvent, ids []string) ([]byte, error) {
		var resp events.DynamoDBEventResponse
		for i, id := range ids {
			// c fails once, e twice: both are reported; Lambda retries from c.
			if (id == "c" && failed[id] < 1) || (id == "e" && failed[id] < 2) {
				failed[id]++
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: ev.Records[i].Change.SequenceNumber})
			}
		}
		return json.Marshal(resp)
	}
	e.put(t, "Outbox", "pending", "a", "b", "c", "d", "e", "f")
	p := e.start(t, f, template.StreamEvent{BatchSize: 10, MaximumBatchingWindow: 500 * time.Millisecond, MaximumRetryAttempts: 5})
	waitFor(t, "all acknowledged", func() bool { return p.Stats("Fn").Delivered == 6 })
	want := [][]string{{"a", "b", "c", "d", "e", "f"}, {"c", "d", "e", "f"}, {"e", "f"}}
	if got := f.seen(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	if len(deadLetters(t, e)) != 0 {
		t.Error("dead letters after a recovered partial failure")
	}
}

func TestBisectIsolatesAPoisonRecord(t *testing.T) {
	e := newEnv(t)
	f := &fake{}
	f.answer = func(_ events.DynamoDBEvent, ids []string) ([]byte, error) {
		if slices.Contains(ids, "poison") {
			return nil, errors.New("Unhandled: cannot decode")
		}
		return nil, nil
	}
	e.put(t, "Outbox", "pending", "a", "b", "poison", "c")
	p := e.start(t, f, template.StreamEvent{BatchSize: 4, MaximumBatchingWindow: time.Second, MaximumRetryAttempts: 3, BisectBatchOnFunctionError: true})
	// The poison is discarded before c (its right half) is invoked: wait for both, then for
	// c's invocation to have returned (Delivered counts a, b and c).
	want := [][]string{{"a", "b", "poison", "c"}, {"a", "b"}, {"poison", "c"}, {"poison"}, {"poison"}, {"c"}}
	waitFor(t, "the poison discarded and c delivered", func() bool {
		st := p.Stats("Fn")
		return st.Discarded == 1 && st.Delivered == 3 && slices.Contains(flatten(f.seen()), "c")
	})
	if got := f.seen(); !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	dl := deadLetters(t, e)
	if len(dl) != 1 || dl[0].RequestContext.Condition != "RetryAttemptsExhausted" || dl[0].DDBStreamBatchInfo.BatchSize != 1 ||
		dl[0].DDBStreamBatchInfo.StartSequenceNumber != dl[0].DDBStreamBatchInfo.EndSequenceNumber || dl[0].ResponseContext.FunctionError != "Unhandled" ||
		dl[0].DDBStreamBatchInfo.ShardID == "" || dl[0].RequestContext.ApproximateInvokeCount != 4 {
		t.Fatalf("dead letters %+v", dl)
	}
	// The stream moves on: later records are delivered.
	e.put(t, "Outbox", "pending", "later")
	waitFor(t, "the next record", func() bool { return slices.Contains(flatten(f.seen()), "later") })
}

func TestRetriesExhaustedWithoutBisectDiscardTheBatch(t *testing.T) {
	e := newEnv(t)
	f := &fake{}
	f.answer = func(_ events.DynamoDBEvent, ids []string) ([]byte, error) {
		if slices.Contains(ids, "a") {
			return nil, errors.New("boom")
		}
		return nil, nil
	}
	e.put(t, "Outbox", "pending", "a", "b")
	p := e.start(t, f, template.StreamEvent{BatchSize: 2, MaximumRetryAttempts: 2})
	// The discard is counted before its dead letter is written: wait for both.
	waitFor(t, "the batch discarded", func() bool { return p.Stats("Fn").Discarded == 2 && deadLettersWritten(t, e) == 1 })
	if got := f.seen(); len(got) != 3 {
		t.Fatalf("invocations %v, want 3 (1 + 2 retries)", got)
	}
	if dl := deadLetters(t, e); len(dl) != 1 || dl[0].DDBStreamBatchInfo.BatchSize != 2 {
		t.Fatalf("dead letters %+v", dl)
	}
}

func TestAMalformedPartialResponseFailsTheBatch(t *testing.T) {
	e := newEnv(t)
	f := &fake{}
	calls := 0
	f.answer = func(_ events.DynamoDBEvent, _ []string) ([]byte, error) {
		calls++
		switch calls {
		case 1:
			return []byte(`{"batchItemFailures":[{"itemIdentifier":""}]}`), nil
		case 2:
			return []byte(`{"batchItemFailures":[{"itemIdentifier":"not-a-sequence-number"}]}`), nil
		}
		return []byte(`{}`), nil
	}
	e.put(t, "Outbox", "pending", "a", "b")
	p := e.start(t, f, template.StreamEvent{BatchSize: 2, MaximumRetryAttempts: 5})
	waitFor(t, "acknowledged", func() bool { return p.Stats("Fn").Delivered == 2 })
	if got := f.seen(); len(got) != 3 || len(got[2]) != 2 {
		t.Fatalf("batches %v: each malformed answer must retry the whole batch", got)
	}
}

func TestOldRecordsAreDiscarded(t *testing.T) {
	e := newEnv(t)
	f := &fake{}
	f.answer = func(_ events.DynamoDBEvent, ids []string) ([]byte, error) {
		if slices.Contains(ids, "old") {
			return nil, errors.New("keeps failing")
		}
		return nil, nil
	}
	e.put(t, "Outbox", "pending", "old")
	// Retries come 5, 10, 20 ms … apart: 3 invocations take ~15 ms, far inside the record's
	// 2 s of life even on a loaded machine.
	p := e.start(t, f, template.StreamEvent{BatchSize: 5, MaximumRecordAge: 2 * time.Second, MaximumRetryAttempts: -1})
	waitFor(t, "the old record discarded", func() bool { return p.Stats("Fn").Discarded == 1 })
	if n := len(f.seen()); n < 3 {
		t.Errorf("%d invocations before the record aged out; retries are unbounded", n)
	}
	e.put(t, "Outbox", "pending", "new")
	waitFor(t, "the new record", func() bool { return slices.Contains(flatten(f.seen()), "new") })
	if dl := deadLetters(t, e); len(dl) != 1 || dl[0].RequestContext.Condition != "RecordAgeExceeded" {
		t.Fatalf("dead letters %+v", dl)
	}
}

func TestLatestSkipsEarlierRecords(t *testing.T) {
	e := newEnv(t)
	e.put(t, "Outbox", "pending", "before")
	f := &fake{}
	e.start(t, f, template.StreamEvent{BatchSize: 5, StartingPosition: "LATEST"})
	e.put(t, "Outbox", "pending", "after")
	// A shard delivers in order: had "before" been delivered, it would be seen no later than
	// "after", so once "after" is seen the assertion below is final (no sleep needed).
	waitFor(t, "the record written after start", func() bool { return slices.Contains(flatten(f.seen()), "after") })
	if got := flatten(f.seen()); !slices.Equal(got, []string{"after"}) {
		t.Fatalf("delivered %v, want only [after]", got)
	}
}
