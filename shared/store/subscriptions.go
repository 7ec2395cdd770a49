package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// CustomerSubscription reads a customer's profile, its side of the relationship with the
// partner and one of its subscriptions in one strongly consistent BatchGetItem. Every key is in
// the customer's partition, and the relationship's is built from the caller's partner id: a
// customer without a relationship to this partner is not found, whatever it is, and a
// subscription id of another customer names no item of this partition.
func (s *Store) CustomerSubscription(ctx context.Context, partnerID, customerID, subscriptionID string) (admin.Customer, admin.Relationship, *admin.Subscription, error) {
	var c customerItem
	var r relationshipItem
	var sub subscriptionItem
	found, err := s.batchGet(ctx, "get customer subscription", []map[string]types.AttributeValue{key(customerPK(customerID), skProf),
		key(customerPK(customerID), partnerSK(partnerID)), key(customerPK(customerID), subSK(subscriptionID))}, &c, &r, &sub)
	if err != nil {
		return admin.Customer{}, admin.Relationship{}, nil, err
	}
	if !found[0] || !found[1] {
		return admin.Customer{}, admin.Relationship{}, nil, admin.NotFound("customer")
	}
	if !found[2] {
		return c.domain(), r.domain(), nil, nil
	}
	d := sub.domain()
	return c.domain(), r.domain(), &d, nil
}

// UpdateSubscription writes a changed subscription (guarded by its version), the condition of
// every write inside a customer (the relationship as authorized) and the activity entries, in
// one transaction.
func (s *Store) UpdateSubscription(ctx context.Context, sub admin.Subscription, prevVersion int, rel admin.Relationship, acts []admin.Activity) error {
	var t txn
	t.put(s.table, toSubscriptionItem(sub), "version = :prev", nil, map[string]types.AttributeValue{":prev": num(prevVersion)}, versionGuard("subscription"))
	t.insideCustomer(s.table, rel)
	for _, a := range acts {
		t.activity(s.table, a)
	}
	return s.commit(ctx, "update subscription "+sub.CustomerID+"/"+sub.ID, &t)
}
