package localrun_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/bench"
	"github.com/partner-admin-center/pac/local/inbox"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// TestSubscriptionChangesReachThePartner runs the real notifier and mailer (built with their
// Makefile targets, behind the Runtime API) on the stream of a table created from template.yaml:
// each of the eight kinds of change reaches the Partner of Record's inbox (both partners for a
// change of Partner of Record) and the global admins' mailboxes in the SES emulator, through
// the local stream poller with the template's filter and batching, and each partner's webhook
// receiver on 127.0.0.1, signed (the receiver verifies every request), once, in order per
// subscription.
func TestSubscriptionChangesReachThePartner(t *testing.T) {
	dataDir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rt := startFunctions(ctx, t, dataDir, "notify-", "NotifierFunction", "MailerFunction", "SweepOutboxFunction")
	tag := fmt.Sprintf("n%d", time.Now().UnixNano()%1e9)
	w, err := bench.NewNotifyWorld(ctx, rt, tag+"a")
	if err != nil {
		t.Fatal(err)
	}
	w2, err := bench.NewNotifyWorld(ctx, rt, tag+"b")
	if err != nil {
		t.Fatal(err)
	}
	// Each partner's webhook endpoint: a receiver on 127.0.0.1 that verifies every signature.
	hooks := map[string]*bench.HookReceiver{}
	for _, x := range []*bench.NotifyWorld{w, w2} {
		h, err := bench.NewHookReceiver(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = h.Close() })
		secret, err := x.RegisterWebhook(ctx, rt, h.URL)
		if err != nil {
			t.Fatal(err)
		}
		h.SetSecret(secret)
		hooks[x.Partner.ID] = h
	}
	since := time.Now()
	type change struct {
		kind          admin.EventKind
		before, after admin.Subscription
	}
	sub := func(n int, st admin.SubscriptionStatus, licenses, version int) admin.Subscription {
		return w.Subscription(n, st, licenses, version)
	}
	moved := sub(8, admin.SubscriptionActive, 10, 2)
	moved.PartnerOfRecord = w2.Partner.ID
	changes := []change{
		{admin.EventLicensesChanged, sub(2, admin.SubscriptionActive, 10, 1), sub(2, admin.SubscriptionActive, 15, 2)},
		{admin.EventSuspended, sub(3, admin.SubscriptionActive, 10, 1), sub(3, admin.SubscriptionSuspended, 10, 2)},
		{admin.EventReactivated, sub(4, admin.SubscriptionSuspended, 10, 1), sub(4, admin.SubscriptionActive, 10, 2)},
		{admin.EventCancelled, sub(5, admin.SubscriptionActive, 10, 1), sub(5, admin.SubscriptionCancelled, 10, 2)},
		{admin.EventTrialConverted, sub(6, admin.SubscriptionTrial, 25, 1), sub(6, admin.SubscriptionActive, 25, 2)},
		{admin.EventTrialExpired, sub(7, admin.SubscriptionTrial, 25, 1), sub(7, admin.SubscriptionExpired, 25, 2)},
		{admin.EventPartnerOfRecordChanged, sub(8, admin.SubscriptionActive, 10, 1), moved},
	}
	created := sub(1, admin.SubscriptionActive, 10, 1)
	ids := []string{admin.EventID(created.ID, 1, w.Partner.ID)}
	if err := store.WriteForTest(ctx, w.Store, created); err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		// Created, then changed: two stream records of one item, in order.
		if err := store.WriteForTest(ctx, w.Store, c.before, c.after); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, admin.EventID(c.after.ID, 2, w.Partner.ID))
	}
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if _, err := w.WaitNotified(wctx, w.Partner.ID, ids); err != nil {
		t.Fatal(err)
	}
	if _, err := w.WaitNotified(wctx, w2.Partner.ID, []string{admin.EventID(moved.ID, 2, w2.Partner.ID)}); err != nil {
		t.Fatal(err)
	}
	// Every event reached its partner's webhook, signed, once, in order per subscription.
	hookedA, err := hooks[w.Partner.ID].Wait(wctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hooks[w2.Partner.ID].Wait(wctx, []string{admin.EventID(moved.ID, 2, w2.Partner.ID)}); err != nil {
		t.Fatal(err)
	}
	got, dups, bad := hooks[w.Partner.ID].Received()
	hookKinds := map[string]int{}
	for _, a := range got {
		hookKinds[a.Event.Type]++
		if a.Event.PartnerID != w.Partner.ID || a.Event.Data == nil || a.Event.Data.Customer.CustomerID != w.Customer.ID {
			t.Errorf("webhook event %+v", a.Event)
		}
	}
	if len(got) != 15 || dups != 0 || bad != 0 || len(hookKinds) != 8 || hookKinds[string(admin.EventSubscriptionCreated)] != 8 {
		t.Errorf("partner A's webhook: %d events (%v), %d repeated, %d unverifiable", len(got), hookKinds, dups, bad)
	}
	for i := 1; i < len(ids); i++ { // each changed subscription: created before changed
		if created := admin.EventID(changes[i-1].after.ID, 1, w.Partner.ID); hookedA[ids[i]].Before(hookedA[created]) {
			t.Errorf("the change of %s reached the webhook before its creation", changes[i-1].after.ID)
		}
	}
	if got, _, bad := hooks[w2.Partner.ID].Received(); len(got) != 1 || bad != 0 || got[0].Event.Type != string(admin.EventPartnerOfRecordChanged) {
		t.Errorf("partner B's webhook: %+v (%d unverifiable)", got, bad)
	}
	p, unread, err := store.InboxOf(w.Store).Notifications(ctx, w.Partner.ID, admin.NotificationQuery{PageRequest: admin.PageRequest{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[admin.EventKind]int{}
	for _, n := range p.Items {
		kinds[n.Event.Kind]++
	}
	// Seven changed subscriptions were created first: eight creations, one of each other kind.
	if len(p.Items) != 15 || unread != 15 || kinds[admin.EventSubscriptionCreated] != 8 || len(kinds) != 8 {
		t.Fatalf("partner A's inbox: %d notifications (%d unread): %v", len(p.Items), unread, kinds)
	}
	subjects := []string{"new subscription to", "licenses changed from 10 to 15", "suspended", "reactivated", "cancelled",
		"trial converted to a paid subscription", "trial expired", "you are no longer the Partner of Record"}
	emails, err := inbox.Wait(wctx, rt.InboxURL, since.Add(-time.Second), func(es []inbox.Email) bool {
		return len(inbox.To(es, w.AdminEmail)) >= 15 && len(inbox.To(es, w2.AdminEmail)) >= 1
	})
	if err != nil {
		t.Fatalf("emails: %v", err)
	}
	var all []string
	for _, e := range inbox.To(emails, w.AdminEmail) {
		all = append(all, e.Subject)
	}
	for _, s := range subjects {
		if !strings.Contains(strings.Join(all, "\n"), s) {
			t.Errorf("no email says %q; subjects:\n%s", s, strings.Join(all, "\n"))
		}
	}
	if got := inbox.To(emails, w2.AdminEmail); len(got) != 1 || !strings.Contains(got[0].Subject, "you are now the Partner of Record") {
		t.Errorf("the new Partner of Record's emails: %+v", got)
	}
	if len(all) != 15 {
		t.Errorf("partner A's admin got %d emails, want 15", len(all))
	}

	// The figure's path, with a few changes: the bound only catches a stall.
	d, err := bench.MeasureNotifyDelay(ctx, rt, 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stream → inbox: %s", d)
	if d.Max > 25*time.Second {
		t.Errorf("stream → inbox took %s", d.Max)
	}
	if st := rt.Streams.Stats("NotifierFunction"); st.Discarded != 0 {
		t.Errorf("stream stats %+v", st)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "dead-letters")); !os.IsNotExist(err) {
		t.Errorf("dead letters written: %v", err)
	}
}
