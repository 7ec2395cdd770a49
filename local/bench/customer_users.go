package bench

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// The customer-user routes need a customer of the demo partner with an active full delegated
// administration (the driver's managed customer) and its admin's token.

const (
	resetRoute       = "POST /customers/{customerId}/users/{userId}/password-reset"
	benchCustomerPwd = "Quiet-River-Passphrase-1"
)

// benchCustomer is the customer the customer-user scenarios work in.
var benchCustomer struct {
	sync.Mutex
	id, adminEmail string
	token          string // its admin's, refreshed before it expires (15 minutes)
	tokenAt        time.Time
}

func init() {
	scenarios = append(scenarios, customerUserScenarios...)
	warmRoutes = append(warmRoutes, resetRoute)
}

// customer returns the bench customer's id (the driver's managed customer, customers.go).
func (d *driver) customer() (string, error) {
	id, err := d.managedCustomer()
	if err != nil {
		return "", err
	}
	benchCustomer.Lock()
	defer benchCustomer.Unlock()
	benchCustomer.id, benchCustomer.adminEmail = id, d.managedAdmin
	return id, nil
}

// customerAdmin returns a fresh token of the bench customer's admin.
func (d *driver) customerAdmin() (string, error) {
	if _, err := d.customer(); err != nil {
		return "", err
	}
	benchCustomer.Lock()
	defer benchCustomer.Unlock()
	if time.Since(benchCustomer.tokenAt) > 10*time.Minute {
		m, err := d.call("POST", "/auth/sign-in", "", map[string]string{"email": benchCustomer.adminEmail, "password": benchCustomerPwd})
		if err != nil {
			return "", err
		}
		benchCustomer.token, benchCustomer.tokenAt = m["accessToken"].(string), time.Now()
	}
	return benchCustomer.token, nil
}

// newCustomerUser adds a user to the bench customer as the partner and returns its id. Every
// reset measured targets a new user: a user's password is reset at most 5 times an hour.
func (d *driver) newCustomerUser() (cid, id string, err error) {
	if cid, err = d.customer(); err != nil {
		return "", "", err
	}
	m, err := d.call("POST", "/customers/"+cid+"/users", d.token, map[string]string{
		"email": fmt.Sprintf("member%d@benchusers.example", d.seq.Add(1)), "displayName": "Bench Member", "role": "user"})
	if err != nil {
		return "", "", err
	}
	return cid, m["user"].(map[string]any)["userId"].(string), nil
}

// newTenantUser adds a user to the bench customer as its admin and returns its id.
func (d *driver) newTenantUser(tok string) (string, error) {
	m, err := d.call("POST", "/tenant/users", tok, map[string]string{
		"email": fmt.Sprintf("own%d@benchusers.example", d.seq.Add(1)), "displayName": "Own Member", "role": "user"})
	if err != nil {
		return "", err
	}
	return m["user"].(map[string]any)["userId"].(string), nil
}

var customerUserScenarios = []scenario{
	{"GET /customers/{customerId}/users", func(d *driver) (*http.Request, error) {
		cid, err := d.customer()
		return d.request("GET", "/customers/"+cid+"/users?limit=50", d.token, nil), err
	}},
	{"POST /customers/{customerId}/users", func(d *driver) (*http.Request, error) {
		cid, err := d.customer()
		n := d.seq.Add(1)
		return d.request("POST", "/customers/"+cid+"/users", d.token, map[string]string{"email": fmt.Sprintf("added%d@benchusers.example", n),
			"displayName": "Added Member", "role": "user"}, "Idempotency-Key", fmt.Sprintf("bench-cu-%d", n)), err
	}},
	{resetRoute, func(d *driver) (*http.Request, error) {
		cid, id, err := d.newCustomerUser()
		return d.request("POST", "/customers/"+cid+"/users/"+id+"/password-reset", d.token, nil), err
	}},
	{"GET /tenant/users", func(d *driver) (*http.Request, error) {
		tok, err := d.customerAdmin()
		return d.request("GET", "/tenant/users?limit=50", tok, nil), err
	}},
	{"POST /tenant/users", func(d *driver) (*http.Request, error) {
		tok, err := d.customerAdmin()
		n := d.seq.Add(1)
		return d.request("POST", "/tenant/users", tok, map[string]string{"email": fmt.Sprintf("own%d@benchusers.example", n),
			"displayName": "Own Member", "role": "user"}, "Idempotency-Key", fmt.Sprintf("bench-tu-%d", n)), err
	}},
	{"PATCH /tenant/users/{userId}", func(d *driver) (*http.Request, error) {
		tok, err := d.customerAdmin()
		if err != nil {
			return nil, err
		}
		id, err := d.newTenantUser(tok)
		return d.request("PATCH", "/tenant/users/"+id, tok, map[string]any{"displayName": "Renamed", "version": 1}), err
	}},
	{"DELETE /tenant/users/{userId}", func(d *driver) (*http.Request, error) {
		tok, err := d.customerAdmin()
		if err != nil {
			return nil, err
		}
		id, err := d.newTenantUser(tok)
		return d.request("DELETE", "/tenant/users/"+id, tok, nil), err
	}},
	{"GET /tenant/activity", func(d *driver) (*http.Request, error) {
		tok, err := d.customerAdmin()
		return d.request("GET", "/tenant/activity?limit=50", tok, nil), err
	}},
}
