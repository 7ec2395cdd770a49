package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Webhooks (keys in keys.go, docs/architecture.md "Webhooks"):
//
//	webhook   PARTNER#<pid>  WEBHOOK#<wid>                    url, status, sealed secret, failingSince
//	count     PARTNER#<pid>  WEBHOOKS                         webhookCount (≤ admin.MaxWebhooks)
//	delivery  PARTNER#<pid>  WHDLV#<wid>#<eventId>            GSI1 WHDUE / <due ms>#… while pending
//	queue     PARTNER#<pid>  WHQ#<wid>#<sid>#<seq>#<eventId>  while the delivery is pending
//	log       PARTNER#<pid>  WHLOG#<wid>#<attemptId>
//
// A delivery is recorded with its queue entry in one transaction, conditional on the delivery's
// key (webhook and event id): a repeated Publish adds nothing. The head of a queue (one
// strongly consistent Query, Limit 1) is the only delivery of that subscription that may be sent.

// Webhooks is the store of the webhook context. It is a type of its own, not methods of Store,
// so that only the functions that wire webhooks link its code: a function that renders HTML
// (the link pages) keeps every exported method of a type it converts to an interface, and Store
// is converted everywhere.
type Webhooks struct{ *Store }

// NewWebhooks returns the webhook store over s.
func NewWebhooks(s *Store) Webhooks {
	registerEncoder(encodeWebhookDisabled, admin.WebhookDisabledNotice{})
	return Webhooks{s}
}

var _ admin.WebhookStore = Webhooks{}

// webhookSecretField binds a sealed secret to its webhook (seal.go's additional data).
const webhookSecretField = "webhookSecret"

type webhookItem struct {
	PK           string     `dynamodbav:"PK"`
	SK           string     `dynamodbav:"SK"`
	Type         string     `dynamodbav:"Type"`
	ID           string     `dynamodbav:"webhookId"`
	PartnerID    string     `dynamodbav:"partnerId"`
	URL          string     `dynamodbav:"url"`
	Description  string     `dynamodbav:"description,omitempty"`
	Status       string     `dynamodbav:"status"`
	SealedSecret string     `dynamodbav:"sealedSecret"`
	FailingSince *time.Time `dynamodbav:"failingSince,omitempty"`
	DisabledAt   *time.Time `dynamodbav:"disabledAt,omitempty"`
	CreatedBy    string     `dynamodbav:"createdBy"`
	CreatedAt    time.Time  `dynamodbav:"createdAt"`
}

func (it webhookItem) domain() admin.Webhook {
	w := admin.Webhook{ID: it.ID, PartnerID: it.PartnerID, URL: it.URL, Description: it.Description, Status: admin.WebhookStatus(it.Status),
		CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt}
	if it.FailingSince != nil {
		w.FailingSince = *it.FailingSince
	}
	if it.DisabledAt != nil {
		w.DisabledAt = *it.DisabledAt
	}
	return w
}

type deliveryItem struct {
	PK             string     `dynamodbav:"PK"`
	SK             string     `dynamodbav:"SK"`
	GSI1PK         string     `dynamodbav:"GSI1PK,omitempty"` // while pending
	GSI1SK         string     `dynamodbav:"GSI1SK,omitempty"`
	Type           string     `dynamodbav:"Type"`
	PartnerID      string     `dynamodbav:"partnerId"`
	WebhookID      string     `dynamodbav:"webhookId"`
	EventID        string     `dynamodbav:"eventId"`
	Kind           string     `dynamodbav:"kind"`
	SubscriptionID string     `dynamodbav:"subscriptionId"`
	Sequence       int        `dynamodbav:"sequence"`
	Body           string     `dynamodbav:"body"`
	Status         string     `dynamodbav:"status"`
	Attempts       int        `dynamodbav:"attempts"`
	CreatedAt      time.Time  `dynamodbav:"createdAt"`
	NextAttemptAt  int64      `dynamodbav:"nextAttemptAt"` // epoch ms
	LeaseUntil     int64      `dynamodbav:"leaseUntil,omitempty"`
	LeaseToken     string     `dynamodbav:"leaseToken,omitempty"`
	LastStatusCode int        `dynamodbav:"lastStatusCode,omitempty"`
	LastError      string     `dynamodbav:"lastError,omitempty"`
	FinishedAt     *time.Time `dynamodbav:"finishedAt,omitempty"`
	ExpiresAt      int64      `dynamodbav:"expiresAt"` // TTL: retention after it was recorded
}

func toDeliveryItem(d admin.WebhookDelivery) deliveryItem {
	it := deliveryItem{PK: partnerPK(d.PartnerID), SK: deliverySK(d.WebhookID, d.EventID), Type: typeWebhookDelivery, PartnerID: d.PartnerID,
		WebhookID: d.WebhookID, EventID: d.EventID, Kind: string(d.Kind), SubscriptionID: d.SubscriptionID, Sequence: d.Sequence,
		Body: string(d.Body), Status: string(d.Status), Attempts: d.Attempts, CreatedAt: d.CreatedAt.UTC(), NextAttemptAt: d.NextAttemptAt.UnixMilli(),
		LastStatusCode: d.LastStatusCode, LastError: capError(d.LastError), FinishedAt: optTime(d.FinishedAt.UTC()),
		ExpiresAt: d.CreatedAt.Add(admin.WebhookRetention).Unix()}
	if d.FinishedAt.IsZero() {
		it.FinishedAt = nil
	}
	if d.Status == admin.DeliveryPending {
		it.GSI1PK, it.GSI1SK = gsiWebhookDue, deliveryDueSK(d.NextAttemptAt, d)
	}
	return it
}

func (it deliveryItem) domain() admin.WebhookDelivery {
	d := admin.WebhookDelivery{PartnerID: it.PartnerID, WebhookID: it.WebhookID, EventID: it.EventID, Kind: admin.EventKind(it.Kind),
		SubscriptionID: it.SubscriptionID, Sequence: it.Sequence, Body: []byte(it.Body), Status: admin.DeliveryStatus(it.Status),
		Attempts: it.Attempts, CreatedAt: it.CreatedAt, NextAttemptAt: time.UnixMilli(it.NextAttemptAt).UTC(), LeaseToken: it.LeaseToken,
		LastStatusCode: it.LastStatusCode, LastError: it.LastError}
	if it.LeaseUntil != 0 {
		d.LeaseUntil = time.UnixMilli(it.LeaseUntil).UTC()
	}
	if it.FinishedAt != nil {
		d.FinishedAt = *it.FinishedAt
	}
	return d
}

type queueItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	Type      string `dynamodbav:"Type"`
	EventID   string `dynamodbav:"eventId"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

type attemptItem struct {
	PK         string    `dynamodbav:"PK"`
	SK         string    `dynamodbav:"SK"`
	Type       string    `dynamodbav:"Type"`
	ID         string    `dynamodbav:"attemptId"`
	WebhookID  string    `dynamodbav:"webhookId"`
	EventID    string    `dynamodbav:"eventId"`
	Kind       string    `dynamodbav:"kind"`
	Attempt    int       `dynamodbav:"attempt"`
	At         time.Time `dynamodbav:"at"`
	DurationMS int64     `dynamodbav:"durationMs"`
	StatusCode int       `dynamodbav:"statusCode,omitempty"`
	Error      string    `dynamodbav:"error,omitempty"`
	Outcome    string    `dynamodbav:"outcome"`
	ExpiresAt  int64     `dynamodbav:"expiresAt"`
}

func toAttemptItem(partnerID string, a admin.WebhookAttempt) attemptItem {
	return attemptItem{PK: partnerPK(partnerID), SK: attemptSK(a.WebhookID, a.ID), Type: typeWebhookAttempt, ID: a.ID, WebhookID: a.WebhookID,
		EventID: a.EventID, Kind: a.Kind, Attempt: a.Attempt, At: a.At.UTC(), DurationMS: a.Duration.Milliseconds(), StatusCode: a.StatusCode,
		Error: capError(a.Error), Outcome: string(a.Outcome), ExpiresAt: a.At.Add(admin.WebhookRetention).Unix()}
}

func (it attemptItem) domain() admin.WebhookAttempt {
	return admin.WebhookAttempt{ID: it.ID, WebhookID: it.WebhookID, EventID: it.EventID, Kind: it.Kind, Attempt: it.Attempt, At: it.At,
		Duration: time.Duration(it.DurationMS) * time.Millisecond, StatusCode: it.StatusCode, Error: it.Error, Outcome: admin.AttemptOutcome(it.Outcome)}
}

// Webhooks lists the partner's endpoints (without secrets).
func (s Webhooks) Webhooks(ctx context.Context, partnerID string) ([]admin.Webhook, error) {
	items, _, err := queryPage[webhookItem](ctx, s.Store, "list webhooks", partnerPK(partnerID), skWebhook, "", "",
		admin.PageRequest{Limit: admin.MaxPageSize}, true)
	if err != nil {
		return nil, err
	}
	return domains[webhookItem](items), nil
}

// Webhook reads one endpoint with its secret opened (when the store has a Sealer).
func (s Webhooks) Webhook(ctx context.Context, partnerID, webhookID string) (admin.Webhook, error) {
	var it webhookItem
	ok, err := s.get(ctx, "webhook", partnerPK(partnerID), webhookSK(webhookID), &it)
	if err != nil {
		return admin.Webhook{}, err
	}
	if !ok {
		return admin.Webhook{}, admin.NotFound("webhook")
	}
	w := it.domain()
	if s.Sealer != nil {
		if w.Secret, err = s.Sealer.open(w.ID, webhookSecretField, it.SealedSecret); err != nil {
			return admin.Webhook{}, err
		}
	}
	return w, nil
}

// CreateWebhook writes the endpoint with its secret sealed, raises the partner's count (at most
// admin.MaxWebhooks: CodeWebhookLimit), and writes the activity entry and the idempotency record.
func (s Webhooks) CreateWebhook(ctx context.Context, w admin.Webhook, a admin.Activity, idem *admin.Idempotency) error {
	if s.Sealer == nil {
		return errors.New("store: create webhook: no sealing key is configured (LINK_KEY)")
	}
	sealed, err := s.Sealer.seal(w.ID, webhookSecretField, w.Secret)
	if err != nil {
		return err
	}
	t := &txn{}
	t.idempotency(s.Store, idem, w.CreatedAt) // first: a replay wins over the limit it would now exceed
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(partnerPK(w.PartnerID), skWebhookCount),
		UpdateExpression:          aws.String("SET #t = :type ADD webhookCount :one"),
		ConditionExpression:       aws.String("attribute_not_exists(webhookCount) OR webhookCount < :max"),
		ExpressionAttributeNames:  map[string]string{"#t": attrType},
		ExpressionAttributeValues: map[string]types.AttributeValue{":type": str(typeWebhookCount), ":one": num(1), ":max": num(admin.MaxWebhooks)}}},
		func(map[string]types.AttributeValue) error {
			return admin.Errorf(admin.CodeWebhookLimit, "a partner has at most %d webhook endpoints; delete one first", admin.MaxWebhooks)
		})
	it := webhookItem{PK: partnerPK(w.PartnerID), SK: webhookSK(w.ID), Type: typeWebhook, ID: w.ID, PartnerID: w.PartnerID, URL: w.URL,
		Description: w.Description, Status: string(w.Status), SealedSecret: sealed, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt.UTC()}
	t.put(s.table, it, "attribute_not_exists(PK)", nil, nil, nil)
	t.put(s.table, logHeadItem{PK: it.PK, SK: logHeadSK(w.ID), Type: typeWebhookLogHead, WebhookID: w.ID}, "", nil, nil, nil)
	t.activity(s.table, a)
	return s.commit(ctx, "create webhook", t)
}

// DeleteWebhook removes the endpoint, lowers the count and writes the activity entry.
func (s Webhooks) DeleteWebhook(ctx context.Context, w admin.Webhook, a admin.Activity) error {
	t := &txn{}
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(partnerPK(w.PartnerID), webhookSK(w.ID)),
		ConditionExpression: aws.String("attribute_exists(PK)")}}, notFound("webhook"))
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(partnerPK(w.PartnerID), skWebhookCount),
		UpdateExpression: aws.String("ADD webhookCount :minus"), ConditionExpression: aws.String("webhookCount > :zero"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": num(-1), ":zero": num(0)}}}, notFound("webhook"))
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(partnerPK(w.PartnerID), logHeadSK(w.ID))}}, nil)
	t.activity(s.table, a)
	return s.commit(ctx, "delete webhook", t)
}

// update runs one conditional UpdateItem on an item of a partner; a failed condition is condErr.
func (s Webhooks) update(ctx context.Context, op string, k map[string]types.AttributeValue, in *dynamodb.UpdateItemInput, condErr error) error {
	in.TableName, in.Key, in.ReturnConsumedCapacity = &s.table, k, total
	access(ctx, "UpdateItem", k)
	out, err := s.db.UpdateItem(ctx, in)
	if err != nil {
		record(ctx, "UpdateItem")
		var cf *types.ConditionalCheckFailedException
		if errors.As(err, &cf) {
			return condErr
		}
		return fmt.Errorf("store: %s: %w", op, err)
	}
	record(ctx, "UpdateItem", ccs(out.ConsumedCapacity)...)
	return nil
}

// SetWebhookFailing records the start of a run of failures, or clears it (zero since).
func (s Webhooks) SetWebhookFailing(ctx context.Context, w admin.Webhook, since time.Time) error {
	in := &dynamodb.UpdateItemInput{ConditionExpression: aws.String("attribute_exists(PK)"), UpdateExpression: aws.String("REMOVE failingSince")}
	if !since.IsZero() {
		in.UpdateExpression = aws.String("SET failingSince = if_not_exists(failingSince, :since)")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":since": str(since.UTC().Format(time.RFC3339Nano))}
	}
	return s.update(ctx, "webhook failing", key(partnerPK(w.PartnerID), webhookSK(w.ID)), in, admin.NotFound("webhook"))
}

// DisableWebhook disables an active endpoint with the activity entry and the emails.
func (s Webhooks) DisableWebhook(ctx context.Context, w admin.Webhook, a admin.Activity, emails []admin.Email) error {
	t := &txn{}
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(partnerPK(w.PartnerID), webhookSK(w.ID)),
		UpdateExpression: aws.String("SET #st = :disabled, disabledAt = :at"), ConditionExpression: aws.String("#st = :active"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":disabled": str(string(admin.WebhookDisabled)),
			":active": str(string(admin.WebhookActive)), ":at": str(w.DisabledAt.UTC().Format(time.RFC3339Nano))}}},
		func(map[string]types.AttributeValue) error { return admin.ErrDeliveryBusy })
	t.activity(s.table, a)
	for _, e := range emails {
		if err := t.outbox(s.Store, e, a.At); err != nil {
			return err
		}
	}
	return s.commit(ctx, "disable webhook", t)
}

// AddDelivery records a pending delivery with its queue entry; added is false when that event's
// delivery to that endpoint exists already.
func (s Webhooks) AddDelivery(ctx context.Context, d admin.WebhookDelivery) (bool, error) {
	exists := errors.New("exists")
	t := &txn{}
	t.put(s.table, toDeliveryItem(d), "attribute_not_exists(PK)", nil, nil, func(map[string]types.AttributeValue) error { return exists })
	t.put(s.table, queueItem{PK: partnerPK(d.PartnerID), SK: queueSK(d), Type: typeWebhookQueue, EventID: d.EventID,
		ExpiresAt: d.CreatedAt.Add(admin.WebhookRetention).Unix()}, "attribute_not_exists(PK)", nil, nil, func(map[string]types.AttributeValue) error { return exists })
	err := s.commit(ctx, "add webhook delivery", t)
	if errors.Is(err, exists) {
		return false, nil
	}
	return err == nil, err
}

// Delivery reads one delivery.
func (s Webhooks) Delivery(ctx context.Context, partnerID, webhookID, eventID string) (admin.WebhookDelivery, bool, error) {
	var it deliveryItem
	ok, err := s.get(ctx, "webhook delivery", partnerPK(partnerID), deliverySK(webhookID, eventID), &it)
	if err != nil || !ok {
		return admin.WebhookDelivery{}, ok, err
	}
	return it.domain(), true, nil
}

// QueueHead returns the event id at the head of an endpoint's queue of a subscription.
func (s Webhooks) QueueHead(ctx context.Context, partnerID, webhookID, subscriptionID string) (string, bool, error) {
	items, _, err := queryPage[queueItem](ctx, s.Store, "webhook queue head", partnerPK(partnerID), queuePrefix(webhookID, subscriptionID), "", "",
		admin.PageRequest{Limit: 1}, true)
	if err != nil || len(items) == 0 {
		return "", false, err
	}
	return items[0].EventID, true, nil
}

// ClaimDelivery takes a pending delivery due by due whose lease (if any) ended before now. While
// held, its index entry moves to the lease's end: it is due again only if the holder dies.
func (s Webhooks) ClaimDelivery(ctx context.Context, d admin.WebhookDelivery, due, now time.Time, lease time.Duration) (admin.WebhookDelivery, error) {
	token, err := leaseToken()
	if err != nil {
		return admin.WebhookDelivery{}, err
	}
	until := now.Add(lease)
	in := &dynamodb.UpdateItemInput{
		UpdateExpression: aws.String("SET leaseUntil = :until, leaseToken = :token, GSI1SK = :gsk ADD attempts :one"),
		ConditionExpression: aws.String("#st = :pending AND nextAttemptAt <= :due AND " +
			"(attribute_not_exists(leaseUntil) OR leaseUntil < :now)"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":until": outboxNum(until.UnixMilli()), ":token": str(token),
			":gsk": str(deliveryDueSK(until, d)), ":one": num(1), ":pending": str(string(admin.DeliveryPending)),
			":due": outboxNum(due.UnixMilli()), ":now": outboxNum(now.UnixMilli())},
		ReturnValues: types.ReturnValueAllNew,
	}
	k := key(partnerPK(d.PartnerID), deliverySK(d.WebhookID, d.EventID))
	in.TableName, in.Key, in.ReturnConsumedCapacity = &s.table, k, total
	access(ctx, "UpdateItem", k)
	out, err := s.db.UpdateItem(ctx, in)
	if err != nil {
		record(ctx, "UpdateItem")
		var cf *types.ConditionalCheckFailedException
		if errors.As(err, &cf) {
			return admin.WebhookDelivery{}, admin.ErrDeliveryBusy
		}
		return admin.WebhookDelivery{}, fmt.Errorf("store: claim webhook delivery: %w", err)
	}
	record(ctx, "UpdateItem", ccs(out.ConsumedCapacity)...)
	var it deliveryItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return admin.WebhookDelivery{}, fmt.Errorf("store: claim webhook delivery: decode: %w", err)
	}
	return it.domain(), nil
}

// FinishAttempt writes the claimed delivery's new state (guarded by its lease token), the log
// entry, and, once the delivery is over, removes its queue entry, in one transaction.
func (s Webhooks) FinishAttempt(ctx context.Context, d admin.WebhookDelivery, log *admin.WebhookAttempt) error {
	token := d.LeaseToken
	d.LeaseToken, d.LeaseUntil = "", time.Time{}
	t := &txn{}
	t.put(s.table, toDeliveryItem(d), "leaseToken = :token", nil, map[string]types.AttributeValue{":token": str(token)},
		func(map[string]types.AttributeValue) error { return admin.ErrDeliveryBusy })
	if log != nil {
		t.put(s.table, toAttemptItem(d.PartnerID, *log), "", nil, nil, nil)
	}
	if d.Status != admin.DeliveryPending {
		t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(partnerPK(d.PartnerID), queueSK(d))}}, nil)
	}
	return s.commit(ctx, "finish webhook attempt", t)
}

// DeferDelivery moves a pending, unclaimed delivery's next attempt to until, if it is as read.
func (s Webhooks) DeferDelivery(ctx context.Context, d admin.WebhookDelivery, until time.Time) error {
	return s.update(ctx, "defer webhook delivery", key(partnerPK(d.PartnerID), deliverySK(d.WebhookID, d.EventID)), &dynamodb.UpdateItemInput{
		UpdateExpression:         aws.String("SET nextAttemptAt = :until, GSI1SK = :gsk"),
		ConditionExpression:      aws.String("#st = :pending AND nextAttemptAt = :was AND attribute_not_exists(leaseToken)"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":until": outboxNum(until.UnixMilli()), ":gsk": str(deliveryDueSK(until, d)),
			":pending": str(string(admin.DeliveryPending)), ":was": outboxNum(d.NextAttemptAt.UnixMilli())},
	}, admin.ErrDeliveryBusy)
}

// DueDeliveries lists pending deliveries due at now from GSI1, oldest first.
func (s Webhooks) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]admin.WebhookDelivery, error) {
	var out []admin.WebhookDelivery
	var start map[string]types.AttributeValue
	for len(out) < limit {
		access(ctx, "Query", map[string]types.AttributeValue{attrPK: str(gsiWebhookDue)})
		res, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName: &s.table, IndexName: aws.String(indexGSI1),
			KeyConditionExpression:    aws.String("GSI1PK = :pk AND GSI1SK < :upto"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(gsiWebhookDue), ":upto": str(padMillis(now.UnixMilli() + 1))},
			Limit:                     aws.Int32(int32(limit - len(out))), ExclusiveStartKey: start, ReturnConsumedCapacity: total,
		})
		if err != nil {
			record(ctx, "Query")
			return nil, fmt.Errorf("store: due webhook deliveries: %w", err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		var page []deliveryItem
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &page); err != nil {
			return nil, fmt.Errorf("store: due webhook deliveries: decode: %w", err)
		}
		out = append(out, domains[deliveryItem](page)...)
		if res.LastEvaluatedKey == nil {
			break
		}
		start = res.LastEvaluatedKey
	}
	return out, nil
}

// LogAttempt writes a log entry of its own (a test send).
func (s Webhooks) LogAttempt(ctx context.Context, partnerID string, a admin.WebhookAttempt) error {
	item := marshal(toAttemptItem(partnerID, a))
	access(ctx, "PutItem", item)
	out, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item, ReturnConsumedCapacity: total})
	if err != nil {
		record(ctx, "PutItem")
		return fmt.Errorf("store: log webhook attempt: %w", err)
	}
	record(ctx, "PutItem", ccs(out.ConsumedCapacity)...)
	return nil
}

// logHeadItem tops an endpoint's log (SK WHLOG#<wid>#~, after every ULID) while the endpoint
// exists: the first page of the log, read newest first, starts with it, so one Query both finds
// the endpoint (CodeNotFound without it) and reads the page.
type logHeadItem struct {
	PK        string `dynamodbav:"PK"`
	SK        string `dynamodbav:"SK"`
	Type      string `dynamodbav:"Type"`
	WebhookID string `dynamodbav:"webhookId"`
}

// Attempts pages an endpoint's delivery log, newest first; the first page (no cursor) is
// CodeNotFound when the endpoint does not exist. A later page's cursor came from the caller's own
// listing, in the caller's partition.
func (s Webhooks) Attempts(ctx context.Context, partnerID, webhookID string, page admin.PageRequest) (admin.Page[admin.WebhookAttempt], error) {
	first := page.Cursor == ""
	if first {
		page.Limit = int(clamp(page.Limit)) + 1 // the head, and a full page after it
	}
	items, next, err := queryPage[attemptItem](ctx, s.Store, "webhook delivery log", partnerPK(partnerID), attemptPrefix(webhookID), "", "", page, false)
	if err != nil {
		return admin.Page[admin.WebhookAttempt]{}, err
	}
	if first {
		if len(items) == 0 || items[0].Type != typeWebhookLogHead {
			return admin.Page[admin.WebhookAttempt]{}, admin.NotFound("webhook")
		}
		items = items[1:]
	}
	return admin.Page[admin.WebhookAttempt]{Items: domains[attemptItem](items), NextCursor: next}, nil
}
