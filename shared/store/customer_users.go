package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// The users of a customer organization live in its partition (CUSTOMER#<cid> / USER#<uid>), next
// to the profile that counts its admins and to each user's password reset history
// (RESETS#<uid>, expiring an hour after the last reset).

// resetsItem is a customer user's recent password resets (admin.PasswordResets).
type resetsItem struct {
	PK        string  `dynamodbav:"PK"`
	SK        string  `dynamodbav:"SK"`
	Type      string  `dynamodbav:"Type"`
	UserID    string  `dynamodbav:"userId"`
	Times     []int64 `dynamodbav:"times"` // epoch ms, oldest first
	Version   int     `dynamodbav:"version"`
	ExpiresAt int64   `dynamodbav:"expiresAt"` // TTL: when the last reset leaves the window
}

func toResetsItem(customerID, userID string, r admin.PasswordResets) resetsItem {
	it := resetsItem{PK: customerPK(customerID), SK: resetsSK(userID), Type: typePasswordResets, UserID: userID, Version: r.Version}
	for _, t := range r.Times {
		it.Times = append(it.Times, t.UnixMilli())
	}
	if n := len(r.Times); n > 0 {
		it.ExpiresAt = r.Times[n-1].Add(admin.PasswordResetWindow).Unix() + 1
	}
	return it
}

func (it resetsItem) domain() admin.PasswordResets {
	r := admin.PasswordResets{Version: it.Version}
	for _, ms := range it.Times {
		r.Times = append(r.Times, time.UnixMilli(ms).UTC())
	}
	return r
}

// CustomerUsers lists a customer's users in id order.
func (s *Store) CustomerUsers(ctx context.Context, customerID string, page admin.PageRequest) (admin.Page[admin.User], error) {
	return listPage[userItem, admin.User](ctx, s, "list customer users", customerPK(customerID), skUser, "", "", page, true)
}

// CustomerUserOf reads one user of a customer.
func (s *Store) CustomerUserOf(ctx context.Context, customerID, userID string) (admin.User, error) {
	return s.userOf(ctx, customerPK(customerID), userID)
}

// ResetTarget reads the customer's profile, its side of the relationship with the partner, the
// user and the user's reset history in one strongly consistent BatchGetItem (one partition).
func (s *Store) ResetTarget(ctx context.Context, partnerID, customerID, userID string) (admin.Customer, admin.Relationship, admin.User, bool, admin.PasswordResets, error) {
	pk := customerPK(customerID)
	var (
		c  customerItem
		r  relationshipItem
		u  userItem
		rs resetsItem
	)
	found, err := s.batchGet(ctx, "get reset target", []map[string]types.AttributeValue{
		key(pk, skProf), key(pk, partnerSK(partnerID)), key(pk, userSK(userID)), key(pk, resetsSK(userID))}, &c, &r, &u, &rs)
	if err != nil {
		return admin.Customer{}, admin.Relationship{}, admin.User{}, false, admin.PasswordResets{}, err
	}
	if !found[0] || !found[1] {
		return admin.Customer{}, admin.Relationship{}, admin.User{}, false, admin.PasswordResets{}, admin.NotFound("customer")
	}
	return c.domain(), r.domain(), u.domain(), found[2], rs.domain(), nil
}

// customerAdmins moves a customer's admin count by delta. The count of a customer signed up
// before it was kept is missing and means one: a rise starts from one, and a drop needs a count
// above one, which a missing count is not — so the last admin stays, recorded or not.
func customerAdmins(table, customerID string, delta int) (types.TransactWriteItem, func(map[string]types.AttributeValue) error) {
	u := &types.Update{TableName: &table, Key: key(customerPK(customerID), skProf),
		UpdateExpression:          aws.String("SET admins = if_not_exists(admins, :one) + :d"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":d": num(delta)},
	}
	fail := notFound("customer")
	if delta < 0 {
		u.UpdateExpression = aws.String("SET admins = admins + :d")
		u.ConditionExpression = aws.String("admins > :one")
		fail = func(map[string]types.AttributeValue) error {
			return admin.Errorf(admin.CodeLastGlobalAdmin, "the organization must keep at least one admin; make another user admin first")
		}
	}
	return types.TransactWriteItem{Update: u}, fail
}

// CreateCustomerUser writes the user, its login (the email must be new), the admin count, the
// relationship's condition (a partner's write), the activity entries and the idempotency record
// in one transaction.
func (s *Store) CreateCustomerUser(ctx context.Context, w admin.CustomerUserWrite) error {
	var t txn
	t.idempotency(s, w.Idempotency, w.User.CreatedAt) // first: a replay is recognized before anything else fails
	if w.Inside != nil {
		t.insideCustomer(s.table, *w.Inside)
	}
	t.put(s.table, toUserItem(w.User), "attribute_not_exists(PK)", nil, nil, nil)
	t.put(s.table, toLoginItem(w.Login), "attribute_not_exists(PK)", nil, nil, emailTaken)
	if w.User.CompanyRole == admin.RoleGlobalAdmin {
		t.add(customerAdmins(s.table, w.User.OrgID, 1))
	}
	for _, a := range w.Activities {
		t.activity(s.table, a)
	}
	return s.commit(ctx, "create customer user "+w.User.ID, &t)
}

// UpdateCustomerUser replaces the user's record if its version is still prevVersion, moving the
// admin count with a change of role.
func (s *Store) UpdateCustomerUser(ctx context.Context, u admin.User, prevVersion, adminDelta int, a admin.Activity) error {
	var t txn
	s.putUserGuarded(&t, u, prevVersion)
	if adminDelta != 0 {
		t.add(customerAdmins(s.table, u.OrgID, adminDelta))
	}
	t.activity(s.table, a)
	return s.commit(ctx, "update customer user "+u.ID, &t)
}

// DeleteCustomerUser removes the user and its login, moving the admin count.
func (s *Store) DeleteCustomerUser(ctx context.Context, u admin.User, adminDelta int, a admin.Activity) error {
	var t txn
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(customerPK(u.OrgID), userSK(u.ID)),
		ConditionExpression: aws.String("attribute_exists(PK)")}}, notFound("user"))
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(loginPK(u.Email), skLogin)}}, nil)
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(customerPK(u.OrgID), factorSK(u.ID))}}, nil) // its second factor, if any
	if adminDelta != 0 {
		t.add(customerAdmins(s.table, u.OrgID, adminDelta))
	}
	t.activity(s.table, a)
	return s.commit(ctx, "delete customer user "+u.ID, &t)
}

// ResetCustomerPassword writes a password reset in one transaction: the relationship's
// condition, the user (version-guarded; its session epoch raised, so every token issued before
// stops working), the login (new hash, the same epoch, change required), the reset history
// (guarded by the version read, so concurrent resets cannot both pass the limit), the activity
// entries and the optional email (its password sealed).
func (s *Store) ResetCustomerPassword(ctx context.Context, w admin.PasswordResetWrite) error {
	var t txn
	u := w.User
	t.insideCustomer(s.table, w.Inside)
	s.putUserGuarded(&t, u, w.PrevVersion)
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(loginPK(u.Email), skLogin),
		UpdateExpression:    aws.String("SET passwordHash = :h, passwordChangeRequired = :m, sessionEpoch = :e"),
		ConditionExpression: aws.String("userId = :u"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": &types.AttributeValueMemberS{Value: w.PasswordHash},
			":u": &types.AttributeValueMemberS{Value: u.ID}, ":m": &types.AttributeValueMemberBOOL{Value: u.PasswordChangeRequired}, ":e": num(u.SessionEpoch)},
	}}, notFound("user"))
	cond, values := "attribute_not_exists(PK)", map[string]types.AttributeValue(nil)
	if prev := w.Resets.Version - 1; prev > 0 {
		cond, values = "version = :prev", map[string]types.AttributeValue{":prev": num(prev)}
	}
	t.put(s.table, toResetsItem(u.OrgID, u.ID, w.Resets), cond, nil, values, func(map[string]types.AttributeValue) error {
		return admin.Errorf(admin.CodeConcurrentRequest, "another password reset of this user ran at the same time; retry")
	})
	for _, a := range w.Activities {
		t.activity(s.table, a)
	}
	if w.Email != nil {
		if err := t.outbox(s, *w.Email, u.UpdatedAt); err != nil {
			return err
		}
	}
	return s.commit(ctx, "reset password "+u.ID, &t)
}
