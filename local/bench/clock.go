package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partner-admin-center/pac/local/template"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/clock"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/telemetry"
)

// The clock at scale: one partner with n customers, each with a delegated administration and a
// trial that both end now, loaded into a table of their own (their 4n emails stay in its outbox:
// no mailer reads it), and each job run as its scheduled function runs it, with the function's
// 300 s timeout, until nothing is due.

// ClockSpec is one customer of a clock world.
type ClockSpec struct {
	Grant       *admin.DelegatedAdmin // nil: none
	TrialEndsAt time.Time             // zero: no trial
}

// ClockCustomer is a customer of a clock world.
type ClockCustomer struct {
	ID, Admin, TrialID string
}

// ClockWorld is a partner with its global admin and its customers, each with one admin.
type ClockWorld struct {
	Partner      admin.Partner
	PartnerAdmin string
	Customers    []ClockCustomer
}

// NewClockWorld writes a partner and one customer per spec (addresses unique by tag), with the
// items an acceptance writes, the clock's countdowns included (store.PutDirectoryCustomers).
func NewClockWorld(ctx context.Context, st *store.Store, tag string, specs []ClockSpec) (ClockWorld, error) {
	now := time.Now().UTC()
	p := admin.Partner{ID: app.NewID("ptn"), Contact: admin.Contact{Name: "Clock Partners " + tag, Email: "contact-" + tag + "@partner.example"},
		Cloud: admin.CloudGlobal, Authorizations: []admin.Authorization{admin.AuthDelegatedAdmin}, UserCount: 1, GlobalAdmins: 1,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	w := ClockWorld{Partner: p, PartnerAdmin: "ga-" + tag + "@partner.example"}
	u := admin.User{ID: app.NewID("usr"), OrgID: p.ID, OrgKind: admin.OrgPartner, Email: w.PartnerAdmin, DisplayName: "Gale Admin",
		CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessFull, Status: admin.UserActive, Version: 1, CreatedAt: now, UpdatedAt: now}
	l := admin.Login{Email: u.Email, UserID: u.ID, OrgID: p.ID, OrgKind: admin.OrgPartner, PasswordHash: "-", Cloud: p.Cloud}
	act := admin.Activity{ID: app.NewID("act"), OrgID: p.ID, At: now, Actor: admin.Actor{Type: "operator", ID: "bench"}, Action: "partner.onboarded",
		Target: admin.Target{Type: "partner", ID: p.ID}}
	if err := st.CreatePartner(ctx, p, u, l, act, nil); err != nil {
		return w, fmt.Errorf("bench: clock world: partner: %w", err)
	}
	prod, _ := admin.FindProduct(p.Cloud, "m365-business-premium")
	var cs []store.DirectoryCustomer
	for i, sp := range specs {
		c := admin.Customer{ID: app.NewID("cus"), Name: fmt.Sprintf("Clock Customer %s %d", tag, i), DomainPrefix: fmt.Sprintf("clock%s%d", tag, i), Country: "DE", Admins: 1}
		cc := ClockCustomer{ID: c.ID, Admin: fmt.Sprintf("admin-%s-%d@customer.example", tag, i)}
		var subs []admin.Subscription
		if !sp.TrialEndsAt.IsZero() {
			cc.TrialID = app.NewID("sub")
			created := sp.TrialEndsAt.AddDate(0, 0, -prod.TrialLength())
			subs = append(subs, admin.Subscription{ID: cc.TrialID, CustomerID: c.ID, ProductID: prod.ID, ProductName: prod.Name, Licenses: 25,
				Status: admin.SubscriptionTrial, TrialEndsAt: sp.TrialEndsAt, PartnerOfRecord: p.ID,
				PORHistory: []admin.PORPeriod{{PartnerID: p.ID, From: created}}, Version: 1, CreatedAt: created})
		}
		since := now.AddDate(-1, 0, 0)
		if sp.Grant != nil {
			since = sp.Grant.StartsAt
		}
		dc := store.NewDirectoryCustomer(p, c, since, sp.Grant, subs)
		dc.Users = []admin.User{{ID: app.NewID("usr"), OrgID: c.ID, OrgKind: admin.OrgCustomer, Email: cc.Admin, DisplayName: "Casey Admin",
			CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessNone, Status: admin.UserActive, Version: 1, CreatedAt: since, UpdatedAt: since}}
		cs = append(cs, dc)
		w.Customers = append(w.Customers, cc)
	}
	if err := st.PutDirectoryCustomers(ctx, cs, 16); err != nil {
		return w, fmt.Errorf("bench: clock world: customers: %w", err)
	}
	return w, nil
}

// DefaultClockSize is the number of delegated administrations and of trials that end at once in
// the clock's figures.
const DefaultClockSize = 10_000

// ClockTimeout is the clock functions' timeout in template.yaml.
const ClockTimeout = 300 * time.Second

// ClockRun is one scheduled run of a job.
type ClockRun struct {
	Report     admin.ClockReport
	Took       time.Duration
	RoundTrips int // DynamoDB requests
	Sequential int // of them round trips of latency
}

// ClockFigures are the clock's measurements at scale.
type ClockFigures struct {
	N    int
	Load time.Duration
	Runs map[admin.ClockJob][]ClockRun // until a run is complete
}

// MeasureClock loads n customers whose delegated administration and trial end now into a new
// table of db shaped like template.yaml's, without its stream (deleted afterwards), and runs each
// job until nothing is due, each run bounded by the function's timeout as in Lambda.
func MeasureClock(ctx context.Context, db *dynamodb.Client, repoRoot string, n int) (ClockFigures, error) {
	f := ClockFigures{N: n, Runs: map[admin.ClockJob][]ClockRun{}}
	name := fmt.Sprintf("bench-clock-%d", time.Now().UnixNano())
	tpl, err := template.Load(filepath.Join(repoRoot, "template.yaml"), template.Options{TableName: name, AllowMissing: true})
	if err != nil {
		return f, err
	}
	// Without the stream: the clock's figure is its jobs' work, and on DynamoDB Local a growing
	// stream makes every request slower (with one, the clock's 128,000 items made a DescribeTable
	// take 2.3 s and the figure ran past 30 minutes).
	if _, err := tpl.Tables[0].WithoutStream().Ensure(ctx, db); err != nil {
		return f, err
	}
	defer func() {
		_, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	}()
	st := store.New(db, name)
	end := time.Now().UTC().Add(-time.Minute)
	specs := make([]ClockSpec, n)
	for i := range specs {
		specs[i] = ClockSpec{TrialEndsAt: end,
			Grant: &admin.DelegatedAdmin{Scope: admin.AccessLimited, StartsAt: end.AddDate(-1, 0, 0), EndsAt: end, AutoExtend: i%2 == 0, Status: "active"}}
	}
	start := time.Now()
	if _, err := NewClockWorld(ctx, st, "b", specs); err != nil {
		return f, err
	}
	f.Load = time.Since(start)
	for _, job := range admin.ClockJobs {
		r := &clock.Runner{Service: &admin.ClockService{Env: admin.Env{Now: time.Now, NewID: app.NewID}, Store: store.NewClock(st)}, Job: job,
			Function: string(job) + "-clock", Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		for range 10 {
			rctx, cancel := context.WithTimeout(ctx, ClockTimeout)
			mctx, meter := telemetry.With(rctx)
			t0 := time.Now()
			rep, err := r.Run(mctx)
			run := ClockRun{Report: rep, Took: time.Since(t0), RoundTrips: meter.RoundTrips, Sequential: meter.Sequential()}
			cancel()
			if err != nil {
				return f, fmt.Errorf("bench: clock %s: %w", job, err)
			}
			f.Runs[job] = append(f.Runs[job], run)
			if rep.Complete {
				break
			}
		}
	}
	return f, nil
}

// String is the figures as the bench prints them.
func (f ClockFigures) String() string {
	var b strings.Builder
	f.print(&b)
	return b.String()
}

func (f ClockFigures) print(w io.Writer) {
	fmt.Fprintf(w, "\nThe clock at scale: %d delegated administrations and %d trials ending at once (one partner; loaded in %s);\n",
		f.N, f.N, f.Load.Round(time.Millisecond))
	fmt.Fprintf(w, "each job run in-process on DynamoDB Local as its function runs it (16 steps in flight, pages of 100, %s timeout):\n", ClockTimeout)
	for _, job := range admin.ClockJobs {
		for i, r := range f.Runs[job] {
			rep := r.Report
			steps := rep.Reminded + rep.Extended + rep.Expired + rep.Rescheduled + rep.Dropped
			perItem := 0.0
			if rep.Due > 0 {
				perItem = float64(r.RoundTrips) / float64(rep.Due)
			}
			fmt.Fprintf(w, "  %s run %d: %s, %d pages, %d due, %d steps (%d expired, %d extended), %d emails, complete %v; %d requests (%.2f per item)\n",
				job, i+1, r.Took.Round(time.Millisecond), rep.Pages, rep.Due, steps, rep.Expired, rep.Extended, rep.Emails, rep.Complete, r.RoundTrips, perItem)
		}
	}
}
