package admin

import (
	"context"
	"errors"
	"testing"
	"time"
)

// acceptWorld is a partner with one link of each kind, behind the acceptance fakes.
type acceptWorld struct {
	svc   *AcceptService
	st    *fakeAcceptStore
	codes *fakeCodes
	p     Partner
}

func newAcceptWorld() *acceptWorld {
	st := newFakeAcceptStore()
	p := Partner{ID: testPartner, Cloud: CloudGlobal, Contact: Contact{Name: "Contoso", Email: "hello@contoso.example"},
		Authorizations: []Authorization{AuthDelegatedAdmin, AuthSubscriptionAdvisor}}
	st.partners[p.ID] = p
	codes := &fakeCodes{}
	creds := fakeCredentials{logins: map[string]Login{
		"admin@fabrikam.example": {Email: "admin@fabrikam.example", UserID: "usr_00000000000000000000000050", OrgID: testCustomer,
			OrgKind: OrgCustomer, Cloud: CloudGlobal, OrgName: "Fabrikam", OrgDomain: "fabrikam"},
		"admin@china.example": {Email: "admin@china.example", UserID: "usr_00000000000000000000000051", OrgID: "cus_00000000000000000000000078",
			OrgKind: OrgCustomer, Cloud: Cloud21Vianet, OrgName: "China Co", OrgDomain: "chinaco"},
	}}
	return &acceptWorld{svc: &AcceptService{Env: testEnv(), Store: st, Codes: codes, Passwords: &fakePasswords{}, Credentials: creds},
		st: st, codes: codes, p: p}
}

// link stores a link and returns its code.
func (w *acceptWorld) link(l Link) string {
	nonce, _ := w.codes.Nonce()
	code, _ := w.codes.Code(nonce)
	l.PartnerID, l.Nonce = w.p.ID, nonce
	if l.ID == "" {
		l.ID = "lnk_00000000000000000000000001"
	}
	w.st.byHash[w.codes.Hash(code)] = l
	return code
}

func signUp() *NewCustomer {
	return &NewCustomer{Name: "Fabrikam GmbH", DomainPrefix: "fabrikam2", Country: "de", AdminName: "Ada Admin",
		Email: "ada@fabrikam.example", Password: "Correct-Horse-Battery-9"}
}

func TestOpenLinkIsUniformAndThrottlesGuesses(t *testing.T) {
	w := newAcceptWorld()
	ctx := context.Background()
	active := w.link(Link{Kind: LinkTrial, ProductID: "m365-e3"})
	lv, err := w.svc.OpenLink(ctx, active, "198.51.100.7")
	if err != nil || lv.Partner.ID != w.p.ID || lv.Link.ProductID != "m365-e3" {
		t.Fatalf("open = %+v, %v", lv, err)
	}
	for name, l := range map[string]Link{
		"revoked":  {ID: "lnk_00000000000000000000000002", Kind: LinkTrial, Revoked: true},
		"expired":  {ID: "lnk_00000000000000000000000003", Kind: LinkTrial, ExpiresAt: testNow},
		"used up":  {ID: "lnk_00000000000000000000000004", Kind: LinkTrial, MaxUses: 2, Uses: 2},
		"unknown":  {},
		"malformd": {},
	} {
		code := "zzzzzzzzzzzzzzzzzzzzzzzzzz"
		if l.ID != "" {
			code = w.link(l)
		}
		if name == "malformd" {
			code = "../../etc"
		}
		if _, err := w.svc.OpenLink(ctx, code, "198.51.100.7"); !errors.Is(err, ErrLinkInvalid) {
			t.Errorf("%s: err = %v, want the one invalid-link answer", name, err)
		}
	}
	if w.st.guesses != 2 {
		t.Errorf("guesses counted = %d, want 2 (unknown and malformed; real codes past their use are no guesses)", w.st.guesses)
	}
	w.st.guesses = MaxInvalidCodes
	if _, err := w.svc.OpenLink(ctx, "zzzzzzzzzzzzzzzzzzzzzzzzzz", "198.51.100.7"); codeOf(err) != CodeSignInThrottled {
		t.Fatalf("err = %v, want throttled after %d guesses", err, MaxInvalidCodes)
	}
}

func TestAcceptRules(t *testing.T) {
	tests := []struct {
		name  string
		link  Link
		in    func(a *Acceptance)
		code  Code
		field string
	}{
		{"delegated-admin answer required", Link{Kind: LinkTrial, ProductID: "m365-e3", DelegatedAdmin: &DelegatedAdminOffer{Scope: AccessFull, DurationDays: 30}},
			func(a *Acceptance) { a.DelegatedAdmin = "" }, CodeValidation, "delegatedAdmin"},
		{"answer to an offer not made", Link{Kind: LinkTrial, ProductID: "m365-e3"}, func(a *Acceptance) { a.DelegatedAdmin = "accept" }, CodeValidation, "delegatedAdmin"},
		{"licenses out of range", Link{Kind: LinkOffer, Lines: []OfferLine{{ProductID: "teams-essentials", Licenses: 5}}},
			func(a *Acceptance) { a.Licenses = map[string]int{"teams-essentials": 301} }, CodeValidation, "licenses.teams-essentials"},
		{"licenses of a product not offered", Link{Kind: LinkOffer, Lines: []OfferLine{{ProductID: "teams-essentials", Licenses: 5}}},
			func(a *Acceptance) { a.Licenses = map[string]int{"m365-e3": 1} }, CodeValidation, "licenses.m365-e3"},
		{"neither sign-up nor sign-in", Link{Kind: LinkTrial, ProductID: "m365-e3"}, func(a *Acceptance) { a.SignUp = nil }, CodeValidation, "account"},
		{"both sign-up and sign-in", Link{Kind: LinkTrial, ProductID: "m365-e3"},
			func(a *Acceptance) {
				a.SignIn = &Credentials{Email: "admin@fabrikam.example", Password: "right-password"}
			}, CodeValidation, "account"},
		{"bad domain prefix", Link{Kind: LinkTrial, ProductID: "m365-e3"}, func(a *Acceptance) { a.SignUp.DomainPrefix = "1-bad" }, CodeValidation, "domainPrefix"},
		{"bad country", Link{Kind: LinkTrial, ProductID: "m365-e3"}, func(a *Acceptance) { a.SignUp.Country = "Germany" }, CodeValidation, "country"},
		{"weak password", Link{Kind: LinkTrial, ProductID: "m365-e3"}, func(a *Acceptance) { a.SignUp.Password = "short" }, CodeValidation, "password"},
		{"wrong password", Link{Kind: LinkTrial, ProductID: "m365-e3"},
			func(a *Acceptance) {
				a.SignUp, a.SignIn = nil, &Credentials{Email: "admin@fabrikam.example", Password: "wrong"}
			}, CodeInvalidCredentials, ""},
		{"a customer of another cloud", Link{Kind: LinkTrial, ProductID: "m365-e3"},
			func(a *Acceptance) {
				a.SignUp, a.SignIn = nil, &Credentials{Email: "admin@china.example", Password: "right-password"}
			}, CodeForbidden, ""},
		{"an offer targeted at another customer", Link{Kind: LinkDelegatedAdmin, TargetCustomerID: "cus_00000000000000000000000099",
			DelegatedAdmin: &DelegatedAdminOffer{Scope: AccessLimited, DurationDays: 30}},
			func(a *Acceptance) {
				a.SignUp, a.SignIn, a.DelegatedAdmin = nil, &Credentials{Email: "admin@fabrikam.example", Password: "right-password"}, "accept"
			}, CodeNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newAcceptWorld()
			in := Acceptance{Code: w.link(tt.link), SignUp: signUp(), SourceIP: "198.51.100.7"}
			tt.in(&in)
			_, err := w.svc.Accept(context.Background(), in)
			if codeOf(err) != tt.code {
				t.Fatalf("err = %v, want %s", err, tt.code)
			}
			if tt.field != "" {
				var e *Error
				if !errors.As(err, &e) || !hasField(e.Fields, tt.field) {
					t.Fatalf("fields = %+v, want %s", e.Fields, tt.field)
				}
			}
			if len(w.st.accepts) != 0 {
				t.Errorf("accept writes = %d, want none", len(w.st.accepts))
			}
		})
	}
}

func hasField(fs []FieldError, f string) bool {
	for _, x := range fs {
		if x.Field == f {
			return true
		}
	}
	return false
}

func TestAcceptTrialWithDelegatedAdminSignsUp(t *testing.T) {
	w := newAcceptWorld()
	code := w.link(Link{Kind: LinkTrial, ProductID: "m365-e3", DelegatedAdmin: &DelegatedAdminOffer{Scope: AccessFull, DurationDays: 90}})
	got, err := w.svc.Accept(context.Background(), Acceptance{Code: code, SignUp: signUp(), DelegatedAdmin: "accept"})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.st.accepts) != 1 {
		t.Fatalf("accept writes = %d, want 1", len(w.st.accepts))
	}
	a := w.st.accepts[0]
	if a.NewCustomer == nil || a.NewCustomer.DomainPrefix != "fabrikam2" || a.NewCustomer.Country != "DE" || a.NewCustomer.Cloud != CloudGlobal ||
		a.Admin.CompanyRole != RoleGlobalAdmin || a.AdminLogin.PasswordHash != "h:Correct-Horse-Battery-9" || a.AdminLogin.OrgKind != OrgCustomer {
		t.Errorf("new organization = %+v, admin %+v, login %+v", a.NewCustomer, a.Admin, a.AdminLogin)
	}
	if len(a.Subscriptions) != 1 {
		t.Fatalf("subscriptions = %+v", a.Subscriptions)
	}
	s := a.Subscriptions[0]
	if s.Status != SubscriptionTrial || s.Licenses != 25 || !s.TrialEndsAt.Equal(testNow.AddDate(0, 0, 30)) || s.PartnerOfRecord != w.p.ID ||
		len(s.PORHistory) != 1 || s.PORHistory[0].PartnerID != w.p.ID {
		t.Errorf("subscription = %+v, want a 30-day trial at the 25-license cap with the partner as POR", s)
	}
	da := a.Relationship.DelegatedAdmin
	if !a.NewRelationship || da == nil || da.Scope != AccessFull || !da.EndsAt.Equal(testNow.AddDate(0, 0, 90)) || da.Status != "active" {
		t.Errorf("relationship = %+v, grant %+v", a.Relationship, da)
	}
	if a.Use.DelegatedAdmin != "accepted" || a.Use.CustomerID != a.NewCustomer.ID {
		t.Errorf("use = %+v", a.Use)
	}
	if len(a.Activities) != 2 || a.Activities[0].OrgID != w.p.ID || a.Activities[1].OrgID != a.NewCustomer.ID {
		t.Errorf("activities = %+v, want one in each log", a.Activities)
	}
	welcome, ok1 := a.Emails[0].Message.(CustomerWelcome)
	answer, ok2 := a.Emails[1].Message.(PartnerAnswer)
	if !ok1 || !ok2 || a.Emails[0].To[0] != "ada@fabrikam.example" || a.Emails[1].To[0] != "hello@contoso.example" {
		t.Fatalf("emails = %+v", a.Emails)
	}
	if welcome.Outcome.DelegatedAdmin != da || len(welcome.Outcome.Subscriptions) != 1 || answer.Declined || answer.Kind != LinkTrial {
		t.Errorf("welcome %+v, answer %+v", welcome, answer)
	}
	if !got.NewCustomer || got.DelegatedAdmin != da || got.Declined {
		t.Errorf("accepted = %+v", got)
	}
}

func TestAcceptOfferBySignedInCustomerKeepsRelationship(t *testing.T) {
	w := newAcceptWorld()
	prev := Relationship{CustomerID: testCustomer, PartnerID: w.p.ID, Version: 4,
		DelegatedAdmin: &DelegatedAdmin{Scope: AccessLimited, EndsAt: testNow.AddDate(0, 1, 0), Status: "ended"}}
	w.st.relationships[testCustomer+"/"+w.p.ID] = prev
	code := w.link(Link{Kind: LinkOffer, Lines: []OfferLine{{ProductID: "m365-e3", Licenses: 5}, {ProductID: "teams-essentials", Licenses: 2}}})
	_, err := w.svc.Accept(context.Background(), Acceptance{Code: code, SignIn: &Credentials{Email: "admin@fabrikam.example", Password: "right-password"},
		Licenses: map[string]int{"teams-essentials": 7}})
	if err != nil {
		t.Fatal(err)
	}
	a := w.st.accepts[0]
	if a.NewCustomer != nil || a.NewRelationship || a.PrevVersion != 4 || a.Relationship.Version != 5 {
		t.Errorf("write = new %v, newRel %v, prev %d, version %d; want the existing relationship, version-guarded", a.NewCustomer, a.NewRelationship, a.PrevVersion, a.Relationship.Version)
	}
	if len(a.Subscriptions) != 2 || a.Subscriptions[0].Licenses != 5 || a.Subscriptions[1].Licenses != 7 || a.Subscriptions[1].Status != SubscriptionActive {
		t.Errorf("subscriptions = %+v, want 5 and 7 (the customer's count)", a.Subscriptions)
	}
	if welcome := a.Emails[0].Message.(CustomerWelcome); welcome.Outcome.DelegatedAdmin != nil {
		t.Errorf("welcome reports an ended grant: %+v", welcome.Outcome.DelegatedAdmin)
	}
}

func TestAcceptDeclinedStandAloneOffer(t *testing.T) {
	w := newAcceptWorld()
	code := w.link(Link{Kind: LinkDelegatedAdmin, DelegatedAdmin: &DelegatedAdminOffer{Scope: AccessFull, DurationDays: 30}})
	got, err := w.svc.Accept(context.Background(), Acceptance{Code: code, SignIn: &Credentials{Email: "admin@fabrikam.example", Password: "right-password"},
		DelegatedAdmin: "decline"})
	if err != nil {
		t.Fatal(err)
	}
	a := w.st.accepts[0]
	if !got.Declined || a.Relationship.DelegatedAdmin != nil || len(a.Subscriptions) != 0 || a.Use.DelegatedAdmin != "declined" {
		t.Errorf("accepted %+v, write %+v", got, a)
	}
	if answer := a.Emails[1].Message.(PartnerAnswer); !answer.Declined || !answer.Outcome.DelegatedAdminDeclined {
		t.Errorf("partner answer = %+v, want declined", answer)
	}
}

// TestAcceptRetriesConcurrentConflicts: a conflict with a concurrent acceptance is retried; the
// pauses between attempts end with the request's context.
func TestAcceptRetriesConcurrentConflicts(t *testing.T) {
	conflict := Errorf(CodeConcurrentRequest, "conflict")
	t.Run("succeeds after conflicts", func(t *testing.T) {
		w := newAcceptWorld()
		n := 0
		w.st.accept = func(AcceptWrite) error {
			if n++; n < 3 {
				return conflict
			}
			return nil
		}
		if _, err := w.svc.Accept(context.Background(), Acceptance{Code: w.link(Link{Kind: LinkTrial, ProductID: "m365-e3"}), SignUp: signUp()}); err != nil || n != 3 {
			t.Fatalf("err = %v after %d attempts, want success on the 3rd", err, n)
		}
	})
	t.Run("gives up after the retries", func(t *testing.T) {
		w := newAcceptWorld()
		w.svc.Retry = 2
		w.st.accept = func(AcceptWrite) error { return conflict }
		_, err := w.svc.Accept(context.Background(), Acceptance{Code: w.link(Link{Kind: LinkTrial, ProductID: "m365-e3"}), SignUp: signUp()})
		if codeOf(err) != CodeConcurrentRequest || len(w.st.accepts) != 3 {
			t.Fatalf("err = %v after %d attempts, want concurrent_request after 3", err, len(w.st.accepts))
		}
	})
	t.Run("a cancelled request stops waiting", func(t *testing.T) {
		w := newAcceptWorld()
		w.svc.Retry = 1000 // would wait for minutes without the context
		ctx, cancel := context.WithCancel(context.Background())
		w.st.accept = func(AcceptWrite) error {
			if len(w.st.accepts) == 2 {
				cancel()
			}
			return conflict
		}
		done := make(chan error, 1)
		go func() {
			_, err := w.svc.Accept(ctx, Acceptance{Code: w.link(Link{Kind: LinkTrial, ProductID: "m365-e3"}), SignUp: signUp()})
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) || len(w.st.accepts) != 2 {
				t.Fatalf("err = %v after %d attempts, want context.Canceled after 2", err, len(w.st.accepts))
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Accept did not return after its context was cancelled")
		}
	})
}
