package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// SubscriptionAndPartner reads a customer's subscription and a partner's profile in one
// strongly consistent BatchGetItem; nil for what does not exist. The subscription's key is in
// the caller's customer partition, so a subscription id of another customer names nothing.
func (in Inbox) SubscriptionAndPartner(ctx context.Context, customerID, subscriptionID, partnerID string) (*admin.Subscription, *admin.Partner, error) {
	s := in.s
	var sub subscriptionItem
	var p partnerItem
	found, err := s.batchGet(ctx, "get subscription and partner", []map[string]types.AttributeValue{
		key(customerPK(customerID), subSK(subscriptionID)), key(partnerPK(partnerID), skProf)}, &sub, &p)
	if err != nil {
		return nil, nil, err
	}
	var ds *admin.Subscription
	var dp *admin.Partner
	if found[0] {
		d := sub.domain()
		ds = &d
	}
	if found[1] {
		d := p.domain()
		dp = &d
	}
	return ds, dp, nil
}

// ChangePartnerOfRecord writes the subscription with its new Partner of Record (guarded by its
// version), checks that the partner is still a subscription advisor of the cloud, and writes the
// activity entries, in one transaction.
func (in Inbox) ChangePartnerOfRecord(ctx context.Context, sub admin.Subscription, prevVersion int, cloud admin.Cloud, acts []admin.Activity) error {
	s := in.s
	var t txn
	t.put(s.table, toSubscriptionItem(sub), "version = :prev", nil, map[string]types.AttributeValue{":prev": num(prevVersion)}, versionGuard("subscription"))
	t.add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(s.table), Key: key(partnerPK(sub.PartnerOfRecord), skProf),
		ConditionExpression:       aws.String("cloud = :cloud AND contains(authorizations, :advisor)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":cloud": str(string(cloud)), ":advisor": str(string(admin.AuthSubscriptionAdvisor))},
	}}, notFound("partner"))
	for _, a := range acts {
		t.activity(s.table, a)
	}
	return s.commit(ctx, "change partner of record "+sub.CustomerID+"/"+sub.ID, &t)
}
