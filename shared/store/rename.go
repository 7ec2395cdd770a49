package store

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

func renameTooLarge(what string) error {
	return admin.Errorf(admin.CodeRenameTooLarge, "this organization has too many %s to rename in one step (at most %d changes at once); nothing was changed",
		what, admin.MaxTransactionActions)
}

// OrganizationLinks reads the customer's side of its relationships and its users' email addresses,
// two Queries sent concurrently; more than one transaction could rewrite is CodeRenameTooLarge.
func (st *Store) OrganizationLinks(ctx context.Context, customerID string) ([]admin.Relationship, []string, error) {
	pk := customerPK(customerID)
	var (
		rels      []relationshipItem
		users     []userItem
		moreRels  bool
		moreUsers bool
		errs      [2]error
		wg        sync.WaitGroup
	)
	wg.Go(func() {
		in := indexQuery(st.table, "", attrPK, attrSK, pk, skPartner, admin.MaxTransactionActions)
		in.ConsistentRead = aws.Bool(true)
		rels, moreRels, errs[0] = queryIndex[relationshipItem](ctx, st, "read relationships of "+customerID, in, pk)
	})
	wg.Go(func() {
		in := indexQuery(st.table, "", attrPK, attrSK, pk, skUser, admin.MaxTransactionActions)
		in.ConsistentRead = aws.Bool(true)
		users, moreUsers, errs[1] = queryIndex[userItem](ctx, st, "read users of "+customerID, in, pk)
	})
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	switch {
	case moreRels:
		return nil, nil, renameTooLarge("partners")
	case moreUsers:
		return nil, nil, renameTooLarge("users")
	}
	out := make([]admin.Relationship, len(rels))
	for i, r := range rels {
		out[i] = r.domain()
	}
	emails := make([]string, len(users))
	for i, u := range users {
		emails[i] = u.Email
	}
	return out, emails, nil
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
