package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/webhook"
)

// HookReceiver is a partner's webhook endpoint on 127.0.0.1 as a receiver should be written: it
// verifies each request's signature (webhook.Verify, with the replay tolerance) before it trusts
// the body, answers 204, and keeps the first arrival of every event id (a retried event counts
// once, as a receiver drops ids it processed). It records what arrived in order.
type HookReceiver struct {
	URL    string
	srv    *http.Server
	mu     sync.Mutex
	secret string
	fail   bool
	got    []HookArrival
	seen   map[string]bool
	dups   int
	bad    int
	change chan struct{}
}

// HookArrival is one verified event, when it first arrived.
type HookArrival struct {
	Event webhook.Event
	At    time.Time
}

// NewHookReceiver listens on a free port of 127.0.0.1 until ctx ends or Close.
func NewHookReceiver(ctx context.Context) (*HookReceiver, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: webhook receiver: %w", err)
	}
	h := &HookReceiver{URL: "http://" + l.Addr().String() + "/hook", seen: map[string]bool{}, change: make(chan struct{})}
	h.srv = &http.Server{Handler: http.HandlerFunc(h.serve), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = h.srv.Serve(l) }()
	go func() {
		<-ctx.Done()
		_ = h.srv.Close()
	}()
	return h, nil
}

// Close stops the receiver.
func (h *HookReceiver) Close() error { return h.srv.Close() }

// SetSecret sets the signing secret the requests are verified with (the registration's answer).
func (h *HookReceiver) SetSecret(secret string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.secret = secret
}

// SetFailing makes the receiver answer 503 to every (verified) request until it is set back.
func (h *HookReceiver) SetFailing(fail bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail = fail
}

func (h *HookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	var ev webhook.Event
	if err != nil || webhook.Verify(h.secret, r.Header.Get(webhook.HeaderSignature), body, now, webhook.Tolerance) != nil ||
		json.Unmarshal(body, &ev) != nil || ev.ID == "" || ev.ID != r.Header.Get(webhook.HeaderID) {
		h.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if h.fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if h.seen[ev.ID] {
		h.dups++
	} else {
		h.seen[ev.ID] = true
		h.got = append(h.got, HookArrival{Event: ev, At: now})
		close(h.change)
		h.change = make(chan struct{})
	}
	w.WriteHeader(http.StatusNoContent)
}

// Received returns the verified events in the order they first arrived, how many requests
// repeated an event already received, and how many failed verification.
func (h *HookReceiver) Received() (events []HookArrival, duplicates, bad int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]HookArrival(nil), h.got...), h.dups, h.bad
}

// Wait waits until every one of ids has arrived, and returns when each did.
func (h *HookReceiver) Wait(ctx context.Context, ids []string) (map[string]time.Time, error) {
	for {
		h.mu.Lock()
		at := make(map[string]time.Time, len(ids))
		for _, a := range h.got {
			at[a.Event.ID] = a.At
		}
		missing := 0
		for _, id := range ids {
			if _, ok := at[id]; !ok {
				missing++
			}
		}
		change := h.change
		h.mu.Unlock()
		if missing == 0 {
			return at, nil
		}
		select {
		case <-ctx.Done():
			return at, fmt.Errorf("bench: %d of %d webhook events not received: %w", missing, len(ids), ctx.Err())
		case <-change:
		}
	}
}

// RegisterWebhook registers url as an active webhook endpoint of the world's partner, sealed
// under the runtime's LINK_KEY as the API would store it, and returns its signing secret. (The
// API's POST /webhooks does the same behind authentication; the figures and tests here drive
// only the notifier's side.)
func (w *NotifyWorld) RegisterWebhook(ctx context.Context, rt *localrun.Runtime, url string) (string, error) {
	f := rt.Template.Function("NotifierFunction")
	if f == nil || f.Environment["LINK_KEY"] == "" {
		return "", errors.New("bench: webhook: the runtime's NotifierFunction has no LINK_KEY")
	}
	sealer, err := store.NewSealer(f.Environment["LINK_KEY"])
	if err != nil {
		return "", fmt.Errorf("bench: webhook: %w", err)
	}
	st := *w.Store
	st.Sealer = sealer
	secret, err := webhook.NewSecret()
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	hook := admin.Webhook{ID: "whk_" + idBody(w.Partner.ID[4:16]+"hook"), PartnerID: w.Partner.ID, URL: url, Description: "bench receiver",
		Status: admin.WebhookActive, Secret: secret, CreatedBy: "usr_" + idBody(w.Partner.ID[4:16]+"u"), CreatedAt: now}
	act := admin.Activity{ID: "act_" + idBody(w.Partner.ID[4:16]+"hook"), OrgID: w.Partner.ID, At: now, Actor: admin.Actor{Type: "operator", ID: "bench"},
		Action: "webhook.created", Target: admin.Target{Type: "webhook", ID: hook.ID}}
	if err := store.NewWebhooks(&st).CreateWebhook(ctx, hook, act, nil); err != nil {
		return "", fmt.Errorf("bench: webhook: %w", err)
	}
	return secret, nil
}
