package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// The customer directory: a partner's customer list and search, in DynamoDB alone, at the same
// cost for 100 customers as for 100,000 (docs/architecture.md, "Customer directory").
//
//   - list: one Query of GSI1 CUSTOMERS#<pid> (the partner's side of each relationship, sorted by
//     folded name), then one BatchGetItem of the page's customer profiles (country, subscription
//     count). Two sequential round trips.
//   - search: the three match classes in rank order, each its own sorted range — the name class
//     (GSI1, as the list, begins_with the query: the exact name sorts first), the word class
//     (CUSTWORDS#<pid>, one item per later word of a name) and the domain class (GSI2
//     CUSTDOMAINS#<pid>) — queried concurrently from the positions in the cursor, merged in rank
//     order, then one BatchGetItem for the rows. Two sequential round trips (up to four requests).
//     A customer matching several ways is listed once, at its best rank: each hit's best way is
//     computed (admin.Match) from the folded name and domain on the index item itself.

// filteredWindow is how many list entries a filtered page reads (one Query) per row it returns.
const filteredWindow = 4

// customerOfKey returns the customer id at the end of a directory sort key (<key>#<cid>) when the
// key starts with prefix.
func customerOfKey(sk, prefix string) (string, bool) {
	i := strings.LastIndexByte(sk, '#')
	if i < 0 || !strings.HasPrefix(sk[:i], prefix) || len(sk) > 1024 || !admin.ValidID("cus", sk[i+1:]) {
		return "", false
	}
	return sk[i+1:], true
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

// ListCustomers reads one page of the partner's customers by folded name.
func (st *Store) ListCustomers(ctx context.Context, partnerID string, keep func(admin.Relationship) bool, page admin.PageRequest) (admin.Page[admin.CustomerRow], error) {
	limit := int(clamp(page.Limit))
	window := limit + 1
	if keep != nil {
		window = filteredWindow*limit + 1
	}
	gpk := customersGSI(partnerID)
	in := &dynamodb.QueryInput{TableName: &st.table, IndexName: aws.String(indexGSI1), KeyConditionExpression: aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(gpk)}, Limit: aws.Int32(int32(window)), ReturnConsumedCapacity: total}
	if page.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(page.Cursor)
		gsk, found := strings.CutPrefix(string(b), "L")
		cid, ok := customerOfKey(gsk, "")
		if err != nil || !found || !ok {
			return admin.Page[admin.CustomerRow]{}, invalidCursor()
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{attrGSI1PK: str(gpk), attrGSI1SK: str(gsk),
			attrPK: str(partnerPK(partnerID)), attrSK: str(customerSK(cid))}
	}
	rels, more, err := queryIndex[relationshipItem](ctx, st, "list customers", in, gpk)
	if err != nil {
		return admin.Page[admin.CustomerRow]{}, err
	}
	var picked []relationshipItem
	next := ""
	for i, it := range rels {
		if keep == nil || keep(it.domain()) {
			picked = append(picked, it)
		}
		if len(picked) == limit || i == len(rels)-1 {
			if i < len(rels)-1 || more {
				next = base64.RawURLEncoding.EncodeToString([]byte("L" + it.GSI1SK))
			}
			break
		}
	}
	rows, err := st.rows(ctx, partnerID, picked, nil)
	return admin.Page[admin.CustomerRow]{Items: rows, NextCursor: next}, err
}

// queryIndex runs one Query (of a GSI or of the table) and decodes its items; more reports
// whether DynamoDB has more after them. gpk is the partition key, for the access log.
func queryIndex[T any](ctx context.Context, st *Store, op string, in *dynamodb.QueryInput, gpk string) ([]T, bool, error) {
	access(ctx, "Query", map[string]types.AttributeValue{attrPK: str(gpk)})
	res, err := st.db.Query(ctx, in)
	if err != nil {
		return nil, false, fmt.Errorf("store: %s: %w", op, err)
	}
	record(ctx, "Query", ccs(res.ConsumedCapacity)...)
	var out []T
	if err := attributevalue.UnmarshalListOfMaps(res.Items, &out); err != nil {
		return nil, false, fmt.Errorf("store: %s: decode: %w", op, err)
	}
	return out, res.LastEvaluatedKey != nil, nil
}

// searchCursor is where each class of a search stands: the last sort key consumed ("" = from the
// start) and whether it is exhausted. Its keys must start with the query's, so a cursor of
// another query (or partner: the partition comes from the caller) cannot be used.
type searchCursor struct {
	Pos  [3]string `json:"p"`
	Done [3]bool   `json:"d"`
}

const (
	className = iota
	classWord
	classDomain
)

func (c searchCursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(append([]byte("S"), b...))
}

func decodeSearchCursor(raw string, prefixes [3]string) (searchCursor, error) {
	var c searchCursor
	if raw == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) == 0 || b[0] != 'S' || json.Unmarshal(b[1:], &c) != nil {
		return c, invalidCursor()
	}
	for i, p := range c.Pos {
		if _, ok := customerOfKey(p, prefixes[i]); p != "" && !ok {
			return c, invalidCursor()
		}
	}
	return c, nil
}

// hit is one customer a search page lists: the partner's relationship item when the index
// entry was one (name and domain classes), else only the id (word class).
type hit struct {
	cid string
	rel *relationshipItem
}

// SearchCustomers reads one page of the partner's customers matching folded, in rank order.
func (st *Store) SearchCustomers(ctx context.Context, partnerID, folded string, keep func(admin.Relationship) bool, page admin.PageRequest) (admin.Page[admin.CustomerRow], error) {
	limit := int(clamp(page.Limit))
	qk, dq := nameKey(folded), admin.DomainQuery(folded)
	cur, err := decodeSearchCursor(page.Cursor, [3]string{qk, qk, dq})
	if err != nil {
		return admin.Page[admin.CustomerRow]{}, err
	}
	if dq == "" {
		cur.Done[classDomain] = true
	}
	type result struct {
		rels  []relationshipItem
		words []wordItem
		more  bool
		err   error
	}
	var res [3]result
	var wg sync.WaitGroup
	for c := range 3 {
		if cur.Done[c] {
			continue
		}
		wg.Go(func() {
			r := &res[c]
			switch c {
			case className:
				gpk := customersGSI(partnerID)
				in := indexQuery(st.table, indexGSI1, attrGSI1PK, attrGSI1SK, gpk, qk, limit+1)
				if p := cur.Pos[c]; p != "" {
					cid, _ := customerOfKey(p, qk)
					in.ExclusiveStartKey = map[string]types.AttributeValue{attrGSI1PK: str(gpk), attrGSI1SK: str(p), attrPK: str(partnerPK(partnerID)), attrSK: str(customerSK(cid))}
				}
				r.rels, r.more, r.err = queryIndex[relationshipItem](ctx, st, "search customers by name", in, gpk)
			case classWord:
				pk := wordsPK(partnerID)
				in := indexQuery(st.table, "", attrPK, attrSK, pk, qk, limit+1)
				in.ConsistentRead = aws.Bool(true)
				if p := cur.Pos[c]; p != "" {
					in.ExclusiveStartKey = key(pk, p)
				}
				r.words, r.more, r.err = queryIndex[wordItem](ctx, st, "search customers by word", in, pk)
			case classDomain:
				gpk := domainsGSI(partnerID)
				in := indexQuery(st.table, indexGSI2, attrGSI2PK, attrGSI2SK, gpk, dq, limit+1)
				if p := cur.Pos[c]; p != "" {
					cid, _ := customerOfKey(p, dq)
					in.ExclusiveStartKey = map[string]types.AttributeValue{attrGSI2PK: str(gpk), attrGSI2SK: str(p), attrPK: str(partnerPK(partnerID)), attrSK: str(customerSK(cid))}
				}
				r.rels, r.more, r.err = queryIndex[relationshipItem](ctx, st, "search customers by domain", in, gpk)
			}
		})
	}
	wg.Wait()
	for _, r := range res {
		if r.err != nil {
			return admin.Page[admin.CustomerRow]{}, r.err
		}
	}
	// Merge in rank order: a class is left only when it is exhausted; a page that fills up (or
	// reads a class's whole window, all of it listed better elsewhere) ends where it stands.
	var hits []hit
	full := false
	for c := 0; c < 3 && !full; c++ {
		if cur.Done[c] {
			continue
		}
		r := res[c]
		n := len(r.rels) + len(r.words)
		if n == 0 && !r.more {
			cur.Done[c] = true
			continue
		}
		for i := range n {
			var h hit
			switch c {
			case classWord:
				w := r.words[i]
				cur.Pos[c] = w.SK
				if rank, pos := admin.Match(w.Folded, w.Domain, folded); rank == admin.RankWordPrefix && pos == w.Position {
					h = hit{cid: w.CustomerID}
				}
			default:
				rel := &r.rels[i]
				if c == className {
					cur.Pos[c] = rel.GSI1SK
					h = hit{cid: rel.CustomerID, rel: rel} // found by its name's prefix: its best rank
				} else {
					cur.Pos[c] = rel.GSI2SK
					if rank, _ := admin.Match(admin.FoldName(rel.CustomerName), rel.CustomerDomain, folded); rank == admin.RankDomain {
						h = hit{cid: rel.CustomerID, rel: rel}
					}
				}
			}
			if h.cid != "" {
				hits = append(hits, h)
			}
			if i == n-1 && !r.more {
				cur.Done[c] = true
			}
			if len(hits) == limit {
				full = true
				break
			}
		}
		if !cur.Done[c] {
			break // this class has more: the page ends here, maybe short
		}
	}
	next := ""
	if !(cur.Done[className] && cur.Done[classWord] && cur.Done[classDomain]) {
		// A full page whose later classes found nothing more ends the listing.
		rest := false
		for c := range 3 {
			if !cur.Done[c] && !res[c].more && len(res[c].rels)+len(res[c].words) == 0 {
				cur.Done[c] = true // queried from its position: nothing left
			}
			rest = rest || !cur.Done[c]
		}
		if rest {
			next = cur.encode()
		}
	}
	rels := make([]relationshipItem, len(hits))
	var missing []string
	for i, h := range hits {
		if h.rel != nil {
			rels[i] = *h.rel
		} else {
			rels[i].CustomerID = h.cid
			missing = append(missing, h.cid)
		}
	}
	rows, err := st.rows(ctx, partnerID, rels, missing)
	if err != nil || keep == nil {
		return admin.Page[admin.CustomerRow]{Items: rows, NextCursor: next}, err
	}
	kept := rows[:0]
	for _, r := range rows {
		if keep(r.Relationship) {
			kept = append(kept, r)
		}
	}
	return admin.Page[admin.CustomerRow]{Items: kept, NextCursor: next}, nil
}

// indexQuery is a Query of partition pk whose sort keys begin with prefix. It is written as the
// range [prefix, prefix + U+10FFFF] (the same keys: the folded keys hold letters, digits, '.' and
// '#', all below the highest code point): DynamoDB reads either as a range of the sort key, and
// DynamoDB Local only the range without scanning the partition, which keeps the bench honest.
func indexQuery(table, index, pkAttr, skAttr, pk, prefix string, limit int) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{TableName: &table, KeyConditionExpression: aws.String("#pk = :pk AND #sk BETWEEN :prefix AND :end"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr, "#sk": skAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":prefix": str(prefix), ":end": str(prefix + "\U0010FFFF")},
		Limit:                     aws.Int32(int32(limit)), ReturnConsumedCapacity: total}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	return in
}

// rows completes the directory rows of a page in one BatchGetItem: every customer's profile, and
// the partner's relationship item of the customers in missing (found through a word item). A
// customer whose items are gone meanwhile is left out.
func (st *Store) rows(ctx context.Context, partnerID string, rels []relationshipItem, missing []string) ([]admin.CustomerRow, error) {
	if len(rels) == 0 {
		return []admin.CustomerRow{}, nil
	}
	keys := make([]map[string]types.AttributeValue, 0, len(rels)+len(missing))
	for _, r := range rels {
		keys = append(keys, key(customerPK(r.CustomerID), skProf))
	}
	for _, cid := range missing {
		keys = append(keys, key(partnerPK(partnerID), customerSK(cid)))
	}
	items, err := st.batchGetItems(ctx, "read customer rows", keys)
	if err != nil {
		return nil, err
	}
	profiles := map[string]customerItem{}
	found := map[string]relationshipItem{}
	for _, item := range items {
		var t struct {
			Type string `dynamodbav:"Type"`
		}
		_ = attributevalue.UnmarshalMap(item, &t)
		switch t.Type {
		case typeCustomer:
			var c customerItem
			if err := attributevalue.UnmarshalMap(item, &c); err != nil {
				return nil, fmt.Errorf("store: decode customer: %w", err)
			}
			profiles[c.ID] = c
		case typeRelationship:
			var r relationshipItem
			if err := attributevalue.UnmarshalMap(item, &r); err != nil {
				return nil, fmt.Errorf("store: decode relationship: %w", err)
			}
			found[r.CustomerID] = r
		}
	}
	out := make([]admin.CustomerRow, 0, len(rels))
	for _, r := range rels {
		if r.PK == "" {
			r = found[r.CustomerID]
		}
		c, ok := profiles[r.CustomerID]
		if !ok || r.PK == "" {
			continue
		}
		out = append(out, admin.CustomerRow{Customer: c.domain(), Relationship: r.domain()})
	}
	return out, nil
}

// batchGetItems reads items by key strongly consistently: one round trip of latency (chunks of 100 sent
// concurrently); keys DynamoDB leaves unprocessed (throttling) are asked for again, twice at most.
func (st *Store) batchGetItems(ctx context.Context, op string, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	for _, k := range keys {
		access(ctx, "BatchGetItem", k)
	}
	var (
		mu  sync.Mutex
		out []map[string]types.AttributeValue
		wg  sync.WaitGroup
	)
	errs := make([]error, (len(keys)+99)/100)
	for n := 0; n*100 < len(keys); n++ {
		chunk := keys[n*100 : min(len(keys), (n+1)*100)]
		wg.Go(func() {
			for attempt := 0; len(chunk) > 0; attempt++ {
				if attempt == 3 {
					errs[n] = admin.Errorf(admin.CodeConcurrentRequest, "the table is busy; retry")
					return
				}
				res, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{ReturnConsumedCapacity: total,
					RequestItems: map[string]types.KeysAndAttributes{st.table: {Keys: chunk, ConsistentRead: aws.Bool(true)}}})
				if err != nil {
					errs[n] = fmt.Errorf("store: %s: %w", op, err)
					return
				}
				record(ctx, "BatchGetItem", res.ConsumedCapacity...)
				mu.Lock()
				out = append(out, res.Responses[st.table]...)
				mu.Unlock()
				chunk = res.UnprocessedKeys[st.table].Keys
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CustomerSummary counts a customer's subscriptions, its users and the partner's open service
// requests in one Query of the range of its partition from the partner's SRSTATS# counter to
// USER# (keys.go: only other partners' counters sort between them and SUB#; only the sort key,
// status, licenses and the count are read).
func (st *Store) CustomerSummary(ctx context.Context, customerID, partnerID string) (admin.CustomerSummary, error) {
	pk, stats := customerPK(customerID), requestStatsSK(partnerID)
	in := &dynamodb.QueryInput{TableName: &st.table, ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: total,
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :lo AND :hi"), ProjectionExpression: aws.String("SK, #st, licenses, openCount"),
		ExpressionAttributeNames:  map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":lo": str(stats), ":hi": str(skUser + "\uffff")}}
	sum := admin.CustomerSummary{Subscriptions: map[admin.SubscriptionStatus]int{}}
	access(ctx, "Query", key(pk, ""))
	for {
		res, err := st.db.Query(ctx, in)
		if err != nil {
			return admin.CustomerSummary{}, fmt.Errorf("store: summarize customer %s: %w", customerID, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		var items []struct {
			SK       string `dynamodbav:"SK"`
			Status   string `dynamodbav:"status"`
			Licenses int    `dynamodbav:"licenses"`
			Open     int    `dynamodbav:"openCount"`
		}
		if err := attributevalue.UnmarshalListOfMaps(res.Items, &items); err != nil {
			return admin.CustomerSummary{}, fmt.Errorf("store: summarize customer %s: decode: %w", customerID, err)
		}
		for _, it := range items {
			switch {
			case strings.HasPrefix(it.SK, skSub):
				sum.Subscriptions[admin.SubscriptionStatus(it.Status)]++
				sum.Licenses += it.Licenses
			case strings.HasPrefix(it.SK, skUser):
				sum.Users++
			case it.SK == stats:
				sum.OpenServiceRequests = it.Open
				// Other partners' request counts sort in this range too, and nothing else: not
				// counted.
			}
		}
		if res.LastEvaluatedKey == nil {
			return sum, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}
