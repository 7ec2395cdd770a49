package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// managedCustomer returns a customer of the demo partner under its full delegated
// administration, signing one up on first use through a trial invitation that includes it (the
// customer gets a 25-license trial of Microsoft 365 Business Premium).
func (d *driver) managedCustomer() (string, error) {
	if d.managed != "" {
		return d.managed, nil
	}
	m, err := d.call("POST", "/trial-invitations", d.token, map[string]any{"productId": "m365-business-premium",
		"delegatedAdmin": map[string]any{"scope": "full", "durationDays": 365}})
	if err != nil {
		return "", fmt.Errorf("create a trial invitation with delegated administration: %w", err)
	}
	u, err := url.Parse(m["url"].(string))
	if err != nil {
		return "", err
	}
	page := d.rt.APIURL + u.Path
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(page)
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	var token string
	for _, c := range resp.Cookies() {
		if c.Name == "pac_csrf" {
			token = c.Value
		}
	}
	k := d.seq.Add(1)
	email := fmt.Sprintf("morgan@managed%d.example", k)
	form := url.Values{"csrf": {token}, "mode": {"signup"}, "organization": {fmt.Sprintf("Managed Customer %d", k)},
		"domainPrefix": {fmt.Sprintf("managed%d", k)}, "country": {"DE"}, "adminName": {"Morgan Admin"},
		"email": {email}, "password": {benchCustomerPwd}, "delegatedAdmin": {"accept"}}
	req, _ := http.NewRequest("POST", page, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "pac_csrf", Value: token})
	if resp, err = client.Do(req); err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("sign up a managed customer: status %d: %.300s", resp.StatusCode, body)
	}
	m, err = d.call("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": benchCustomerPwd})
	if err != nil {
		return "", err
	}
	tenant, err := d.call("GET", "/tenant", m["accessToken"].(string), nil)
	if err != nil {
		return "", err
	}
	d.managed, d.managedAdmin = tenant["customerId"].(string), email
	return d.managed, nil
}

// subscriptionChange is a PATCH of the managed customer's trial that toggles its licenses
// between 24 and 25 at the version just read, so every call is a real change.
func subscriptionChange(d *driver) (*http.Request, error) {
	cid, err := d.managedCustomer()
	if err != nil {
		return nil, err
	}
	subs, err := d.call("GET", "/customers/"+cid+"/subscriptions", d.token, nil)
	if err != nil {
		return nil, err
	}
	s := subs["items"].([]any)[0].(map[string]any)
	n := 24
	if s["licenses"].(float64) == 24 {
		n = 25
	}
	return d.request("PATCH", "/customers/"+cid+"/subscriptions/"+s["subscriptionId"].(string), d.token,
		map[string]any{"licenses": n, "version": s["version"]}), nil
}
