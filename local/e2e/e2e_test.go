// Package e2e drives the product end to end: it starts the local runtime (the real function
// binaries behind the Lambda Runtime API and the HTTP API gateway, against DynamoDB Local) and
// walks the first slice over HTTP, as a partner's admin and an operator would.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/local/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type client struct {
	t     *testing.T
	base  string
	token string
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    []byte
}

func (c client) call(method, path string, body any, headers ...string) reply {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

func (c client) must(status int, method, path string, body any, headers ...string) reply {
	c.t.Helper()
	r := c.call(method, path, body, headers...)
	if r.status != status {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, status, r.raw)
	}
	return r
}

func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		cur = cur.(map[string]any)[p]
	}
	s, _ := cur.(string)
	return s
}

func num(m map[string]any, k string) int { f, _ := m[k].(float64); return int(f) }

func TestSlice(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs every function (run without -short)")
	}
	ctx := context.Background()
	var logs bytes.Buffer
	rt, err := localrun.Start(ctx, localrun.Options{
		DataDir: t.TempDir(), Port: 0, InMemory: true,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t),
		TableName: testenv.UniqueName("e2e"), Log: &syncWriter{w: &logs},
	})
	if err != nil {
		t.Fatalf("start the local runtime: %v", err)
	}
	t.Cleanup(func() {
		rt.Close()
		if t.Failed() {
			os.Stderr.Write(logs.Bytes())
		}
	})
	anon := client{t: t, base: rt.APIURL}

	// The demo credentials are written for the user.
	var creds localrun.DemoCredentials
	b, err := os.ReadFile(rt.CredentialsFile)
	if err != nil || json.Unmarshal(b, &creds) != nil || len(creds.Partners) != 2 || creds.OperatorToken == "" {
		t.Fatalf("demo credentials: %v %s", err, b)
	}

	// Sign in as the demo global admin of the global partner.
	tok := anon.must(200, "POST", "/auth/sign-in", map[string]string{"email": "admin@contoso-partners.example", "password": seed.Password}).body
	ga := client{t: t, base: rt.APIURL, token: str(tok, "accessToken")}
	me := ga.must(200, "GET", "/me", nil).body
	if me["companyRole"] != "global_admin" || me["orgKind"] != "partner" {
		t.Fatalf("me: %v", me)
	}
	ov := ga.must(200, "GET", "/overview", nil).body
	if ov["cloud"] != "global" || ov["customerView"] != "list" || len(ov["features"].([]any)) != 9 || len(ov["authorizations"].([]any)) != 3 {
		t.Fatalf("overview: %v", ov)
	}

	// Edit the company profile, version-guarded.
	co := ga.must(200, "GET", "/company", nil).body
	upd := map[string]any{"name": "Contoso Cloud Partners GmbH", "phone": "+49 30 7654321", "email": "hello@contoso-partners.example",
		"website": "https://contoso-partners.example", "address": map[string]any{"line1": "2 Demo Street", "city": "Berlin", "country": "DE"},
		"version": num(co, "version")}
	after := ga.must(200, "PUT", "/company", upd).body
	if after["name"] != "Contoso Cloud Partners GmbH" || num(after, "version") != num(co, "version")+1 {
		t.Fatalf("company after update: %v", after)
	}
	stale := ga.must(409, "PUT", "/company", upd)
	if stale.header.Get("Content-Type") != "application/problem+json" || stale.body["code"] != "version_conflict" {
		t.Fatalf("stale update: %v", stale.body)
	}

	// Add a user (idempotently), who signs in with the temporary password and changes it.
	newUser := map[string]string{"email": "jo@contoso-partners.example", "displayName": "Jo Doe", "companyRole": "password_admin", "customerAccess": "limited"}
	created := ga.must(201, "POST", "/users", newUser, "Idempotency-Key", "e2e-add-jo").body
	replay := ga.must(201, "POST", "/users", newUser, "Idempotency-Key", "e2e-add-jo")
	if replay.header.Get("Idempotent-Replayed") != "true" || str(replay.body, "user", "userId") != str(created, "user", "userId") {
		t.Fatalf("replay: %v", replay.body)
	}
	joID := str(created, "user", "userId")
	temp := str(created, "temporaryPassword")
	joTok := anon.must(200, "POST", "/auth/sign-in", map[string]string{"email": "jo@contoso-partners.example", "password": temp}).body
	if joTok["passwordChangeRequired"] != true {
		t.Fatalf("jo's first sign-in: %v", joTok)
	}
	jo := client{t: t, base: rt.APIURL, token: str(joTok, "accessToken")}
	if jo.must(403, "GET", "/users", nil).body["code"] != "password_change_required" {
		t.Fatal("a temporary password must be changed first")
	}
	jo.token = str(jo.must(200, "POST", "/me/password", map[string]string{"currentPassword": temp, "newPassword": "Jo-Chose-This-Passphrase-1"}).body, "accessToken")
	jo.must(200, "GET", "/users", nil)

	// Users listing pages; a role change takes effect on the next request.
	list := ga.must(200, "GET", "/users?limit=5", nil).body
	if len(list["items"].([]any)) != 5 || list["nextCursor"] == nil {
		t.Fatalf("first page: %v", list)
	}
	ga.must(200, "PATCH", "/users/"+joID, map[string]any{"companyRole": "none", "version": 2})
	jo.must(403, "GET", "/users", nil)
	ga.must(204, "DELETE", "/users/"+joID, nil)
	if jo.must(401, "GET", "/me", nil).header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}

	// The activity log has every change, newest first.
	acts := ga.must(200, "GET", "/activity?limit=10", nil).body["items"].([]any)
	var actions []string
	for _, a := range acts {
		actions = append(actions, a.(map[string]any)["action"].(string))
	}
	for _, want := range []string{"user.deleted", "user.updated", "user.password_changed", "user.created", "company.updated"} {
		if !contains(actions, want) {
			t.Fatalf("activity %v lacks %s", actions, want)
		}
	}
	if actions[0] != "user.deleted" {
		t.Fatalf("activity not newest first: %v", actions)
	}

	// Another partner's admin gets 404 for this partner's user; bad input is a problem, not a 500.
	other := anon.must(200, "POST", "/auth/sign-in", map[string]string{"email": "admin@fabrikam-cn.example", "password": seed.Password}).body
	fab := client{t: t, base: rt.APIURL, token: str(other, "accessToken")}
	fab.must(404, "GET", "/users/"+str(me, "userId"), nil)
	if r := ga.must(400, "POST", "/users", map[string]any{"email": "x@y.example", "isRoot": true}); r.body["field"] != "isRoot" {
		t.Fatalf("unknown field: %v", r.body)
	}
	big := ga.call("PUT", "/company", map[string]string{"name": strings.Repeat("x", 100<<10)})
	if big.status != 413 {
		t.Fatalf("huge body: %d %s", big.status, big.raw)
	}

	// Operator routes: IAM-authorized (locally: the operator token); users are refused.
	op := client{t: t, base: rt.APIURL, token: rt.OperatorToken}
	ga.must(403, "GET", "/operator/partners/"+str(me, "orgId"), nil)
	onb := op.must(201, "POST", "/operator/partners", map[string]any{"name": "Northwind Partners", "cloud": "21vianet",
		"authorizations": []string{"subscription_advisor"}, "email": "hello@northwind.example",
		"firstAdmin": map[string]string{"email": "admin@northwind.example", "displayName": "Nora Admin"}}).body
	pid := str(onb, "partner", "partnerId")
	got := op.must(200, "GET", "/operator/partners/"+pid, nil).body
	op.must(200, "PUT", "/operator/partners/"+pid+"/authorizations", map[string]any{"authorizations": []string{"delegated_admin", "subscription_advisor"}, "version": num(got, "version")})
	nora := anon.must(200, "POST", "/auth/sign-in", map[string]string{"email": "admin@northwind.example", "password": str(onb, "temporaryPassword")}).body
	noraC := client{t: t, base: rt.APIURL, token: str(nora, "accessToken")}
	noraC.token = str(noraC.must(200, "POST", "/me/password", map[string]string{"currentPassword": str(onb, "temporaryPassword"), "newPassword": "Picks-A-Long-Passphrase-7"}).body, "accessToken")
	nov := noraC.must(200, "GET", "/overview", nil).body
	if nov["cloud"] != "21vianet" || fmt.Sprint(nov["authorizations"]) != "[delegated_admin subscription_advisor]" {
		t.Fatalf("new partner's overview: %v", nov)
	}

	// Unknown routes are API Gateway's 404.
	if r := anon.call("GET", "/nope", nil); r.status != 404 {
		t.Fatalf("unknown route: %d", r.status)
	}

	// Concurrent requests to one function run in several instances, as Lambda scales out.
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { ga.call("GET", "/company", nil) })
	}
	wg.Wait()
	if n := len(rt.Functions.Instances("GetCompanyFunction")); n < 2 {
		t.Fatalf("%d instances of GetCompanyFunction after concurrent requests, want more than one", n)
	}

	// Secrets never reach the logs: everything the gateway and every function wrote during the
	// run (access log, function output, EMF lines) is free of tokens and passwords.
	time.Sleep(200 * time.Millisecond) // function output arrives through pipes
	written := logs.String()
	if !strings.Contains(written, "POST /auth/sign-in") {
		t.Fatal("the log capture saw no requests; the check below would prove nothing")
	}
	secrets := map[string]string{"demo password": seed.Password, "temporary password": temp, "jo's new password": "Jo-Chose-This-Passphrase-1",
		"operator token": rt.OperatorToken, "access token": ga.token, "second access token": jo.token, "nora's temporary password": str(onb, "temporaryPassword")}
	for what, secret := range secrets {
		if secret != "" && strings.Contains(written, secret) {
			t.Errorf("the %s appears in the logs", what)
		}
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
