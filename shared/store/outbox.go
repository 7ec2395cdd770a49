package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// The outbox (docs/architecture.md, "Email outbox"): business transactions add a pending item
// per email (txn.outbox); the mailer claims it from the table stream (pending → sending, with a
// lease), sends it, and marks it sent, backs it off (→ pending, later nextAttemptAt) or marks it
// failed; the sweeper re-drives pending items that are due and reclaims expired leases. Every
// transition is a conditional UpdateItem on the item's status (and, after a claim, on the
// claim's lease token), so concurrent or repeated deliveries of the same record cannot send an
// email twice: only the claim's holder may complete it.

// Outbox statuses.
const (
	OutboxPending = "pending"
	OutboxSending = "sending"
	OutboxSent    = "sent"
	OutboxFailed  = "failed"
)

// How long finished outbox items stay in the table (TTL), for support and audits.
const (
	OutboxSentRetention   = 30 * 24 * time.Hour
	OutboxFailedRetention = 90 * 24 * time.Hour
)

// OutboxItem is an outbox item as stored (and as it appears in the table stream's images): the
// adapter's item struct, exported for the mailer. Its attributes are pinned by
// testdata/golden/*outbox*.json; the Type and keys are built in keys.go.
type OutboxItem struct {
	PK            string            `dynamodbav:"PK"`
	SK            string            `dynamodbav:"SK"`
	GSI1PK        string            `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK        string            `dynamodbav:"GSI1SK,omitempty"`
	Type          string            `dynamodbav:"Type"`
	ID            string            `dynamodbav:"outboxId"`
	OrgID         string            `dynamodbav:"orgId"`
	Template      string            `dynamodbav:"template"`
	To            []string          `dynamodbav:"to"`
	Data          map[string]string `dynamodbav:"data"`
	Sealed        map[string]string `dynamodbav:"sealed,omitempty"` // secret facts, encrypted (seal.go); removed when sent or failed
	Status        string            `dynamodbav:"status"`
	Attempts      int               `dynamodbav:"attempts"`
	NextAttemptAt int64             `dynamodbav:"nextAttemptAt"` // epoch ms
	CreatedAt     time.Time         `dynamodbav:"createdAt"`
	MessageID     string            `dynamodbav:"messageId,omitempty"`
	SentAt        string            `dynamodbav:"sentAt,omitempty"`   // RFC 3339
	FailedAt      string            `dynamodbav:"failedAt,omitempty"` // RFC 3339
	LastError     string            `dynamodbav:"lastError,omitempty"`
	LeaseUntil    int64             `dynamodbav:"leaseUntil,omitempty"` // epoch ms, while sending
	LeaseToken    string            `dynamodbav:"leaseToken,omitempty"` // the claim's random token
	Redrives      int               `dynamodbav:"redrives,omitempty"`   // sweeper touches
	ExpiresAt     int64             `dynamodbav:"expiresAt,omitempty"`  // TTL, epoch s
}

// Due reports whether a pending item's next attempt is due at now.
func (it OutboxItem) Due(now time.Time) bool { return it.NextAttemptAt <= now.UnixMilli() }

// outbox adds a pending outbox item for e to the transaction: the one way business code queues
// an email. The item is due at once (nextAttemptAt = now); its INSERT stream record reaches the
// mailer.
func (t *txn) outbox(s *Store, e admin.Email, now time.Time) error {
	oe, err := outboxEmail(e)
	if err != nil {
		return err
	}
	if secrets := secretFacts(e.Message); len(secrets) > 0 {
		if oe.Sealed, err = s.sealFacts(e.ID, secrets); err != nil {
			return err
		}
	}
	t.outboxItem(s, oe, now)
	return nil
}

func (t *txn) outboxItem(s *Store, e OutboxEmail, now time.Time) {
	t.put(s.table, newOutboxItem(e, now), "attribute_not_exists(PK)", nil, nil, nil)
}

func newOutboxItem(e OutboxEmail, now time.Time) OutboxItem {
	return OutboxItem{PK: outboxPK(e.ID), SK: skOutbox, GSI1PK: outboxGSIPK(OutboxPending), GSI1SK: outboxGSISK(now),
		Type: TypeOutbox, ID: e.ID, OrgID: e.OrgID, Template: e.Template, To: e.To, Data: e.Data, Sealed: e.Sealed, Status: OutboxPending,
		NextAttemptAt: now.UnixMilli(), CreatedAt: now.UTC()}
}

// WriteOutboxForTest writes pending outbox items in one transaction, as a business transaction
// would (for tests and benchmarks of the mailer; at most 100 items).
func (s *Store) WriteOutboxForTest(ctx context.Context, now time.Time, emails ...OutboxEmail) error {
	t := &txn{}
	for _, e := range emails {
		t.outboxItem(s, e, now)
	}
	return s.commit(ctx, "write outbox", t)
}

// Errors of the outbox transitions.
var (
	// ErrNotClaimable: the item is not pending-and-due, nor sending with an expired lease
	// (already sent, failed, claimed by another delivery, not due yet, or gone).
	ErrNotClaimable = errors.New("store: outbox item is not claimable")
	// ErrLeaseLost: the item is no longer held by this claim (the lease expired and another
	// delivery took it, or it changed otherwise).
	ErrLeaseLost = errors.New("store: outbox lease lost")
	// ErrOutboxChanged: a sweeper re-drive found the item changed since it was listed.
	ErrOutboxChanged = errors.New("store: outbox item changed")
)

func outboxNum(n int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}
func outboxStr(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

// update runs one conditional UpdateItem on an outbox item; a failed condition is condErr.
func (s *Store) outboxUpdate(ctx context.Context, op, id string, in *dynamodb.UpdateItemInput, condErr error) (*dynamodb.UpdateItemOutput, error) {
	in.TableName = &s.table
	in.Key = key(outboxPK(id), skOutbox)
	in.ReturnConsumedCapacity = total
	if in.ExpressionAttributeNames == nil {
		in.ExpressionAttributeNames = map[string]string{}
	}
	in.ExpressionAttributeNames["#st"] = "status"
	access(ctx, "UpdateItem", in.Key)
	out, err := s.db.UpdateItem(ctx, in)
	if err != nil {
		record(ctx, "UpdateItem") // a failed call is a round trip too
		var cf *types.ConditionalCheckFailedException
		if errors.As(err, &cf) {
			return nil, condErr
		}
		return nil, fmt.Errorf("store: %s %s: %w", op, id, err)
	}
	record(ctx, "UpdateItem", ccs(out.ConsumedCapacity)...)
	return out, nil
}

// ClaimOutbox takes an outbox item for sending: pending and due, or sending with an expired
// lease (its sender died), becomes sending with a fresh lease until now+lease and one more
// attempt. It returns the item as claimed (read from the table, not from the stream image), or
// ErrNotClaimable.
func (s *Store) ClaimOutbox(ctx context.Context, id string, now time.Time, lease time.Duration) (OutboxItem, error) {
	token, err := leaseToken()
	if err != nil {
		return OutboxItem{}, err
	}
	until := now.Add(lease)
	out, err := s.outboxUpdate(ctx, "claim outbox", id, &dynamodb.UpdateItemInput{
		UpdateExpression: aws.String("SET #st = :sending, leaseUntil = :until, leaseToken = :token, GSI1PK = :gpk, GSI1SK = :gsk, " +
			"attempts = if_not_exists(attempts, :zero) + :one"),
		ConditionExpression: aws.String("attribute_exists(PK) AND ((#st = :pending AND nextAttemptAt <= :now) OR " +
			"(#st = :sending AND leaseUntil < :now))"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sending": outboxStr(OutboxSending), ":pending": outboxStr(OutboxPending), ":until": outboxNum(until.UnixMilli()),
			":token": outboxStr(token), ":gpk": outboxStr(outboxGSIPK(OutboxSending)), ":gsk": outboxStr(outboxGSISK(until)),
			":zero": outboxNum(0), ":one": outboxNum(1), ":now": outboxNum(now.UnixMilli()),
		},
		ReturnValues: types.ReturnValueAllNew,
	}, ErrNotClaimable)
	if err != nil {
		return OutboxItem{}, err
	}
	var it OutboxItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return OutboxItem{}, fmt.Errorf("store: claim outbox %s: decode: %w", id, err)
	}
	return it, nil
}

func leaseToken() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("store: lease token: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// outboxHeld is the condition that the claim (its lease token) still holds the item.
const outboxHeld = "#st = :sending AND leaseToken = :token"

// MarkOutboxSent records a sent email: status sent, SES's message id, sentAt, a TTL; the GSI1
// entry, the lease and any sealed facts are removed. ErrLeaseLost if the claim no longer holds the item.
func (s *Store) MarkOutboxSent(ctx context.Context, it OutboxItem, messageID string, now time.Time) error {
	_, err := s.outboxUpdate(ctx, "mark outbox sent", it.ID, &dynamodb.UpdateItemInput{
		UpdateExpression:    aws.String("SET #st = :sent, messageId = :mid, sentAt = :at, expiresAt = :exp REMOVE GSI1PK, GSI1SK, leaseUntil, leaseToken, sealed"),
		ConditionExpression: aws.String(outboxHeld),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":sent": outboxStr(OutboxSent), ":mid": outboxStr(messageID), ":at": outboxStr(now.UTC().Format(time.RFC3339Nano)),
			":exp": outboxNum(now.Add(OutboxSentRetention).Unix()), ":sending": outboxStr(OutboxSending), ":token": outboxStr(it.LeaseToken),
		},
	}, ErrLeaseLost)
	return err
}

// BackoffOutbox puts a claimed item back to pending, due at next, with the error of this
// attempt; GSI1 lists it again by its due time (the sweeper re-drives it then).
func (s *Store) BackoffOutbox(ctx context.Context, it OutboxItem, next time.Time, lastError string) error {
	_, err := s.outboxUpdate(ctx, "back off outbox", it.ID, &dynamodb.UpdateItemInput{
		UpdateExpression:    aws.String("SET #st = :pending, nextAttemptAt = :next, lastError = :err, GSI1PK = :gpk, GSI1SK = :gsk REMOVE leaseUntil, leaseToken"),
		ConditionExpression: aws.String(outboxHeld),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pending": outboxStr(OutboxPending), ":next": outboxNum(next.UnixMilli()), ":err": outboxStr(capError(lastError)),
			":gpk": outboxStr(outboxGSIPK(OutboxPending)), ":gsk": outboxStr(outboxGSISK(next)),
			":sending": outboxStr(OutboxSending), ":token": outboxStr(it.LeaseToken),
		},
	}, ErrLeaseLost)
	return err
}

// MarkOutboxFailed records a permanent failure: status failed, the error, a TTL; the GSI1 entry,
// the lease and any sealed facts are removed.
func (s *Store) MarkOutboxFailed(ctx context.Context, it OutboxItem, lastError string, now time.Time) error {
	_, err := s.outboxUpdate(ctx, "mark outbox failed", it.ID, &dynamodb.UpdateItemInput{
		UpdateExpression:    aws.String("SET #st = :failed, lastError = :err, failedAt = :at, expiresAt = :exp REMOVE GSI1PK, GSI1SK, leaseUntil, leaseToken, sealed"),
		ConditionExpression: aws.String(outboxHeld),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":failed": outboxStr(OutboxFailed), ":err": outboxStr(capError(lastError)), ":at": outboxStr(now.UTC().Format(time.RFC3339Nano)),
			":exp": outboxNum(now.Add(OutboxFailedRetention).Unix()), ":sending": outboxStr(OutboxSending), ":token": outboxStr(it.LeaseToken),
		},
	}, ErrLeaseLost)
	return err
}

func capError(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// DueOutbox lists, from GSI1, up to limit items of status (OutboxPending: due at now, by due
// time; OutboxSending: lease expired at now, by lease end), oldest first. GSI reads are
// eventually consistent: callers act with conditional updates.
func (s *Store) DueOutbox(ctx context.Context, status string, now time.Time, limit int) ([]OutboxItem, error) {
	if status != OutboxPending && status != OutboxSending {
		return nil, fmt.Errorf("store: due outbox: status %q has no index entries", status)
	}
	gpk := outboxGSIPK(status)
	var items []OutboxItem
	var start map[string]types.AttributeValue
	for len(items) < limit {
		access(ctx, "Query", map[string]types.AttributeValue{attrPK: outboxStr(gpk)})
		out, err := s.db.Query(ctx, &dynamodb.QueryInput{
			TableName: &s.table, IndexName: aws.String(indexGSI1),
			KeyConditionExpression:    aws.String("GSI1PK = :pk AND GSI1SK <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": outboxStr(gpk), ":now": outboxStr(outboxGSISK(now))},
			Limit:                     aws.Int32(int32(limit - len(items))), ExclusiveStartKey: start,
			ReturnConsumedCapacity: total,
		})
		if err != nil {
			record(ctx, "Query")
			return nil, fmt.Errorf("store: due outbox %s: %w", status, err)
		}
		record(ctx, "Query", ccs(out.ConsumedCapacity)...)
		var page []OutboxItem
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil {
			return nil, fmt.Errorf("store: due outbox %s: decode: %w", status, err)
		}
		items = append(items, page...)
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	return items, nil
}

// RedriveOutbox makes the table stream deliver an item again, for the sweeper. A pending item
// (as listed: same nextAttemptAt) gets its redrives counter raised — a MODIFY record with a
// pending new image, which the mailer's filter passes. A sending item whose lease expired (as
// listed: same lease token) goes back to pending, due now. ErrOutboxChanged if the item moved
// on since it was listed.
func (s *Store) RedriveOutbox(ctx context.Context, it OutboxItem, now time.Time) error {
	switch it.Status {
	case OutboxPending:
		_, err := s.outboxUpdate(ctx, "redrive outbox", it.ID, &dynamodb.UpdateItemInput{
			UpdateExpression:    aws.String("SET redrives = if_not_exists(redrives, :zero) + :one"),
			ConditionExpression: aws.String("#st = :pending AND nextAttemptAt = :next AND nextAttemptAt <= :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":zero": outboxNum(0), ":one": outboxNum(1), ":pending": outboxStr(OutboxPending), ":next": outboxNum(it.NextAttemptAt),
				":now": outboxNum(now.UnixMilli()),
			},
		}, ErrOutboxChanged)
		return err
	case OutboxSending:
		_, err := s.outboxUpdate(ctx, "reclaim outbox", it.ID, &dynamodb.UpdateItemInput{
			UpdateExpression: aws.String("SET #st = :pending, nextAttemptAt = :now, lastError = :err, GSI1PK = :gpk, GSI1SK = :gsk, " +
				"redrives = if_not_exists(redrives, :zero) + :one REMOVE leaseUntil, leaseToken"),
			ConditionExpression: aws.String(outboxHeld + " AND leaseUntil < :now"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pending": outboxStr(OutboxPending), ":now": outboxNum(now.UnixMilli()), ":err": outboxStr("lease expired while sending"),
				":gpk": outboxStr(outboxGSIPK(OutboxPending)), ":gsk": outboxStr(outboxGSISK(now)), ":zero": outboxNum(0), ":one": outboxNum(1),
				":sending": outboxStr(OutboxSending), ":token": outboxStr(it.LeaseToken),
			},
		}, ErrOutboxChanged)
		return err
	}
	return fmt.Errorf("store: redrive outbox %s: status %q", it.ID, it.Status)
}

// OutboxByID reads an outbox item (strongly consistent); found is false when it does not exist.
func (s *Store) OutboxByID(ctx context.Context, id string) (OutboxItem, bool, error) {
	var it OutboxItem
	found, err := s.get(ctx, "outbox", outboxPK(id), skOutbox, &it)
	return it, found, err
}

// DecodeOutboxImage decodes a stream image (or any item) into an OutboxItem. ok is false for
// an item of another type; err is set when the image is not a well-formed outbox item.
func DecodeOutboxImage(image map[string]types.AttributeValue) (it OutboxItem, ok bool, err error) {
	if t, _ := image[attrType].(*types.AttributeValueMemberS); t == nil || t.Value != TypeOutbox {
		return OutboxItem{}, false, nil
	}
	if err := attributevalue.UnmarshalMap(image, &it); err != nil {
		return OutboxItem{}, true, fmt.Errorf("store: outbox image: %w", err)
	}
	if it.ID == "" || it.PK != outboxPK(it.ID) {
		return OutboxItem{}, true, fmt.Errorf("store: outbox image: key %q does not match outboxId %q", it.PK, it.ID)
	}
	return it, true, nil
}
