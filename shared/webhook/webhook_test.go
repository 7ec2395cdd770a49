package webhook

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

func TestSignAndVerify(t *testing.T) {
	secret, err := NewSecret()
	if err != nil || !strings.HasPrefix(secret, SecretPrefix) || len(secret) < 40 {
		t.Fatalf("secret %q, %v", secret, err)
	}
	body := []byte(`{"id":"evt_1"}`)
	at := time.Unix(1_800_000_000, 0)
	h := Sign(secret, at, body)
	if !strings.HasPrefix(h, "t=1800000000,v1=") {
		t.Fatalf("header %q", h)
	}
	cases := []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"valid", secret, h, string(body), at.Add(time.Minute), nil},
		{"valid among rotated signatures", secret, "t=1800000000,v1=00," + strings.TrimPrefix(h, "t=1800000000,"), string(body), at, nil},
		{"other secret", "whsec_other", h, string(body), at, ErrBadSignature},
		{"body changed", secret, h, `{"id":"evt_2"}`, at, ErrBadSignature},
		{"timestamp changed", secret, strings.Replace(h, "t=1800000000", "t=1800000001", 1), string(body), at, ErrBadSignature},
		{"replayed late", secret, h, string(body), at.Add(Tolerance + time.Second), ErrStale},
		{"from the future", secret, h, string(body), at.Add(-Tolerance - time.Second), ErrStale},
		{"no signature", secret, "t=1800000000", string(body), at, ErrMalformed},
		{"garbage", secret, "nonsense", string(body), at, ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := Verify(c.secret, c.header, []byte(c.body), c.now, Tolerance); !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34": true, "8.8.8.8": true, "2606:4700::1111": true,
		"127.0.0.1": false, "127.1.2.3": false, "::1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.1.1": false,
		"169.254.169.254": false, "fd00:ec2::254": false, "100.64.0.1": false, "100.100.100.200": false, "0.0.0.0": false,
		"::": false, "fe80::1": false, "fc00::1": false, "224.0.0.1": false, "255.255.255.255": false, "240.0.0.1": false,
		"::ffff:10.0.0.1": false, "::ffff:127.0.0.1": false, "64:ff9b::a00:1": false, "2002:a00:1::": false, "198.18.0.1": false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

// lookups resolves names from a table (no DNS in tests).
func lookups(table map[string][]string) func(context.Context, string) ([]netip.Addr, error) {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		var out []netip.Addr
		for _, a := range table[host] {
			out = append(out, netip.MustParseAddr(a))
		}
		if len(out) == 0 {
			return nil, errors.New("no such host")
		}
		return out, nil
	}
}

func TestCheckURL(t *testing.T) {
	names := map[string][]string{
		"hooks.example.com": {"93.184.216.34"}, "internal.example.com": {"10.1.2.3"}, "mixed.example.com": {"93.184.216.34", "127.0.0.1"},
		"metadata.example.com": {"169.254.169.254"}, "v6local.example.com": {"fd00::1"}, "localhost": {"127.0.0.1"},
	}
	cases := []struct {
		url      string
		loopback bool
		code     string // "" = accepted
	}{
		{"https://hooks.example.com/pac", false, ""},
		{"HTTPS://hooks.example.com:8443/pac?x=1", false, ""},
		{"http://hooks.example.com/pac", false, "scheme"},
		{"ftp://hooks.example.com/pac", false, "scheme"},
		{"https://internal.example.com/", false, "not_public"},
		{"https://mixed.example.com/", false, "not_public"},
		{"https://metadata.example.com/", false, "not_public"},
		{"https://v6local.example.com/", false, "not_public"},
		{"https://169.254.169.254/latest/meta-data", false, "not_public"},
		{"https://[fd00:ec2::254]/", false, "not_public"},
		{"https://127.0.0.1/", false, "not_public"},
		{"https://[::1]/", false, "not_public"},
		{"https://10.0.0.1/", false, "not_public"},
		{"https://100.64.1.1/", false, "not_public"},
		{"https://localhost/", false, "not_public"},
		{"https://nowhere.example.com/", false, "resolve"},
		{"https://user:pw@hooks.example.com/", false, "format"},
		{"https://hooks.example.com/#frag", false, "format"},
		{"hooks.example.com/pac", false, "format"},
		{"https:///pac", false, "format"},
		// The local allowance: http://127.0.0.1 only, nothing else of the loopback.
		{"http://127.0.0.1:9000/hook", false, "scheme"},
		{"http://127.0.0.1:9000/hook", true, ""},
		{"https://127.0.0.1:9000/hook", true, ""},
		{"http://localhost:9000/hook", true, "scheme"},
		{"https://127.0.0.2/hook", true, "not_public"},
		{"https://[::1]:9000/hook", true, "not_public"},
		{"https://internal.example.com/", true, "not_public"},
	}
	for _, c := range cases {
		t.Run(c.url, func(t *testing.T) {
			cl := &Client{AllowLoopback: c.loopback, LookupIP: lookups(names)}
			got, err := cl.CheckURL(context.Background(), c.url)
			if c.code == "" {
				if err != nil || got == "" {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae *admin.Error
			if !errors.As(err, &ae) || ae.Code != admin.CodeValidation || len(ae.Fields) != 1 || ae.Fields[0].Field != "url" || ae.Fields[0].Code != c.code {
				t.Fatalf("CheckURL = %q, %v; want url/%s", got, err, c.code)
			}
		})
	}
}

// receiver is an httptest server on 127.0.0.1 that verifies signatures.
func receiver(t *testing.T, secret string, status int) (*httptest.Server, *atomic.Int32) {
	var verified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if Verify(secret, r.Header.Get(HeaderSignature), body, time.Now(), Tolerance) == nil && r.Header.Get(HeaderID) == "evt_1" {
			verified.Add(1)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.Repeat("x", 1<<20)))
	}))
	t.Cleanup(srv.Close)
	return srv, &verified
}

func TestSendSignsAndVerifies(t *testing.T) {
	secret, _ := NewSecret()
	srv, verified := receiver(t, secret, http.StatusNoContent)
	cl := &Client{AllowLoopback: true}
	res := cl.Send(context.Background(), srv.URL+"/hook", secret, "evt_1", []byte(`{"id":"evt_1"}`))
	if !res.OK() || res.StatusCode != 204 || verified.Load() != 1 {
		t.Fatalf("result %+v, verified %d", res, verified.Load())
	}
}

// TestSendRefusesNonPublicAtConnect: a host that passed the check at registration (it resolved to
// a public address then) and resolves to the loopback now (DNS rebinding) is refused by the
// dialer; so is a literal loopback URL once the local allowance is off.
func TestSendRefusesNonPublicAtConnect(t *testing.T) {
	secret, _ := NewSecret()
	srv, verified := receiver(t, secret, http.StatusOK)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	var calls atomic.Int32
	rebind := func(_ context.Context, host string) ([]netip.Addr, error) {
		if calls.Add(1) == 1 {
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	cl := &Client{LookupIP: rebind}
	u := "https://rebind.example.com:" + port + "/hook"
	if _, err := cl.CheckURL(context.Background(), u); err != nil {
		t.Fatalf("registration: %v", err)
	}
	res := cl.Send(context.Background(), u, secret, "evt_1", []byte(`{}`))
	if res.OK() || !strings.Contains(res.Err, "non-public") {
		t.Fatalf("rebound send: %+v", res)
	}
	res = (&Client{}).Send(context.Background(), srv.URL, secret, "evt_1", []byte(`{}`))
	if res.OK() || !strings.Contains(res.Err, "refused") {
		t.Fatalf("loopback without the allowance: %+v", res)
	}
	if verified.Load() != 0 {
		t.Fatalf("the receiver was reached %d times", verified.Load())
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	t.Cleanup(target.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirect.Close)
	res := (&Client{AllowLoopback: true}).Send(context.Background(), redirect.URL, "whsec_x", "evt_1", []byte(`{}`))
	if res.OK() || res.StatusCode != http.StatusTemporaryRedirect || followed.Load() != 0 {
		t.Fatalf("result %+v, followed %d", res, followed.Load())
	}
}

func TestSendTimesOut(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	t.Cleanup(func() { close(release); srv.Close() })
	res := (&Client{AllowLoopback: true, Timeout: 200 * time.Millisecond}).Send(context.Background(), srv.URL, "whsec_x", "evt_1", []byte(`{}`))
	if res.OK() || res.Err != "timed out" {
		t.Fatalf("result %+v", res)
	}
}

func TestEncode(t *testing.T) {
	at := time.Date(2026, 5, 4, 8, 30, 0, 0, time.UTC)
	sub := admin.Subscription{ID: "sub_1", ProductID: "p", ProductName: "P", Licenses: 5, Status: admin.SubscriptionSuspended, PartnerOfRecord: "ptn_1", Version: 3}
	before := sub
	before.Status, before.Version = admin.SubscriptionActive, 2
	b, err := Encode(admin.SubscriptionEvent{ID: "evt_1", Kind: admin.EventSuspended, At: at, PartnerID: "ptn_1", Cloud: admin.CloudGlobal,
		CustomerID: "cus_1", CustomerName: "Litware", Subscription: sub, Before: &before})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"evt_1","type":"subscription.suspended","createdAt":"2026-05-04T08:30:00Z","partnerId":"ptn_1","cloud":"global",` +
		`"data":{"customer":{"customerId":"cus_1","name":"Litware"},"subscription":{"subscriptionId":"sub_1","productId":"p","productName":"P",` +
		`"licenses":5,"status":"suspended","partnerOfRecord":"ptn_1","version":3},"previous":{"subscriptionId":"sub_1","productId":"p",` +
		`"productName":"P","licenses":5,"status":"active","partnerOfRecord":"ptn_1","version":2}}}`
	if string(b) != want {
		t.Fatalf("body\n%s\nwant\n%s", b, want)
	}
}
