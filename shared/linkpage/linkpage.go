// Package linkpage serves the customer-facing link pages of trial invitations, purchase offers
// and delegated-admin offers: server-rendered HTML that works without JavaScript. GET shows the
// offer and changes nothing (mail scanners open links); POST signs the customer up or in and
// accepts, in one transaction. Unknown, expired, revoked and used-up codes all get one page.
package linkpage

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

//go:embed templates/page.html
var files embed.FS

var (
	parseOnce sync.Once
	pages     map[string]*template.Template
	parseErr  error
)

// page returns the template whose content block is name (parsed on first use: a cold start
// that only serves the invalid page should not parse the rest).
func page(name string) (*template.Template, error) {
	parseOnce.Do(func() {
		base, err := template.ParseFS(files, "templates/page.html")
		if err != nil {
			parseErr = err
			return
		}
		pages = map[string]*template.Template{}
		for _, n := range []string{"invalid", "throttled", "failed", "offer", "done"} {
			t, err := base.Clone()
			if err == nil {
				_, err = t.New("content").Parse(`{{template "` + n + `" .}}`)
			}
			if err != nil {
				parseErr = err
				return
			}
			pages[n] = t
		}
	})
	return pages[name], parseErr
}

// Wording is what differs between the global cloud and the cloud operated by 21Vianet.
type Wording struct {
	Suite        string
	DomainSuffix string
	SignInURL    string
}

var wordings = map[admin.Cloud]Wording{
	admin.CloudGlobal:   {Suite: "Microsoft 365", DomainSuffix: ".onmicrosoft.com", SignInURL: "https://admin.microsoft.com"},
	admin.Cloud21Vianet: {Suite: "Microsoft 365 operated by 21Vianet — services are run in China by 21Vianet", DomainSuffix: ".partner.onmschina.cn", SignInURL: "https://portal.partner.microsoftonline.cn"},
}

type partnerView struct{ Name, Phone, Email, Website, Address string }

type lineView struct {
	ID, Name           string
	Licenses, Min, Max int
}

type daView struct {
	ScopeText  string
	Days       int
	AutoExtend bool
}

type view struct {
	Title, Heading, Action, CSRF, FormID, RequestID string
	Wording                                         Wording
	Partner                                         partnerView
	Trial                                           *admin.Product
	TrialDays                                       int
	Lines                                           []lineView
	DelegatedAdmin                                  *daView
	Form                                            map[string]string
	Secure                                          bool // the CSRF cookie gets the Secure attribute (HTTPS)
	Errors                                          []admin.FieldError
	Accepted                                        *admin.Accepted
}

// WithForm returns the view for one of the page's forms: element ids must be unique per page.
func (v view) WithForm(id string) view {
	v.FormID = id
	return v
}

// Err returns the message of a field's error, if any.
func (v view) Err(field string) string {
	for _, e := range v.Errors {
		if e.Field == field {
			return e.Detail
		}
	}
	return ""
}

// ErrPrefix returns the first message of a field starting with prefix.
func (v view) ErrPrefix(prefix string) string {
	for _, e := range v.Errors {
		if strings.HasPrefix(e.Field, prefix) {
			return e.Detail
		}
	}
	return ""
}

func partnerOf(p admin.Partner) partnerView {
	c := p.Contact
	pv := partnerView{Name: c.Name, Phone: c.Phone, Email: c.Email, Website: c.Website}
	if a := c.Address; a != nil {
		pv.Address = strings.Join(nonEmpty(a.Line1, a.Line2, strings.TrimSpace(a.PostalCode+" "+a.City), a.Region, a.Country), ", ")
	}
	return pv
}

func nonEmpty(xs ...string) []string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

func offerView(v view, lv admin.LinkView) view {
	l, p := lv.Link, lv.Partner
	v.Wording, v.Partner = wordings[p.Cloud], partnerOf(p)
	switch l.Kind {
	case admin.LinkTrial:
		prod, _ := admin.FindProduct(p.Cloud, l.ProductID)
		v.Trial, v.TrialDays = &prod, max(prod.TrialDays, admin.DefaultTrialDays)
		v.Heading, v.Title = "Try "+prod.Name, p.Contact.Name+" invites you to try "+prod.Name
	case admin.LinkOffer:
		for _, line := range l.Lines {
			prod, _ := admin.FindProduct(p.Cloud, line.ProductID)
			lic := line.Licenses
			if s, ok := v.Form["licenses."+line.ProductID]; ok {
				if n, err := strconv.Atoi(s); err == nil {
					lic = n
				}
			}
			v.Lines = append(v.Lines, lineView{ID: prod.ID, Name: prod.Name, Licenses: lic, Min: prod.MinLicenses, Max: prod.MaxLicenses})
		}
		v.Heading, v.Title = "Your offer from "+p.Contact.Name, p.Contact.Name+" — purchase offer"
	case admin.LinkDelegatedAdmin:
		v.Heading, v.Title = p.Contact.Name+" offers to administer your organization", p.Contact.Name+" — delegated administration"
	}
	if d := l.DelegatedAdmin; d != nil {
		scope := "limited administration (password administrator: view users and reset the passwords of users who are not administrators)"
		if d.Scope == admin.AccessFull {
			scope = "full administration (the rights of a global administrator)"
		}
		v.DelegatedAdmin = &daView{ScopeText: scope, Days: d.DurationDays, AutoExtend: d.AutoExtend}
	}
	v.Action = l.Kind.Path() + "" // completed by the caller with the code
	return v
}

// Service is what the pages need of the domain.
type Service interface {
	OpenLink(ctx context.Context, code, sourceIP string) (admin.LinkView, error)
	Accept(ctx context.Context, in admin.Acceptance) (admin.Accepted, error)
}

const csrfCookie = "pac_csrf"

// Open serves GET /<kind>/{code}: the offer and the forms. It writes nothing but a CSRF cookie
// (and a failed-lookup counter for rate limiting guesses).
func Open(svc Service, publicBaseURL string) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (events.APIGatewayV2HTTPResponse, error) {
		code := r.PathParam("code")
		lv, err := svc.OpenLink(ctx, code, r.Event.RequestContext.HTTP.SourceIP)
		if err != nil {
			return problemPage(r, err)
		}
		token := cookie(r, csrfCookie)
		if len(token) < 32 {
			token = newToken()
		}
		v := offerView(view{CSRF: token, Form: map[string]string{}, Secure: strings.HasPrefix(publicBaseURL, "https://")}, lv)
		v.Action += code
		return render(http.StatusOK, "offer", v, token)
	}
}

// Accept serves POST /<kind>/{code}: sign up or sign in, and accept.
func Accept(svc Service, publicBaseURL string) apigw.Handler {
	return func(ctx context.Context, r *apigw.Request) (events.APIGatewayV2HTTPResponse, error) {
		code := r.PathParam("code")
		form, err := url.ParseQuery(string(r.Body()))
		if err != nil || !isForm(r) || !knownFields(form) {
			return render(http.StatusBadRequest, "failed", view{Title: "Bad request", RequestID: r.Event.RequestContext.RequestID}, "")
		}
		// CSRF: the double-submitted token must match the cookie, and a browser's Origin must
		// be ours.
		token := cookie(r, csrfCookie)
		if len(token) < 32 || subtle.ConstantTimeCompare([]byte(token), []byte(form.Get("csrf"))) != 1 || !sameOrigin(r, publicBaseURL) {
			return render(http.StatusForbidden, "failed", view{Title: "Form expired", RequestID: r.Event.RequestContext.RequestID}, "")
		}
		in := admin.Acceptance{Code: code, DelegatedAdmin: form.Get("delegatedAdmin"), SourceIP: r.Event.RequestContext.HTTP.SourceIP}
		for k, vs := range form {
			if id, ok := strings.CutPrefix(k, "licenses."); ok && len(vs) == 1 {
				n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
				if err != nil {
					n = -1 // out of every range: reported as a field error
				}
				if in.Licenses == nil {
					in.Licenses = map[string]int{}
				}
				in.Licenses[id] = n
			}
		}
		switch form.Get("mode") {
		case "signin":
			in.SignIn = &admin.Credentials{Email: form.Get("email"), Password: form.Get("password")}
		default:
			in.SignUp = &admin.NewCustomer{Name: form.Get("organization"), DomainPrefix: form.Get("domainPrefix"), Country: form.Get("country"),
				AdminName: form.Get("adminName"), Email: form.Get("email"), Password: form.Get("password")}
		}
		res, err := admin.Accepted{}, textError(form)
		if err == nil {
			res, err = svc.Accept(ctx, in)
		}
		if err == nil {
			v := view{Title: "Done", Wording: wordings[res.Partner.Cloud], Partner: partnerOf(res.Partner), Accepted: &res}
			return render(http.StatusOK, "done", v, token)
		}
		var e *admin.Error
		if !errors.As(err, &e) {
			return response(err)
		}
		switch e.Code {
		case admin.CodeValidation, admin.CodeWeakPassword, admin.CodeEmailTaken, admin.CodeInvalidCredentials, admin.CodeForbidden:
			lv, oerr := svc.OpenLink(ctx, code, in.SourceIP)
			if oerr != nil {
				return problemPage(r, oerr)
			}
			values := map[string]string{}
			for _, k := range []string{"organization", "domainPrefix", "country", "adminName", "email", "delegatedAdmin"} {
				values[k] = shown(form.Get(k))
			}
			for k := range form {
				if strings.HasPrefix(k, "licenses.") {
					values[k] = shown(form.Get(k))
				}
			}
			if form.Get("mode") == "signin" {
				values["email"] = ""
			}
			fields := e.Fields
			if len(fields) == 0 || e.Code == admin.CodeInvalidCredentials || e.Code == admin.CodeForbidden {
				field := "signin"
				if e.Code == admin.CodeEmailTaken {
					field = "email"
				}
				fields = []admin.FieldError{{Field: field, Code: string(e.Code), Detail: e.Message}}
			}
			if e.Code == admin.CodeEmailTaken {
				fields = []admin.FieldError{{Field: "email", Code: "taken", Detail: "An organization already uses this email address: sign in below instead."}}
			}
			v := offerView(view{CSRF: token, Form: values, Errors: fields, Secure: strings.HasPrefix(publicBaseURL, "https://")}, lv)
			v.Action += code
			return render(apigw.StatusOf(e.Code), "offer", v, token)
		}
		return problemPage(r, err)
	}
}

func problemPage(r *apigw.Request, err error) (events.APIGatewayV2HTTPResponse, error) {
	switch admin.ErrorCode(err) {
	case admin.CodeNotFound:
		return render(http.StatusNotFound, "invalid", view{Title: "This link is not valid"}, "")
	case admin.CodeSignInThrottled:
		resp, rerr := render(http.StatusTooManyRequests, "throttled", view{Title: "Too many attempts"}, "")
		var e *admin.Error
		if errors.As(err, &e) && e.RetryAfter > 0 {
			resp.Headers["Retry-After"] = strconv.Itoa(e.RetryAfter)
		}
		return resp, rerr
	}
	return response(err)
}

// response hands an infrastructure error to the adapter (500, logged with the request id).
func response(err error) (events.APIGatewayV2HTTPResponse, error) {
	return events.APIGatewayV2HTTPResponse{}, err
}

func render(status int, name string, v view, token string) (events.APIGatewayV2HTTPResponse, error) {
	t, err := page(name)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	if v.FormID == "" {
		v.FormID = "f"
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		return events.APIGatewayV2HTTPResponse{}, err
	}
	resp := events.APIGatewayV2HTTPResponse{StatusCode: status, Body: b.String(), Headers: map[string]string{
		"Content-Type":            "text/html; charset=utf-8",
		"Cache-Control":           "no-store",
		"Referrer-Policy":         "no-referrer",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	}}
	if token != "" {
		c := csrfCookie + "=" + token + "; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600"
		if v.Secure {
			c += "; Secure"
		}
		resp.Cookies = []string{c}
	}
	return resp, nil
}

func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func cookie(r *apigw.Request, name string) string {
	for _, c := range r.Event.Cookies {
		for _, part := range strings.Split(c, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
			if ok && k == name {
				return v
			}
		}
	}
	return ""
}

// formFields are the fields the page's forms send; anything else is refused, as unknown JSON
// fields are on the API (licenses.<productId> fields are checked against the offer later). A
// name that is not valid UTF-8 is refused too, and so is a hidden field's value that is not;
// visible values are checked by textError.
var formFields = map[string]bool{"csrf": true, "mode": true, "organization": true, "domainPrefix": true, "country": true,
	"adminName": true, "email": true, "password": true, "delegatedAdmin": true}

func knownFields(form url.Values) bool {
	for k, vs := range form {
		if (!formFields[k] && !strings.HasPrefix(k, "licenses.")) || len(vs) != 1 || !utf8.ValidString(k) ||
			(hiddenFields[k] && !utf8.ValidString(vs[0])) {
			return false
		}
	}
	return true
}

func isForm(r *apigw.Request) bool {
	ct := r.Header("content-type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded")
}

// sameOrigin accepts a request without Origin (non-browser clients) or with ours. Under
// Referrer-Policy: no-referrer browsers send "Origin: null" on our own form posts; that is
// accepted only when the browser also says Sec-Fetch-Site: same-origin (the CSRF token is checked
// in any case).
func sameOrigin(r *apigw.Request, publicBaseURL string) bool {
	switch o := r.Header("origin"); o {
	case "":
		return true
	case "null":
		return r.Header("sec-fetch-site") == "same-origin"
	}
	o := r.Header("origin")
	u, err := url.Parse(publicBaseURL)
	return err == nil && strings.EqualFold(o, u.Scheme+"://"+u.Host)
}
