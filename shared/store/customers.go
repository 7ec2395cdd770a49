package store

import (
	"context"
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

// ResolveCode reads the link of a code's hash, then the link and its partner in one BatchGetItem.
func (s *Store) ResolveCode(ctx context.Context, codeHash string) (admin.Link, admin.Partner, error) {
	var c codeItem
	ok, err := s.get(ctx, "resolve code", codePK(codeHash), skCode, &c)
	if err != nil {
		return admin.Link{}, admin.Partner{}, err
	}
	if !ok {
		return admin.Link{}, admin.Partner{}, admin.NotFound("link")
	}
	keys := []map[string]types.AttributeValue{key(partnerPK(c.PartnerID), linkSK(admin.LinkKind(c.Kind), c.LinkID)), key(partnerPK(c.PartnerID), skProf)}
	for _, k := range keys {
		access(ctx, "BatchGetItem", k)
	}
	res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{ReturnConsumedCapacity: total,
		RequestItems: map[string]types.KeysAndAttributes{s.table: {Keys: keys, ConsistentRead: aws.Bool(true)}}})
	if err != nil {
		return admin.Link{}, admin.Partner{}, fmt.Errorf("store: read link %s: %w", c.LinkID, err)
	}
	record(ctx, "BatchGetItem", res.ConsumedCapacity...)
	if len(res.UnprocessedKeys) > 0 {
		return admin.Link{}, admin.Partner{}, admin.Errorf(admin.CodeConcurrentRequest, "the table is busy; retry")
	}
	var l *linkItem
	var p *partnerItem
	for _, item := range res.Responses[s.table] {
		if item[attrSK].(*types.AttributeValueMemberS).Value == skProf {
			p = new(partnerItem)
			err = attributevalue.UnmarshalMap(item, p)
		} else {
			l = new(linkItem)
			err = attributevalue.UnmarshalMap(item, l)
		}
		if err != nil {
			return admin.Link{}, admin.Partner{}, fmt.Errorf("store: decode link or partner: %w", err)
		}
	}
	if l == nil || p == nil {
		return admin.Link{}, admin.Partner{}, admin.NotFound("link")
	}
	return l.domain(), p.domain(), nil
}

// CountInvalidCode adds one failed code lookup of a source to the current window's counter.
func (s *Store) CountInvalidCode(ctx context.Context, source string, now time.Time, window time.Duration) (int, error) {
	w := now.UnixMilli() / window.Milliseconds()
	k := rateKey(source, w)
	access(ctx, "UpdateItem", k)
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: k,
		UpdateExpression: aws.String("ADD attempts :one SET #t = :t, expiresAt = :exp"), ExpressionAttributeNames: map[string]string{"#t": attrType},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":t": &types.AttributeValueMemberS{Value: typeCodeGuesses},
			":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(2*window).Unix(), 10)}},
		ReturnValues: types.ReturnValueUpdatedNew, ReturnConsumedCapacity: total})
	if err != nil {
		return 0, fmt.Errorf("store: count invalid code: %w", err)
	}
	record(ctx, "UpdateItem", ccs(res.ConsumedCapacity)...)
	n, _ := strconv.Atoi(res.Attributes["attempts"].(*types.AttributeValueMemberN).Value)
	return n, nil
}

// Relationship reads the customer's side of a relationship.
func (s *Store) Relationship(ctx context.Context, customerID, partnerID string) (admin.Relationship, error) {
	var it relationshipItem
	ok, err := s.get(ctx, "get relationship", customerPK(customerID), partnerSK(partnerID), &it)
	if err != nil {
		return admin.Relationship{}, err
	}
	if !ok {
		return admin.Relationship{}, admin.NotFound("relationship")
	}
	return it.domain(), nil
}

// newCustomer adds a new customer organization: its domain prefix (unique per cloud: taken is a
// validation error of prefixField), its profile with its first subscriptions counted, its admin
// and the admin's login (a taken email is CodeEmailTaken). A link's acceptance and a product
// key's redemption write a new customer alike.
func (t *txn) newCustomer(s *Store, c admin.Customer, adminUser admin.User, login admin.Login, subscriptions int, prefixField string) {
	t.put(s.table, toDomainItem(c), "attribute_not_exists(PK)", nil, nil, func(map[string]types.AttributeValue) error {
		return admin.FieldErr(prefixField, "taken", "is taken; choose another")
	})
	profile := toCustomerItem(c)
	profile.SubscriptionCount = subscriptions
	t.put(s.table, profile, "attribute_not_exists(PK)", nil, nil, nil)
	t.put(s.table, toUserItem(adminUser), "attribute_not_exists(PK)", nil, nil, nil)
	t.put(s.table, toLoginItem(login), "attribute_not_exists(PK)", nil, nil, emailTaken)
}

// newRelationship adds a new relationship: both sides (which must not exist), the customer's word
// items in the partner's search, and the partner's customer count.
func (t *txn) newRelationship(s *Store, r admin.Relationship) {
	concurrent := func(map[string]types.AttributeValue) error {
		return admin.Errorf(admin.CodeConcurrentRequest, "the relationship changed meanwhile; retry")
	}
	cs, ps := relationshipItems(r)
	t.put(s.table, cs, "attribute_not_exists(PK)", nil, nil, concurrent)
	t.put(s.table, ps, "attribute_not_exists(PK)", nil, nil, concurrent)
	for _, wi := range wordItems(r.PartnerID, r.CustomerID, r.CustomerName, r.CustomerDomain) {
		t.put(s.table, wi, "", nil, nil, nil) // the customer in the partner's search
	}
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(partnerPK(r.PartnerID), skProf),
		UpdateExpression: aws.String("ADD customerCount :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)}}}, nil)
}

// countSubscriptions adds n new subscriptions to an existing customer's profile count.
func (t *txn) countSubscriptions(s *Store, customerID string, n int) {
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(customerPK(customerID), skProf),
		UpdateExpression: aws.String("ADD subscriptionCount :n"), ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": num(n)}}}, notFound("customer"))
}

var errLinkGone = func(map[string]types.AttributeValue) error { return admin.ErrLinkInvalid }

// Accept writes an acceptance in one transaction: the link's use (its condition decides whether
// a use is left), the new organization with its admin, the subscriptions, the relationship
// (both sides, and the partner's customer count when new), activity entries and outbox emails.
func (s *Store) Accept(ctx context.Context, w admin.AcceptWrite) error {
	var t txn
	l := w.Link
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(partnerPK(l.PartnerID), linkSK(l.Kind, l.ID)),
		UpdateExpression: aws.String("SET uses = uses + :one, lastUsedAt = :at"),
		ConditionExpression: aws.String("revoked = :f AND (attribute_not_exists(maxUses) OR uses < maxUses) AND " +
			"(attribute_not_exists(validUntil) OR validUntil > :now)"),
		ExpressionAttributeValues: merge(marshal(struct {
			At time.Time `dynamodbav:":at"`
		}{w.Now}), map[string]types.AttributeValue{":one": num(1), ":f": &types.AttributeValueMemberBOOL{Value: false},
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(w.Now.UnixMilli(), 10)}}),
	}}, errLinkGone)
	t.put(s.table, toUseItem(l, w.Activities[0].ID, w.Use), "", nil, nil, nil)
	if c := w.NewCustomer; c != nil {
		t.newCustomer(s, *c, w.Admin, w.AdminLogin, len(w.Subscriptions), "domainPrefix")
	}
	for _, sub := range w.Subscriptions {
		t.put(s.table, toSubscriptionItem(sub), "attribute_not_exists(PK)", nil, nil, nil)
	}
	if w.NewCustomer == nil {
		// A returning customer: its profile's subscription count grows with the new ones, and the
		// name it is listed under must still be current (loginOrgNameCheck).
		if n := len(w.Subscriptions); n > 0 {
			t.countSubscriptions(s, w.Relationship.CustomerID, n)
		}
		t.add(loginOrgNameCheck(s.table, w.Admin.Email, w.Relationship.CustomerName), func(map[string]types.AttributeValue) error {
			return admin.Errorf(admin.CodeConcurrentRequest, "the organization changed meanwhile; retry")
		})
	}
	if w.NewRelationship {
		t.newRelationship(s, w.Relationship)
	} else {
		cs, ps := relationshipItems(w.Relationship)
		guard := map[string]types.AttributeValue{":prev": num(w.PrevVersion)}
		t.put(s.table, cs, "version = :prev", nil, guard, versionGuard("relationship"))
		t.put(s.table, ps, "version = :prev", nil, guard, versionGuard("relationship"))
	}
	for _, a := range w.Activities {
		t.activity(s.table, a)
	}
	for _, e := range w.Emails {
		if err := t.outbox(s, e, w.Now); err != nil {
			return err
		}
	}
	for _, c := range clockEntries(w) {
		t.put(s.table, c, "", nil, nil, nil) // the countdowns it starts (clock.go)
	}
	err := s.commit(ctx, "accept link "+l.ID, &t)
	if errors.Is(err, admin.ErrLinkInvalid) {
		return admin.ErrLinkInvalid
	}
	return err
}
