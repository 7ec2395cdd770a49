package notifier_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/oklog/ulid/v2"

	"github.com/partner-admin-center/pac/local/bench"
	"github.com/partner-admin-center/pac/local/deploycheck"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/notifier"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/webhook"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	partnerA = "ptn_01jdnotifier000000000000aa"
	partnerB = "ptn_01jdnotifier000000000000bb"
	customer = "cus_01jdnotifier000000000000c1"
)

// world is a table with two partners (each with a global admin, a member, and partner A a user
// who chose only cancellations) and a customer.
type world struct {
	db    *dynamodb.Client
	table string
	st    *store.Store
	now   time.Time
	email map[string]string // partner id + "/" + company role → the user's address
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	w := &world{db: db, table: testenv.NewTable(t, db), now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), email: map[string]string{}}
	w.st = store.New(db, w.table)
	seq := 0
	user := func(pid string, role admin.CompanyRole) admin.User {
		seq++
		w.email[pid+"/"+string(role)] = fmt.Sprintf("u%d-%s@notify.example", seq, role)
		return admin.User{ID: fmt.Sprintf("usr_01jdnotifier%014d", seq), OrgID: pid, OrgKind: admin.OrgPartner, Email: w.email[pid+"/"+string(role)],
			DisplayName: "U", CompanyRole: role, CustomerAccess: admin.AccessNone, Status: admin.UserActive, Version: 1, CreatedAt: w.now, UpdatedAt: w.now}
	}
	act := func() admin.Activity {
		seq++
		return admin.Activity{ID: fmt.Sprintf("act_01jdnotifier%014d", seq), At: w.now, Actor: admin.Actor{Type: "operator", ID: "test"}, Action: "test"}
	}
	for _, pid := range []string{partnerA, partnerB} {
		p := admin.Partner{ID: pid, Contact: admin.Contact{Name: "Partner " + pid[len(pid)-2:], Email: "c@" + pid[len(pid)-2:] + ".example"},
			Cloud: admin.CloudGlobal, Authorizations: admin.Authorizations, UserCount: 1, GlobalAdmins: 1, Version: 1, CreatedAt: w.now, UpdatedAt: w.now}
		ga := user(pid, admin.RoleGlobalAdmin)
		a := act()
		a.OrgID = pid
		if err := w.st.CreatePartner(ctx, p, ga, admin.Login{Email: ga.Email, UserID: ga.ID, OrgID: pid, OrgKind: admin.OrgPartner, PasswordHash: "h"}, a, nil); err != nil {
			t.Fatal(err)
		}
		for _, role := range []admin.CompanyRole{admin.RoleNone, admin.RoleUserAdmin} {
			u := user(pid, role)
			a := act()
			a.OrgID = pid
			if err := w.st.CreateUser(ctx, u, admin.Login{Email: u.Email, UserID: u.ID, OrgID: pid, OrgKind: admin.OrgPartner, PasswordHash: "h"}, a, nil); err != nil {
				t.Fatal(err)
			}
			if role == admin.RoleUserAdmin && pid == partnerA {
				set := admin.NotificationSettings{PartnerID: pid, UserID: u.ID, Email: true, Kinds: []admin.EventKind{admin.EventCancelled}, Version: 1, UpdatedAt: w.now}
				if err := store.InboxOf(w.st).PutNotificationSettings(ctx, set, 0); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	c := admin.Customer{ID: customer, Name: "Fabrikam Ltd", DomainPrefix: "fabrikam", Country: "DE", Cloud: admin.CloudGlobal, Version: 1, CreatedAt: w.now}
	if err := store.WriteForTest(ctx, w.st, c); err != nil {
		t.Fatal(err)
	}
	return w
}

// publisher records the events it gets and fails the ones named in fail; it hands the others
// to next, if any (the real webhooks).
type publisher struct {
	mu   sync.Mutex
	got  []admin.SubscriptionEvent
	fail map[string]bool
	next admin.EventPublisher
}

func (p *publisher) Publish(ctx context.Context, e admin.SubscriptionEvent) error {
	p.mu.Lock()
	if p.fail[e.ID] {
		p.mu.Unlock()
		return errors.New("webhook endpoint down")
	}
	p.got = append(p.got, e)
	p.mu.Unlock()
	if p.next != nil {
		return p.next.Publish(ctx, e)
	}
	return nil
}

// webhooks registers a webhook endpoint of partner pid at a receiver on 127.0.0.1 and returns
// the publisher the notifier function uses (admin.WebhookService, the real client with the
// local runtime's loopback allowance).
func (w *world) webhooks(t *testing.T, pid string) (admin.EventPublisher, *bench.HookReceiver) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h, err := bench.NewHookReceiver(ctx)
	if err != nil {
		t.Fatal(err)
	}
	key, err := auth.NewLinkKey()
	if err != nil {
		t.Fatal(err)
	}
	st := *w.st
	if st.Sealer, err = store.NewSealer(key); err != nil {
		t.Fatal(err)
	}
	secret, err := webhook.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	hook := admin.Webhook{ID: "whk_01jdnotifier0000000000000" + pid[len(pid)-1:], PartnerID: pid, URL: h.URL, Status: admin.WebhookActive,
		Secret: secret, CreatedBy: "usr_01jdnotifier00000000000001", CreatedAt: w.now}
	act := admin.Activity{ID: "act_01jdnotifierhook00000000" + pid[len(pid)-2:], OrgID: pid, At: w.now, Actor: admin.Actor{Type: "operator", ID: "test"}, Action: "webhook.created"}
	if err := store.NewWebhooks(&st).CreateWebhook(ctx, hook, act, nil); err != nil {
		t.Fatal(err)
	}
	h.SetSecret(secret)
	return &admin.WebhookService{Env: admin.Env{Now: time.Now, NewID: func(p string) string { return p + "_" + ulid.Make().String() }},
		Store: store.NewWebhooks(&st), Sender: &webhook.Client{AllowLoopback: true}}, h
}

func (w *world) notifier(pub *publisher, metrics io.Writer) *notifier.Notifier {
	n := 0
	var mu sync.Mutex
	return &notifier.Notifier{Store: store.InboxOf(w.st), Publisher: pub, Now: func() time.Time { return w.now }, Function: "notifier", Metrics: metrics,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		NewID: func(prefix string) string {
			mu.Lock()
			defer mu.Unlock()
			n++
			return fmt.Sprintf("%s_01jdnotifier%014d", prefix, n)
		}}
}

// lambdaImage is an item in the shape of Lambda's stream event.
func lambdaImage(t *testing.T, av map[string]types.AttributeValue) map[string]events.DynamoDBAttributeValue {
	t.Helper()
	b, err := attributevalue.MarshalMapJSON(av)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]events.DynamoDBAttributeValue
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

var seq int

// record is the stream record of a subscription's change from before (nil: created) to after.
func record(t *testing.T, before *admin.Subscription, after admin.Subscription) events.DynamoDBEventRecord {
	t.Helper()
	seq++
	img := store.SubscriptionImage(after)
	r := events.DynamoDBEventRecord{EventName: "INSERT", EventID: fmt.Sprint(seq), Change: events.DynamoDBStreamRecord{
		SequenceNumber: fmt.Sprintf("%021d", seq), NewImage: lambdaImage(t, img),
		Keys: lambdaImage(t, map[string]types.AttributeValue{"PK": img["PK"], "SK": img["SK"]})}}
	if before != nil {
		r.EventName, r.Change.OldImage = "MODIFY", lambdaImage(t, store.SubscriptionImage(*before))
	}
	return r
}

func sub(n int, status admin.SubscriptionStatus, licenses, version int, por string) admin.Subscription {
	return admin.Subscription{ID: fmt.Sprintf("sub_01jdnotifier%014d", n), CustomerID: customer, ProductID: "m365-business-premium", ProductName: "Business Premium",
		Licenses: licenses, Status: status, PartnerOfRecord: por, Version: version, CreatedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
}

// eightKinds is one record of every kind of change (the change of Partner of Record from A to B).
func eightKinds(t *testing.T) []events.DynamoDBEventRecord {
	p := func(s admin.Subscription) *admin.Subscription { return &s }
	return []events.DynamoDBEventRecord{
		record(t, nil, sub(1, admin.SubscriptionActive, 10, 1, partnerA)),
		record(t, p(sub(2, admin.SubscriptionActive, 10, 1, partnerA)), sub(2, admin.SubscriptionActive, 12, 2, partnerA)),
		record(t, p(sub(3, admin.SubscriptionActive, 10, 1, partnerA)), sub(3, admin.SubscriptionSuspended, 10, 2, partnerA)),
		record(t, p(sub(4, admin.SubscriptionSuspended, 10, 1, partnerA)), sub(4, admin.SubscriptionActive, 10, 2, partnerA)),
		record(t, p(sub(5, admin.SubscriptionActive, 10, 1, partnerA)), sub(5, admin.SubscriptionCancelled, 10, 2, partnerA)),
		record(t, p(sub(6, admin.SubscriptionTrial, 25, 1, partnerA)), sub(6, admin.SubscriptionActive, 25, 2, partnerA)),
		record(t, p(sub(7, admin.SubscriptionTrial, 25, 1, partnerA)), sub(7, admin.SubscriptionExpired, 25, 2, partnerA)),
		record(t, p(sub(8, admin.SubscriptionActive, 10, 1, partnerA)), sub(8, admin.SubscriptionActive, 10, 2, partnerB)),
	}
}

// inbox lists a partner's notifications' kinds (newest first) and the unread count.
func (w *world) inbox(t *testing.T, pid string) ([]admin.EventKind, int) {
	t.Helper()
	p, unread, err := store.InboxOf(w.st).Notifications(context.Background(), pid, admin.NotificationQuery{PageRequest: admin.PageRequest{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []admin.EventKind
	for _, n := range p.Items {
		kinds = append(kinds, n.Event.Kind)
	}
	return kinds, unread
}

// outbox returns the pending subscription_event emails: recipients → event kinds.
func (w *world) outbox(t *testing.T) map[string][]string {
	t.Helper()
	res, err := w.db.Query(context.Background(), &dynamodb.QueryInput{TableName: &w.table, IndexName: aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :p"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":p": &types.AttributeValueMemberS{Value: "OUTBOX#pending"}}})
	if err != nil {
		t.Fatal(err)
	}
	var items []struct {
		Template string            `dynamodbav:"template"`
		To       []string          `dynamodbav:"to"`
		Data     map[string]string `dynamodbav:"data"`
	}
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, it := range items {
		if it.Template != "subscription_event" {
			continue
		}
		for _, to := range it.To {
			out[to] = append(out[to], it.Data["eventKind"]+"/"+it.Data["porRole"])
		}
	}
	for _, ks := range out {
		sort.Strings(ks)
	}
	return out
}

func failures(resp events.DynamoDBEventResponse) []string {
	var out []string
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

// TestEveryKindReachesTheInbox: each of the eight kinds of change reaches the Partner of Record's
// inbox (both partners for a change of Partner of Record), the emails of the users who want
// them (global admins by default; a user's own choice; nobody else) and the publisher (the real
// webhooks: a receiver on 127.0.0.1 verifies each signature); a redelivered batch writes and
// sends nothing twice (it publishes again, and the webhooks drop what they recorded); everything the notifier does is
// what template.yaml grants it.
func TestEveryKindReachesTheInbox(t *testing.T) {
	w := newWorld(t)
	hooks, receiver := w.webhooks(t, partnerA)
	pub := &publisher{next: hooks}
	log := deploycheck.NewAccessLog()
	n := w.notifier(pub, log)
	batch := events.DynamoDBEvent{Records: eightKinds(t)}
	resp, err := n.HandleStream(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("batch: %v %v", failures(resp), err)
	}
	kindsA, unreadA := w.inbox(t, partnerA)
	kindsB, unreadB := w.inbox(t, partnerB)
	wantA := slices.Clone(admin.EventKinds)
	slices.Sort(wantA)
	slices.Sort(kindsA)
	if !slices.Equal(kindsA, wantA) || unreadA != 8 || !slices.Equal(kindsB, []admin.EventKind{admin.EventPartnerOfRecordChanged}) || unreadB != 1 {
		t.Fatalf("inboxes: A %v (%d unread), B %v (%d unread)", kindsA, unreadA, kindsB, unreadB)
	}
	emails := w.outbox(t)
	// Partner A's global admin gets every kind; its user admin chose cancellations; its member
	// nothing; partner B's global admin the change of Partner of Record (as the new one).
	gaA, chooser, gaB := w.email[partnerA+"/global_admin"], w.email[partnerA+"/user_admin"], w.email[partnerB+"/global_admin"]
	if len(emails[gaA]) != 8 || !slices.Contains(emails[gaA], "subscription.partner_of_record_changed/previous") ||
		!slices.Equal(emails[chooser], []string{"subscription.cancelled/"}) ||
		!slices.Equal(emails[gaB], []string{"subscription.partner_of_record_changed/new"}) || len(emails) != 3 {
		t.Fatalf("emails %v", emails)
	}
	if len(pub.got) != 9 {
		t.Fatalf("published %d events", len(pub.got))
	}
	// Partner A's webhook receiver verified and got its eight events (sent at once, in Publish).
	hookIDs := func() []string {
		got, dups, bad := receiver.Received()
		if dups != 0 || bad != 0 {
			t.Errorf("webhook receiver: %d repeated, %d unverifiable requests", dups, bad)
		}
		var ids []string
		for _, a := range got {
			ids = append(ids, a.Event.Type)
		}
		slices.Sort(ids)
		return ids
	}
	var wantHooks []string
	for _, k := range wantA {
		wantHooks = append(wantHooks, string(k))
	}
	if got := hookIDs(); !slices.Equal(got, wantHooks) {
		t.Fatalf("webhook events %v, want %v", got, wantHooks)
	}
	// The same batch again (Lambda redelivers after a timeout): nothing new, published again.
	resp, err = n.HandleStream(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivered batch: %v %v", failures(resp), err)
	}
	if k, unread := w.inbox(t, partnerA); len(k) != 8 || unread != 8 {
		t.Errorf("after redelivery: %d notifications, %d unread", len(k), unread)
	}
	if again := w.outbox(t); fmt.Sprint(again) != fmt.Sprint(emails) {
		t.Errorf("after redelivery the emails are %v", again)
	}
	ids := func(es []admin.SubscriptionEvent) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.ID)
		}
		slices.Sort(out)
		return out
	}
	if len(pub.got) != 18 || !slices.Equal(ids(pub.got[:9]), ids(pub.got[9:])) {
		t.Errorf("republished %d events", len(pub.got)-9)
	}
	if got := hookIDs(); !slices.Equal(got, wantHooks) { // published again, sent once
		t.Errorf("after redelivery the webhook got %v", got)
	}
	if problems := deploycheck.LeastPrivilege(filepath.Join("..", "..", "template.yaml"), map[string]string{"NotifierFunction": "notifier"}, log); len(problems) > 0 {
		t.Errorf("least privilege:\n%v", problems)
	}
}

// TestPoisonAndFailedRecords: an undecodable record is reported by its sequence number while
// the rest of the batch is delivered; a record whose publishing fails is reported with the later
// records of the same subscription (held, to keep their order), not with other subscriptions'.
func TestPoisonAndFailedRecords(t *testing.T) {
	w := newWorld(t)
	pub := &publisher{fail: map[string]bool{}}
	n := w.notifier(pub, nil)
	p := func(s admin.Subscription) *admin.Subscription { return &s }
	good := record(t, nil, sub(20, admin.SubscriptionActive, 5, 1, partnerA))
	poison := record(t, nil, sub(21, admin.SubscriptionActive, 5, 1, partnerA))
	poison.Change.NewImage["licenses"] = events.NewStringAttribute("many")
	failing := record(t, p(sub(22, admin.SubscriptionActive, 5, 1, partnerA)), sub(22, admin.SubscriptionSuspended, 5, 2, partnerA))
	later := record(t, p(sub(22, admin.SubscriptionSuspended, 5, 2, partnerA)), sub(22, admin.SubscriptionActive, 5, 3, partnerA))
	other := record(t, nil, sub(23, admin.SubscriptionActive, 5, 1, partnerA))
	notSub := events.DynamoDBEventRecord{EventName: "INSERT", Change: events.DynamoDBStreamRecord{SequenceNumber: "000000000000000000999",
		NewImage: map[string]events.DynamoDBAttributeValue{"Type": events.NewStringAttribute("Outbox")}}}
	pub.fail[admin.EventID(sub(22, "", 0, 0, "").ID, 2, partnerA)] = true
	resp, err := n.HandleStream(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{good, poison, failing, later, other, notSub}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{poison.Change.SequenceNumber, failing.Change.SequenceNumber, later.Change.SequenceNumber}
	if got := failures(resp); !slices.Equal(got, want) {
		t.Fatalf("batch item failures %v, want %v", got, want)
	}
	kinds, _ := w.inbox(t, partnerA)
	// good and other created; the suspension is in the inbox (written before publishing failed);
	// the reactivation is held.
	slices.Sort(kinds)
	if !slices.Equal(kinds, []admin.EventKind{admin.EventSubscriptionCreated, admin.EventSubscriptionCreated, admin.EventSuspended}) {
		t.Fatalf("inbox %v", kinds)
	}
	// Lambda retries from the lowest reported record; the publisher is back.
	delete(pub.fail, admin.EventID(sub(22, "", 0, 0, "").ID, 2, partnerA))
	resp, _ = n.HandleStream(context.Background(), events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{poison, failing, later, other}})
	if got := failures(resp); !slices.Equal(got, []string{poison.Change.SequenceNumber}) {
		t.Fatalf("retry: failures %v", got)
	}
	kinds, unread := w.inbox(t, partnerA)
	if len(kinds) != 4 || unread != 4 {
		t.Fatalf("after the retry: %v (%d unread)", kinds, unread)
	}
	var order []admin.EventKind
	for _, e := range pub.got {
		if e.Subscription.ID == sub(22, "", 0, 0, "").ID {
			order = append(order, e.Kind)
		}
	}
	if !slices.Equal(order, []admin.EventKind{admin.EventSuspended, admin.EventReactivated}) {
		t.Errorf("published in order %v", order)
	}
}
