package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/linkpage"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/totp"
)

// TestMain runs the tests, then checks least privilege over everything they made the functions
// do (privilege_test.go). A run of a subset (-run) skips that check: it needs every path.
func TestMain(m *testing.M) {
	// This package is the heaviest user of DynamoDB Local: it gets emulators of its own (testenv
	// starts them for this binary) rather than the ones `make test` shares between packages,
	// whose accumulated tables and concurrent load made it several times slower.
	os.Unsetenv(testenv.EnvDynamoDB)
	os.Unsetenv(testenv.EnvSES)
	apigw.MetricsOut = observed
	code := m.Run()
	if code == 0 && !isPartialRun() {
		if problems := checkLeastPrivilege(repoRoot()); len(problems) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: least privilege (template.yaml vs what the functions did in these tests):\n  %s\n", strings.Join(problems, "\n  "))
			code = 1
		}
	}
	testenv.Cleanup()
	os.Exit(code)
}

func isPartialRun() bool {
	f := flag.Lookup("test.run")
	return f != nil && f.Value.String() != ""
}

func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..")
}

// cheap keeps argon2 fast for the users tests create; the seed uses production cost.
var cheap = auth.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}

// env is one test world: a fresh table with the demo seed, the handlers of every route wired as
// the functions wire them, and helpers to make callers.
type env struct {
	t        *testing.T
	deps     *api.Deps
	store    *store.Store
	hasher   *auth.Hasher
	handlers map[string]apigw.LambdaHandler
	creds    seed.Credentials
	now      func() time.Time
	seq      atomic.Int64
	db       *dynamodb.Client
	table    string
	// lastCustomerAdmin is the email of the matrix's newest customer admin.
	lastCustomerAdmin string
}

const issuer = "partner-admin-center/test"

func newEnv(t *testing.T) *env {
	t.Helper()
	db := testenv.DynamoDB(t)
	table := testenv.NewTable(t, db)
	linkKey, err := auth.NewLinkKey()
	if err != nil {
		t.Fatal(err)
	}
	creds, err := seed.Run(context.Background(), db, table, linkKey)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	seedKey, pub, err := auth.EncodeKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, creds: creds, hasher: auth.NewHasher(cheap), now: time.Now, handlers: map[string]apigw.LambdaHandler{}}
	e.deps, err = app.Build(app.Config{Table: table, Issuer: issuer, PublicKey: pub, SigningKey: seedKey,
		LinkKey: linkKey, PublicURL: "https://admin.example.com", SupportDesk: supportDesks}, db, e.hasher, func() time.Time { return e.now() }, app.Notifications, app.Webhooks, app.Trials, app.ProductKeys, app.Sessions, app.TwoFactor)
	if err != nil {
		t.Fatal(err)
	}
	totp.Wire(e.deps.TwoFactor)
	e.store = store.New(db, table)
	e.db, e.table = db, table
	for _, r := range allRoutes() {
		e.handlers[r.Key()] = apigw.Lambda(r.Function, r.Action(e.deps))
	}
	return e
}

// partner returns the seeded partner of a cloud.
func (e *env) partner(cloud string) seed.PartnerCredentials {
	for _, p := range e.creds.Partners {
		if p.Cloud == cloud {
			return p
		}
	}
	e.t.Fatalf("no seeded partner in cloud %s", cloud)
	return seed.PartnerCredentials{}
}

// user creates a user of partnerID with the role and access, and returns it with a token. A user
// whose role requires a second factor is made with one set up (the flag; tests of two-factor
// sign-in enrol their own users).
func (e *env) user(partnerID string, role admin.CompanyRole, access admin.CustomerAccess) (admin.User, string) {
	e.t.Helper()
	return e.newUser(partnerID, role, access, true)
}

// userWithoutMFA is user without the second factor its role may require.
func (e *env) userWithoutMFA(partnerID string, role admin.CompanyRole, access admin.CustomerAccess) (admin.User, string) {
	e.t.Helper()
	return e.newUser(partnerID, role, access, false)
}

func (e *env) newUser(partnerID string, role admin.CompanyRole, access admin.CustomerAccess, mfa bool) (admin.User, string) {
	e.t.Helper()
	n := e.seq.Add(1)
	now := e.now()
	u := admin.User{ID: app.NewID("usr"), OrgID: partnerID, OrgKind: admin.OrgPartner, Email: fmt.Sprintf("u%d-%s@test.example", n, role),
		DisplayName: fmt.Sprintf("Test User %d", n), CompanyRole: role, CustomerAccess: access, Status: admin.UserActive,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	u.MFAEnabled = mfa && admin.MFARequired(u)
	hash, _ := e.hasher.Hash("Correct-Horse-Battery-9")
	l := admin.Login{Email: u.Email, UserID: u.ID, OrgID: partnerID, OrgKind: admin.OrgPartner, PasswordHash: hash, MFAEnabled: u.MFAEnabled}
	act := admin.Activity{ID: app.NewID("act"), OrgID: partnerID, At: now, Actor: admin.Actor{Type: "operator", ID: "test"}, Action: "user.created",
		Target: admin.Target{Type: "user", ID: u.ID}}
	if err := e.store.CreateUser(context.Background(), u, l, act, nil); err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return u, e.token(u)
}

// token begins a session of u (as a sign-in does) and returns its access token.
func (e *env) token(u admin.User) string {
	e.t.Helper()
	ns, err := e.deps.Sessions.StartSession(context.Background(), admin.Login{UserID: u.ID, OrgID: u.OrgID, OrgKind: u.OrgKind, SessionEpoch: u.SessionEpoch}, "test")
	if err != nil {
		e.t.Fatalf("start a session of %s: %v", u.ID, err)
	}
	tok, _, err := e.deps.Issuer.Issue(u.ID, u.OrgID, string(u.OrgKind), u.SessionEpoch, ns.Session.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// result is one response.
type result struct {
	Status  int
	Headers map[string]string
	Body    []byte
	Cookies []string
}

func (r result) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, r.Body)
	}
	return m
}

func (r result) problem(t *testing.T) apigw.Problem {
	t.Helper()
	if ct := r.Headers["Content-Type"]; ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json (status %d, body %s)", ct, r.Status, r.Body)
	}
	var p apigw.Problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem: %v", err)
	}
	return p
}

// caller says who makes a request.
type caller struct {
	token    string
	operator bool
}

// req describes a request; body is marshalled unless it is a string.
type req struct {
	method, path string
	body         any
	headers      map[string]string
	form         url.Values // an HTML form post (link pages)
	cookies      []string
	sourceIP     string
}

// do sends a request through the handler of its route, as API Gateway would.
func (e *env) do(c caller, r req) result {
	e.t.Helper()
	path, rawQuery, _ := strings.Cut(r.path, "?")
	var route api.Route
	var params map[string]string
	for _, rt := range allRoutes() {
		if p, ok := match(rt.Path, path); ok && rt.Method == r.method {
			route, params = rt, p
		}
	}
	if route.Action == nil {
		e.t.Fatalf("no route for %s %s", r.method, path)
	}
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RouteKey: route.Key(), RawPath: path, RawQueryString: rawQuery,
		Headers: map[string]string{}, PathParameters: params}
	ev.RequestContext.RequestID = fmt.Sprintf("req-%d", e.seq.Add(1))
	ev.RequestContext.HTTP.Method = r.method
	ev.RequestContext.HTTP.Path = path
	if rawQuery != "" {
		ev.QueryStringParameters = map[string]string{}
		for _, kv := range strings.Split(rawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			ev.QueryStringParameters[k] = v
		}
	}
	if c.token != "" {
		ev.Headers["authorization"] = "Bearer " + c.token
	}
	if c.operator {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{UserARN: "arn:aws:iam::000000000000:user/test-operator"}}
	}
	ev.Cookies = r.cookies
	ev.RequestContext.HTTP.SourceIP = r.sourceIP
	if r.sourceIP == "" {
		ev.RequestContext.HTTP.SourceIP = "198.51.100.7"
	}
	if r.form != nil {
		r.body = nil
		ev.Body = base64.StdEncoding.EncodeToString([]byte(r.form.Encode()))
		ev.IsBase64Encoded = true // API Gateway base64-encodes form posts
		ev.Headers["content-type"] = "application/x-www-form-urlencoded"
	}
	switch b := r.body.(type) {
	case nil:
	case string:
		ev.Body = b
		ev.Headers["content-type"] = "application/json"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		ev.Body = string(raw)
		ev.Headers["content-type"] = "application/json"
	}
	for k, v := range r.headers {
		ev.Headers[strings.ToLower(k)] = v
	}
	resp, err := e.handlers[route.Key()](context.Background(), ev)
	if err != nil {
		e.t.Fatalf("%s %s: the handler returned a Lambda error: %v", r.method, r.path, err)
	}
	return resultOf(resp)
}

func resultOf(resp events.APIGatewayV2HTTPResponse) result {
	return result{Status: resp.StatusCode, Headers: resp.Headers, Body: []byte(resp.Body), Cookies: resp.Cookies}
}

// match matches a path against a route path with {params}.
func match(pattern, path string) (map[string]string, bool) {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	params := map[string]string{}
	for i := range ps {
		if strings.HasPrefix(ps[i], "{") {
			if xs[i] == "" {
				return nil, false
			}
			params[strings.Trim(ps[i], "{}")] = xs[i]
		} else if ps[i] != xs[i] {
			return nil, false
		}
	}
	return params, true
}

func expectStatus(t *testing.T, got result, want int, what string) {
	t.Helper()
	if got.Status != want {
		t.Fatalf("%s: status %d, want %d; body %s", what, got.Status, want, got.Body)
	}
}

func expectProblem(t *testing.T, got result, status int, code admin.Code, field string) {
	t.Helper()
	if got.Status != status {
		t.Fatalf("status %d, want %d; body %s", got.Status, status, got.Body)
	}
	p := got.problem(t)
	if p.Code != code {
		t.Fatalf("code %q, want %q; body %s", p.Code, code, got.Body)
	}
	if field != "" && p.Field != field {
		t.Fatalf("field %q, want %q; body %s", p.Field, field, got.Body)
	}
	if p.Status != status || p.Type == "" || p.Title != http.StatusText(status) {
		t.Fatalf("problem fields wrong: %+v", p)
	}
}

func t0() context.Context { return context.Background() }

// advance moves the test clock forward (the service, the tokens and the sign-in guard use it).
func (e *env) advance(d time.Duration) {
	prev := e.now
	e.now = func() time.Time { return prev().Add(d) }
}

// allRoutes are the API's routes and the link pages' routes: every HTTP route of template.yaml.
func allRoutes() []api.Route { return append(api.Routes(), linkpage.Routes()...) }

func appNewID(prefix string) string { return app.NewID(prefix) }
