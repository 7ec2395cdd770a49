package mailer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/partner-admin-center/pac/local/deploycheck"
	"github.com/partner-admin-center/pac/local/inbox"
	"github.com/partner-admin-center/pac/local/streams"
	"github.com/partner-admin-center/pac/local/template"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/email"
	"github.com/partner-admin-center/pac/shared/mailer"
	"github.com/partner-admin-center/pac/shared/store"
)

// TestMain runs the tests, then compares the DynamoDB actions the mailer and the sweeper
// performed in them with their policies in template.yaml (leastPrivilege); a run of a subset
// (-run) skips that check: it needs every path.
func TestMain(m *testing.M) {
	code := m.Run()
	if f := flag.Lookup("test.run"); code == 0 && (f == nil || f.Value.String() == "") {
		if problems := leastPrivilege(); len(problems) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: least privilege (template.yaml vs what the functions did in these tests):\n  %s\n", strings.Join(problems, "\n  "))
			code = 1
		}
	}
	testenv.Cleanup()
	os.Exit(code)
}

// clock is a settable clock shared by the mailer and the sweeper.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// flakySES wraps the SES emulator's client: a share of SendEmail calls fail with the typed
// throttling error SES returns (wrapped the way the SDK wraps it), without reaching SES.
type flakySES struct {
	ses       *sesv2.Client
	mu        sync.Mutex
	rnd       *rand.Rand
	rate      float64
	calls     atomic.Int32
	throttled atomic.Int32
}

func (f *flakySES) SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error) {
	f.calls.Add(1)
	f.mu.Lock()
	throttle := f.rnd.Float64() < f.rate
	f.mu.Unlock()
	if throttle {
		f.throttled.Add(1)
		return nil, &smithy.OperationError{ServiceID: "SESv2", OperationName: "SendEmail",
			Err: &sestypes.TooManyRequestsException{Message: aws.String("Maximum sending rate exceeded.")}}
	}
	return f.ses.SendEmail(ctx, in, opts...)
}

// observed gathers what the mailer and the sweeper did in every test of this package.
var observed = deploycheck.NewAccessLog()

type harness struct {
	db     *dynamodb.Client
	table  string
	st     *store.Store
	clock  *clock
	ses    *flakySES
	mailer *mailer.Mailer
	sweep  *mailer.Mailer
	tag    string // unique per test: recipients are <tag>-<i>@mailer-test.example
	since  time.Time
	logs   *bytes.Buffer
	logMu  *sync.Mutex
}

func newHarness(t *testing.T, throttleRate float64) *harness {
	t.Helper()
	db := testenv.DynamoDB(t)
	table := testenv.NewStreamTable(t, db)
	h := &harness{db: db, table: table, st: store.New(db, table), clock: &clock{t: time.Now().UTC()},
		tag: strings.ToLower(testenv.UniqueName("m")), since: time.Now().Add(-time.Second), logs: &bytes.Buffer{}, logMu: &sync.Mutex{}}
	h.ses = &flakySES{ses: testenv.SES(t), rnd: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7)), rate: throttleRate}
	log := slog.New(slog.NewJSONHandler(lockedWriter{h.logs, h.logMu}, nil))
	h.mailer = &mailer.Mailer{Store: h.st, Sender: &email.Sender{SES: h.ses}, From: "no-reply@partner-admin-center.example",
		Now: h.clock.Now, Log: log, Metrics: observed, Function: "mailer", Jitter: func() float64 { return 0.5 }}
	h.sweep = &mailer.Mailer{Store: h.st, Now: h.clock.Now, Log: log, Metrics: observed, Function: "sweep-outbox"}
	t.Cleanup(func() {
		if t.Failed() {
			h.logMu.Lock()
			t.Logf("mailer log:\n%s", h.logs.String())
			h.logMu.Unlock()
		}
	})
	return h
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (h *harness) addr(i int) string { return fmt.Sprintf("%s-%d@mailer-test.example", h.tag, i) }

// write queues n partner_answer emails (one recipient each) as a business transaction would.
func (h *harness) write(t *testing.T, n int) []store.OutboxEmail {
	t.Helper()
	var all []store.OutboxEmail
	for i := range n {
		all = append(all, store.OutboxEmail{ID: fmt.Sprintf("out_%s_%03d", h.tag, i), OrgID: "prt_test", Template: "partner_answer", To: []string{h.addr(i)},
			Data: map[string]string{"partnerName": "Contoso", "customerName": fmt.Sprintf("Customer %d", i), "customerDomain": "c" + fmt.Sprint(i),
				"offerKind": "trial", "answer": "accepted", "summary": "trial of Product A", "cloud": "global"}})
	}
	for len(all) > 0 { // 100 items per transaction at most
		k := min(len(all), 100)
		if err := h.st.WriteOutboxForTest(context.Background(), h.clock.Now(), all[:k]...); err != nil {
			t.Fatal(err)
		}
		all = all[k:]
	}
	var out []store.OutboxEmail
	for i := range n {
		out = append(out, store.OutboxEmail{ID: fmt.Sprintf("out_%s_%03d", h.tag, i), To: []string{h.addr(i)}})
	}
	return out
}

// record turns the current item into a stream record, as Lambda would deliver it.
func (h *harness) record(t *testing.T, id, seq, eventName string) events.DynamoDBEventRecord {
	t.Helper()
	out, err := h.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &h.table, ConsistentRead: aws.Bool(true),
		Key: map[string]ddbtypes.AttributeValue{"PK": s("OUTBOX#" + id), "SK": s("OUTBOX")}})
	if err != nil || out.Item == nil {
		t.Fatalf("item %s: %v", id, err)
	}
	b, err := attributevalue.MarshalMapJSON(out.Item)
	if err != nil {
		t.Fatal(err)
	}
	return rawRecord(t, seq, eventName, string(b))
}

func rawRecord(t *testing.T, seq, eventName, newImage string) events.DynamoDBEventRecord {
	t.Helper()
	var r events.DynamoDBEventRecord
	doc := `{"eventID":"e` + seq + `","eventName":"` + eventName + `","eventSource":"aws:dynamodb","eventVersion":"1.1","awsRegion":"us-east-1",` +
		`"dynamodb":{"SequenceNumber":"` + seq + `","SizeBytes":100,"StreamViewType":"NEW_AND_OLD_IMAGES","Keys":{},"NewImage":` + newImage + `}}`
	if err := json.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// delivered returns, per recipient of this test, the emails the SES emulator holds.
func (h *harness) delivered(t *testing.T) map[string][]inbox.Email {
	t.Helper()
	emails, err := inbox.Fetch(context.Background(), testenv.SESEndpoint(t), h.since)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]inbox.Email{}
	for _, e := range emails {
		for _, to := range e.Destination.To {
			if strings.HasPrefix(to, h.tag+"-") {
				out[to] = append(out[to], e)
			}
		}
	}
	return out
}

func (h *harness) item(t *testing.T, id string) store.OutboxItem {
	t.Helper()
	it, found, err := h.st.OutboxByID(context.Background(), id)
	if err != nil || !found {
		t.Fatalf("outbox %s: %v %v", id, found, err)
	}
	return it
}

// TestPoisonRecordIsReportedOthersAreSent: a batch with an undecodable record among good ones
// sends the good ones and reports the poison's SequenceNumber, and only it.
func TestPoisonRecordIsReportedOthersAreSent(t *testing.T) {
	h := newHarness(t, 0)
	emails := h.write(t, 5)
	var ev events.DynamoDBEvent
	for i, e := range emails {
		if i == 2 {
			ev.Records = append(ev.Records, rawRecord(t, "1002", "INSERT",
				`{"PK":{"S":"OUTBOX#out_poison"},"SK":{"S":"OUTBOX"},"Type":{"S":"Outbox"},"status":{"S":"pending"},"outboxId":{"S":"out_poison"},"attempts":{"S":"many"}}`))
		}
		ev.Records = append(ev.Records, h.record(t, e.ID, fmt.Sprintf("10%02d", 10+i), "INSERT"))
	}
	// Records that are not the mailer's business are skipped, not reported.
	ev.Records = append(ev.Records, rawRecord(t, "1099", "INSERT", `{"PK":{"S":"PARTNER#p"},"Type":{"S":"Partner"}}`),
		rawRecord(t, "1098", "REMOVE", `{}`))
	resp, err := h.mailer.HandleStream(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "1002" {
		t.Fatalf("batch item failures %+v, want only the poison's 1002", resp.BatchItemFailures)
	}
	got := h.delivered(t)
	for _, e := range emails {
		it := h.item(t, e.ID)
		d := got[e.To[0]]
		if len(d) != 1 || it.Status != store.OutboxSent || it.MessageID != d[0].MessageID {
			t.Fatalf("%s: status %s, message %q, %d emails", e.ID, it.Status, it.MessageID, len(d))
		}
		if !strings.Contains(d[0].Subject, "accepted your trial invitation") || d[0].Body.Text == "" || !strings.HasPrefix(d[0].Body.HTML, "<!DOCTYPE html>") {
			t.Errorf("email %+v", d[0])
		}
	}
	h.logMu.Lock()
	defer h.logMu.Unlock()
	if strings.Contains(h.logs.String(), "@mailer-test.example") {
		t.Error("the logs name a recipient")
	}
}

// TestRedeliveryDoesNotSendTwice: Lambda delivers at least once; the same batch three times in a
// row and three times at once still sends one email per item.
func TestRedeliveryDoesNotSendTwice(t *testing.T) {
	h := newHarness(t, 0)
	emails := h.write(t, 6)
	var ev events.DynamoDBEvent
	for i, e := range emails {
		ev.Records = append(ev.Records, h.record(t, e.ID, fmt.Sprint(2000+i), "INSERT"))
	}
	for range 3 {
		if resp, err := h.mailer.HandleStream(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("%+v %v", resp, err)
		}
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, err := h.mailer.HandleStream(context.Background(), ev); err != nil || len(resp.BatchItemFailures) != 0 {
				t.Errorf("%+v %v", resp, err)
			}
		}()
	}
	wg.Wait()
	got := h.delivered(t)
	for _, e := range emails {
		if n := len(got[e.To[0]]); n != 1 {
			t.Errorf("%s got %d emails", e.To[0], n)
		}
	}
	if n := h.ses.calls.Load(); n != int32(len(emails)) {
		t.Errorf("%d SendEmail calls for %d emails", n, len(emails))
	}
}

// TestPermanentErrorsAndRenderFailuresMarkFailed: SES refusing the message, or a template that
// cannot render, end as failed — never retried, never a batch failure.
func TestPermanentErrorsAndRenderFailuresMarkFailed(t *testing.T) {
	h := newHarness(t, 0)
	ctx := context.Background()
	bad := store.OutboxEmail{ID: "out_" + h.tag + "_bad", Template: "partner_answer", To: []string{h.addr(90)}, Data: map[string]string{"partnerName": "P"}}
	rejected := store.OutboxEmail{ID: "out_" + h.tag + "_rej", Template: "partner_answer", To: []string{h.addr(91)}, Data: map[string]string{"partnerName": "P",
		"customerName": "C", "customerDomain": "c", "offerKind": "trial", "answer": "accepted"}}
	if err := h.st.WriteOutboxForTest(ctx, h.clock.Now(), bad, rejected); err != nil {
		t.Fatal(err)
	}
	h.mailer.Sender = senderFunc(func(to []string) (string, error) {
		return "", &email.SendError{Class: email.Permanent, Err: &sestypes.MessageRejected{Message: aws.String("Email address is not verified: " + to[0])}}
	})
	ev := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{h.record(t, bad.ID, "3000", "INSERT"), h.record(t, rejected.ID, "3001", "INSERT")}}
	if resp, err := h.mailer.HandleStream(ctx, ev); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	for _, id := range []string{bad.ID, rejected.ID} {
		it := h.item(t, id)
		if it.Status != store.OutboxFailed || it.LastError == "" || it.GSI1PK != "" || strings.Contains(it.LastError, "@") {
			t.Errorf("%s: %+v", id, it)
		}
	}
}

type senderFunc func(to []string) (string, error)

func (f senderFunc) Send(_ context.Context, _ string, to []string, _ email.Message) (string, error) {
	return f(to)
}

func TestSendingPausedBacksOffLongAndRetryableGivesUp(t *testing.T) {
	h := newHarness(t, 0)
	ctx := context.Background()
	emails := h.write(t, 2)
	h.mailer.Sender = senderFunc(func([]string) (string, error) {
		return "", &smithy.OperationError{Err: &sestypes.SendingPausedException{Message: aws.String("paused")}}
	})
	if _, err := h.mailer.HandleStream(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{h.record(t, emails[0].ID, "1", "INSERT")}}); err != nil {
		t.Fatal(err)
	}
	if it := h.item(t, emails[0].ID); it.Status != store.OutboxPending || it.NextAttemptAt != h.clock.Now().Add(mailer.PausedBackoff).UnixMilli() {
		t.Fatalf("paused: %+v", it)
	}
	// A retryable error on the last allowed attempt marks the item failed.
	h.mailer.MaxAttempts = 2
	h.mailer.Sender = senderFunc(func([]string) (string, error) { return "", errors.New("connection reset") })
	for i := range 2 {
		if _, err := h.mailer.HandleStream(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{h.record(t, emails[1].ID, fmt.Sprint(10+i), "MODIFY")}}); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(time.Hour)
	}
	if it := h.item(t, emails[1].ID); it.Status != store.OutboxFailed || it.Attempts != 2 || !strings.Contains(it.LastError, "gave up after 2 attempts") {
		t.Fatalf("gave up: %+v", it)
	}
}

func TestBackoffIsExponentialCappedAndJittered(t *testing.T) {
	m := &mailer.Mailer{Jitter: func() float64 { return 0 }}
	for attempts, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 5: 16 * time.Second, 10: mailer.BackoffCap / 2, 60: mailer.BackoffCap / 2} {
		if got := m.Backoff(attempts); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempts, got, want)
		}
	}
	m.Jitter = func() float64 { return 0.999999 }
	if got := m.Backoff(3); got <= 7*time.Second || got > 8*time.Second {
		t.Errorf("Backoff(3) with full jitter = %v", got)
	}
}

// mailerEvent is MailerFunction's stream event as template.yaml declares it.
func mailerEvent(t *testing.T) template.StreamEvent {
	t.Helper()
	tpl, err := template.Load(filepath.Join(testenv.RepoRoot(t), "template.yaml"), template.Options{Parameters: deploycheck.LocalParameters, AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	f := tpl.Function("MailerFunction")
	if f == nil || len(f.StreamEvents) != 1 {
		t.Fatal("template.yaml: MailerFunction with one DynamoDB event expected")
	}
	return f.StreamEvents[0]
}

// TestThrottledSESEventuallySendsEverythingOnce: 50 outbox items through the real stream (the
// template's mapping: filter, partial batch answers), with 40% of SendEmail calls throttled and
// the sweeper run between rounds: every item ends sent, with exactly one email each.
func TestThrottledSESEventuallySendsEverythingOnce(t *testing.T) {
	h := newHarness(t, 0.4)
	// Giving up after MaxAttempts is tested on its own; here an item must not fail because it
	// happened to be throttled 12 times in a row (0.4^12 per item).
	h.mailer.MaxAttempts = 1000
	ev := mailerEvent(t)
	ev.MaximumBatchingWindow = 0 // the template's 1 s only slows the test down
	var invocations atomic.Int32
	// The fake clock jumps 16 minutes between rounds: never while an invocation is between its
	// claim and its sent mark (real time does not jump past a 2-minute lease mid-send).
	var gate sync.RWMutex
	// Markers (see quiet) are taken out of the batches before the mailer sees them; markerDone
	// is the highest marker whose invocation ended with every record handled.
	var markerDone atomic.Int64
	invoke := streams.InvokerFunc(func(ctx context.Context, _ string, payload []byte) ([]byte, error) {
		gate.RLock()
		defer gate.RUnlock()
		invocations.Add(1)
		var e events.DynamoDBEvent
		if err := json.Unmarshal(payload, &e); err != nil {
			return nil, err
		}
		marker, records := int64(0), e.Records[:0]
		for _, r := range e.Records {
			if pk, ok := r.Change.NewImage["PK"]; ok && pk.DataType() == events.DataTypeString {
				if n, marked := strings.CutPrefix(pk.String(), "OUTBOX#"+quietMarker); marked {
					k, err := strconv.ParseInt(n, 10, 64)
					if err != nil {
						return nil, err
					}
					marker = max(marker, k)
					continue
				}
			}
			records = append(records, r)
		}
		e.Records = records
		var resp events.DynamoDBEventResponse
		if len(e.Records) > 0 {
			var err error
			if resp, err = h.mailer.HandleStream(ctx, e); err != nil {
				return nil, err
			}
		}
		if len(resp.BatchItemFailures) == 0 && marker > markerDone.Load() { // (else the retry carries the marker again)
			markerDone.Store(marker)
		}
		return json.Marshal(resp)
	})
	endpoint := testenv.DynamoDBEndpoint(t)
	st := dynamodbstreams.NewFromConfig(testenv.AWSConfig(), func(o *dynamodbstreams.Options) { o.BaseEndpoint = aws.String(endpoint) })
	p, err := streams.Start(context.Background(), streams.Config{DynamoDB: h.db, Streams: st, Invoker: invoke, PollInterval: 20 * time.Millisecond,
		RetryDelay: 5 * time.Millisecond, DeadLetterDir: t.TempDir()}, streams.Mapping{Function: "MailerFunction", Table: h.table, Event: ev})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	emails := h.write(t, 50)
	// quiet waits until the stream has delivered every record written so far (the items, what
	// the last sweep re-drove): it writes a marker, an item the mailer's filter passes but
	// without index keys (the sweeper and DueOutbox never see it), and waits for the invocation
	// that carries it to end. A shard delivers in order, so every earlier record has then been
	// handled. (A quiet period of the poller would only be a guess at that on a loaded machine.)
	markers := int64(0)
	quiet := func() {
		t.Helper()
		markers++
		_, err := h.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &h.table, Item: map[string]ddbtypes.AttributeValue{
			"PK": s("OUTBOX#" + quietMarker + strconv.FormatInt(markers, 10)), "SK": s("OUTBOX"), "Type": s("Outbox"), "status": s("pending")}})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(time.Minute)
		for markerDone.Load() < markers {
			if time.Now().After(deadline) {
				t.Fatalf("the stream did not deliver marker %d within a minute (stats %+v)", markers, p.Stats("MailerFunction"))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	rounds := 0
	for ; rounds < 80; rounds++ {
		quiet()
		pending, err := h.st.DueOutbox(context.Background(), store.OutboxPending, h.clock.Now().Add(time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		sending, err := h.st.DueOutbox(context.Background(), store.OutboxSending, h.clock.Now().Add(time.Hour), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(pending) == 0 && len(sending) == 0 {
			break
		}
		// Time passes (fast-forward past every backoff), and the scheduled sweeper runs.
		gate.Lock()
		h.clock.Advance(mailer.BackoffCap + time.Minute)
		err = h.sweep.HandleSchedule(context.Background(), events.EventBridgeEvent{Time: h.clock.Now()})
		gate.Unlock()
		if err != nil {
			t.Fatal(err)
		}
	}
	got := h.delivered(t)
	for _, e := range emails {
		it := h.item(t, e.ID)
		if it.Status != store.OutboxSent || len(got[e.To[0]]) != 1 || got[e.To[0]][0].MessageID != it.MessageID {
			t.Fatalf("%s: status %s after %d rounds, %d emails", e.ID, it.Status, rounds, len(got[e.To[0]]))
		}
	}
	if n := len(got); n != 50 {
		t.Fatalf("%d recipients got email, want 50", n)
	}
	th, calls := h.ses.throttled.Load(), h.ses.calls.Load()
	if th == 0 || calls != 50+th {
		t.Fatalf("%d SendEmail calls, %d throttled: every unthrottled call must be one delivered email", calls, th)
	}
	t.Logf("50 emails: %d SendEmail calls (%d throttled), %d sweeper rounds, %d invocations", calls, th, rounds, invocations.Load())
}

// quietMarker starts the outbox ids of TestThrottledSESEventuallySendsEverythingOnce's markers.
const quietMarker = "quiet-marker-"

// TestSweeperReclaimsExpiredLeases: a mailer that died after claiming leaves the item sending;
// once the lease expires the sweeper puts it back and it is sent.
func TestSweeperReclaimsExpiredLeases(t *testing.T) {
	h := newHarness(t, 0)
	ctx := context.Background()
	emails := h.write(t, 1)
	if _, err := h.st.ClaimOutbox(ctx, emails[0].ID, h.clock.Now(), mailer.DefaultLease); err != nil { // …and then the instance died
		t.Fatal(err)
	}
	if res, err := h.sweep.Sweep(ctx); err != nil || res.Reclaimed != 0 {
		t.Fatalf("live lease: %+v %v", res, err)
	}
	h.clock.Advance(mailer.DefaultLease + time.Second)
	if res, err := h.sweep.Sweep(ctx); err != nil || res.Reclaimed != 1 {
		t.Fatalf("expired lease: %+v %v", res, err)
	}
	rec := h.record(t, emails[0].ID, "4000", "MODIFY")
	if resp, err := h.mailer.HandleStream(ctx, events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{rec}}); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatal(resp, err)
	}
	if it := h.item(t, emails[0].ID); it.Status != store.OutboxSent || it.Attempts != 2 || len(h.delivered(t)[emails[0].To[0]]) != 1 {
		t.Fatalf("after reclaim: %+v", it)
	}
}

// leastPrivilege compares the DynamoDB actions the mailer and the sweeper performed in this
// package's tests with their policies in template.yaml, in both directions (as shared/api does
// for the HTTP functions).
func leastPrivilege() []string {
	wd, _ := os.Getwd()
	return deploycheck.LeastPrivilege(filepath.Join(wd, "..", "..", "template.yaml"),
		map[string]string{"MailerFunction": "mailer", "SweepOutboxFunction": "sweep-outbox"}, observed)
}

func s(v string) ddbtypes.AttributeValue { return &ddbtypes.AttributeValueMemberS{Value: v} }
