package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Product keys live in their partner's partition under their keyed hash (never the key):
//
//	product key  PARTNER#<pid>  PKEY#<hash>   GSI1: PKEYS#<pid> / <keyId>   GSI2: PKEYID#<keyId> / PKEY
//
// A partner user's lookup of a typed key is one GetItem in the caller's own partition. The
// inventory reads GSI1 newest first (key ids are ULIDs), paging by "GSI1SK < the cursor's key id",
// so a cursor carries a key id, never a hash. The operator finds a key by id through GSI2. The
// stored state is available, redeemed or revoked; expired is derived from validUntil and the clock.

// ProductKeys is the store of the product keys context. It is a type of its own, not methods of
// Store, so that only the product-key functions link its code (app.ProductKeys): the link pages,
// which render HTML, keep every exported method of Store.
type ProductKeys struct{ *Store }

// NewProductKeys returns the product-key store over s.
func NewProductKeys(s *Store) ProductKeys {
	registerEncoder(encodeCustomerAdminAccount, admin.CustomerAdminAccount{})
	return ProductKeys{s}
}

var _ admin.ProductKeyStore = ProductKeys{}

const (
	keyStateAvailable = "available"
	keyStateRedeemed  = "redeemed"
	keyStateRevoked   = "revoked"
)

// keysPerTransaction is how many keys one transaction of an issue writes (with the activity
// entry in the last: at most 100 actions).
const keysPerTransaction = 99

type productKeyItem struct {
	PK         string             `dynamodbav:"PK"`
	SK         string             `dynamodbav:"SK"`
	GSI1PK     string             `dynamodbav:"GSI1PK"`
	GSI1SK     string             `dynamodbav:"GSI1SK"`
	GSI2PK     string             `dynamodbav:"GSI2PK"`
	GSI2SK     string             `dynamodbav:"GSI2SK"`
	Type       string             `dynamodbav:"Type"`
	ID         string             `dynamodbav:"keyId"`
	PartnerID  string             `dynamodbav:"partnerId"`
	Cloud      string             `dynamodbav:"cloud"`
	ProductID  string             `dynamodbav:"productId"`
	Licenses   int                `dynamodbav:"licenses"`
	LastGroup  string             `dynamodbav:"lastGroup"`
	State      string             `dynamodbav:"state"`                // available, redeemed or revoked
	ValidUntil int64              `dynamodbav:"validUntil,omitempty"` // epoch ms; not the TTL attribute
	RevokedAt  *time.Time         `dynamodbav:"revokedAt,omitempty"`
	Redemption *keyRedemptionItem `dynamodbav:"redemption,omitempty"`
	IssuedBy   string             `dynamodbav:"issuedBy"`
	Version    int                `dynamodbav:"version"`
	CreatedAt  time.Time          `dynamodbav:"createdAt"`
}

type keyRedemptionItem struct {
	At             time.Time `dynamodbav:"at"`
	UserID         string    `dynamodbav:"userId"`
	CustomerID     string    `dynamodbav:"customerId"`
	CustomerName   string    `dynamodbav:"customerName"`
	SubscriptionID string    `dynamodbav:"subscriptionId"`
}

func toProductKeyItem(k admin.ProductKey) productKeyItem {
	it := productKeyItem{PK: partnerPK(k.PartnerID), SK: productKeySK(k.Hash), GSI1PK: productKeysGSI(k.PartnerID), GSI1SK: k.ID,
		GSI2PK: productKeyIDGSI(k.ID), GSI2SK: gsi2ProductKey, Type: typeProductKey, ID: k.ID, PartnerID: k.PartnerID,
		Cloud: string(k.Cloud), ProductID: k.ProductID, Licenses: k.Licenses, LastGroup: k.LastGroup, State: keyStateAvailable,
		IssuedBy: k.IssuedBy, Version: k.Version, CreatedAt: k.CreatedAt}
	if !k.ExpiresAt.IsZero() {
		it.ValidUntil = k.ExpiresAt.UnixMilli()
	}
	if k.Revoked {
		it.State = keyStateRevoked
		at := k.RevokedAt
		it.RevokedAt = &at
	}
	if r := k.Redemption; r != nil {
		it.State = keyStateRedeemed
		it.Redemption = &keyRedemptionItem{At: r.At, UserID: r.UserID, CustomerID: r.CustomerID, CustomerName: r.CustomerName, SubscriptionID: r.SubscriptionID}
	}
	return it
}

func (it productKeyItem) domain() admin.ProductKey {
	k := admin.ProductKey{ID: it.ID, PartnerID: it.PartnerID, Cloud: admin.Cloud(it.Cloud), ProductID: it.ProductID, Licenses: it.Licenses,
		Hash: strings.TrimPrefix(it.SK, skProductKey), LastGroup: it.LastGroup, Revoked: it.State == keyStateRevoked,
		IssuedBy: it.IssuedBy, Version: it.Version, CreatedAt: it.CreatedAt}
	if it.ValidUntil != 0 {
		k.ExpiresAt = time.UnixMilli(it.ValidUntil).UTC()
	}
	if it.RevokedAt != nil {
		k.RevokedAt = *it.RevokedAt
	}
	if r := it.Redemption; r != nil {
		k.Redemption = &admin.KeyRedemption{At: r.At, UserID: r.UserID, CustomerID: r.CustomerID, CustomerName: r.CustomerName, SubscriptionID: r.SubscriptionID}
	}
	return k
}

// IssueProductKeys writes the keys, keysPerTransaction to a transaction, the activity entry in
// the last one, with the idempotency record. When one fails, the keys of the transactions before are revoked again (their text
// was never shown, so nobody holds them; the inventory shows them revoked). Should that fail as
// well, the error says so.
func (s ProductKeys) IssueProductKeys(ctx context.Context, keys []admin.ProductKey, a admin.Activity, idem *admin.Idempotency) error {
	var done [][]admin.ProductKey
	for start := 0; start < len(keys); start += keysPerTransaction {
		chunk := keys[start:min(start+keysPerTransaction, len(keys))]
		var t txn
		for _, k := range chunk {
			t.put(s.table, toProductKeyItem(k), "attribute_not_exists(PK)", nil, nil, nil)
		}
		if start+len(chunk) == len(keys) {
			t.activity(s.table, a)
			t.idempotency(s.Store, idem, a.At)
		}
		if err := s.commit(ctx, fmt.Sprintf("issue product keys %d-%d", start, start+len(chunk)-1), &t); err != nil {
			for _, written := range done {
				var undo txn
				for _, k := range written {
					k.Revoked, k.RevokedAt, k.Version = true, a.At, k.Version+1
					undo.put(s.table, toProductKeyItem(k), "version = :prev", nil, map[string]types.AttributeValue{":prev": num(k.Version - 1)}, nil)
				}
				if uerr := s.commit(ctx, "withdraw product keys", &undo); uerr != nil {
					return fmt.Errorf("%w (and the keys written before could not be revoked: %v)", err, uerr)
				}
			}
			return err
		}
		done = append(done, chunk)
	}
	return nil
}

// ProductKeyByID reads a key by its id through GSI2.
func (s ProductKeys) ProductKeyByID(ctx context.Context, keyID string) (admin.ProductKey, error) {
	pk := productKeyIDGSI(keyID)
	access(ctx, "Query", key(pk, ""))
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI2),
		KeyConditionExpression:    aws.String("GSI2PK = :pk AND GSI2SK = :sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":sk": str(gsi2ProductKey)},
		Limit:                     aws.Int32(1), ReturnConsumedCapacity: total})
	if err != nil {
		return admin.ProductKey{}, fmt.Errorf("store: get product key %s: %w", keyID, err)
	}
	record(ctx, "Query", ccs(res.ConsumedCapacity)...)
	if len(res.Items) == 0 {
		return admin.ProductKey{}, admin.NotFound("product key")
	}
	var it productKeyItem
	if err := attributevalue.UnmarshalMap(res.Items[0], &it); err != nil {
		return admin.ProductKey{}, fmt.Errorf("store: decode product key %s: %w", keyID, err)
	}
	return it.domain(), nil
}

// keyGuard is the condition of a change of an available key: the version read, still available.
func keyGuard(prevVersion int, now time.Time) (string, map[string]string, map[string]types.AttributeValue, func(map[string]types.AttributeValue) error) {
	return "version = :prev AND #state = :available AND (attribute_not_exists(validUntil) OR validUntil > :now)",
		map[string]string{"#state": "state"},
		map[string]types.AttributeValue{":prev": num(prevVersion), ":available": str(keyStateAvailable),
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixMilli(), 10)}},
		func(old map[string]types.AttributeValue) error {
			var it productKeyItem
			if len(old) == 0 || attributevalue.UnmarshalMap(old, &it) != nil {
				return admin.NotFound("product key")
			}
			if err := it.domain().Unavailable(now); err != nil {
				return err
			}
			return admin.Errorf(admin.CodeConcurrentRequest, "the product key changed meanwhile; retry")
		}
}

// RevokeProductKey writes the revoked key, guarded by its version and its being available or
// expired (an expired key may be revoked too), with the activity entry.
func (s ProductKeys) RevokeProductKey(ctx context.Context, k admin.ProductKey, prevVersion int, a admin.Activity) error {
	var t txn
	t.put(s.table, toProductKeyItem(k), "version = :prev AND #state = :available", map[string]string{"#state": "state"},
		map[string]types.AttributeValue{":prev": num(prevVersion), ":available": str(keyStateAvailable)},
		func(old map[string]types.AttributeValue) error {
			var it productKeyItem
			if len(old) == 0 || attributevalue.UnmarshalMap(old, &it) != nil {
				return admin.NotFound("product key")
			}
			if it.State == keyStateRedeemed {
				return it.domain().Unavailable(k.RevokedAt)
			}
			return admin.Errorf(admin.CodeConcurrentRequest, "the product key changed meanwhile; retry")
		})
	t.activity(s.table, a)
	return s.commit(ctx, "revoke product key "+k.ID, &t)
}

// ProductKeys reads one page of a partner's keys, newest first, from GSI1. With keep (a filter)
// it reads up to four times the page's limit and returns those kept: a page may be short, with a
// cursor, when the filter is selective.
func (s ProductKeys) ProductKeys(ctx context.Context, partnerID string, keep func(admin.ProductKey) bool, page admin.PageRequest) (admin.Page[admin.ProductKey], error) {
	limit := int(clamp(page.Limit))
	window := limit + 1
	if keep != nil {
		window = 4 * limit
	}
	gpk := productKeysGSI(partnerID)
	cond := "GSI1PK = :pk"
	values := map[string]types.AttributeValue{":pk": str(gpk)}
	if page.Cursor != "" {
		after, err := decodeCursor(page.Cursor, "pky_", "", "")
		if err != nil || !admin.ValidID("pky", after) {
			return admin.Page[admin.ProductKey]{}, invalidCursor()
		}
		cond += " AND GSI1SK < :after"
		values[":after"] = str(after)
	}
	access(ctx, "Query", key(gpk, ""))
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1), ScanIndexForward: aws.Bool(false),
		KeyConditionExpression: &cond, ExpressionAttributeValues: values, Limit: aws.Int32(int32(window)), ReturnConsumedCapacity: total})
	if err != nil {
		return admin.Page[admin.ProductKey]{}, fmt.Errorf("store: list product keys: %w", err)
	}
	record(ctx, "Query", ccs(res.ConsumedCapacity)...)
	var items []productKeyItem
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		return admin.Page[admin.ProductKey]{}, fmt.Errorf("store: decode product keys: %w", err)
	}
	out := admin.Page[admin.ProductKey]{Items: []admin.ProductKey{}}
	for i, it := range items {
		k := it.domain()
		if keep != nil && !keep(k) {
			continue
		}
		out.Items = append(out.Items, k)
		if len(out.Items) == limit {
			if i < len(items)-1 || res.LastEvaluatedKey != nil {
				out.NextCursor = encodeCursor(it.ID)
			}
			return out, nil
		}
	}
	if res.LastEvaluatedKey != nil && len(items) > 0 {
		out.NextCursor = encodeCursor(items[len(items)-1].ID)
	}
	return out, nil
}

// RedemptionTarget reads the partner's key of a hash and, with a customer id, the customer's
// profile and its side of the relationship with the partner: one GetItem, or one BatchGetItem.
func (s ProductKeys) RedemptionTarget(ctx context.Context, partnerID, keyHash, customerID string) (*admin.ProductKey, *admin.Customer, *admin.Relationship, error) {
	var k productKeyItem
	if customerID == "" {
		found, err := s.get(ctx, "get product key", partnerPK(partnerID), productKeySK(keyHash), &k)
		if err != nil || !found {
			return nil, nil, nil, err
		}
		d := k.domain()
		return &d, nil, nil, nil
	}
	var c customerItem
	var r relationshipItem
	found, err := s.batchGet(ctx, "get redemption target", []map[string]types.AttributeValue{key(partnerPK(partnerID), productKeySK(keyHash)),
		key(customerPK(customerID), skProf), key(customerPK(customerID), partnerSK(partnerID))}, &k, &c, &r)
	if err != nil {
		return nil, nil, nil, err
	}
	var (
		kd *admin.ProductKey
		cd *admin.Customer
		rd *admin.Relationship
	)
	if found[0] {
		d := k.domain()
		kd = &d
	}
	if found[1] {
		d := c.domain()
		cd = &d
	}
	if found[2] {
		d := r.domain()
		rd = &d
	}
	return kd, cd, rd, nil
}

// Redeem writes a redemption in one transaction: the redeemed key (guarded by the version read
// and its being available), for a new customer the organization, its admin and the relationship
// (as an acceptance writes them), for an existing one its subscription count (its relationship
// is not changed: being Partner of Record needs no delegated administration, and relationships
// are never deleted), the subscription, the delegated-admin offer, the activity entries and the
// outbox emails.
func (s ProductKeys) Redeem(ctx context.Context, w admin.RedeemWrite) error {
	var t txn
	t.idempotency(s.Store, w.Idempotency, w.Now)
	cond, names, values, onFail := keyGuard(w.PrevVersion, w.Now)
	t.put(s.table, toProductKeyItem(w.Key), cond, names, values, onFail)
	if c := w.NewCustomer; c != nil {
		t.newCustomer(s.Store, *c, w.Admin, w.AdminLogin, 1, "customer.domainPrefix")
		t.newRelationship(s.Store, w.Relationship)
	} else {
		t.countSubscriptions(s.Store, w.Subscription.CustomerID, 1)
	}
	t.put(s.table, toSubscriptionItem(w.Subscription), "attribute_not_exists(PK)", nil, nil, nil)
	if w.Offer != nil {
		t.link(s.Store, *w.Offer)
	}
	for _, a := range w.Activities {
		t.activity(s.table, a)
	}
	for _, e := range w.Emails {
		if err := t.outbox(s.Store, e, w.Now); err != nil {
			return err
		}
	}
	return s.commit(ctx, "redeem product key "+w.Key.ID, &t)
}

// IdempotencyRecord reads the record of an Idempotency-Key (nil: none).
func (s ProductKeys) IdempotencyRecord(ctx context.Context, idem admin.Idempotency) (*admin.IdempotencyConflict, error) {
	var it idemItem
	found, err := s.get(ctx, "get idempotency record", idemPK(idem.Scope, idem.Key), skIdem, &it)
	if err != nil || !found || it.ResourceID == "" {
		return nil, err
	}
	c := it.domain()
	return &c, nil
}
