package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// DirectoryCustomer is a customer of one partner as bulk loading writes it: the profile (with its
// SubscriptionCount), its domain reservation, the relationship and its subscriptions.
type DirectoryCustomer struct {
	Customer      admin.Customer
	Relationship  admin.Relationship
	Subscriptions []admin.Subscription
	// IndexOnly writes only what the directory reads (the profile, the partner's side of the
	// relationship, the word items): the bench's 100,000 customers load faster.
	IndexOnly bool
	// Users are the customer's users (with IndexOnly: not written).
	Users []admin.User
}

// PutDirectoryCustomers writes customers with every item the directory reads (the profile, the
// domain reservation, both sides of the relationship with their list and search keys, the word
// items, the subscriptions; unless IndexOnly, the users and the clock's countdowns too) with BatchWriteItem, 25 items a request, workers requests at a time.
// For demo data, tests and the bench only: no conditions, no activity entries, no partner
// customer count; items with the same keys are overwritten.
func (st *Store) PutDirectoryCustomers(ctx context.Context, cs []DirectoryCustomer, workers int) error {
	var items []map[string]types.AttributeValue
	for _, c := range cs {
		cside, pside := relationshipItems(c.Relationship)
		items = append(items, marshal(toCustomerItem(c.Customer)), marshal(pside))
		if !c.IndexOnly {
			items = append(items, marshal(toDomainItem(c.Customer)), marshal(cside))
		}
		r := c.Relationship
		for _, w := range wordItems(r.PartnerID, r.CustomerID, r.CustomerName, r.CustomerDomain) {
			items = append(items, marshal(w))
		}
		for _, s := range c.Subscriptions {
			items = append(items, marshal(toSubscriptionItem(s)))
		}
		if !c.IndexOnly {
			for _, u := range c.Users {
				items = append(items, marshal(toUserItem(u)))
			}
			// The countdowns an acceptance would have started (clock.go).
			for _, e := range clockEntries(admin.AcceptWrite{Subscriptions: c.Subscriptions, Relationship: c.Relationship, NewRelationship: true}) {
				items = append(items, marshal(e))
			}
		}
	}
	batches := make(chan []map[string]types.AttributeValue)
	errs := make(chan error, max(workers, 1))
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for b := range batches {
				if err := st.writeBatch(ctx, b); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	go func() {
		defer close(batches)
		for i := 0; i < len(items); i += 25 {
			select {
			case batches <- items[i:min(len(items), i+25)]:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	select {
	case err := <-errs:
		// Let the producer finish: drain what it still holds.
		for range batches {
		}
		return err
	default:
		return ctx.Err()
	}
}

// writeBatch writes up to 25 items, retrying the ones DynamoDB leaves unprocessed.
func (st *Store) writeBatch(ctx context.Context, items []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(items))
	for i, it := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	for attempt := 0; len(reqs) > 0; attempt++ {
		if attempt > 0 {
			if err := sleepCtx(ctx, time.Duration(min(attempt, 8))*20*time.Millisecond); err != nil {
				return err
			}
		}
		res, err := st.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{st.table: reqs}})
		if err != nil {
			return fmt.Errorf("store: bulk write: %w", err)
		}
		reqs = res.UnprocessedItems[st.table]
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// NewDirectoryCustomer is customer c of partner p for PutDirectoryCustomers: in p's cloud, a
// customer of p since since, with delegated administration da (nil: none) and subscriptions subs
// (their count goes on the profile).
func NewDirectoryCustomer(p admin.Partner, c admin.Customer, since time.Time, da *admin.DelegatedAdmin, subs []admin.Subscription) DirectoryCustomer {
	c.Cloud, c.SubscriptionCount = p.Cloud, len(subs)
	if c.Version == 0 {
		c.Version = 1
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = since
	}
	return DirectoryCustomer{Customer: c, Subscriptions: subs, Relationship: admin.Relationship{CustomerID: c.ID, CustomerName: c.Name,
		CustomerDomain: c.DomainPrefix, PartnerID: p.ID, PartnerName: p.Contact.Name, Since: since, DelegatedAdmin: da, Version: 1}}
}
