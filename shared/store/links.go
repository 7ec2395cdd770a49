package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Links live in the partner's partition; their uses sort right after them (one Query reads a
// link with its uses). A sparse GSI1 entry (only link items carry it) lists a partner's links of
// one kind newest first; a code item maps the hash of a link's code to the link.
//
//	link        PARTNER#<pid>   LINK#<kind>#<lnkId>#~            GSI1: LINKS#<pid>#<kind> / <created>#<lnkId>
//	link use    PARTNER#<pid>   LINK#<kind>#<lnkId>#USE#<ulid>
//
// The link item's "~" sorts after its uses: a descending Query reads the link, then its newest uses.
//	code        CODE#<sha256(code)>  CODE

// CreateLink writes the link, its code item (a collision is as good as impossible; the
// condition makes it an error, not an overwrite), the activity entry and the idempotency record.
func (s *Store) CreateLink(ctx context.Context, l admin.Link, a admin.Activity, idem *admin.Idempotency) error {
	var t txn
	t.idempotency(s, idem, a.At)
	t.link(s, l)
	t.activity(s.table, a)
	return s.commit(ctx, "create link "+l.ID, &t)
}

// link adds a new link and its code item.
func (t *txn) link(s *Store, l admin.Link) {
	t.put(s.table, toLinkItem(l), "attribute_not_exists(PK)", nil, nil, nil)
	t.put(s.table, toCodeItem(l), "attribute_not_exists(PK)", nil, nil, nil)
}

// Link reads a link of a partner with its newest uses (up to 50) in one Query.
func (s *Store) Link(ctx context.Context, partnerID string, kind admin.LinkKind, id string) (admin.Link, []admin.LinkUse, error) {
	pk, sk, prefix := partnerPK(partnerID), linkSK(kind, id), linkPrefix(kind, id)
	access(ctx, "Query", key(pk, ""))
	res, err := s.db.Query(ctx, &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true), ScanIndexForward: aws.Bool(false),
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}, ":sk": &types.AttributeValueMemberS{Value: prefix}},
		Limit:                     aws.Int32(51), ReturnConsumedCapacity: total})
	if err != nil {
		return admin.Link{}, nil, fmt.Errorf("store: get link %s: %w", id, err)
	}
	record(ctx, "Query", ccs(res.ConsumedCapacity)...)
	var link *linkItem
	var uses []admin.LinkUse
	for _, item := range res.Items {
		switch item[attrSK].(*types.AttributeValueMemberS).Value {
		case sk:
			link = new(linkItem)
			if err := attributevalue.UnmarshalMap(item, link); err != nil {
				return admin.Link{}, nil, fmt.Errorf("store: decode link: %w", err)
			}
		default:
			var u useItem
			if err := attributevalue.UnmarshalMap(item, &u); err != nil {
				return admin.Link{}, nil, fmt.Errorf("store: decode link use: %w", err)
			}
			if len(uses) < 50 && u.LinkID == id {
				uses = append(uses, u.domain())
			}
		}
	}
	if link == nil {
		return admin.Link{}, nil, admin.NotFound("link")
	}
	return link.domain(), uses, nil
}

// Links lists a partner's links of a kind, newest first, from the sparse GSI1 entries.
func (s *Store) Links(ctx context.Context, partnerID string, kind admin.LinkKind, page admin.PageRequest) (admin.Page[admin.Link], error) {
	gpk := linksGSI(partnerID, kind)
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1), ScanIndexForward: aws.Bool(false),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: gpk}},
		Limit:                     aws.Int32(clamp(page.Limit)), ReturnConsumedCapacity: total}
	if page.Cursor != "" {
		// The cursor carries the last GSI1SK; the rest of the key is derived from the caller's
		// scope and the link id inside the GSI1SK, so it cannot reach another partner.
		b, err := base64.RawURLEncoding.DecodeString(page.Cursor)
		gsk := string(b)
		id, ok := linkIDOfGSISK(gsk)
		if err != nil || !ok || !admin.ValidID("lnk", id) {
			return admin.Page[admin.Link]{}, invalidCursor()
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			attrGSI1PK: &types.AttributeValueMemberS{Value: gpk}, attrGSI1SK: &types.AttributeValueMemberS{Value: gsk},
			attrPK: &types.AttributeValueMemberS{Value: partnerPK(partnerID)}, attrSK: &types.AttributeValueMemberS{Value: linkSK(kind, id)},
		}
	}
	access(ctx, "Query", map[string]types.AttributeValue{attrPK: &types.AttributeValueMemberS{Value: gpk}})
	res, err := s.db.Query(ctx, in)
	if err != nil {
		return admin.Page[admin.Link]{}, fmt.Errorf("store: list links: %w", err)
	}
	record(ctx, "Query", ccs(res.ConsumedCapacity)...)
	var items []linkItem
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		return admin.Page[admin.Link]{}, fmt.Errorf("store: decode links: %w", err)
	}
	out := admin.Page[admin.Link]{Items: domains[linkItem](items)}
	if res.LastEvaluatedKey != nil && len(items) > 0 {
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(items[len(items)-1].GSI1SK))
	}
	return out, nil
}

// RevokeLink marks the link revoked (guarded by the version read).
func (s *Store) RevokeLink(ctx context.Context, l admin.Link, a admin.Activity) error {
	var t txn
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(partnerPK(l.PartnerID), linkSK(l.Kind, l.ID)),
		UpdateExpression:    aws.String("SET revoked = :t, version = :v, updatedAt = :at"),
		ConditionExpression: aws.String("version = :prev"),
		ExpressionAttributeValues: merge(marshal(struct {
			At time.Time `dynamodbav:":at"`
		}{l.UpdatedAt}), map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}, ":v": num(l.Version), ":prev": num(l.Version - 1)}),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}, versionGuard("link"))
	t.activity(s.table, a)
	return s.commit(ctx, "revoke link "+l.ID, &t)
}

// EmailLink writes one outbox item per email and counts them on the link, with the activity.
func (s *Store) EmailLink(ctx context.Context, l admin.Link, emails []admin.Email, a admin.Activity) error {
	var t txn
	for _, e := range emails {
		if err := t.outbox(s, e, a.At); err != nil {
			return err
		}
	}
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(partnerPK(l.PartnerID), linkSK(l.Kind, l.ID)),
		UpdateExpression:          aws.String("ADD emailsSent :n"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND revoked = :f"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": num(len(emails)), ":f": &types.AttributeValueMemberBOOL{Value: false}},
	}}, func(map[string]types.AttributeValue) error {
		return admin.Errorf(admin.CodeValidation, "the link was revoked meanwhile")
	})
	t.activity(s.table, a)
	return s.commit(ctx, "email link "+l.ID, &t)
}

// HasCustomer reports whether a customer is linked to the partner.
func (s *Store) HasCustomer(ctx context.Context, partnerID, customerID string) (bool, error) {
	var it struct {
		PK string `dynamodbav:"PK"`
	}
	return s.get(ctx, "get partner customer", partnerPK(partnerID), customerSK(customerID), &it)
}
