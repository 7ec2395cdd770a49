package store

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Service requests (keys in keys.go):
//
//	request  CUSTOMER#<cid>  SR#<pid>#<rid>              GSI1 SRQ#<pid>#<status> / <activity ms>#<rid>
//	                                                     GSI2 SRDESK#<cloud>#<status> / same (once sent)
//	note     CUSTOMER#<cid>  SR#<pid>#<rid>#NOTE#<nid>
//	ref      SR#<rid>        SR                          customerId, partnerId
//	counts   CUSTOMER#<cid>  SRSTATS#<pid>               openCount (open + attention_needed)

type requestContactItem struct {
	Name  string `dynamodbav:"name"`
	Email string `dynamodbav:"email"`
	Phone string `dynamodbav:"phone,omitempty"`
}

type requestItem struct {
	PK             string             `dynamodbav:"PK"`
	SK             string             `dynamodbav:"SK"`
	GSI1PK         string             `dynamodbav:"GSI1PK"`
	GSI1SK         string             `dynamodbav:"GSI1SK"`
	GSI2PK         string             `dynamodbav:"GSI2PK,omitempty"` // not while a draft
	GSI2SK         string             `dynamodbav:"GSI2SK,omitempty"`
	Type           string             `dynamodbav:"Type"`
	ID             string             `dynamodbav:"requestId"`
	CustomerID     string             `dynamodbav:"customerId"`
	CustomerName   string             `dynamodbav:"customerName"`
	CustomerDomain string             `dynamodbav:"customerDomain"`
	PartnerID      string             `dynamodbav:"partnerId"`
	PartnerName    string             `dynamodbav:"partnerName"`
	Cloud          string             `dynamodbav:"cloud"`
	Title          string             `dynamodbav:"title"`
	Description    string             `dynamodbav:"description"`
	Severity       string             `dynamodbav:"severity"`
	Topic          string             `dynamodbav:"topic"`
	Contact        requestContactItem `dynamodbav:"contact"`
	CC             []string           `dynamodbav:"cc"`
	Status         string             `dynamodbav:"status"`
	NoteCount      int                `dynamodbav:"noteCount"`
	CreatedBy      string             `dynamodbav:"createdBy"`
	CreatedAt      time.Time          `dynamodbav:"createdAt"`
	UpdatedAt      time.Time          `dynamodbav:"updatedAt"`
	LastActivityAt time.Time          `dynamodbav:"lastActivityAt"`
	SentAt         *time.Time         `dynamodbav:"sentAt,omitempty"`
	ClosedAt       *time.Time         `dynamodbav:"closedAt,omitempty"`
	Version        int                `dynamodbav:"version"`
}

// optTime stores a zero time as an absent attribute; valTime reads it back.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func valTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func toRequestItem(r admin.ServiceRequest) requestItem {
	qsk := requestQueueSK(r)
	it := requestItem{PK: customerPK(r.CustomerID), SK: requestSK(r.PartnerID, r.ID), GSI1PK: requestQueuePK(r.PartnerID, r.Status), GSI1SK: qsk,
		Type: typeRequest, ID: r.ID, CustomerID: r.CustomerID, CustomerName: r.CustomerName, CustomerDomain: r.CustomerDomain,
		PartnerID: r.PartnerID, PartnerName: r.PartnerName, Cloud: string(r.Cloud), Title: r.Title, Description: r.Description,
		Severity: string(r.Severity), Topic: r.TopicID, Contact: requestContactItem(r.Contact), CC: append([]string{}, r.CC...),
		Status: string(r.Status), NoteCount: r.NoteCount, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		LastActivityAt: r.LastActivityAt, SentAt: optTime(r.SentAt), ClosedAt: optTime(r.ClosedAt), Version: r.Version}
	if r.Status != admin.RequestDraft {
		it.GSI2PK, it.GSI2SK = requestDeskPK(r.Cloud, r.Status), qsk
	}
	return it
}

func (it requestItem) domain() admin.ServiceRequest {
	r := admin.ServiceRequest{ID: it.ID, CustomerID: it.CustomerID, CustomerName: it.CustomerName, CustomerDomain: it.CustomerDomain,
		PartnerID: it.PartnerID, PartnerName: it.PartnerName, Cloud: admin.Cloud(it.Cloud), Title: it.Title, Description: it.Description,
		Severity: admin.Severity(it.Severity), TopicID: it.Topic, Contact: admin.RequestContact(it.Contact), CC: append([]string{}, it.CC...),
		Status: admin.RequestStatus(it.Status), NoteCount: it.NoteCount, CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt,
		UpdatedAt: it.UpdatedAt, LastActivityAt: it.LastActivityAt, Version: it.Version}
	if it.SentAt != nil {
		r.SentAt = *it.SentAt
	}
	if it.ClosedAt != nil {
		r.ClosedAt = *it.ClosedAt
	}
	return r
}

type noteItem struct {
	PK           string    `dynamodbav:"PK"`
	SK           string    `dynamodbav:"SK"`
	Type         string    `dynamodbav:"Type"`
	ID           string    `dynamodbav:"noteId"`
	RequestID    string    `dynamodbav:"requestId"`
	At           time.Time `dynamodbav:"at"`
	Side         string    `dynamodbav:"side"`
	AuthorType   string    `dynamodbav:"authorType"`
	AuthorID     string    `dynamodbav:"authorId"`
	AuthorEmail  string    `dynamodbav:"authorEmail,omitempty"`
	Text         string    `dynamodbav:"text"`
	NeedsPartner bool      `dynamodbav:"needsPartner"`
}

func toNoteItem(r admin.ServiceRequest, n admin.RequestNote) noteItem {
	return noteItem{PK: customerPK(r.CustomerID), SK: noteSK(r.PartnerID, r.ID, n.ID), Type: typeRequestNote, ID: n.ID, RequestID: n.RequestID,
		At: n.At, Side: string(n.Side), AuthorType: n.Author.Type, AuthorID: n.Author.ID, AuthorEmail: n.Author.Email, Text: n.Text, NeedsPartner: n.NeedsPartner}
}

func (it noteItem) domain() admin.RequestNote {
	return admin.RequestNote{ID: it.ID, RequestID: it.RequestID, At: it.At, Side: admin.NoteSide(it.Side),
		Author: admin.Actor{Type: it.AuthorType, ID: it.AuthorID, Email: it.AuthorEmail}, Text: it.Text, NeedsPartner: it.NeedsPartner}
}

type requestRefItem struct {
	PK         string `dynamodbav:"PK"`
	SK         string `dynamodbav:"SK"`
	Type       string `dynamodbav:"Type"`
	RequestID  string `dynamodbav:"requestId"`
	CustomerID string `dynamodbav:"customerId"`
	PartnerID  string `dynamodbav:"partnerId"`
}

func toRequestRefItem(r admin.ServiceRequest) requestRefItem {
	return requestRefItem{PK: requestRefPK(r.ID), SK: skRequestRef, Type: typeRequestRef, RequestID: r.ID, CustomerID: r.CustomerID, PartnerID: r.PartnerID}
}

// ServiceRequest reads a partner's request in a customer with its notes, oldest first, in one
// strongly consistent Query (following its pages: a request holds at most admin.MaxRequestNotes).
func (s *Store) ServiceRequest(ctx context.Context, customerID, partnerID, requestID string) (admin.ServiceRequest, []admin.RequestNote, error) {
	pk, sk := customerPK(customerID), requestSK(partnerID, requestID)
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: total,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :sk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}, ":sk": &types.AttributeValueMemberS{Value: sk}}}
	access(ctx, "Query", key(pk, ""))
	var req *requestItem
	var notes []admin.RequestNote
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return admin.ServiceRequest{}, nil, fmt.Errorf("store: get service request %s: %w", requestID, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		for _, item := range res.Items {
			if item[attrSK].(*types.AttributeValueMemberS).Value == sk {
				req = new(requestItem)
				err = attributevalue.UnmarshalMap(item, req)
			} else {
				var n noteItem
				if err = attributevalue.UnmarshalMap(item, &n); err == nil {
					notes = append(notes, n.domain())
				}
			}
			if err != nil {
				return admin.ServiceRequest{}, nil, fmt.Errorf("store: decode service request %s: %w", requestID, err)
			}
		}
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	if req == nil {
		return admin.ServiceRequest{}, nil, admin.NotFound("service request")
	}
	return req.domain(), notes, nil
}

// CustomerServiceRequests lists a partner's requests in a customer, newest first. The notes
// that sort between the requests are skipped by a filter on Type; the cursor is the last
// request's sort key, bound to the partner's prefix.
func (s *Store) CustomerServiceRequests(ctx context.Context, customerID, partnerID string, page admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
	limit := int(clamp(page.Limit))
	pk, prefix := customerPK(customerID), requestPrefix(partnerID)
	in := &dynamodb.QueryInput{TableName: &s.table, ConsistentRead: aws.Bool(true), ScanIndexForward: aws.Bool(false), ReturnConsumedCapacity: total,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :prefix)"), FilterExpression: aws.String("#t = :t"),
		ExpressionAttributeNames: map[string]string{"#t": attrType},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk},
			":prefix": &types.AttributeValueMemberS{Value: prefix}, ":t": &types.AttributeValueMemberS{Value: typeRequest}}}
	if page.Cursor != "" {
		sk, err := decodeCursor(page.Cursor, prefix, "", "")
		if err != nil || !admin.ValidID("srq", strings.TrimPrefix(sk, prefix)) {
			return admin.Page[admin.ServiceRequest]{}, invalidCursor()
		}
		in.ExclusiveStartKey = key(pk, sk)
	}
	access(ctx, "Query", key(pk, ""))
	var items []requestItem
	for len(items) <= limit {
		// Notes are evaluated too: read a few items per request wanted.
		in.Limit = aws.Int32(int32(4 * (limit + 1 - len(items))))
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return admin.Page[admin.ServiceRequest]{}, fmt.Errorf("store: list service requests of %s: %w", customerID, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		var got []requestItem
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &got); err != nil {
			return admin.Page[admin.ServiceRequest]{}, fmt.Errorf("store: decode service requests: %w", err)
		}
		items = append(items, got...)
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	out := admin.Page[admin.ServiceRequest]{}
	if len(items) > limit {
		items = items[:limit]
		out.NextCursor = encodeCursor(items[limit-1].SK)
	}
	out.Items = domains[requestItem](items)
	return out, nil
}

// PartnerServiceRequests lists a partner's requests in the statuses, newest activity first
// (GSI1, one partition per status, merged).
func (s *Store) PartnerServiceRequests(ctx context.Context, partnerID string, statuses []admin.RequestStatus, page admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
	pks := make([]string, len(statuses))
	for i, st := range statuses {
		pks[i] = requestQueuePK(partnerID, st)
	}
	return s.queuePage(ctx, indexGSI1, attrGSI1PK, attrGSI1SK, pks, page)
}

// DeskServiceRequests lists the sent requests of the clouds in the statuses, newest activity
// first (GSI2, one partition per cloud and status, merged).
func (s *Store) DeskServiceRequests(ctx context.Context, clouds []admin.Cloud, statuses []admin.RequestStatus, page admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
	var pks []string
	for _, c := range clouds {
		for _, st := range statuses {
			pks = append(pks, requestDeskPK(c, st))
		}
	}
	return s.queuePage(ctx, indexGSI2, attrGSI2PK, attrGSI2SK, pks, page)
}

// queuePage reads one page of a queue spread over several index partitions that share one sort
// order (requestQueueSK, unique per request): each partition is queried (concurrently) for the
// page's worth of items below the cursor, newest first, and the results are merged. The cursor
// is the last returned sort key, so it means the same in every partition; the partitions come
// from the caller's scope, never from the cursor.
func (s *Store) queuePage(ctx context.Context, index, pkAttr, skAttr string, pks []string, page admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
	limit := int(clamp(page.Limit))
	var below string
	if page.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(page.Cursor)
		ms, id, ok := strings.Cut(string(b), "#")
		if err != nil || !ok || len(ms) != 15 || strings.Trim(ms, "0123456789") != "" || !admin.ValidID("srq", id) {
			return admin.Page[admin.ServiceRequest]{}, invalidCursor()
		}
		below = string(b)
	}
	results := make([][]requestItem, len(pks))
	errs := make([]error, len(pks))
	var wg sync.WaitGroup
	for i, pk := range pks {
		wg.Go(func() { results[i], errs[i] = s.queueQuery(ctx, index, pkAttr, skAttr, pk, below, limit+1) })
	}
	wg.Wait()
	var all []requestItem
	for i := range pks {
		if errs[i] != nil {
			return admin.Page[admin.ServiceRequest]{}, errs[i]
		}
		all = append(all, results[i]...)
	}
	slices.SortFunc(all, func(a, b requestItem) int { return strings.Compare(b.GSI1SK, a.GSI1SK) })
	out := admin.Page[admin.ServiceRequest]{}
	if len(all) > limit {
		all = all[:limit]
		out.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(all[limit-1].GSI1SK))
	}
	out.Items = domains[requestItem](all)
	return out, nil
}

// queueQuery reads up to n items of one index partition with sort keys below below ("" for
// none), newest first.
func (s *Store) queueQuery(ctx context.Context, index, pkAttr, skAttr, pk, below string, n int) ([]requestItem, error) {
	cond := pkAttr + " = :pk"
	values := map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}
	if below != "" {
		cond += " AND " + skAttr + " < :below"
		values[":below"] = &types.AttributeValueMemberS{Value: below}
	}
	in := &dynamodb.QueryInput{TableName: &s.table, IndexName: aws.String(index), ScanIndexForward: aws.Bool(false),
		KeyConditionExpression: aws.String(cond), ExpressionAttributeValues: values, ReturnConsumedCapacity: total}
	access(ctx, "Query", map[string]types.AttributeValue{attrPK: &types.AttributeValueMemberS{Value: pk}})
	var out []requestItem
	for len(out) < n {
		in.Limit = aws.Int32(int32(n - len(out)))
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("store: service request queue %s: %w", pk, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		var got []requestItem
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &got); err != nil {
			return nil, fmt.Errorf("store: decode service request queue: %w", err)
		}
		out = append(out, got...)
		if res.LastEvaluatedKey == nil {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	return out, nil
}

// LocateServiceRequest reads the ref of a request id: its customer and partner.
func (s *Store) LocateServiceRequest(ctx context.Context, requestID string) (string, string, error) {
	var it requestRefItem
	ok, err := s.get(ctx, "locate service request", requestRefPK(requestID), skRequestRef, &it)
	if err != nil {
		return "", "", err
	}
	if !ok {
		return "", "", admin.NotFound("service request")
	}
	return it.CustomerID, it.PartnerID, nil
}

// WriteServiceRequest writes a request change in one transaction: the idempotency record, the
// relationship guard of a partner write, the request (new, with its ref, or guarded by its
// previous version), the note, the open count, the activity entries and the emails.
func (s *Store) WriteServiceRequest(ctx context.Context, w admin.RequestWrite) error {
	var t txn
	r := w.Request
	now := r.UpdatedAt
	t.idempotency(s, w.Idem, now)
	if w.Guard != nil {
		t.insideCustomer(s.table, *w.Guard)
	}
	if w.PrevVersion == 0 {
		t.put(s.table, toRequestItem(r), "attribute_not_exists(PK)", nil, nil, nil)
		t.put(s.table, toRequestRefItem(r), "attribute_not_exists(PK)", nil, nil, nil)
	} else {
		t.put(s.table, toRequestItem(r), "version = :prev", nil, map[string]types.AttributeValue{":prev": num(w.PrevVersion)}, versionGuard("service request"))
	}
	if w.Note != nil {
		t.put(s.table, toNoteItem(r, *w.Note), "attribute_not_exists(PK)", nil, nil, nil)
	}
	if w.OpenDelta != 0 {
		t.add(types.TransactWriteItem{Update: &types.Update{TableName: &s.table, Key: key(customerPK(r.CustomerID), requestStatsSK(r.PartnerID)),
			UpdateExpression: aws.String("ADD openCount :d SET #t = :t"), ExpressionAttributeNames: map[string]string{"#t": attrType},
			ExpressionAttributeValues: map[string]types.AttributeValue{":d": num(w.OpenDelta), ":t": &types.AttributeValueMemberS{Value: typeRequestStats}}}}, nil)
	}
	for _, a := range w.Activities {
		t.activity(s.table, a)
	}
	for _, e := range w.Emails {
		if err := t.outbox(s, e, now); err != nil {
			return err
		}
	}
	return s.commit(ctx, "write service request "+r.ID, &t)
}
