package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/local/template"
)

func TestParseAndNext(t *testing.T) {
	base := time.Date(2026, 11, 24, 10, 7, 30, 0, time.UTC) // a Tuesday
	cases := []struct {
		expr string
		want []time.Time
	}{
		{"rate(1 minute)", []time.Time{base.Add(time.Minute), base.Add(2 * time.Minute)}},
		{"rate(5 minutes)", []time.Time{base.Add(5 * time.Minute), base.Add(10 * time.Minute)}},
		{"rate(2 hours)", []time.Time{base.Add(2 * time.Hour), base.Add(4 * time.Hour)}},
		{"rate(1 day)", []time.Time{base.Add(24 * time.Hour), base.Add(48 * time.Hour)}},
		{"cron(0/15 * * * ? *)", []time.Time{time.Date(2026, 11, 24, 10, 15, 0, 0, time.UTC), time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC)}},
		{"cron(0 2 * * ? *)", []time.Time{time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)}},
		{"cron(30 9 ? * MON-FRI *)", []time.Time{time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC), time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)}},
		{"cron(0 8 1 JAN,JUL ? 2027)", []time.Time{time.Date(2027, 1, 1, 8, 0, 0, 0, time.UTC), time.Date(2027, 7, 1, 8, 0, 0, 0, time.UTC)}},
		{"cron(0 12 ? * SAT *)", []time.Time{time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC), time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)}},
	}
	for _, c := range cases {
		e, err := Parse(c.expr, "")
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		at := base
		for i, want := range c.want {
			at = e.Next(base, at)
			if !at.Equal(want) {
				t.Errorf("%s: firing %d at %v, want %v", c.expr, i+1, at, want)
				break
			}
		}
	}
	for _, bad := range []string{"rate(0 minutes)", "rate(1 minutes)", "rate(5 minute)", "rate(5 seconds)", "cron(* * * * *)", "cron(0 0 L * ? *)",
		"cron(0 0 * * * *)", "cron(0 0 ? * ? *)", "cron(61 * * * ? *)", "at(2026-01-01T00:00:00)", "every minute"} {
		if _, err := Parse(bad, ""); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if _, err := Parse("cron(0 9 * * ? *)", "Mars/Olympus"); err == nil {
		t.Error("an unknown timezone was accepted")
	}
}

type invoker struct {
	mu     sync.Mutex
	events [][]byte
	fail   int // fail this many calls first
}

func (i *invoker) Invoke(_ context.Context, fn string, payload []byte) ([]byte, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.events = append(i.events, payload)
	if i.fail > 0 {
		i.fail--
		return nil, errors.New("boom")
	}
	return []byte("null"), nil
}

func (i *invoker) count() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return len(i.events)
}

func TestSchedulerFiresScheduledEvents(t *testing.T) {
	inv := &invoker{fail: 1}
	var mu sync.Mutex
	var results []error
	s, err := Start(Config{Invoker: inv, Speedup: 600, OnFire: func(_ string, err error) { mu.Lock(); results = append(results, err); mu.Unlock() }},
		Target{Function: "SweepOutboxFunction", Event: template.ScheduleEvent{Name: "Sweep", Type: "Schedule", Expression: "rate(1 minute)", Enabled: true}},
		Target{Function: "Off", Event: template.ScheduleEvent{Name: "Never", Type: "Schedule", Expression: "rate(1 minute)", Enabled: false}})
	if err != nil {
		t.Fatal(err)
	}
	// At 600x, rate(1 minute) fires every 100 ms: 4 invocations take ~0.4 s. The limit is loose
	// for a loaded machine, and still tells the speedup apart: below 8x, 4 firings take 30 s.
	deadline := time.Now().Add(30 * time.Second)
	for inv.count() < 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	_ = s.Close()
	if inv.count() < 4 {
		t.Fatalf("%d invocations in 30 s at 600x (one every 100 ms)", inv.count())
	}
	mu.Lock()
	if len(results) == 0 || results[0] != nil {
		t.Errorf("the first firing failed once and must succeed on its retry: %v", results)
	}
	mu.Unlock()
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(inv.events[0], &ev); err != nil {
		t.Fatal(err)
	}
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || ev.Region != "us-east-1" || ev.AccountID != "000000000000" ||
		len(ev.Resources) != 1 || ev.Time.IsZero() || string(ev.Detail) != "{}" || ev.ID == "" || ev.Version != "0" {
		t.Errorf("event %+v", ev)
	}
}

func TestInputReplacesTheEvent(t *testing.T) {
	tg := Target{Function: "F", Event: template.ScheduleEvent{Input: `{"sweep":true}`}}
	if got := string(Event(tg, "us-east-1", "0", time.Now())); got != `{"sweep":true}` {
		t.Errorf("event %s", got)
	}
}
