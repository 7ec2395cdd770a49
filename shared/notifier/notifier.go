// Package notifier tells the Partner of Record of every change to a subscription
// (docs/architecture.md, "Notifications"): the stream handler of the notifier function reads the
// table's change stream (only subscription items reach it, by the event filter in
// template.yaml), derives the event from the old and new images (admin.ChangeKind), and for each
// partner told writes the inbox item, the unread count and the emails of the users who
// subscribed in one transaction, then hands the event to the Publisher (webhooks).
//
// Delivery guarantees: the stream delivers every record at least once. An event's id is derived
// from the subscription, its version and the partner (admin.EventID) and the inbox transaction
// is conditional on it, so a redelivered record writes nothing twice and sends no email twice;
// the Publisher gets the event again and must refuse it by id. Records of one subscription are
// processed in stream order; once one fails, the later ones of that subscription in the batch
// are reported too, so a retry tells them in order.
package notifier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/telemetry"
)

// Store is the part of the store the notifier uses.
type Store interface {
	NotifierFacts(ctx context.Context, customerID string, partnerIDs []string) (admin.Customer, map[string]admin.Partner, error)
	PartnerRecipients(ctx context.Context, partnerID string) ([]admin.User, []admin.NotificationSettings, error)
	Notify(ctx context.Context, e admin.SubscriptionEvent, emails []admin.Email, now time.Time) error
}

// DefaultConcurrency bounds the subscriptions of a batch processed at once.
const DefaultConcurrency = 8

// Notifier handles the table stream's subscription records.
type Notifier struct {
	Store Store
	// Publisher takes every event after its inbox item is written (webhooks); nil: none. An
	// error fails the record, which is then delivered again.
	Publisher admin.EventPublisher
	Now       func() time.Time
	NewID     func(prefix string) string
	Log       *slog.Logger
	// Metrics receives one EMF line per invocation (nil: none).
	Metrics io.Writer
	// Function names the function in logs and metrics.
	Function    string
	Concurrency int
}

// Outcome of one stream record.
type Outcome string

// Outcomes.
const (
	Notified  Outcome = "notified"  // the inbox items were written (and published)
	Duplicate Outcome = "duplicate" // redelivered: the inbox held the events already (published again)
	Skipped   Outcome = "skipped"   // not a subscription, or a change no event reports
	Error     Outcome = "error"     // could not be processed: reported as a batch item failure
	Held      Outcome = "held"      // after a failed record of the same subscription: reported, to keep the order
)

func (n *Notifier) now() time.Time {
	if n.Now != nil {
		return n.Now()
	}
	return time.Now()
}

func (n *Notifier) log() *slog.Logger {
	if n.Log != nil {
		return n.Log
	}
	return slog.New(slog.NewJSONHandler(os.Stdout, nil))
}

// HandleStream processes a batch of the table stream and answers with the records it could not
// process, by SequenceNumber (ReportBatchItemFailures): an undecodable image, a DynamoDB or
// publisher failure, and the later records of a subscription one of whose records failed.
// Lambda retries from the lowest of them (bisecting on a function error), at most
// MaximumRetryAttempts times, then hands the batch's metadata to the on-failure destination.
func (n *Notifier) HandleStream(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	start := time.Now()
	ctx, meter := telemetry.With(ctx)
	for i, rec := range ev.Records {
		if rec.Change.SequenceNumber == "" {
			return events.DynamoDBEventResponse{}, fmt.Errorf("notifier: record %d (%s) has no SequenceNumber", i, rec.EventID)
		}
	}
	// Records of one item in stream order, items concurrently.
	var order []string
	groups := map[string][]int{}
	for i, rec := range ev.Records {
		k := itemKey(rec)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	outcomes := make([]Outcome, len(ev.Records))
	// What a batch reads about customers and partners is read once per invocation: a burst of
	// changes is mostly of a few customers and partners.
	ctx = withCache(ctx)
	conc := n.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	sem := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for _, k := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			failed := false
			for _, i := range groups[k] {
				if failed {
					outcomes[i] = Held
					continue
				}
				outcomes[i] = n.record(ctx, ev.Records[i])
				failed = outcomes[i] == Error
			}
		}()
	}
	wg.Wait()
	var resp events.DynamoDBEventResponse
	counts := map[Outcome]int{}
	for i, o := range outcomes {
		counts[o]++
		if o == Error || o == Held {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: ev.Records[i].Change.SequenceNumber})
		}
	}
	n.log().InfoContext(ctx, "batch", "function", n.Function, "records", len(ev.Records), "notified", counts[Notified],
		"duplicates", counts[Duplicate], "skipped", counts[Skipped], "batchItemFailures", counts[Error]+counts[Held])
	if n.Metrics != nil {
		status := 200
		if len(resp.BatchItemFailures) > 0 {
			status = 207
		}
		_ = meter.WriteEMF(n.Metrics, n.Function, "DynamoDB stream", status, time.Since(start), time.Now())
	}
	return resp, nil
}

// itemKey names the item a record is about (its keys' JSON); records without keys each stand
// alone.
func itemKey(rec events.DynamoDBEventRecord) string {
	b, err := json.Marshal(rec.Change.Keys)
	if err != nil || len(rec.Change.Keys) == 0 {
		return "seq:" + rec.Change.SequenceNumber
	}
	return string(b)
}

// image turns a record's image (Lambda's JSON shape) into a subscription; ok is false when it is
// not a subscription item.
func image(img map[string]events.DynamoDBAttributeValue) (admin.Subscription, bool, error) {
	b, err := json.Marshal(img)
	if err != nil {
		return admin.Subscription{}, false, fmt.Errorf("encode image: %w", err)
	}
	var av map[string]types.AttributeValue
	if av, err = attributevalue.UnmarshalMapJSON(b); err != nil {
		return admin.Subscription{}, false, fmt.Errorf("decode image: %w", err)
	}
	return store.DecodeSubscriptionImage(av)
}

func (n *Notifier) record(ctx context.Context, rec events.DynamoDBEventRecord) Outcome {
	log := n.log().With("function", n.Function, "sequenceNumber", rec.Change.SequenceNumber, "eventName", rec.EventName)
	if rec.EventName != "INSERT" && rec.EventName != "MODIFY" {
		return Skipped
	}
	after, ok, err := image(rec.Change.NewImage)
	if err == nil && ok && rec.EventName == "MODIFY" {
		var before admin.Subscription
		var wasSub bool
		if before, wasSub, err = image(rec.Change.OldImage); err == nil && wasSub {
			return n.change(ctx, log, &before, after)
		}
	}
	if err != nil {
		// A poison record: reported, so Lambda retries it (bisected) and finally hands it to
		// the on-failure destination, where an operator sees it.
		log.ErrorContext(ctx, "undecodable stream record", "error", err.Error())
		return Error
	}
	if !ok {
		return Skipped
	}
	return n.change(ctx, log, nil, after)
}

// change tells the partners of one change.
func (n *Notifier) change(ctx context.Context, log *slog.Logger, before *admin.Subscription, after admin.Subscription) Outcome {
	log = log.With("subscriptionId", after.ID, "version", after.Version)
	if _, ok := admin.ChangeKind(before, after); !ok {
		return Skipped
	}
	var pids []string
	for _, e := range admin.EventsOf(before, after, admin.Customer{}, time.Time{}) {
		pids = append(pids, e.PartnerID)
	}
	f, err := cached(ctx, "facts "+after.CustomerID+" "+strings.Join(pids, " "), func() (facts, error) {
		c, ps, err := n.Store.NotifierFacts(ctx, after.CustomerID, pids)
		return facts{c, ps}, err
	})
	customer, partners := f.customer, f.partners
	if err != nil {
		log.ErrorContext(ctx, "cannot read the customer and partners", "error", err.Error())
		return Error
	}
	outcome := Skipped
	for _, e := range admin.EventsOf(before, after, customer, admin.ChangedAt(before, after, n.now())) {
		elog := log.With("eventId", e.ID, "kind", string(e.Kind), "partnerId", e.PartnerID)
		p, ok := partners[e.PartnerID]
		if !ok {
			elog.WarnContext(ctx, "the Partner of Record does not exist; not told")
			continue
		}
		emails, err := n.emails(ctx, p, e)
		if err != nil {
			elog.ErrorContext(ctx, "cannot read the partner's recipients", "error", err.Error())
			return Error
		}
		switch err := n.Store.Notify(ctx, e, emails, n.now()); {
		case err == nil:
			outcome = Notified
			elog.InfoContext(ctx, "notified", "emails", len(emails))
		case errors.Is(err, store.ErrAlreadyNotified):
			if outcome != Notified {
				outcome = Duplicate
			}
			elog.InfoContext(ctx, "in the inbox already")
		default:
			elog.ErrorContext(ctx, "cannot write the notification", "error", err.Error())
			return Error
		}
		if n.Publisher != nil {
			if err := n.Publisher.Publish(ctx, e); err != nil {
				elog.ErrorContext(ctx, "cannot publish the event", "error", err.Error())
				return Error
			}
		}
	}
	return outcome
}

// emails are the emails of an event to the partner's users who want them, at most
// admin.MaxRecipientsPerEmail addresses each.
func (n *Notifier) emails(ctx context.Context, p admin.Partner, e admin.SubscriptionEvent) ([]admin.Email, error) {
	r, err := cached(ctx, "recipients "+p.ID, func() (recipients, error) {
		users, settings, err := n.Store.PartnerRecipients(ctx, p.ID)
		return recipients{users, settings}, err
	})
	if err != nil {
		return nil, err
	}
	users, settings := r.users, r.settings
	to := admin.Recipients(users, settings, e.Kind)
	var out []admin.Email
	for len(to) > 0 {
		k := min(len(to), admin.MaxRecipientsPerEmail)
		out = append(out, admin.Email{ID: n.NewID("out"), OrgID: p.ID, To: to[:k], Message: admin.SubscriptionNotice{Partner: p, Event: e}})
		to = to[k:]
	}
	return out, nil
}

type facts struct {
	customer admin.Customer
	partners map[string]admin.Partner
}

type recipients struct {
	users    []admin.User
	settings []admin.NotificationSettings
}

// cache holds the reads of one invocation, each made once however many records need it
// (concurrent callers wait for the first); a failed read is not kept.
type cache struct {
	mu      sync.Mutex
	entries map[string]*entry
}

type entry struct {
	done chan struct{}
	val  any
	err  error
}

type cacheKey struct{}

func withCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, cacheKey{}, &cache{entries: map[string]*entry{}})
}

// cached returns the invocation's value of key, reading it with read the first time.
func cached[T any](ctx context.Context, key string, read func() (T, error)) (T, error) {
	c, _ := ctx.Value(cacheKey{}).(*cache)
	if c == nil {
		return read()
	}
	c.mu.Lock()
	e, ok := c.entries[key]
	if !ok {
		e = &entry{done: make(chan struct{})}
		c.entries[key] = e
	}
	c.mu.Unlock()
	if ok {
		<-e.done
		if e.err == nil {
			return e.val.(T), nil
		}
		return read() // the first read failed: try again for this record
	}
	v, err := read()
	e.val, e.err = v, err
	if err != nil {
		c.mu.Lock()
		delete(c.entries, key)
		c.mu.Unlock()
	}
	close(e.done)
	return v, err
}
