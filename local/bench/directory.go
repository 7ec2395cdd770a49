package bench

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// The customer directory at scale: one partner (the demo global partner) with 100, 10,000 and
// 100,000 customers, loaded straight into DynamoDB Local (store.PutDirectoryCustomers), and the
// list and the search measured through the local HTTP API at each size.

// DefaultDirectorySizes are the customer counts of the directory figures.
var DefaultDirectorySizes = []int{100, 10_000, 100_000}

// MaxDirectoryRatio is the target of p99 at the largest size over p99 at the smallest.
const MaxDirectoryRatio = 1.2

// DirectoryFigures are the directory's measurements.
type DirectoryFigures struct {
	Sizes   []int
	Seeding []time.Duration                    // time to load up to each size
	Warm    map[string]map[int][]time.Duration // query → size → latencies
	Trips   map[string]map[int]Measurement     // query → size → last EMF measurement
	Rows    map[string]map[int]int             // query → size → rows of the measured page
	queries []struct{ name, path string }      // in print order
	later   map[int]string                     // size → the list's cursor of a later page
	seeded  int
}

// directoryWords make the customers' names: "<word> <word> <suffix> <n>" — a common word prefix
// ("gro": Group, one customer in five, a later word) and a rare name (one customer).
var (
	firstWords = []string{"Alpen", "Berg", "Contoso", "Delta", "Elbe", "Fabrik", "Gold", "Hansa", "Isar", "Jade", "Kiel", "Lahn", "Main", "Nord", "Oder", "Polar", "Quell", "Rhein", "Saar", "Tauber"}
	nextWords  = []string{"Bau", "Handel", "Logistik", "Medien", "Software", "Energie", "Technik", "Service", "Consult", "Pharma", "Textil", "Druck"}
	suffixes   = []string{"GmbH", "AG", "Group", "KG", "Ltd"}
)

const rareName = "Quetzalcoatl Ventures"

func directoryCustomer(p admin.Partner, n int, since time.Time) store.DirectoryCustomer {
	name := fmt.Sprintf("%s %s %s %d", firstWords[n%len(firstWords)], nextWords[(n/len(firstWords))%len(nextWords)], suffixes[(n/7)%len(suffixes)], n)
	if n == 4242 {
		name = rareName
	}
	var da *admin.DelegatedAdmin
	if n%3 != 0 {
		da = &admin.DelegatedAdmin{Scope: admin.AccessFull, StartsAt: since, EndsAt: since.AddDate(0, 0, 1+n%700), Status: "active"}
	}
	c := store.NewDirectoryCustomer(p, admin.Customer{ID: fmt.Sprintf("cus_bench%021d", n), Name: name, DomainPrefix: fmt.Sprintf("d%dx", n), Country: "DE"}, since, da, nil)
	c.Customer.SubscriptionCount = n % 4
	c.IndexOnly = true
	return c
}

// measureDirectory loads the sizes one after another and measures every query warm at each.
func measureDirectory(ctx context.Context, d *driver, sizes []int, runs int, out io.Writer) (*DirectoryFigures, error) {
	f := &DirectoryFigures{Sizes: sizes, Warm: map[string]map[int][]time.Duration{}, Trips: map[string]map[int]Measurement{}, Rows: map[string]map[int]int{}, later: map[int]string{}}
	f.queries = []struct{ name, path string }{
		{"search: common word prefix (q=gro)", "/customers?q=gro"},
		{"search: rare name (q=quetzal)", "/customers?q=quetzal"},
		{"search: domain prefix (q=d42)", "/customers?q=d42"},
		{"list: first page", "/customers"},
		{"list: a later page (5th)", ""},
	}
	st := store.New(d.rt.DynamoDB, d.rt.TableName)
	p, err := st.Partner(ctx, d.me["orgId"].(string))
	if err != nil {
		return nil, err
	}
	since := time.Now().UTC()
	for _, size := range sizes {
		start := time.Now()
		var batch []store.DirectoryCustomer
		for n := f.seeded; n < size; n++ {
			batch = append(batch, directoryCustomer(p, n, since))
		}
		if err := st.PutDirectoryCustomers(ctx, batch, 16); err != nil {
			return nil, fmt.Errorf("bench: load %d customers: %w", size, err)
		}
		f.seeded = size
		f.Seeding = append(f.Seeding, time.Since(start))
		fmt.Fprintf(out, "bench: directory: %d customers loaded (+%d in %s); measuring…\n", size, len(batch), time.Since(start).Round(time.Millisecond))
		// The cursor of the list's 5th page at this size.
		cursor := ""
		for range 4 {
			m, err := d.call("GET", "/customers?cursor="+url.QueryEscape(cursor), d.token, nil)
			if err != nil {
				return nil, err
			}
			next, _ := m["nextCursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		for _, q := range f.queries {
			path := q.path
			if path == "" {
				path = "/customers?cursor=" + url.QueryEscape(cursor)
			}
			if f.Warm[q.name] == nil {
				f.Warm[q.name], f.Trips[q.name], f.Rows[q.name] = map[int][]time.Duration{}, map[int]Measurement{}, map[int]int{}
			}
			for i := 0; i < runs+10; i++ {
				n := d.obs.count("GET /customers")
				t0 := time.Now()
				_, m, err := d.send(d.request("GET", path, d.token, nil))
				took := time.Since(t0)
				if err != nil {
					return nil, fmt.Errorf("bench: %s: %w", path, err)
				}
				if i >= 10 {
					f.Warm[q.name][size] = append(f.Warm[q.name][size], took)
				}
				if i == runs+9 {
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

func (f *DirectoryFigures) print(w io.Writer, r *Report) {
	fmt.Fprintf(w, "\nCustomer directory: one partner's customers loaded into DynamoDB Local with BatchWriteItem (16 workers):\n")
	for i, s := range f.Sizes {
		fmt.Fprintf(w, "  up to %d customers: %s\n", s, f.Seeding[i].Round(time.Millisecond))
	}
	fmt.Fprintf(w, "GET /customers through the local HTTP API (%d warm requests per query and size); requests = DynamoDB calls of the\n"+
		"request (the authentication's BatchGetItem included), round trips = of latency (calls in flight together count once)\n", len(f.Warm[f.queries[0].name][f.Sizes[0]]))
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
