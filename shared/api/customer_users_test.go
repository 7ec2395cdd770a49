package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// matrixCustomerToken is the token of the customer admin the permission matrix made last (its
// "customer admin" identity, wrapped below), so that the /tenant/users rows can build a target
// user inside that admin's customer.
var matrixCustomerToken string

func init() {
	for i := range identities {
		if identities[i].name == "customer admin" {
			make := identities[i].make
			identities[i].make = func(e *env, pid string) caller {
				c := make(e, pid)
				matrixCustomerToken = c.token
				return c
			}
		}
	}
	resetOf := func(role admin.CustomerRole) func(e *env, _ customerWorld, cid string) req {
		return func(e *env, _ customerWorld, cid string) req {
			// A fresh target on every call: each successful reset counts towards its hourly limit.
			return req{method: "POST", path: "/customers/" + cid + "/users/" + e.customerUser(cid, role).ID + "/password-reset"}
		}
	}
	customerCases = append(customerCases,
		customerCase{route: "GET /customers/{customerId}/users", right: admin.RightReadCustomer, ok: 200, inside: true,
			build: func(_ *env, _ customerWorld, cid string) req {
				return req{method: "GET", path: "/customers/" + cid + "/users"}
			}},
		customerCase{route: "POST /customers/{customerId}/users", right: admin.RightManageCustomerUsers, ok: 201, inside: true,
			build: func(e *env, _ customerWorld, cid string) req {
				return req{method: "POST", path: "/customers/" + cid + "/users", body: map[string]any{
					"email": fmt.Sprintf("added%d@customer.example", e.seq.Add(1)), "displayName": "Added User", "role": "user"}}
			}},
		// A user who is not an admin: the reset-password right of limited access.
		customerCase{route: "POST /customers/{customerId}/users/{userId}/password-reset", right: admin.RightResetUserPassword, ok: 200, inside: true,
			build: resetOf(admin.CustomerRoleUser)},
		// An admin: full access only; limited effective access gets forbidden_for_admins.
		customerCase{route: "POST /customers/{customerId}/users/{userId}/password-reset", right: admin.RightResetAdminPassword, ok: 200, inside: true,
			build: resetOf(admin.CustomerRoleAdmin)},
	)
	// The tenant routes: for customer admins only.
	inCustomer := func(e *env) string {
		if matrixCustomerToken == "" {
			return "cus_01jdzzzzzzzzzzzzzzzzzzzzzz"
		}
		r := e.do(caller{token: matrixCustomerToken}, req{method: "GET", path: "/me"})
		if r.Status != 200 {
			return "cus_01jdzzzzzzzzzzzzzzzzzzzzzz"
		}
		return r.json(e.t)["orgId"].(string)
	}
	matrixCases = append(matrixCases,
		matrixCase{route: "GET /tenant/users", ok: 200, who: customers, build: func(*env, string) req { return req{method: "GET", path: "/tenant/users"} }},
		matrixCase{route: "POST /tenant/users", ok: 201, who: customers, build: func(e *env, _ string) req {
			return req{method: "POST", path: "/tenant/users", body: map[string]any{
				"email": fmt.Sprintf("own%d@customer.example", e.seq.Add(1)), "displayName": "Own User", "role": "user"}}
		}},
		matrixCase{route: "PATCH /tenant/users/{userId}", ok: 200, who: customers, build: func(e *env, _ string) req {
			u := e.customerUser(inCustomer(e), admin.CustomerRoleUser)
			return req{method: "PATCH", path: "/tenant/users/" + u.ID, body: map[string]any{"displayName": "Renamed", "version": u.Version}}
		}},
		matrixCase{route: "DELETE /tenant/users/{userId}", ok: 204, who: customers, build: func(e *env, _ string) req {
			return req{method: "DELETE", path: "/tenant/users/" + e.customerUser(inCustomer(e), admin.CustomerRoleUser).ID}
		}},
		matrixCase{route: "GET /tenant/activity", ok: 200, who: customers, build: func(*env, string) req { return req{method: "GET", path: "/tenant/activity"} }},
	)
}

// customerPassword is the password of the users customerUser makes.
const customerPassword = "Correct-Horse-Battery-9"

// customerUser adds a user of role to customer cid directly in the store (no partner, no
// relationship involved), with customerPassword. In a customer that does not exist it returns
// a user that does not exist either.
func (e *env) customerUser(cid string, role admin.CustomerRole) admin.User {
	e.t.Helper()
	n := e.seq.Add(1)
	now := e.now()
	cr := admin.RoleNone
	if role == admin.CustomerRoleAdmin {
		cr = admin.RoleGlobalAdmin
	}
	u := admin.User{ID: appNewID("usr"), OrgID: cid, OrgKind: admin.OrgCustomer, Email: fmt.Sprintf("cu%d-%s@customer.example", n, role),
		DisplayName: fmt.Sprintf("Customer User %d", n), CompanyRole: cr, CustomerAccess: admin.AccessNone, Status: admin.UserActive,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	hash, _ := e.hasher.Hash(customerPassword)
	l := admin.Login{Email: u.Email, UserID: u.ID, OrgID: cid, OrgKind: admin.OrgCustomer, PasswordHash: hash}
	if err := e.store.CreateCustomerUser(t0(), admin.CustomerUserWrite{User: u, Login: l}); err != nil {
		if admin.ErrorCode(err) == admin.CodeNotFound {
			return u // no such customer
		}
		e.t.Fatalf("create customer user: %v", err)
	}
	return u
}

// signIn signs a user in and returns the token and whether a password change is required.
func (e *env) signIn(t *testing.T, email, password string) (string, bool) {
	t.Helper()
	r := e.do(caller{}, req{method: "POST", path: "/auth/sign-in", body: map[string]string{"email": email, "password": password}})
	expectStatus(t, r, 200, "sign in "+email)
	m := r.json(t)
	return m["accessToken"].(string), m["passwordChangeRequired"].(bool)
}

// reset resets a customer user's password as caller and returns the response.
func (e *env) reset(c caller, cid, uid string, body any) result {
	return e.do(c, req{method: "POST", path: "/customers/" + cid + "/users/" + uid + "/password-reset", body: body})
}

// rawItem reads an item of the test table as JSON (what DynamoDB stores, attribute by attribute).
func (e *env) rawItem(t *testing.T, pk, sk string) (map[string]types.AttributeValue, string) {
	t.Helper()
	res, err := e.db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &e.table, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(res.Item)
	return res.Item, string(b)
}

// TestCustomerPasswordResetJourney: a partner resets a customer user's password; they sign in
// with it, must change it (everything else answers password_change_required), change it with
// POST /me/password, and their tokens from before the reset are refused. The optional email is
// queued with the password sealed; the sixth reset within an hour is throttled; limited access
// cannot reset an admin's password; the customer's activity log shows the partner's resets.
func TestCustomerPasswordResetJourney(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	full, adminEmail := e.newCustomer(t, pid, admin.AccessFull, 365)
	limitedCID, _ := e.newCustomer(t, pid, admin.AccessLimited, 365)
	partnerAdmin, partnerTok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	partnerFull := caller{token: partnerTok}
	limitedUser, _ := e.user(pid, admin.RoleNone, admin.AccessLimited)

	// The partner adds a user (role user) and an admin to the customer.
	add := func(role string, key string) (map[string]any, string) {
		r := e.do(partnerFull, req{method: "POST", path: "/customers/" + full + "/users", headers: map[string]string{"Idempotency-Key": key},
			body: map[string]any{"email": "robin." + role + "@" + full + ".example", "displayName": "Robin " + role, "role": role}})
		expectStatus(t, r, 201, "add "+role)
		m := r.json(t)
		return m["user"].(map[string]any), m["temporaryPassword"].(string)
	}
	member, temp := add("user", "add-member")
	if member["role"] != "user" || member["passwordChangeRequired"] != true || len(temp) < 12 {
		t.Fatalf("created %v with %q", member, temp)
	}
	// A replay answers the same user, without the password; another body under the key is refused.
	r := e.do(partnerFull, req{method: "POST", path: "/customers/" + full + "/users", headers: map[string]string{"Idempotency-Key": "add-member"},
		body: map[string]any{"email": "robin.user@" + full + ".example", "displayName": "Robin user", "role": "user"}})
	expectStatus(t, r, 201, "replay")
	if r.Headers["Idempotent-Replayed"] != "true" || r.json(t)["user"].(map[string]any)["userId"] != member["userId"] || r.json(t)["temporaryPassword"] != nil {
		t.Fatalf("replay: %s", r.Body)
	}
	r = e.do(partnerFull, req{method: "POST", path: "/customers/" + full + "/users", headers: map[string]string{"Idempotency-Key": "add-member"},
		body: map[string]any{"email": "other@" + full + ".example", "displayName": "Other", "role": "user"}})
	expectProblem(t, r, 422, admin.CodeIdempotencyKeyReused, "")
	// Emails are unique across every login, partner users' and customers' alike.
	r = e.do(partnerFull, req{method: "POST", path: "/customers/" + full + "/users", body: map[string]any{"email": adminEmail, "displayName": "Dup", "role": "user"}})
	expectProblem(t, r, 409, admin.CodeEmailTaken, "email")
	boss, bossTemp := add("admin", "add-admin")
	memberID, bossID := member["userId"].(string), boss["userId"].(string)

	// The new user signs in with the temporary password and must change it first.
	memberTok, must := e.signIn(t, "robin.user@"+full+".example", temp)
	if !must {
		t.Fatal("a new customer user's first sign-in does not require a password change")
	}
	r = e.do(caller{token: memberTok}, req{method: "GET", path: "/me"})
	expectStatus(t, r, 200, "GET /me as a customer user")
	if me := r.json(t); me["orgKind"] != "customer" || me["role"] != "user" || me["passwordChangeRequired"] != true || me["orgId"] != full {
		t.Fatalf("GET /me: %v", me)
	}
	r = e.do(caller{token: memberTok}, req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": temp, "newPassword": "Quiet-River-Passphrase-1"}})
	expectStatus(t, r, 200, "change the temporary password")
	memberTok = r.json(t)["accessToken"].(string)
	expectStatus(t, e.do(caller{token: memberTok}, req{method: "GET", path: "/me"}), 200, "the new token")

	// The partner resets it, emailing the helpdesk too: every session of the user ends at once.
	r = e.reset(partnerFull, full, memberID, map[string]string{"sendTo": "Helpdesk@Contoso-Partners.example"})
	expectStatus(t, r, 200, "reset")
	m := r.json(t)
	temp2 := m["temporaryPassword"].(string)
	if temp2 == "" || temp2 == temp || m["emailedTo"] != "Helpdesk@Contoso-Partners.example" || m["user"].(map[string]any)["passwordChangeRequired"] != true {
		t.Fatalf("reset answered %v", m)
	}
	expectProblem(t, e.do(caller{token: memberTok}, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")
	expectProblem(t, e.do(caller{token: memberTok}, req{method: "POST", path: "/me/password",
		body: map[string]string{"currentPassword": "Quiet-River-Passphrase-1", "newPassword": "Another-Long-Passphrase-7"}}), 401, admin.CodeUnauthenticated, "")

	// The email is queued with the password sealed: the stored item never holds it in plaintext.
	var mail map[string]any
	for _, it := range e.outbox(t) {
		if it["template"] == "customer_password_reset" {
			mail = it
		}
	}
	if mail == nil {
		t.Fatal("no customer_password_reset email queued")
	}
	if to := mail["to"].([]any); len(to) != 1 || to[0] != "helpdesk@contoso-partners.example" {
		t.Fatalf("email to %v", to)
	}
	raw, rawJSON := e.rawItem(t, mail["PK"].(string), "OUTBOX")
	if strings.Contains(rawJSON, temp2) {
		t.Fatalf("the outbox item holds the temporary password in plaintext: %s", rawJSON)
	}
	var item store.OutboxItem
	if err := attributevalue.UnmarshalMap(raw, &item); err != nil {
		t.Fatal(err)
	}
	if _, err := item.Facts(nil); err == nil {
		t.Fatal("sealed facts opened without the key")
	}
	facts, err := item.Facts(e.deps.CustomerUsers.Store.(*store.Store).Sealer)
	if err != nil || facts["temporaryPassword"] != temp2 || facts["userEmail"] != "robin.user@"+full+".example" {
		t.Fatalf("sealed facts: %v %v", facts, err)
	}

	// They sign in with the new temporary password and change it again.
	tok, must := e.signIn(t, "robin.user@"+full+".example", temp2)
	if !must {
		t.Fatal("sign-in after a reset does not require a password change")
	}
	r = e.do(caller{token: tok}, req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": temp2, "newPassword": "Brisk-Harbor-Lantern-88"}})
	expectStatus(t, r, 200, "change after reset")
	expectProblem(t, e.do(caller{token: tok}, req{method: "GET", path: "/me"}), 401, admin.CodeUnauthenticated, "")

	// An admin after a reset: self-service answers password_change_required until it is changed.
	bossTok, _ := e.signIn(t, "robin.admin@"+full+".example", bossTemp)
	r = e.do(caller{token: bossTok}, req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": bossTemp, "newPassword": "Amber-Valley-Compass-31"}})
	expectStatus(t, r, 200, "admin sets a password")
	before := r.json(t)["accessToken"].(string)
	expectStatus(t, e.do(caller{token: before}, req{method: "GET", path: "/tenant/users"}), 200, "admin self-service")
	r = e.reset(partnerFull, full, bossID, nil)
	expectStatus(t, r, 200, "reset an admin (full access)")
	bossTemp = r.json(t)["temporaryPassword"].(string)
	expectProblem(t, e.do(caller{token: before}, req{method: "GET", path: "/tenant/users"}), 401, admin.CodeUnauthenticated, "")
	after, _ := e.signIn(t, "robin.admin@"+full+".example", bossTemp)
	expectProblem(t, e.do(caller{token: after}, req{method: "GET", path: "/tenant/users"}), 403, admin.CodePasswordChangeNeeded, "")
	r = e.do(caller{token: after}, req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": bossTemp, "newPassword": "Amber-Valley-Compass-32"}})
	expectStatus(t, r, 200, "admin changes the temporary password")
	expectStatus(t, e.do(caller{token: r.json(t)["accessToken"].(string)}, req{method: "GET", path: "/tenant/users"}), 200, "self-service again")

	// At most 5 resets per user per hour (1 done): the 6th is 429 with Retry-After.
	for i := 2; i <= 5; i++ {
		expectStatus(t, e.reset(partnerFull, full, memberID, nil), 200, fmt.Sprintf("reset %d", i))
	}
	r = e.reset(partnerFull, full, memberID, nil)
	expectProblem(t, r, 429, admin.CodePasswordResetThrottled, "")
	if s, err := strconv.Atoi(r.Headers["Retry-After"]); err != nil || s < 1 || s > 3600 {
		t.Fatalf("Retry-After %q", r.Headers["Retry-After"])
	}
	expectStatus(t, e.reset(partnerFull, full, bossID, nil), 200, "another user is not throttled")
	e.advance(time.Hour)
	partnerFull, limitedTok := caller{token: e.token(partnerAdmin)}, e.token(limitedUser) // tokens live 15 minutes
	expectStatus(t, e.reset(partnerFull, full, memberID, nil), 200, "an hour later")

	// Limited access resets users, not admins: a limited user in a full customer, and a full user
	// in a customer whose delegated administration is limited.
	expectProblem(t, e.reset(caller{token: limitedTok}, full, bossID, nil), 403, admin.CodeForbiddenForAdmins, "")
	expectStatus(t, e.reset(caller{token: limitedTok}, full, e.customerUser(full, admin.CustomerRoleUser).ID, nil), 200, "limited resets a user")
	limitedAdmin := e.customerUser(limitedCID, admin.CustomerRoleAdmin)
	expectProblem(t, e.reset(partnerFull, limitedCID, limitedAdmin.ID, nil), 403, admin.CodeForbiddenForAdmins, "")
	expectStatus(t, e.reset(partnerFull, limitedCID, e.customerUser(limitedCID, admin.CustomerRoleUser).ID, nil), 200, "full user, limited grant, a user")
	// Unknown users, and another customer's user, are not found.
	expectProblem(t, e.reset(partnerFull, full, "usr_01jdzzzzzzzzzzzzzzzzzzzzzz", nil), 404, admin.CodeNotFound, "")
	expectProblem(t, e.reset(partnerFull, full, limitedAdmin.ID, nil), 404, admin.CodeNotFound, "")
	expectProblem(t, e.reset(partnerFull, full, "not-an-id", nil), 404, admin.CodeNotFound, "")

	// The customer's log shows what the partner did inside it, naming the partner.
	custTok := e.signInCustomer(t, adminEmail)
	r = e.do(caller{token: custTok}, req{method: "GET", path: "/tenant/activity?limit=100"})
	expectStatus(t, r, 200, "tenant activity")
	resets, created := 0, 0
	for _, it := range r.json(t)["items"].([]any) {
		a := it.(map[string]any)
		switch a["action"] {
		case "customer_user.password_reset":
			resets++
			if a["partnerId"] != pid || a["customerId"] != full {
				t.Fatalf("a reset entry without the partner: %v", a)
			}
			if b, _ := json.Marshal(a); strings.Contains(string(b), temp2) || strings.Contains(string(b), bossTemp) {
				t.Fatalf("the log holds a password: %s", b)
			}
		case "customer_user.created":
			created++
		}
	}
	if resets != 9 || created != 2 {
		t.Fatalf("the customer's log has %d resets and %d creations, want 9 and 2: %s", resets, created, r.Body)
	}
	// The partner's log has them too: these 9 and the one in the limited customer.
	r = e.do(partnerFull, req{method: "GET", path: "/activity?limit=100"})
	if n := strings.Count(string(r.Body), `"customer_user.password_reset"`); n != 10 {
		t.Fatalf("the partner's log has %d resets, want 10: %s", n, r.Body)
	}
}

// TestTenantUsers: a customer's admins manage its users; the last admin can be neither demoted nor
// removed, also in a customer signed up before the admin count was kept (no count stored);
// users who are not admins have no self-service.
func TestTenantUsers(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, adminEmail := e.newCustomer(t, pid, "", 0)
	owner := caller{token: e.signInCustomer(t, adminEmail)}
	login, err := e.store.Login(t0(), adminEmail)
	if err != nil {
		t.Fatal(err)
	}
	ownerID := login.UserID
	// Acceptance records the sign-up's admin in the count.
	if _, raw := e.rawItem(t, "CUSTOMER#"+cid, "PROFILE"); !strings.Contains(raw, `"admins":{"Value":"1"}`) {
		t.Fatalf("a new customer's profile has no admin count of 1: %s", raw)
	}
	// A customer signed up before the count existed has none: forget it.
	if _, err := e.db.UpdateItem(t0(), &dynamodb.UpdateItemInput{TableName: &e.table, UpdateExpression: aws.String("REMOVE admins"),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "CUSTOMER#" + cid}, "SK": &types.AttributeValueMemberS{Value: "PROFILE"}}}); err != nil {
		t.Fatal(err)
	}
	patch := func(c caller, id string, body map[string]any) result {
		return e.do(c, req{method: "PATCH", path: "/tenant/users/" + id, body: body})
	}
	// The only admin: not demoted, not removed.
	expectProblem(t, patch(owner, ownerID, map[string]any{"role": "user", "version": 1}), 409, admin.CodeLastGlobalAdmin, "")
	expectProblem(t, e.do(owner, req{method: "DELETE", path: "/tenant/users/" + ownerID}), 409, admin.CodeLastGlobalAdmin, "")

	// Add a user and an admin.
	r := e.do(owner, req{method: "POST", path: "/tenant/users", headers: map[string]string{"Idempotency-Key": "k1"},
		body: map[string]any{"email": "sam@" + cid + ".example", "displayName": "Sam", "role": "user"}})
	expectStatus(t, r, 201, "add a user")
	sam, samTemp := r.json(t)["user"].(map[string]any), r.json(t)["temporaryPassword"].(string)
	r = e.do(owner, req{method: "POST", path: "/tenant/users", headers: map[string]string{"Idempotency-Key": "k1"},
		body: map[string]any{"email": "sam@" + cid + ".example", "displayName": "Sam", "role": "user"}})
	expectStatus(t, r, 201, "replay")
	if r.Headers["Idempotent-Replayed"] != "true" || r.json(t)["user"].(map[string]any)["userId"] != sam["userId"] {
		t.Fatalf("replay: %s", r.Body)
	}
	expectProblem(t, e.do(owner, req{method: "POST", path: "/tenant/users", body: map[string]any{"email": adminEmail, "displayName": "Dup", "role": "user"}}),
		409, admin.CodeEmailTaken, "email")
	r = e.do(owner, req{method: "POST", path: "/tenant/users", body: map[string]any{"email": "kim@" + cid + ".example", "displayName": "Kim", "role": "admin"}})
	expectStatus(t, r, 201, "add an admin")
	kim, kimTemp := r.json(t)["user"].(map[string]any), r.json(t)["temporaryPassword"].(string)
	if kim["role"] != "admin" {
		t.Fatalf("kim: %v", kim)
	}
	samID, kimID := sam["userId"].(string), kim["userId"].(string)

	// A user who is not an admin signs in and changes the password, but has no self-service.
	samTok, _ := e.signIn(t, "sam@"+cid+".example", samTemp)
	r = e.do(caller{token: samTok}, req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": samTemp, "newPassword": "Quiet-River-Passphrase-1"}})
	expectStatus(t, r, 200, "a user changes the temporary password")
	expectProblem(t, e.do(caller{token: r.json(t)["accessToken"].(string)}, req{method: "GET", path: "/tenant/users"}), 403, admin.CodeForbidden, "")

	// Another customer's admin cannot touch these users: the same 404 as an unknown id.
	_, otherEmail := e.newCustomer(t, pid, "", 0)
	other := caller{token: e.signInCustomer(t, otherEmail)}
	for _, rq := range []req{{method: "PATCH", path: "/tenant/users/" + samID, body: map[string]any{"displayName": "Mine", "version": 1}},
		{method: "DELETE", path: "/tenant/users/" + samID}} {
		foreign := e.do(other, rq)
		expectProblem(t, foreign, 404, admin.CodeNotFound, "")
		rq.path = "/tenant/users/usr_01jdzzzzzzzzzzzzzzzzzzzzzz"
		if unknown := e.do(other, rq); unknown.problem(t).Detail != foreign.problem(t).Detail {
			t.Fatalf("foreign and unknown answered differently: %s vs %s", foreign.Body, unknown.Body)
		}
	}
	r = e.do(other, req{method: "GET", path: "/tenant/users"})
	if strings.Contains(string(r.Body), samID) || len(r.json(t)["items"].([]any)) != 1 {
		t.Fatalf("another customer's list: %s", r.Body)
	}

	// Listing, paged.
	r = e.do(owner, req{method: "GET", path: "/tenant/users?limit=2"})
	expectStatus(t, r, 200, "list")
	page := r.json(t)
	if len(page["items"].([]any)) != 2 || page["nextCursor"] == nil {
		t.Fatalf("first page: %s", r.Body)
	}
	r = e.do(owner, req{method: "GET", path: "/tenant/users?limit=2&cursor=" + page["nextCursor"].(string)})
	expectStatus(t, r, 200, "second page")
	if items := r.json(t)["items"].([]any); len(items) != 1 {
		t.Fatalf("second page: %s", r.Body)
	}

	// Rename and change roles, version-guarded.
	r = patch(owner, samID, map[string]any{"displayName": "Sam Smith", "version": 2}) // 2: Sam changed the password
	expectStatus(t, r, 200, "rename")
	if u := r.json(t); u["displayName"] != "Sam Smith" || u["version"] != float64(3) {
		t.Fatalf("renamed: %v", u)
	}
	expectProblem(t, patch(owner, samID, map[string]any{"displayName": "Stale", "version": 2}), 409, admin.CodeVersionConflict, "")
	// Two admins now (the missing count counted as one, plus Kim): the owner may step down.
	r = patch(owner, ownerID, map[string]any{"role": "user", "version": 1})
	expectStatus(t, r, 200, "the owner steps down")
	if _, raw := e.rawItem(t, "CUSTOMER#"+cid, "PROFILE"); !strings.Contains(raw, `"admins":{"Value":"1"}`) {
		t.Fatalf("admin count after one of two stepped down: %s", raw)
	}
	expectProblem(t, e.do(owner, req{method: "GET", path: "/tenant/users"}), 403, admin.CodeForbidden, "")
	// Kim is the last admin now.
	kimTok, _ := e.signIn(t, "kim@"+cid+".example", kimTemp)
	r = e.do(caller{token: kimTok}, req{method: "POST", path: "/me/password", body: map[string]string{"currentPassword": kimTemp, "newPassword": "Amber-Valley-Compass-31"}})
	expectStatus(t, r, 200, "kim sets a password")
	kimC := caller{token: r.json(t)["accessToken"].(string)}
	expectProblem(t, patch(kimC, kimID, map[string]any{"role": "user", "version": 2}), 409, admin.CodeLastGlobalAdmin, "")
	expectProblem(t, e.do(kimC, req{method: "DELETE", path: "/tenant/users/" + kimID}), 409, admin.CodeLastGlobalAdmin, "")
	// Promote Sam; then Kim may leave, and the owner (a user now) may be removed.
	expectStatus(t, patch(kimC, samID, map[string]any{"role": "admin", "version": 3}), 200, "promote")
	expectStatus(t, e.do(kimC, req{method: "DELETE", path: "/tenant/users/" + ownerID}), 204, "remove a user")
	expectProblem(t, e.do(kimC, req{method: "DELETE", path: "/tenant/users/" + ownerID}), 404, admin.CodeNotFound, "")
	expectStatus(t, e.do(kimC, req{method: "DELETE", path: "/tenant/users/" + kimID}), 204, "the second-to-last admin leaves")
	expectProblem(t, e.do(kimC, req{method: "GET", path: "/tenant/users"}), 401, admin.CodeUnauthenticated, "")
	expectProblem(t, e.do(caller{}, req{method: "POST", path: "/auth/sign-in", body: map[string]string{"email": "kim@" + cid + ".example",
		"password": "Amber-Valley-Compass-31"}}), 401, admin.CodeInvalidCredentials, "")

	// The log: the admins' own actions, newest first, within a time range.
	samTok2, _ := e.signIn(t, "sam@"+cid+".example", "Quiet-River-Passphrase-1")
	r = e.do(caller{token: samTok2}, req{method: "GET", path: "/tenant/activity"})
	expectStatus(t, r, 200, "activity")
	var actions []string
	for _, it := range r.json(t)["items"].([]any) {
		a := it.(map[string]any)
		if strings.HasPrefix(a["action"].(string), "customer_user.") {
			actions = append(actions, a["action"].(string))
		}
		if a["partnerId"] != nil {
			t.Fatalf("a customer's own action names a partner: %v", a)
		}
	}
	want := []string{"customer_user.deleted", "customer_user.deleted", "customer_user.updated", "customer_user.updated", "customer_user.updated",
		"customer_user.created", "customer_user.created"}
	if strings.Join(actions, ",") != strings.Join(want, ",") {
		t.Fatalf("actions %v, want %v", actions, want)
	}
	future := e.now().Add(time.Hour).UTC().Format(time.RFC3339)
	r = e.do(caller{token: samTok2}, req{method: "GET", path: "/tenant/activity?from=" + future})
	expectStatus(t, r, 200, "activity from the future")
	if items := r.json(t)["items"].([]any); len(items) != 0 {
		t.Fatalf("activity after now: %s", r.Body)
	}
}

// TestCustomerUsersBadInput: the bad-input table of every customer-user route.
func TestCustomerUsersBadInput(t *testing.T) {
	e := newEnv(t)
	pid := e.partner("global").PartnerID
	cid, adminEmail := e.newCustomer(t, pid, admin.AccessFull, 365)
	_, tok := e.user(pid, admin.RoleGlobalAdmin, admin.AccessFull)
	partner := caller{token: tok}
	owner := caller{token: e.signInCustomer(t, adminEmail)}
	target := e.customerUser(cid, admin.CustomerRoleUser)
	users := "/customers/" + cid + "/users"
	reset := users + "/" + target.ID + "/password-reset"
	tu := "/tenant/users/" + target.ID
	valid := func() map[string]any {
		return map[string]any{"email": fmt.Sprintf("b%d@customer.example", e.seq.Add(1)), "displayName": "B", "role": "user"}
	}
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	without := func(m map[string]any, k string) map[string]any { delete(m, k); return m }
	long := strings.Repeat("x", 101)
	badCursor := "?cursor=" + strings.Repeat("A", 20)
	type bad struct {
		name   string
		who    caller
		req    req
		status int
		code   admin.Code
		field  string
	}
	var cases []bad
	// The two creates take the same body.
	for _, c := range []struct {
		who  caller
		path string
	}{{partner, users}, {owner, "/tenant/users"}} {
		p := c.path
		cases = append(cases,
			bad{p + " missing email", c.who, req{method: "POST", path: p, body: without(valid(), "email")}, 422, admin.CodeValidation, "email"},
			bad{p + " missing role", c.who, req{method: "POST", path: p, body: without(valid(), "role")}, 422, admin.CodeValidation, "role"},
			bad{p + " bad role", c.who, req{method: "POST", path: p, body: with(valid(), "role", "global_admin")}, 422, admin.CodeValidation, "role"},
			bad{p + " wrong type", c.who, req{method: "POST", path: p, body: with(valid(), "displayName", 7)}, 400, admin.CodeMalformedJSON, "displayName"},
			bad{p + " unknown field", c.who, req{method: "POST", path: p, body: with(valid(), "companyRole", "none")}, 400, admin.CodeUnknownField, "companyRole"},
			bad{p + " too long", c.who, req{method: "POST", path: p, body: with(valid(), "displayName", long)}, 422, admin.CodeValidation, "displayName"},
			bad{p + " bad email", c.who, req{method: "POST", path: p, body: with(valid(), "email", "not-an-email")}, 422, admin.CodeValidation, "email"},
			bad{p + " not UTF-8", c.who, req{method: "POST", path: p, body: notText(valid(), notUTF8, "displayName")}, 400, admin.CodeMalformedJSON, "displayName"},
			bad{p + " no body", c.who, req{method: "POST", path: p}, 400, admin.CodeMalformedJSON, ""},
			bad{p + " bad key", c.who, req{method: "POST", path: p, body: valid(), headers: map[string]string{"Idempotency-Key": "a b"}}, 400, admin.CodeInvalidIdempotencyKey, "Idempotency-Key"},
		)
	}
	cases = append(cases,
		// GET /customers/{customerId}/users, GET /tenant/users, GET /tenant/activity
		bad{"list bad cursor", partner, req{method: "GET", path: users + badCursor}, 400, admin.CodeInvalidCursor, "cursor"},
		bad{"list bad limit", partner, req{method: "GET", path: users + "?limit=0"}, 400, admin.CodeInvalidQuery, "limit"},
		bad{"list unknown query", partner, req{method: "GET", path: users + "?q=x"}, 400, admin.CodeInvalidQuery, "q"},
		bad{"list other customer's cursor", partner, req{method: "GET", path: users + "?cursor=" + encodeSK("SUB#x")}, 400, admin.CodeInvalidCursor, "cursor"},
		bad{"tenant list bad cursor", owner, req{method: "GET", path: "/tenant/users" + badCursor}, 400, admin.CodeInvalidCursor, "cursor"},
		bad{"tenant list bad limit", owner, req{method: "GET", path: "/tenant/users?limit=101"}, 400, admin.CodeInvalidQuery, "limit"},
		bad{"activity bad from", owner, req{method: "GET", path: "/tenant/activity?from=yesterday"}, 400, admin.CodeInvalidQuery, "from"},
		bad{"activity from after to", owner, req{method: "GET", path: "/tenant/activity?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z"}, 422, admin.CodeValidation, "from"},
		bad{"activity bad cursor", owner, req{method: "GET", path: "/tenant/activity" + badCursor}, 400, admin.CodeInvalidCursor, "cursor"},
		bad{"activity unknown query", owner, req{method: "GET", path: "/tenant/activity?action=x"}, 400, admin.CodeInvalidQuery, "action"},
		// POST …/password-reset
		bad{"reset bad sendTo", partner, req{method: "POST", path: reset, body: map[string]any{"sendTo": "nobody"}}, 422, admin.CodeValidation, "sendTo"},
		bad{"reset sendTo wrong type", partner, req{method: "POST", path: reset, body: map[string]any{"sendTo": []string{"a@b.example"}}}, 400, admin.CodeMalformedJSON, "sendTo"},
		bad{"reset unknown field", partner, req{method: "POST", path: reset, body: map[string]any{"password": "mine"}}, 400, admin.CodeUnknownField, "password"},
		bad{"reset sendTo too long", partner, req{method: "POST", path: reset, body: map[string]any{"sendTo": strings.Repeat("a", 250) + "@b.example"}}, 422, admin.CodeValidation, "sendTo"},
		bad{"reset malformed", partner, req{method: "POST", path: reset, body: `{"sendTo":`}, 400, admin.CodeMalformedJSON, ""},
		bad{"reset query", partner, req{method: "POST", path: reset + "?notify=1"}, 400, admin.CodeInvalidQuery, "notify"},
		// PATCH /tenant/users/{userId}
		bad{"patch missing version", owner, req{method: "PATCH", path: tu, body: map[string]any{"displayName": "X"}}, 422, admin.CodeValidation, "version"},
		bad{"patch bad version", owner, req{method: "PATCH", path: tu, body: map[string]any{"displayName": "X", "version": "1"}}, 400, admin.CodeMalformedJSON, "version"},
		bad{"patch stale version", owner, req{method: "PATCH", path: tu, body: map[string]any{"displayName": "X", "version": 9}}, 409, admin.CodeVersionConflict, ""},
		bad{"patch bad role", owner, req{method: "PATCH", path: tu, body: map[string]any{"role": "owner", "version": 1}}, 422, admin.CodeValidation, "role"},
		bad{"patch too long", owner, req{method: "PATCH", path: tu, body: map[string]any{"displayName": long, "version": 1}}, 422, admin.CodeValidation, "displayName"},
		bad{"patch unknown field", owner, req{method: "PATCH", path: tu, body: map[string]any{"email": "x@y.example", "version": 1}}, 400, admin.CodeUnknownField, "email"},
		bad{"patch empty name", owner, req{method: "PATCH", path: tu, body: map[string]any{"displayName": " ", "version": 1}}, 422, admin.CodeValidation, "displayName"},
		bad{"patch unknown user", owner, req{method: "PATCH", path: "/tenant/users/usr_01jdzzzzzzzzzzzzzzzzzzzzzz", body: map[string]any{"displayName": "X", "version": 1}}, 404, admin.CodeNotFound, ""},
		bad{"patch malformed id", owner, req{method: "PATCH", path: "/tenant/users/x", body: map[string]any{"displayName": "X", "version": 1}}, 404, admin.CodeNotFound, ""},
		// DELETE /tenant/users/{userId}
		bad{"delete unknown user", owner, req{method: "DELETE", path: "/tenant/users/usr_01jdzzzzzzzzzzzzzzzzzzzzzz"}, 404, admin.CodeNotFound, ""},
		bad{"delete query", owner, req{method: "DELETE", path: tu + "?force=1"}, 400, admin.CodeInvalidQuery, "force"},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.t = t
			expectProblem(t, e.do(c.who, c.req), c.status, c.code, c.field)
		})
	}
	// The partner's routes check a valid customer id first, the user's when it matters.
	expectProblem(t, e.reset(partner, "cus_x", target.ID, nil), 404, admin.CodeNotFound, "")
	expectProblem(t, e.do(partner, req{method: "GET", path: "/customers/x/users"}), 404, admin.CodeNotFound, "")
}

// encodeSK is a cursor of the store's shape (base64url of a sort key) for the given key.
func encodeSK(sk string) string { return base64.RawURLEncoding.EncodeToString([]byte(sk)) }
