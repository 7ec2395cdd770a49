// Package mailer delivers the email outbox (docs/architecture.md, "Email outbox"): the stream
// handler of the mailer function (table stream → claim → render → SES → sent/backoff/failed)
// and the handler of the scheduled sweeper (re-drives due and stuck items). Both are built from
// the environment by FromEnv; functions/mailer and functions/sweep-outbox only start them.
//
// Delivery guarantees: the stream delivers every record at least once, and the sweeper makes
// the stream deliver an item again when it is due or stuck. Sending is guarded by the claim (a
// conditional pending → sending update with a lease and a token): a duplicate delivery finds the
// item claimed or sent and skips it, so an email goes out twice only if the function dies after
// SES accepted it and before the sent mark (one email, once the lease expires).
package mailer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/partner-admin-center/pac/shared/email"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/telemetry"
)

// Store is the part of the store the mailer and the sweeper use.
type Store interface {
	ClaimOutbox(ctx context.Context, id string, now time.Time, lease time.Duration) (store.OutboxItem, error)
	MarkOutboxSent(ctx context.Context, it store.OutboxItem, messageID string, now time.Time) error
	BackoffOutbox(ctx context.Context, it store.OutboxItem, next time.Time, lastError string) error
	MarkOutboxFailed(ctx context.Context, it store.OutboxItem, lastError string, now time.Time) error
	DueOutbox(ctx context.Context, status string, now time.Time, limit int) ([]store.OutboxItem, error)
	RedriveOutbox(ctx context.Context, it store.OutboxItem, now time.Time) error
}

// Sender sends a rendered message (email.Sender).
type Sender interface {
	Send(ctx context.Context, from string, to []string, m email.Message) (string, error)
}

// Defaults of the Mailer's tunables.
const (
	DefaultLease        = 2 * time.Minute
	DefaultMaxAttempts  = 12
	DefaultConcurrency  = 4
	DefaultSendTimeout  = 10 * time.Second
	DefaultSweepLimit   = 100
	DefaultSweepGrace   = 15 * time.Second
	BackoffBase         = time.Second
	BackoffCap          = 15 * time.Minute
	PausedBackoff       = 30 * time.Minute
	minRemainingToClaim = 5 * time.Second
)

// Mailer sends outbox items. The zero values of the tunables take the defaults above.
type Mailer struct {
	Store  Store
	Sender Sender
	// From is the sender address (SENDER_ADDRESS).
	From string
	Now  func() time.Time
	Log  *slog.Logger
	// Metrics receives one EMF line per invocation (nil: none).
	Metrics io.Writer
	// Function names the function in logs and metrics.
	Function string
	// Sealer opens the sealed facts of items (a temporary password); nil: such items fail.
	Sealer *store.Sealer

	// Lease is how long a claim holds an item; it must exceed the time one send can take.
	Lease time.Duration
	// MaxAttempts caps the attempts of an item that keeps failing with retryable errors; it is
	// then marked failed. Paused sending (an account-level stop) never exhausts it.
	MaxAttempts int
	// Concurrency bounds the records of a batch processed at once.
	Concurrency int
	// SendTimeout bounds one SES call.
	SendTimeout time.Duration
	// SweepLimit bounds the items of each kind one sweep re-drives.
	SweepLimit int
	// SweepGrace: a pending item is re-driven once it has been due this long (the stream
	// normally delivers it within a second).
	SweepGrace time.Duration
	// Jitter returns a number in [0, 1) (default math/rand/v2).
	Jitter func() float64
}

func (m *Mailer) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Mailer) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, nil))
}

func orDefault[T int | time.Duration](v, d T) T {
	if v <= 0 {
		return d
	}
	return v
}

// Outcome of one stream record.
type Outcome string

// Outcomes.
const (
	Sent      Outcome = "sent"
	BackedOff Outcome = "backed_off" // retryable SES error: pending again, due later
	Failed    Outcome = "failed"     // permanent SES or rendering error
	Skipped   Outcome = "skipped"    // not an outbox item, not pending, not due, or not ours
	Deferred  Outcome = "deferred"   // left pending after throttling in this batch (the sweeper re-drives it)
	Error     Outcome = "error"      // could not be processed: reported as a batch item failure
)

// Backoff is the delay before attempt attempts+1: exponential from BackoffBase (2^attempts s),
// capped at BackoffCap, with "equal jitter" (half fixed, half random) so a throttled burst
// does not come back at once.
func (m *Mailer) Backoff(attempts int) time.Duration {
	d := BackoffCap
	if attempts < 20 {
		d = min(BackoffBase<<max(attempts, 0), BackoffCap)
	}
	j := m.Jitter
	if j == nil {
		j = rand.Float64
	}
	return d/2 + time.Duration(j()*float64(d/2))
}

// HandleStream processes a batch of the table stream (Lambda's DynamoDB event) and answers with
// the records it could not process at all, by SequenceNumber (ReportBatchItemFailures): an
// undecodable image, or a DynamoDB failure. Lambda then retries from the lowest of them (and
// bisects), and after MaximumRetryAttempts hands the batch's metadata to the on-failure
// destination. Every other outcome — sent, backed off for the sweeper, failed for good, skipped
// — is a success for Lambda: the item's state is in the table.
func (m *Mailer) HandleStream(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	start := time.Now()
	ctx, meter := telemetry.With(ctx)
	outcomes := make([]Outcome, len(ev.Records))
	var throttled atomic.Bool
	sem := make(chan struct{}, orDefault(m.Concurrency, DefaultConcurrency))
	var wg sync.WaitGroup
	for i, rec := range ev.Records {
		if rec.Change.SequenceNumber == "" {
			// An empty itemIdentifier would fail the batch anyway; say why.
			return events.DynamoDBEventResponse{}, fmt.Errorf("mailer: record %d (%s) has no SequenceNumber", i, rec.EventID)
		}
	}
	for i, rec := range ev.Records {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			outcomes[i] = m.record(ctx, rec, &throttled)
		}()
	}
	wg.Wait()
	var resp events.DynamoDBEventResponse
	counts := map[Outcome]int{}
	for i, o := range outcomes {
		counts[o]++
		if o == Error {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: ev.Records[i].Change.SequenceNumber})
		}
	}
	m.log().InfoContext(ctx, "batch", "function", m.Function, "records", len(ev.Records), "sent", counts[Sent], "backedOff", counts[BackedOff],
		"failed", counts[Failed], "skipped", counts[Skipped], "deferred", counts[Deferred], "batchItemFailures", counts[Error])
	if m.Metrics != nil {
		status := 200
		if counts[Error] > 0 {
			status = 207
		}
		_ = meter.WriteEMF(m.Metrics, m.Function, "DynamoDB stream", status, time.Since(start), time.Now())
	}
	return resp, nil
}

// decodeRecord turns a record's NewImage (Lambda's JSON shape) into the SDK's attribute values
// and then into an outbox item.
func decodeRecord(rec events.DynamoDBEventRecord) (store.OutboxItem, bool, error) {
	b, err := json.Marshal(rec.Change.NewImage)
	if err != nil {
		return store.OutboxItem{}, false, fmt.Errorf("encode NewImage: %w", err)
	}
	av, err := attributevalue.UnmarshalMapJSON(b)
	if err != nil {
		return store.OutboxItem{}, false, fmt.Errorf("decode NewImage: %w", err)
	}
	return store.DecodeOutboxImage(av)
}

func (m *Mailer) record(ctx context.Context, rec events.DynamoDBEventRecord, throttled *atomic.Bool) Outcome {
	log := m.log().With("function", m.Function, "sequenceNumber", rec.Change.SequenceNumber, "eventName", rec.EventName)
	if rec.EventName != "INSERT" && rec.EventName != "MODIFY" {
		return Skipped
	}
	image, ok, err := decodeRecord(rec)
	if err != nil {
		// A poison record: report it, so Lambda retries it (in a bisected batch) and finally
		// hands it to the on-failure destination, where an operator sees it.
		log.ErrorContext(ctx, "undecodable stream record", "error", err.Error())
		return Error
	}
	if !ok || image.Status != store.OutboxPending {
		return Skipped
	}
	log = log.With("outboxId", image.ID, "template", image.Template, "orgId", image.OrgID)
	now := m.now()
	if !image.Due(now) {
		// Backed off: the sweeper re-drives it when it is due.
		return Skipped
	}
	if throttled.Load() {
		// SES throttled this batch already: leave the item pending (due); the sweeper re-drives
		// it within a minute instead of hammering SES now.
		log.InfoContext(ctx, "deferred after throttling")
		return Deferred
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < minRemainingToClaim {
		log.WarnContext(ctx, "no time left to send; reported for retry")
		return Error
	}
	it, err := m.Store.ClaimOutbox(ctx, image.ID, now, orDefault(m.Lease, DefaultLease))
	if errors.Is(err, store.ErrNotClaimable) {
		return Skipped // sent, failed, not due, or claimed by a concurrent delivery
	}
	if err != nil {
		log.ErrorContext(ctx, "claim failed", "error", err.Error())
		return Error
	}
	log = log.With("attempts", it.Attempts)
	return m.send(ctx, log, it, throttled)
}

// send renders and sends a claimed item and records the result.
func (m *Mailer) send(ctx context.Context, log *slog.Logger, it store.OutboxItem, throttled *atomic.Bool) Outcome {
	data, err := it.Facts(m.Sealer) // sealed facts are opened here, in memory only
	if err != nil {
		log.ErrorContext(ctx, "cannot open sealed facts; marked failed", "error", err.Error())
		return m.fail(ctx, log, it, "sealed facts: "+err.Error())
	}
	msg, err := email.Render(it.Template, data)
	if err != nil {
		log.ErrorContext(ctx, "cannot render; marked failed", "error", err.Error())
		return m.fail(ctx, log, it, "render: "+err.Error())
	}
	sctx, cancel := context.WithTimeout(ctx, orDefault(m.SendTimeout, DefaultSendTimeout))
	id, err := m.Sender.Send(sctx, m.From, it.To, msg)
	cancel()
	if err == nil {
		if err := m.markSent(ctx, it, id); err != nil {
			// SES accepted the email; only the record is missing. When the lease expires the
			// sweeper re-drives the item: the one-email duplicate window.
			log.ErrorContext(ctx, "sent but not recorded", "messageId", id, "error", err.Error())
			return Error
		}
		log.InfoContext(ctx, "sent", "messageId", id)
		return Sent
	}
	reason := redact(err.Error())
	switch email.Classify(err) {
	case email.Permanent:
		log.ErrorContext(ctx, "SES refused the email; marked failed", "error", reason)
		return m.fail(ctx, log, it, reason)
	case email.Paused:
		log.ErrorContext(ctx, "SES sending is PAUSED for the account: nothing can be sent until an operator acts", "error", reason)
		return m.backoff(ctx, log, it, PausedBackoff, reason)
	}
	if email.Throttled(err) {
		throttled.Store(true)
	}
	if it.Attempts >= orDefault(m.MaxAttempts, DefaultMaxAttempts) {
		log.ErrorContext(ctx, "gave up after retryable errors; marked failed", "error", reason)
		return m.fail(ctx, log, it, fmt.Sprintf("gave up after %d attempts: %s", it.Attempts, reason))
	}
	d := m.Backoff(it.Attempts)
	log.WarnContext(ctx, "retryable send error; backing off", "error", reason, "retryIn", d.String())
	return m.backoff(ctx, log, it, d, reason)
}

func (m *Mailer) markSent(ctx context.Context, it store.OutboxItem, messageID string) error {
	var err error
	for attempt := range 3 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
		}
		if err = m.Store.MarkOutboxSent(ctx, it, messageID, m.now()); err == nil || errors.Is(err, store.ErrLeaseLost) {
			return err
		}
	}
	return err
}

func (m *Mailer) fail(ctx context.Context, log *slog.Logger, it store.OutboxItem, reason string) Outcome {
	if err := m.Store.MarkOutboxFailed(ctx, it, reason, m.now()); err != nil {
		log.ErrorContext(ctx, "cannot mark failed", "error", err.Error())
		return Error
	}
	return Failed
}

func (m *Mailer) backoff(ctx context.Context, log *slog.Logger, it store.OutboxItem, d time.Duration, reason string) Outcome {
	if err := m.Store.BackoffOutbox(ctx, it, m.now().Add(d), reason); err != nil {
		log.ErrorContext(ctx, "cannot back off", "error", err.Error())
		return Error
	}
	return BackedOff
}

var address = regexp.MustCompile(`[^\s@<>"',;:]+@[^\s@<>"',;:]+`)

// redact removes email addresses from an error text before it is logged or stored (SES quotes
// the identities it refuses).
func redact(s string) string { return address.ReplaceAllString(s, "<address>") }

// SweepResult counts what a sweep did.
type SweepResult struct {
	Redriven  int // pending items past due, touched so that the stream delivers them again
	Reclaimed int // sending items with an expired lease, put back to pending
}

// Sweep re-drives, at most SweepLimit of each: pending items due for longer than SweepGrace
// (backed off, deferred, or missed by the stream), and sending items whose lease expired (their
// sender died). Each re-drive is a conditional update that yields a MODIFY record with a
// pending new image, which the mailer's filter passes.
func (m *Mailer) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	now := m.now()
	limit := orDefault(m.SweepLimit, DefaultSweepLimit)
	pending, err := m.Store.DueOutbox(ctx, store.OutboxPending, now.Add(-orDefault(m.SweepGrace, DefaultSweepGrace)), limit)
	if err != nil {
		return res, fmt.Errorf("mailer: sweep: %w", err)
	}
	stuck, err := m.Store.DueOutbox(ctx, store.OutboxSending, now, limit)
	if err != nil {
		return res, fmt.Errorf("mailer: sweep: %w", err)
	}
	var errs []error
	for _, it := range append(pending, stuck...) {
		err := m.Store.RedriveOutbox(ctx, it, now)
		switch {
		case errors.Is(err, store.ErrOutboxChanged):
		case err != nil:
			errs = append(errs, err)
		case it.Status == store.OutboxSending:
			res.Reclaimed++
			m.log().WarnContext(ctx, "reclaimed an expired lease", "function", m.Function, "outboxId", it.ID, "template", it.Template, "attempts", it.Attempts)
		default:
			res.Redriven++
		}
	}
	if len(errs) > 0 {
		return res, fmt.Errorf("mailer: sweep: %w", errors.Join(errs...))
	}
	return res, nil
}

// HandleSchedule is the sweeper's Lambda handler (an EventBridge scheduled event). An error
// fails the invocation (EventBridge retries it; the next run comes a minute later anyway).
func (m *Mailer) HandleSchedule(ctx context.Context, ev events.EventBridgeEvent) error {
	start := time.Now()
	ctx, meter := telemetry.With(ctx)
	res, err := m.Sweep(ctx)
	status := 200
	if err != nil {
		status = 500
		m.log().ErrorContext(ctx, "sweep failed", "function", m.Function, "redriven", res.Redriven, "reclaimed", res.Reclaimed, "error", err.Error())
	} else {
		level := slog.LevelDebug // an idle sweep every minute is not news
		if res.Redriven+res.Reclaimed > 0 {
			level = slog.LevelInfo
		}
		m.log().Log(ctx, level, "sweep", "function", m.Function, "redriven", res.Redriven, "reclaimed", res.Reclaimed, "scheduledAt", ev.Time)
	}
	if m.Metrics != nil {
		_ = meter.WriteEMF(m.Metrics, m.Function, "schedule", status, time.Since(start), time.Now())
	}
	return err
}
