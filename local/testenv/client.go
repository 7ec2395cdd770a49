package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/totp"
)

// Client calls the product's JSON API over real HTTP, as one caller (Token may be empty).
type Client struct {
	T     testing.TB
	Base  string
	Token string
}

// Reply is one answer: status, headers, the body decoded as a JSON object (if it is one), raw.
type Reply struct {
	Status int
	Header http.Header
	Body   map[string]any
	Raw    []byte
}

// Call sends a request; body (if any) is sent as JSON; headers are name, value pairs.
func (c Client) Call(method, path string, body any, headers ...string) Reply {
	c.T.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte) // raw bytes go as they are (json.Marshal would make them valid UTF-8)
		if !ok {
			b, _ = json.Marshal(body)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.Base+path, rd)
	if err != nil {
		c.T.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := Reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	_ = json.Unmarshal(raw, &r.Body)
	return r
}

// Must is Call that fails the test unless the status is status.
func (c Client) Must(status int, method, path string, body any, headers ...string) Reply {
	c.T.Helper()
	r := c.Call(method, path, body, headers...)
	if r.Status != status {
		c.T.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, status, r.Raw)
	}
	return r
}

// Str reads a string at a path of nested objects ("" when absent).
func Str(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		o, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = o[p]
	}
	s, _ := cur.(string)
	return s
}

// Num reads a number of an object as an int.
func Num(m map[string]any, k string) int { f, _ := m[k].(float64); return int(f) }

// LogBuffer collects a runtime's log output from many goroutines; reads are safe while it is
// being written.
type LogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Len returns how many bytes were written so far.
func (l *LogBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

// SignIn signs a user in and returns the access token. Where the answer asks for the second
// factor, it sends the code of totpSecret's current step; if that step's code was used already
// (each works once), it waits for the next step and sends that one.
func (c Client) SignIn(email, password, totpSecret string) string {
	c.T.Helper()
	r := c.Must(200, "POST", "/auth/sign-in", map[string]string{"email": email, "password": password})
	if r.Body["mfaRequired"] != true {
		return Str(r.Body, "accessToken")
	}
	if totpSecret == "" {
		c.T.Fatalf("sign-in of %s asks for a second factor, and the test has no secret", email)
	}
	for attempt := 0; ; attempt++ {
		code, err := totp.Authenticator{}.Code(totpSecret, time.Now())
		if err != nil {
			c.T.Fatal(err)
		}
		s := c.Call("POST", "/auth/sign-in/mfa", map[string]string{"mfaToken": Str(r.Body, "mfaToken"), "code": code})
		if s.Status == 200 {
			return Str(s.Body, "accessToken")
		}
		if attempt > 0 || Str(s.Body, "code") != "invalid_mfa_code" {
			c.T.Fatalf("sign-in of %s, second step: status %d: %s", email, s.Status, s.Raw)
		}
		time.Sleep(time.Until(time.Now().Truncate(30 * time.Second).Add(30*time.Second + 100*time.Millisecond)))
	}
}

// Enrol sets up two-factor sign-in for the client's user through the API and returns the secret.
func (c Client) Enrol() string {
	c.T.Helper()
	secret := Str(c.Must(200, "POST", "/me/mfa/totp", map[string]any{}).Body, "secret")
	code, err := totp.Authenticator{}.Code(secret, time.Now())
	if err != nil {
		c.T.Fatal(err)
	}
	c.Must(200, "POST", "/me/mfa/totp/confirm", map[string]string{"code": code})
	return secret
}
