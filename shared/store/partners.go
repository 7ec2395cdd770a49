package store

import (
	"context"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Partner reads a partner.
func (s *Store) Partner(ctx context.Context, partnerID string) (admin.Partner, error) {
	var it partnerItem
	ok, err := s.get(ctx, "get partner "+partnerID, partnerPK(partnerID), skProf, &it)
	if err != nil {
		return admin.Partner{}, err
	}
	if !ok {
		return admin.Partner{}, admin.NotFound("partner")
	}
	return it.domain(), nil
}

// CreatePartner writes a new partner, its first user and login, the activity entry and the
// idempotency record in one transaction.
func (s *Store) CreatePartner(ctx context.Context, p admin.Partner, u admin.User, l admin.Login, a admin.Activity, idem *admin.Idempotency) error {
	var t txn
	t.idempotency(s, idem, a.At) // first: a replay is recognized before the email counts as taken
	t.put(s.table, toPartnerItem(p), "attribute_not_exists(PK)", nil, nil, nil)
	t.put(s.table, toUserItem(u), "attribute_not_exists(PK)", nil, nil, nil)
	t.put(s.table, toLoginItem(l), "attribute_not_exists(PK)", nil, nil, emailTaken)
	t.activity(s.table, a)
	return s.commit(ctx, "create partner "+p.ID, &t)
}

// UpdatePartner writes the partner's profile and authorizations if its version is still
// prevVersion; counters are left alone (they move with the items they count).
func (s *Store) UpdatePartner(ctx context.Context, p admin.Partner, prevVersion int, a admin.Activity) error {
	it := toPartnerItem(p)
	var t txn
	upd := &types.Update{
		TableName: &s.table, Key: key(it.PK, it.SK),
		UpdateExpression: aws.String("SET #name = :name, phone = :phone, email = :email, website = :website, address = :address, " +
			"authorizations = :auths, version = :next, updatedAt = :at"),
		ConditionExpression:      aws.String("version = :prev"),
		ExpressionAttributeNames: map[string]string{"#name": "name"},
		ExpressionAttributeValues: merge(marshal(struct {
			Name    string       `dynamodbav:":name"`
			Phone   string       `dynamodbav:":phone"`
			Email   string       `dynamodbav:":email"`
			Website string       `dynamodbav:":website"`
			Address *addressItem `dynamodbav:":address"`
			Auths   []string     `dynamodbav:":auths"`
			At      time.Time    `dynamodbav:":at"`
		}{it.Name, it.Phone, it.Email, it.Website, it.Address, it.Authorizations, it.UpdatedAt}),
			map[string]types.AttributeValue{":next": num(p.Version), ":prev": num(prevVersion)}),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
	t.add(types.TransactWriteItem{Update: upd}, versionGuard("partner"))
	t.activity(s.table, a)
	return s.commit(ctx, "update partner "+p.ID, &t)
}

func num(n int) types.AttributeValue { return &types.AttributeValueMemberN{Value: strconv.Itoa(n)} }

func merge(ms ...map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := map[string]types.AttributeValue{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}
