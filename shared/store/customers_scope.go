package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// CustomerOfPartner reads a customer's profile and its side of the relationship with the partner
// in one strongly consistent BatchGetItem. Both keys are built from the caller's partner id and
// the customer id: a customer without a relationship to this partner is not found, whatever it is.
func (s *Store) CustomerOfPartner(ctx context.Context, partnerID, customerID string) (admin.Customer, admin.Relationship, error) {
	var c customerItem
	var r relationshipItem
	fc, fr, err := s.batchPair(ctx, "get customer of partner", key(customerPK(customerID), skProf), key(customerPK(customerID), partnerSK(partnerID)), &c, &r)
	if err != nil {
		return admin.Customer{}, admin.Relationship{}, err
	}
	if !fc || !fr {
		return admin.Customer{}, admin.Relationship{}, admin.NotFound("customer")
	}
	return c.domain(), r.domain(), nil
}

// insideCustomer adds the condition every write inside a customer carries: the customer's side of
// the relationship is still the version the request was authorized against. A customer ending
// delegated administration (or anything else changing the grant) at the same moment makes the
// write fail, so no partner write lands after the end.
func (t *txn) insideCustomer(table string, r admin.Relationship) {
	t.add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table),
		Key: key(customerPK(r.CustomerID), partnerSK(r.PartnerID)), ConditionExpression: aws.String("version = :v"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":v": num(r.Version)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureNone,
	}}, func(map[string]types.AttributeValue) error {
		return admin.Errorf(admin.CodeConcurrentRequest, "the customer's delegated administration changed meanwhile; re-read and retry")
	})
}
