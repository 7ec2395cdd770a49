package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// BackfillReport counts what BackfillDirectory found and added.
type BackfillReport struct {
	Relationships int // partners' sides of relationships seen
	KeysAdded     int // of them given their list/search keys (GSI1, GSI2)
	WordsAdded    int // word items put
	Customers     int // customer profiles seen
	CountsAdded   int // of them given their subscriptionCount
	// The clock's countdowns of what was stored before it (clock.go).
	Trials            int // trial subscriptions seen
	ClockEntriesAdded int // countdowns added (trials and active delegated administrations)
	OffersCapped      int // targeted delegated-admin offers given their 90-day expiry
}

// BackfillDirectory puts customers stored before the directory existed into every partner's list
// and search: the GSI keys of the partners' sides of relationships, the word items, and the
// subscription count of customer profiles. Only what is missing is added, each write conditional
// (a key only onto the relationship version it was computed from, a word item only where none
// is, a count only where none is), so it is idempotent, never rewrites a stored attribute, and
// yields to concurrent writers (which maintain the same items themselves). It is the one Scan of
// the store: there is no other way to enumerate every relationship.
//
// It also starts the clock's countdowns of what was stored before the clock: an entry for every
// trial and every active delegated administration without one (only where none is: a countdown
// already running keeps the stages it has done; one whose subject changed since the Scan is
// dropped or rescheduled by the clock's next run), and caps the expiry of targeted
// delegated-admin offers at 90 days after their creation (on the version read).
func BackfillDirectory(ctx context.Context, st *Store) (BackfillReport, error) {
	var rep BackfillReport
	in := &dynamodb.ScanInput{TableName: &st.table, ReturnConsumedCapacity: total,
		FilterExpression: aws.String("(#t = :rel AND begins_with(PK, :partner)) OR (#t = :cus AND SK = :profile) OR " +
			"(#t = :sub AND #st = :trial) OR (#t = :link AND attribute_exists(targetCustomerId))"),
		ExpressionAttributeNames: map[string]string{"#t": attrType, "#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":rel": str(typeRelationship), ":partner": str("PARTNER#"), ":cus": str(typeCustomer), ":profile": str(skProf),
			":sub": str(typeSubscription), ":trial": str(string(admin.SubscriptionTrial)), ":link": str(typeLink)}}
	for {
		res, err := st.db.Scan(ctx, in)
		if err != nil {
			return rep, fmt.Errorf("store: backfill: scan: %w", err)
		}
		record(ctx, "Scan", ccs(res.ConsumedCapacity)...)
		if err := st.backfillPage(ctx, res.Items, &rep); err != nil {
			return rep, err
		}
		if res.LastEvaluatedKey == nil {
			return rep, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// backfillPage backfills the items of one Scan page, 8 at a time.
func (st *Store) backfillPage(ctx context.Context, items []map[string]types.AttributeValue, rep *BackfillReport) error {
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, 8)
	for _, item := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			var one BackfillReport
			err := st.backfillItem(ctx, item, &one)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			rep.Relationships += one.Relationships
			rep.KeysAdded += one.KeysAdded
			rep.WordsAdded += one.WordsAdded
			rep.Customers += one.Customers
			rep.CountsAdded += one.CountsAdded
			rep.Trials += one.Trials
			rep.ClockEntriesAdded += one.ClockEntriesAdded
			rep.OffersCapped += one.OffersCapped
		})
	}
	wg.Wait()
	return first
}

func (st *Store) backfillItem(ctx context.Context, item map[string]types.AttributeValue, rep *BackfillReport) error {
	t, _ := item[attrType].(*types.AttributeValueMemberS)
	switch {
	case t != nil && t.Value == typeSubscription:
		return st.backfillTrial(ctx, item, rep)
	case t != nil && t.Value == typeLink:
		return st.backfillOffer(ctx, item, rep)
	}
	if t != nil && t.Value == typeCustomer {
		rep.Customers++
		if _, has := item["subscriptionCount"]; has {
			return nil
		}
		var c customerItem
		if err := attributevalue.UnmarshalMap(item, &c); err != nil {
			return fmt.Errorf("store: backfill: decode customer: %w", err)
		}
		n, err := st.countSubscriptions(ctx, c.ID)
		if err != nil {
			return err
		}
		added, err := st.conditional(ctx, "UpdateItem", &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(c.PK, c.SK),
			UpdateExpression: aws.String("SET subscriptionCount = :n"), ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(subscriptionCount)"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": num(n)}})
		if added {
			rep.CountsAdded++
		}
		return err
	}
	var r relationshipItem
	if err := attributevalue.UnmarshalMap(item, &r); err != nil {
		return fmt.Errorf("store: backfill: decode relationship: %w", err)
	}
	rep.Relationships++
	g1pk, g1sk, g2pk, g2sk := directoryKeys(r.domain())
	if r.GSI1PK != g1pk || r.GSI1SK != g1sk || r.GSI2PK != g2pk || r.GSI2SK != g2sk {
		added, err := st.conditional(ctx, "UpdateItem", &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(r.PK, r.SK),
			UpdateExpression:    aws.String("SET GSI1PK = :g1pk, GSI1SK = :g1sk, GSI2PK = :g2pk, GSI2SK = :g2sk"),
			ConditionExpression: aws.String("version = :v AND customerName = :n AND customerDomain = :d"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":g1pk": str(g1pk), ":g1sk": str(g1sk), ":g2pk": str(g2pk), ":g2sk": str(g2sk),
				":v": num(r.Version), ":n": str(r.CustomerName), ":d": str(r.CustomerDomain)}})
		if err != nil {
			return err
		}
		if added {
			rep.KeysAdded++
		}
	}
	if e, ok := admin.DelegatedAdminClock(r.domain()); ok {
		if err := st.backfillClock(ctx, e, rep); err != nil {
			return err
		}
	}
	for _, w := range wordItems(r.PartnerID, r.CustomerID, r.CustomerName, r.CustomerDomain) {
		added, err := st.conditional(ctx, "PutItem", &dynamodb.PutItemInput{TableName: &st.table, Item: marshal(w),
			ConditionExpression: aws.String("attribute_not_exists(PK)")})
		if err != nil {
			return err
		}
		if added {
			rep.WordsAdded++
		}
	}
	return nil
}

// conditional runs one conditional write; added is false when its condition did not hold.
func (st *Store) conditional(ctx context.Context, op string, in any) (added bool, err error) {
	var cc *types.ConsumedCapacity
	switch in := in.(type) {
	case *dynamodb.UpdateItemInput:
		access(ctx, op, in.Key)
		in.ReturnConsumedCapacity = total
		var res *dynamodb.UpdateItemOutput
		if res, err = st.db.UpdateItem(ctx, in); err == nil {
			cc = res.ConsumedCapacity
		}
	case *dynamodb.PutItemInput:
		access(ctx, op, in.Item)
		in.ReturnConsumedCapacity = total
		var res *dynamodb.PutItemOutput
		if res, err = st.db.PutItem(ctx, in); err == nil {
			cc = res.ConsumedCapacity
		}
	}
	record(ctx, op, ccs(cc)...)
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("store: backfill: %s: %w", op, err)
	}
	return true, nil
}

// countSubscriptions counts a customer's SUB# items.
func (st *Store) countSubscriptions(ctx context.Context, customerID string) (int, error) {
	pk := customerPK(customerID)
	in := &dynamodb.QueryInput{TableName: &st.table, Select: types.SelectCount, ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: total,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :sub)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(pk), ":sub": str(skSub)}}
	access(ctx, "Query", key(pk, ""))
	n := 0
	for {
		res, err := st.db.Query(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("store: backfill: count subscriptions of %s: %w", customerID, err)
		}
		record(ctx, "Query", ccs(res.ConsumedCapacity)...)
		n += int(res.Count)
		if res.LastEvaluatedKey == nil {
			return n, nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// backfillTrial starts the countdown of a trial stored before the clock.
func (st *Store) backfillTrial(ctx context.Context, item map[string]types.AttributeValue, rep *BackfillReport) error {
	var sub subscriptionItem
	if err := attributevalue.UnmarshalMap(item, &sub); err != nil {
		return fmt.Errorf("store: backfill: decode subscription: %w", err)
	}
	rep.Trials++
	if e, ok := admin.TrialClock(sub.domain()); ok {
		return st.backfillClock(ctx, e, rep)
	}
	return nil
}

// backfillClock puts a countdown's entry where there is none.
func (st *Store) backfillClock(ctx context.Context, e admin.ClockEntry, rep *BackfillReport) error {
	added, err := st.conditional(ctx, "PutItem", &dynamodb.PutItemInput{TableName: &st.table, Item: marshal(toClockItem(e)),
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if added {
		rep.ClockEntriesAdded++
	}
	return err
}

// backfillOffer caps a targeted delegated-admin offer's expiry at 90 days after its creation
// (admin.TargetedOfferExpiry), on the version read.
func (st *Store) backfillOffer(ctx context.Context, item map[string]types.AttributeValue, rep *BackfillReport) error {
	var it linkItem
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return fmt.Errorf("store: backfill: decode link: %w", err)
	}
	l := it.domain()
	if l.TargetCustomerID == "" || l.Kind != admin.LinkDelegatedAdmin {
		return nil
	}
	capped := admin.TargetedOfferExpiry(l.CreatedAt, l.ExpiresAt)
	if capped.Equal(l.ExpiresAt) {
		return nil
	}
	added, err := st.conditional(ctx, "UpdateItem", &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(it.PK, it.SK),
		UpdateExpression: aws.String("SET validUntil = :until"), ConditionExpression: aws.String("version = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":until": &types.AttributeValueMemberN{Value: strconv.FormatInt(capped.UnixMilli(), 10)},
			":v": num(it.Version)}})
	if added {
		rep.OffersCapped++
	}
	return err
}
