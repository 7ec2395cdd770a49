package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
)

var (
	_ admin.NotificationStore    = Inbox{}
	_ admin.PartnerOfRecordStore = Inbox{}
)

func init() {
	contextGoldens = append(contextGoldens, "notification", "notification-customer-view", "outbox-subscription-event", "notification-settings",
		"subscription-partner-of-record-changed", "stored-notification-read", "stored-notification-stats")
}

// goldenEvent is a change of licenses of the golden active subscription, told to the golden
// partner.
func goldenEvent(d goldenDomain) admin.SubscriptionEvent {
	before, after := d.subActive, d.subActive
	after.Licenses, after.Version = 12, 2
	return admin.SubscriptionEvent{ID: admin.EventID(after.ID, after.Version, gPartner), Kind: admin.EventLicensesChanged, At: gAt(9),
		PartnerID: gPartner, Cloud: admin.CloudGlobal, CustomerID: gCustomer, CustomerName: d.customer.Name, Subscription: after, Before: &before}
}

// TestGoldenNotificationItems pins the items of the notifications context: the notification and
// its customer view, the email, a user's settings and a subscription whose Partner of Record
// changed; and reads them back.
func TestGoldenNotificationItems(t *testing.T) {
	ctx := context.Background()
	d := newGoldenDomain()
	db := &captureDB{}
	in := InboxOf(New(db, "golden"))
	puts := func(err error) []map[string]types.AttributeValue {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]types.AttributeValue
		for _, it := range db.txns[len(db.txns)-1] {
			if it.Put != nil {
				out = append(out, it.Put.Item)
			}
		}
		return out
	}
	e := goldenEvent(d)
	email := admin.Email{ID: "out_01jtgd00000000000000000010", OrgID: gPartner, To: []string{"ga@adatum.example"},
		Message: admin.SubscriptionNotice{Partner: d.partner, Event: e}}
	p := puts(in.Notify(ctx, e, []admin.Email{email}, gAt(9)))
	if len(p) != 3 {
		t.Fatalf("notify put %d items", len(p))
	}
	checkGolden(t, "notification", p[0])
	checkGolden(t, "notification-customer-view", p[1])
	checkGolden(t, "outbox-subscription-event", p[2])
	set := admin.NotificationSettings{PartnerID: gPartner, UserID: gUser, Email: true, Kinds: []admin.EventKind{admin.EventCancelled, admin.EventTrialExpired},
		Version: 1, UpdatedAt: gAt(9)}
	p = puts(in.PutNotificationSettings(ctx, set, 0))
	checkGolden(t, "notification-settings", p[0])
	moved := d.subActive
	t9 := gAt(9)
	moved.PORHistory = []admin.PORPeriod{{PartnerID: gPartner, From: d.subActive.PORHistory[0].From, To: &t9}, {PartnerID: gPartner2, From: t9}}
	moved.PartnerOfRecord, moved.Version = gPartner2, 2
	p = puts(in.ChangePartnerOfRecord(ctx, moved, 1, admin.CloudGlobal, []admin.Activity{d.plain}))
	checkGolden(t, "subscription-partner-of-record-changed", p[0])

	readBack := []struct {
		name string
		read func(map[string]types.AttributeValue) (any, error)
		want any
	}{
		{"notification", readItem[admin.Notification, notificationItem], admin.Notification{Event: withoutImageOnly(e)}},
		{"notification-customer-view", readItem[admin.Notification, notificationItem], admin.Notification{Event: withoutImageOnly(e)}},
		{"notification-settings", readItem[admin.NotificationSettings, settingsItem], set},
		{"subscription-partner-of-record-changed", readItem[admin.Subscription, subscriptionItem], moved},
	}
	for _, rb := range readBack {
		data, err := os.ReadFile(filepath.Join(goldenDir, rb.name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		item, err := ParseItemJSON(data)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := rb.read(item); err != nil || !reflect.DeepEqual(got, rb.want) {
			t.Errorf("%s read back\n got %#v\nwant %#v (%v)", rb.name, got, rb.want, err)
		}
	}
}

// withoutImageOnly is an event as a notification keeps it: the subscriptions without what only
// their own items hold (the history, the link, the creation time).
func withoutImageOnly(e admin.SubscriptionEvent) admin.SubscriptionEvent {
	strip := func(s admin.Subscription) admin.Subscription {
		s.PORHistory, s.LinkID, s.CreatedAt = nil, "", time.Time{}
		return s
	}
	e.Subscription = strip(e.Subscription)
	if e.Before != nil {
		b := strip(*e.Before)
		e.Before = &b
	}
	return e
}

// TestInbox runs the inbox on DynamoDB Local: unread first and newest first, every filter, paging,
// the unread count, a redelivered event writing nothing, marking one and all read, and one
// partner never reaching another's notifications.
func TestInbox(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	table := testenv.NewTable(t, db)
	in := InboxOf(New(db, table))
	const pa, pb = "ptn_01jtgd000000000000000000aa", "ptn_01jtgd000000000000000000bb"
	const c1, c2 = "cus_01jtgd000000000000000000c1", "cus_01jtgd000000000000000000c2"
	t0 := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	kinds := []admin.EventKind{admin.EventSubscriptionCreated, admin.EventLicensesChanged, admin.EventSuspended, admin.EventCancelled}
	var ids []string // partner A's events, oldest first
	for i := range 12 {
		cid := []string{c1, c2}[i%2]
		sub := admin.Subscription{ID: fmt.Sprintf("sub_01jtgd%020d", i), CustomerID: cid, ProductName: "P", Licenses: 1, Status: admin.SubscriptionActive,
			PartnerOfRecord: pa, Version: 1}
		e := admin.SubscriptionEvent{ID: admin.EventID(sub.ID, 1, pa), Kind: kinds[i%4], At: t0.Add(time.Duration(i) * time.Minute), PartnerID: pa,
			Cloud: admin.CloudGlobal, CustomerID: cid, CustomerName: "C", Subscription: sub}
		if err := in.Notify(ctx, e, nil, e.At); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
		if i == 0 {
			if err := in.Notify(ctx, e, nil, e.At); !errors.Is(err, ErrAlreadyNotified) {
				t.Fatalf("a redelivered event: %v", err)
			}
		}
	}
	other := admin.SubscriptionEvent{ID: admin.EventID("sub_01jtgd00000000000000000099", 1, pb), Kind: admin.EventSuspended, At: t0, PartnerID: pb,
		CustomerID: c1, Subscription: admin.Subscription{ID: "sub_01jtgd00000000000000000099", PartnerOfRecord: pb, Version: 1}}
	if err := in.Notify(ctx, other, nil, t0); err != nil {
		t.Fatal(err)
	}
	list := func(q admin.NotificationQuery) ([]string, int) {
		t.Helper()
		var out []string
		unread := -1
		for {
			p, n, err := in.Notifications(ctx, pa, q)
			if err != nil {
				t.Fatal(err)
			}
			unread = n
			for _, it := range p.Items {
				out = append(out, it.Event.ID)
			}
			if p.NextCursor == "" {
				return out, unread
			}
			q.Cursor = p.NextCursor
		}
	}
	newestFirst := func(idx ...int) []string {
		var out []string
		for i := len(idx) - 1; i >= 0; i-- {
			out = append(out, ids[idx[i]])
		}
		return out
	}
	got, unread := list(admin.NotificationQuery{PageRequest: admin.PageRequest{Limit: 5}})
	if !reflect.DeepEqual(got, newestFirst(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)) || unread != 12 {
		t.Fatalf("the inbox: %v (unread %d)", got, unread)
	}
	if err := in.MarkNotificationRead(ctx, pa, ids[11], t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := in.MarkNotificationRead(ctx, pa, ids[11], t0.Add(2*time.Hour)); err != nil {
		t.Fatalf("read again: %v", err)
	}
	if err := in.MarkNotificationRead(ctx, pb, ids[10], t0); admin.ErrorCode(err) != admin.CodeNotFound {
		t.Fatalf("another partner's notification: %v", err)
	}
	if err := in.MarkNotificationRead(ctx, pa, other.ID, t0); admin.ErrorCode(err) != admin.CodeNotFound {
		t.Fatalf("partner B's notification read by A: %v", err)
	}
	got, unread = list(admin.NotificationQuery{PageRequest: admin.PageRequest{Limit: 4}})
	if want := append(newestFirst(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), ids[11]); !reflect.DeepEqual(got, want) || unread != 11 {
		t.Fatalf("unread first: %v (unread %d)", got, unread)
	}
	if got, _ = list(admin.NotificationQuery{PageRequest: admin.PageRequest{Limit: 2}, Kind: admin.EventSuspended}); !reflect.DeepEqual(got, newestFirst(2, 6, 10)) {
		t.Errorf("by kind: %v", got)
	}
	if got, _ = list(admin.NotificationQuery{PageRequest: admin.PageRequest{Limit: 2}, CustomerID: c2}); !reflect.DeepEqual(got, append(newestFirst(1, 3, 5, 7, 9), ids[11])) {
		t.Errorf("by customer: %v", got)
	}
	if got, _ = list(admin.NotificationQuery{Kind: admin.EventLicensesChanged, CustomerID: c2}); !reflect.DeepEqual(got, newestFirst(1, 5, 9)) {
		t.Errorf("by kind and customer: %v", got)
	}
	if got, _ = list(admin.NotificationQuery{Kind: admin.EventCancelled, CustomerID: c1}); len(got) != 0 {
		t.Errorf("no match: %v", got)
	}
	if _, _, err := in.Notifications(ctx, pa, admin.NotificationQuery{PageRequest: admin.PageRequest{Cursor: encodeCursor("NTF#x")}}); admin.ErrorCode(err) != admin.CodeInvalidCursor {
		t.Errorf("a foreign cursor: %v", err)
	}
	marked, left, err := in.MarkNotificationsRead(ctx, pa, t0.Add(3*time.Hour), 7)
	if err != nil || marked != 7 || left != 4 {
		t.Fatalf("mark 7 read: %d %d %v", marked, left, err)
	}
	marked, left, err = in.MarkNotificationsRead(ctx, pa, t0.Add(3*time.Hour), 500)
	if err != nil || marked != 4 || left != 0 {
		t.Fatalf("mark the rest read: %d %d %v", marked, left, err)
	}
	p, unread, err := in.Notifications(ctx, pa, admin.NotificationQuery{})
	if err != nil || unread != 0 || len(p.Items) != 12 || p.Items[0].ReadAt == nil {
		t.Fatalf("all read: %d unread, %v", unread, err)
	}
	if _, n, _ := in.Notifications(ctx, pb, admin.NotificationQuery{}); n != 1 {
		t.Errorf("partner B's unread count %d", n)
	}
	// The read notification and the count as stored.
	for name, k := range map[string]map[string]types.AttributeValue{"stored-notification-read": key(partnerPK(pa), notificationSK(ids[11])),
		"stored-notification-stats": key(partnerPK(pa), skNotificationStats)} {
		res, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: k, ConsistentRead: aws.Bool(true)})
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, name, res.Item)
	}
}
