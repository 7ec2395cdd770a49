package admin

import (
	"context"
	"slices"
	"testing"
	"time"
)

// fakeClockStore is a ClockStore in memory: entries by key, subjects, and the writes.
type fakeClockStore struct {
	entries map[string]ClockEntry // job/customer/subject
	subs    map[string]Subscription
	rels    map[string]Relationship // customer/partner
	writes  []ClockWrite
	moved   bool // WriteClock answers ErrClockEntryMoved
}

var _ ClockStore = (*fakeClockStore)(nil)

func entryKey(e ClockEntry) string { return string(e.Job) + "/" + e.CustomerID + "/" + e.SubjectID }

func (f *fakeClockStore) DueClockEntries(_ context.Context, job ClockJob, now time.Time, cursor string, limit int) ([]ClockEntry, string, error) {
	var out []ClockEntry
	for _, e := range f.entries {
		if e.Job == job && !e.DueAt().After(now) {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b ClockEntry) int { return a.DueAt().Compare(b.DueAt()) })
	return out, "", nil
}

func (f *fakeClockStore) ClockTrial(_ context.Context, customerID, subscriptionID string) (Subscription, Customer, bool, error) {
	s, ok := f.subs[subscriptionID]
	return s, Customer{ID: customerID, Name: "Fabrikam", Cloud: CloudGlobal}, ok, nil
}

func (f *fakeClockStore) Relationship(_ context.Context, customerID, partnerID string) (Relationship, error) {
	r, ok := f.rels[customerID+"/"+partnerID]
	if !ok {
		return Relationship{}, NotFound("relationship")
	}
	return r, nil
}

func (f *fakeClockStore) Partner(_ context.Context, partnerID string) (Partner, error) {
	return Partner{ID: partnerID, Cloud: CloudGlobal, Contact: Contact{Name: "Contoso"}}, nil
}

func (f *fakeClockStore) OrgAdmins(_ context.Context, orgID string) ([]User, error) {
	return []User{{ID: "usr_1", OrgID: orgID, Email: "admin@" + orgID + ".example"}}, nil
}

func (f *fakeClockStore) WriteClock(_ context.Context, w ClockWrite) error {
	if f.moved {
		return ErrClockEntryMoved
	}
	f.writes = append(f.writes, w)
	delete(f.entries, entryKey(w.Entry))
	if w.Next != nil {
		f.entries[entryKey(*w.Next)] = *w.Next
	}
	if w.TrialAfter != nil {
		f.subs[w.TrialAfter.ID] = *w.TrialAfter
	}
	if w.GrantAfter != nil {
		f.rels[w.GrantAfter.CustomerID+"/"+w.GrantAfter.PartnerID] = *w.GrantAfter
	}
	return nil
}

func TestClockStages(t *testing.T) {
	end := testNow
	// A 5-day grant starts at its 1-day stage; a 2-year grant at 30 days; a trial at 7 days.
	for _, c := range []struct {
		job   ClockJob
		start time.Time
		want  int
	}{
		{ClockDelegatedAdmin, end.AddDate(0, 0, -5), 1},
		{ClockDelegatedAdmin, end.AddDate(0, 0, -730), 30},
		{ClockDelegatedAdmin, end.AddDate(0, 0, -7), 7},
		{ClockDelegatedAdmin, end.Add(-time.Hour), 0},
		{ClockTrial, end.AddDate(0, 0, -30), 7},
	} {
		if e := countdown(c.job, "cus_1", "x", c.start, end); e.NextStage != c.want {
			t.Errorf("%s from %s: first stage %d, want %d", c.job, c.start, e.NextStage, c.want)
		}
	}
	e := countdown(ClockDelegatedAdmin, "cus_1", "ptn_1", end.AddDate(0, 0, -365), end)
	for _, c := range []struct {
		now  time.Time
		want int
		ok   bool
	}{
		{end.AddDate(0, 0, -31), 0, false},
		{end.AddDate(0, 0, -30), 30, true},
		{end.AddDate(0, 0, -3), 7, true}, // late: the 30-day stage is skipped, one reminder
		{end.Add(-time.Hour), 1, true},
		{end, 0, true},
	} {
		if got, ok := e.due(c.now); got != c.want || ok != c.ok {
			t.Errorf("due at %s = %d %v, want %d %v", c.now, got, ok, c.want, c.ok)
		}
	}
	if n := e.after(7); n.NextStage != 1 || !n.DueAt().Equal(end.AddDate(0, 0, -1)) {
		t.Errorf("after the 7-day reminder: %+v", n)
	}
	if (DelegatedAdmin{Scope: AccessFull, AutoExtend: true}).Extends() || !(DelegatedAdmin{Scope: AccessLimited, AutoExtend: true}).Extends() {
		t.Error("a full grant must never extend itself; a limited one that asked must")
	}
}

func newClockWorld() (*ClockService, *fakeClockStore) {
	f := &fakeClockStore{entries: map[string]ClockEntry{}, subs: map[string]Subscription{}, rels: map[string]Relationship{}}
	return &ClockService{Env: testEnv(), Store: f, Concurrency: 1}, f
}

func (f *fakeClockStore) grant(cid string, scope CustomerAccess, auto bool, ends time.Time) {
	r := Relationship{CustomerID: cid, CustomerName: "Fabrikam", PartnerID: "ptn_1", Version: 3,
		DelegatedAdmin: &DelegatedAdmin{Scope: scope, StartsAt: ends.AddDate(-1, 0, 0), EndsAt: ends, AutoExtend: auto, Status: "active"}}
	f.rels[cid+"/ptn_1"] = r
	e, _ := DelegatedAdminClock(r)
	f.entries[entryKey(e)] = e
}

func TestClockDelegatedAdminSteps(t *testing.T) {
	never := func() bool { return false }
	svc, f := newClockWorld()
	f.grant("cus_remind", AccessFull, false, testNow.AddDate(0, 0, 5))    // 7-day reminder due
	f.grant("cus_extend", AccessLimited, true, testNow.Add(-time.Minute)) // extends itself
	f.grant("cus_full", AccessFull, true, testNow.Add(-time.Minute))      // asked to, but full: expires
	f.grant("cus_later", AccessLimited, false, testNow.AddDate(0, 0, 60)) // nothing due
	f.grant("cus_ended", AccessLimited, false, testNow.Add(-time.Hour))   // ended by the customer meanwhile
	ended := f.rels["cus_ended/ptn_1"]
	ended.DelegatedAdmin.Status = "ended"
	rep, err := svc.Run(context.Background(), ClockDelegatedAdmin, never)
	if err != nil || !rep.Complete || rep.Reminded != 1 || rep.Extended != 1 || rep.Expired != 1 || rep.Dropped != 1 || rep.Failed != 0 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if rep.Emails != 6 {
		t.Errorf("emails %d, want 2 per step", rep.Emails)
	}
	ext := f.rels["cus_extend/ptn_1"]
	if d := ext.DelegatedAdmin; d.Status != "active" || !d.EndsAt.Equal(testNow.Add(-time.Minute).AddDate(0, 0, AutoExtendDays)) || ext.Version != 4 {
		t.Errorf("extended grant %+v (version %d)", d, ext.Version)
	}
	if e := f.entries["delegated-admin/cus_extend/ptn_1"]; e.NextStage != 30 || !e.EndsAt.Equal(ext.DelegatedAdmin.EndsAt) {
		t.Errorf("the extended grant's countdown %+v", e)
	}
	full := f.rels["cus_full/ptn_1"]
	if d := full.DelegatedAdmin; d.Status != "expired" || d.EndedAt == nil || !d.EndedAt.Equal(d.EndsAt) || full.StateAt(testNow) != DelegationExpired {
		t.Errorf("full grant %+v", d)
	}
	if _, ok := f.entries["delegated-admin/cus_full/ptn_1"]; ok {
		t.Error("an expired grant keeps its countdown")
	}
	if e := f.entries["delegated-admin/cus_remind/ptn_1"]; e.NextStage != 1 {
		t.Errorf("after the reminder: %+v", e)
	}
	for _, w := range f.writes {
		if w.GrantAfter != nil && len(w.Activities) != 2 {
			t.Errorf("a change without its two activity entries: %+v", w.Activities)
		}
		if w.GrantAfter == nil && w.Grant != nil && len(w.Activities) != 0 {
			t.Errorf("a reminder with activity entries")
		}
	}
	// A second run finds nothing due.
	f.writes = nil
	if rep, err := svc.Run(context.Background(), ClockDelegatedAdmin, never); err != nil || rep.Due != 0 || len(f.writes) != 0 {
		t.Errorf("second run %+v, %v, writes %d", rep, err, len(f.writes))
	}
}

func TestClockTrialSteps(t *testing.T) {
	svc, f := newClockWorld()
	trial := func(id string, ends time.Time) {
		s := Subscription{ID: id, CustomerID: "cus_1", ProductName: "Business Premium", Licenses: 25, Status: SubscriptionTrial,
			TrialEndsAt: ends, PartnerOfRecord: "ptn_1", Version: 2, CreatedAt: ends.AddDate(0, 0, -30)}
		f.subs[id] = s
		e, _ := TrialClock(s)
		f.entries[entryKey(e)] = e
	}
	trial("sub_day", testNow.Add(20*time.Hour)) // the 1-day reminder (the 7-day one is skipped)
	trial("sub_end", testNow.Add(-time.Second))
	trial("sub_conv", testNow.Add(-time.Second))
	conv := f.subs["sub_conv"]
	conv.Status = SubscriptionActive
	f.subs["sub_conv"] = conv
	rep, err := svc.Run(context.Background(), ClockTrial, func() bool { return false })
	if err != nil || rep.Reminded != 1 || rep.Expired != 1 || rep.Dropped != 1 {
		t.Fatalf("report %+v, %v", rep, err)
	}
	if s := f.subs["sub_end"]; s.Status != SubscriptionExpired || s.Version != 3 {
		t.Errorf("expired trial %+v", s)
	}
	for _, w := range f.writes {
		switch {
		case w.TrialAfter != nil:
			if len(w.Emails) != 1 || len(w.Activities) != 2 {
				t.Errorf("expiry: %d emails, %d activities", len(w.Emails), len(w.Activities))
			}
			if m, ok := w.Emails[0].Message.(TrialExpired); !ok || !m.ConvertBy.Equal(testNow.Add(-time.Second).Add(ConversionWindow)) {
				t.Errorf("expiry email %+v", w.Emails[0].Message)
			}
		case w.Next != nil:
			if len(w.Emails) != 2 || w.Emails[0].Message.(TrialEnding).DaysLeft != 1 {
				t.Errorf("reminder emails %+v", w.Emails)
			}
		}
	}
}

func TestClockStepsTakenElsewhereAndStops(t *testing.T) {
	svc, f := newClockWorld()
	f.grant("cus_a", AccessLimited, false, testNow.Add(-time.Minute))
	f.grant("cus_b", AccessLimited, false, testNow.Add(-time.Minute))
	f.moved = true
	rep, err := svc.Run(context.Background(), ClockDelegatedAdmin, func() bool { return false })
	if err != nil || rep.Skipped != 2 || rep.Expired != 0 || rep.Emails != 0 {
		t.Errorf("entries moved by another run: %+v, %v", rep, err)
	}
	f.moved = false
	steps := 0
	rep, err = svc.Run(context.Background(), ClockDelegatedAdmin, func() bool { steps++; return steps > 2 })
	if err != nil || rep.Complete || rep.Expired != 1 || len(f.entries) != 1 {
		t.Errorf("a stopped run: %+v, %v, %d entries left", rep, err, len(f.entries))
	}
	if rep, _ := svc.Run(context.Background(), ClockDelegatedAdmin, func() bool { return false }); !rep.Complete || rep.Expired != 1 {
		t.Errorf("the next run does the rest: %+v", rep)
	}
}
