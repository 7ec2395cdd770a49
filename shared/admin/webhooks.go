package admin

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Webhooks: a partner registers HTTPS endpoints that receive its subscription events, signed
// with a secret shown once at registration. Every event is a delivery per active endpoint,
// recorded once (by webhook and event id) and sent until the receiver answers 2xx, with
// exponential backoff for WebhookRetryWindow; every attempt is in the endpoint's delivery log.
// Within one subscription the events reach an endpoint in the order of the changes: a delivery
// is sent only while it is the head of its queue (the endpoint's undelivered events of that
// subscription, by the subscription's version), and a delivered or abandoned head hands on to
// the next at once. An endpoint that has failed for WebhookDisableAfter is disabled and the
// partner's global admins are emailed. Registering, listing, deleting, testing and reading the
// log need ActManageWebhooks (global admins: an endpoint receives data about every customer
// of the partner).

// Tunables of webhook delivery.
const (
	MaxWebhooks         = 10               // endpoints per partner
	WebhookRetryWindow  = 24 * time.Hour   // a delivery is retried this long after it was recorded
	WebhookDisableAfter = 24 * time.Hour   // an endpoint failing this long is disabled
	WebhookLease        = time.Minute      // a claim holds a delivery this long (a send takes at most ~10 s)
	WebhookBackoffBase  = 30 * time.Second // the wait after the first failure, doubling
	WebhookBackoffCap   = time.Hour        // the longest wait between attempts
	WebhookRetention    = 30 * 24 * time.Hour
	webhookDueBatch     = 100
	webhookConcurrency  = 4
	webhookSendBudget   = 15 * time.Second // what a claim needs left of the invocation: one send and its writes
)

// WebhookStatus is an endpoint's state.
type WebhookStatus string

const (
	WebhookActive   WebhookStatus = "active"
	WebhookDisabled WebhookStatus = "disabled" // after WebhookDisableAfter of failures; register it again to resume
)

// Webhook is an endpoint a partner registered.
type Webhook struct {
	ID          string
	PartnerID   string
	URL         string
	Description string
	Status      WebhookStatus
	// Secret signs the requests. It is in memory only (sealed at rest) and shown once, in the
	// answer to the registration; reads that do not send leave it empty.
	Secret       string
	FailingSince time.Time // start of the current run of failed attempts; zero while healthy
	DisabledAt   time.Time
	CreatedBy    string
	CreatedAt    time.Time
}

// DeliveryStatus is the state of one event's delivery to one endpoint.
type DeliveryStatus string

const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed" // retry window over, or the endpoint deleted or disabled
)

// WebhookDelivery is one event on its way to one endpoint.
type WebhookDelivery struct {
	PartnerID      string
	WebhookID      string
	EventID        string
	Kind           EventKind
	SubscriptionID string
	Sequence       int    // the subscription's version after the change: the order within the subscription
	Body           []byte // the signed JSON event: the same bytes on every attempt
	Status         DeliveryStatus
	Attempts       int
	CreatedAt      time.Time
	NextAttemptAt  time.Time
	LeaseUntil     time.Time
	LeaseToken     string
	LastStatusCode int
	LastError      string
	FinishedAt     time.Time
}

// AttemptOutcome is what an attempt led to.
type AttemptOutcome string

const (
	AttemptDelivered AttemptOutcome = "delivered"
	AttemptRetrying  AttemptOutcome = "retrying" // failed; another attempt is scheduled
	AttemptFailed    AttemptOutcome = "failed"   // failed; no attempt follows
)

// TestEventKind is the kind of the event POST /webhooks/{webhookId}/test sends.
const TestEventKind = "webhook.test"

// WebhookAttempt is one entry of an endpoint's delivery log: one request sent.
type WebhookAttempt struct {
	ID         string
	WebhookID  string
	EventID    string
	Kind       string // an EventKind, or TestEventKind
	Attempt    int    // 1 for the first attempt of a delivery (and for a test)
	At         time.Time
	Duration   time.Duration
	StatusCode int    // 0 when no response came
	Error      string // why it failed (no response, or a non-2xx answer); empty when delivered
	Outcome    AttemptOutcome
}

// SendResult is what one request to an endpoint came to.
type SendResult struct {
	StatusCode int
	Err        string // transport failure or refusal (a private address); empty when a response came
	Duration   time.Duration
}

// OK reports whether the receiver accepted the event (any 2xx).
func (r SendResult) OK() bool { return r.Err == "" && r.StatusCode >= 200 && r.StatusCode < 300 }

func (r SendResult) problem() string {
	if r.Err != "" {
		return r.Err
	}
	if !r.OK() {
		return fmt.Sprintf("the endpoint answered HTTP %d", r.StatusCode)
	}
	return ""
}

// WebhookSender is the HTTP side of webhooks (shared/webhook): the URL policy, the event's wire
// shape, the signature, and the request itself.
type WebhookSender interface {
	// CheckURL returns the URL to store, or a validation error on field "url" (not https, not
	// resolving, or resolving to a non-public address).
	CheckURL(ctx context.Context, raw string) (string, error)
	// NewSecret returns a fresh random signing secret.
	NewSecret() (string, error)
	// Encode returns the JSON body of an event; TestEvent the body of a test event.
	Encode(e SubscriptionEvent) ([]byte, error)
	TestEvent(id, partnerID string, at time.Time) ([]byte, error)
	// Send posts body to url, signed with secret; it never follows a redirect and never
	// connects to a non-public address.
	Send(ctx context.Context, url, secret, eventID string, body []byte) SendResult
}

// ErrDeliveryBusy: a delivery is not in the state a claim or a deferral expects (taken by a
// concurrent worker, finished, not due, or changed since it was read).
var ErrDeliveryBusy = errors.New("webhook delivery is busy or changed")

// WebhookStore is what webhooks need from storage.
type WebhookStore interface {
	// Webhooks lists the partner's endpoints (at most MaxWebhooks), without secrets.
	Webhooks(ctx context.Context, partnerID string) ([]Webhook, error)
	// Webhook reads one endpoint with its secret opened (CodeNotFound).
	Webhook(ctx context.Context, partnerID, webhookID string) (Webhook, error)
	// CreateWebhook writes the endpoint (its secret sealed), the partner's endpoint count
	// (CodeWebhookLimit beyond MaxWebhooks), the activity entry and the idempotency record in one
	// transaction (*IdempotencyConflict).
	CreateWebhook(ctx context.Context, w Webhook, a Activity, idem *Idempotency) error
	// DeleteWebhook removes the endpoint and lowers the count, with the activity entry (CodeNotFound).
	DeleteWebhook(ctx context.Context, w Webhook, a Activity) error
	// SetWebhookFailing records the start of a run of failures, or clears it (zero since). A
	// deleted endpoint is not recreated (CodeNotFound).
	SetWebhookFailing(ctx context.Context, w Webhook, since time.Time) error
	// DisableWebhook disables an active endpoint with its activity entry and emails, in one
	// transaction (ErrDeliveryBusy when it is no longer active).
	DisableWebhook(ctx context.Context, w Webhook, a Activity, emails []Email) error

	// AddDelivery records a pending delivery and its place in the queue of its subscription;
	// added is false when the delivery of that event to that endpoint exists already.
	AddDelivery(ctx context.Context, d WebhookDelivery) (added bool, err error)
	// Delivery reads one delivery (strongly consistent).
	Delivery(ctx context.Context, partnerID, webhookID, eventID string) (WebhookDelivery, bool, error)
	// QueueHead returns the event id of the endpoint's earliest undelivered event of a
	// subscription (strongly consistent).
	QueueHead(ctx context.Context, partnerID, webhookID, subscriptionID string) (string, bool, error)
	// ClaimDelivery takes a pending delivery due by due and not held by a live lease: it holds
	// it until now+lease with a fresh token and one more attempt (ErrDeliveryBusy otherwise).
	ClaimDelivery(ctx context.Context, d WebhookDelivery, due, now time.Time, lease time.Duration) (WebhookDelivery, error)
	// FinishAttempt writes the claimed delivery's new state (guarded by its lease token), the
	// log entry (when one was sent) and, once it is delivered or failed, takes it out of its
	// queue, in one transaction.
	FinishAttempt(ctx context.Context, d WebhookDelivery, log *WebhookAttempt) error
	// DeferDelivery moves a pending, unclaimed delivery's next attempt to until, if it is still
	// as read (ErrDeliveryBusy).
	DeferDelivery(ctx context.Context, d WebhookDelivery, until time.Time) error
	// DueDeliveries lists up to limit pending deliveries due at now, oldest first (an index:
	// eventually consistent; the claim decides).
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]WebhookDelivery, error)
	// LogAttempt writes a log entry of its own (a test send).
	LogAttempt(ctx context.Context, partnerID string, a WebhookAttempt) error
	// Attempts pages an endpoint's delivery log, newest first; the first page is CodeNotFound
	// when the endpoint does not exist (CodeInvalidCursor).
	Attempts(ctx context.Context, partnerID, webhookID string, page PageRequest) (Page[WebhookAttempt], error)

	// Partner and Users name the partner and its global admins in the disabling email.
	Partner(ctx context.Context, partnerID string) (Partner, error)
	Users(ctx context.Context, partnerID string, page PageRequest) (Page[User], error)
}

// WebhookService registers endpoints, publishes subscription events to them and delivers them.
// It implements EventPublisher.
type WebhookService struct {
	Env
	Store  WebhookStore
	Sender WebhookSender
}

var _ EventPublisher = (*WebhookService)(nil)

// NewWebhook is the input of Create.
type NewWebhook struct {
	URL         string
	Description string
}

// List returns the partner's endpoints. Errors: CodeForbidden.
func (s *WebhookService) List(ctx context.Context, sess Session) ([]Webhook, error) {
	if err := sess.Require(ActManageWebhooks); err != nil {
		return nil, err
	}
	return s.Store.Webhooks(ctx, sess.Partner.ID)
}

// Create registers an endpoint; the answer carries its signing secret, this once (a replay of
// the same Idempotency-Key answers the endpoint without it). Errors: CodeForbidden,
// CodeValidation (url: required, too_long, format, scheme, resolve, not_public),
// CodeWebhookLimit, CodeIdempotencyKeyReused.
func (s *WebhookService) Create(ctx context.Context, sess Session, in NewWebhook, idem *Idempotency) (w Webhook, replayed bool, err error) {
	if err := sess.Require(ActManageWebhooks); err != nil {
		return Webhook{}, false, err
	}
	var p Problems
	in.Description = text(&p, "description", in.Description, 0, 200)
	if len(in.URL) > 2048 {
		p.Add("url", "too_long", "must be at most 2048 characters")
	} else if in.URL == "" {
		p.Add("url", "required", "is required")
	}
	if err := p.Err(); err != nil {
		return Webhook{}, false, err
	}
	url, err := s.Sender.CheckURL(ctx, in.URL)
	if err != nil {
		return Webhook{}, false, err
	}
	secret, err := s.Sender.NewSecret()
	if err != nil {
		return Webhook{}, false, err
	}
	now := s.Now()
	w = Webhook{ID: s.NewID("whk"), PartnerID: sess.Partner.ID, URL: url, Description: in.Description, Status: WebhookActive,
		Secret: secret, CreatedBy: sess.Principal.User.ID, CreatedAt: now}
	act := s.activity(sess.Principal, sess.Partner.ID, "webhook.created", Target{"webhook", w.ID}, nil, map[string]any{"url": w.URL})
	if idem != nil {
		idem.ResourceID = w.ID
	}
	err = s.Store.CreateWebhook(ctx, w, act, idem)
	if replay, ok := asReplay(err, idem); ok {
		w, err := s.Store.Webhook(ctx, sess.Partner.ID, replay.ResourceID)
		w.Secret = ""
		return w, true, err
	}
	if err != nil {
		return Webhook{}, false, err
	}
	return w, false, nil
}

// get reads one of the caller's endpoints (an unknown or foreign id: CodeNotFound).
func (s *WebhookService) get(ctx context.Context, sess Session, id string) (Webhook, error) {
	if err := sess.Require(ActManageWebhooks); err != nil {
		return Webhook{}, err
	}
	if !ValidID("whk", id) {
		return Webhook{}, NotFound("webhook")
	}
	return s.Store.Webhook(ctx, sess.Partner.ID, id)
}

// Delete removes an endpoint; its undelivered events are abandoned. Errors: CodeForbidden, CodeNotFound.
func (s *WebhookService) Delete(ctx context.Context, sess Session, id string) error {
	w, err := s.get(ctx, sess, id)
	if err != nil {
		return err
	}
	act := s.activity(sess.Principal, sess.Partner.ID, "webhook.deleted", Target{"webhook", w.ID}, map[string]any{"url": w.URL}, nil)
	return s.Store.DeleteWebhook(ctx, w, act)
}

// Test sends a test event to an endpoint now and answers with the attempt, which is also in the
// delivery log. Errors: CodeForbidden, CodeNotFound.
func (s *WebhookService) Test(ctx context.Context, sess Session, id string) (WebhookAttempt, error) {
	w, err := s.get(ctx, sess, id)
	if err != nil {
		return WebhookAttempt{}, err
	}
	now := s.Now()
	evt := s.NewID("evt")
	body, err := s.Sender.TestEvent(evt, w.PartnerID, now)
	if err != nil {
		return WebhookAttempt{}, err
	}
	res := s.Sender.Send(ctx, w.URL, w.Secret, evt, body)
	a := WebhookAttempt{ID: s.NewID("wha"), WebhookID: w.ID, EventID: evt, Kind: TestEventKind, Attempt: 1, At: now, Duration: res.Duration,
		StatusCode: res.StatusCode, Error: res.problem(), Outcome: AttemptDelivered}
	if !res.OK() {
		a.Outcome = AttemptFailed
	}
	if err := s.Store.LogAttempt(ctx, w.PartnerID, a); err != nil {
		return WebhookAttempt{}, err
	}
	return a, nil
}

// Deliveries pages an endpoint's delivery log, newest first. Errors: CodeForbidden,
// CodeNotFound, CodeInvalidCursor.
func (s *WebhookService) Deliveries(ctx context.Context, sess Session, id string, page PageRequest) (Page[WebhookAttempt], error) {
	if err := sess.Require(ActManageWebhooks); err != nil {
		return Page[WebhookAttempt]{}, err
	}
	if !ValidID("whk", id) {
		return Page[WebhookAttempt]{}, NotFound("webhook")
	}
	return s.Store.Attempts(ctx, sess.Partner.ID, id, page)
}

// Publish records the event's delivery to each of the partner's active endpoints — once: a
// repeated Publish of the same event adds nothing — and attempts the deliveries that are the
// heads of their queues now. A failed attempt is not an error (the delivery is retried by
// DeliverDue); an error means the event may not be recorded everywhere: publish it again.
func (s *WebhookService) Publish(ctx context.Context, e SubscriptionEvent) error {
	hooks, err := s.Store.Webhooks(ctx, e.PartnerID)
	if err != nil {
		return err
	}
	var active []Webhook
	for _, w := range hooks {
		if w.Status == WebhookActive {
			active = append(active, w)
		}
	}
	if len(active) == 0 {
		return nil
	}
	body, err := s.Sender.Encode(e)
	if err != nil {
		return fmt.Errorf("webhooks: encode event %s: %w", e.ID, err)
	}
	now := s.Now()
	for _, w := range active {
		d := WebhookDelivery{PartnerID: e.PartnerID, WebhookID: w.ID, EventID: e.ID, Kind: e.Kind, SubscriptionID: e.Subscription.ID,
			Sequence: e.Subscription.Version, Body: body, Status: DeliveryPending, CreatedAt: now, NextAttemptAt: now}
		if _, err := s.Store.AddDelivery(ctx, d); err != nil {
			return err
		}
	}
	errs := make([]error, len(active))
	var wg sync.WaitGroup
	for i, w := range active {
		wg.Go(func() { _, errs[i] = s.drain(ctx, queue{e.PartnerID, w.ID, e.Subscription.ID}) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// queue names the deliveries of one subscription's events to one endpoint.
type queue struct{ partnerID, webhookID, subscriptionID string }

// DeliveryRun counts what one DeliverDue did.
type DeliveryRun struct {
	Listed    int // due deliveries found
	Attempted int // requests sent
	Delivered int
	Failed    int // deliveries given up (window over, endpoint gone or disabled)
	Deferred  int // due deliveries waiting behind an earlier event of their subscription
}

// DeliverDue sends the deliveries that are due (the schedule's worker): each queue with a due
// delivery is drained from its head, in order, four queues at a time; a due delivery still
// waiting behind its head afterwards is deferred to the head's next attempt, so it is not
// listed again before then.
func (s *WebhookService) DeliverDue(ctx context.Context) (DeliveryRun, error) {
	due, err := s.Store.DueDeliveries(ctx, s.Now(), webhookDueBatch)
	if err != nil {
		return DeliveryRun{}, err
	}
	run := DeliveryRun{Listed: len(due)}
	var order []queue
	byQueue := map[queue][]WebhookDelivery{}
	for _, d := range due {
		q := queue{d.PartnerID, d.WebhookID, d.SubscriptionID}
		if _, seen := byQueue[q]; !seen {
			order = append(order, q)
		}
		byQueue[q] = append(byQueue[q], d)
	}
	var mu sync.Mutex
	var errs []error
	sem := make(chan struct{}, webhookConcurrency)
	var wg sync.WaitGroup
	for _, q := range order {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			st, err := s.drain(ctx, q)
			deferred := 0
			if err == nil && st.waitingHead != "" {
				for _, d := range byQueue[q] {
					if d.EventID == st.waitingHead {
						continue
					}
					switch derr := s.Store.DeferDelivery(ctx, d, st.waitUntil); {
					case derr == nil:
						deferred++
					case !errors.Is(derr, ErrDeliveryBusy):
						err = derr
					}
				}
			}
			mu.Lock()
			defer mu.Unlock()
			run.Attempted += st.attempted
			run.Delivered += st.delivered
			run.Failed += st.failed
			run.Deferred += deferred
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return run, errors.Join(errs...)
}

// drained is what one drain did, and where it stopped: at a head that is not due or is held
// (waitingHead, until waitUntil), or at an empty queue.
type drained struct {
	attempted, delivered, failed int
	waitingHead                  string
	waitUntil                    time.Time
}

// drain sends a queue's deliveries from its head while they succeed or are given up: the first
// only when due, the following at once (their receiver has just taken the one before).
func (s *WebhookService) drain(ctx context.Context, q queue) (drained, error) {
	var st drained
	chained := false
	for ctx.Err() == nil {
		head, ok, err := s.Store.QueueHead(ctx, q.partnerID, q.webhookID, q.subscriptionID)
		if err != nil || !ok {
			return st, err
		}
		d, ok, err := s.Store.Delivery(ctx, q.partnerID, q.webhookID, head)
		if err != nil || !ok {
			return st, err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < webhookSendBudget {
			return st, nil // no time left for a send: the next round takes it
		}
		now := s.Now()
		due := now
		if chained {
			due = now.Add(WebhookRetryWindow)
		}
		if d.Status != DeliveryPending || d.NextAttemptAt.After(due) || d.LeaseUntil.After(now) {
			st.waitingHead, st.waitUntil = d.EventID, laterOf(d.NextAttemptAt, d.LeaseUntil)
			return st, nil
		}
		claimed, err := s.Store.ClaimDelivery(ctx, d, due, now, WebhookLease)
		if errors.Is(err, ErrDeliveryBusy) {
			st.waitingHead, st.waitUntil = d.EventID, now.Add(WebhookLease)
			return st, nil
		}
		if err != nil {
			return st, err
		}
		after, outcome, sent, err := s.attempt(ctx, claimed)
		if sent {
			st.attempted++
		}
		if err != nil {
			return st, err
		}
		switch outcome {
		case AttemptDelivered:
			st.delivered++
		case AttemptFailed:
			st.failed++
		default:
			st.waitingHead, st.waitUntil = d.EventID, after.NextAttemptAt
			return st, nil
		}
		chained = true
	}
	return st, ctx.Err()
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// attempt sends a claimed delivery and records the outcome, returning the delivery as written;
// sent is false when no request was made (the endpoint was deleted or disabled: the delivery is
// given up).
func (s *WebhookService) attempt(ctx context.Context, d WebhookDelivery) (WebhookDelivery, AttemptOutcome, bool, error) {
	w, err := s.Store.Webhook(ctx, d.PartnerID, d.WebhookID)
	gone := ErrorCode(err) == CodeNotFound
	if err != nil && !gone {
		return d, "", false, err
	}
	if gone || w.Status != WebhookActive {
		d.Status, d.FinishedAt, d.LastError = DeliveryFailed, s.Now(), "the endpoint was deleted"
		if !gone {
			d.LastError = "the endpoint is disabled"
		}
		return d, AttemptFailed, false, s.Store.FinishAttempt(ctx, d, nil)
	}
	res := s.Sender.Send(ctx, w.URL, w.Secret, d.EventID, d.Body)
	now := s.Now()
	log := WebhookAttempt{ID: s.NewID("wha"), WebhookID: d.WebhookID, EventID: d.EventID, Kind: string(d.Kind), Attempt: d.Attempts,
		At: now, Duration: res.Duration, StatusCode: res.StatusCode, Error: res.problem()}
	d.LastStatusCode, d.LastError = res.StatusCode, res.problem()
	deadline := d.CreatedAt.Add(WebhookRetryWindow)
	switch {
	case res.OK():
		log.Outcome, d.Status, d.FinishedAt = AttemptDelivered, DeliveryDelivered, now
	case !now.Before(deadline):
		log.Outcome, d.Status, d.FinishedAt = AttemptFailed, DeliveryFailed, now
	default:
		log.Outcome = AttemptRetrying
		d.NextAttemptAt = now.Add(WebhookBackoff(d.Attempts))
		if d.NextAttemptAt.After(deadline) {
			d.NextAttemptAt = deadline // one last attempt when the window closes
		}
	}
	if err := s.Store.FinishAttempt(ctx, d, &log); err != nil {
		return d, "", true, err
	}
	return d, log.Outcome, true, s.health(ctx, w, res.OK(), now)
}

// WebhookBackoff is the wait after the n-th failed attempt of a delivery: 30 s, doubling, at
// most an hour (about 30 attempts in the 24-hour window).
func WebhookBackoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 8 {
		return WebhookBackoffCap
	}
	return min(WebhookBackoffBase<<(n-1), WebhookBackoffCap)
}

// health tracks an endpoint's run of failures and disables it after WebhookDisableAfter.
func (s *WebhookService) health(ctx context.Context, w Webhook, ok bool, now time.Time) error {
	var err error
	switch {
	case ok && !w.FailingSince.IsZero():
		err = s.Store.SetWebhookFailing(ctx, w, time.Time{})
	case !ok && w.FailingSince.IsZero():
		err = s.Store.SetWebhookFailing(ctx, w, now)
	case !ok && now.Sub(w.FailingSince) >= WebhookDisableAfter:
		err = s.disable(ctx, w, now)
	}
	if ErrorCode(err) == CodeNotFound || errors.Is(err, ErrDeliveryBusy) {
		return nil // deleted or disabled meanwhile
	}
	return err
}

func (s *WebhookService) disable(ctx context.Context, w Webhook, now time.Time) error {
	p, err := s.Store.Partner(ctx, w.PartnerID)
	if err != nil {
		return err
	}
	var to []string
	page := PageRequest{Limit: MaxPageSize}
	for {
		users, err := s.Store.Users(ctx, w.PartnerID, page)
		if err != nil {
			return err
		}
		for _, u := range users.Items {
			if u.CompanyRole == RoleGlobalAdmin && u.Status == UserActive {
				to = append(to, u.Email)
			}
		}
		if users.NextCursor == "" {
			break
		}
		page.Cursor = users.NextCursor
	}
	before := w
	w.Status, w.DisabledAt = WebhookDisabled, now
	var emails []Email
	if len(to) > 0 {
		emails = []Email{{ID: s.NewID("out"), OrgID: w.PartnerID, To: to,
			Message: WebhookDisabledNotice{Partner: p, Webhook: w, FailingSince: before.FailingSince}}}
	}
	act := Activity{ID: s.NewID("act"), OrgID: w.PartnerID, At: now, Actor: webhookActor, Action: "webhook.disabled",
		Target: Target{"webhook", w.ID}, Before: map[string]any{"status": string(before.Status)},
		After: map[string]any{"status": string(w.Status), "failingSince": before.FailingSince.UTC().Format(time.RFC3339)}}
	return s.Store.DisableWebhook(ctx, w, act, emails)
}

// webhookActor is the activity log's actor of what webhook delivery does by itself.
var webhookActor = Actor{Type: "system", ID: "webhook-delivery"}
