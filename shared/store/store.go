// Package store is the DynamoDB adapter of the domain: it implements admin.Store over one table
// (single-table design). Keys are built in keys.go only, item shapes live in items.go, and every
// change that touches several items is one TransactWriteItems. Requests never Scan (only the
// one-off directory backfill does, backfill.go).
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
	"github.com/partner-admin-center/pac/shared/telemetry"
)

// API is the part of the DynamoDB client the store uses.
type API interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	// BatchWriteItem and Scan serve maintenance only (bulk loading and the directory's backfill,
	// backfill.go): request paths never use them.
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Store implements the store interfaces of every domain service (admin.IdentityStore, …).
type Store struct {
	db    API
	table string
	// IdempotencyTTL is how long an Idempotency-Key is remembered.
	IdempotencyTTL time.Duration
	// Sealer seals the secret facts of emails (seal.go); nil: such emails cannot be written.
	Sealer *Sealer
	// FactorSealer seals the TOTP secrets of two-factor sign-in (mfa.go); nil: none can be
	// written or checked.
	FactorSealer *Sealer
}

// The store serves every context of the domain through its narrow interface.
var (
	_ admin.IdentityStore       = (*Store)(nil)
	_ admin.CompanyStore        = (*Store)(nil)
	_ admin.PartnerStore        = (*Store)(nil)
	_ admin.LinkStore           = (*Store)(nil)
	_ admin.AcceptStore         = (*Store)(nil)
	_ admin.TenantStore         = (*Store)(nil)
	_ admin.CustomerStore       = (*Store)(nil)
	_ admin.ServiceRequestStore = (*Store)(nil)
	_ admin.CustomerUserStore   = (*Store)(nil)
)

var _ admin.SubscriptionStore = (*Store)(nil)

// New returns a Store over table.
func New(db API, table string) *Store {
	return &Store{db: db, table: table, IdempotencyTTL: 24 * time.Hour}
}

var total = types.ReturnConsumedCapacityTotal

// record books one round trip and its consumed capacity on the invocation's meter.
func record(ctx context.Context, op string, ccs ...types.ConsumedCapacity) {
	var r, w float64
	for _, cc := range ccs {
		r += aws.ToFloat64(cc.ReadCapacityUnits)
		w += aws.ToFloat64(cc.WriteCapacityUnits)
		if cc.ReadCapacityUnits == nil && cc.WriteCapacityUnits == nil {
			// Some emulators only fill CapacityUnits; attribute it by operation kind.
			if op == "GetItem" || op == "BatchGetItem" || op == "Query" {
				r += aws.ToFloat64(cc.CapacityUnits)
			} else {
				w += aws.ToFloat64(cc.CapacityUnits)
			}
		}
	}
	telemetry.RecordCall(ctx, op, r, w)
}

func ccs(cc *types.ConsumedCapacity) []types.ConsumedCapacity {
	if cc == nil {
		return nil
	}
	return []types.ConsumedCapacity{*cc}
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrPK: &types.AttributeValueMemberS{Value: pk}, attrSK: &types.AttributeValueMemberS{Value: sk}}
}

// access records the IAM action and partition key of a request (telemetry.RecordAccess).
func access(ctx context.Context, action string, k map[string]types.AttributeValue) {
	if pk, ok := k[attrPK].(*types.AttributeValueMemberS); ok {
		telemetry.RecordAccess(ctx, action, pk.Value)
	}
}

// get reads one item strongly consistently into out; found is false when it does not exist.
func (s *Store) get(ctx context.Context, op, pk, sk string, out any) (bool, error) {
	access(ctx, "GetItem", key(pk, sk))
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key(pk, sk), ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: total})
	if err != nil {
		return false, fmt.Errorf("store: %s: %w", op, err)
	}
	record(ctx, "GetItem", ccs(res.ConsumedCapacity)...)
	if res.Item == nil {
		return false, nil
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return false, fmt.Errorf("store: %s: decode: %w", op, err)
	}
	return true, nil
}

func marshal(v any) map[string]types.AttributeValue {
	m, err := attributevalue.MarshalMap(v)
	if err != nil {
		// Our item structs always marshal; a failure here is a programming error.
		panic(fmt.Sprintf("store: marshal %T: %v", v, err))
	}
	return m
}

// txn is a TransactWriteItems under construction. Each action carries the error its failed
// condition means, so a cancellation maps to the domain error of the first failed condition.
type txn struct {
	items []types.TransactWriteItem
	fails []func(old map[string]types.AttributeValue) error
}

func (t *txn) add(it types.TransactWriteItem, onFail func(old map[string]types.AttributeValue) error) {
	t.items = append(t.items, it)
	t.fails = append(t.fails, onFail)
}

func (t *txn) put(table string, item any, cond string, names map[string]string, values map[string]types.AttributeValue, onFail func(map[string]types.AttributeValue) error) {
	p := &types.Put{TableName: aws.String(table), Item: marshal(item)}
	if cond != "" {
		p.ConditionExpression = aws.String(cond)
		p.ExpressionAttributeNames = names
		p.ExpressionAttributeValues = values
		p.ReturnValuesOnConditionCheckFailure = types.ReturnValuesOnConditionCheckFailureAllOld
	}
	t.add(types.TransactWriteItem{Put: p}, onFail)
}

func (t *txn) activity(table string, a admin.Activity) {
	t.put(table, toActivityItem(a), "attribute_not_exists(PK)", nil, nil, nil)
}

// idempotency adds the Idempotency-Key record: it must not exist (or be expired).
func (t *txn) idempotency(s *Store, idem *admin.Idempotency, now time.Time) {
	if idem == nil {
		return
	}
	t.put(s.table, toIdemItem(*idem, now.Add(s.IdempotencyTTL)), "attribute_not_exists(PK) OR expiresAt < :now", nil,
		map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: fmt.Sprint(now.Unix())}},
		func(old map[string]types.AttributeValue) error {
			var prev idemItem
			if err := attributevalue.UnmarshalMap(old, &prev); err != nil || prev.ResourceID == "" {
				return admin.Errorf(admin.CodeConcurrentRequest, "a request with this Idempotency-Key is in progress; retry")
			}
			conflict := prev.domain()
			return &conflict
		})
}

// commit runs the transaction; a cancelled one becomes the domain error of its first failed
// condition, a conflict with a concurrent transaction becomes CodeConcurrentRequest.
func (s *Store) commit(ctx context.Context, op string, t *txn) error {
	for _, it := range t.items {
		switch {
		case it.Put != nil:
			access(ctx, "PutItem", it.Put.Item)
		case it.Update != nil:
			access(ctx, "UpdateItem", it.Update.Key)
		case it.Delete != nil:
			access(ctx, "DeleteItem", it.Delete.Key)
		case it.ConditionCheck != nil:
			access(ctx, "ConditionCheckItem", it.ConditionCheck.Key)
		}
	}
	res, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: t.items, ReturnConsumedCapacity: total})
	if err == nil {
		record(ctx, "TransactWriteItems", res.ConsumedCapacity...)
		return nil
	}
	telemetry.RecordCall(ctx, "TransactWriteItems", 0, 0)
	var tc *types.TransactionCanceledException
	if !errors.As(err, &tc) {
		return fmt.Errorf("store: %s: %w", op, err)
	}
	conflict := false
	for i, r := range tc.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "ConditionalCheckFailed":
			if i < len(t.fails) && t.fails[i] != nil {
				return t.fails[i](r.Item)
			}
			return fmt.Errorf("store: %s: unexpected condition failure on action %d: %w", op, i, err)
		case "TransactionConflict":
			conflict = true
		}
	}
	if conflict {
		return admin.Errorf(admin.CodeConcurrentRequest, "a concurrent change touched the same data; retry")
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func notFound(what string) func(map[string]types.AttributeValue) error {
	return func(map[string]types.AttributeValue) error { return admin.NotFound(what) }
}

// versionGuard is the failure of an update guarded by "version = :v": gone, or changed.
func versionGuard(what string) func(map[string]types.AttributeValue) error {
	return func(old map[string]types.AttributeValue) error {
		if len(old) == 0 {
			return admin.NotFound(what)
		}
		var v struct {
			Version int `dynamodbav:"version"`
		}
		_ = attributevalue.UnmarshalMap(old, &v)
		return admin.Errorf(admin.CodeVersionConflict, "the %s changed since you read it (current version %d); re-read and retry", what, v.Version)
	}
}

func emailTaken(map[string]types.AttributeValue) error {
	return &admin.Error{Code: admin.CodeEmailTaken, Message: "a user with this email address exists",
		Fields: []admin.FieldError{{Field: "email", Code: "taken", Detail: "a user with this email address exists"}}}
}

// putOne writes one item with a condition outside a transaction (half the write cost of a
// one-item transaction); a failed condition becomes onFail's error, given the item as it was.
func (s *Store) putOne(ctx context.Context, op string, item any, cond string, values map[string]types.AttributeValue, onFail func(map[string]types.AttributeValue) error) error {
	av := marshal(item)
	access(ctx, "PutItem", av)
	res, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av, ConditionExpression: aws.String(cond),
		ExpressionAttributeValues: values, ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		ReturnConsumedCapacity: total})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		record(ctx, "PutItem", ccs(res.ConsumedCapacity)...)
		return nil
	case errors.As(err, &ccf):
		record(ctx, "PutItem")
		return onFail(ccf.Item)
	}
	record(ctx, "PutItem")
	return fmt.Errorf("store: %s: %w", op, err)
}
