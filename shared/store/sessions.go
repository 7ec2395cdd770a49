package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// sessionItem is a sign-in session in its user's organization's partition. DynamoDB's TTL
// removes it after its absolute end.
type sessionItem struct {
	PK         string    `dynamodbav:"PK"`
	SK         string    `dynamodbav:"SK"`
	Type       string    `dynamodbav:"Type"`
	ID         string    `dynamodbav:"sessionId"`
	OrgID      string    `dynamodbav:"orgId"`
	OrgKind    string    `dynamodbav:"orgKind"`
	UserID     string    `dynamodbav:"userId"`
	Epoch      int       `dynamodbav:"sessionEpoch"`
	TokenHash  string    `dynamodbav:"tokenHash"`
	Used       []string  `dynamodbav:"usedTokens,omitempty"`
	UserAgent  string    `dynamodbav:"userAgent,omitempty"`
	CreatedAt  time.Time `dynamodbav:"createdAt"`
	LastUsedAt time.Time `dynamodbav:"lastUsedAt"`
	EndedAt    time.Time `dynamodbav:"endedAt,omitempty"`
	EndReason  string    `dynamodbav:"endReason,omitempty"`
	Version    int       `dynamodbav:"version"`
	ExpiresAt  int64     `dynamodbav:"expiresAt"`
}

func toSessionItem(s admin.UserSession) sessionItem {
	return sessionItem{PK: orgPK(s.OrgID), SK: sessionSK(s.UserID, s.ID), Type: typeSession, ID: s.ID, OrgID: s.OrgID,
		OrgKind: string(s.OrgKind), UserID: s.UserID, Epoch: s.Epoch, TokenHash: s.TokenHash, Used: s.Used, UserAgent: s.UserAgent,
		CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, EndedAt: s.EndedAt, EndReason: s.EndReason, Version: s.Version,
		ExpiresAt: s.ExpiresAt().Unix()}
}

func (it sessionItem) domain() admin.UserSession {
	return admin.UserSession{ID: it.ID, OrgID: it.OrgID, OrgKind: admin.OrgKind(it.OrgKind), UserID: it.UserID, Epoch: it.Epoch,
		TokenHash: it.TokenHash, Used: it.Used, UserAgent: it.UserAgent, CreatedAt: it.CreatedAt, LastUsedAt: it.LastUsedAt,
		EndedAt: it.EndedAt, EndReason: it.EndReason, Version: it.Version}
}

// PartnerPrincipal reads a partner user, the partner and a session of the user in one
// BatchGetItem (strongly consistent).
func (s *Store) PartnerPrincipal(ctx context.Context, partnerID, userID, sessionID string) (admin.User, admin.Partner, admin.UserSession, error) {
	var p partnerItem
	u, se, err := s.principal(ctx, partnerPK(partnerID), userID, sessionID, &p)
	return u, p.domain(), se, err
}

// CustomerPrincipal reads a customer's user, the customer and a session of the user in one
// BatchGetItem (strongly consistent).
func (s *Store) CustomerPrincipal(ctx context.Context, customerID, userID, sessionID string) (admin.User, admin.Customer, admin.UserSession, error) {
	var c customerItem
	u, se, err := s.principal(ctx, customerPK(customerID), userID, sessionID, &c)
	return u, c.domain(), se, err
}

// principal reads the user, the organization's profile (into org) and the session, all in the
// organization's partition pk.
func (s *Store) principal(ctx context.Context, pk, userID, sessionID string, org any) (admin.User, admin.UserSession, error) {
	var (
		u  userItem
		se sessionItem
	)
	found, err := s.batchGet(ctx, "authenticate "+userID, []map[string]types.AttributeValue{
		key(pk, userSK(userID)), key(pk, skProf), key(pk, sessionSK(userID, sessionID)),
	}, &u, org, &se)
	if err != nil {
		return admin.User{}, admin.UserSession{}, err
	}
	if !found[0] || !found[1] || !found[2] {
		return admin.User{}, admin.UserSession{}, admin.NotFound("user")
	}
	return u.domain(), se.domain(), nil
}

// Sessions is the sessions' side of the store (admin.SessionStore), a type of its own so that
// only the functions that keep sessions link its methods.
type Sessions struct{ *Store }

// SessionsOf returns the sessions' side of s.
func SessionsOf(s *Store) Sessions { return Sessions{s} }

var _ admin.SessionStore = Sessions{}

// OrgUser reads a user of a partner or a customer.
func (s Sessions) OrgUser(ctx context.Context, orgID, userID string) (admin.User, error) {
	var it userItem
	ok, err := s.get(ctx, "get user", orgPK(orgID), userSK(userID), &it)
	if err != nil {
		return admin.User{}, err
	}
	if !ok {
		return admin.User{}, admin.NotFound("user")
	}
	return it.domain(), nil
}

// CreateSession writes a new session.
func (s Sessions) CreateSession(ctx context.Context, se admin.UserSession) error {
	return s.putOne(ctx, "create session", toSessionItem(se), "attribute_not_exists(PK)", nil, func(map[string]types.AttributeValue) error {
		return admin.Errorf(admin.CodeConcurrentRequest, "a session with this id exists; retry")
	})
}

// SessionWithUser reads a session and its user in one BatchGetItem.
func (s Sessions) SessionWithUser(ctx context.Context, orgID, userID, sessionID string) (admin.UserSession, admin.User, error) {
	var (
		se sessionItem
		u  userItem
	)
	found, err := s.batchGet(ctx, "get session", []map[string]types.AttributeValue{
		key(orgPK(orgID), sessionSK(userID, sessionID)), key(orgPK(orgID), userSK(userID)),
	}, &se, &u)
	if err != nil {
		return admin.UserSession{}, admin.User{}, err
	}
	if !found[0] || !found[1] {
		return admin.UserSession{}, admin.User{}, admin.NotFound("session")
	}
	return se.domain(), u.domain(), nil
}

// SaveSession writes a session guarded by its previous version, with an optional activity entry
// (in one transaction then).
func (s Sessions) SaveSession(ctx context.Context, se admin.UserSession, prevVersion int, a *admin.Activity) error {
	prev := map[string]types.AttributeValue{":prev": num(prevVersion)}
	if a == nil {
		return s.putOne(ctx, "save session "+se.ID, toSessionItem(se), "version = :prev", prev, versionGuard("session"))
	}
	var t txn
	t.put(s.table, toSessionItem(se), "version = :prev", nil, prev, versionGuard("session"))
	t.activity(s.table, *a)
	return s.commit(ctx, "save session "+se.ID, &t)
}

// Sessions lists a user's sessions.
func (s Sessions) Sessions(ctx context.Context, orgID, userID string) ([]admin.UserSession, error) {
	var out []admin.UserSession
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: total,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: orgPK(orgID)}, ":sk": &types.AttributeValueMemberS{Value: sessionSK(userID, "")}},
		// The hashes stay in the table: a list shows when and where, never a token.
		ProjectionExpression:     aws.String("sessionId, orgId, orgKind, userId, sessionEpoch, userAgent, createdAt, lastUsedAt, endedAt, endReason, #v"),
		ExpressionAttributeNames: map[string]string{"#v": "version"},
	}
	p := dynamodb.NewQueryPaginator(s.db, in)
	for p.HasMorePages() {
		access(ctx, "Query", key(orgPK(orgID), ""))
		res, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("store: list sessions: %w", err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		for _, item := range res.Items {
			var it sessionItem
			if err := attributevalue.UnmarshalMap(item, &it); err != nil {
				return nil, fmt.Errorf("store: list sessions: decode: %w", err)
			}
			out = append(out, it.domain())
		}
	}
	return out, nil
}

// SetSessionEpoch writes the user (guarded), the epoch's mirror on its login and the activity
// entry in one transaction.
func (s Sessions) SetSessionEpoch(ctx context.Context, u admin.User, prevVersion int, a admin.Activity) error {
	var t txn
	s.putUserGuarded(&t, u, prevVersion)
	t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(loginPK(u.Email), skLogin),
		UpdateExpression:    aws.String("SET sessionEpoch = :e"),
		ConditionExpression: aws.String("userId = :u"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":u": &types.AttributeValueMemberS{Value: u.ID}, ":e": num(u.SessionEpoch)},
	}}, notFound("user"))
	t.activity(s.table, a)
	return s.commit(ctx, "set session epoch "+u.ID, &t)
}
