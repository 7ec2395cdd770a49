package admin

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// The clock is what happens by itself as time passes, one job per kind of countdown, each run
// on a schedule:
//
//	trial            a trial subscription counts down to TrialEndsAt: reminders to the customer's
//	                 admins and its Partner of Record's global admins 7 days and 1 day before;
//	                 at the end it becomes expired (unless converted) and the customer's admins
//	                 are told it can still be converted within ConversionWindow.
//	delegated-admin  an active delegated administration counts down to EndsAt: reminders to the
//	                 partner's global admins and the customer's admins 30, 7 and 1 day before; at
//	                 the end it extends itself by AutoExtendDays where it asked to — never a full
//	                 one (global-admin rights need the customer's fresh consent) — or expires;
//	                 both sides are emailed either way.
//
// Every countdown has one ClockEntry, written in the transaction that starts it (an acceptance),
// and indexed by the store by due time: a run reads only what is due, page by page. Each step
// (a reminder, an extension, an expiry) is one transaction: the entry moved to its next stage
// on the condition of its token, the subject changed on the condition of its version, the
// activity entries and the emails. An overlapping run, or a rerun after a timeout, finds the
// entry moved (its condition fails): nothing is sent or changed twice. A run that stops before
// its deadline leaves the rest due; the next run picks it up.

// ClockJob names a countdown.
type ClockJob string

const (
	ClockTrial          ClockJob = "trial"
	ClockDelegatedAdmin ClockJob = "delegated-admin"
)

// ClockJobs lists the jobs.
var ClockJobs = []ClockJob{ClockTrial, ClockDelegatedAdmin}

// ConversionWindow is how long after a trial's end a customer admin may still convert it.
const ConversionWindow = 30 * 24 * time.Hour

// stages are the lead times, in days before the end, at which a job does something: a reminder,
// and at 0 the end itself.
func (j ClockJob) stages() []int {
	if j == ClockTrial {
		return []int{7, 1, 0}
	}
	return []int{30, 7, 1, 0}
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// ClockEntry is one countdown: what it counts down to and its next stage.
type ClockEntry struct {
	Job        ClockJob
	CustomerID string
	SubjectID  string    // the subscription (trial) or the partner (delegated-admin)
	EndsAt     time.Time // the end counted down to
	NextStage  int       // lead time in days of the next step; 0: the end
	// Token is the entry's condition: every write of an entry gives it a new one, so a step
	// decided on an entry that changed meanwhile fails.
	Token string
}

// DueAt is when the entry's next step is due.
func (e ClockEntry) DueAt() time.Time { return e.EndsAt.Add(-days(e.NextStage)) }

// countdown is the entry of a countdown from start to end: its first stage is the first at or
// after start (a five-day grant gets no 30- or 7-day reminder).
func countdown(job ClockJob, customerID, subjectID string, start, end time.Time) ClockEntry {
	e := ClockEntry{Job: job, CustomerID: customerID, SubjectID: subjectID, EndsAt: end}
	for _, d := range job.stages() {
		if !end.Add(-days(d)).Before(start) {
			e.NextStage = d
			break
		}
	}
	return e
}

// TrialClock is the countdown of a subscription: a trial's to its end (false: none).
func TrialClock(s Subscription) (ClockEntry, bool) {
	if s.Status != SubscriptionTrial || s.TrialEndsAt.IsZero() {
		return ClockEntry{}, false
	}
	return countdown(ClockTrial, s.CustomerID, s.ID, s.CreatedAt, s.TrialEndsAt), true
}

// DelegatedAdminClock is the countdown of a relationship: an active grant's to its end (false:
// none).
func DelegatedAdminClock(r Relationship) (ClockEntry, bool) {
	d := r.DelegatedAdmin
	if d == nil || d.Status != "active" {
		return ClockEntry{}, false
	}
	return countdown(ClockDelegatedAdmin, r.CustomerID, r.PartnerID, d.StartsAt, d.EndsAt), true
}

// due returns the stage due at now: the latest stage not done yet whose time has come. A run
// late past several stages does only the latest (one reminder, not three).
func (e ClockEntry) due(now time.Time) (int, bool) {
	stage, ok := 0, false
	for _, d := range e.Job.stages() {
		if d <= e.NextStage && !now.Before(e.EndsAt.Add(-days(d))) {
			stage, ok = d, true
		}
	}
	return stage, ok
}

// after returns the entry once reminder stage d is done: its next stage is the following one.
func (e ClockEntry) after(d int) ClockEntry {
	st := e.Job.stages()
	i := slices.Index(st, d)
	e.NextStage = st[min(i+1, len(st)-1)]
	return e
}

// ClockWrite is one step of the clock, written in one transaction.
type ClockWrite struct {
	// Entry is the entry as read: its token is the condition of the write.
	Entry ClockEntry
	Now   time.Time
	// Next replaces it (a new token); nil deletes it (the countdown is over).
	Next *ClockEntry
	// The subject as read and, when the step changes it, after the change (Version one higher).
	// A subject that is read but not changed is checked at its version; nil: neither.
	Trial, TrialAfter *Subscription
	Grant, GrantAfter *Relationship
	Activities        []Activity
	Emails            []Email
}

// ClockStore is what the clock needs from storage.
type ClockStore interface {
	// DueClockEntries reads a page of a job's entries due before now, from cursor ("": the
	// first page); next is "" after the last page.
	DueClockEntries(ctx context.Context, job ClockJob, now time.Time, cursor string, limit int) (entries []ClockEntry, next string, err error)
	// ClockTrial reads a subscription and its customer's profile (found is false when either
	// is gone).
	ClockTrial(ctx context.Context, customerID, subscriptionID string) (Subscription, Customer, bool, error)
	// Relationship reads a customer's side of a relationship (CodeNotFound).
	Relationship(ctx context.Context, customerID, partnerID string) (Relationship, error)
	Partner(ctx context.Context, partnerID string) (Partner, error)
	// OrgAdmins lists the active global admins of a partner or the active admins of a customer.
	OrgAdmins(ctx context.Context, orgID string) ([]User, error)
	// WriteClock writes a step in one transaction. A changed entry is ErrClockEntryMoved; a
	// changed subject CodeVersionConflict; a concurrent transaction CodeConcurrentRequest.
	WriteClock(ctx context.Context, w ClockWrite) error
}

// ErrClockEntryMoved is a step whose entry changed since it was read: another run did it, or
// the countdown was started again.
var ErrClockEntryMoved = errors.New("clock entry changed since it was read")

// ClockService runs the clock's jobs.
type ClockService struct {
	Env
	Store ClockStore
	// PageSize is the number of due entries read at once (0: 100); Concurrency the number of
	// steps in flight (0: 16).
	PageSize, Concurrency int
}

// ClockActor is the activity-log actor of the clock's changes.
var ClockActor = Actor{Type: "system", ID: "clock"}

// ClockReport counts what a run did.
type ClockReport struct {
	Job   ClockJob
	Pages int // pages of due entries read
	Due   int // entries read
	// Steps by outcome.
	Reminded, Extended, Expired int
	Rescheduled                 int // the entry no longer matched its subject's end: counted down again
	Dropped                     int // the countdown's subject ended otherwise (converted, ended, gone): entry removed
	Skipped                     int // done by an overlapping run, changed meanwhile, or not due yet
	Failed                      int
	Emails                      int
	// Complete is false when the run stopped before reading every due entry (its stop said so).
	Complete bool
}

// Run does a job's due steps until none is left or stop() says to stop (checked before each
// step; a Lambda stops well before its deadline). A step that fails is counted and left due for
// the next run; the error returned joins the first few.
func (s *ClockService) Run(ctx context.Context, job ClockJob, stop func() bool) (ClockReport, error) {
	rep := ClockReport{Job: job}
	now := s.Now()
	pageSize, workers := s.PageSize, s.Concurrency
	if pageSize <= 0 {
		pageSize = 100
	}
	if workers <= 0 {
		workers = 16
	}
	cache := &orgCache{store: s.Store}
	var (
		mu   sync.Mutex
		errs []error
	)
	cursor := ""
	for {
		if stop() {
			return rep, errors.Join(errs...)
		}
		entries, next, err := s.Store.DueClockEntries(ctx, job, now, cursor, pageSize)
		if err != nil {
			return rep, errors.Join(append(errs, err)...)
		}
		rep.Pages++
		rep.Due += len(entries)
		sem := make(chan struct{}, workers)
		var wg sync.WaitGroup
		stopped := false
		for _, e := range entries {
			if stopped = stop(); stopped {
				break
			}
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				outcome, emails, err := s.step(ctx, e, cache)
				mu.Lock()
				defer mu.Unlock()
				rep.count(outcome, err)
				rep.Emails += emails
				if err != nil && len(errs) < 5 {
					errs = append(errs, err)
				}
			})
		}
		wg.Wait()
		if stopped {
			return rep, errors.Join(errs...)
		}
		if next == "" {
			rep.Complete = true
			return rep, errors.Join(errs...)
		}
		cursor = next
	}
}

// Step outcomes.
const (
	stepReminded    = "reminded"
	stepExtended    = "extended"
	stepExpired     = "expired"
	stepRescheduled = "rescheduled"
	stepDropped     = "dropped"
	stepSkipped     = "skipped"
)

func (r *ClockReport) count(outcome string, err error) {
	switch {
	case err != nil:
		r.Failed++
	case outcome == stepReminded:
		r.Reminded++
	case outcome == stepExtended:
		r.Extended++
	case outcome == stepExpired:
		r.Expired++
	case outcome == stepRescheduled:
		r.Rescheduled++
	case outcome == stepDropped:
		r.Dropped++
	default:
		r.Skipped++
	}
}

// step decides and writes one entry's due step. It reads the subject strongly consistently
// (the index the entry came from may lag), so the decision is the subject's current state's.
func (s *ClockService) step(ctx context.Context, e ClockEntry, cache *orgCache) (string, int, error) {
	var (
		w       ClockWrite
		outcome string
		err     error
	)
	switch e.Job {
	case ClockTrial:
		w, outcome, err = s.trialStep(ctx, e, cache)
	case ClockDelegatedAdmin:
		w, outcome, err = s.grantStep(ctx, e, cache)
	}
	if err != nil || outcome == stepSkipped {
		return outcome, 0, err
	}
	err = s.Store.WriteClock(ctx, w)
	switch {
	case errors.Is(err, ErrClockEntryMoved), ErrorCode(err) == CodeConcurrentRequest, ErrorCode(err) == CodeVersionConflict:
		// Another run took the step, or the subject changed meanwhile: nothing was written; an
		// entry still due is decided again by the next run.
		return stepSkipped, 0, nil
	case err != nil:
		return "", 0, err
	}
	return outcome, len(w.Emails), nil
}

// trialStep decides a trial's due step.
func (s *ClockService) trialStep(ctx context.Context, e ClockEntry, cache *orgCache) (ClockWrite, string, error) {
	w := ClockWrite{Entry: e, Now: s.Now()}
	sub, cust, found, err := s.Store.ClockTrial(ctx, e.CustomerID, e.SubjectID)
	switch {
	case err != nil:
		return w, "", err
	case !found || sub.Status != SubscriptionTrial:
		return w, stepDropped, nil // converted, or gone: the countdown is over
	case !sub.TrialEndsAt.Equal(e.EndsAt):
		next, _ := TrialClock(sub)
		w.Next, w.Trial = &next, &sub
		return w, stepRescheduled, nil
	}
	stage, ok := e.due(w.Now)
	if !ok {
		return w, stepSkipped, nil
	}
	por, err := cache.org(ctx, sub.PartnerOfRecord)
	if err != nil {
		return w, "", err
	}
	admins, err := s.Store.OrgAdmins(ctx, cust.ID)
	if err != nil {
		return w, "", err
	}
	w.Trial = &sub
	if stage > 0 {
		next := e.after(stage)
		w.Next = &next
		w.Emails = append(s.emails(cust.ID, admins, TrialEnding{Audience: AudienceCustomer, Partner: por.partner, Customer: cust, Subscription: sub, DaysLeft: daysLeft(sub.TrialEndsAt, w.Now)}),
			s.emails(por.partner.ID, por.admins, TrialEnding{Audience: AudiencePartner, Partner: por.partner, Customer: cust, Subscription: sub, DaysLeft: daysLeft(sub.TrialEndsAt, w.Now)})...)
		return w, stepReminded, nil
	}
	after := sub
	after.Status, after.Version = SubscriptionExpired, sub.Version+1
	w.TrialAfter = &after
	w.Activities = s.clockActivities(cust.ID, sub.PartnerOfRecord, "subscription.trial_expired", Target{"subscription", sub.ID},
		map[string]any{"status": string(SubscriptionTrial)}, map[string]any{"status": string(SubscriptionExpired)})
	w.Emails = s.emails(cust.ID, admins, TrialExpired{Partner: por.partner, Customer: cust, Subscription: after, ConvertBy: sub.TrialEndsAt.Add(ConversionWindow)})
	return w, stepExpired, nil
}

// grantStep decides a delegated administration's due step.
func (s *ClockService) grantStep(ctx context.Context, e ClockEntry, cache *orgCache) (ClockWrite, string, error) {
	w := ClockWrite{Entry: e, Now: s.Now()}
	rel, err := s.Store.Relationship(ctx, e.CustomerID, e.SubjectID)
	if ErrorCode(err) == CodeNotFound {
		return w, stepDropped, nil
	}
	if err != nil {
		return w, "", err
	}
	d := rel.DelegatedAdmin
	switch {
	case d == nil || d.Status != "active":
		return w, stepDropped, nil // ended by the customer, or expired
	case !d.EndsAt.Equal(e.EndsAt):
		next, _ := DelegatedAdminClock(rel)
		w.Next, w.Grant = &next, &rel
		return w, stepRescheduled, nil
	}
	stage, ok := e.due(w.Now)
	if !ok {
		return w, stepSkipped, nil
	}
	partner, err := cache.org(ctx, rel.PartnerID)
	if err != nil {
		return w, "", err
	}
	admins, err := s.Store.OrgAdmins(ctx, rel.CustomerID)
	if err != nil {
		return w, "", err
	}
	w.Grant = &rel
	both := func(m func(Audience) Message) []Email {
		return append(s.emails(rel.CustomerID, admins, m(AudienceCustomer)), s.emails(rel.PartnerID, partner.admins, m(AudiencePartner))...)
	}
	if stage > 0 {
		next := e.after(stage)
		w.Next = &next
		w.Emails = both(func(a Audience) Message {
			return DelegatedAdminEnding{Audience: a, Partner: partner.partner, Relationship: rel, DaysLeft: daysLeft(d.EndsAt, w.Now), Extends: d.Extends()}
		})
		return w, stepReminded, nil
	}
	after, grant := rel, *d
	after.DelegatedAdmin, after.Version = &grant, rel.Version+1
	w.GrantAfter = &after
	before := map[string]any{"scope": string(d.Scope), "endsAt": d.EndsAt.Format(time.RFC3339)}
	if d.Extends() {
		grant.EndsAt = d.EndsAt.AddDate(0, 0, AutoExtendDays)
		next := countdown(ClockDelegatedAdmin, rel.CustomerID, rel.PartnerID, d.EndsAt, grant.EndsAt)
		w.Next = &next
		w.Activities = s.clockActivities(rel.CustomerID, rel.PartnerID, "delegated_admin.extended", Target{"partner", rel.PartnerID}, before,
			map[string]any{"scope": string(d.Scope), "endsAt": grant.EndsAt.Format(time.RFC3339)})
		w.Emails = both(func(a Audience) Message {
			return DelegatedAdminExtended{Audience: a, Partner: partner.partner, Relationship: after, PreviousEnd: d.EndsAt}
		})
		return w, stepExtended, nil
	}
	ended := d.EndsAt
	grant.Status, grant.EndedAt = "expired", &ended
	w.Activities = s.clockActivities(rel.CustomerID, rel.PartnerID, "delegated_admin.expired", Target{"partner", rel.PartnerID}, before,
		map[string]any{"status": "expired"})
	w.Emails = both(func(a Audience) Message {
		return DelegatedAdminExpired{Audience: a, Partner: partner.partner, Relationship: after, AutoExtendRefused: d.AutoExtend}
	})
	return w, stepExpired, nil
}

// daysLeft is the whole days from now to end, rounded up (a reminder sent late names the days
// really left), at least 1.
func daysLeft(end, now time.Time) int {
	return max(1, int((end.Sub(now)+days(1)-1)/days(1)))
}

// Extends reports whether the grant extends itself at its end: it asked to and is not full
// (global-admin rights are never extended without the customer's fresh consent).
func (d DelegatedAdmin) Extends() bool { return d.AutoExtend && d.Scope != AccessFull }

// MaxEmailRecipients is how many addresses one email names (SES's limit).
const MaxEmailRecipients = 50

// emails addresses m to the users, one email per MaxEmailRecipients (none without users).
func (s *ClockService) emails(orgID string, users []User, m Message) []Email {
	var out []Email
	for chunk := range slices.Chunk(users, MaxEmailRecipients) {
		to := make([]string, len(chunk))
		for i, u := range chunk {
			to[i] = u.Email
		}
		out = append(out, Email{ID: s.NewID("out"), OrgID: orgID, To: to, Message: m})
	}
	return out
}

// clockActivities are the two entries of a change by the clock: the customer's log and the
// partner's.
func (s *ClockService) clockActivities(customerID, partnerID, action string, t Target, before, after map[string]any) []Activity {
	a := Activity{At: s.Now(), Actor: ClockActor, Action: action, Target: t, CustomerID: customerID, PartnerID: partnerID, Before: before, After: after}
	cust, partner := a, a
	cust.ID, cust.OrgID = s.NewID("act"), customerID
	partner.ID, partner.OrgID = s.NewID("act"), partnerID
	if t.Type == "partner" {
		partner.Target = Target{"customer", customerID}
	}
	return []Activity{cust, partner}
}

// orgCache reads each partner (profile and global admins) once per run: a partner has many
// customers, all due together.
type orgCache struct {
	store ClockStore
	mu    sync.Mutex
	orgs  map[string]*cachedOrg
}

type cachedOrg struct {
	once    sync.Once
	partner Partner
	admins  []User
	err     error
}

// org returns a partner with its global admins; a failed read is not kept (the next step reads
// again).
func (c *orgCache) org(ctx context.Context, partnerID string) (*cachedOrg, error) {
	c.mu.Lock()
	if c.orgs == nil {
		c.orgs = map[string]*cachedOrg{}
	}
	o := c.orgs[partnerID]
	if o == nil {
		o = &cachedOrg{}
		c.orgs[partnerID] = o
	}
	c.mu.Unlock()
	o.once.Do(func() {
		if o.partner, o.err = c.store.Partner(ctx, partnerID); o.err == nil {
			o.admins, o.err = c.store.OrgAdmins(ctx, partnerID)
		}
	})
	if o.err != nil {
		c.mu.Lock()
		if c.orgs[partnerID] == o {
			delete(c.orgs, partnerID)
		}
		c.mu.Unlock()
		return nil, o.err
	}
	return o, nil
}
