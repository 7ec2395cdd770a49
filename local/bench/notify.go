package bench

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// NotifyDelay is the stream-to-inbox delay measured locally: from the write of a subscription
// change to its notification being in the Partner of Record's inbox, and to its signed event
// arriving at the partner's webhook receiver.
type NotifyDelay struct {
	Samples             []time.Duration // in the order of the changes
	P50, P99, Max       time.Duration
	Webhook             []time.Duration // change → verified webhook request, in the order of the changes
	HookP50, HookP99    time.Duration
	HookMax             time.Duration
	MaximumBatchingWait time.Duration // the notifier's MaximumBatchingWindowInSeconds (part of every sample)
	First               time.Duration // a change before the samples, which starts the notifier (its cold start)
	Rate                float64       // changes written per second
}

// NotifyTarget is the p99 the stream → inbox delay must stay under locally, batching included.
const NotifyTarget = 3 * time.Second

func (d NotifyDelay) String() string {
	ms := func(t time.Duration) time.Duration { return t.Round(time.Millisecond) }
	return fmt.Sprintf("inbox p50 %s, p99 %s (max %s); webhook receiver p50 %s, p99 %s (max %s); %d changes at %.0f/s; includes the %s batching window; target p99 < %s; the first change, with the notifier's cold start: %s",
		ms(d.P50), ms(d.P99), ms(d.Max), ms(d.HookP50), ms(d.HookP99), ms(d.HookMax), len(d.Samples), d.Rate, d.MaximumBatchingWait, NotifyTarget, ms(d.First))
}

// NotifyWorld is a partner (a subscription advisor with one global admin, who gets every kind
// of notification by email) and one customer of it, written into the runtime's table for the
// notifier's figures and tests. Changes are written as plain item puts: each makes the stream
// record a business transaction would.
type NotifyWorld struct {
	Partner    admin.Partner
	AdminEmail string
	Customer   admin.Customer
	Store      *store.Store
}

// NewNotifyWorld writes a partner named tag, its global admin and a customer.
func NewNotifyWorld(ctx context.Context, rt *localrun.Runtime, tag string) (*NotifyWorld, error) {
	st := store.New(rt.DynamoDB, rt.TableName)
	now := time.Now().UTC()
	w := &NotifyWorld{Store: st,
		Partner: admin.Partner{ID: "ptn_" + idBody(tag+"p"), Contact: admin.Contact{Name: "Notify " + tag, Email: "contact@" + tag + ".example"},
			Cloud: admin.CloudGlobal, Authorizations: admin.Authorizations, UserCount: 1, GlobalAdmins: 1, Version: 1, CreatedAt: now, UpdatedAt: now},
		Customer: admin.Customer{ID: "cus_" + idBody(tag+"c"), Name: "Customer of " + tag, DomainPrefix: "n" + idBody(tag)[:12], Country: "DE",
			Cloud: admin.CloudGlobal, Version: 1, CreatedAt: now},
		AdminEmail: "admin@" + tag + ".example"}
	u := admin.User{ID: "usr_" + idBody(tag+"u"), OrgID: w.Partner.ID, OrgKind: admin.OrgPartner, Email: w.AdminEmail, DisplayName: "Admin",
		CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessFull, Status: admin.UserActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	act := admin.Activity{ID: "act_" + idBody(tag+"a"), OrgID: w.Partner.ID, At: now, Actor: admin.Actor{Type: "operator", ID: "bench"}, Action: "partner.onboarded"}
	if err := st.CreatePartner(ctx, w.Partner, u, admin.Login{Email: u.Email, UserID: u.ID, OrgID: w.Partner.ID, OrgKind: admin.OrgPartner, PasswordHash: "-"}, act, nil); err != nil {
		return nil, fmt.Errorf("bench: notify world: %w", err)
	}
	if err := store.WriteForTest(ctx, st, w.Customer); err != nil {
		return nil, fmt.Errorf("bench: notify world: %w", err)
	}
	return w, nil
}

// idBody makes a 26-character id body of lower-case letters and digits from s.
func idBody(s string) string {
	out := make([]byte, 0, 26)
	for i := 0; len(out) < 26; i++ {
		if i < len(s) {
			if c := s[i]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				out = append(out, c)
			}
			continue
		}
		out = append(out, '0')
	}
	return string(out)
}

// Subscription is the world's n-th subscription of the customer, its Partner of Record the
// world's partner.
func (w *NotifyWorld) Subscription(n int, status admin.SubscriptionStatus, licenses, version int) admin.Subscription {
	return admin.Subscription{ID: fmt.Sprintf("sub_%s", idBody(fmt.Sprintf("%s%08d", w.Customer.ID[4:16], n))), CustomerID: w.Customer.ID,
		ProductID: "m365-business-premium", ProductName: "Microsoft 365 Business Premium", Licenses: licenses, Status: status,
		PartnerOfRecord: w.Partner.ID, PORHistory: []admin.PORPeriod{{PartnerID: w.Partner.ID, From: w.Customer.CreatedAt}}, Version: version,
		CreatedAt: time.Now().UTC()}
}

// WaitNotified waits until every event is in the partner's inbox and returns when each was
// first seen there (polling the table every 20 ms, up to the context's end).
func (w *NotifyWorld) WaitNotified(ctx context.Context, partnerID string, eventIDs []string) ([]time.Time, error) {
	return w.waitNotified(ctx, partnerID, eventIDs, func() int { return len(eventIDs) })
}

// waitNotified is WaitNotified of events whose changes are still being written: it looks only
// for the first written() of them (so the polls do not load the table with reads of events
// not yet written).
func (w *NotifyWorld) waitNotified(ctx context.Context, partnerID string, eventIDs []string, written func() int) ([]time.Time, error) {
	inbox := store.InboxOf(w.Store)
	seen := make([]time.Time, len(eventIDs))
	for {
		upto := written()
		pending := len(eventIDs) - upto
		for lo := 0; lo < upto; {
			var idx []int
			var ids []string
			for ; lo < upto && len(ids) < 100; lo++ {
				if seen[lo].IsZero() {
					idx, ids = append(idx, lo), append(ids, eventIDs[lo])
				}
			}
			if len(ids) == 0 {
				continue
			}
			found, err := inbox.Notified(ctx, partnerID, ids)
			if err != nil {
				return seen, err
			}
			now := time.Now()
			for k, ok := range found {
				if ok {
					seen[idx[k]] = now
				} else {
					pending++
				}
			}
		}
		if pending == 0 {
			return seen, nil
		}
		select {
		case <-ctx.Done():
			return seen, fmt.Errorf("bench: %d of %d notifications not in the inbox: %w", pending, len(eventIDs), ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// MeasureNotifyDelay writes n subscription changes (new subscriptions of one customer, at about
// 25 a second, as a busy partner's customers would make them) into the runtime's table and
// times each from its write to its notification in the inbox: the local stream poller (its
// polls and the notifier's batching window, as Lambda's event source mapping), the notifier's
// invocation (reads, the inbox transaction with the emails). The runtime must run
// NotifierFunction with its stream event.
func MeasureNotifyDelay(ctx context.Context, rt *localrun.Runtime, n int) (NotifyDelay, error) {
	var d NotifyDelay
	if rt.Streams == nil {
		return d, fmt.Errorf("bench: notify delay: the runtime polls no table stream (is NotifierFunction running?)")
	}
	if f := rt.Template.Function("NotifierFunction"); f != nil && len(f.StreamEvents) > 0 {
		d.MaximumBatchingWait = f.StreamEvents[0].MaximumBatchingWindow
	}
	w, err := NewNotifyWorld(ctx, rt, fmt.Sprintf("bench%d", time.Now().UnixNano()%1e12))
	if err != nil {
		return d, err
	}
	hooks, err := NewHookReceiver(ctx)
	if err != nil {
		return d, err
	}
	defer hooks.Close()
	secret, err := w.RegisterWebhook(ctx, rt, hooks.URL)
	if err != nil {
		return d, err
	}
	hooks.SetSecret(secret)
	// One change first, which starts the notifier: the samples are of a warm function.
	first := w.Subscription(n, admin.SubscriptionActive, 10, 1)
	if err := store.WriteForTest(ctx, w.Store, first); err != nil {
		return d, fmt.Errorf("bench: notify delay: %w", err)
	}
	t0 := time.Now()
	fctx, fcancel := context.WithTimeout(ctx, time.Minute)
	_, err = w.WaitNotified(fctx, w.Partner.ID, []string{admin.EventID(first.ID, 1, w.Partner.ID)})
	fcancel()
	if err != nil {
		return d, err
	}
	d.First = time.Since(t0)
	subs, ids := make([]admin.Subscription, n), make([]string, n)
	for i := range n {
		subs[i] = w.Subscription(i, admin.SubscriptionActive, 10, 1)
		ids[i] = admin.EventID(subs[i].ID, 1, w.Partner.ID)
	}
	// The inbox is watched while the changes are written.
	wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	type result struct {
		seen []time.Time
		err  error
	}
	watched := make(chan result, 1)
	var count atomic.Int64
	go func() {
		seen, err := w.waitNotified(wctx, w.Partner.ID, ids, func() int { return int(count.Load()) })
		watched <- result{seen, err}
	}()
	written := make([]time.Time, n)
	start := time.Now()
	tick := time.NewTicker(40 * time.Millisecond)
	for i := range n {
		if err := store.WriteForTest(ctx, w.Store, subs[i]); err != nil {
			tick.Stop()
			cancel()
			return d, fmt.Errorf("bench: notify delay: %w", err)
		}
		written[i] = time.Now()
		count.Add(1)
		<-tick.C
	}
	tick.Stop()
	d.Rate = float64(n) / time.Since(start).Seconds()
	r := <-watched
	if r.err != nil {
		return d, r.err
	}
	hooked, err := hooks.Wait(wctx, ids)
	if err != nil {
		return d, err
	}
	if _, dups, bad := hooks.Received(); dups+bad > 0 {
		return d, fmt.Errorf("bench: the webhook receiver got %d repeated and %d unverifiable requests", dups, bad)
	}
	seen := r.seen
	for i := range n {
		d.Samples = append(d.Samples, seen[i].Sub(written[i]))
		d.Webhook = append(d.Webhook, hooked[ids[i]].Sub(written[i]))
	}
	sorted := slices.Sorted(slices.Values(d.Samples))
	d.P50, d.P99, d.Max = percentile(sorted, 0.5), percentile(sorted, 0.99), sorted[len(sorted)-1]
	sorted = slices.Sorted(slices.Values(d.Webhook))
	d.HookP50, d.HookP99, d.HookMax = percentile(sorted, 0.5), percentile(sorted, 0.99), sorted[len(sorted)-1]
	return d, nil
}
