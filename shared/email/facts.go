package email

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// The outbox stores facts, not wording (docs/architecture.md, "Email outbox"): times in RFC 3339,
// counts as decimals, lists as JSON arrays. present derives the worded fields the templates show
// from them — this package owns sentences and date formats. Items written before the outbox held
// facts carry the worded fields already (lines, duration, summary, a formatted endedAt); present
// keeps those as they are, so such items still send.

// Date layouts of the emails.
const (
	dateLayout     = "2006-01-02"
	dateTimeLayout = "2 January 2006 15:04 MST"
)

type lineFact struct {
	ProductName string `json:"productName"`
	Licenses    int    `json:"licenses"`
}

type subscriptionFact struct {
	ProductName string `json:"productName"`
	Licenses    int    `json:"licenses"`
	Status      string `json:"status"`
	TrialEndsAt string `json:"trialEndsAt"`
}

// present returns data with the worded fields derived from its facts; data is not modified.
func present(data map[string]string) map[string]string {
	d := make(map[string]string, len(data)+2)
	for k, v := range data {
		d[k] = v
	}
	var lines []lineFact
	if listFact(d["lines"], &lines) {
		parts := make([]string, len(lines))
		for i, l := range lines {
			parts[i] = strconv.Itoa(l.Licenses) + " × " + l.ProductName
		}
		d["lines"] = strings.Join(parts, "; ")
	}
	if d["duration"] == "" && d["durationDays"] != "" {
		d["duration"] = d["durationDays"] + " days"
		if d["durationDays"] == "1" {
			d["duration"] = "1 day"
		}
	}
	if d["summary"] == "" && d["subscriptions"] != "" {
		d["summary"] = summary(d)
	}
	if n := d["daysLeft"]; n != "" && d["inDays"] == "" { // the clock's reminders
		d["inDays"] = "in " + n + " days"
		if n == "1" {
			d["inDays"] = "tomorrow"
		}
	}
	for _, f := range []string{"endedAt", "sentAt", "endsAt", "previousEndsAt", "trialEndsAt", "convertBy", "changedAt", "failingSince", "disabledAt"} {
		if t, err := time.Parse(time.RFC3339, d[f]); err == nil {
			d[f] = t.UTC().Format(dateTimeLayout)
		}
	}
	var cc []string
	if listFact(d["cc"], &cc) {
		d["cc"] = strings.Join(cc, ", ")
	}
	return d
}

// listFact decodes a JSON array fact; false when s is not one (a worded value of an older item).
func listFact(s string, out any) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), out) == nil
}

// summary words what an acceptance set up, one part per subscription and one for delegated
// administration, joined with "; " (the templates list the parts).
func summary(d map[string]string) string {
	var subs []subscriptionFact
	listFact(d["subscriptions"], &subs)
	var parts []string
	for _, s := range subs {
		if s.Status == "trial" {
			parts = append(parts, "trial of "+s.ProductName+" ("+strconv.Itoa(s.Licenses)+" licenses) until "+date(s.TrialEndsAt))
		} else {
			parts = append(parts, strconv.Itoa(s.Licenses)+" × "+s.ProductName)
		}
	}
	switch {
	case d["grantScope"] != "":
		parts = append(parts, "delegated administration ("+d["grantScope"]+") until "+date(d["grantEndsAt"]))
	case d["grantDeclined"] == "true":
		parts = append(parts, "delegated administration declined")
	}
	return strings.Join(parts, "; ")
}

func date(rfc3339 string) string {
	t, err := time.Parse(time.RFC3339, rfc3339)
	if err != nil {
		return rfc3339
	}
	return t.UTC().Format(dateLayout)
}
