package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// factorItem is a user's second factor in the organization's partition. The TOTP secrets are
// sealed (AES-256-GCM under FactorSealer, bound to the item's key and the field), so a copy of
// the table yields no usable secret; recovery codes are kept as hashes only, in a string set
// from which a used one is deleted atomically.
type factorItem struct {
	PK             string    `dynamodbav:"PK"`
	SK             string    `dynamodbav:"SK"`
	Type           string    `dynamodbav:"Type"`
	OrgID          string    `dynamodbav:"orgId"`
	UserID         string    `dynamodbav:"userId"`
	Secret         string    `dynamodbav:"secret,omitempty"`
	LastStep       int64     `dynamodbav:"lastStep"`
	RecoveryHashes []string  `dynamodbav:"recoveryCodes,stringset,omitempty"`
	PendingSecret  string    `dynamodbav:"pendingSecret,omitempty"`
	PendingAt      time.Time `dynamodbav:"pendingAt,omitempty"`
	EnabledAt      time.Time `dynamodbav:"enabledAt,omitempty"`
	Version        int       `dynamodbav:"version"`
}

// Factors is the second factors' side of the store (admin.MFAStore), a type of its own so that
// only the functions of two-factor sign-in link its methods.
type Factors struct{ *Store }

// FactorsOf returns the second factors' side of s.
func FactorsOf(s *Store) Factors { return Factors{s} }

var _ admin.MFAStore = Factors{}

func (s Factors) factorSealer() (*Sealer, error) {
	if s.FactorSealer == nil {
		return nil, fmt.Errorf("store: two-factor secrets need the sealing key (LINK_KEY), and none is configured")
	}
	return s.FactorSealer, nil
}

// sealAs and openAs bind a sealed secret to the factor's key and field.
func factorAAD(f admin.SecondFactor) string { return orgPK(f.OrgID) + "|" + factorSK(f.UserID) }

func (s Factors) toFactorItem(f admin.SecondFactor) (factorItem, error) {
	it := factorItem{PK: orgPK(f.OrgID), SK: factorSK(f.UserID), Type: typeFactor, OrgID: f.OrgID, UserID: f.UserID,
		LastStep: f.LastStep, RecoveryHashes: f.RecoveryHashes, PendingAt: f.PendingAt, EnabledAt: f.EnabledAt, Version: f.Version}
	for _, x := range []struct {
		field string
		plain string
		out   *string
	}{{"secret", f.Secret, &it.Secret}, {"pendingSecret", f.PendingSecret, &it.PendingSecret}} {
		if x.plain == "" {
			continue
		}
		sl, err := s.factorSealer()
		if err != nil {
			return factorItem{}, err
		}
		if *x.out, err = sl.seal(factorAAD(f), x.field, x.plain); err != nil {
			return factorItem{}, err
		}
	}
	return it, nil
}

func (s Factors) factorOf(it factorItem) (admin.SecondFactor, error) {
	f := admin.SecondFactor{OrgID: it.OrgID, UserID: it.UserID, Active: it.Secret != "", Pending: it.PendingSecret != "",
		LastStep: it.LastStep, RecoveryHashes: it.RecoveryHashes, PendingAt: it.PendingAt, EnabledAt: it.EnabledAt, Version: it.Version}
	if s.FactorSealer == nil {
		return f, nil // a function that only resets a factor: it never needs the secrets
	}
	for _, x := range []struct {
		field  string
		sealed string
		out    *string
	}{{"secret", it.Secret, &f.Secret}, {"pendingSecret", it.PendingSecret, &f.PendingSecret}} {
		if x.sealed == "" {
			continue
		}
		sl, err := s.factorSealer()
		if err != nil {
			return admin.SecondFactor{}, err
		}
		if *x.out, err = sl.open(factorAAD(f), x.field, x.sealed); err != nil {
			return admin.SecondFactor{}, err
		}
	}
	return f, nil
}

// SecondFactor reads a user's factor and the user in one BatchGetItem.
func (s Factors) SecondFactor(ctx context.Context, orgID, userID string) (admin.SecondFactor, admin.User, error) {
	var (
		f factorItem
		u userItem
	)
	found, err := s.batchGet(ctx, "get second factor", []map[string]types.AttributeValue{
		key(orgPK(orgID), factorSK(userID)), key(orgPK(orgID), userSK(userID)),
	}, &f, &u)
	if err != nil {
		return admin.SecondFactor{}, admin.User{}, err
	}
	if !found[1] {
		return admin.SecondFactor{}, admin.User{}, admin.NotFound("user")
	}
	if !found[0] {
		return admin.SecondFactor{OrgID: orgID, UserID: userID}, u.domain(), nil
	}
	fd, err := s.factorOf(f)
	return fd, u.domain(), err
}

// factorGuard is the condition of a factor write guarded by its previous version (0: absent).
func factorGuard(prevVersion int) (string, map[string]types.AttributeValue) {
	if prevVersion == 0 {
		return "attribute_not_exists(PK)", nil
	}
	return "version = :prev", map[string]types.AttributeValue{":prev": num(prevVersion)}
}

func factorChanged(map[string]types.AttributeValue) error {
	return admin.Errorf(admin.CodeConcurrentRequest, "the two-factor sign-in changed at the same time; retry")
}

// SavePendingFactor writes a factor with a pending enrolment.
func (s Factors) SavePendingFactor(ctx context.Context, f admin.SecondFactor, prevVersion int) error {
	it, err := s.toFactorItem(f)
	if err != nil {
		return err
	}
	cond, values := factorGuard(prevVersion)
	return s.putOne(ctx, "save pending factor "+f.UserID, it, cond, values, factorChanged)
}

// SetFactor writes the user, the login's mirror of MFAEnabled (and of the epoch), and the factor
// — or deletes it when it has no secret and no pending one — with the activity entry, in one
// transaction.
func (s Factors) SetFactor(ctx context.Context, u admin.User, prevUserVersion int, f admin.SecondFactor, prevVersion int, a admin.Activity) error {
	var t txn
	s.putUserGuarded(&t, u, prevUserVersion)
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(loginPK(u.Email), skLogin),
		UpdateExpression:    aws.String("SET mfaEnabled = :m, sessionEpoch = :e"),
		ConditionExpression: aws.String("userId = :u"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": &types.AttributeValueMemberS{Value: u.ID},
			":m": &types.AttributeValueMemberBOOL{Value: u.MFAEnabled}, ":e": num(u.SessionEpoch)},
	}}, notFound("user"))
	cond, values := factorGuard(prevVersion)
	if !f.Active && !f.Pending {
		if prevVersion > 0 {
			t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(orgPK(f.OrgID), factorSK(f.UserID)),
				ConditionExpression: aws.String(cond), ExpressionAttributeValues: values}}, factorChanged)
		}
	} else {
		it, err := s.toFactorItem(f)
		if err != nil {
			return err
		}
		t.put(s.table, it, cond, nil, values, factorChanged)
	}
	t.activity(s.table, a)
	return s.commit(ctx, "set second factor "+u.ID, &t)
}

// UseTOTPStep records a step as used, if it is later than the last one.
func (s Factors) UseTOTPStep(ctx context.Context, orgID, userID string, step int64) error {
	k := key(orgPK(orgID), factorSK(userID))
	access(ctx, "UpdateItem", k)
	res, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: k,
		UpdateExpression:    aws.String("SET lastStep = :s"),
		ConditionExpression: aws.String("attribute_exists(secret) AND lastStep < :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":s": &types.AttributeValueMemberN{Value: strconv.FormatInt(step, 10)}},
		ReturnConsumedCapacity: total})
	return s.mfaUpdated(ctx, "use totp step", res, err)
}

func (s Factors) mfaUpdated(ctx context.Context, op string, res *dynamodb.UpdateItemOutput, err error) error {
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		record(ctx, "UpdateItem", ccs(res.ConsumedCapacity)...)
		return nil
	case errors.As(err, &ccf):
		record(ctx, "UpdateItem")
		return admin.InvalidMFACode("code")
	}
	record(ctx, "UpdateItem")
	return fmt.Errorf("store: %s: %w", op, err)
}

// UseRecoveryCode deletes a recovery code's hash from the set if it is there, with the activity
// entry, in one transaction.
func (s Factors) UseRecoveryCode(ctx context.Context, orgID, userID, hash string, a admin.Activity) error {
	var t txn
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(orgPK(orgID), factorSK(userID)),
		UpdateExpression:    aws.String("DELETE recoveryCodes :h"),
		ConditionExpression: aws.String("attribute_exists(secret) AND contains(recoveryCodes, :c)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":h": &types.AttributeValueMemberSS{Value: []string{hash}}, ":c": &types.AttributeValueMemberS{Value: hash}},
	}}, func(map[string]types.AttributeValue) error {
		return admin.InvalidMFACode("recoveryCode")
	})
	t.activity(s.table, a)
	return s.commit(ctx, "use recovery code "+userID, &t)
}
