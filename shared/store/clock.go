package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// The clock's entries (admin.ClockEntry): one per countdown, in the customer's partition,
//
//	clock entry  CUSTOMER#<cid>  CLOCK#<job>#<subjectId>   GSI1: CLOCK#<job>#<shard> / <due ms>#<cid>#<subjectId>
//
// written in the transaction that starts the countdown (an acceptance: Accept), moved or
// deleted by each step of the clock (WriteClock, on the condition of its token), deleted by a
// conversion. A run queries each shard for the entries due before now, oldest first: what a
// step moved to a later stage or deleted is not read again, so a run that stopped early leaves
// exactly what is still due.

var _ admin.ClockStore = (*Clock)(nil)

// Clock is the store as the clock's jobs use it (admin.ClockStore). Its reads and writes are
// methods of this type rather than of Store so that only the clock's functions link them: the
// link pages' functions keep every exported method of Store (html/template's reflection).
type Clock struct{ *Store }

// NewClock returns the clock's store over s.
func NewClock(s *Store) *Clock {
	registerEncoder(encodeClockMessage, admin.TrialEnding{}, admin.TrialExpired{}, admin.DelegatedAdminEnding{},
		admin.DelegatedAdminExtended{}, admin.DelegatedAdminExpired{})
	return &Clock{s}
}

type clockItem struct {
	PK         string    `dynamodbav:"PK"`
	SK         string    `dynamodbav:"SK"`
	GSI1PK     string    `dynamodbav:"GSI1PK"`
	GSI1SK     string    `dynamodbav:"GSI1SK"`
	Type       string    `dynamodbav:"Type"`
	Job        string    `dynamodbav:"job"`
	CustomerID string    `dynamodbav:"customerId"`
	SubjectID  string    `dynamodbav:"subjectId"`
	EndsAt     time.Time `dynamodbav:"endsAt"`
	NextStage  int       `dynamodbav:"nextStage"` // days before endsAt; 0: the end
	DueAt      int64     `dynamodbav:"dueAt"`     // epoch ms (also in GSI1SK)
	Token      string    `dynamodbav:"token"`
}

// toClockItem stores an entry with a new token (every write of an entry changes it).
func toClockItem(e admin.ClockEntry) clockItem {
	due := e.DueAt()
	return clockItem{PK: customerPK(e.CustomerID), SK: clockSK(e.Job, e.SubjectID),
		GSI1PK: clockGSI(e.Job, clockShard(e.CustomerID, e.SubjectID)), GSI1SK: clockGSISK(due, e.CustomerID, e.SubjectID),
		Type: typeClockEntry, Job: string(e.Job), CustomerID: e.CustomerID, SubjectID: e.SubjectID, EndsAt: e.EndsAt.UTC(),
		NextStage: e.NextStage, DueAt: due.UnixMilli(), Token: clockToken()}
}

func (it clockItem) domain() admin.ClockEntry {
	return admin.ClockEntry{Job: admin.ClockJob(it.Job), CustomerID: it.CustomerID, SubjectID: it.SubjectID, EndsAt: it.EndsAt,
		NextStage: it.NextStage, Token: it.Token}
}

func clockToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// clockEntries are the countdowns an acceptance starts: its trials', and the delegated
// administration's when it grants one (a new relationship, or a grant starting now: a returning
// customer's unchanged grant keeps its entry and the stages already done).
func clockEntries(w admin.AcceptWrite) []clockItem {
	var out []clockItem
	for _, sub := range w.Subscriptions {
		if e, ok := admin.TrialClock(sub); ok {
			out = append(out, toClockItem(e))
		}
	}
	if d := w.Relationship.DelegatedAdmin; d != nil && (w.NewRelationship || d.StartsAt.Equal(w.Now)) {
		if e, ok := admin.DelegatedAdminClock(w.Relationship); ok {
			out = append(out, toClockItem(e))
		}
	}
	return out
}

// DueClockEntries reads one page of a job's entries due before now: a Query of one shard of
// GSI1, oldest first. The cursor is "<shard>:<last GSI1SK>" (empty position: the shard's start);
// a page ends at its shard's end, so a run reads at least one page per shard.
func (s *Clock) DueClockEntries(ctx context.Context, job admin.ClockJob, now time.Time, cursor string, limit int) ([]admin.ClockEntry, string, error) {
	shard, after := 0, ""
	if cursor != "" {
		n, pos, ok := strings.Cut(cursor, ":")
		i, err := strconv.Atoi(n)
		if !ok || err != nil || i < 0 || i >= clockShards {
			return nil, "", fmt.Errorf("store: due clock entries: bad cursor %q", cursor)
		}
		shard, after = i, pos
	}
	gpk := clockGSI(job, shard)
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(indexGSI1), ScanIndexForward: aws.Bool(true),
		KeyConditionExpression:    aws.String("GSI1PK = :pk AND GSI1SK < :due"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(gpk), ":due": str(padMillis(now.UnixMilli() + 1))},
		Limit:                     aws.Int32(int32(max(limit, 1))), ReturnConsumedCapacity: total}
	if after != "" {
		parts := strings.SplitN(after, "#", 3)
		if len(parts) != 3 {
			return nil, "", fmt.Errorf("store: due clock entries: bad cursor %q", cursor)
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{attrGSI1PK: str(gpk), attrGSI1SK: str(after),
			attrPK: str(customerPK(parts[1])), attrSK: str(clockSK(job, parts[2]))}
	}
	access(ctx, "Query", map[string]types.AttributeValue{attrPK: str(gpk)})
	res, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("store: due clock entries %s: %w", gpk, err)
	}
	record(ctx, "Query", ccs(res.ConsumedCapacity)...)
	var items []clockItem
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
		return nil, "", fmt.Errorf("store: decode clock entries: %w", err)
	}
	next := ""
	switch {
	case res.LastEvaluatedKey != nil && len(items) > 0:
		next = strconv.Itoa(shard) + ":" + items[len(items)-1].GSI1SK
	case shard+1 < clockShards:
		next = strconv.Itoa(shard+1) + ":"
	}
	return domains[clockItem](items), next, nil
}

// ClockTrial reads a subscription and its customer's profile in one BatchGetItem.
func (s *Clock) ClockTrial(ctx context.Context, customerID, subscriptionID string) (admin.Subscription, admin.Customer, bool, error) {
	var sub subscriptionItem
	var c customerItem
	fs, fc, err := s.batchPair(ctx, "get trial", key(customerPK(customerID), subSK(subscriptionID)), key(customerPK(customerID), skProf), &sub, &c)
	if err != nil || !fs || !fc {
		return admin.Subscription{}, admin.Customer{}, false, err
	}
	return sub.domain(), c.domain(), true, nil
}

// OrgAdmins lists an organization's active global admins (a customer's admins): one Query of
// its users with a filter.
func (s *Clock) OrgAdmins(ctx context.Context, orgID string) ([]admin.User, error) {
	pk := orgPK(orgID)
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: total,
		KeyConditionExpression:   aws.String("PK = :pk AND begins_with(SK, :user)"),
		FilterExpression:         aws.String("companyRole = :ga AND #st = :active"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":user": str(skUser),
			":ga": str(string(admin.RoleGlobalAdmin)), ":active": str(string(admin.UserActive))}}
	access(ctx, "Query", key(pk, ""))
	var out []admin.User
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("store: admins of %s: %w", orgID, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		var users []userItem
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &users); err != nil {
			return nil, fmt.Errorf("store: decode admins of %s: %w", orgID, err)
		}
		out = append(out, domains[userItem](users)...)
		if res.LastEvaluatedKey == nil {
			return out, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// WriteClock writes one step of the clock in one transaction: the entry moved or deleted (on the
// condition of the token read), the subject changed (on its version) or checked unchanged, the
// activity entries and the emails.
func (s *Clock) WriteClock(ctx context.Context, w admin.ClockWrite) error {
	var t txn
	e := w.Entry
	moved := func(map[string]types.AttributeValue) error { return admin.ErrClockEntryMoved }
	tok := map[string]types.AttributeValue{":tok": str(e.Token)}
	if w.Next != nil {
		t.put(s.table, toClockItem(*w.Next), "#tok = :tok", map[string]string{"#tok": "token"}, tok, moved)
	} else {
		t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(customerPK(e.CustomerID), clockSK(e.Job, e.SubjectID)),
			ConditionExpression: aws.String("#tok = :tok"), ExpressionAttributeNames: map[string]string{"#tok": "token"}, ExpressionAttributeValues: tok}}, moved)
	}
	switch {
	case w.TrialAfter != nil:
		t.put(s.table, toSubscriptionItem(*w.TrialAfter), "version = :prev", nil, map[string]types.AttributeValue{":prev": num(w.Trial.Version)}, versionGuard("subscription"))
	case w.Trial != nil:
		t.check(s.table, key(customerPK(w.Trial.CustomerID), subSK(w.Trial.ID)), w.Trial.Version, "subscription")
	}
	switch {
	case w.GrantAfter != nil:
		cs, ps := relationshipItems(*w.GrantAfter)
		guard := map[string]types.AttributeValue{":prev": num(w.Grant.Version)}
		t.put(s.table, cs, "version = :prev", nil, guard, versionGuard("relationship"))
		t.put(s.table, ps, "version = :prev", nil, guard, versionGuard("relationship"))
	case w.Grant != nil:
		t.check(s.table, key(customerPK(w.Grant.CustomerID), partnerSK(w.Grant.PartnerID)), w.Grant.Version, "relationship")
	}
	for _, a := range w.Activities {
		t.activity(s.table, a)
	}
	for _, m := range w.Emails {
		if err := t.outbox(s.Store, m, w.Now); err != nil {
			return err
		}
	}
	return s.commit(ctx, "clock "+string(e.Job)+" "+e.CustomerID+"/"+e.SubjectID, &t)
}

// check adds the condition that an item is still at version v.
func (t *txn) check(table string, k map[string]types.AttributeValue, v int, what string) {
	t.add(types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table), Key: k,
		ConditionExpression: aws.String("version = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": num(v)},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}, versionGuard(what))
}

// Trials is the storage of a customer admin's conversion of a trial (admin.TrialStore), a type of
// its own built only by the function of that route (app.Trials): a binary that links
// html/template (the link pages) keeps every exported method of Store.
type Trials struct{ *Store }

// TrialsOf returns the trials' side of s.
func TrialsOf(s *Store) Trials { return Trials{s} }

var _ admin.TrialStore = Trials{}

// TenantSubscription reads one of a customer's subscriptions.
func (s Trials) TenantSubscription(ctx context.Context, customerID, subscriptionID string) (admin.Subscription, error) {
	var it subscriptionItem
	found, err := s.get(ctx, "get subscription", customerPK(customerID), subSK(subscriptionID), &it)
	if err != nil {
		return admin.Subscription{}, err
	}
	if !found {
		return admin.Subscription{}, admin.NotFound("subscription")
	}
	return it.domain(), nil
}

// ConvertTrial writes a converted trial (guarded by its version), deletes its clock entry (the
// countdown is over) and writes the activity entries, in one transaction.
func (s Trials) ConvertTrial(ctx context.Context, sub admin.Subscription, prevVersion int, acts []admin.Activity) error {
	var t txn
	t.put(s.table, toSubscriptionItem(sub), "version = :prev", nil, map[string]types.AttributeValue{":prev": num(prevVersion)}, versionGuard("subscription"))
	t.add(types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: key(customerPK(sub.CustomerID), clockSK(admin.ClockTrial, sub.ID))}}, nil)
	for _, a := range acts {
		t.activity(s.table, a)
	}
	return s.commit(ctx, "convert trial "+sub.CustomerID+"/"+sub.ID, &t)
}
