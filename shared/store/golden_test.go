package store

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
)

// The golden tests pin the stored shape of every item type: PK, SK, GSI keys, every attribute
// name and its DynamoDB type, in testdata/golden/<name>.json (DynamoDB JSON). A change that
// renames an attribute, changes its type, drops or adds one fails with an attribute-by-attribute
// diff. When the change is intended (and existing data is migrated or still reads: see
// fixture_test.go), rewrite the goldens with
//
//	go test ./shared/store -run 'TestGolden' -update
//
// and review the diff of testdata/golden.

var update = flag.Bool("update", false, "rewrite testdata/golden from the current code")

var goldenDir = filepath.Join("testdata", "golden")

// captureDB records the transactions the store would write, without a table.
type captureDB struct {
	API
	txns [][]types.TransactWriteItem
}

func (c *captureDB) TransactWriteItems(_ context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.txns = append(c.txns, in.TransactItems)
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

var gT0 = time.Date(2026, 5, 4, 8, 30, 0, 0, time.UTC)

func gAt(h int) time.Time { return gT0.Add(time.Duration(h) * time.Hour) }

const (
	gPartner  = "ptn_01jtgd00000000000000000001"
	gPartner2 = "ptn_01jtgd00000000000000000002"
	gUser     = "usr_01jtgd00000000000000000001"
	gUser2    = "usr_01jtgd00000000000000000002"
	gCustUser = "usr_01jtgd00000000000000000003"
	gCustomer = "cus_01jtgd00000000000000000001"
	gTrial    = "lnk_01jtgd00000000000000000001"
	gOffer    = "lnk_01jtgd00000000000000000002"
	gDALink   = "lnk_01jtgd00000000000000000003"
	gAct      = "act_01jtgd0000000000000000000"
)

// goldenDomain are the domain values the goldens are written from: every optional field set in
// one variant and left empty in another.
type goldenDomain struct {
	partner, bare                    admin.Partner
	user, custUser                   admin.User
	login, custLogin                 admin.Login
	trial, offer, daLink             admin.Link
	customer                         admin.Customer
	subActive, subTrial              admin.Subscription
	rel, relNoDA, relEnded           admin.Relationship
	onboarded, companyUpdated, plain admin.Activity
	accepted, ended, renamed         admin.Activity
	use, useNoAnswer                 admin.LinkUse
	email                            admin.Email
	outbox                           OutboxEmail // email as stored
	idem                             admin.Idempotency
	// Service requests: a bare draft, a sent request with every field, the same after a support
	// note that needs the partner, and a partner note.
	srDraft, srSent, srAttention  admin.ServiceRequest
	srSupportNote, srPartnerNote  admin.RequestNote
	srSentEmail, srAttentionEmail admin.Email
}

func newGoldenDomain() goldenDomain {
	var d goldenDomain
	addr := admin.Address{Line1: "1 Main Street", City: "Dublin", PostalCode: "D02 X285", Country: "IE"}
	addr2 := admin.Address{Line1: "1 Main Street", Line2: "Floor 3", City: "Dublin", Region: "Leinster", PostalCode: "D02 X285", Country: "IE"}
	d.partner = admin.Partner{ID: gPartner, Contact: admin.Contact{Name: "Adatum Ltd", Phone: "+353 1 555 0100", Email: "hello@adatum.example",
		Website: "https://adatum.example", Address: &addr}, Cloud: admin.CloudGlobal,
		Authorizations: []admin.Authorization{admin.AuthDelegatedAdmin, admin.AuthServiceProvider},
		CustomerCount:  3, UserCount: 4, GlobalAdmins: 2, Version: 7, CreatedAt: gT0, UpdatedAt: gAt(1)}
	d.bare = admin.Partner{ID: gPartner2, Contact: admin.Contact{Name: "Bare", Email: "bare@example.com"}, Cloud: admin.Cloud21Vianet,
		Authorizations: []admin.Authorization{}, UserCount: 1, GlobalAdmins: 1, Version: 1, CreatedAt: gT0, UpdatedAt: gT0}
	d.user = admin.User{ID: gUser, OrgID: gPartner, OrgKind: admin.OrgPartner, Email: "ann@adatum.example", DisplayName: "Ann",
		CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessFull, Status: admin.UserActive, PasswordChangeRequired: true,
		SessionEpoch: 3, Version: 2, CreatedAt: gT0, UpdatedAt: gAt(1)}
	d.login = admin.Login{Email: d.user.Email, UserID: gUser, OrgID: gPartner, OrgKind: admin.OrgPartner, PasswordHash: "$argon2id$hash",
		PasswordChangeRequired: true, SessionEpoch: 3}
	d.idem = admin.Idempotency{Scope: "operator#onboard", Key: "key-1", Fingerprint: "fp-1", ResourceID: gPartner}
	d.onboarded = admin.Activity{ID: gAct + "1", OrgID: gPartner, At: gT0, Actor: admin.Actor{Type: "operator", ID: "arn:aws:iam::1:user/ops"},
		Action: "partner.onboarded", Target: admin.Target{Type: "partner", ID: gPartner},
		After: map[string]any{"name": "Adatum Ltd", "cloud": "global", "authorizations": d.partner.Authorizations, "firstAdmin": d.user.Email}}
	d.plain = admin.Activity{ID: gAct + "2", OrgID: gPartner2, At: gT0, Actor: admin.Actor{Type: "operator", ID: "arn:aws:iam::1:user/ops"},
		Action: "link.revoked", Target: admin.Target{Type: "link", ID: gTrial}}
	annActor := admin.Actor{Type: "user", ID: gUser, Email: d.user.Email}
	d.companyUpdated = admin.Activity{ID: gAct + "3", OrgID: gPartner, At: gAt(1), Actor: annActor, Action: "company.updated",
		Target: admin.Target{Type: "partner", ID: gPartner},
		Before: map[string]any{"name": "Adatum", "phone": "", "address": addr, "authorizations": []admin.Authorization{}},
		After:  map[string]any{"name": "Adatum Ltd", "phone": "+353 1 555 0100", "address": addr2, "authorizations": []admin.Authorization{admin.AuthDelegatedAdmin}}}

	d.trial = admin.Link{ID: gTrial, PartnerID: gPartner, Kind: admin.LinkTrial, ProductID: "m365-business-basic", ExpiresAt: gAt(24 * 14),
		MaxUses: 5, Nonce: []byte("nonce-0123456789"), CodeHash: strings.Repeat("1f", 32), CreatedBy: gUser, Version: 1, CreatedAt: gAt(2), UpdatedAt: gAt(2)}
	d.offer = admin.Link{ID: gOffer, PartnerID: gPartner, Kind: admin.LinkOffer,
		Lines:          []admin.OfferLine{{ProductID: "m365-e3", Licenses: 250}, {ProductID: "teams-essentials", Licenses: 3}},
		DelegatedAdmin: &admin.DelegatedAdminOffer{Scope: admin.AccessFull, DurationDays: 730, AutoExtend: true},
		Nonce:          []byte("nonce-offer-0001"), CodeHash: strings.Repeat("2e", 32), CreatedBy: gUser, Version: 1, CreatedAt: gAt(3), UpdatedAt: gAt(3)}
	d.daLink = admin.Link{ID: gDALink, PartnerID: gPartner, Kind: admin.LinkDelegatedAdmin,
		DelegatedAdmin: &admin.DelegatedAdminOffer{Scope: admin.AccessLimited, DurationDays: 90}, TargetCustomerID: gCustomer,
		MaxUses: 1, Nonce: []byte("nonce-da-0000001"), CodeHash: strings.Repeat("3d", 32), CreatedBy: gUser2, Version: 1, CreatedAt: gAt(4), UpdatedAt: gAt(4)}

	t5 := gAt(5)
	d.customer = admin.Customer{ID: gCustomer, Name: "Litware Inc", DomainPrefix: "litware", Country: "US", Cloud: admin.CloudGlobal, Version: 1, CreatedAt: t5, Admins: 1}
	d.custUser = admin.User{ID: gCustUser, OrgID: gCustomer, OrgKind: admin.OrgCustomer, Email: "cara@litware.example", DisplayName: "Cara",
		CompanyRole: admin.RoleGlobalAdmin, CustomerAccess: admin.AccessNone, Status: admin.UserActive, Version: 1, CreatedAt: t5, UpdatedAt: t5}
	d.custLogin = admin.Login{Email: d.custUser.Email, UserID: gCustUser, OrgID: gCustomer, OrgKind: admin.OrgCustomer, PasswordHash: "$argon2id$c",
		Cloud: admin.CloudGlobal, OrgName: "Litware Inc", OrgDomain: "litware"}
	d.subActive = admin.Subscription{ID: "sub_01jtgd00000000000000000001", CustomerID: gCustomer, ProductID: "m365-e3", ProductName: "Microsoft 365 E3",
		Licenses: 250, Status: admin.SubscriptionActive, PartnerOfRecord: gPartner,
		PORHistory: []admin.PORPeriod{{PartnerID: gPartner2, From: gT0}, {PartnerID: gPartner, From: t5}}, LinkID: gOffer, Version: 1, CreatedAt: t5}
	d.subTrial = admin.Subscription{ID: "sub_01jtgd00000000000000000002", CustomerID: gCustomer, ProductID: "m365-business-basic",
		ProductName: "Microsoft 365 Business Basic", Licenses: 25, Status: admin.SubscriptionTrial, TrialEndsAt: t5.AddDate(0, 0, 30),
		PartnerOfRecord: gPartner, PORHistory: []admin.PORPeriod{{PartnerID: gPartner, From: t5}}, Version: 1, CreatedAt: t5}
	d.rel = admin.Relationship{CustomerID: gCustomer, CustomerName: "Litware Inc", CustomerDomain: "litware", PartnerID: gPartner,
		PartnerName: "Adatum Ltd", Since: t5, Version: 1,
		DelegatedAdmin: &admin.DelegatedAdmin{Scope: admin.AccessFull, StartsAt: t5, EndsAt: t5.AddDate(2, 0, 0), AutoExtend: true, Status: "active"}}
	d.relNoDA = d.rel
	d.relNoDA.DelegatedAdmin, d.relNoDA.Version = nil, 2
	t6 := gAt(6)
	ended := *d.rel.DelegatedAdmin
	ended.Status, ended.EndedAt = "ended", &t6
	d.relEnded = d.rel
	d.relEnded.DelegatedAdmin, d.relEnded.Version = &ended, 3
	custActor := admin.Actor{Type: "user", ID: gCustUser, Email: d.custUser.Email}
	d.accepted = admin.Activity{ID: gAct + "5", OrgID: gPartner, At: t5, Actor: custActor, Action: "link.accepted",
		Target: admin.Target{Type: "link", ID: gOffer}, CustomerID: gCustomer,
		After: map[string]any{"link": gOffer, "kind": "offer", "subscriptions": 2, "delegatedAdmin": "accepted"}}
	d.ended = admin.Activity{ID: gAct + "6", OrgID: gCustomer, At: t6, Actor: custActor, Action: "delegated_admin.ended",
		Target: admin.Target{Type: "partner", ID: gPartner}, CustomerID: gCustomer,
		Before: map[string]any{"scope": "full", "endsAt": d.rel.DelegatedAdmin.EndsAt.Format(time.RFC3339)}}
	d.renamed = admin.Activity{ID: gAct + "7", OrgID: gCustomer, At: t6, Actor: custActor, Action: "organization.updated",
		Target: admin.Target{Type: "customer", ID: gCustomer}, CustomerID: gCustomer,
		Before: map[string]any{"name": "Litware Inc"}, After: map[string]any{"name": "Litware Süd GmbH"}}
	d.use = admin.LinkUse{LinkID: gOffer, CustomerID: gCustomer, CustomerName: "Litware Inc", At: t5, DelegatedAdmin: "accepted"}
	d.useNoAnswer = admin.LinkUse{LinkID: gTrial, CustomerID: gCustomer, CustomerName: "Litware Inc", At: t6}
	d.email = admin.Email{ID: "out_01jtgd00000000000000000001", OrgID: gPartner, To: []string{"hello@adatum.example"},
		Message: admin.PartnerAnswer{Partner: d.partner, Customer: d.customer, Kind: admin.LinkOffer,
			Outcome: admin.Outcome{Subscriptions: []admin.Subscription{d.subActive, d.subTrial}, DelegatedAdmin: d.rel.DelegatedAdmin}}}
	t7, t8 := gAt(7), gAt(8)
	d.srDraft = admin.ServiceRequest{ID: "srq_01jtgd00000000000000000001", CustomerID: gCustomer, CustomerName: "Litware Inc", CustomerDomain: "litware",
		PartnerID: gPartner, PartnerName: "Adatum Ltd", Cloud: admin.CloudGlobal, Title: "Draft", Description: "To be written.",
		Severity: admin.SeverityMinimal, TopicID: "other", Contact: admin.RequestContact{Name: "Cara", Email: "cara@litware.example"}, CC: []string{},
		Status: admin.RequestDraft, CreatedBy: gUser, CreatedAt: t7, UpdatedAt: t7, LastActivityAt: t7, Version: 1}
	d.srSent = admin.ServiceRequest{ID: "srq_01jtgd00000000000000000002", CustomerID: gCustomer, CustomerName: "Litware Inc", CustomerDomain: "litware",
		PartnerID: gPartner, PartnerName: "Adatum Ltd", Cloud: admin.CloudGlobal, Title: "Mail stuck", Description: "Since Monday\nno mail arrives.",
		Severity: admin.SeverityCritical, TopicID: "exchange-online", Contact: admin.RequestContact{Name: "Cara", Email: "cara@litware.example", Phone: "+1 555 0100"},
		CC: []string{"it@litware.example", "ops@litware.example"}, Status: admin.RequestOpen, CreatedBy: gUser, CreatedAt: t7, UpdatedAt: t7,
		LastActivityAt: t7, SentAt: t7, Version: 1}
	d.srSupportNote = admin.RequestNote{ID: "srn_01jtgd00000000000000000001", RequestID: d.srSent.ID, At: t8, Side: admin.NoteBySupport,
		Author: admin.Actor{Type: "operator", ID: "arn:aws:iam::1:user/desk"}, Text: "Which mailbox?\nSend a header.", NeedsPartner: true}
	d.srPartnerNote = admin.RequestNote{ID: "srn_01jtgd00000000000000000002", RequestID: d.srSent.ID, At: t8.Add(time.Hour), Side: admin.NoteByPartner,
		Author: annActor, Text: "cara@litware.example"}
	d.srAttention = d.srSent
	d.srAttention.Status, d.srAttention.NoteCount, d.srAttention.Version, d.srAttention.UpdatedAt, d.srAttention.LastActivityAt = admin.RequestAttentionNeeded, 1, 2, t8, t8
	topic, _ := admin.FindSupportTopic(admin.CloudGlobal, "exchange-online")
	d.srSentEmail = admin.Email{ID: "out_01jtgd00000000000000000011", OrgID: gPartner, To: []string{"desk@support.example"},
		Message: admin.ServiceRequestSent{Request: d.srSent, Topic: topic}}
	d.srAttentionEmail = admin.Email{ID: "out_01jtgd00000000000000000012", OrgID: gPartner, To: []string{"cara@litware.example", "it@litware.example", "ops@litware.example"},
		Message: admin.ServiceRequestAttention{Request: d.srAttention, Note: d.srSupportNote}}
	var err error
	if d.outbox, err = outboxEmail(d.email); err != nil {
		panic(err)
	}
	return d
}

// goldenPuts writes the golden domain values through the store's write methods over captureDB
// and names every item they put (the names of testdata/golden). Update and delete actions are
// not items; TestGoldenStoredItems pins what they leave in the table.
func goldenPuts(t *testing.T) map[string]map[string]types.AttributeValue {
	t.Helper()
	ctx := context.Background()
	d := newGoldenDomain()
	db := &captureDB{}
	s := New(db, "golden")
	out := map[string]map[string]types.AttributeValue{}
	// write runs one write method and names its puts in order ("" skips one).
	write := func(err error, names ...string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var puts []map[string]types.AttributeValue
		for _, it := range db.txns[len(db.txns)-1] {
			if it.Put != nil {
				puts = append(puts, it.Put.Item)
			}
		}
		if len(puts) != len(names) {
			t.Fatalf("write %d put %d items, named %d", len(db.txns), len(puts), len(names))
		}
		for i, n := range names {
			if n == "" {
				continue
			}
			if _, dup := out[n]; dup {
				t.Fatalf("golden %s named twice", n)
			}
			out[n] = puts[i]
		}
	}
	idem := d.idem
	write(s.CreatePartner(ctx, d.partner, d.user, d.login, d.onboarded, &idem), "idempotency", "partner", "user", "login-partner", "activity-onboarded")
	write(s.CreatePartner(ctx, d.bare, d.user, d.login, d.plain, nil), "partner-bare", "", "", "activity-plain")
	write(s.UpdatePartner(ctx, d.partner, 6, d.companyUpdated), "activity-company-updated")
	write(s.CreateLink(ctx, d.trial, d.plain, nil), "link-trial", "link-code", "")
	write(s.CreateLink(ctx, d.offer, d.plain, nil), "link-offer", "", "")
	write(s.CreateLink(ctx, d.daLink, d.plain, nil), "link-delegated-admin", "", "")
	write(s.Accept(ctx, admin.AcceptWrite{Link: d.offer, Use: d.use, Now: d.use.At, NewCustomer: &d.customer, Admin: d.custUser, AdminLogin: d.custLogin,
		Subscriptions: []admin.Subscription{d.subActive, d.subTrial}, Relationship: d.rel, NewRelationship: true,
		Activities: []admin.Activity{d.accepted}, Emails: []admin.Email{d.email}}),
		"link-use", "domain-prefix", "customer", "user-customer", "login-customer", "subscription", "subscription-trial",
		"relationship-customer-side", "relationship-partner-side", "customer-word", "activity-accepted", "outbox-pending",
		"clock-trial", "clock-delegated-admin")
	write(s.Accept(ctx, admin.AcceptWrite{Link: d.trial, Use: d.useNoAnswer, Now: d.useNoAnswer.At, Relationship: d.relNoDA, PrevVersion: 1,
		Activities: []admin.Activity{d.plain}}),
		"link-use-no-answer", "relationship-no-delegated-admin", "", "")
	write(s.EndDelegatedAdmin(ctx, d.relEnded, 2, []admin.Activity{d.ended}, d.email), "relationship-ended", "", "activity-delegated-admin-ended", "")
	acts := []admin.Activity{d.plain}
	write(s.WriteServiceRequest(ctx, admin.RequestWrite{Request: d.srDraft, Guard: &d.rel, Activities: acts}), "service-request-draft", "service-request-ref", "")
	write(s.WriteServiceRequest(ctx, admin.RequestWrite{Request: d.srSent, Guard: &d.rel, OpenDelta: 1, Activities: acts, Emails: []admin.Email{d.srSentEmail}}),
		"service-request", "", "", "outbox-service-request-sent")
	write(s.WriteServiceRequest(ctx, admin.RequestWrite{Request: d.srAttention, PrevVersion: 1, Note: &d.srSupportNote, Activities: acts,
		Emails: []admin.Email{d.srAttentionEmail}}), "service-request-attention-needed", "service-request-note-support", "", "outbox-service-request-attention")
	open := d.srAttention
	open.Status, open.Version = admin.RequestOpen, 3
	write(s.WriteServiceRequest(ctx, admin.RequestWrite{Request: open, PrevVersion: 2, Note: &d.srPartnerNote, Guard: &d.rel, Activities: acts}),
		"", "service-request-note-partner", "")
	s.Sealer = goldenSealer()
	write(s.ResetCustomerPassword(ctx, goldenReset(d)), "", "password-resets", "activity-password-reset", "", "outbox-sealed")
	// The sealed value has a random nonce: pin its shape, not its bytes.
	sealed := out["outbox-sealed"]["sealed"].(*types.AttributeValueMemberM)
	for f, v := range sealed.Value {
		if !strings.HasPrefix(v.(*types.AttributeValueMemberS).Value, "v1.") {
			t.Fatalf("sealed %s is not a v1 sealed value", f)
		}
		sealed.Value[f] = &types.AttributeValueMemberS{Value: "v1.<nonce and ciphertext>"}
	}
	// The clock: a trial's 7-day reminder (both sides emailed), a grant's expiry.
	trialEntry, _ := admin.TrialClock(d.subTrial)
	trialEntry.Token = "t1"
	reminded := trialEntry
	reminded.NextStage = 1
	ending := admin.TrialEnding{Audience: admin.AudienceCustomer, Partner: d.partner, Customer: d.customer, Subscription: d.subTrial, DaysLeft: 7}
	partnerEnding := ending
	partnerEnding.Audience = admin.AudiencePartner
	clk := NewClock(s)
	write(clk.WriteClock(ctx, admin.ClockWrite{Entry: trialEntry, Now: gAt(9), Next: &reminded, Trial: &d.subTrial,
		Emails: []admin.Email{{ID: "out_01jtgd00000000000000000021", OrgID: gCustomer, To: []string{d.custUser.Email}, Message: ending},
			{ID: "out_01jtgd00000000000000000022", OrgID: gPartner, To: []string{d.user.Email}, Message: partnerEnding}}}),
		"clock-trial-reminded", "outbox-trial-ending", "outbox-trial-ending-partner")
	daEntry, _ := admin.DelegatedAdminClock(d.rel)
	daEntry.Token = "t2"
	expired, grant := d.rel, *d.rel.DelegatedAdmin
	ends := grant.EndsAt
	grant.Status, grant.EndedAt = "expired", &ends
	expired.DelegatedAdmin, expired.Version = &grant, d.rel.Version+1
	clockAct := admin.Activity{ID: gAct + "9", OrgID: gCustomer, At: ends, Actor: admin.ClockActor, Action: "delegated_admin.expired",
		Target: admin.Target{Type: "partner", ID: gPartner}, CustomerID: gCustomer, PartnerID: gPartner, After: map[string]any{"status": "expired"}}
	write(clk.WriteClock(ctx, admin.ClockWrite{Entry: daEntry, Now: ends, Grant: &d.rel, GrantAfter: &expired, Activities: []admin.Activity{clockAct},
		Emails: []admin.Email{{ID: "out_01jtgd00000000000000000023", OrgID: gPartner, To: []string{d.user.Email},
			Message: admin.DelegatedAdminExpired{Audience: admin.AudiencePartner, Partner: d.partner, Relationship: expired, AutoExtendRefused: true}}}}),
		"relationship-expired", "", "activity-clock", "outbox-delegated-admin-expired")
	// Clock tokens are random: pin their shape, not their bytes.
	for _, n := range []string{"clock-trial", "clock-delegated-admin", "clock-trial-reminded"} {
		if tok := out[n]["token"].(*types.AttributeValueMemberS).Value; len(tok) != 24 {
			t.Fatalf("%s token %q", n, tok)
		}
		out[n]["token"] = &types.AttributeValueMemberS{Value: "<random>"}
	}
	renamed := d.customer
	renamed.Name, renamed.Version = "Litware Süd GmbH", d.customer.Version+1
	write(s.UpdateTenant(ctx, admin.TenantUpdate{Before: d.customer, After: renamed, PrevVersion: d.customer.Version, Renamed: true,
		Relationships: []admin.Relationship{d.rel}, LoginEmails: []string{d.custLogin.Email}, Activity: d.renamed}),
		"activity-organization-updated", "customer-word-renamed", "")
	goldenWebhookPuts(ctx, s, d, write, out)
	goldenProductKeyPuts(ctx, s, d, write)
	return out
}

func goldenSealer() *Sealer {
	s, err := NewSealer("q0ZQm2kq0b7p3m0pQ8m9a7y3m1n5b6v7c8x9z0a1s2d=")
	if err != nil {
		panic(err)
	}
	return s
}

// goldenReset is a partner's password reset of the golden customer's user, emailed.
func goldenReset(d goldenDomain) admin.PasswordResetWrite {
	t7 := gAt(7)
	u := d.custUser
	u.PasswordChangeRequired, u.SessionEpoch, u.Version, u.UpdatedAt = true, 1, 2, t7
	partnerActor := admin.Actor{Type: "user", ID: gUser, Email: d.user.Email}
	act := admin.Activity{ID: gAct + "7", OrgID: gPartner, At: t7, Actor: partnerActor, Action: "customer_user.password_reset",
		Target: admin.Target{Type: "user", ID: gCustUser}, CustomerID: gCustomer, PartnerID: gPartner,
		After: map[string]any{"passwordChangeRequired": true, "sessionsEnded": true, "emailedTo": "help@adatum.example"}}
	custAct := act
	custAct.ID, custAct.OrgID = gAct+"8", gCustomer
	return admin.PasswordResetWrite{User: u, PrevVersion: 1, PasswordHash: "$argon2id$reset",
		Resets: admin.PasswordResets{Times: []time.Time{gAt(6), t7}, Version: 2}, Inside: d.rel, Activities: []admin.Activity{act, custAct},
		Email: &admin.Email{ID: "out_01jtgd00000000000000000009", OrgID: gPartner, To: []string{"help@adatum.example"},
			Message: admin.CustomerPasswordReset{Partner: d.partner, Customer: d.customer, User: u, Password: "Temp-Pass-Word-42"}}}
}

// TestGoldenItems pins every item the store puts (see goldenPuts).
func TestGoldenItems(t *testing.T) {
	items := goldenPuts(t)
	for _, name := range slices.Sorted(maps.Keys(items)) {
		t.Run(name, func(t *testing.T) { checkGolden(t, name, items[name]) })
	}
}

// storedGoldens are the goldens of TestGoldenStoredItems, sorted.
var storedGoldens = []string{"stored-code-guesses", "stored-customer-admin-added", "stored-link-used-and-emailed", "stored-outbox-backed-off", "stored-outbox-failed",
	"stored-outbox-sending", "stored-outbox-sent", "stored-outbox-sent-sealed", "stored-partner-updated", "stored-partner-updated-no-address",
	"stored-relationship-after-new-accept", "stored-service-request-counts", "stored-signin-guard"}

// TestGoldenItemsReadBack decodes the goldens into their item structs and converts them back:
// the converters to and from the domain are inverse, and a golden reads as the value written.
// (Code and domain-prefix items have no domain value: fixture_test.go reads them through
// ResolveCode and Accept.)
func TestGoldenItemsReadBack(t *testing.T) {
	d := newGoldenDomain()
	counted := d.customer
	counted.SubscriptionCount = 2 // Accept stores the count of the subscriptions it creates
	readAct := func(a admin.Activity, before, after map[string]any) admin.Activity {
		a.OrgID, a.Before, a.After = "", before, after // OrgID is the partition, not an attribute
		return a
	}
	addr := func(a admin.Address) map[string]any {
		return map[string]any{"Line1": a.Line1, "Line2": a.Line2, "City": a.City, "Region": a.Region, "PostalCode": a.PostalCode, "Country": a.Country}
	}
	cu := d.companyUpdated
	tests := []struct {
		name string
		read func(map[string]types.AttributeValue) (any, error)
		want any
	}{
		{"partner", readItem[admin.Partner, partnerItem], d.partner},
		{"partner-bare", readItem[admin.Partner, partnerItem], d.bare},
		{"user", readItem[admin.User, userItem], d.user},
		{"user-customer", readItem[admin.User, userItem], d.custUser},
		{"login-partner", readItem[admin.Login, loginItem], d.login},
		{"login-customer", readItem[admin.Login, loginItem], d.custLogin},
		{"link-trial", readItem[admin.Link, linkItem], d.trial},
		{"link-offer", readItem[admin.Link, linkItem], d.offer},
		{"link-delegated-admin", readItem[admin.Link, linkItem], d.daLink},
		{"link-use", readItem[admin.LinkUse, useItem], d.use},
		{"link-use-no-answer", readItem[admin.LinkUse, useItem], d.useNoAnswer},
		{"customer", readItem[admin.Customer, customerItem], counted},
		{"subscription", readItem[admin.Subscription, subscriptionItem], d.subActive},
		{"subscription-trial", readItem[admin.Subscription, subscriptionItem], d.subTrial},
		{"relationship-customer-side", readItem[admin.Relationship, relationshipItem], d.rel},
		{"relationship-partner-side", readItem[admin.Relationship, relationshipItem], d.rel},
		{"relationship-no-delegated-admin", readItem[admin.Relationship, relationshipItem], d.relNoDA},
		{"relationship-ended", readItem[admin.Relationship, relationshipItem], d.relEnded},
		{"activity-plain", readItem[admin.Activity, activityItem], readAct(d.plain, nil, nil)},
		{"activity-onboarded", readItem[admin.Activity, activityItem], readAct(d.onboarded, nil, map[string]any{
			"name": "Adatum Ltd", "cloud": "global", "authorizations": []any{"delegated_admin", "service_provider"}, "firstAdmin": d.user.Email})},
		{"activity-company-updated", readItem[admin.Activity, activityItem], readAct(cu,
			map[string]any{"name": "Adatum", "phone": "", "address": addr(cu.Before["address"].(admin.Address)), "authorizations": []any{}},
			map[string]any{"name": "Adatum Ltd", "phone": "+353 1 555 0100", "address": addr(cu.After["address"].(admin.Address)), "authorizations": []any{"delegated_admin"}})},
		{"activity-accepted", readItem[admin.Activity, activityItem], readAct(d.accepted, nil, map[string]any{
			"link": gOffer, "kind": "offer", "subscriptions": float64(2), "delegatedAdmin": "accepted"})},
		{"idempotency", readItem[admin.IdempotencyConflict, idemItem], admin.IdempotencyConflict{ResourceID: gPartner, Fingerprint: "fp-1"}},
		{"service-request-draft", readItem[admin.ServiceRequest, requestItem], d.srDraft},
		{"service-request", readItem[admin.ServiceRequest, requestItem], d.srSent},
		{"service-request-attention-needed", readItem[admin.ServiceRequest, requestItem], d.srAttention},
		{"service-request-note-support", readItem[admin.RequestNote, noteItem], d.srSupportNote},
		{"service-request-note-partner", readItem[admin.RequestNote, noteItem], d.srPartnerNote},
		{"password-resets", readItem[admin.PasswordResets, resetsItem], goldenReset(d).Resets},
		{"outbox-pending", func(item map[string]types.AttributeValue) (any, error) {
			it, _, err := DecodeOutboxImage(item)
			return it, err
		}, newOutboxItem(d.outbox, d.use.At)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(goldenDir, tt.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			item, err := ParseItemJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tt.read(item)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("read back\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

// readItem decodes an item into its item struct T and converts it to the domain value D.
func readItem[D any, T interface{ domain() D }](item map[string]types.AttributeValue) (any, error) {
	var it T
	if err := attributevalue.UnmarshalMap(item, &it); err != nil {
		return nil, err
	}
	return it.domain(), nil
}

// TestGoldenStoredItems pins the items that update expressions write or change (the partner's
// profile update, a used and emailed link, the sign-in guard, the code-guess counter, the outbox
// transitions): the store writes them to DynamoDB Local, and the items are read back as stored.
func TestGoldenStoredItems(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	table := testenv.NewTable(t, db)
	s := New(db, table)
	d := newGoldenDomain()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	plain := func(n int) admin.Activity {
		a := d.plain
		a.ID = fmt.Sprintf("act_01jtgd%020d", 100+n)
		return a
	}
	idem := d.idem
	must(s.CreatePartner(ctx, d.partner, d.user, d.login, d.onboarded, &idem))
	updated := d.partner
	updated.Contact.Address.Line2, updated.Version, updated.UpdatedAt = "Floor 4", 8, gAt(2)
	must(s.UpdatePartner(ctx, updated, 7, d.companyUpdated))
	bareUser := d.user
	bareUser.ID, bareUser.OrgID, bareUser.Email = gUser2, gPartner2, "bob@bare.example"
	bareLogin := admin.Login{Email: bareUser.Email, UserID: gUser2, OrgID: gPartner2, OrgKind: admin.OrgPartner, PasswordHash: "h"}
	must(s.CreatePartner(ctx, d.bare, bareUser, bareLogin, plain(1), nil))
	bare := d.bare
	bare.Authorizations, bare.Version = []admin.Authorization{admin.AuthSubscriptionAdvisor}, 2
	must(s.UpdatePartner(ctx, bare, 1, plain(2)))
	must(s.CreateLink(ctx, d.trial, plain(3), nil))
	must(s.EmailLink(ctx, d.trial, []admin.Email{d.email}, plain(4)))
	must(s.Accept(ctx, admin.AcceptWrite{Link: d.trial, Use: d.useNoAnswer, Now: d.useNoAnswer.At, Relationship: d.rel, NewRelationship: true,
		Activities: []admin.Activity{d.accepted}}))
	for i := range 2 {
		_, _, err := s.AdmitSignInAttempt(ctx, d.user.Email, gAt(7).Add(time.Duration(i)*time.Second), admin.DefaultSignInPolicy)
		must(err)
	}
	_, err := s.CountInvalidCode(ctx, "198.51.100.23", gAt(7), admin.InvalidCodeWindow)
	must(err)
	emails := make([]OutboxEmail, 4)
	for i := range emails {
		emails[i] = d.outbox
		emails[i].ID = d.outbox.ID[:len(d.outbox.ID)-1] + string(rune('2'+i))
	}
	must(s.WriteOutboxForTest(ctx, gAt(8), emails...))
	now := gAt(8).Add(time.Minute)
	claim := func(id string) OutboxItem {
		it, err := s.ClaimOutbox(ctx, id, now, 5*time.Minute)
		must(err)
		return it
	}
	sealed := d.outbox
	sealed.ID, sealed.Sealed = "out_01jtgd00000000000000000008", map[string]string{"temporaryPassword": "v1.sealed"}
	must(s.WriteOutboxForTest(ctx, gAt(8), sealed))
	must(s.MarkOutboxSent(ctx, claim(sealed.ID), "ses-0002", now)) // the sealed facts go with the send
	before := d.customer
	before.Admins = 0 // signed up before the count was kept
	_, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: marshal(toCustomerItem(before))})
	must(err)
	must(s.CreateCustomerUser(ctx, admin.CustomerUserWrite{User: d.custUser, Login: d.custLogin})) // a second admin: count 1 (unrecorded) + 1
	claim(emails[0].ID)
	must(s.MarkOutboxSent(ctx, claim(emails[1].ID), "ses-0001", now))
	must(s.MarkOutboxFailed(ctx, claim(emails[2].ID), "550 mailbox unavailable", now))
	must(s.BackoffOutbox(ctx, claim(emails[3].ID), now.Add(30*time.Second), "Throttling"))
	// Two requests sent, one closed: the counter of open requests holds 1.
	second := d.srSent
	second.ID = "srq_01jtgd00000000000000000003"
	must(s.WriteServiceRequest(ctx, admin.RequestWrite{Request: d.srSent, Guard: &d.rel, OpenDelta: 1, Activities: []admin.Activity{plain(5)}}))
	must(s.WriteServiceRequest(ctx, admin.RequestWrite{Request: second, Guard: &d.rel, OpenDelta: 1, Activities: []admin.Activity{plain(6)}}))
	closed := second
	closed.Status, closed.ClosedAt, closed.Version = admin.RequestClosed, gAt(9), 2
	must(s.WriteServiceRequest(ctx, admin.RequestWrite{Request: closed, PrevVersion: 1, Guard: &d.rel, OpenDelta: -1, Activities: []admin.Activity{plain(7)}}))
	if sum, err := s.CustomerSummary(ctx, gCustomer, gPartner); err != nil || sum.OpenServiceRequests != 1 {
		t.Fatalf("open count = %d, %v; want 1", sum.OpenServiceRequests, err)
	}
	if sum, err := s.CustomerSummary(ctx, gCustomer, gPartner2); err != nil || sum.OpenServiceRequests != 0 {
		t.Fatalf("another partner's open count = %d, %v; want 0", sum.OpenServiceRequests, err)
	}

	stored := map[string]map[string]types.AttributeValue{
		"stored-partner-updated":               key(partnerPK(gPartner), skProf),
		"stored-partner-updated-no-address":    key(partnerPK(gPartner2), skProf),
		"stored-link-used-and-emailed":         key(partnerPK(gPartner), linkSK(admin.LinkTrial, gTrial)),
		"stored-signin-guard":                  key(guardPK(d.user.Email), guardSK(admin.DefaultSignInPolicy.WindowOf(gAt(7)))),
		"stored-code-guesses":                  rateKey("198.51.100.23", gAt(7).UnixMilli()/admin.InvalidCodeWindow.Milliseconds()),
		"stored-outbox-sending":                key(outboxPK(emails[0].ID), skOutbox),
		"stored-outbox-sent":                   key(outboxPK(emails[1].ID), skOutbox),
		"stored-outbox-failed":                 key(outboxPK(emails[2].ID), skOutbox),
		"stored-outbox-backed-off":             key(outboxPK(emails[3].ID), skOutbox),
		"stored-relationship-after-new-accept": key(customerPK(gCustomer), partnerSK(gPartner)),
		"stored-service-request-counts":        key(customerPK(gCustomer), requestStatsSK(gPartner)),
		"stored-outbox-sent-sealed":            key(outboxPK(sealed.ID), skOutbox),
		"stored-customer-admin-added":          key(customerPK(gCustomer), skProf),
	}
	if got := slices.Sorted(maps.Keys(stored)); !slices.Equal(got, storedGoldens) {
		t.Fatalf("stored goldens %v, want storedGoldens %v", got, storedGoldens)
	}
	for _, name := range storedGoldens {
		t.Run(name, func(t *testing.T) {
			res, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: stored[name], ConsistentRead: aws.Bool(true)})
			if err != nil || res.Item == nil {
				t.Fatalf("read %s: %v (found %v)", name, err, res != nil && res.Item != nil)
			}
			if _, ok := res.Item["leaseToken"]; ok {
				res.Item["leaseToken"] = &types.AttributeValueMemberS{Value: "<random lease token>"}
			}
			checkGolden(t, name, res.Item)
		})
	}
}

// contextGoldens are the goldens a context's own golden test writes (each appends its names in
// an init of its test file).
var contextGoldens []string

// TestGoldenFilesAreKnown fails on golden files no test writes (a renamed or removed golden) and
// on an item type no golden covers.
func TestGoldenFilesAreKnown(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	puts := goldenPuts(t)
	seen := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if _, ok := puts[name]; !ok && !slices.Contains(storedGoldens, name) && !slices.Contains(contextGoldens, name) {
			t.Errorf("%s: no golden test writes it; delete it, or name it in goldenPuts or storedGoldens", f)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		item, err := ParseItemJSON(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if typ, ok := item["Type"].(*types.AttributeValueMemberS); ok {
			seen[typ.Value] = true
		} else {
			t.Errorf("%s: no Type attribute", f)
		}
	}
	for _, typ := range []string{"Partner", "User", "Login", "Activity", "Idempotency", "SignInGuard", "Link", "LinkCode", "LinkUse",
		"Customer", "DomainPrefix", "Subscription", "Relationship", "Outbox", "CodeGuesses", "PasswordResets",
		"ServiceRequest", "ServiceRequestNote", "ServiceRequestRef", "ServiceRequestStats",
		"Webhook", "WebhookDelivery", "WebhookQueueEntry", "WebhookAttempt", "WebhookLogHead", "ProductKey"} {
		if !seen[typ] {
			t.Errorf("no golden of item type %s", typ)
		}
	}
}

// checkGolden compares an item with testdata/golden/<name>.json (or rewrites it under -update).
func checkGolden(t *testing.T, name string, item map[string]types.AttributeValue) {
	t.Helper()
	got, err := ItemJSON(item)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(goldenDir, name+".json")
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v\nthe stored item is:\n%s\n(run go test ./shared/store -run TestGolden -update to write it)", err, got)
	}
	if bytes.Equal(got, want) {
		return
	}
	diff, err := DiffItemJSON(want, got)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if diff == "" {
		diff = "(same attributes and values; only the file's formatting differs)"
	}
	t.Errorf("the stored %s item differs from %s:\n%s\n\nIf existing data must keep reading, this is a bug: keep the attribute names and types.\n"+
		"If the change is intended and existing items are migrated, run go test ./shared/store -run TestGolden -update and review the diff.",
		name, path, diff)
}
