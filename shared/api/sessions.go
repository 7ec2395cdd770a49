package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
	"github.com/partner-admin-center/pac/shared/auth"
)

// Sessions: sign-in gives a short access token in the body and the session's refresh token in
// a cookie only the refresh route receives (HttpOnly: no script reads it; SameSite=Strict and
// Path=/auth/refresh: no other site's page and no other route sends it). Each refresh rotates it.

// RefreshCookie is the name of the refresh token's cookie; RefreshPath the one route it is sent to.
const (
	RefreshCookie = "pac_refresh"
	RefreshPath   = "/auth/refresh"
	// CSRFHeader must be on every refresh: a page of another origin cannot add a custom header
	// without a CORS preflight, which the API does not grant it.
	CSRFHeader = "X-PAC-CSRF"
)

// Site is the one origin the console and the API share: the refresh route admits requests from
// it only, and the cookie is Secure when it is https.
type Site struct {
	Origin string // scheme://host[:port]
	Secure bool
}

// SiteOf derives the site from the public base URL (PUBLIC_BASE_URL).
func SiteOf(publicURL string) Site {
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" {
		return Site{}
	}
	return Site{Origin: u.Scheme + "://" + u.Host, Secure: u.Scheme == "https"}
}

func (s Site) cookie(value string, maxAge int) string {
	c := fmt.Sprintf("%s=%s; Path=%s; Max-Age=%d; HttpOnly; SameSite=Strict", RefreshCookie, value, RefreshPath, maxAge)
	if s.Secure {
		c += "; Secure"
	}
	return c
}

// clearCookie ends the refresh cookie in the browser.
func (s Site) clearCookie() string { return s.cookie("", 0) }

// sessionAnswer is the answer of every route that starts or continues a session: the access token
// and what the user must do first, and the refresh token's cookie.
func sessionAnswer(iss *auth.Issuer, site Site, ns admin.NewSession) (response, error) {
	u := ns.User
	tok, ttl, err := iss.Issue(u.ID, u.OrgID, string(u.OrgKind), u.SessionEpoch, ns.Session.ID)
	if err != nil {
		return response{}, err
	}
	resp, err := apigw.JSON(http.StatusOK, tokenBody{AccessToken: tok, TokenType: "Bearer", ExpiresIn: ttl,
		PasswordChangeRequired: u.PasswordChangeRequired, MFAEnrolmentRequired: admin.MFARequired(u) && !u.MFAEnabled})
	// The cookie lasts as long as the session can; LastUsedAt is now (begun or just refreshed).
	resp.Cookies = []string{site.cookie(ns.Refresh.String(), int(ns.Session.ExpiresAt().Sub(ns.Session.LastUsedAt).Seconds()))}
	return resp, err
}

// SignIn: POST /auth/sign-in. A user with a second factor gets the token of the second step
// (POST /auth/sign-in/mfa) instead of a session.
func SignIn(id *admin.IdentityService, sessions *admin.SessionService, iss *auth.Issuer, site Site) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (response, error) {
		var in signInRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		l, err := id.SignIn(ctx, in.Email, in.Password, admin.OrgPartner, admin.OrgCustomer)
		if err != nil {
			return response{}, err
		}
		if l.MFAEnabled {
			tok, ttl, err := iss.IssueMFA(l.UserID, l.OrgID, string(l.OrgKind), l.SessionEpoch)
			if err != nil {
				return response{}, err
			}
			return apigw.JSON(http.StatusOK, mfaChallengeBody{MFARequired: true, MFAToken: tok, ExpiresIn: ttl})
		}
		ns, err := sessions.StartSession(ctx, l, r.Header("user-agent"))
		if err != nil {
			return response{}, err
		}
		return sessionAnswer(iss, site, ns)
	}
}

// SignInMFA: POST /auth/sign-in/mfa, the second step: a code of the authenticator app or a
// recovery code.
func SignInMFA(v *auth.Verifier, tf *admin.TwoFactorService, sessions *admin.SessionService, iss *auth.Issuer, site Site) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (response, error) {
		var in mfaSignInRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		if in.MFAToken == "" {
			return response{}, admin.FieldErr("mfaToken", "required", "is required")
		}
		c, err := v.VerifyMFA(in.MFAToken)
		if err != nil {
			apigw.Log.InfoContext(ctx, "mfa token rejected", "requestId", r.Event.RequestContext.RequestID, "reason", err.Error())
			return response{}, &admin.Error{Code: admin.CodeUnauthenticated, Message: "the sign-in has expired; sign in again",
				Fields: []admin.FieldError{{Field: "mfaToken", Code: "invalid", Detail: "is not valid or has expired"}}}
		}
		l, err := tf.SignInSecondFactor(ctx, c.OrgID, c.Subject, c.Epoch, in.Code, in.RecoveryCode)
		if err != nil {
			return response{}, err
		}
		ns, err := sessions.StartSession(ctx, l, r.Header("user-agent"))
		if err != nil {
			return response{}, err
		}
		return sessionAnswer(iss, site, ns)
	}
}

// Refresh: POST /auth/refresh. The browser sends the cookie; the request must come from the
// site's own origin and carry the custom header. A refused refresh clears the cookie.
func Refresh(sessions *admin.SessionService, iss *auth.Issuer, site Site) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (response, error) {
		if err := site.checkOrigin(r); err != nil {
			return response{}, err
		}
		token := cookie(r, RefreshCookie)
		if token == "" {
			return response{}, admin.Errorf(admin.CodeUnauthenticated, "no session: sign in")
		}
		ns, err := sessions.Refresh(ctx, token, r.Header("user-agent"))
		if e, ok := err.(*admin.Error); ok && e.Code == admin.CodeUnauthenticated {
			resp := apigw.ProblemFor(e, r)
			resp.Cookies = []string{site.clearCookie()}
			return resp, nil
		}
		if err != nil {
			return response{}, err
		}
		return sessionAnswer(iss, site, ns)
	}
}

// checkOrigin admits a request from the site's origin with the custom header (CSRF defence in
// depth beside SameSite=Strict).
func (s Site) checkOrigin(r *apigw.Request) error {
	if r.Header(CSRFHeader) != "1" {
		return &admin.Error{Code: admin.CodeForbidden, Message: "a refresh must carry the header " + CSRFHeader + ": 1",
			Fields: []admin.FieldError{{Field: CSRFHeader, Code: "required", Detail: "must be 1"}}}
	}
	if o := r.Header("origin"); s.Origin == "" || o != s.Origin {
		return &admin.Error{Code: admin.CodeForbidden, Message: "a refresh must come from the site's own origin",
			Fields: []admin.FieldError{{Field: "Origin", Code: "origin", Detail: "must be the site's origin"}}}
	}
	return nil
}

// cookie returns the value of a request cookie (payload 2.0 lists them apart from the headers).
func cookie(r *apigw.Request, name string) string {
	for _, c := range r.Event.Cookies {
		for part := range strings.SplitSeq(c, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && k == name {
				return v
			}
		}
	}
	return ""
}

// SignOut: POST /auth/sign-out ends the caller's session, or with {"everywhere": true} every
// session of the caller; it clears the refresh cookie.
func SignOut(a Auth, sessions *admin.SessionService, site Site) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, me self) (response, error) {
		var in signOutRequest
		if len(strings.TrimSpace(string(r.Body()))) > 0 {
			if err := r.Decode(&in); err != nil {
				return response{}, err
			}
		}
		if err := sessions.SignOut(ctx, me.User, me.SessionID, in.Everywhere); err != nil {
			return response{}, err
		}
		resp, err := apigw.NoContent()
		resp.Cookies = []string{site.clearCookie()}
		return resp, err
	})
}

// ListSessions: GET /me/sessions.
func ListSessions(a Auth, sessions *admin.SessionService) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, me self) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		list, err := sessions.ListSessions(ctx, me.User)
		if err != nil {
			return response{}, err
		}
		items := make([]sessionBody, len(list))
		for i, s := range list {
			items[i] = sessionBody{SessionID: s.ID, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, IdleExpiresAt: s.IdleExpiresAt(),
				ExpiresAt: s.ExpiresAt(), UserAgent: s.UserAgent, Current: s.ID == me.SessionID}
		}
		return apigw.JSON(http.StatusOK, sessionsBody{Items: items})
	})
}

// DeleteSession: DELETE /me/sessions/{sessionId} ends one of the caller's sessions.
func DeleteSession(a Auth, sessions *admin.SessionService) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, me self) (response, error) {
		if err := sessions.EndSession(ctx, me.User, r.PathParam("sessionId")); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}

// StartTOTP: POST /me/mfa/totp.
func StartTOTP(a Auth, tf *admin.TwoFactorService) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, me self) (response, error) {
		var in struct{}
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		e, err := tf.StartTOTP(ctx, me.User)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, totpEnrolmentBody{Secret: e.Secret, OtpauthURL: e.URL, QRCode: e.QRCode,
			ExpiresAt: tf.Now().Add(admin.PendingEnrolmentTTL)})
	})
}

// ConfirmTOTP: POST /me/mfa/totp/confirm.
func ConfirmTOTP(a Auth, tf *admin.TwoFactorService) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, me self) (response, error) {
		var in mfaCodeRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		codes, err := tf.ConfirmTOTP(ctx, me.User, in.Code)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, recoveryCodesBody{RecoveryCodes: codes})
	})
}

// RegenerateRecoveryCodes: POST /me/mfa/recovery-codes.
func RegenerateRecoveryCodes(a Auth, tf *admin.TwoFactorService) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, me self) (response, error) {
		var in mfaCodeRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		codes, err := tf.RegenerateRecoveryCodes(ctx, me.User, in.Code)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, recoveryCodesBody{RecoveryCodes: codes})
	})
}

// RemoveTOTP: DELETE /me/mfa/totp with the body {"code"}.
func RemoveTOTP(a Auth, tf *admin.TwoFactorService) apigw.Handler {
	return anyUser(a, func(ctx context.Context, r *apigw.Request, me self) (response, error) {
		var in mfaCodeRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		if err := tf.RemoveTOTP(ctx, me.User, in.Code); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}

// ResetUserMFA: DELETE /users/{userId}/mfa (global admins).
func ResetUserMFA(a Auth, tf *admin.TwoFactorService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := tf.ResetSecondFactor(ctx, s, r.PathParam("userId")); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}
