package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// batchPair reads two items of one table in one strongly consistent BatchGetItem and decodes
// them into a and b (found reports each).
func (s *Store) batchPair(ctx context.Context, op string, ka, kb map[string]types.AttributeValue, a, b any) (bool, bool, error) {
	access(ctx, "BatchGetItem", ka)
	access(ctx, "BatchGetItem", kb)
	res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{ReturnConsumedCapacity: total,
		RequestItems: map[string]types.KeysAndAttributes{s.table: {Keys: []map[string]types.AttributeValue{ka, kb}, ConsistentRead: aws.Bool(true)}}})
	if err != nil {
		return false, false, fmt.Errorf("store: %s: %w", op, err)
	}
	record(ctx, "BatchGetItem", res.ConsumedCapacity...)
	if len(res.UnprocessedKeys) > 0 {
		return false, false, admin.Errorf(admin.CodeConcurrentRequest, "the table is busy; retry")
	}
	var fa, fb bool
	skA := ka[attrSK].(*types.AttributeValueMemberS).Value
	for _, item := range res.Responses[s.table] {
		target := b
		if item[attrSK].(*types.AttributeValueMemberS).Value == skA && item[attrPK].(*types.AttributeValueMemberS).Value == ka[attrPK].(*types.AttributeValueMemberS).Value {
			target, fa = a, true
		} else {
			fb = true
		}
		if err := attributevalue.UnmarshalMap(item, target); err != nil {
			return false, false, fmt.Errorf("store: %s: decode: %w", op, err)
		}
	}
	return fa, fb, nil
}

// batchGet reads items of the table in one strongly consistent BatchGetItem (at most 100 keys)
// and decodes each into the out at its key's position; found reports which exist.
func (s *Store) batchGet(ctx context.Context, op string, keys []map[string]types.AttributeValue, outs ...any) ([]bool, error) {
	at := map[[2]string]int{}
	for i, k := range keys {
		access(ctx, "BatchGetItem", k)
		at[keyOf(k)] = i
	}
	res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{ReturnConsumedCapacity: total,
		RequestItems: map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}})
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", op, err)
	}
	record(ctx, "BatchGetItem", res.ConsumedCapacity...)
	if len(res.UnprocessedKeys) > 0 {
		return nil, admin.Errorf(admin.CodeConcurrentRequest, "the table is busy; retry")
	}
	found := make([]bool, len(keys))
	for _, item := range res.Responses[s.table] {
		i, ok := at[keyOf(item)]
		if !ok {
			return nil, fmt.Errorf("store: %s: an item of a key not asked for", op)
		}
		if err := attributevalue.UnmarshalMap(item, outs[i]); err != nil {
			return nil, fmt.Errorf("store: %s: decode: %w", op, err)
		}
		found[i] = true
	}
	return found, nil
}

// keyOf is the PK and SK of an item or key.
func keyOf(item map[string]types.AttributeValue) [2]string {
	pk, _ := item[attrPK].(*types.AttributeValueMemberS)
	sk, _ := item[attrSK].(*types.AttributeValueMemberS)
	if pk == nil || sk == nil {
		return [2]string{}
	}
	return [2]string{pk.Value, sk.Value}
}

// Subscriptions lists a customer's subscriptions.
func (s *Store) Subscriptions(ctx context.Context, customerID string, page admin.PageRequest) (admin.Page[admin.Subscription], error) {
	return listPage[subscriptionItem, admin.Subscription](ctx, s, "list subscriptions", customerPK(customerID), skSub, "", "", page, true)
}

// Relationships lists a customer's partners.
func (s *Store) Relationships(ctx context.Context, customerID string, page admin.PageRequest) (admin.Page[admin.Relationship], error) {
	return listPage[relationshipItem, admin.Relationship](ctx, s, "list relationships", customerPK(customerID), skPartner, "", "", page, true)
}

// RelationshipWithPartner reads the customer's side of a relationship and the partner.
func (s *Store) RelationshipWithPartner(ctx context.Context, customerID, partnerID string) (admin.Relationship, admin.Partner, error) {
	var r relationshipItem
	var p partnerItem
	fr, fp, err := s.batchPair(ctx, "get relationship", key(customerPK(customerID), partnerSK(partnerID)), key(partnerPK(partnerID), skProf), &r, &p)
	if err != nil {
		return admin.Relationship{}, admin.Partner{}, err
	}
	if !fr || !fp {
		return admin.Relationship{}, admin.Partner{}, admin.NotFound("delegated administration")
	}
	return r.domain(), p.domain(), nil
}

// EndDelegatedAdmin writes the ended grant on both sides, the activity entries and the email.
func (s *Store) EndDelegatedAdmin(ctx context.Context, r admin.Relationship, prevVersion int, acts []admin.Activity, email admin.Email) error {
	var t txn
	cs, ps := relationshipItems(r)
	guard := map[string]types.AttributeValue{":prev": num(prevVersion)}
	t.put(s.table, cs, "version = :prev", nil, guard, versionGuard("relationship"))
	t.put(s.table, ps, "version = :prev", nil, guard, versionGuard("relationship"))
	for _, a := range acts {
		t.activity(s.table, a)
	}
	if err := t.outbox(s, email, acts[0].At); err != nil {
		return err
	}
	return s.commit(ctx, "end delegated admin "+r.CustomerID+"/"+r.PartnerID, &t)
}
