package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/store"
)

// TestServiceRequestListings writes requests of two partners in two customers, with notes, in
// every status, and pages through every listing with small pages: each request once, in order,
// only the caller's, never a note; a status change moves a request between queue partitions.
func TestServiceRequestListings(t *testing.T) {
	ctx := context.Background()
	db := testenv.DynamoDB(t)
	s := store.New(db, testenv.NewTable(t, db))
	const p1, p2 = "ptn_01jtgd000000000000000000p1", "ptn_01jtgd000000000000000000p2"
	const c1, c2 = "cus_01jtgd000000000000000000c1", "cus_01jtgd000000000000000000c2"
	t0 := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	n := 0
	write := func(pid, cid string, st admin.RequestStatus, cloud admin.Cloud, notes int) admin.ServiceRequest {
		t.Helper()
		n++
		at := t0.Add(time.Duration(n) * time.Minute)
		r := admin.ServiceRequest{ID: fmt.Sprintf("srq_01jtgd%020d", n), CustomerID: cid, PartnerID: pid, Cloud: cloud, Title: fmt.Sprint("R", n),
			Description: "d", Severity: admin.SeverityMinimal, TopicID: "other", Contact: admin.RequestContact{Name: "C", Email: "c@x.example"},
			Status: st, CreatedAt: at, UpdatedAt: at, LastActivityAt: at, Version: 1}
		if err := s.WriteServiceRequest(ctx, admin.RequestWrite{Request: r}); err != nil {
			t.Fatal(err)
		}
		for i := range notes {
			prev := r
			r.NoteCount, r.Version = r.NoteCount+1, r.Version+1
			note := admin.RequestNote{ID: fmt.Sprintf("srn_01jtgd%016d%04d", n, i), RequestID: r.ID, At: at, Side: admin.NoteByPartner, Text: "n"}
			if err := s.WriteServiceRequest(ctx, admin.RequestWrite{Request: r, PrevVersion: prev.Version, Note: &note}); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	var mine []admin.ServiceRequest // p1's, oldest activity first
	for i, st := range []admin.RequestStatus{admin.RequestDraft, admin.RequestOpen, admin.RequestAttentionNeeded, admin.RequestClosed,
		admin.RequestOpen, admin.RequestDraft, admin.RequestAttentionNeeded} {
		cid := []string{c1, c2}[i%2]
		mine = append(mine, write(p1, cid, st, admin.CloudGlobal, i%3))
	}
	other := write(p2, c1, admin.RequestOpen, admin.CloudGlobal, 1)
	vianet := write(p2, c2, admin.RequestOpen, admin.Cloud21Vianet, 0)

	ids := func(rs []admin.ServiceRequest) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.ID)
		}
		return out
	}
	newestFirst := func(rs []admin.ServiceRequest, keep func(admin.ServiceRequest) bool) []string {
		var out []string
		for i := len(rs) - 1; i >= 0; i-- {
			if keep(rs[i]) {
				out = append(out, rs[i].ID)
			}
		}
		return out
	}
	all := func(page func(admin.PageRequest) (admin.Page[admin.ServiceRequest], error), limit int) []string {
		t.Helper()
		var got []string
		req := admin.PageRequest{Limit: limit}
		for range 50 {
			p, err := page(req)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, ids(p.Items)...)
			if p.NextCursor == "" {
				return got
			}
			req.Cursor = p.NextCursor
		}
		t.Fatal("paging did not end")
		return nil
	}

	// The partner's queue: every status merged, newest activity first.
	got := all(func(p admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
		return s.PartnerServiceRequests(ctx, p1, admin.RequestStatuses, p)
	}, 2)
	if want := newestFirst(mine, func(admin.ServiceRequest) bool { return true }); !slices.Equal(got, want) {
		t.Fatalf("partner queue %v, want %v", got, want)
	}
	got = all(func(p admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
		return s.PartnerServiceRequests(ctx, p1, []admin.RequestStatus{admin.RequestAttentionNeeded}, p)
	}, 1)
	if want := newestFirst(mine, func(r admin.ServiceRequest) bool { return r.Status == admin.RequestAttentionNeeded }); !slices.Equal(got, want) {
		t.Fatalf("attention queue %v, want %v", got, want)
	}
	// The desk's queue: sent requests of every partner of the cloud, no drafts.
	got = all(func(p admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
		return s.DeskServiceRequests(ctx, []admin.Cloud{admin.CloudGlobal}, admin.DeskStatuses, p)
	}, 3)
	want := newestFirst(append(slices.Clone(mine), other), func(r admin.ServiceRequest) bool { return r.Status != admin.RequestDraft })
	if !slices.Equal(got, want) {
		t.Fatalf("desk queue %v, want %v", got, want)
	}
	got = all(func(p admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
		return s.DeskServiceRequests(ctx, admin.Clouds, []admin.RequestStatus{admin.RequestOpen}, p)
	}, 10)
	if want := []string{vianet.ID, other.ID, mine[4].ID, mine[1].ID}; !slices.Equal(got, want) {
		t.Fatalf("open desk queue of both clouds %v, want %v", got, want)
	}
	// A customer's requests of one partner: newest first, notes skipped, one per page.
	got = all(func(p admin.PageRequest) (admin.Page[admin.ServiceRequest], error) {
		return s.CustomerServiceRequests(ctx, c1, p1, p)
	}, 1)
	if want := newestFirst(mine, func(r admin.ServiceRequest) bool { return r.CustomerID == c1 }); !slices.Equal(got, want) {
		t.Fatalf("customer listing %v, want %v", got, want)
	}
	// Detail: the request and its notes; another partner's id is not found in this partner's scope.
	r, notes, err := s.ServiceRequest(ctx, mine[2].CustomerID, p1, mine[2].ID)
	if err != nil || r.NoteCount != 2 || len(notes) != 2 || notes[0].ID > notes[1].ID {
		t.Fatalf("detail %+v %+v %v", r, notes, err)
	}
	if _, _, err := s.ServiceRequest(ctx, c1, p1, other.ID); admin.ErrorCode(err) != admin.CodeNotFound {
		t.Fatalf("another partner's request: %v", err)
	}
	if cid, pid, err := s.LocateServiceRequest(ctx, other.ID); err != nil || cid != c1 || pid != p2 {
		t.Fatalf("locate: %s %s %v", cid, pid, err)
	}
	// A status change moves the request between the queue partitions.
	closed := mine[1]
	closed.Status, closed.Version, closed.LastActivityAt = admin.RequestClosed, mine[1].Version+1, t0.Add(time.Hour)
	if err := s.WriteServiceRequest(ctx, admin.RequestWrite{Request: closed, PrevVersion: mine[1].Version}); err != nil {
		t.Fatal(err)
	}
	open, err := s.PartnerServiceRequests(ctx, p1, []admin.RequestStatus{admin.RequestOpen}, admin.PageRequest{})
	if err != nil || !slices.Equal(ids(open.Items), []string{mine[4].ID}) {
		t.Fatalf("open after closing: %v %v", ids(open.Items), err)
	}
	if first, _ := s.PartnerServiceRequests(ctx, p1, admin.RequestStatuses, admin.PageRequest{Limit: 1}); len(first.Items) != 1 || first.Items[0].ID != closed.ID {
		t.Fatalf("the newest activity is first: %v", ids(first.Items))
	}
	// A stale version is a conflict.
	if err := s.WriteServiceRequest(ctx, admin.RequestWrite{Request: closed, PrevVersion: mine[1].Version}); admin.ErrorCode(err) != admin.CodeVersionConflict {
		t.Fatalf("stale write: %v", err)
	}
	// Cursors: garbage, or another listing's, are refused.
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, c := range []string{"%%%", enc("001777908600000#usr_01jtgd00000000000000000001"), enc("1#" + mine[0].ID), enc("SR#" + p2 + "#" + other.ID)} {
		if _, err := s.PartnerServiceRequests(ctx, p1, admin.RequestStatuses, admin.PageRequest{Cursor: c}); admin.ErrorCode(err) != admin.CodeInvalidCursor {
			t.Errorf("queue cursor %q: %v", c, err)
		}
	}
	for _, c := range []string{"%%%", enc("SR#" + p2 + "#" + other.ID), enc("SR#" + p1 + "#" + mine[0].ID + "#NOTE#x")} {
		if _, err := s.CustomerServiceRequests(ctx, c1, p1, admin.PageRequest{Cursor: c}); admin.ErrorCode(err) != admin.CodeInvalidCursor {
			t.Errorf("customer cursor %q: %v", c, err)
		}
	}
}
