package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Inbox is the store of the Partner of Record notifications: the partners' inboxes (filled by
// the notifier, read and marked by the inbox routes), the users' email settings and the change of
// a Partner of Record (partner_of_record.go). It is a type of its own rather than methods of
// Store: a binary that links html/template (the link pages) keeps every exported method of Store,
// and only the functions of these routes and the notifier build an Inbox (app.Notifications).
type Inbox struct{ s *Store }

// InboxOf returns the notifications' side of s.
func InboxOf(s *Store) Inbox {
	registerEncoder(encodeSubscriptionNotice, admin.SubscriptionNotice{})
	return Inbox{s}
}

// ErrAlreadyNotified: the partner's inbox holds the event already (a redelivered change); the
// transaction that would have added it, with its emails, wrote nothing.
var ErrAlreadyNotified = errors.New("store: the event is in the inbox already")

// notificationItem is one event in a partner's inbox, and also its customer view (the same
// attributes under its own keys and Type; keys.go).
type notificationItem struct {
	PK           string             `dynamodbav:"PK"`
	SK           string             `dynamodbav:"SK"`
	GSI1PK       string             `dynamodbav:"GSI1PK"`
	GSI1SK       string             `dynamodbav:"GSI1SK"`
	GSI2PK       string             `dynamodbav:"GSI2PK"`
	GSI2SK       string             `dynamodbav:"GSI2SK"`
	Type         string             `dynamodbav:"Type"`
	ID           string             `dynamodbav:"eventId"`
	Kind         string             `dynamodbav:"kind"`
	At           time.Time          `dynamodbav:"at"`
	PartnerID    string             `dynamodbav:"partnerId"`
	Cloud        string             `dynamodbav:"cloud"`
	CustomerID   string             `dynamodbav:"customerId"`
	CustomerName string             `dynamodbav:"customerName"`
	Subscription eventSubscription  `dynamodbav:"subscription"`
	Before       *eventSubscription `dynamodbav:"before,omitempty"`
	ReadAt       *time.Time         `dynamodbav:"readAt,omitempty"`
	// Unread is the unread count when the item read from the inbox's GSI1 partition is its
	// count item (Type NotificationStats), which heads it.
	Unread int `dynamodbav:"unread,omitempty"`
}

// eventSubscription is what a notification keeps of a subscription before or after the change.
type eventSubscription struct {
	ID              string     `dynamodbav:"subscriptionId"`
	ProductID       string     `dynamodbav:"productId"`
	ProductName     string     `dynamodbav:"productName"`
	Licenses        int        `dynamodbav:"licenses"`
	Status          string     `dynamodbav:"status"`
	TrialEndsAt     *time.Time `dynamodbav:"trialEndsAt,omitempty"`
	PartnerOfRecord string     `dynamodbav:"partnerOfRecord"`
	Version         int        `dynamodbav:"version"`
}

func toEventSubscription(s admin.Subscription) eventSubscription {
	e := eventSubscription{ID: s.ID, ProductID: s.ProductID, ProductName: s.ProductName, Licenses: s.Licenses, Status: string(s.Status),
		PartnerOfRecord: s.PartnerOfRecord, Version: s.Version}
	if !s.TrialEndsAt.IsZero() {
		t := s.TrialEndsAt
		e.TrialEndsAt = &t
	}
	return e
}

func (e eventSubscription) domain(customerID string) admin.Subscription {
	s := admin.Subscription{ID: e.ID, CustomerID: customerID, ProductID: e.ProductID, ProductName: e.ProductName, Licenses: e.Licenses,
		Status: admin.SubscriptionStatus(e.Status), PartnerOfRecord: e.PartnerOfRecord, Version: e.Version}
	if e.TrialEndsAt != nil {
		s.TrialEndsAt = *e.TrialEndsAt
	}
	return s
}

// notificationItems are the notification item and its customer view of an event.
func notificationItems(e admin.SubscriptionEvent, readAt *time.Time) (notificationItem, notificationItem) {
	it := notificationItem{ID: e.ID, Kind: string(e.Kind), At: e.At.UTC(), PartnerID: e.PartnerID, Cloud: string(e.Cloud),
		CustomerID: e.CustomerID, CustomerName: e.CustomerName, Subscription: toEventSubscription(e.Subscription), ReadAt: readAt}
	if e.Before != nil {
		b := toEventSubscription(*e.Before)
		it.Before = &b
	}
	sk := inboxSK(readAt != nil, e.At, e.ID)
	main, view := it, it
	main.PK, main.SK, main.Type = partnerPK(e.PartnerID), notificationSK(e.ID), typeNotification
	main.GSI1PK, main.GSI1SK, main.GSI2PK, main.GSI2SK = inboxPK(e.PartnerID), sk, inboxKindPK(e.PartnerID, e.Kind), sk
	view.PK, view.SK, view.Type = partnerPK(e.PartnerID), notificationViewSK(e.ID), typeNotificationView
	view.GSI1PK, view.GSI1SK, view.GSI2PK, view.GSI2SK = inboxCustomerPK(e.PartnerID, e.CustomerID), sk,
		inboxCustomerKindPK(e.PartnerID, e.CustomerID, e.Kind), sk
	return main, view
}

func (it notificationItem) domain() admin.Notification {
	e := admin.SubscriptionEvent{ID: it.ID, Kind: admin.EventKind(it.Kind), At: it.At, PartnerID: it.PartnerID, Cloud: admin.Cloud(it.Cloud),
		CustomerID: it.CustomerID, CustomerName: it.CustomerName, Subscription: it.Subscription.domain(it.CustomerID)}
	if it.Before != nil {
		b := it.Before.domain(it.CustomerID)
		e.Before = &b
	}
	return admin.Notification{Event: e, ReadAt: it.ReadAt}
}

// notificationStatsItem counts a partner's unread notifications; every transaction that adds or
// reads one moves it. It heads the whole inbox's GSI1 partition (inboxCountSK).
type notificationStatsItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
	Type   string `dynamodbav:"Type"`
	Unread int    `dynamodbav:"unread"`
}

// settingsItem is a partner user's choice of notification emails.
type settingsItem struct {
	PK        string    `dynamodbav:"PK"`
	SK        string    `dynamodbav:"SK"`
	Type      string    `dynamodbav:"Type"`
	UserID    string    `dynamodbav:"userId"`
	Email     bool      `dynamodbav:"email"`
	Kinds     []string  `dynamodbav:"kinds"`
	Version   int       `dynamodbav:"version"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
}

func toSettingsItem(s admin.NotificationSettings) settingsItem {
	kinds := make([]string, len(s.Kinds))
	for i, k := range s.Kinds {
		kinds[i] = string(k)
	}
	return settingsItem{PK: partnerPK(s.PartnerID), SK: settingsSK(s.UserID), Type: typeNotificationSettings, UserID: s.UserID,
		Email: s.Email, Kinds: kinds, Version: s.Version, UpdatedAt: s.UpdatedAt}
}

func (it settingsItem) domain() admin.NotificationSettings {
	kinds := make([]admin.EventKind, len(it.Kinds))
	for i, k := range it.Kinds {
		kinds[i] = admin.EventKind(k)
	}
	return admin.NotificationSettings{PartnerID: strings.TrimPrefix(it.PK, "PARTNER#"), UserID: it.UserID, Email: it.Email, Kinds: kinds,
		Version: it.Version, UpdatedAt: it.UpdatedAt}
}

// unreadDelta adds d to the partner's unread count.
func (t *txn) unreadDelta(table, partnerID string, d int) {
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: aws.String(table), Key: key(partnerPK(partnerID), skNotificationStats),
		UpdateExpression:         aws.String("SET #t = :t, GSI1PK = :g, GSI1SK = :gs ADD unread :d"),
		ExpressionAttributeNames: map[string]string{"#t": attrType},
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": str(typeNotificationStats), ":d": num(d),
			":g": str(inboxPK(partnerID)), ":gs": str(inboxCountSK)}}}, nil)
}

// Notify adds an event to its partner's inbox (the notification, its customer view, the unread
// count) with its emails, in one transaction on the condition that the inbox does not hold it
// yet: ErrAlreadyNotified when it does, and then nothing was written.
func (in Inbox) Notify(ctx context.Context, e admin.SubscriptionEvent, emails []admin.Email, now time.Time) error {
	s := in.s
	var t txn
	main, view := notificationItems(e, nil)
	t.put(s.table, main, "attribute_not_exists(PK)", nil, nil, func(map[string]types.AttributeValue) error { return ErrAlreadyNotified })
	t.put(s.table, view, "attribute_not_exists(PK)", nil, nil, func(map[string]types.AttributeValue) error { return ErrAlreadyNotified })
	t.unreadDelta(s.table, e.PartnerID, 1)
	for _, m := range emails {
		if err := t.outbox(s, m, now); err != nil {
			return err
		}
	}
	return s.commit(ctx, "notify "+e.PartnerID+" of "+e.ID, &t)
}

// Notifications reads a page of the partner's inbox, unread first and newest first within
// each, from the index of the query's filter, and the unread count: with the first page of the
// whole inbox (one Query), else alongside it (a GetItem at the same time).
func (in Inbox) Notifications(ctx context.Context, partnerID string, q admin.NotificationQuery) (admin.Page[admin.Notification], int, error) {
	s := in.s
	index, pk := indexGSI1, inboxPK(partnerID)
	switch {
	case q.Kind != "" && q.CustomerID != "":
		index, pk = indexGSI2, inboxCustomerKindPK(partnerID, q.CustomerID, q.Kind)
	case q.Kind != "":
		index, pk = indexGSI2, inboxKindPK(partnerID, q.Kind)
	case q.CustomerID != "":
		pk = inboxCustomerPK(partnerID, q.CustomerID)
	}
	below := ""
	if q.Cursor != "" {
		b, err := decodeCursor(q.Cursor, "", "", "")
		if err != nil || !(strings.HasPrefix(b, inboxUnread) || strings.HasPrefix(b, inboxRead)) {
			return admin.Page[admin.Notification]{}, 0, invalidCursor()
		}
		below = b
	}
	limit := int(clamp(q.Limit))
	var unread int
	var items []notificationItem
	var err error
	if pk == inboxPK(partnerID) && below == "" {
		// The whole inbox's first page: its count item heads the partition, one Query.
		if items, err = s.inboxQuery(ctx, index, pk, below, limit+2); err != nil {
			return admin.Page[admin.Notification]{}, 0, err
		}
		if len(items) > 0 && items[0].Type == typeNotificationStats {
			unread, items = items[0].Unread, items[1:]
		}
	} else {
		stats := make(chan error, 1)
		go func() {
			var st notificationStatsItem
			_, err := s.get(ctx, "inbox counts "+partnerID, partnerPK(partnerID), skNotificationStats, &st)
			unread = st.Unread
			stats <- err
		}()
		items, err = s.inboxQuery(ctx, index, pk, below, limit+1)
		if serr := <-stats; err == nil {
			err = serr
		}
		if err != nil {
			return admin.Page[admin.Notification]{}, 0, err
		}
	}
	var page admin.Page[admin.Notification]
	if len(items) > limit {
		items = items[:limit]
		gsk := items[limit-1].GSI1SK
		if index == indexGSI2 {
			gsk = items[limit-1].GSI2SK
		}
		page.NextCursor = encodeCursor(gsk)
	}
	page.Items = domains[notificationItem](items)
	return page, max(unread, 0), nil
}

// inboxQuery reads up to n items of an inbox index partition, descending from below (exclusive;
// "" from the top), optionally only those whose sort key starts with prefix.
func (s *Store) inboxQuery(ctx context.Context, index, pk, below string, n int) ([]notificationItem, error) {
	return s.inboxQueryPrefix(ctx, index, pk, below, "", n)
}

func (s *Store) inboxQueryPrefix(ctx context.Context, index, pk, below, prefix string, n int) ([]notificationItem, error) {
	pkAttr, skAttr := attrGSI1PK, attrGSI1SK
	if index == indexGSI2 {
		pkAttr, skAttr = attrGSI2PK, attrGSI2SK
	}
	cond := pkAttr + " = :pk"
	values := map[string]types.AttributeValue{":pk": str(pk)}
	switch {
	case below != "":
		cond += " AND " + skAttr + " < :below"
		values[":below"] = str(below)
	case prefix != "":
		cond += " AND begins_with(" + skAttr + ", :prefix)"
		values[":prefix"] = str(prefix)
	}
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(index), ScanIndexForward: aws.Bool(false),
		KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values, ReturnConsumedCapacity: total}
	access(ctx, "Query", map[string]types.AttributeValue{attrPK: str(pk)})
	var out []notificationItem
	for len(out) < n {
		in.Limit = aws.Int32(int32(n - len(out)))
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("store: inbox %s: %w", pk, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		var got []notificationItem
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &got); err != nil {
			return nil, fmt.Errorf("store: decode inbox %s: %w", pk, err)
		}
		out = append(out, got...)
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	return out, nil
}

// errReadAlready is the failed condition of marking a notification read that is read already.
var errReadAlready = errors.New("store: notification read already")

// markRead adds the updates that mark n read at now to t: the notification and its customer
// view move to the read part of their indexes, on the condition that it is still unread.
func (t *txn) markRead(table string, n notificationItem, now time.Time) {
	sk := inboxSK(true, n.At, n.ID)
	values := map[string]types.AttributeValue{":now": str(now.UTC().Format(time.RFC3339Nano)), ":sk": str(sk), ":unread": str(n.GSI1SK)}
	for _, k := range []string{notificationSK(n.ID), notificationViewSK(n.ID)} {
		t.add(types.TransactWriteItem{Update: &types.Update{TableName: aws.String(table), Key: key(partnerPK(n.PartnerID), k),
			UpdateExpression:                    aws.String("SET readAt = :now, GSI1SK = :sk, GSI2SK = :sk"),
			ConditionExpression:                 aws.String("GSI1SK = :unread"),
			ExpressionAttributeValues:           values,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureNone}},
			func(map[string]types.AttributeValue) error { return errReadAlready })
	}
}

// MarkNotificationRead marks one notification read: one read, then one transaction (both items
// and the unread count). A notification read already is no change.
func (in Inbox) MarkNotificationRead(ctx context.Context, partnerID, notificationID string, now time.Time) error {
	s := in.s
	for attempt := 0; ; attempt++ {
		var n notificationItem
		ok, err := s.get(ctx, "get notification "+notificationID, partnerPK(partnerID), notificationSK(notificationID), &n)
		if err != nil {
			return err
		}
		if !ok {
			return admin.NotFound("notification")
		}
		if n.ReadAt != nil {
			return nil
		}
		var t txn
		t.markRead(s.table, n, now)
		t.unreadDelta(s.table, partnerID, -1)
		err = s.commit(ctx, "mark notification read "+notificationID, &t)
		if errors.Is(err, errReadAlready) {
			return nil // read meanwhile
		}
		if admin.ErrorCode(err) != admin.CodeConcurrentRequest || attempt == 2 {
			return err
		}
	}
}

// markBatch is how many notifications one transaction of MarkNotificationsRead marks (two
// updates each, and the count).
const markBatch = 25

// MarkNotificationsRead marks up to limit unread notifications read, newest first, a
// transaction of markBatch at a time; a batch that met a concurrent change (a notification read
// meanwhile) is read again. It returns how many it marked and the unread count left.
func (in Inbox) MarkNotificationsRead(ctx context.Context, partnerID string, now time.Time, limit int) (int, int, error) {
	s := in.s
	marked, conflicts := 0, 0
	for marked < limit {
		items, err := s.inboxQueryPrefix(ctx, indexGSI1, inboxPK(partnerID), "", inboxUnread, min(markBatch, limit-marked))
		if err != nil {
			return marked, 0, err
		}
		if len(items) == 0 {
			break
		}
		var t txn
		for _, n := range items {
			t.markRead(s.table, n, now)
		}
		t.unreadDelta(s.table, partnerID, -len(items))
		err = s.commit(ctx, "mark notifications read "+partnerID, &t)
		switch {
		case err == nil:
			marked += len(items)
		case errors.Is(err, errReadAlready) || admin.ErrorCode(err) == admin.CodeConcurrentRequest:
			// The index is eventually consistent, and another request may be marking too: read
			// the unread part again, a bounded number of times.
			if conflicts++; conflicts > 5 {
				return marked, 0, admin.Errorf(admin.CodeConcurrentRequest, "notifications changed meanwhile; retry")
			}
			if err := pauseBriefly(ctx, conflicts); err != nil {
				return marked, 0, err
			}
		default:
			return marked, 0, err
		}
	}
	var st notificationStatsItem
	if _, err := s.get(ctx, "inbox counts "+partnerID, partnerPK(partnerID), skNotificationStats, &st); err != nil {
		return marked, 0, err
	}
	return marked, max(st.Unread, 0), nil
}

// pauseBriefly waits a little longer after each conflict (the index catching up), or until ctx
// ends.
func pauseBriefly(ctx context.Context, attempt int) error {
	t := time.NewTimer(time.Duration(20*attempt) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NotificationSettings reads a user's email settings.
func (in Inbox) NotificationSettings(ctx context.Context, partnerID, userID string) (admin.NotificationSettings, bool, error) {
	s := in.s
	var it settingsItem
	ok, err := s.get(ctx, "get notification settings "+userID, partnerPK(partnerID), settingsSK(userID), &it)
	if err != nil || !ok {
		return admin.NotificationSettings{}, false, err
	}
	return it.domain(), true, nil
}

// PutNotificationSettings writes a user's email settings, guarded by prevVersion (0: new).
func (in Inbox) PutNotificationSettings(ctx context.Context, set admin.NotificationSettings, prevVersion int) error {
	s := in.s
	var t txn
	if prevVersion == 0 {
		t.put(s.table, toSettingsItem(set), "attribute_not_exists(PK)", nil, nil, func(old map[string]types.AttributeValue) error {
			var v struct {
				Version int `dynamodbav:"version"`
			}
			_ = attributevalue.UnmarshalMap(old, &v)
			return admin.Errorf(admin.CodeVersionConflict, "the notification settings changed since you read them (current version %d); re-read and retry", v.Version)
		})
	} else {
		t.put(s.table, toSettingsItem(set), "version = :prev", nil, map[string]types.AttributeValue{":prev": num(prevVersion)},
			versionGuard("notification settings"))
	}
	return s.commit(ctx, "put notification settings "+set.UserID, &t)
}

// PartnerRecipients reads what choosing the recipients of a partner's notification emails
// needs: its users and their settings (two Queries of its partition, concurrently).
func (in Inbox) PartnerRecipients(ctx context.Context, partnerID string) ([]admin.User, []admin.NotificationSettings, error) {
	s := in.s
	var users []userItem
	done := make(chan error, 1)
	go func() {
		var err error
		users, err = queryAll[userItem](ctx, s, "partner users", partnerPK(partnerID), skUser)
		done <- err
	}()
	sets, err := queryAll[settingsItem](ctx, s, "notification settings", partnerPK(partnerID), skNotificationSettings)
	if uerr := <-done; err == nil {
		err = uerr
	}
	if err != nil {
		return nil, nil, err
	}
	return domains[userItem](users), domains[settingsItem](sets), nil
}

// queryAll reads every item of partition pk whose sort key starts with prefix.
func queryAll[T any](ctx context.Context, s *Store, op, pk, prefix string) ([]T, error) {
	var out []T
	page := admin.PageRequest{Limit: admin.MaxPageSize}
	for {
		items, next, err := queryPage[T](ctx, s, op, pk, prefix, "", "", page, true)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if next == "" {
			return out, nil
		}
		page.Cursor = next
	}
}

// NotifierFacts reads what the events of a change need besides the images: the customer (its
// name and cloud) and the partners told, in one BatchGetItem. A partner that does not exist is
// left out.
func (in Inbox) NotifierFacts(ctx context.Context, customerID string, partnerIDs []string) (admin.Customer, map[string]admin.Partner, error) {
	s := in.s
	keys := []map[string]types.AttributeValue{key(customerPK(customerID), skProf)}
	outs := []any{&customerItem{}}
	for _, pid := range partnerIDs {
		keys = append(keys, key(partnerPK(pid), skProf))
		outs = append(outs, &partnerItem{})
	}
	found, err := s.batchGet(ctx, "notifier facts", keys, outs...)
	if err != nil {
		return admin.Customer{}, nil, err
	}
	if !found[0] {
		return admin.Customer{}, nil, admin.NotFound("customer")
	}
	partners := map[string]admin.Partner{}
	for i, pid := range partnerIDs {
		if found[i+1] {
			partners[pid] = outs[i+1].(*partnerItem).domain()
		}
	}
	return outs[0].(*customerItem).domain(), partners, nil
}

// DecodeSubscriptionImage decodes a stream image of the table into a subscription; ok is false
// when the image is not a subscription item.
func DecodeSubscriptionImage(image map[string]types.AttributeValue) (admin.Subscription, bool, error) {
	t, _ := image[attrType].(*types.AttributeValueMemberS)
	if t == nil || t.Value != typeSubscription {
		return admin.Subscription{}, false, nil
	}
	var it subscriptionItem
	if err := attributevalue.UnmarshalMap(image, &it); err != nil {
		return admin.Subscription{}, false, fmt.Errorf("store: decode subscription image: %w", err)
	}
	if it.ID == "" || it.CustomerID == "" {
		return admin.Subscription{}, false, fmt.Errorf("store: subscription image without its ids")
	}
	return it.domain(), true, nil
}

// SubscriptionImage is a subscription's item as the table stores it (and its stream carries):
// for tests and benchmarks of the notifier.
func SubscriptionImage(sub admin.Subscription) map[string]types.AttributeValue {
	return marshal(toSubscriptionItem(sub))
}

// WriteForTest puts the items of customers (their profiles), partners (their profiles) and
// subscriptions one by one, as plain puts without the business transactions around them: for
// tests and benchmarks of the notifier, whose stream records they make.
func WriteForTest(ctx context.Context, s *Store, values ...any) error {
	for _, v := range values {
		var item any
		switch v := v.(type) {
		case admin.Customer:
			item = toCustomerItem(v)
		case admin.Partner:
			item = toPartnerItem(v)
		case admin.Subscription:
			item = toSubscriptionItem(v)
		default:
			return fmt.Errorf("store: write for test: %T", v)
		}
		if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: marshal(item)}); err != nil {
			return fmt.Errorf("store: write for test: %w", err)
		}
	}
	return nil
}

// Notified reports which of up to 100 events are in the partner's inbox (one strongly
// consistent BatchGetItem): for tests and benchmarks of the notifier.
func (in Inbox) Notified(ctx context.Context, partnerID string, eventIDs []string) ([]bool, error) {
	keys := make([]map[string]types.AttributeValue, len(eventIDs))
	outs := make([]any, len(eventIDs))
	for i, id := range eventIDs {
		keys[i], outs[i] = key(partnerPK(partnerID), notificationSK(id)), &notificationItem{}
	}
	return in.s.batchGet(ctx, "notified", keys, outs...)
}
