package admin

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// fakeSubscriptionStore serves a partner's customers (fakeCustomerStore) and their subscriptions
// from maps, and records the writes.
type fakeSubscriptionStore struct {
	*fakeCustomerStore
	subs    map[string]Subscription // key: customerID + "/" + subscriptionID
	writes  []subscriptionWrite
	subRead int
	fail    []error // the next writes' failures, in order (each taken once)
}

type subscriptionWrite struct {
	sub  Subscription
	prev int
	rel  Relationship
	acts []Activity
}

var _ SubscriptionStore = (*fakeSubscriptionStore)(nil)

func (f *fakeSubscriptionStore) Subscriptions(_ context.Context, customerID string, _ PageRequest) (Page[Subscription], error) {
	var p Page[Subscription]
	for _, s := range f.subs {
		if s.CustomerID == customerID {
			p.Items = append(p.Items, s)
		}
	}
	return p, nil
}

func (f *fakeSubscriptionStore) CustomerSubscription(ctx context.Context, partnerID, customerID, subscriptionID string) (Customer, Relationship, *Subscription, error) {
	f.subRead++
	c, r, err := f.CustomerOfPartner(ctx, partnerID, customerID)
	if err != nil {
		return Customer{}, Relationship{}, nil, err
	}
	s, ok := f.subs[customerID+"/"+subscriptionID]
	if !ok {
		return c, r, nil, nil
	}
	return c, r, &s, nil
}

func (f *fakeSubscriptionStore) UpdateSubscription(_ context.Context, sub Subscription, prev int, rel Relationship, acts []Activity) error {
	if len(f.fail) > 0 {
		err := f.fail[0]
		f.fail = f.fail[1:]
		return err
	}
	f.writes = append(f.writes, subscriptionWrite{sub, prev, rel, acts})
	f.subs[sub.CustomerID+"/"+sub.ID] = sub
	return nil
}

const (
	tPartner  = "ptn_000000000000000000000000p1"
	tCustomer = "cus_000000000000000000000000c1"
	tOther    = "cus_000000000000000000000000c2" // another customer of the same partner
	tTrial    = "sub_000000000000000000000000s1"
	tActive   = "sub_000000000000000000000000s2"
	tOtherSub = "sub_000000000000000000000000s3"
)

// subscriptionWorld is a partner with a customer under full delegated administration holding a
// trial (m365-business-basic: 1..300 licenses, trial cap 25) and an active subscription bought
// an hour ago, and another customer with a subscription.
func subscriptionWorld() (*SubscriptionService, *fakeSubscriptionStore) {
	da := &DelegatedAdmin{Scope: AccessFull, StartsAt: testNow.Add(-time.Hour), EndsAt: testNow.Add(365 * 24 * time.Hour), Status: "active"}
	cs := &fakeCustomerStore{
		customers: map[string]Customer{tCustomer: {ID: tCustomer, Cloud: CloudGlobal}, tOther: {ID: tOther, Cloud: CloudGlobal}},
		rels: map[string]Relationship{tCustomer + "/" + tPartner: {CustomerID: tCustomer, PartnerID: tPartner, DelegatedAdmin: da, Version: 4},
			tOther + "/" + tPartner: {CustomerID: tOther, PartnerID: tPartner, DelegatedAdmin: da, Version: 1}},
	}
	st := &fakeSubscriptionStore{fakeCustomerStore: cs, subs: map[string]Subscription{
		tCustomer + "/" + tTrial: {ID: tTrial, CustomerID: tCustomer, ProductID: "m365-business-basic", Licenses: 25, Status: SubscriptionTrial,
			TrialEndsAt: testNow.Add(29 * 24 * time.Hour), Version: 1, CreatedAt: testNow.Add(-24 * time.Hour)},
		tCustomer + "/" + tActive: {ID: tActive, CustomerID: tCustomer, ProductID: "m365-business-basic", Licenses: 10, Status: SubscriptionActive,
			Version: 3, CreatedAt: testNow.Add(-time.Hour)},
		tOther + "/" + tOtherSub: {ID: tOtherSub, CustomerID: tOther, ProductID: "m365-business-basic", Licenses: 10, Status: SubscriptionActive,
			Version: 1, CreatedAt: testNow.Add(-time.Hour)},
	}}
	customers := &CustomerService{Env: testEnv(), Store: cs}
	return &SubscriptionService{Customers: customers, Store: st}, st
}

func subSession(access CustomerAccess) Session {
	return Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: "usr_1", OrgID: tPartner, Email: "u@p.example", CompanyRole: RoleNone, CustomerAccess: access}},
		Partner: Partner{ID: tPartner, Cloud: CloudGlobal, Authorizations: []Authorization{AuthDelegatedAdmin}}}
}

func licenses(n, v int) SubscriptionChange { return SubscriptionChange{Licenses: &n, Version: v} }
func status(s SubscriptionStatus, v int) SubscriptionChange {
	return SubscriptionChange{Status: &s, Version: v}
}

// TestSubscriptionTransitions: every change from every state, against the state rules.
func TestSubscriptionTransitions(t *testing.T) {
	prod, _ := FindProduct(CloudGlobal, "m365-business-basic")
	created := testNow.Add(-time.Hour)
	base := func(st SubscriptionStatus) Subscription {
		s := Subscription{ID: tActive, Licenses: 10, Status: st, CreatedAt: created, Version: 1}
		if st == SubscriptionTrial {
			s.TrialEndsAt = testNow.Add(time.Hour)
		}
		return s
	}
	cases := []struct {
		from   SubscriptionStatus
		change SubscriptionChange
		to     SubscriptionStatus
		action string
		code   Code
	}{
		{SubscriptionTrial, licenses(20, 1), SubscriptionTrial, "subscription.licenses_changed", ""},
		{SubscriptionTrial, status(SubscriptionSuspended, 1), "", "", CodeInvalidTransition},
		{SubscriptionTrial, status(SubscriptionActive, 1), "", "", CodeInvalidTransition},
		{SubscriptionTrial, status(SubscriptionCancelled, 1), "", "", CodeCancellationWindowClosed},
		{SubscriptionActive, licenses(20, 1), SubscriptionActive, "subscription.licenses_changed", ""},
		{SubscriptionActive, status(SubscriptionSuspended, 1), SubscriptionSuspended, "subscription.suspended", ""},
		{SubscriptionActive, status(SubscriptionActive, 1), "", "", CodeInvalidTransition},
		{SubscriptionActive, status(SubscriptionCancelled, 1), SubscriptionCancelled, "subscription.cancelled", ""},
		{SubscriptionSuspended, licenses(20, 1), "", "", CodeInvalidTransition},
		{SubscriptionSuspended, status(SubscriptionSuspended, 1), "", "", CodeInvalidTransition},
		{SubscriptionSuspended, status(SubscriptionActive, 1), SubscriptionActive, "subscription.reactivated", ""},
		{SubscriptionSuspended, status(SubscriptionCancelled, 1), SubscriptionCancelled, "subscription.cancelled", ""},
		{SubscriptionCancelled, licenses(20, 1), "", "", CodeInvalidTransition},
		{SubscriptionCancelled, status(SubscriptionSuspended, 1), "", "", CodeInvalidTransition},
		{SubscriptionCancelled, status(SubscriptionActive, 1), "", "", CodeInvalidTransition},
		{SubscriptionCancelled, status(SubscriptionCancelled, 1), "", "", CodeInvalidTransition},
	}
	for _, c := range cases {
		name := fmt.Sprintf("%s→licenses %v status %v", c.from, c.change.Licenses != nil, c.change.Status)
		if c.change.Status != nil {
			name = fmt.Sprintf("%s→%s", c.from, *c.change.Status)
		}
		t.Run(name, func(t *testing.T) {
			before := base(c.from)
			after, action, err := before.apply(c.change, prod, testNow)
			if c.code != "" {
				if ErrorCode(err) != c.code || action != "" || !reflect.DeepEqual(after, before) {
					t.Fatalf("got %v, action %q, after %+v; want %s and no change", err, action, after, c.code)
				}
				field := map[bool]string{true: "licenses", false: "status"}[c.change.Licenses != nil]
				if e := err.(*Error); len(e.Fields) != 1 || e.Fields[0].Field != field {
					t.Fatalf("fields %+v, want %s", e.Fields, field)
				}
				return
			}
			if err != nil || action != c.action || after.Status != c.to {
				t.Fatalf("got %v, action %q, status %s; want %s, %s", err, action, after.Status, c.action, c.to)
			}
			if c.change.Licenses != nil && after.Licenses != *c.change.Licenses {
				t.Fatalf("licenses %d", after.Licenses)
			}
		})
	}
}

// TestSubscriptionLicenseLimits: the product's limits, and a trial's cap on top of them.
func TestSubscriptionLicenseLimits(t *testing.T) {
	basic, _ := FindProduct(CloudGlobal, "m365-business-basic") // 1..300, trial cap 25
	e3, _ := FindProduct(CloudGlobal, "m365-e3")                // 1..100000, trial cap 25
	cases := []struct {
		prod Product
		st   SubscriptionStatus
		n    int
		ok   bool
	}{
		{basic, SubscriptionActive, 0, false}, {basic, SubscriptionActive, -1, false}, {basic, SubscriptionActive, 1, true},
		{basic, SubscriptionActive, 300, true}, {basic, SubscriptionActive, 301, false},
		{basic, SubscriptionTrial, 1, true}, {basic, SubscriptionTrial, 25, true}, {basic, SubscriptionTrial, 26, false},
		{e3, SubscriptionActive, 100000, true}, {e3, SubscriptionActive, 100001, false}, {e3, SubscriptionTrial, 26, false},
	}
	for _, c := range cases {
		sub := Subscription{Licenses: 5, Status: c.st, CreatedAt: testNow, TrialEndsAt: testNow.Add(time.Hour)}
		_, action, err := sub.apply(licenses(c.n, 1), c.prod, testNow)
		if c.ok && (err != nil || action == "") || !c.ok && (ErrorCode(err) != CodeValidation || err.(*Error).Fields[0].Field != "licenses") {
			t.Errorf("%s %s %d licenses: %v (action %q), want ok=%v", c.prod.ID, c.st, c.n, err, action, c.ok)
		}
	}
	// The current count changes nothing.
	sub := Subscription{Licenses: 5, Status: SubscriptionActive, CreatedAt: testNow}
	if after, action, err := sub.apply(licenses(5, 1), basic, testNow); err != nil || action != "" || !reflect.DeepEqual(after, sub) {
		t.Fatalf("same count: %v %q %+v", err, action, after)
	}
}

// TestCancellationWindow: open until 7 × 24 hours after the purchase, closed at that instant, for
// active and suspended subscriptions alike, and from its conversion for a converted trial; a
// trial past its end takes no change.
func TestCancellationWindow(t *testing.T) {
	prod, _ := FindProduct(CloudGlobal, "m365-business-basic")
	created := testNow
	for _, st := range []SubscriptionStatus{SubscriptionActive, SubscriptionSuspended} {
		sub := Subscription{Licenses: 5, Status: st, CreatedAt: created}
		for _, c := range []struct {
			at   time.Duration
			code Code
		}{{0, ""}, {7*24*time.Hour - time.Nanosecond, ""}, {7 * 24 * time.Hour, CodeCancellationWindowClosed}, {8 * 24 * time.Hour, CodeCancellationWindowClosed}} {
			_, _, err := sub.apply(status(SubscriptionCancelled, 1), prod, created.Add(c.at))
			if got := Code(""); err != nil && ErrorCode(err) != c.code || err == nil && c.code != got {
				t.Errorf("%s cancelled %v after purchase: %v, want %q", st, c.at, err, c.code)
			}
		}
	}
	// A converted trial was bought when it converted: its window counts from then.
	converted := Subscription{Licenses: 5, Status: SubscriptionActive, CreatedAt: created, PurchasedAt: created.Add(40 * 24 * time.Hour)}
	if _, _, err := converted.apply(status(SubscriptionCancelled, 1), prod, converted.PurchasedAt.Add(6*24*time.Hour)); err != nil {
		t.Errorf("a trial converted 6 days ago cancelled: %v", err)
	}
	if _, _, err := converted.apply(status(SubscriptionCancelled, 1), prod, converted.PurchasedAt.Add(7*24*time.Hour)); ErrorCode(err) != CodeCancellationWindowClosed {
		t.Errorf("a trial converted 7 days ago cancelled: %v", err)
	}
	trial := Subscription{Licenses: 5, Status: SubscriptionTrial, CreatedAt: created, TrialEndsAt: created.Add(30 * 24 * time.Hour)}
	if _, _, err := trial.apply(licenses(6, 1), prod, trial.TrialEndsAt.Add(-time.Nanosecond)); err != nil {
		t.Fatalf("trial before its end: %v", err)
	}
	if _, _, err := trial.apply(licenses(6, 1), prod, trial.TrialEndsAt); ErrorCode(err) != CodeInvalidTransition {
		t.Fatalf("trial at its end: %v", err)
	}
}

// TestUpdateCustomerSubscription: the service's order of checks, the write it makes (the
// subscription against the version read, the relationship as authorized, both activity
// entries) and that every refusal writes nothing.
func TestUpdateCustomerSubscription(t *testing.T) {
	ctx := context.Background()
	svc, st := subscriptionWorld()
	got, err := svc.UpdateCustomerSubscription(ctx, subSession(AccessFull), tCustomer, tActive, licenses(7, 3))
	if err != nil || got.Licenses != 7 || got.Version != 4 {
		t.Fatalf("lower licenses: %+v %v", got, err)
	}
	if len(st.writes) != 1 {
		t.Fatalf("writes %d", len(st.writes))
	}
	w := st.writes[0]
	if w.prev != 3 || w.rel.Version != 4 || w.sub.Licenses != 7 || len(w.acts) != 2 {
		t.Fatalf("write %+v", w)
	}
	for i, org := range []string{tPartner, tCustomer} {
		a := w.acts[i]
		if a.OrgID != org || a.PartnerID != tPartner || a.CustomerID != tCustomer || a.Action != "subscription.licenses_changed" ||
			a.Target != (Target{"subscription", tActive}) || a.Before["licenses"] != 10 || a.After["licenses"] != 7 || len(a.Before) != 1 {
			t.Fatalf("activity %d: %+v", i, a)
		}
	}
	if _, err := svc.UpdateCustomerSubscription(ctx, subSession(AccessFull), tCustomer, tActive, status(SubscriptionSuspended, 4)); err != nil {
		t.Fatal(err)
	}
	if a := st.writes[1].acts[1]; a.Action != "subscription.suspended" || a.Before["status"] != "active" || a.After["status"] != "suspended" {
		t.Fatalf("suspend activity %+v", a)
	}

	limitedRel := func() {
		r := st.rels[tCustomer+"/"+tPartner]
		d := *r.DelegatedAdmin
		d.Scope = AccessLimited
		r.DelegatedAdmin = &d
		st.rels[tCustomer+"/"+tPartner] = r
	}
	refusals := []struct {
		name     string
		access   CustomerAccess
		cid, sid string
		ch       SubscriptionChange
		code     Code
		field    string
		before   func()
		noLookup bool // a malformed id is never looked up
	}{
		{name: "limited user", access: AccessLimited, cid: tCustomer, sid: tActive, ch: licenses(8, 5), code: CodeForbidden},
		{name: "no access", access: AccessNone, cid: tCustomer, sid: tActive, ch: licenses(8, 5), code: CodeForbidden},
		{name: "neither", access: AccessFull, cid: tCustomer, sid: tActive, ch: SubscriptionChange{Version: 5}, code: CodeValidation, field: "licenses"},
		{name: "both", access: AccessFull, cid: tCustomer, sid: tActive, ch: SubscriptionChange{Licenses: new(int), Status: new(SubscriptionStatus), Version: 5}, code: CodeValidation, field: "status"},
		{name: "status trial", access: AccessFull, cid: tCustomer, sid: tActive, ch: status(SubscriptionTrial, 5), code: CodeValidation, field: "status"},
		{name: "status unknown", access: AccessFull, cid: tCustomer, sid: tActive, ch: status("paused", 5), code: CodeValidation, field: "status"},
		{name: "no version", access: AccessFull, cid: tCustomer, sid: tActive, ch: licenses(8, 0), code: CodeValidation, field: "version"},
		{name: "malformed customer", access: AccessFull, cid: "cus_x", sid: tActive, ch: licenses(8, 5), code: CodeNotFound, noLookup: true},
		{name: "unknown customer", access: AccessFull, cid: "cus_000000000000000000000000c9", sid: tActive, ch: licenses(8, 5), code: CodeNotFound},
		{name: "malformed subscription", access: AccessFull, cid: tCustomer, sid: "sub_'1'", ch: licenses(8, 5), code: CodeNotFound},
		{name: "unknown subscription", access: AccessFull, cid: tCustomer, sid: "sub_000000000000000000000000s9", ch: licenses(8, 5), code: CodeNotFound},
		{name: "another customer's subscription", access: AccessFull, cid: tCustomer, sid: tOtherSub, ch: licenses(8, 1), code: CodeNotFound},
		{name: "stale version", access: AccessFull, cid: tCustomer, sid: tActive, ch: licenses(8, 4), code: CodeVersionConflict},
		{name: "suspended licenses", access: AccessFull, cid: tCustomer, sid: tActive, ch: licenses(8, 5), code: CodeInvalidTransition, field: "licenses"},
		{name: "trial over cap", access: AccessFull, cid: tCustomer, sid: tTrial, ch: licenses(26, 1), code: CodeValidation, field: "licenses"},
		{name: "trial cancel", access: AccessFull, cid: tCustomer, sid: tTrial, ch: status(SubscriptionCancelled, 1), code: CodeCancellationWindowClosed, field: "status"},
		{name: "limited delegated administration", access: AccessFull, cid: tCustomer, sid: tActive, ch: status(SubscriptionActive, 5), code: CodeForbidden, before: limitedRel},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			if c.before != nil {
				c.before()
			}
			reads, writes := st.reads+st.subRead, len(st.writes)
			_, err := svc.UpdateCustomerSubscription(ctx, subSession(c.access), c.cid, c.sid, c.ch)
			e, ok := err.(*Error)
			if !ok || e.Code != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if c.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != c.field) {
				t.Fatalf("fields %+v, want %s", e.Fields, c.field)
			}
			if len(st.writes) != writes {
				t.Fatal("a refusal wrote")
			}
			if c.noLookup && st.reads+st.subRead != reads {
				t.Fatal("a malformed id was looked up")
			}
			if c.code == CodeNotFound && c.sid != tOtherSub && c.cid == tCustomer {
				if e.Message != "subscription not found" {
					t.Fatalf("message %q", e.Message)
				}
			}
		})
	}
	// Another customer's subscription is the same answer as an unknown one.
	_, foreign := svc.UpdateCustomerSubscription(ctx, subSession(AccessFull), tOther, tActive, licenses(8, 3))
	_, unknown := svc.UpdateCustomerSubscription(ctx, subSession(AccessFull), tOther, "sub_000000000000000000000000s9", licenses(8, 3))
	if unknown.Error() != foreign.Error() || ErrorCode(unknown) != CodeNotFound {
		t.Fatalf("%v vs %v", unknown, foreign)
	}
}

// TestCustomerSubscriptions: the listing needs read access and an active delegated
// administration; limited access reads.
func TestCustomerSubscriptions(t *testing.T) {
	svc, _ := subscriptionWorld()
	p, err := svc.CustomerSubscriptions(context.Background(), subSession(AccessLimited), tCustomer, PageRequest{})
	if err != nil || len(p.Items) != 2 {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := svc.CustomerSubscriptions(context.Background(), subSession(AccessNone), tCustomer, PageRequest{}); ErrorCode(err) != CodeForbidden {
		t.Fatalf("no access: %v", err)
	}
}

// TestUpdateSubscriptionConcurrent: a write that met a concurrent one is decided again from a
// fresh read: the customer's ended delegated administration answers delegated_admin_required,
// a conflict that passes lands once, one that persists gives up after three attempts.
func TestUpdateSubscriptionConcurrent(t *testing.T) {
	ctx := context.Background()
	conflict := Errorf(CodeConcurrentRequest, "conflict")

	svc, st := subscriptionWorld()
	st.fail = []error{conflict}
	r := st.rels[tCustomer+"/"+tPartner]
	ended := *r.DelegatedAdmin
	ended.Status = "ended"
	r.DelegatedAdmin, r.Version = &ended, r.Version+1
	before := st.subRead
	// The customer ends delegated administration between the read and the write.
	svc.Store = &endingStore{fakeSubscriptionStore: st, ended: r}
	if _, err := svc.UpdateCustomerSubscription(ctx, subSession(AccessFull), tCustomer, tActive, licenses(8, 3)); ErrorCode(err) != CodeDelegatedAdminRequired {
		t.Fatalf("ended meanwhile: %v", err)
	}
	if st.subRead-before != 2 || len(st.writes) != 0 {
		t.Fatalf("reads %d, writes %d; want 2 and 0", st.subRead-before, len(st.writes))
	}

	svc, st = subscriptionWorld()
	st.fail = []error{conflict}
	if got, err := svc.UpdateCustomerSubscription(ctx, subSession(AccessFull), tCustomer, tActive, licenses(8, 3)); err != nil || got.Licenses != 8 || len(st.writes) != 1 {
		t.Fatalf("conflict once: %+v %v (%d writes)", got, err, len(st.writes))
	}

	svc, st = subscriptionWorld()
	st.fail = []error{conflict, conflict, conflict, conflict}
	if _, err := svc.UpdateCustomerSubscription(ctx, subSession(AccessFull), tCustomer, tActive, licenses(8, 3)); ErrorCode(err) != CodeConcurrentRequest || len(st.fail) != 1 {
		t.Fatalf("conflict always: %v, %d failures left (want 1: three attempts)", err, len(st.fail))
	}
}

// endingStore is a store in which the customer ends delegated administration right after the
// first write fails: every later read sees the ended grant.
type endingStore struct {
	*fakeSubscriptionStore
	ended Relationship
}

func (e *endingStore) UpdateSubscription(ctx context.Context, sub Subscription, prev int, rel Relationship, acts []Activity) error {
	err := e.fakeSubscriptionStore.UpdateSubscription(ctx, sub, prev, rel, acts)
	if err != nil {
		e.rels[tCustomer+"/"+tPartner] = e.ended
	}
	return err
}
