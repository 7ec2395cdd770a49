package api

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/auth"
)

// Deps are the services of the domain and the token keys; shared/app builds them once per Lambda
// instance. Each handler takes only the service of its context (and Auth).
type Deps struct {
	Identity        *admin.IdentityService
	Company         *admin.CompanyService
	Partners        *admin.PartnerService
	Links           *admin.LinkService
	Accepts         *admin.AcceptService
	Tenants         *admin.TenantService
	Customers       *admin.CustomerService       // the customer list and search, the gate inside a customer
	Subscriptions   *admin.SubscriptionService   // a partner's management of a customer's subscriptions
	CustomerUsers   *admin.CustomerUserService   // customer users: partner side and self-service
	ServiceRequests *admin.ServiceRequestService // the partner's and the support desk's side
	Webhooks        *admin.WebhookService        // the partner's webhook endpoints and their delivery
	Verifier        *auth.Verifier
	Issuer          *auth.Issuer            // only in functions that issue tokens
	Site            Site                    // the origin the console and the API share (refresh cookie, CSRF)
	Sessions        *admin.SessionService   // sign-in sessions (app.Sessions)
	TwoFactor       *admin.TwoFactorService // two-factor sign-in (app.TwoFactor)

	Notifications   *admin.NotificationService    // the partner's inbox and its users' email settings
	PartnerOfRecord *admin.PartnerOfRecordService // a customer admin's change of a Partner of Record
	Trials          *admin.TrialService           // a customer admin's conversion of a trial
	ProductKeys     *admin.ProductKeyService      // the operator's issuing, the partner's inventory and redemption
}

// Auth authenticates the callers of partner and customer routes: it verifies the access token
// and loads the caller's current records.
type Auth struct {
	Verifier *auth.Verifier
	Identity *admin.IdentityService
}

// Auth returns the authenticator of the deps.
func (d *Deps) Auth() Auth { return Auth{Verifier: d.Verifier, Identity: d.Identity} }

// Action builds a route's handler from the deps.
type Action func(d *Deps) apigw.Handler

// Context-bound actions: each hands a handler constructor the one service it uses.

func company(h func(Auth, *admin.CompanyService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Company) }
}

func sessions(h func(Auth, *admin.SessionService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Sessions) }
}

func twoFactor(h func(Auth, *admin.TwoFactorService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.TwoFactor) }
}

func partners(h func(*admin.PartnerService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Partners) }
}

func links(h func(Auth, *admin.LinkService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Links) }
}

func tenants(h func(Auth, *admin.TenantService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Tenants) }
}

func customers(h func(Auth, *admin.CustomerService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Customers) }
}

func subscriptions(h func(Auth, *admin.SubscriptionService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Subscriptions) }
}

func authOnly(h func(Auth) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth()) }
}

type response = events.APIGatewayV2HTTPResponse

// sessionHandler is a handler for an authenticated partner user.
type sessionHandler func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error)

// verified checks the request's bearer token and that it belongs to an organization of kind;
// the reason a token is refused is logged, never shown.
func verified(ctx context.Context, a Auth, r *apigw.Request, kind admin.OrgKind, wrongKind string) (auth.Claims, error) {
	c, err := verifiedAny(ctx, a, r)
	if err != nil {
		return auth.Claims{}, err
	}
	if c.OrgKind != string(kind) {
		return auth.Claims{}, admin.Errorf(admin.CodeForbidden, "%s", wrongKind)
	}
	return c, nil
}

// verifiedAny checks the request's bearer token, of a user of any organization.
func verifiedAny(ctx context.Context, a Auth, r *apigw.Request) (auth.Claims, error) {
	tok, err := r.BearerToken()
	if err != nil {
		return auth.Claims{}, err
	}
	c, err := a.Verifier.Verify(tok)
	if err != nil {
		apigw.Log.InfoContext(ctx, "token rejected", "requestId", r.Event.RequestContext.RequestID, "reason", err.Error())
		return auth.Claims{}, admin.Errorf(admin.CodeUnauthenticated, "the access token is not valid or has expired; sign in again")
	}
	return c, nil
}

// self is the caller of a route every user has: the user (re-read for this request) and the
// session of its access token.
type self struct {
	User      admin.User
	SessionID string
}

// anyUser verifies the bearer token of a partner user or a customer user (of any role, with a
// temporary password or without a required second factor too) and loads the user's current
// records (one round trip) before h runs: the routes every user has — GET /me, POST /me/password,
// the two-factor and session routes, sign-out.
func anyUser(a Auth, h func(ctx context.Context, r *apigw.Request, me self) (response, error)) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (response, error) {
		c, err := verifiedAny(ctx, a, r)
		if err != nil {
			return response{}, err
		}
		var u admin.User
		switch admin.OrgKind(c.OrgKind) {
		case admin.OrgPartner:
			s, err := a.Identity.Authenticate(ctx, tokenOf(c))
			if err != nil {
				return response{}, err
			}
			u = s.Principal.User
		case admin.OrgCustomer:
			cs, err := a.Identity.AuthenticateCustomerUser(ctx, tokenOf(c))
			if err != nil {
				return response{}, err
			}
			u = cs.User
		default:
			return response{}, admin.Errorf(admin.CodeUnauthenticated, "the access token is not valid or has expired; sign in again")
		}
		return h(ctx, r, self{User: u, SessionID: c.SessionID})
	}
}

// tokenOf is what a verified access token says, for the domain.
func tokenOf(c auth.Claims) admin.Token {
	return admin.Token{OrgID: c.OrgID, UserID: c.Subject, Epoch: c.Epoch, SessionID: c.SessionID}
}

// authenticated verifies the bearer token and loads the caller's current records (one round
// trip) before h runs.
func authenticated(a Auth, h sessionHandler) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (response, error) {
		c, err := verified(ctx, a, r, admin.OrgPartner, "this route is for partner users")
		if err != nil {
			return response{}, err
		}
		s, err := a.Identity.Authenticate(ctx, tokenOf(c))
		if err != nil {
			return response{}, err
		}
		return h(ctx, r, s)
	}
}

// overlapped verifies the bearer token of a partner user and runs h at once with a Caller whose
// records are read alongside h's first reads (admin.Authenticating): one round trip less on the
// customer routes. A failed authentication is the answer whatever h returned, so nothing h read
// leaves before the caller is known (the domain also waits for it before its gate).
func overlapped(a Auth, h func(ctx context.Context, r *apigw.Request, c admin.Caller) (response, error)) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (response, error) {
		c, err := verified(ctx, a, r, admin.OrgPartner, "this route is for partner users")
		if err != nil {
			return response{}, err
		}
		caller := admin.Authenticating(c.OrgID, c.Subject, func() (admin.Session, error) {
			return a.Identity.Authenticate(ctx, tokenOf(c))
		})
		resp, err := h(ctx, r, caller)
		if _, aerr := caller.Authenticated(); aerr != nil {
			return response{}, aerr
		}
		return resp, err
	}
}

// operator runs h for an IAM-authorized operator.
func operator(h func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error)) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (response, error) {
		arn, err := r.OperatorARN()
		if err != nil {
			return response{}, err
		}
		return h(ctx, r, admin.Principal{Kind: admin.PrincipalOperator, ARN: arn})
	}
}

func pageRequest(r *apigw.Request, extra ...string) (admin.PageRequest, error) {
	if err := r.AllowQuery(append([]string{"limit", "cursor"}, extra...)...); err != nil {
		return admin.PageRequest{}, err
	}
	limit, err := r.QueryInt("limit", admin.DefaultPageSize, 1, admin.MaxPageSize)
	return admin.PageRequest{Limit: limit, Cursor: r.Query("cursor")}, err
}

func noQuery(r *apigw.Request) error { return r.AllowQuery() }

// GetMe: GET /me, for partner and customer users. Works with a temporary password too, so a
// client can tell the user to change it.
func GetMe(a Auth) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, caller self) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		u := caller.User
		me := meBody{UserID: u.ID, OrgID: u.OrgID, OrgKind: u.OrgKind, Email: u.Email,
			DisplayName: u.DisplayName, CompanyRole: u.CompanyRole, CustomerAccess: u.CustomerAccess, Status: u.Status,
			PasswordChangeRequired: u.PasswordChangeRequired, MFAEnabled: u.MFAEnabled, MFARequired: admin.MFARequired(u)}
		if u.OrgKind == admin.OrgCustomer {
			me.Role = admin.CustomerRoleOf(u)
		}
		return apigw.JSON(http.StatusOK, me)
	})
}

// ChangePassword: POST /me/password, for partner and customer users of any role. Every session
// of the user ends; the caller continues in a new one (a fresh access token and refresh cookie).
func ChangePassword(a Auth, sessions *admin.SessionService, iss *auth.Issuer, site Site) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, me self) (response, error) {
		var in changePasswordRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		u := me.User
		ns, err := sessions.New(admin.Login{UserID: u.ID, OrgID: u.OrgID, OrgKind: u.OrgKind}, r.Header("user-agent"))
		if err != nil {
			return response{}, err
		}
		if ns.User, err = a.Identity.ChangePassword(ctx, u, in.CurrentPassword, in.NewPassword, &ns.Session); err != nil {
			return response{}, err
		}
		return sessionAnswer(iss, site, ns)
	})
}

// GetOverview: GET /overview.
func GetOverview(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		o, err := svc.Overview(s)
		if err != nil {
			return response{}, err
		}
		p := o.Partner
		return apigw.JSON(http.StatusOK, overviewBody{PartnerID: p.ID, Name: p.Contact.Name, Cloud: p.Cloud,
			Authorizations: nonNil(p.Authorizations), Features: toList(o.Features, toFeature), CustomerCount: p.CustomerCount, CustomerView: o.View})
	})
}

// GetCompany: GET /company.
func GetCompany(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		p, err := svc.Company(s)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toCompany(p))
	})
}

// UpdateCompany: PUT /company.
func UpdateCompany(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		var in companyRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		c := admin.Contact{Name: in.Name, Phone: in.Phone, Email: in.Email, Website: in.Website, Address: in.Address.domain()}
		p, err := svc.UpdateCompany(ctx, s, c, in.Version)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toCompany(p))
	})
}

// ListUsers: GET /users.
func ListUsers(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		page, err := pageRequest(r)
		if err != nil {
			return response{}, err
		}
		users, err := svc.ListUsers(ctx, s, page)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(users, toUser))
	})
}

// CreateUser: POST /users (Idempotency-Key honoured).
func CreateUser(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		var in createUserRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		idem, err := r.Idempotency(s.Partner.ID + "#" + s.Principal.User.ID + "#create-user")
		if err != nil {
			return response{}, err
		}
		u, temp, replayed, err := svc.CreateUser(ctx, s, admin.NewUser{Email: in.Email, DisplayName: in.DisplayName,
			CompanyRole: in.CompanyRole, CustomerAccess: in.CustomerAccess}, idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		body := struct {
			User              userBody `json:"user"`
			TemporaryPassword string   `json:"temporaryPassword,omitempty"`
		}{toUser(u), temp}
		return apigw.Created(body, replayed)
	})
}

// ResetUserPassword: POST /users/{userId}/password-reset. The temporary password is in the
// answer only, shown once.
func ResetUserPassword(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		u, temp, err := svc.ResetUserPassword(ctx, s, r.PathParam("userId"))
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, struct {
			User              userBody `json:"user"`
			TemporaryPassword string   `json:"temporaryPassword"`
		}{toUser(u), temp})
	})
}

// GetUser: GET /users/{userId}.
func GetUser(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		u, err := svc.GetUser(ctx, s, r.PathParam("userId"))
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toUser(u))
	})
}

// UpdateUser: PATCH /users/{userId}.
func UpdateUser(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		var in updateUserRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		u, err := svc.UpdateUser(ctx, s, r.PathParam("userId"), admin.UserPatch{DisplayName: in.DisplayName,
			CompanyRole: in.CompanyRole, CustomerAccess: in.CustomerAccess, Version: in.Version})
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toUser(u))
	})
}

// DeleteUser: DELETE /users/{userId}.
func DeleteUser(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := svc.DeleteUser(ctx, s, r.PathParam("userId")); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}

// ListActivity: GET /activity?from&to&limit&cursor.
func ListActivity(a Auth, svc *admin.CompanyService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		q, err := activityQuery(r)
		if err != nil {
			return response{}, err
		}
		acts, err := svc.ListActivity(ctx, s, q)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(acts, toActivity))
	})
}

// activityQuery reads the query of an activity log: limit, cursor and the time range [from, to).
func activityQuery(r *apigw.Request) (admin.ActivityQuery, error) {
	page, err := pageRequest(r, "from", "to")
	if err != nil {
		return admin.ActivityQuery{}, err
	}
	q := admin.ActivityQuery{PageRequest: page}
	if q.From, err = r.QueryTime("from"); err != nil {
		return admin.ActivityQuery{}, err
	}
	q.To, err = r.QueryTime("to")
	return q, err
}

// OnboardPartner: POST /operator/partners (IAM; Idempotency-Key honoured).
func OnboardPartner(svc *admin.PartnerService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		var in onboardRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		idem, err := r.Idempotency("operator#" + op.ARN + "#onboard")
		if err != nil {
			return response{}, err
		}
		p, u, temp, replayed, err := svc.OnboardPartner(ctx, op, admin.NewPartner{
			Contact: admin.Contact{Name: in.Name, Phone: in.Phone, Email: in.Email, Website: in.Website, Address: in.Address.domain()},
			Cloud:   in.Cloud, Authorizations: in.Authorizations,
			FirstAdmin: admin.NewUser{Email: in.FirstAdmin.Email, DisplayName: in.FirstAdmin.DisplayName},
		}, idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		body := struct {
			Partner           partnerBody `json:"partner"`
			FirstAdmin        *userBody   `json:"firstAdmin,omitempty"`
			TemporaryPassword string      `json:"temporaryPassword,omitempty"`
		}{Partner: toPartner(p), TemporaryPassword: temp}
		if !replayed {
			ub := toUser(u)
			body.FirstAdmin = &ub
		}
		return apigw.Created(body, replayed)
	})
}

// GetPartner: GET /operator/partners/{partnerId} (IAM).
func GetPartner(svc *admin.PartnerService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		p, err := svc.GetPartner(ctx, op, r.PathParam("partnerId"))
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPartner(p))
	})
}

// UpdatePartnerAuthorizations: PUT /operator/partners/{partnerId}/authorizations (IAM).
func UpdatePartnerAuthorizations(svc *admin.PartnerService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		var in authorizationsRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		p, err := svc.SetAuthorizations(ctx, op, r.PathParam("partnerId"), in.Authorizations, in.Version)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPartner(p))
	})
}
