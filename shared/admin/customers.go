package admin

import (
	"context"
	"slices"
	"time"
)

// CustomerRight is something a partner user may do for the customers the partner supports
// ("Verwalten von Kunden"): list and find them, and inside one customer read and change things.
type CustomerRight string

const (
	RightListCustomers           CustomerRight = "customers.list"                 // list and search the partner's customers
	RightReadCustomer            CustomerRight = "customer.read"                  // a customer, its subscriptions, users, service requests
	RightResetUserPassword       CustomerRight = "customer.users.reset_password"  // of a customer user who is not an admin
	RightResetAdminPassword      CustomerRight = "customer.admins.reset_password" // of any customer user
	RightManageSubscriptions     CustomerRight = "customer.subscriptions.manage"  // licenses, suspend, reactivate, cancel
	RightManageCustomerUsers     CustomerRight = "customer.users.manage"          // add customer users
	RightManageServiceRequests   CustomerRight = "customer.service_requests.manage"
	ExpiringDelegatedAdminWithin               = 30 * 24 * time.Hour // the list's "expiring" filter
)

// customerRights is the one table of who may do what for customers, by customer access. Inside a
// customer the access that counts is the lesser of the user's and the delegated administration's
// scope (effectiveAccess), so a limited grant gives a full user limited rights.
var customerRights = map[CustomerAccess][]CustomerRight{
	AccessNone:    nil,
	AccessLimited: {RightListCustomers, RightReadCustomer, RightResetUserPassword},
	AccessFull: {RightListCustomers, RightReadCustomer, RightResetUserPassword, RightResetAdminPassword,
		RightManageSubscriptions, RightManageCustomerUsers, RightManageServiceRequests},
}

// AccessAllows reports whether customer access a allows right r.
func AccessAllows(a CustomerAccess, r CustomerRight) bool {
	return slices.Contains(customerRights[a], r)
}

// effectiveAccess is the lesser of two customer accesses (full ⊇ limited ⊇ none).
func effectiveAccess(a, b CustomerAccess) CustomerAccess {
	if a.rank() <= b.rank() {
		return a
	}
	return b
}

// DelegatedAdminState is where a customer's delegated administration of a partner stands now.
type DelegatedAdminState string

const (
	DelegationActive  DelegatedAdminState = "active"  // accepted, not ended, not past its end
	DelegationEnded   DelegatedAdminState = "ended"   // ended by the customer
	DelegationExpired DelegatedAdminState = "expired" // past its end date (stored as such once the clock ran)
	DelegationNone    DelegatedAdminState = "none"    // never granted (or declined)
)

// StateAt is the state of a relationship's delegated administration at now: the end date is
// compared with the clock on every call, so an expiry takes effect at the second it is due,
// before any schedule has run.
func (r Relationship) StateAt(now time.Time) DelegatedAdminState {
	d := r.DelegatedAdmin
	switch {
	case d == nil:
		return DelegationNone
	case d.Status == "expired": // stored by the clock at the end
		return DelegationExpired
	case d.Status != "active":
		return DelegationEnded
	case !now.Before(d.EndsAt):
		return DelegationExpired
	}
	return DelegationActive
}

// CustomerStore is what serving customers needs from storage.
type CustomerStore interface {
	// CustomerOfPartner reads a customer's profile and its side of the relationship with the
	// partner in one round trip. CodeNotFound when the customer is not this partner's customer
	// (unknown, another partner's, another cloud's: the same answer).
	CustomerOfPartner(ctx context.Context, partnerID, customerID string) (Customer, Relationship, error)
	CustomerDirectory // the list, the search and the customer's summary (directory.go)
}

// CustomerService is the context of serving customers: the partner's customer list and search,
// and what its users do inside a customer under delegated administration.
type CustomerService struct {
	Env
	Store CustomerStore
}

// CustomerScope is a partner user inside one customer: the session, the customer, the
// relationship as read for this request, and the access that applies (the lesser of the user's
// and the grant's scope). Writes inside a customer carry Relationship.Version as a condition, so
// a customer ending delegated administration at the same moment wins.
type CustomerScope struct {
	Session      Session
	Customer     Customer
	Relationship Relationship
	Access       CustomerAccess
}

// Require checks that the scope's access allows r. Errors: CodeForbidden.
func (c CustomerScope) Require(r CustomerRight) error {
	if !AccessAllows(c.Access, r) {
		if c.Access != c.Session.Principal.User.CustomerAccess {
			return errForbidden("this customer's delegated administration is " + string(c.Access) + "; it does not allow " + string(r))
		}
		return errForbidden("your customer access " + string(c.Access) + " does not allow " + string(r))
	}
	return nil
}

// Actor returns the activity-log actor of the scope's user.
func (c CustomerScope) Actor() Actor { return ActorOf(c.Session.Principal) }

// requireCustomers is the gate of every customer route, before any read: the partner's
// authorization (delegated_admin or service_provider), a changed temporary password, and
// customer access. Errors: CodePasswordChangeNeeded, CodeFeatureNotAuthorized, CodeForbidden.
func requireCustomers(s Session, r CustomerRight) error {
	if err := s.Require(ActReadOverview); err != nil {
		return err // temporary password
	}
	if !s.Partner.Has(FeatureManageCustomers) {
		return featureGate(FeatureManageCustomers)
	}
	if a := s.Principal.User.CustomerAccess; !AccessAllows(a, r) {
		return errForbidden("your customer access " + string(a) + " does not allow " + string(r))
	}
	return nil
}

// Enter opens a customer for a partner user who needs right r there: the customer is read (one
// round trip, alongside the caller's authentication), then the partner's authorization and the
// user's access are checked, then the customer's delegated administration of this partner, active
// now, and the effective access. Errors: CodeUnauthenticated, CodeFeatureNotAuthorized,
// CodeForbidden, CodePasswordChangeNeeded, CodeNotFound, CodeDelegatedAdminRequired.
func (s *CustomerService) Enter(ctx context.Context, c Caller, customerID string, r CustomerRight) (CustomerScope, error) {
	return s.enterVia(ctx, c, customerID, r, s.Store.CustomerOfPartner, nil)
}

// enterVia is Enter with the customer read by read, so that a route can fetch what else it needs
// in the same round trip (read must answer like CustomerStore.CustomerOfPartner), and with the
// route's own input check (nil: none) between the gate and what the read found: a bad input is
// reported before an unknown customer, as when nothing was read first.
func (s *CustomerService) enterVia(ctx context.Context, c Caller, customerID string, r CustomerRight,
	read func(ctx context.Context, partnerID, customerID string) (Customer, Relationship, error), check func() error) (CustomerScope, error) {
	// The token names the partner, so the customer is read while the caller's records are; what
	// was read counts only after the gate.
	var (
		cust Customer
		rel  Relationship
		rerr error = NotFound("customer")
	)
	if ValidID("cus", customerID) {
		cust, rel, rerr = read(ctx, c.PartnerID(), customerID)
	}
	sess, err := c.Authenticated()
	if err != nil {
		return CustomerScope{}, err
	}
	if err := requireCustomers(sess, r); err != nil {
		return CustomerScope{}, err
	}
	if check != nil {
		if err := check(); err != nil {
			return CustomerScope{}, err
		}
	}
	if rerr != nil {
		return CustomerScope{}, rerr
	}
	if cust.Cloud != sess.Partner.Cloud { // never stored so; checked anyway: nothing crosses clouds
		return CustomerScope{}, NotFound("customer")
	}
	if st := rel.StateAt(s.Now()); st != DelegationActive {
		return CustomerScope{}, Errorf(CodeDelegatedAdminRequired,
			"this customer's delegated administration of your company is %s; the customer must accept a delegated-admin offer", st)
	}
	scope := CustomerScope{Session: sess, Customer: cust, Relationship: rel,
		Access: effectiveAccess(sess.Principal.User.CustomerAccess, rel.DelegatedAdmin.Scope)}
	if err := scope.Require(r); err != nil {
		return CustomerScope{}, err
	}
	return scope, nil
}

// enterReading is Enter with read, a read of the customer's own data, sent alongside the
// customer's: what it found counts only when the customer was entered (its error after Enter's).
func (s *CustomerService) enterReading(ctx context.Context, c Caller, customerID string, r CustomerRight, read func(context.Context) error) (CustomerScope, error) {
	if !ValidID("cus", customerID) {
		return s.Enter(ctx, c, customerID, r)
	}
	var scope CustomerScope
	err := readAlongside(ctx, read, func() (err error) {
		scope, err = s.Enter(ctx, c, customerID, r)
		return err
	})
	return scope, err
}

// readInside reads a customer's data for a caller who needs right r there: read is sent
// alongside the customer's and the caller's records (enterReading), and its result is returned
// only when the customer was entered.
func readInside[T any](ctx context.Context, s *CustomerService, c Caller, customerID string, r CustomerRight, read func(context.Context) (T, error)) (T, error) {
	var v T
	_, err := s.enterReading(ctx, c, customerID, r, func(ctx context.Context) (err error) {
		v, err = read(ctx)
		return err
	})
	return v, err
}

// admitted returns what a customer route outside any customer (a list across customers) read
// alongside the caller's authentication, once the caller is authenticated and passes
// requireCustomers(r); the read's own error comes after those.
func admitted[T any](c Caller, r CustomerRight, v T, readErr error) (T, error) {
	var zero T
	sess, err := c.Authenticated()
	if err != nil {
		return zero, err
	}
	if err := requireCustomers(sess, r); err != nil {
		return zero, err
	}
	return v, readErr
}

// activities returns the two entries of an action inside a customer, written in the same
// transaction as the change: one in the partner's log, one in the customer's, both naming the
// partner on whose behalf the user acted.
func (s *CustomerService) activities(c CustomerScope, action string, t Target, before, after map[string]any) []Activity {
	now := s.Now()
	a := Activity{At: now, Actor: c.Actor(), Action: action, Target: t, CustomerID: c.Customer.ID,
		PartnerID: c.Session.Partner.ID, Before: before, After: after}
	partner, customer := a, a
	partner.ID, partner.OrgID = s.NewID("act"), c.Session.Partner.ID
	customer.ID, customer.OrgID = s.NewID("act"), c.Customer.ID
	return []Activity{partner, customer}
}
