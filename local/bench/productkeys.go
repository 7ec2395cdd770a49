package bench

import (
	"fmt"
	"io"
	"slices"
	"time"
)

const redeemRoute = "POST /product-keys/redemptions"

// RedeemFigures are the product-key redemption figures: redemptions of distinct keys over HTTP,
// alternately for an existing customer of the demo partner and for a new organization, each
// timed and with the DynamoDB work of its EMF line.
type RedeemFigures struct {
	Existing, New []RedeemSample
}

// RedeemSample is one redemption: its latency and its invocation's measurement.
type RedeemSample struct {
	Latency time.Duration
	M       Measurement
}

// redeemWarmUps are the redemptions before the samples, half of each kind: the first starts
// the function.
const redeemWarmUps = 4

// measureRedeem issues n+redeemWarmUps keys to the demo partner (the operator's route) and
// redeems each once as the demo global admin: even ones for the partner's seeded customers in
// turn (every delegated-admin state: a redemption needs none), odd ones for a new organization
// (whose admin's temporary password is hashed with argon2id, as every password is).
func measureRedeem(d *driver, n int) (RedeemFigures, error) {
	var f RedeemFigures
	pid := d.me["orgId"].(string)
	keys, err := d.issueKeys(pid, n+redeemWarmUps)
	if err != nil {
		return f, err
	}
	customers, err := d.partnerCustomers(pid)
	if err != nil {
		return f, err
	}
	for i, key := range keys {
		body := map[string]any{"key": key}
		existing := i%2 == 0
		if existing {
			body["customer"] = map[string]string{"customerId": customers[(i/2)%len(customers)]}
		} else {
			k := d.seq.Add(1)
			body["customer"] = map[string]string{"organization": fmt.Sprintf("Keyed Customer %d", k), "domainPrefix": fmt.Sprintf("keyed%d", k),
				"country": "DE", "adminName": "Kim Admin", "adminEmail": fmt.Sprintf("kim@keyed%d.example", k)}
		}
		req := d.request("POST", "/product-keys/redemptions", d.token, body)
		before := d.obs.count(redeemRoute)
		start := time.Now()
		if _, _, err := d.send(req); err != nil {
			return f, fmt.Errorf("redeem: %w", err)
		}
		took := time.Since(start)
		m, err := d.obs.after(redeemRoute, before)
		if err != nil {
			return f, err
		}
		if i < redeemWarmUps {
			continue
		}
		if existing {
			f.Existing = append(f.Existing, RedeemSample{took, m})
		} else {
			f.New = append(f.New, RedeemSample{took, m})
		}
	}
	return f, nil
}

// issueKeys issues n keys of Microsoft 365 Business Premium (10 licenses) to a partner and
// returns their text.
func (d *driver) issueKeys(pid string, n int) ([]string, error) {
	var keys []string
	for len(keys) < n {
		m, err := d.call("POST", "/operator/partners/"+pid+"/product-keys", d.rt.OperatorToken,
			map[string]any{"productId": "m365-business-premium", "licenses": 10, "count": min(n-len(keys), 500)})
		if err != nil {
			return nil, fmt.Errorf("issue product keys: %w", err)
		}
		for _, k := range m["keys"].([]any) {
			keys = append(keys, k.(map[string]any)["key"].(string))
		}
	}
	return keys, nil
}

// partnerCustomers returns the seeded customers of a demo partner, or the driver's managed
// customer when the runtime was not seeded with any.
func (d *driver) partnerCustomers(pid string) ([]string, error) {
	var out []string
	for _, p := range d.rt.Credentials.Partners {
		if p.PartnerID != pid {
			continue
		}
		for _, c := range d.rt.Credentials.Customers {
			if c.Partner == p.Name {
				out = append(out, c.CustomerID)
			}
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	id, err := d.managedCustomer()
	return []string{id}, err
}

// misses lists the redemptions' round trips of latency over the write budget.
func (f RedeemFigures) misses() []string {
	var out []string
	for _, k := range []struct {
		name    string
		samples []RedeemSample
	}{{"existing customer", f.Existing}, {"new organization", f.New}} {
		if trips := maxTrips(k.samples); trips > MaxWriteTrips {
			out = append(out, fmt.Sprintf("%s (%s): %d round trips > %d", redeemRoute, k.name, trips, MaxWriteTrips))
		}
	}
	return out
}

func maxTrips(s []RedeemSample) int {
	m := 0
	for _, x := range s {
		m = max(m, x.M.Sequential)
	}
	return m
}

func latencies(s ...[]RedeemSample) []time.Duration {
	var out []time.Duration
	for _, xs := range s {
		for _, x := range xs {
			out = append(out, x.Latency)
		}
	}
	return out
}

func (f RedeemFigures) print(w io.Writer) {
	fmt.Fprintf(w, "\nProduct key redemption (%s, %d distinct keys after %d warm-ups: half for existing customers of the partner, half for new\n"+
		"organizations, whose admin's temporary password is hashed with argon2id); round trips = round trips of latency (requests = every call)\n",
		redeemRoute, len(f.Existing)+len(f.New), redeemWarmUps)
	all := latencies(f.Existing, f.New)
	fmt.Fprintf(w, "  all                p50 %s, p90 %s, p99 %s, max %s\n", ms(percentile(all, 0.5)), ms(percentile(all, 0.9)), ms(percentile(all, 0.99)), ms(percentile(all, 1)))
	for _, k := range []struct {
		name    string
		samples []RedeemSample
	}{{"existing customer", f.Existing}, {"new organization", f.New}} {
		ds := latencies(k.samples)
		trips, calls := 0, 0
		for _, x := range k.samples {
			trips, calls = max(trips, x.M.Sequential), max(calls, x.M.Trips)
		}
		mark := "ok"
		if trips > MaxWriteTrips {
			mark = "MISS"
		}
		ops := []string{}
		if len(k.samples) > 0 {
			for op, c := range k.samples[len(k.samples)-1].M.Ops {
				ops = append(ops, fmt.Sprintf("%s %d", op, c))
			}
			slices.Sort(ops)
		}
		fmt.Fprintf(w, "  %-18s p50 %s, p99 %s; round trips %d, requests %d (%v), budget ≤ %d: %s\n", k.name, ms(percentile(ds, 0.5)),
			ms(percentile(ds, 0.99)), trips, calls, ops, MaxWriteTrips, mark)
	}
}
