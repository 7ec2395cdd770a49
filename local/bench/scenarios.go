package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/shared/totp"
)

// driver makes requests to the local HTTP API as the demo global admin and the operator.
type driver struct {
	rt    *localrun.Runtime
	obs   *observer
	token string
	me    map[string]any
	other string // a user of the demo partner other than the caller
	seq   atomic.Int64

	// managed is a customer under the demo partner's full delegated administration
	// (managedCustomer), made on first use; managedAdmin its admin's email.
	managed, managedAdmin string
}

func (d *driver) request(method, path, token string, body any, headers ...string) *http.Request {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, d.rt.APIURL+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

func (d *driver) send(req *http.Request) (int, map[string]any, error) {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &m)
	if resp.StatusCode >= 300 {
		return resp.StatusCode, m, fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, raw)
	}
	return resp.StatusCode, m, nil
}

func (d *driver) call(method, path, token string, body any) (map[string]any, error) {
	_, m, err := d.send(d.request(method, path, token, body))
	return m, err
}

func (d *driver) signIn() error {
	email := "admin@contoso-partners.example"
	m, err := d.call("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": seed.Password})
	if err != nil {
		return fmt.Errorf("bench: sign in: %w", err)
	}
	// The demo global admin has two-factor sign-in: the second step with its demo secret's code.
	code, err := totp.Authenticator{}.Code(seed.DemoTOTPSecret(email), time.Now())
	if err != nil {
		return err
	}
	if m, err = d.call("POST", "/auth/sign-in/mfa", "", map[string]string{"mfaToken": fmt.Sprint(m["mfaToken"]), "code": code}); err != nil {
		return fmt.Errorf("bench: sign in, second step: %w", err)
	}
	d.token, _ = m["accessToken"].(string)
	if d.me, err = d.call("GET", "/me", d.token, nil); err != nil {
		return err
	}
	users, err := d.call("GET", "/users?limit=10", d.token, nil)
	if err != nil {
		return err
	}
	for _, u := range users["items"].([]any) {
		if id := u.(map[string]any)["userId"].(string); id != d.me["userId"] {
			d.other = id
		}
	}
	return nil
}

// newUser creates a user and returns its id and version.
// enrol sets up two-factor sign-in for the user of token (a global admin must, before anything
// else).
func (d *driver) enrol(token string) error {
	m, err := d.call("POST", "/me/mfa/totp", token, map[string]any{})
	if err != nil {
		return fmt.Errorf("bench: start two-factor enrolment: %w", err)
	}
	code, err := totp.Authenticator{}.Code(fmt.Sprint(m["secret"]), time.Now())
	if err != nil {
		return err
	}
	if _, err := d.call("POST", "/me/mfa/totp/confirm", token, map[string]string{"code": code}); err != nil {
		return fmt.Errorf("bench: confirm two-factor enrolment: %w", err)
	}
	return nil
}

func (d *driver) newUser() (id string, temp string, err error) {
	n := d.seq.Add(1)
	m, err := d.call("POST", "/users", d.token, map[string]string{"email": fmt.Sprintf("bench%d@contoso-partners.example", n),
		"displayName": "Bench User", "companyRole": "none", "customerAccess": "none"})
	if err != nil {
		return "", "", err
	}
	return m["user"].(map[string]any)["userId"].(string), m["temporaryPassword"].(string), nil
}

// scenario is one route's representative request: prepare does any setup over HTTP and
// returns the request to measure.
type scenario struct {
	route   string
	prepare func(d *driver) (*http.Request, error)
}

// bare returns a request to the scenario's route that its function refuses before any I/O: no
// token on user routes (401), an empty body on bodies' routes (422), a malformed id (404).
func (sc scenario) bare(d *driver) *http.Request {
	method, path, _ := strings.Cut(sc.route, " ")
	path = strings.NewReplacer("{userId}", "usr_x", "{partnerId}", "ptn_x", "{customerId}", "cus_x", "{subscriptionId}", "sub_x").Replace(path)
	switch {
	case strings.HasPrefix(path, "/operator/") && method == "GET":
		return d.request(method, path, d.rt.OperatorToken, nil) // malformed id → 404
	case strings.HasPrefix(path, "/operator/"):
		return d.request(method, path, d.rt.OperatorToken, map[string]any{}) // → 422
	case path == "/auth/sign-in":
		return d.request(method, path, "", map[string]any{}) // → 422
	}
	return d.request(method, path, "", nil) // no token → 401
}

func static(method, path string) func(d *driver) (*http.Request, error) {
	return func(d *driver) (*http.Request, error) { return d.request(method, path, d.token, nil), nil }
}

var scenarios = []scenario{
	{"POST /auth/sign-in", func(d *driver) (*http.Request, error) {
		return d.request("POST", "/auth/sign-in", "", map[string]string{"email": "billing@contoso-partners.example", "password": seed.Password}), nil
	}},
	{"GET /me", static("GET", "/me")},
	{"POST /me/password", func(d *driver) (*http.Request, error) {
		id, temp, err := d.newUser()
		if err != nil {
			return nil, err
		}
		_ = id
		m, err := d.call("POST", "/auth/sign-in", "", map[string]string{"email": fmt.Sprintf("bench%d@contoso-partners.example", d.seq.Load()), "password": temp})
		if err != nil {
			return nil, err
		}
		return d.request("POST", "/me/password", m["accessToken"].(string), map[string]string{"currentPassword": temp, "newPassword": "Quiet-River-Passphrase-1"}), nil
	}},
	{"GET /overview", static("GET", "/overview")},
	{"GET /company", static("GET", "/company")},
	{"PUT /company", func(d *driver) (*http.Request, error) {
		c, err := d.call("GET", "/company", d.token, nil)
		if err != nil {
			return nil, err
		}
		c["phone"] = "+49 30 " + strconv.FormatInt(d.seq.Add(1), 10)
		for _, k := range []string{"partnerId", "cloud", "updatedAt"} {
			delete(c, k)
		}
		return d.request("PUT", "/company", d.token, c), nil
	}},
	{"GET /users", static("GET", "/users?limit=50")},
	{"POST /users", func(d *driver) (*http.Request, error) {
		n := d.seq.Add(1)
		return d.request("POST", "/users", d.token, map[string]string{"email": fmt.Sprintf("new%d@contoso-partners.example", n),
			"displayName": "New User", "companyRole": "none", "customerAccess": "none"}, "Idempotency-Key", fmt.Sprintf("bench-%d", n)), nil
	}},
	{"GET /users/{userId}", func(d *driver) (*http.Request, error) {
		return d.request("GET", "/users/"+d.other, d.token, nil), nil
	}},
	{"PATCH /users/{userId}", func(d *driver) (*http.Request, error) {
		id, _, err := d.newUser()
		if err != nil {
			return nil, err
		}
		return d.request("PATCH", "/users/"+id, d.token, map[string]any{"displayName": "Renamed", "version": 1}), nil
	}},
	{"DELETE /users/{userId}", func(d *driver) (*http.Request, error) {
		id, _, err := d.newUser()
		if err != nil {
			return nil, err
		}
		return d.request("DELETE", "/users/"+id, d.token, nil), nil
	}},
	{"GET /activity", static("GET", "/activity?limit=50")},
	{"GET /customers", static("GET", "/customers?q=contoso")},
	{"POST /operator/partners", func(d *driver) (*http.Request, error) {
		n := d.seq.Add(1)
		return d.request("POST", "/operator/partners", d.rt.OperatorToken, map[string]any{"name": fmt.Sprintf("Bench Partner %d", n), "cloud": "global",
			"authorizations": []string{"subscription_advisor"}, "email": "hello@bench.example",
			"firstAdmin": map[string]string{"email": fmt.Sprintf("admin%d@bench.example", n), "displayName": "Bench Admin"}}), nil
	}},
	{"GET /operator/partners/{partnerId}", func(d *driver) (*http.Request, error) {
		return d.request("GET", "/operator/partners/"+d.me["orgId"].(string), d.rt.OperatorToken, nil), nil
	}},
	{"PUT /operator/partners/{partnerId}/authorizations", func(d *driver) (*http.Request, error) {
		pid := d.me["orgId"].(string)
		p, err := d.call("GET", "/operator/partners/"+pid, d.rt.OperatorToken, nil)
		if err != nil {
			return nil, err
		}
		auths := []string{"delegated_admin", "subscription_advisor", "service_provider"}
		if len(p["authorizations"].([]any)) == 3 {
			auths = auths[:2] // alternate, so every call is a real change
		}
		return d.request("PUT", "/operator/partners/"+pid+"/authorizations", d.rt.OperatorToken, map[string]any{"authorizations": auths, "version": p["version"]}), nil
	}},
	{"PATCH /customers/{customerId}/subscriptions/{subscriptionId}", subscriptionChange},
}

func scenarioOf(route string) scenario {
	for _, s := range scenarios {
		if s.route == route {
			return s
		}
	}
	panic("bench: no scenario for " + route)
}

// measure sends a scenario's request and returns the EMF measurement of that invocation.
func (d *driver) measure(sc scenario) (Measurement, error) {
	req, err := sc.prepare(d)
	if err != nil {
		return Measurement{}, err
	}
	n := d.obs.count(sc.route)
	if _, _, err := d.send(req); err != nil {
		return Measurement{}, err
	}
	return d.obs.after(sc.route, n)
}
