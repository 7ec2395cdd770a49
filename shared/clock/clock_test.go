package clock_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/local/bench"
	"github.com/partner-admin-center/pac/local/deploycheck"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/clock"
	"github.com/partner-admin-center/pac/shared/store"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type env struct {
	db     *dynamodb.Client
	table  string
	st     *store.Store
	access *deploycheck.AccessLog
}

// runner is a job's runner as its function builds it, with pages of 2 (a shard takes several).
func (e *env) runner(job admin.ClockJob) *clock.Runner {
	fn := map[admin.ClockJob]string{admin.ClockTrial: "trial-clock", admin.ClockDelegatedAdmin: "delegated-admin-clock"}[job]
	return &clock.Runner{Service: &admin.ClockService{Env: admin.Env{Now: time.Now, NewID: app.NewID}, Store: store.NewClock(e.st), PageSize: 2},
		Job: job, Function: fn, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: e.access}
}

// run invokes a job's handler as its schedule does.
func (e *env) run(t *testing.T, job admin.ClockJob) admin.ClockReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bench.ClockTimeout)
	defer cancel()
	rep, err := e.runner(job).HandleSchedule(ctx, events.EventBridgeEvent{DetailType: "Scheduled Event", Time: time.Now()})
	if err != nil || !rep.Complete || rep.Failed != 0 {
		t.Fatalf("%s run: %+v, %v", job, rep, err)
	}
	return rep
}

// mail is one outbox email: template, audience and recipients.
type mail struct{ Template, Audience, To string }

// outbox reads every outbox item of the table (a test's Scan).
func (e *env) outbox(t *testing.T) []store.OutboxItem {
	t.Helper()
	in := &dynamodb.ScanInput{TableName: &e.table, ConsistentRead: aws.Bool(true), FilterExpression: aws.String("#t = :o"),
		ExpressionAttributeNames: map[string]string{"#t": "Type"}, ExpressionAttributeValues: map[string]types.AttributeValue{":o": &types.AttributeValueMemberS{Value: store.TypeOutbox}}}
	var out []store.OutboxItem
	for {
		res, err := e.db.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		var items []store.OutboxItem
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
		if res.LastEvaluatedKey == nil {
			return out
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

func mails(items []store.OutboxItem) []mail {
	var out []mail
	for _, it := range items {
		out = append(out, mail{it.Template, it.Data["audience"], strings.Join(it.To, ",")})
	}
	sort.Slice(out, func(i, j int) bool { return fmt.Sprint(out[i]) < fmt.Sprint(out[j]) })
	return out
}

func newEnv(t *testing.T) *env {
	db := testenv.DynamoDB(t)
	table := testenv.NewTable(t, db)
	return &env{db: db, table: table, st: store.New(db, table), access: deploycheck.NewAccessLog()}
}

func grant(scope admin.CustomerAccess, auto bool, ends time.Time) *admin.DelegatedAdmin {
	return &admin.DelegatedAdmin{Scope: scope, StartsAt: ends.AddDate(-1, 0, 0), EndsAt: ends, AutoExtend: auto, Status: "active"}
}

// TestClockJobs runs both jobs' handlers against DynamoDB Local on countdowns at every stage:
// the reminders (30, 7, 1 day; 7, 1 day), the extension (not of a full grant), the expiries, the
// emails to both sides and the activity entries; a rerun changes and sends nothing; the grants
// are exactly what the functions did.
func TestClockJobs(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	now := time.Now().UTC()
	day := 24 * time.Hour
	specs := []bench.ClockSpec{
		{Grant: grant(admin.AccessLimited, false, now.Add(20*day))},    // 0: 30-day reminder (20 days left)
		{Grant: grant(admin.AccessFull, false, now.Add(6*day))},        // 1: 7-day reminder
		{Grant: grant(admin.AccessLimited, true, now.Add(-time.Hour))}, // 2: extends itself
		{Grant: grant(admin.AccessFull, true, now.Add(-time.Hour))},    // 3: full: expires, never extended
		{Grant: grant(admin.AccessLimited, false, now.Add(60*day))},    // 4: nothing due
		{TrialEndsAt: now.Add(6 * day)},                                // 5: 7-day reminder
		{TrialEndsAt: now.Add(20 * time.Hour)},                         // 6: 1-day reminder
		{TrialEndsAt: now.Add(-time.Minute)},                           // 7: expires
		{TrialEndsAt: now.Add(20 * day)},                               // 8: nothing due
	}
	w, err := bench.NewClockWorld(ctx, e.st, "jobs", specs)
	if err != nil {
		t.Fatal(err)
	}
	c := w.Customers
	ga := w.PartnerAdmin

	trials := e.run(t, admin.ClockTrial)
	grants := e.run(t, admin.ClockDelegatedAdmin)
	if trials.Reminded != 2 || trials.Expired != 1 || trials.Emails != 5 {
		t.Errorf("trial run %+v", trials)
	}
	if grants.Reminded != 2 || grants.Extended != 1 || grants.Expired != 1 || grants.Emails != 8 {
		t.Errorf("delegated-admin run %+v", grants)
	}
	want := []mail{
		{"delegated_admin_ending", "customer", c[0].Admin}, {"delegated_admin_ending", "partner", ga},
		{"delegated_admin_ending", "customer", c[1].Admin}, {"delegated_admin_ending", "partner", ga},
		{"delegated_admin_extended", "customer", c[2].Admin}, {"delegated_admin_extended", "partner", ga},
		{"delegated_admin_expired", "customer", c[3].Admin}, {"delegated_admin_expired", "partner", ga},
		{"trial_ending", "customer", c[5].Admin}, {"trial_ending", "partner", ga},
		{"trial_ending", "customer", c[6].Admin}, {"trial_ending", "partner", ga},
		{"trial_expired", "", c[7].Admin},
	}
	sort.Slice(want, func(i, j int) bool { return fmt.Sprint(want[i]) < fmt.Sprint(want[j]) })
	items := e.outbox(t)
	if got := mails(items); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("emails\n got %v\nwant %v", got, want)
	}
	days := map[string]string{}
	for _, it := range items {
		if it.Data["daysLeft"] != "" {
			days[it.To[0]] = it.Data["daysLeft"]
		}
		if it.Template == "delegated_admin_expired" && it.Data["autoExtendRefused"] != "true" {
			t.Errorf("the full grant's expiry does not say its auto-extension was refused: %v", it.Data)
		}
	}
	if days[c[0].Admin] != "20" || days[c[1].Admin] != "6" || days[c[5].Admin] != "6" || days[c[6].Admin] != "1" {
		t.Errorf("days left %v", days)
	}

	// The subjects: the grants extended and expired on both sides, the trial expired.
	rel := func(i int) admin.Relationship {
		r, err := e.st.Relationship(ctx, c[i].ID, w.Partner.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := rel(2); r.DelegatedAdmin.Status != "active" || !r.DelegatedAdmin.EndsAt.Equal(specs[2].Grant.EndsAt.AddDate(0, 0, 180)) || r.Version != 2 {
		t.Errorf("extended grant %+v (version %d)", r.DelegatedAdmin, r.Version)
	}
	if r := rel(3); r.DelegatedAdmin.Status != "expired" || r.StateAt(now) != admin.DelegationExpired || r.Version != 2 {
		t.Errorf("expired grant %+v", r.DelegatedAdmin)
	}
	if r := rel(0); r.Version != 1 {
		t.Errorf("a reminder changed the relationship: version %d", r.Version)
	}
	if _, ps, err := e.st.CustomerOfPartner(ctx, w.Partner.ID, c[3].ID); err != nil || ps.DelegatedAdmin.Status != "expired" {
		t.Errorf("the expired grant as the partner reads it: %+v, %v", ps.DelegatedAdmin, err)
	}
	sub, _, _, err := store.NewClock(e.st).ClockTrial(ctx, c[7].ID, c[7].TrialID)
	if err != nil || sub.Status != admin.SubscriptionExpired || sub.Version != 2 {
		t.Errorf("expired trial %+v, %v", sub, err)
	}
	for _, org := range []string{c[7].ID, w.Partner.ID} {
		acts, err := e.st.Activity(ctx, org, admin.ActivityQuery{})
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for _, a := range acts.Items {
			if a.Actor == admin.ClockActor {
				found[a.Action] = true
			}
		}
		if !found["subscription.trial_expired"] {
			t.Errorf("%s's log lacks the trial's expiry: %v", org, found)
		}
	}

	// A rerun changes and sends nothing.
	before := len(items)
	if rep := e.run(t, admin.ClockTrial); rep.Due != 0 {
		t.Errorf("trial rerun %+v", rep)
	}
	if rep := e.run(t, admin.ClockDelegatedAdmin); rep.Due != 0 {
		t.Errorf("delegated-admin rerun %+v", rep)
	}
	if n := len(e.outbox(t)); n != before {
		t.Errorf("a rerun wrote %d emails", n-before)
	}

	// A countdown stored before the clock (no entry) is started by the backfill and then found.
	legacy, err := bench.NewClockWorld(ctx, e.st, "legacy", []bench.ClockSpec{{Grant: grant(admin.AccessLimited, false, now.Add(-time.Hour)), TrialEndsAt: now.Add(-time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	lc := legacy.Customers[0]
	for _, sk := range []string{"CLOCK#delegated-admin#" + legacy.Partner.ID, "CLOCK#trial#" + lc.TrialID} {
		if _, err := e.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &e.table, Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "CUSTOMER#" + lc.ID}, "SK": &types.AttributeValueMemberS{Value: sk}}}); err != nil {
			t.Fatal(err)
		}
	}
	if rep := e.run(t, admin.ClockDelegatedAdmin); rep.Due != 0 {
		t.Errorf("found without an entry: %+v", rep)
	}
	if rep, err := store.BackfillDirectory(ctx, e.st); err != nil || rep.ClockEntriesAdded != 2 {
		t.Errorf("backfill %+v, %v", rep, err)
	}
	if rep := e.run(t, admin.ClockDelegatedAdmin); rep.Expired != 1 {
		t.Errorf("the backfilled grant: %+v", rep)
	}
	if rep := e.run(t, admin.ClockTrial); rep.Expired != 1 {
		t.Errorf("the backfilled trial: %+v", rep)
	}

	// Least privilege: what the two functions did is what template.yaml grants them.
	for _, p := range deploycheck.LeastPrivilege(filepath.Join(testenv.RepoRoot(t), "template.yaml"),
		map[string]string{"TrialClockFunction": "trial-clock", "DelegatedAdminClockFunction": "delegated-admin-clock"}, e.access) {
		t.Error(p)
	}
}

// TestClockOverlappingAndResumedRuns: two runs of each job at the same time send each email once
// and change each subject once; a run stopped early leaves the rest to the next, which finishes
// it, again with every email once.
func TestClockOverlappingAndResumedRuns(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	now := time.Now().UTC()
	const n = 20
	specs := make([]bench.ClockSpec, n)
	for i := range specs {
		specs[i] = bench.ClockSpec{Grant: grant(admin.AccessLimited, i%2 == 0, now.Add(-time.Minute)), TrialEndsAt: now.Add(-time.Minute)}
	}
	if _, err := bench.NewClockWorld(ctx, e.st, "overlap", specs); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	reps := make([]admin.ClockReport, 4)
	for i := range reps {
		job := admin.ClockJobs[i%2]
		wg.Go(func() {
			rep, err := e.runner(job).Run(ctx)
			if err != nil {
				t.Error(err)
			}
			reps[i] = rep
		})
	}
	wg.Wait()
	// Two transactions that collide may both be cancelled: that step is left due, and the next
	// run (as the next schedule would) takes it. Nothing is ever done twice.
	trailing := []admin.ClockReport{e.run(t, admin.ClockTrial), e.run(t, admin.ClockDelegatedAdmin)}
	if got := reps[0].Expired + reps[2].Expired + trailing[0].Expired; got != n {
		t.Errorf("trials expired %d times, want %d: %+v %+v %+v", got, n, reps[0], reps[2], trailing[0])
	}
	ended := func(r admin.ClockReport) int { return r.Expired + r.Extended }
	if got := ended(reps[1]) + ended(reps[3]) + ended(trailing[1]); got != n {
		t.Errorf("grants ended %d times, want %d: %+v %+v %+v", got, n, reps[1], reps[3], trailing[1])
	}
	counts := map[string]int{}
	for _, it := range e.outbox(t) {
		counts[it.Template+" "+strings.Join(it.To, ",")+" "+it.Data["customerName"]]++
	}
	if len(counts) != 3*n { // per grant 2 emails, per trial 1
		t.Errorf("%d distinct emails, want %d", len(counts), 3*n)
	}
	for k, c := range counts {
		if c != 1 {
			t.Errorf("%s sent %d times", k, c)
		}
	}

	// Resume: a run that stops after a few steps, then the next.
	more := make([]bench.ClockSpec, 25)
	for i := range more {
		more[i] = bench.ClockSpec{TrialEndsAt: now.Add(-time.Minute)}
	}
	if _, err := bench.NewClockWorld(ctx, e.st, "resume", more); err != nil {
		t.Fatal(err)
	}
	r := e.runner(admin.ClockTrial)
	r.Service.Concurrency = 1
	calls := 0
	first, err := r.Service.Run(ctx, admin.ClockTrial, func() bool { calls++; return calls > 11 })
	if err != nil || first.Complete || first.Expired == 0 || first.Expired >= 25 {
		t.Fatalf("stopped run %+v, %v", first, err)
	}
	second := e.run(t, admin.ClockTrial)
	if first.Expired+second.Expired != 25 || second.Skipped != 0 {
		t.Errorf("runs expired %d + %d, want 25", first.Expired, second.Expired)
	}
	if n2 := len(e.outbox(t)); n2 != 3*n+25 {
		t.Errorf("%d emails after the resumed runs, want %d", n2, 3*n+25)
	}
}
