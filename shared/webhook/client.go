package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Client sends webhook requests. Only https URLs whose host resolves to public addresses are
// accepted (Public), at registration (CheckURL) and on every connection: the dialer's Control
// checks the address actually connected to, so a host that resolves to a public address at
// registration and to a private one later (DNS rebinding) is refused at send time. Redirects
// are not followed (a 3xx is a failed attempt), no proxy is used, the request is bounded by
// short timeouts, and at most MaxResponseBytes of the answer are read.
type Client struct {
	// AllowLoopback admits http(s)://127.0.0.1 — the local runtime's own test receiver, and
	// nothing else on the loopback. WEBHOOK_ALLOW_LOOPBACK; off in template.yaml.
	AllowLoopback bool
	// LookupIP resolves a host name (default net.DefaultResolver).
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
	// Timeout bounds one request end to end (default 10 s); connecting, the TLS handshake and
	// the response headers have 5 s each within it.
	Timeout time.Duration
	// MaxResponseBytes is how much of an answer is read before the connection is dropped (4 KiB).
	MaxResponseBytes int64
	// Now stamps the signature (default time.Now): the receiver's clock is the reference.
	Now func() time.Time

	once sync.Once
	hc   *http.Client
}

var _ admin.WebhookSender = (*Client)(nil)

// NewSecret returns a fresh signing secret.
func (c *Client) NewSecret() (string, error) { return NewSecret() }

// Encode returns the JSON body of a subscription event.
func (c *Client) Encode(e admin.SubscriptionEvent) ([]byte, error) { return Encode(e) }

// TestEvent returns the JSON body of a test event.
func (c *Client) TestEvent(id, partnerID string, at time.Time) ([]byte, error) {
	return TestEvent(id, partnerID, at)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) lookup(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	if c.LookupIP != nil {
		return c.LookupIP(ctx, host)
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

var loopbackV4 = netip.MustParseAddr("127.0.0.1")

// allowed reports whether the client may connect to ip.
func (c *Client) allowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	return Public(ip) || (c.AllowLoopback && ip == loopbackV4)
}

// notPublic are the ranges Public refuses beyond what netip classifies (loopback, private,
// link-local, multicast, unspecified): shared and reserved IPv4 space, documentation and
// benchmarking ranges, and IPv6 prefixes that embed or translate to IPv4 addresses.
var notPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range []string{
		"0.0.0.0/8",          // "this network"
		"100.64.0.0/10",      // carrier-grade NAT (RFC 6598); also holds Alibaba's metadata address 100.100.100.200
		"192.0.0.0/24",       // IETF protocol assignments
		"192.0.2.0/24",       // documentation
		"192.88.99.0/24",     // 6to4 relay anycast
		"198.18.0.0/15",      // benchmarking
		"198.51.100.0/24",    // documentation
		"203.0.113.0/24",     // documentation
		"240.0.0.0/4",        // reserved, and the broadcast address
		"64:ff9b::/96",       // NAT64
		"64:ff9b:1::/48",     // local-use NAT64
		"100::/64",           // discard
		"2001::/32",          // Teredo
		"2001:db8::/32",      // documentation
		"2002::/16",          // 6to4
		"fc00::/7",           // unique local (holds AWS's IPv6 metadata address fd00:ec2::254)
		"169.254.0.0/16",     // link-local (the cloud metadata address 169.254.169.254)
		"fe80::/10",          // link-local
		"::ffff:0:0:0/96",    // IPv4-translated
		"fec0::/10",          // deprecated site-local
		"255.255.255.255/32", // broadcast
	} {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}()

// Public reports whether ip is a public unicast address: not loopback, private (RFC 1918),
// link-local (the metadata address), carrier-grade NAT, unique-local IPv6, multicast,
// unspecified, or a reserved, documentation or translation range.
func Public(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() || ip.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

func urlProblem(code, detail string) error { return admin.FieldErr("url", code, detail) }

// parse checks the URL's form: absolute, https (http only for the loopback allowance), a host,
// no credentials, no fragment.
func (c *Client) parse(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, urlProblem("format", "must be an absolute https URL such as https://hooks.example.com/pac")
	}
	if u.User != nil || u.Fragment != "" {
		return nil, urlProblem("format", "must not carry credentials or a fragment")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	loopback := c.AllowLoopback && u.Hostname() == loopbackV4.String()
	if u.Scheme != "https" && !(u.Scheme == "http" && loopback) {
		return nil, urlProblem("scheme", "must be an https URL")
	}
	return u, nil
}

// CheckURL returns the URL to store, or a validation error on field "url": not an https URL,
// a host that does not resolve, or one that resolves to any non-public address.
func (c *Client) CheckURL(ctx context.Context, raw string) (string, error) {
	u, err := c.parse(raw)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	ips, err := c.lookup(ctx, u.Hostname())
	if err != nil || len(ips) == 0 {
		return "", urlProblem("resolve", "the host does not resolve")
	}
	for _, ip := range ips {
		if !c.allowed(ip) {
			return "", urlProblem("not_public", "the host resolves to a private, loopback, link-local or otherwise non-public address")
		}
	}
	return u.String(), nil
}

// errRefused is the dialer's refusal of a non-public address.
var errRefused = errors.New("refused: the host resolves to a non-public address")

// control runs after the address to connect to is chosen and before connecting: the last word.
func (c *Client) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !c.allowed(ap.Addr()) {
		return errRefused
	}
	return nil
}

// dial resolves the host itself (LookupIP) and connects to its first allowed address that
// answers; Control re-checks each.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := c.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	d := &net.Dialer{Timeout: 5 * time.Second, Control: c.control}
	lastErr := errRefused
	for _, ip := range ips {
		conn, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func (c *Client) client() *http.Client {
	c.once.Do(func() {
		timeout := c.Timeout
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		c.hc = &http.Client{
			Timeout: timeout,
			Transport: &http.Transport{
				Proxy:                 nil, // never through a proxy: the dialer must see the real address
				DialContext:           c.dial,
				TLSHandshakeTimeout:   5 * time.Second,
				ResponseHeaderTimeout: 5 * time.Second,
				MaxIdleConnsPerHost:   2,
				IdleConnTimeout:       30 * time.Second,
			},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	})
	return c.hc
}

// Send posts body to rawURL, signed with secret, and reports the answer's status or why none
// came. The URL's form is checked again (the loopback allowance may be off now).
func (c *Client) Send(ctx context.Context, rawURL, secret, eventID string, body []byte) admin.SendResult {
	start := time.Now()
	u, err := c.parse(rawURL)
	if err != nil {
		return admin.SendResult{Err: "refused: the URL is not an https URL to a public host"}
	}
	if secret == "" {
		return admin.SendResult{Err: "no signing secret (the function has no LINK_KEY)"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return admin.SendResult{Err: "invalid request: " + err.Error()}
	}
	now := c.now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PartnerAdminCenter-Webhooks/1")
	req.Header.Set(HeaderID, eventID)
	req.Header.Set(HeaderTimestamp, fmt.Sprint(now.Unix()))
	req.Header.Set(HeaderSignature, Sign(secret, now, body))
	max := c.MaxResponseBytes
	if max <= 0 {
		max = 4 << 10
	}
	resp, err := c.client().Do(req)
	if err != nil {
		return admin.SendResult{Err: describe(err), Duration: time.Since(start)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, max))
	_ = resp.Body.Close()
	return admin.SendResult{StatusCode: resp.StatusCode, Duration: time.Since(start)}
}

// describe words a transport error for the delivery log, without Go's wrapping of the URL.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, errRefused):
		return errRefused.Error()
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	s := err.Error()
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
