// Package telemetry measures one invocation: DynamoDB round trips and consumed capacity, and
// writes them as a CloudWatch Embedded Metric Format (EMF) log line, so the same numbers reach
// CloudWatch metrics in AWS and the benchmark locally.
package telemetry

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go/middleware"
)

// Meter accumulates the measurements of one invocation. It is safe for concurrent use.
type Meter struct {
	mu         sync.Mutex
	RoundTrips int
	// calls is when each call ran (CallTimer), for Sequential.
	calls      []span
	ReadUnits  float64
	WriteUnits float64
	Ops        map[string]int
	// Access is every IAM-level DynamoDB action with the partition-key family it touched
	// ("PutItem PARTNER"): a test compares it with what template.yaml grants the function.
	Access map[string]bool
}

type key struct{}

// With returns a context carrying a fresh Meter.
func With(ctx context.Context) (context.Context, *Meter) {
	m := &Meter{Ops: map[string]int{}, Access: map[string]bool{}}
	return context.WithValue(ctx, key{}, m), m
}

// From returns the context's Meter, or nil.
func From(ctx context.Context) *Meter {
	m, _ := ctx.Value(key{}).(*Meter)
	return m
}

// RecordCall records one DynamoDB round trip of operation op and the capacity it consumed.
func RecordCall(ctx context.Context, op string, read, write float64) {
	m := From(ctx)
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.RoundTrips++
	m.ReadUnits += read
	m.WriteUnits += write
	m.Ops[op]++
}

type span struct{ start, end time.Time }

// CallTimer is an APIOptions entry of a DynamoDB client: it records when each call ran on the
// invocation's meter, from which Sequential is computed.
func CallTimer(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("PartnerAdminCenterCallTimer",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			m := From(ctx)
			if m == nil {
				return next.HandleInitialize(ctx, in)
			}
			start := time.Now()
			defer func() {
				m.mu.Lock()
				m.calls = append(m.calls, span{start, time.Now()})
				m.mu.Unlock()
			}()
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
}

// Sequential is the round trips of latency: the longest chain of calls of which each started
// after the one before it ended. Calls in flight together (a route's concurrent reads) are in no
// chain with each other, so they count once; a call that waited for others counts after them.
func (m *Meter) Sequential() int {
	m.mu.Lock()
	calls := slices.Clone(m.calls)
	m.mu.Unlock()
	slices.SortFunc(calls, func(a, b span) int { return a.start.Compare(b.start) })
	chain, longest := make([]int, len(calls)), 0
	for i, c := range calls {
		chain[i] = 1
		for j := range i {
			if !calls[j].end.After(c.start) {
				chain[i] = max(chain[i], chain[j]+1)
			}
		}
		longest = max(longest, chain[i])
	}
	return longest
}

// RecordAccess records that an IAM action (GetItem, PutItem, …, also each action inside a
// transaction) touched a partition key; only its family (the text before the first '#') is kept.
func RecordAccess(ctx context.Context, action, partitionKey string) {
	m := From(ctx)
	if m == nil {
		return
	}
	family, _, _ := strings.Cut(partitionKey, "#")
	m.mu.Lock()
	defer m.mu.Unlock()
	m.Access[action+" "+family] = true
}

// Snapshot returns the current totals.
func (m *Meter) Snapshot() (roundTrips int, read, write float64, ops map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := make(map[string]int, len(m.Ops))
	for k, v := range m.Ops {
		cp[k] = v
	}
	return m.RoundTrips, m.ReadUnits, m.WriteUnits, cp
}

func (m *Meter) access() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Sorted(maps.Keys(m.Access))
}

// Namespace is the CloudWatch namespace of our metrics.
const Namespace = "PartnerAdminCenter"

// WriteEMF writes one EMF line for a finished invocation of route with status and duration.
func (m *Meter) WriteEMF(w io.Writer, function, route string, status int, took time.Duration, now time.Time) error {
	trips, read, write, ops := m.Snapshot()
	sequential := m.Sequential()
	line := map[string]any{
		"_aws": map[string]any{
			"Timestamp": now.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  Namespace,
				"Dimensions": [][]string{{"Function"}},
				"Metrics": []map[string]string{
					{"Name": "DynamoDBRoundTrips", "Unit": "Count"},
					{"Name": "DynamoDBSequentialRoundTrips", "Unit": "Count"},
					{"Name": "DynamoDBReadUnits", "Unit": "Count"},
					{"Name": "DynamoDBWriteUnits", "Unit": "Count"},
					{"Name": "Duration", "Unit": "Milliseconds"},
				},
			}},
		},
		"Function":                     function,
		"route":                        route,
		"status":                       status,
		"DynamoDBRoundTrips":           trips,
		"DynamoDBSequentialRoundTrips": sequential,
		"DynamoDBReadUnits":            read,
		"DynamoDBWriteUnits":           write,
		"Duration":                     float64(took.Microseconds()) / 1000,
		"dynamodbOps":                  ops,
		"dynamodbAccess":               m.access(),
	}
	b, err := json.Marshal(line)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
