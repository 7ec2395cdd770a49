package admin

import (
	"context"
	"time"
	"unicode/utf8"
)

// The customer directory: the partner's customers, listed by name or found by search, each with
// its relationship as it stands now and its subscription count.

// DirectoryFilter narrows the customer list by the delegated administration's state now.
type DirectoryFilter string

const (
	FilterAll      DirectoryFilter = ""
	FilterActive   DirectoryFilter = "active"   // delegated administration active now
	FilterExpiring DirectoryFilter = "expiring" // active and ends within ExpiringDelegatedAdminWithin
	FilterNone     DirectoryFilter = "none"     // no active grant now: never granted, declined, ended or expired
)

// Keeps reports whether a relationship passes the filter at now.
func (f DirectoryFilter) Keeps(r Relationship, now time.Time) bool {
	active := r.StateAt(now) == DelegationActive
	switch f {
	case FilterActive:
		return active
	case FilterExpiring:
		return active && r.DelegatedAdmin.EndsAt.Sub(now) <= ExpiringDelegatedAdminWithin
	case FilterNone:
		return !active
	}
	return true
}

// DirectoryQuery asks for one page of the customer list (Query empty: by name) or of a search.
type DirectoryQuery struct {
	Query  string // as typed; folded by Customers
	Filter DirectoryFilter
	Page   PageRequest
}

// CustomerRow is one customer of the directory: the profile (country and subscription count
// included) and the partner's side of the relationship.
type CustomerRow struct {
	Customer     Customer
	Relationship Relationship
}

// CustomerSummary is what a customer holds, for its page (GET /customers/{customerId}).
type CustomerSummary struct {
	Subscriptions map[SubscriptionStatus]int // count by status
	Licenses      int                        // licenses of all its subscriptions
	Users         int
	// OpenServiceRequests is the calling partner's requests there that are open or
	// attention_needed (another partner's are not its business).
	OpenServiceRequests int
}

// SubscriptionCount is the number of subscriptions of every status.
func (c CustomerSummary) SubscriptionCount() int {
	n := 0
	for _, k := range c.Subscriptions {
		n += k
	}
	return n
}

// CustomerDirectory is what the directory needs from storage. keep (nil: every row) is applied to
// the rows a page reads, so a filtered page may hold fewer rows than asked for, with a cursor.
type CustomerDirectory interface {
	// ListCustomers reads one page of the partner's customers ordered by folded name.
	// CodeInvalidCursor.
	ListCustomers(ctx context.Context, partnerID string, keep func(Relationship) bool, page PageRequest) (Page[CustomerRow], error)
	// SearchCustomers reads one page of the partner's customers matching a folded query, in
	// SearchRank order, each once. CodeInvalidCursor.
	SearchCustomers(ctx context.Context, partnerID, folded string, keep func(Relationship) bool, page PageRequest) (Page[CustomerRow], error)
	// CustomerSummary counts a customer's subscriptions (by status, licenses), users and the
	// partner's open service requests there.
	CustomerSummary(ctx context.Context, customerID, partnerID string) (CustomerSummary, error)
}

// Customers lists or searches the partner's customers: RightListCustomers only, no customer
// scope. The page is read alongside the caller's authentication and returned after the gate.
// Errors: CodeUnauthenticated, those of requireCustomers, CodeInvalidQuery (q, delegatedAdmin),
// CodeInvalidCursor.
func (s *CustomerService) Customers(ctx context.Context, c Caller, q DirectoryQuery) (Page[CustomerRow], error) {
	page, err := s.directory(ctx, c.PartnerID(), q)
	return admitted(c, RightListCustomers, page, err)
}

// directory reads a page of partnerID's list or search.
func (s *CustomerService) directory(ctx context.Context, partnerID string, q DirectoryQuery) (Page[CustomerRow], error) {
	var keep func(Relationship) bool
	switch q.Filter {
	case FilterAll:
	case FilterActive, FilterExpiring, FilterNone:
		now := s.Now()
		keep = func(r Relationship) bool { return q.Filter.Keeps(r, now) }
	default:
		return Page[CustomerRow]{}, queryErr("delegatedAdmin", "must be active, expiring or none")
	}
	if q.Query == "" {
		return s.Store.ListCustomers(ctx, partnerID, keep, q.Page)
	}
	folded := FoldName(q.Query)
	if !utf8.ValidString(q.Query) || utf8.RuneCountInString(q.Query) > MaxSearchQuery || folded == "" {
		return Page[CustomerRow]{}, queryErr("q", "must hold 1 to 100 characters, at least one a letter or digit")
	}
	return s.Store.SearchCustomers(ctx, partnerID, folded, keep, q.Page)
}

func queryErr(name, detail string) error {
	return &Error{Code: CodeInvalidQuery, Message: name + " " + detail,
		Fields: []FieldError{{Field: name, Code: "invalid", Detail: detail}}}
}

// CustomerDetails opens a customer for reading (Enter) and summarizes what it holds, both read
// alongside the caller's authentication: one round trip of latency. Errors: those of Enter.
func (s *CustomerService) CustomerDetails(ctx context.Context, c Caller, customerID string) (CustomerScope, CustomerSummary, error) {
	var sum CustomerSummary
	scope, err := s.enterReading(ctx, c, customerID, RightReadCustomer, func(ctx context.Context) (err error) {
		sum, err = s.Store.CustomerSummary(ctx, customerID, c.PartnerID())
		return err
	})
	if err != nil {
		return CustomerScope{}, CustomerSummary{}, err
	}
	return scope, sum, nil
}
