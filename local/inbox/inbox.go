// Package inbox reads the SES emulator's store (aws-ses-v2-local: GET <endpoint>/store), the
// local stand-in for the recipients' mailboxes. The emulator is shared by every test of a
// `make test` run, so callers select their own emails (by a recipient address unique to the
// test) and never clear the store.
package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Email is one email as the emulator stored it.
type Email struct {
	MessageID   string `json:"messageId"`
	From        string `json:"from"`
	Destination struct {
		To  []string `json:"to"`
		Cc  []string `json:"cc"`
		Bcc []string `json:"bcc"`
	} `json:"destination"`
	Subject string `json:"subject"`
	Body    struct {
		HTML string `json:"html"`
		Text string `json:"text"`
	} `json:"body"`
	At int64 `json:"at"` // epoch seconds
}

// Fetch returns the emails stored since the given time (second precision, inclusive; zero:
// all), oldest first.
func Fetch(ctx context.Context, endpoint string, since time.Time) ([]Email, error) {
	url := strings.TrimRight(endpoint, "/") + "/store"
	if !since.IsZero() {
		url += "?since=" + strconv.FormatInt(since.Unix(), 10)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("inbox: GET %s: %s: %s", url, resp.Status, body)
	}
	var store struct {
		Emails []Email `json:"emails"`
	}
	if err := json.Unmarshal(body, &store); err != nil {
		return nil, fmt.Errorf("inbox: %w", err)
	}
	return store.Emails, nil
}

// To keeps the emails addressed (To, Cc or Bcc) to any of the addresses.
func To(emails []Email, addresses ...string) []Email {
	var out []Email
	for _, e := range emails {
		for _, a := range slices.Concat(e.Destination.To, e.Destination.Cc, e.Destination.Bcc) {
			if slices.ContainsFunc(addresses, func(x string) bool { return strings.EqualFold(x, a) }) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// Wait polls until match holds for the emails since the given time, or ctx ends.
func Wait(ctx context.Context, endpoint string, since time.Time, match func([]Email) bool) ([]Email, error) {
	for {
		emails, err := Fetch(ctx, endpoint, since)
		if err == nil && match(emails) {
			return emails, nil
		}
		select {
		case <-ctx.Done():
			if err != nil {
				return emails, err
			}
			return emails, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
}
