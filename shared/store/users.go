package store

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// User reads one of a partner's users.
func (s *Store) User(ctx context.Context, partnerID, userID string) (admin.User, error) {
	return s.userOf(ctx, partnerPK(partnerID), userID)
}

// userOf reads a user of the organization whose partition is pk.
func (s *Store) userOf(ctx context.Context, pk, userID string) (admin.User, error) {
	var it userItem
	ok, err := s.get(ctx, "get user "+userID, pk, userSK(userID), &it)
	if err != nil {
		return admin.User{}, err
	}
	if !ok {
		return admin.User{}, admin.NotFound("user")
	}
	return it.domain(), nil
}

// Users lists a partner's users in id order.
func (s *Store) Users(ctx context.Context, partnerID string, page admin.PageRequest) (admin.Page[admin.User], error) {
	return listPage[userItem, admin.User](ctx, s, "list users", partnerPK(partnerID), skUser, "", "", page, true)
}

// partnerCounters is the update of the partner item that moves with a user change: the user
// count, and the global-admin count, which may never drop below one.
func partnerCounters(table, partnerID string, users, admins int) (types.TransactWriteItem, func(map[string]types.AttributeValue) error) {
	u := &types.Update{
		TableName: &table, Key: key(partnerPK(partnerID), skProf),
		UpdateExpression: aws.String("SET userCount = userCount + :u, globalAdmins = globalAdmins + :a"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":u": &types.AttributeValueMemberN{Value: strconv.Itoa(users)},
			":a": &types.AttributeValueMemberN{Value: strconv.Itoa(admins)},
		},
		ConditionExpression: aws.String("attribute_exists(PK)"),
	}
	if admins < 0 {
		u.ConditionExpression = aws.String("attribute_exists(PK) AND globalAdmins > :one")
		u.ExpressionAttributeValues[":one"] = &types.AttributeValueMemberN{Value: "1"}
	}
	return types.TransactWriteItem{Update: u}, func(map[string]types.AttributeValue) error {
		return admin.Errorf(admin.CodeLastGlobalAdmin, "the partner must keep at least one global admin; make another user global admin first")
	}
}

// CreateUser writes the user, the login (the email must be new), the partner's counters, the
// activity entry and the idempotency record in one transaction.
func (s *Store) CreateUser(ctx context.Context, u admin.User, l admin.Login, a admin.Activity, idem *admin.Idempotency) error {
	var t txn
	t.idempotency(s, idem, a.At) // first: a replay is recognized before anything else fails
	t.put(s.table, toUserItem(u), "attribute_not_exists(PK)", nil, nil, nil)
	t.put(s.table, toLoginItem(l), "attribute_not_exists(PK)", nil, nil, emailTaken)
	admins := 0
	if u.CompanyRole == admin.RoleGlobalAdmin {
		admins = 1
	}
	t.add(partnerCounters(s.table, u.OrgID, 1, admins))
	t.activity(s.table, a)
	return s.commit(ctx, "create user "+u.ID, &t)
}

// UpdateUser replaces the user's record if its version is still prevVersion.
func (s *Store) UpdateUser(ctx context.Context, u admin.User, prevVersion int, globalAdminDelta int, a admin.Activity) error {
	var t txn
	s.putUserGuarded(&t, u, prevVersion)
	if globalAdminDelta != 0 {
		t.add(partnerCounters(s.table, u.OrgID, 0, globalAdminDelta))
	}
	t.activity(s.table, a)
	return s.commit(ctx, "update user "+u.ID, &t)
}

func (s *Store) putUserGuarded(t *txn, u admin.User, prevVersion int) {
	t.put(s.table, toUserItem(u), "version = :prev", nil,
		map[string]types.AttributeValue{":prev": num(prevVersion)}, versionGuard("user"))
}

// DeleteUser removes the user and its login, and moves the partner's counters.
func (s *Store) DeleteUser(ctx context.Context, u admin.User, globalAdminDelta int, a admin.Activity) error {
	var t txn
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(partnerPK(u.OrgID), userSK(u.ID)),
		ConditionExpression: aws.String("attribute_exists(PK)")}}, notFound("user"))
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(loginPK(u.Email), skLogin)}}, nil)
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(partnerPK(u.OrgID), factorSK(u.ID))}}, nil) // its second factor, if any
	t.add(partnerCounters(s.table, u.OrgID, -1, globalAdminDelta))
	t.activity(s.table, a)
	return s.commit(ctx, "delete user "+u.ID, &t)
}

// SetPassword writes the user record and replaces the login's password hash.
func (s *Store) SetPassword(ctx context.Context, u admin.User, prevVersion int, hash string, a admin.Activity, next *admin.UserSession) error {
	var t txn
	s.putUserGuarded(&t, u, prevVersion)
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(loginPK(u.Email), skLogin),
		UpdateExpression:    aws.String("SET passwordHash = :h, passwordChangeRequired = :m, sessionEpoch = :e"),
		ConditionExpression: aws.String("userId = :u"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":h": &types.AttributeValueMemberS{Value: hash},
			":u": &types.AttributeValueMemberS{Value: u.ID}, ":m": &types.AttributeValueMemberBOOL{Value: u.PasswordChangeRequired}, ":e": num(u.SessionEpoch)},
	}}, notFound("user"))
	t.activity(s.table, a)
	if next != nil {
		t.put(s.table, toSessionItem(*next), "attribute_not_exists(PK)", nil, nil, nil)
	}
	return s.commit(ctx, "set password "+u.ID, &t)
}

// Login reads the credential record of an email.
func (s *Store) Login(ctx context.Context, email string) (admin.Login, error) {
	var it loginItem
	ok, err := s.get(ctx, "get login", loginPK(email), skLogin, &it)
	if err != nil {
		return admin.Login{}, err
	}
	if !ok {
		return admin.Login{}, admin.NotFound("login")
	}
	return it.domain(), nil
}
