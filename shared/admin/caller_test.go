package admin

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// barrier lets n parties through once all n have arrived; a party still alone after a bound
// gets an error: the parties did not run at the same time.
type barrier struct {
	mu   sync.Mutex
	n    int
	open chan struct{}
}

func newBarrier(n int) *barrier { return &barrier{n: n, open: make(chan struct{})} }

func (b *barrier) arrive() error {
	b.mu.Lock()
	if b.n--; b.n == 0 {
		close(b.open)
	}
	b.mu.Unlock()
	select {
	case <-b.open:
		return nil
	case <-time.After(10 * time.Second):
		return errors.New("not in flight together")
	}
}

// barrierStore is a customer store whose reads wait at a barrier.
type barrierStore struct {
	fakeCustomerStore
	at *barrier
}

func (b *barrierStore) CustomerOfPartner(ctx context.Context, partnerID, customerID string) (Customer, Relationship, error) {
	if err := b.at.arrive(); err != nil {
		return Customer{}, Relationship{}, err
	}
	return b.fakeCustomerStore.CustomerOfPartner(ctx, partnerID, customerID)
}

func (b *barrierStore) ListCustomers(ctx context.Context, pid string, keep func(Relationship) bool, page PageRequest) (Page[CustomerRow], error) {
	if err := b.at.arrive(); err != nil {
		return Page[CustomerRow]{}, err
	}
	return b.fakeCustomerStore.ListCustomers(ctx, pid, keep, page)
}

// TestReadsAlongsideAuthentication: a customer route's reads run while the caller is being
// authenticated (all in flight together, or the barrier fails them), and what they read is
// returned only to a caller that was authenticated and passed the gate.
func TestReadsAlongsideAuthentication(t *testing.T) {
	pid, cid := "ptn_000000000000000000000000p1", "cus_000000000000000000000000c1"
	base := fakeCustomerStore{customers: map[string]Customer{cid: {ID: cid, Name: "Contoso", Cloud: CloudGlobal}},
		rels: map[string]Relationship{cid + "/" + pid: {CustomerID: cid, PartnerID: pid, Version: 2,
			DelegatedAdmin: &DelegatedAdmin{Scope: AccessFull, Status: "active", EndsAt: testNow.Add(time.Hour)}}}}
	session := func(access CustomerAccess) Session {
		return Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: "usr_1", OrgID: pid, CompanyRole: RoleNone, CustomerAccess: access}},
			Partner: Partner{ID: pid, Cloud: CloudGlobal, Authorizations: []Authorization{AuthDelegatedAdmin}}}
	}
	unauthenticated := Errorf(CodeUnauthenticated, "the access token is not valid")
	// caller authenticates as sess (or fails with err) once it has met the reads at b.
	caller := func(b *barrier, sess Session, err error) Caller {
		return Authenticating(pid, "usr_1", func() (Session, error) {
			if berr := b.arrive(); berr != nil {
				return Session{}, berr
			}
			return sess, err
		})
	}
	ctx := context.Background()
	cases := []struct {
		name string
		sess Session
		err  error
		want Code
	}{
		{"authenticated", session(AccessFull), nil, ""},
		{"unauthenticated", Session{}, unauthenticated, CodeUnauthenticated},
		{"no customer access", session(AccessNone), nil, CodeForbidden},
	}

	t.Run("directory", func(t *testing.T) {
		for _, c := range cases {
			b := newBarrier(2)
			svc := &CustomerService{Env: testEnv(), Store: &barrierStore{fakeCustomerStore: base, at: b}}
			page, err := svc.Customers(ctx, caller(b, c.sess, c.err), DirectoryQuery{})
			if codeOf(err) != c.want {
				t.Fatalf("%s: %v, want %q", c.name, err, c.want)
			}
			if rows := len(page.Items); (c.want == "") != (rows == 1) {
				t.Fatalf("%s: %d rows returned", c.name, rows)
			}
		}
	})

	t.Run("customer and its data", func(t *testing.T) {
		for _, c := range cases {
			b := newBarrier(3) // the caller's records, the customer, its data
			svc := &CustomerService{Env: testEnv(), Store: &barrierStore{fakeCustomerStore: base, at: b}}
			data := ""
			scope, err := svc.enterReading(ctx, caller(b, c.sess, c.err), cid, RightReadCustomer, func(context.Context) error {
				if err := b.arrive(); err != nil {
					return err
				}
				data = "users"
				return nil
			})
			if codeOf(err) != c.want {
				t.Fatalf("%s: %v, want %q", c.name, err, c.want)
			}
			if c.want == "" && (scope.Customer.Name != "Contoso" || data != "users" || scope.Session.Principal.User.ID != "usr_1") {
				t.Fatalf("%s: scope %+v, data %q", c.name, scope, data)
			}
			if c.want != "" && scope.Customer.ID != "" {
				t.Fatalf("%s: refused, but the scope carries the customer", c.name)
			}
		}
	})

	t.Run("a panic in a concurrent read is an error", func(t *testing.T) {
		c := Authenticating(pid, "usr_1", func() (Session, error) { panic("boom") })
		if _, err := c.Authenticated(); err == nil {
			t.Fatal("no error from a panicking authentication")
		}
		if _, err := c.Authenticated(); err == nil {
			t.Fatal("the second wait lost the error")
		}
	})
}
