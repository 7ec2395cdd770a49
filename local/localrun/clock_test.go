package localrun_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/local/bench"
	"github.com/partner-admin-center/pac/local/inbox"
	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// TestClockFunctionsReachTheInbox runs the real clock functions (built with their Makefile
// targets, invoked with the scheduled event, each twice at the same time as overlapping runs)
// and the real mailer on countdowns whose dates are past: every reminder and every end reaches
// the SES emulator exactly once.
func TestClockFunctionsReachTheInbox(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	rt := startFunctions(ctx, t, t.TempDir(), "clock-", "MailerFunction", "TrialClockFunction", "DelegatedAdminClockFunction")
	since := time.Now().Add(-time.Second)
	now := time.Now().UTC()
	day := 24 * time.Hour
	tag := fmt.Sprintf("e2e%d", now.UnixNano()%1_000_000)
	grant := func(scope admin.CustomerAccess, auto bool, ends time.Time) *admin.DelegatedAdmin {
		return &admin.DelegatedAdmin{Scope: scope, StartsAt: ends.AddDate(-1, 0, 0), EndsAt: ends, AutoExtend: auto, Status: "active"}
	}
	w, err := bench.NewClockWorld(ctx, store.New(rt.DynamoDB, rt.TableName), tag, []bench.ClockSpec{
		{Grant: grant(admin.AccessLimited, false, now.Add(29*day)), TrialEndsAt: now.Add(6 * day)},           // reminders
		{Grant: grant(admin.AccessLimited, true, now.Add(-time.Minute)), TrialEndsAt: now.Add(-time.Minute)}, // extends; trial expires
		{Grant: grant(admin.AccessFull, true, now.Add(-time.Minute))},                                        // full: expires
	})
	if err != nil {
		t.Fatal(err)
	}
	c := w.Customers
	expected := map[string]int{ // recipient → emails
		c[0].Admin:     2, // grant ending in 29 days, trial ending in 6 days
		c[1].Admin:     2, // grant extended, trial expired
		c[2].Admin:     1, // grant expired
		w.PartnerAdmin: 4, // grant ending, trial ending (POR), extended, expired (an expired trial is told to the customer)
	}
	event, _ := json.Marshal(map[string]any{"version": "0", "id": "e2e", "detail-type": "Scheduled Event", "source": "aws.events",
		"time": now.Format(time.RFC3339), "region": localrun.Region, "resources": []string{}, "detail": map[string]any{}})
	var wg sync.WaitGroup
	for _, fn := range []string{"TrialClockFunction", "DelegatedAdminClockFunction", "TrialClockFunction", "DelegatedAdminClockFunction"} {
		wg.Go(func() {
			out, err := rt.Functions.Invoke(ctx, fn, event)
			if err != nil {
				t.Errorf("%s: %v", fn, err)
				return
			}
			var rep admin.ClockReport
			if err := json.Unmarshal(out, &rep); err != nil || !rep.Complete || rep.Failed != 0 {
				t.Errorf("%s: %s (%v)", fn, out, err)
			}
		})
	}
	wg.Wait()
	// Two colliding transactions may both be cancelled, leaving that step due for the next run:
	// run each function once more, as the next schedule would.
	for _, fn := range []string{"TrialClockFunction", "DelegatedAdminClockFunction"} {
		if _, err := rt.Functions.Invoke(ctx, fn, event); err != nil {
			t.Fatalf("%s: %v", fn, err)
		}
	}
	total := 0
	for _, n := range expected {
		total += n
	}
	mine := func(es []inbox.Email) []inbox.Email {
		var out []inbox.Email
		for _, e := range es {
			if strings.Contains(strings.Join(e.Destination.To, ","), tag) {
				out = append(out, e)
			}
		}
		return out
	}
	wctx, wcancel := context.WithTimeout(ctx, 90*time.Second)
	defer wcancel()
	if _, err := inbox.Wait(wctx, rt.InboxURL, since, func(es []inbox.Email) bool { return len(mine(es)) >= total }); err != nil {
		t.Fatalf("the emails did not arrive: %v", err)
	}
	// The table holds exactly one outbox item per email, all sent: nothing more can arrive, so
	// the inbox's count is final.
	for {
		items := outboxItems(t, rt)
		sent := 0
		for _, it := range items {
			if it["status"].(*types.AttributeValueMemberS).Value == store.OutboxSent {
				sent++
			}
		}
		if len(items) != total {
			t.Fatalf("%d outbox items, want %d", len(items), total)
		}
		if sent == total {
			break
		}
		if wctx.Err() != nil {
			t.Fatalf("%d of %d outbox items sent", sent, total)
		}
		time.Sleep(50 * time.Millisecond) // polls the condition; the deadline above bounds it
	}
	emails, err := inbox.Fetch(ctx, rt.InboxURL, since)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	subjects := map[string]int{}
	for _, e := range mine(emails) {
		for _, to := range e.Destination.To {
			got[to]++
		}
		subjects[strings.Join(e.Destination.To, ",")+" "+e.Subject]++
	}
	for to, n := range expected {
		if got[to] != n {
			t.Errorf("%s got %d emails, want %d", to, got[to], n)
		}
	}
	for s, n := range subjects {
		if n != 1 {
			t.Errorf("%q arrived %d times", s, n)
		}
	}
	for _, s := range []string{"Your trial of Microsoft 365 Business Premium ends in 6 days", "Your trial of Microsoft 365 Business Premium has expired",
		"extended to", "has expired", "ends in 29 days"} {
		found := false
		for k := range subjects {
			found = found || strings.Contains(k, s)
		}
		if !found {
			t.Errorf("no email says %q: %v", s, subjects)
		}
	}
}

// outboxItems reads the table's outbox items (a test's Scan).
func outboxItems(t *testing.T, rt *localrun.Runtime) []map[string]types.AttributeValue {
	t.Helper()
	var out []map[string]types.AttributeValue
	in := &dynamodb.ScanInput{TableName: aws.String(rt.TableName), ConsistentRead: aws.Bool(true), FilterExpression: aws.String("#t = :o"),
		ExpressionAttributeNames: map[string]string{"#t": "Type"}, ExpressionAttributeValues: map[string]types.AttributeValue{":o": &types.AttributeValueMemberS{Value: store.TypeOutbox}}}
	for {
		res, err := rt.DynamoDB.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res.Items...)
		if res.LastEvaluatedKey == nil {
			return out
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
