package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

func renameTooLarge(what string) error {
	return admin.Errorf(admin.CodeRenameTooLarge, "this organization has too many %s to rename in one step (at most %d changes at once); nothing was changed",
		what, admin.MaxTransactionActions)
}

// OrganizationLinks reads the customer's side of its relationships and its users' email addresses
// in one Query of the range of its partition from PARTNER# to USER# (which also holds the profile
// and the subscriptions: only a few attributes of each item are read); more than one transaction
// could rewrite is CodeRenameTooLarge.
func (st *Store) OrganizationLinks(ctx context.Context, customerID string) ([]admin.Relationship, []string, error) {
	pk := customerPK(customerID)
	in := &dynamodb.QueryInput{TableName: &st.table, ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: total,
		KeyConditionExpression:    aws.String("PK = :pk AND SK BETWEEN :lo AND :hi"),
		ProjectionExpression:      aws.String("SK, customerId, customerName, customerDomain, partnerId, version, email"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":lo": str(skPartner), ":hi": str(skUser + "\uffff")}}
	access(ctx, "Query", key(pk, ""))
	var rels []admin.Relationship
	var emails []string
	for {
		res, err := st.db.Query(ctx, in)
		if err != nil {
			return nil, nil, fmt.Errorf("store: read relationships and users of %s: %w", customerID, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		for _, item := range res.Items {
			sk := item[attrSK].(*types.AttributeValueMemberS).Value
			switch {
			case strings.HasPrefix(sk, skPartner):
				var r relationshipItem
				if err := attributevalue.UnmarshalMap(item, &r); err != nil {
					return nil, nil, fmt.Errorf("store: decode relationship of %s: %w", customerID, err)
				}
				rels = append(rels, r.domain())
			case strings.HasPrefix(sk, skUser):
				var u userItem
				if err := attributevalue.UnmarshalMap(item, &u); err != nil {
					return nil, nil, fmt.Errorf("store: decode user of %s: %w", customerID, err)
				}
				emails = append(emails, u.Email)
			}
		}
		switch {
		case len(rels) > admin.MaxTransactionActions:
			return nil, nil, renameTooLarge("partners")
		case len(emails) > admin.MaxTransactionActions:
			return nil, nil, renameTooLarge("users")
		case res.LastEvaluatedKey == nil:
			return rels, emails, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// UpdateTenant writes an organization change in one transaction: the profile (version-guarded),
// the activity entry and, on a rename, the name everywhere it is kept: both sides of every
// relationship (guarded by the version read, raised), the partner's list and search keys, the word
// items of every partner's search (old ones deleted, new ones put), the users' login items.
func (st *Store) UpdateTenant(ctx context.Context, w admin.TenantUpdate) error {
	var t txn
	c := w.After
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: key(customerPK(c.ID), skProf),
		UpdateExpression:    aws.String("SET #n = :n, country = :c, version = :v"),
		ConditionExpression: aws.String("version = :prev"), ExpressionAttributeNames: map[string]string{"#n": "name"},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":n": str(c.Name), ":c": str(c.Country), ":v": num(c.Version), ":prev": num(w.PrevVersion)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}, versionGuard("organization"))
	t.activity(st.table, w.Activity)
	if w.Renamed {
		changed := func(map[string]types.AttributeValue) error {
			return admin.Errorf(admin.CodeConcurrentRequest, "the organization's users or partners changed meanwhile; retry")
		}
		for _, e := range w.LoginEmails {
			t.add(types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: key(loginPK(e), skLogin),
				UpdateExpression: aws.String("SET orgName = :n"), ConditionExpression: aws.String("attribute_exists(PK)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":n": str(c.Name)}}}, changed)
		}
		for _, r := range w.Relationships {
			renamed := r
			renamed.CustomerName = c.Name
			g1pk, g1sk, g2pk, g2sk := directoryKeys(renamed)
			guard := map[string]types.AttributeValue{":n": str(c.Name), ":prev": num(r.Version), ":v": num(r.Version + 1)}
			t.add(types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: key(customerPK(r.CustomerID), partnerSK(r.PartnerID)),
				UpdateExpression: aws.String("SET customerName = :n, version = :v"), ConditionExpression: aws.String("version = :prev"),
				ExpressionAttributeValues: guard}}, changed)
			t.add(types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: key(partnerPK(r.PartnerID), customerSK(r.CustomerID)),
				UpdateExpression:    aws.String("SET customerName = :n, version = :v, GSI1PK = :g1pk, GSI1SK = :g1sk, GSI2PK = :g2pk, GSI2SK = :g2sk"),
				ConditionExpression: aws.String("version = :prev"),
				ExpressionAttributeValues: merge(guard, map[string]types.AttributeValue{":g1pk": str(g1pk), ":g1sk": str(g1sk),
					":g2pk": str(g2pk), ":g2sk": str(g2sk)})}}, changed)
			fresh := map[string]bool{}
			for _, wi := range wordItems(r.PartnerID, r.CustomerID, c.Name, r.CustomerDomain) {
				fresh[wi.SK] = true
				t.put(st.table, wi, "", nil, nil, nil)
			}
			for _, old := range wordItems(r.PartnerID, r.CustomerID, r.CustomerName, r.CustomerDomain) {
				if !fresh[old.SK] {
					t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: key(old.PK, old.SK)}}, nil)
				}
			}
		}
	}
	if len(t.items) > admin.MaxTransactionActions {
		what := "partners"
		if len(w.LoginEmails) > len(w.Relationships) {
			what = "users"
		}
		return renameTooLarge(what)
	}
	return st.commit(ctx, "update organization "+c.ID, &t)
}

// loginOrgNameCheck is the condition an acceptance by a returning customer carries: the login's
// copy of the organization's name is still the one the acceptance read, so a rename committed
// meanwhile (which rewrites it) makes the acceptance retry with the new name rather than list the
// customer under the old one with its new partner.
func loginOrgNameCheck(table, email, name string) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &table, Key: key(loginPK(email), skLogin),
		ConditionExpression:       aws.String("attribute_not_exists(orgName) OR orgName = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": str(name)}}}
}
