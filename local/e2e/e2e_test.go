// Package e2e drives the product end to end: it starts the local runtime (the real function
// binaries behind the Lambda Runtime API and the HTTP API gateway, against DynamoDB Local) and
// walks the first slice over HTTP, as a partner's admin and an operator would.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/local/testenv/builds"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func TestSlice(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs every function (run without -short)")
	}
	ctx := context.Background()
	var logs testenv.LogBuffer
	rt, err := localrun.Start(ctx, localrun.Options{
		DataDir: t.TempDir(), Port: 0, InMemory: true,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t),
		TableName: testenv.UniqueName("e2e"), Log: &logs, StreamsFromNow: true, // the seed's notifications and emails are not this test's
		// Every function, built as localrun builds it, once for this source state and shared
		// with the other suite that starts the whole product (see local/testenv/builds).
		Bootstraps: builds.All(t),
	})
	if err != nil {
		t.Fatalf("start the local runtime: %v", err)
	}
	t.Cleanup(func() {
		rt.Close()
		if t.Failed() {
			os.Stderr.WriteString(logs.String())
		}
	})
	anon := testenv.Client{T: t, Base: rt.APIURL}

	// The demo credentials are written for the user.
	var creds localrun.DemoCredentials
	b, err := os.ReadFile(rt.CredentialsFile)
	if err != nil || json.Unmarshal(b, &creds) != nil || len(creds.Partners) != 2 || creds.OperatorToken == "" {
		t.Fatalf("demo credentials: %v %s", err, b)
	}

	// Sign in as the demo global admin of the global partner: password, then the TOTP code.
	ga := testenv.Client{T: t, Base: rt.APIURL, Token: anon.SignIn("admin@contoso-partners.example", seed.Password, seed.DemoTOTPSecret("admin@contoso-partners.example"))}
	me := ga.Must(200, "GET", "/me", nil).Body
	if me["companyRole"] != "global_admin" || me["orgKind"] != "partner" {
		t.Fatalf("me: %v", me)
	}
	ov := ga.Must(200, "GET", "/overview", nil).Body
	if ov["cloud"] != "global" || ov["customerView"] != "search" || ov["customerCount"] != float64(seed.GlobalCustomers) || len(ov["features"].([]any)) != 9 || len(ov["authorizations"].([]any)) != 3 {
		t.Fatalf("overview: %v", ov)
	}

	// Edit the company profile, version-guarded.
	co := ga.Must(200, "GET", "/company", nil).Body
	upd := map[string]any{"name": "Contoso Cloud Partners GmbH", "phone": "+49 30 7654321", "email": "hello@contoso-partners.example",
		"website": "https://contoso-partners.example", "address": map[string]any{"line1": "2 Demo Street", "city": "Berlin", "country": "DE"},
		"version": testenv.Num(co, "version")}
	after := ga.Must(200, "PUT", "/company", upd).Body
	if after["name"] != "Contoso Cloud Partners GmbH" || testenv.Num(after, "version") != testenv.Num(co, "version")+1 {
		t.Fatalf("company after update: %v", after)
	}
	stale := ga.Must(409, "PUT", "/company", upd)
	if stale.Header.Get("Content-Type") != "application/problem+json" || stale.Body["code"] != "version_conflict" {
		t.Fatalf("stale update: %v", stale.Body)
	}

	// Add a user (idempotently), who signs in with the temporary password and changes it.
	newUser := map[string]string{"email": "jo@contoso-partners.example", "displayName": "Jo Doe", "companyRole": "password_admin", "customerAccess": "limited"}
	created := ga.Must(201, "POST", "/users", newUser, "Idempotency-Key", "e2e-add-jo").Body
	replay := ga.Must(201, "POST", "/users", newUser, "Idempotency-Key", "e2e-add-jo")
	if replay.Header.Get("Idempotent-Replayed") != "true" || testenv.Str(replay.Body, "user", "userId") != testenv.Str(created, "user", "userId") {
		t.Fatalf("replay: %v", replay.Body)
	}
	joID := testenv.Str(created, "user", "userId")
	temp := testenv.Str(created, "temporaryPassword")
	joTok := anon.Must(200, "POST", "/auth/sign-in", map[string]string{"email": "jo@contoso-partners.example", "password": temp}).Body
	if joTok["passwordChangeRequired"] != true {
		t.Fatalf("jo's first sign-in: %v", joTok)
	}
	jo := testenv.Client{T: t, Base: rt.APIURL, Token: testenv.Str(joTok, "accessToken")}
	if jo.Must(403, "GET", "/users", nil).Body["code"] != "password_change_required" {
		t.Fatal("a temporary password must be changed first")
	}
	jo.Token = testenv.Str(jo.Must(200, "POST", "/me/password", map[string]string{"currentPassword": temp, "newPassword": "Jo-Chose-This-Passphrase-1"}).Body, "accessToken")
	jo.Must(200, "GET", "/users", nil)

	// Users listing pages; a role change takes effect on the next request.
	list := ga.Must(200, "GET", "/users?limit=5", nil).Body
	if len(list["items"].([]any)) != 5 || list["nextCursor"] == nil {
		t.Fatalf("first page: %v", list)
	}
	ga.Must(200, "PATCH", "/users/"+joID, map[string]any{"companyRole": "none", "version": 2})
	jo.Must(403, "GET", "/users", nil)
	ga.Must(204, "DELETE", "/users/"+joID, nil)
	if jo.Must(401, "GET", "/me", nil).Header.Get("WWW-Authenticate") == "" {
		t.Fatal("401 without WWW-Authenticate")
	}

	// The activity log has every change, newest first.
	acts := ga.Must(200, "GET", "/activity?limit=10", nil).Body["items"].([]any)
	var actions []string
	for _, a := range acts {
		actions = append(actions, a.(map[string]any)["action"].(string))
	}
	for _, want := range []string{"user.deleted", "user.updated", "user.password_changed", "user.created", "company.updated"} {
		if !slices.Contains(actions, want) {
			t.Fatalf("activity %v lacks %s", actions, want)
		}
	}
	if actions[0] != "user.deleted" {
		t.Fatalf("activity not newest first: %v", actions)
	}

	// Another partner's admin gets 404 for this partner's user; bad input is a problem, not a 500.
	fab := testenv.Client{T: t, Base: rt.APIURL, Token: anon.SignIn("admin@fabrikam-cn.example", seed.Password, seed.DemoTOTPSecret("admin@fabrikam-cn.example"))}
	fab.Must(404, "GET", "/users/"+testenv.Str(me, "userId"), nil)
	if r := ga.Must(400, "POST", "/users", map[string]any{"email": "x@y.example", "isRoot": true}); r.Body["field"] != "isRoot" {
		t.Fatalf("unknown field: %v", r.Body)
	}
	// A body that is not UTF-8 is refused through the whole stack (gateway event, decoder), not
	// stored with U+FFFD in place of its bytes.
	if r := ga.Must(400, "PUT", "/company", []byte("{\"name\":\"Bad \xff\xfe\",\"email\":\"a@b.example\",\"version\":1}")); r.Body["code"] != "malformed_json" || r.Body["field"] != "name" {
		t.Fatalf("not UTF-8: %v", r.Body)
	}
	big := ga.Call("PUT", "/company", map[string]string{"name": strings.Repeat("x", 100<<10)})
	if big.Status != 413 {
		t.Fatalf("huge body: %d %s", big.Status, big.Raw)
	}

	// Operator routes: IAM-authorized (locally: the operator token); users are refused.
	op := testenv.Client{T: t, Base: rt.APIURL, Token: rt.OperatorToken}
	ga.Must(403, "GET", "/operator/partners/"+testenv.Str(me, "orgId"), nil)
	onb := op.Must(201, "POST", "/operator/partners", map[string]any{"name": "Northwind Partners", "cloud": "21vianet",
		"authorizations": []string{"subscription_advisor"}, "email": "hello@northwind.example",
		"firstAdmin": map[string]string{"email": "admin@northwind.example", "displayName": "Nora Admin"}}).Body
	pid := testenv.Str(onb, "partner", "partnerId")
	got := op.Must(200, "GET", "/operator/partners/"+pid, nil).Body
	op.Must(200, "PUT", "/operator/partners/"+pid+"/authorizations", map[string]any{"authorizations": []string{"delegated_admin", "subscription_advisor"}, "version": testenv.Num(got, "version")})
	nora := anon.Must(200, "POST", "/auth/sign-in", map[string]string{"email": "admin@northwind.example", "password": testenv.Str(onb, "temporaryPassword")}).Body
	noraC := testenv.Client{T: t, Base: rt.APIURL, Token: testenv.Str(nora, "accessToken")}
	noraC.Token = testenv.Str(noraC.Must(200, "POST", "/me/password", map[string]string{"currentPassword": testenv.Str(onb, "temporaryPassword"), "newPassword": "Picks-A-Long-Passphrase-7"}).Body, "accessToken")
	// A first admin is a global admin: two-factor sign-in comes before anything else.
	if noraC.Must(403, "GET", "/overview", nil).Body["code"] != "mfa_enrolment_required" {
		t.Fatal("a global admin without two-factor sign-in reached the overview")
	}
	noraC.Enrol()
	nov := noraC.Must(200, "GET", "/overview", nil).Body
	if nov["cloud"] != "21vianet" || fmt.Sprint(nov["authorizations"]) != "[delegated_admin subscription_advisor]" {
		t.Fatalf("new partner's overview: %v", nov)
	}

	// A service request sent, and a support-desk question: both emails arrive.
	serviceRequestEmails(t, rt.APIURL, ga, op)

	// Unknown routes are API Gateway's 404.
	if r := anon.Call("GET", "/nope", nil); r.Status != 404 {
		t.Fatalf("unknown route: %d", r.Status)
	}

	// Concurrent requests to one function run in several instances, as Lambda scales out. The
	// requests of a burst overlap only if they reach the runtime while one of them is still
	// running, which a loaded machine does not promise for a function this fast: bursts are
	// repeated (for a minute at most) until one overlapped. A runtime that runs concurrent
	// requests one after the other in a single instance never gets a second one, and fails.
	for deadline := time.Now().Add(time.Minute); len(rt.Functions.Instances("GetCompanyFunction")) < 2 && time.Now().Before(deadline); {
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() { ga.Call("GET", "/company", nil) })
		}
		wg.Wait()
	}
	if n := len(rt.Functions.Instances("GetCompanyFunction")); n < 2 {
		t.Fatalf("%d instances of GetCompanyFunction after concurrent requests, want more than one", n)
	}

	// Secrets never reach the logs: everything the gateway and every function wrote during the
	// run (access log, function output, EMF lines) is free of tokens and passwords. Function
	// output arrives through pipes: Close waits until every process has ended and its output
	// has been read, so the capture is complete (no sleep guessing when it is).
	rt.Close()
	written := logs.String()
	if !strings.Contains(written, "POST /auth/sign-in") {
		t.Fatal("the log capture saw no requests; the check below would prove nothing")
	}
	secrets := map[string]string{"demo password": seed.Password, "temporary password": temp, "jo's new password": "Jo-Chose-This-Passphrase-1",
		"operator token": rt.OperatorToken, "access token": ga.Token, "second access token": jo.Token, "nora's temporary password": testenv.Str(onb, "temporaryPassword")}
	for what, secret := range secrets {
		if secret != "" && strings.Contains(written, secret) {
			t.Errorf("the %s appears in the logs", what)
		}
	}
}
