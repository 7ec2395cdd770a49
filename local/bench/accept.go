package bench

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AcceptFigures are the accept flow's figures: latency of the POST that signs a new customer up
// and accepts a trial with delegated administration, and the DynamoDB work of one acceptance.
type AcceptFigures struct {
	Latency      []time.Duration
	Reads        int // GetItem, BatchGetItem and Query calls of one acceptance
	Transactions int
	Other        int // any other call (there should be none)
}

// measureAccept creates a trial invitation and accepts it n times over HTTP, each time as a new
// organization (the page GET that fetches the CSRF token is not timed).
func measureAccept(d *driver, n int) (AcceptFigures, error) {
	var f AcceptFigures
	m, err := d.call("POST", "/trial-invitations", d.token, map[string]any{"productId": "m365-business-premium",
		"delegatedAdmin": map[string]any{"scope": "limited"}})
	if err != nil {
		return f, fmt.Errorf("create a trial invitation: %w", err)
	}
	u, err := url.Parse(m["url"].(string))
	if err != nil {
		return f, err
	}
	page := d.rt.APIURL + u.Path
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i := 0; i < n+5; i++ {
		resp, err := client.Get(page)
		if err != nil {
			return f, err
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
		form := url.Values{"csrf": {token}, "mode": {"signup"}, "organization": {fmt.Sprintf("Bench Customer %d", k)},
			"domainPrefix": {fmt.Sprintf("benchcust%d", k)}, "country": {"DE"}, "adminName": {"Riley Admin"},
			"email": {fmt.Sprintf("riley@benchcust%d.example", k)}, "password": {"Quiet-River-Passphrase-1"}, "delegatedAdmin": {"accept"}}
		req, _ := http.NewRequest("POST", page, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "pac_csrf", Value: token})
		before := d.obs.count("POST /trial/{code}")
		start := time.Now()
		resp, err = client.Do(req)
		took := time.Since(start)
		if err != nil {
			return f, err
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return f, fmt.Errorf("accept: status %d: %.300s", resp.StatusCode, body)
		}
		if i >= 5 { // the first few warm the function up
			f.Latency = append(f.Latency, took)
		}
		if i == n+4 {
			ms, err := d.obs.after("POST /trial/{code}", before)
			if err != nil {
				return f, err
			}
			for op, c := range ms.Ops {
				switch op {
				case "GetItem", "BatchGetItem", "Query":
					f.Reads += c
				case "TransactWriteItems":
					f.Transactions += c
				default:
					f.Other += c
				}
			}
		}
	}
	return f, nil
}

func (f AcceptFigures) print(w io.Writer) {
	fmt.Fprintf(w, "\nAccept flow: a new organization signs up and accepts a trial with delegated administration (POST /trial/{code}, %d requests after 5 warm-ups)\n", len(f.Latency))
	mark := "ok"
	if f.Reads > 3 || f.Transactions != 1 || f.Other > 0 {
		mark = "MISS"
	}
	fmt.Fprintf(w, "  latency p50 %s, p90 %s, p99 %s, max %s\n", ms(percentile(f.Latency, 0.5)), ms(percentile(f.Latency, 0.9)),
		ms(percentile(f.Latency, 0.99)), ms(percentile(f.Latency, 1)))
	fmt.Fprintf(w, "  DynamoDB per accept: %d reads, %d transaction(s), %d other calls (target ≤ 3 reads and one transaction): %s\n",
		f.Reads, f.Transactions, f.Other, mark)
}
