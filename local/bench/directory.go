package bench

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/partner-admin-center/pac/local/seed"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// The customer directory at scale: a partner with 100, one with 10,000 and one with 100,000
// customers, loaded straight into DynamoDB Local (store.PutDirectoryCustomers), and the list and
// the search measured through the local HTTP API at each size.

// DefaultDirectorySizes are the customer counts of the directory figures.
var DefaultDirectorySizes = []int{100, 10_000, 100_000}

// MaxDirectoryRatio is the target of p99 at the largest size over p99 at the smallest.
const MaxDirectoryRatio = 1.2

// DirectoryFigures are the directory's measurements.
type DirectoryFigures struct {
	Sizes   []int
	Seeding []time.Duration                    // time to load each size's partner
	Warm    map[string]map[int][]time.Duration // query → size → latencies
	Trips   map[string]map[int]Measurement     // query → size → last EMF measurement
	Rows    map[string]map[int]int             // query → size → rows of the measured page
	queries []struct{ name, path string }      // in print order
	later   map[int]string                     // size → the list's cursor of a later page
}

// directoryWords make the customers' names: "<word> <word> <suffix> <n>" — a common word prefix
// ("gro": Group, one customer in five, a later word) and a rare name (one customer); the domain
// prefixes start with one of four stems ("oak": one customer in four).
var (
	firstWords = []string{"Alpen", "Berg", "Contoso", "Delta", "Elbe", "Fabrik", "Gold", "Hansa", "Isar", "Jade", "Kiel", "Lahn", "Main", "Nord", "Oder", "Polar", "Quell", "Rhein", "Saar", "Tauber"}
	nextWords  = []string{"Bau", "Handel", "Logistik", "Medien", "Software", "Energie", "Technik", "Service", "Consult", "Pharma", "Textil", "Druck"}
	suffixes   = []string{"GmbH", "AG", "Group", "KG", "Ltd"}
	stems      = []string{"ivy", "oak", "elm", "yew"}
)

const rareName = "Quetzalcoatl Ventures"

// directoryCustomer is the n-th of the size customers of the i-th directory partner; the one in
// the middle has the rare name.
func directoryCustomer(p admin.Partner, i, n, size int, since time.Time) store.DirectoryCustomer {
	name := fmt.Sprintf("%s %s %s %d", firstWords[n%len(firstWords)], nextWords[(n/len(firstWords))%len(nextWords)], suffixes[(n/7)%len(suffixes)], n)
	if n == size/2 {
		name = rareName
	}
	var da *admin.DelegatedAdmin
	if n%3 != 0 {
		da = &admin.DelegatedAdmin{Scope: admin.AccessFull, StartsAt: since, EndsAt: since.AddDate(0, 0, 1+n%700), Status: "active"}
	}
	c := store.NewDirectoryCustomer(p, admin.Customer{ID: fmt.Sprintf("cus_bench%02d%019d", i, n), Name: name, DomainPrefix: fmt.Sprintf("%s%dx", stems[n%len(stems)], n), Country: "DE"}, since, da, nil)
	c.Customer.SubscriptionCount = n % 4
	c.IndexOnly = true
	return c
}

// measureDirectory gives each size its own partner (onboarded through the API, its customers
// loaded straight into DynamoDB Local), then measures every query at every size interleaved — each
// round sends each query to each size's partner, starting at a different size — so that the
// machine's noise (a JVM pause of DynamoDB Local, a busy core) falls on all sizes alike and the
// p99 ratio compares the sizes, not the moments they were measured at.
func measureDirectory(ctx context.Context, d *driver, sizes []int, runs int, out io.Writer) (*DirectoryFigures, error) {
	f := &DirectoryFigures{Sizes: sizes, Warm: map[string]map[int][]time.Duration{}, Trips: map[string]map[int]Measurement{}, Rows: map[string]map[int]int{}, later: map[int]string{}}
	// Pages of 20: every query but the rare name fills a page at every size (the smallest has
	// 100 customers), so the sizes compare the same work.
	f.queries = []struct{ name, path string }{
		{"search: common word prefix (q=gro)", "/customers?limit=20&q=gro"},
		{"search: rare name (q=quetzal)", "/customers?limit=20&q=quetzal"},
		{"search: domain prefix (q=oak)", "/customers?limit=20&q=oak"},
		{"list: first page", "/customers?limit=20"},
		{"list: a later page (5th)", ""},
	}
	for _, q := range f.queries {
		f.Warm[q.name], f.Trips[q.name], f.Rows[q.name] = map[int][]time.Duration{}, map[int]Measurement{}, map[int]int{}
	}
	st := store.New(d.rt.DynamoDB, d.rt.TableName)
	since := time.Now().UTC()
	tokens := map[int]string{}
	for i, size := range sizes {
		pid, tok, err := d.directoryPartner(i)
		if err != nil {
			return nil, err
		}
		p, err := st.Partner(ctx, pid)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		batch := make([]store.DirectoryCustomer, size)
		for n := range size {
			batch[n] = directoryCustomer(p, i, n, size, since)
		}
		if err := st.PutDirectoryCustomers(ctx, batch, 16); err != nil {
			return nil, fmt.Errorf("bench: load %d customers: %w", size, err)
		}
		f.Seeding = append(f.Seeding, time.Since(start))
		fmt.Fprintf(out, "bench: directory: a partner with %d customers loaded in %s\n", size, time.Since(start).Round(time.Millisecond))
		// The cursor of the list's 5th page at this size.
		for range 4 {
			m, err := d.call("GET", "/customers?limit=20&cursor="+url.QueryEscape(f.later[size]), tok, nil)
			if err != nil {
				return nil, err
			}
			next, _ := m["nextCursor"].(string)
			if next == "" {
				break
			}
			f.later[size] = next
		}
		tokens[size] = tok
	}
	fmt.Fprintln(out, "bench: directory: measuring the sizes interleaved…")
	// One client at the speed of a warm request would exceed the route's throttle (template.yaml:
	// 100 requests/s, burst 200) and be answered 429, as API Gateway would: the requests are spaced
	// to 80 a second.
	pace := pacer{every: time.Second / 80}
	for round := 0; round < runs+10; round++ {
		for _, q := range f.queries {
			for k := range sizes {
				size := sizes[(round+k)%len(sizes)]
				path := q.path
				if path == "" {
					path = "/customers?limit=20&cursor=" + url.QueryEscape(f.later[size])
				}
				pace.wait()
				n := d.obs.count("GET /customers")
				t0 := time.Now()
				_, m, err := d.send(d.request("GET", path, tokens[size], nil))
				took := time.Since(t0)
				if err != nil {
					return nil, fmt.Errorf("bench: %s: %w", path, err)
				}
				if round >= 10 {
					f.Warm[q.name][size] = append(f.Warm[q.name][size], took)
				}
				if round == runs+9 {
					if f.Trips[q.name][size], err = d.obs.after("GET /customers", n); err != nil {
						return nil, err
					}
					items, _ := m["items"].([]any)
					f.Rows[q.name][size] = len(items)
				}
			}
		}
	}
	return f, nil
}

// directoryPartner onboards the i-th directory partner (delegated administration) and returns
// its id and a token of its first admin, whose temporary password is changed first.
func (d *driver) directoryPartner(i int) (pid, token string, err error) {
	email := fmt.Sprintf("admin@directory%d-%d.example", i, time.Now().UnixNano())
	m, err := d.call("POST", "/operator/partners", d.rt.OperatorToken, map[string]any{"name": fmt.Sprintf("Directory Partner %d", i), "cloud": "global",
		"authorizations": []string{"delegated_admin"}, "email": email, "firstAdmin": map[string]string{"email": email, "displayName": "Directory Admin"}})
	if err != nil {
		return "", "", fmt.Errorf("bench: onboard a directory partner: %w", err)
	}
	pid = m["partner"].(map[string]any)["partnerId"].(string)
	temp, _ := m["temporaryPassword"].(string)
	signIn := func(password string) (string, error) {
		s, err := d.call("POST", "/auth/sign-in", "", map[string]string{"email": email, "password": password})
		if err != nil {
			return "", fmt.Errorf("bench: sign in as a directory partner: %w", err)
		}
		return s["accessToken"].(string), nil
	}
	tok, err := signIn(temp)
	if err != nil {
		return "", "", err
	}
	ch, err := d.call("POST", "/me/password", tok, map[string]string{"currentPassword": temp, "newPassword": seed.Password})
	if err != nil {
		return "", "", fmt.Errorf("bench: change a directory admin's password: %w", err)
	}
	// The change begins a new session; a first admin (a global admin) enrols in it.
	tok, _ = ch["accessToken"].(string)
	return pid, tok, d.enrol(tok)
}

func (f *DirectoryFigures) print(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\nCustomer directory: a partner per size, its customers loaded into DynamoDB Local with BatchWriteItem (16 workers):\n")
	for i, s := range f.Sizes {
		fmt.Fprintf(w, "  %d customers: %s\n", s, f.Seeding[i].Round(time.Millisecond))
	}
	fmt.Fprintf(w, "GET /customers through the local HTTP API (%d warm requests per query and size); requests = DynamoDB calls of the\n"+
		"request (the authentication's BatchGetItem included), round trips = of latency (the longest chain of calls each sent after\n"+
		"the one before it answered); the sizes measured interleaved, round by round\n", len(f.Warm[f.queries[0].name][f.Sizes[0]]))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	head := "query"
	for _, s := range f.Sizes {
		head += fmt.Sprintf("\t%d p50\tp99\trows", s)
	}
	fmt.Fprintln(tw, head+"\tp99 ratio\t≤ 1.2\trequests\tround trips\t≤ 2")
	small, large := f.Sizes[0], f.Sizes[len(f.Sizes)-1]
	for _, q := range f.queries {
		line := q.name
		for _, s := range f.Sizes {
			ds := f.Warm[q.name][s]
			line += fmt.Sprintf("\t%s\t%s\t%d", ms(percentile(ds, 0.5)), ms(percentile(ds, 0.99)), f.Rows[q.name][s])
		}
		ratio := float64(percentile(f.Warm[q.name][large], 0.99)) / float64(percentile(f.Warm[q.name][small], 0.99))
		mark := "ok"
		if ratio > MaxDirectoryRatio {
			mark = "MISS"
			r.Failures = append(r.Failures, fmt.Sprintf("directory %s: p99 at %d / p99 at %d = %.2f > %.1f", q.name, large, small, ratio, MaxDirectoryRatio))
		}
		m := f.Trips[q.name][large]
		seq := m.Sequential
		tripMark := "ok"
		if seq > MaxReadTrips {
			tripMark = "MISS"
			r.Failures = append(r.Failures, fmt.Sprintf("directory %s: %d sequential round trips > %d", q.name, seq, MaxReadTrips))
		}
		line += fmt.Sprintf("\t%.2f\t%s\t%d (%s)\t%d\t%s", ratio, mark, m.Trips, opsText(m.Ops), seq, tripMark)
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
}

func opsText(ops map[string]int) string {
	var parts []string
	for _, op := range []string{"BatchGetItem", "Query", "GetItem"} {
		if ops[op] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", ops[op], op))
		}
	}
	return strings.Join(parts, ", ")
}

// pacer spaces requests at least every apart.
type pacer struct {
	every time.Duration
	next  time.Time
}

func (p *pacer) wait() {
	time.Sleep(time.Until(p.next))
	p.next = time.Now().Add(p.every)
}
