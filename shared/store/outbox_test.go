package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/local/testenv"
	"github.com/partner-admin-center/pac/shared/store"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func newOutbox(t *testing.T, n int) (*store.Store, []string) {
	t.Helper()
	db := testenv.DynamoDB(t)
	s := store.New(db, testenv.NewTable(t, db))
	var emails []store.OutboxEmail
	var ids []string
	for i := range n {
		id := fmt.Sprintf("out_%s_%03d", t.Name(), i)
		ids = append(ids, id)
		emails = append(emails, store.OutboxEmail{ID: id, OrgID: "prt_1", Template: "partner_answer", To: []string{fmt.Sprintf("p%d@example.com", i)},
			Data: map[string]string{"partnerName": "P"}})
	}
	if err := s.WriteOutboxForTest(context.Background(), t0, emails...); err != nil {
		t.Fatal(err)
	}
	return s, ids
}

func read(t *testing.T, s *store.Store, id string) store.OutboxItem {
	t.Helper()
	it, found, err := s.OutboxByID(context.Background(), id)
	if err != nil || !found {
		t.Fatalf("outbox %s: found %v, %v", id, found, err)
	}
	return it
}

func TestOutboxWrittenPending(t *testing.T) {
	s, ids := newOutbox(t, 1)
	it := read(t, s, ids[0])
	if it.Status != store.OutboxPending || it.Type != "Outbox" || it.GSI1PK != "OUTBOX#pending" || it.GSI1SK != fmt.Sprintf("%015d", t0.UnixMilli()) ||
		it.NextAttemptAt != t0.UnixMilli() || !it.CreatedAt.Equal(t0) || it.To[0] != "p0@example.com" || it.Data["partnerName"] != "P" {
		t.Fatalf("item %+v", it)
	}
	// Written once only: the id is the idempotency of the business transaction.
	if err := s.WriteOutboxForTest(context.Background(), t0, store.OutboxEmail{ID: ids[0], Template: "x", To: []string{"a@example.com"}}); err == nil {
		t.Fatal("the same outbox id was written twice")
	}
}

func TestClaimRaceHasOneWinner(t *testing.T) {
	s, ids := newOutbox(t, 1)
	var wins, notMine atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.ClaimOutbox(context.Background(), ids[0], t0.Add(time.Second), time.Minute)
			switch {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, store.ErrNotClaimable):
				notMine.Add(1)
			default:
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if wins.Load() != 1 || notMine.Load() != 19 {
		t.Fatalf("%d winners, %d not claimable; want 1 and 19", wins.Load(), notMine.Load())
	}
}

func TestClaimSendMark(t *testing.T) {
	ctx := context.Background()
	s, ids := newOutbox(t, 1)
	now := t0.Add(time.Second)
	it, err := s.ClaimOutbox(ctx, ids[0], now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if it.Status != store.OutboxSending || it.Attempts != 1 || it.LeaseToken == "" || it.LeaseUntil != now.Add(time.Minute).UnixMilli() ||
		it.GSI1PK != "OUTBOX#sending" || it.GSI1SK != fmt.Sprintf("%015d", now.Add(time.Minute).UnixMilli()) || it.To[0] != "p0@example.com" {
		t.Fatalf("claimed %+v", it)
	}
	// Only the holder of the claim may complete it.
	other := it
	other.LeaseToken = "not-ours"
	if err := s.MarkOutboxSent(ctx, other, "m-1", now); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("mark sent with another token: %v", err)
	}
	if err := s.MarkOutboxSent(ctx, it, "m-1", now); err != nil {
		t.Fatal(err)
	}
	got := read(t, s, ids[0])
	if got.Status != store.OutboxSent || got.MessageID != "m-1" || got.GSI1PK != "" || got.GSI1SK != "" || got.LeaseToken != "" ||
		got.LeaseUntil != 0 || got.ExpiresAt != now.Add(store.OutboxSentRetention).Unix() || got.SentAt == "" {
		t.Fatalf("sent %+v", got)
	}
	// Sent is final: no claim (even much later), no second mark.
	if _, err := s.ClaimOutbox(ctx, ids[0], now.Add(time.Hour), time.Minute); !errors.Is(err, store.ErrNotClaimable) {
		t.Fatalf("claim of a sent item: %v", err)
	}
	if err := s.MarkOutboxSent(ctx, it, "m-2", now); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("second mark sent: %v", err)
	}
	// A missing item is not claimable either.
	if _, err := s.ClaimOutbox(ctx, "out_missing", now, time.Minute); !errors.Is(err, store.ErrNotClaimable) {
		t.Fatalf("claim of a missing item: %v", err)
	}
}

func TestBackoffMovesTheIndexEntry(t *testing.T) {
	ctx := context.Background()
	s, ids := newOutbox(t, 2)
	now := t0.Add(time.Second)
	it, err := s.ClaimOutbox(ctx, ids[0], now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	next := now.Add(8 * time.Second)
	if err := s.BackoffOutbox(ctx, it, next, "TooManyRequestsException: slow down"); err != nil {
		t.Fatal(err)
	}
	got := read(t, s, ids[0])
	if got.Status != store.OutboxPending || got.GSI1PK != "OUTBOX#pending" || got.GSI1SK != fmt.Sprintf("%015d", next.UnixMilli()) ||
		got.NextAttemptAt != next.UnixMilli() || got.LastError == "" || got.LeaseToken != "" || got.Attempts != 1 {
		t.Fatalf("backed off %+v", got)
	}
	if err := s.BackoffOutbox(ctx, it, next, "again"); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("second backoff with the same claim: %v", err)
	}
	// Not due before next: neither listed nor claimable.
	due := dueIDs(t, s, store.OutboxPending, now.Add(time.Second))
	if len(due) != 1 || due[0] != ids[1] {
		t.Fatalf("due now: %v, want only %s", due, ids[1])
	}
	if _, err := s.ClaimOutbox(ctx, ids[0], now.Add(time.Second), time.Minute); !errors.Is(err, store.ErrNotClaimable) {
		t.Fatalf("claim before due: %v", err)
	}
	due = dueIDs(t, s, store.OutboxPending, next)
	if len(due) != 2 || due[0] != ids[1] || due[1] != ids[0] {
		t.Fatalf("due at next: %v, want both, oldest first", due)
	}
	if again, err := s.ClaimOutbox(ctx, ids[0], next, time.Minute); err != nil || again.Attempts != 2 {
		t.Fatalf("claim when due: %+v %v", again, err)
	}
	if l := dueIDs(t, s, store.OutboxPending, next.Add(time.Hour)); len(l) != 1 {
		t.Fatalf("claimed item still listed as pending: %v", l)
	}
	if l, err := s.DueOutbox(ctx, store.OutboxPending, next, 1); err != nil || len(l) != 1 {
		t.Fatalf("limit 1: %v %v", l, err)
	}
}

func dueIDs(t *testing.T, s *store.Store, status string, now time.Time) []string {
	t.Helper()
	items, err := s.DueOutbox(context.Background(), status, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

func TestExpiredLeaseIsReclaimed(t *testing.T) {
	ctx := context.Background()
	s, ids := newOutbox(t, 1)
	first, err := s.ClaimOutbox(ctx, ids[0], t0, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ClaimOutbox(ctx, ids[0], t0.Add(30*time.Second), time.Minute); !errors.Is(err, store.ErrNotClaimable) {
		t.Fatalf("claim under a live lease: %v", err)
	}
	if l := dueIDs(t, s, store.OutboxSending, t0.Add(30*time.Second)); len(l) != 0 {
		t.Fatalf("live lease listed as expired: %v", l)
	}
	later := t0.Add(2 * time.Minute)
	stuck, err := s.DueOutbox(ctx, store.OutboxSending, later, 10)
	if err != nil || len(stuck) != 1 || stuck[0].LeaseToken != first.LeaseToken {
		t.Fatalf("expired leases: %+v %v", stuck, err)
	}
	// The sweeper puts it back to pending (a MODIFY the mailer's filter passes)...
	if err := s.RedriveOutbox(ctx, stuck[0], later); err != nil {
		t.Fatal(err)
	}
	got := read(t, s, ids[0])
	if got.Status != store.OutboxPending || got.GSI1PK != "OUTBOX#pending" || got.NextAttemptAt != later.UnixMilli() || got.Redrives != 1 {
		t.Fatalf("reclaimed %+v", got)
	}
	if err := s.RedriveOutbox(ctx, stuck[0], later); !errors.Is(err, store.ErrOutboxChanged) {
		t.Fatalf("second reclaim: %v", err)
	}
	// ...and the late first sender can no longer complete it.
	if err := s.MarkOutboxSent(ctx, first, "late", later); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("late mark sent: %v", err)
	}
	// A claim may also take over an expired lease directly.
	second, err := s.ClaimOutbox(ctx, ids[0], later, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	third, err := s.ClaimOutbox(ctx, ids[0], later.Add(2*time.Minute), time.Minute)
	if err != nil || third.LeaseToken == second.LeaseToken || third.Attempts != 3 {
		t.Fatalf("takeover: %+v %v", third, err)
	}
	if err := s.MarkOutboxFailed(ctx, second, "x", later); !errors.Is(err, store.ErrLeaseLost) {
		t.Fatalf("mark failed by the old claim: %v", err)
	}
	if err := s.MarkOutboxFailed(ctx, third, "MessageRejected: bad", later); err != nil {
		t.Fatal(err)
	}
	got = read(t, s, ids[0])
	if got.Status != store.OutboxFailed || got.GSI1PK != "" || got.LastError != "MessageRejected: bad" || got.ExpiresAt == 0 {
		t.Fatalf("failed %+v", got)
	}
}

func TestRedrivePending(t *testing.T) {
	ctx := context.Background()
	s, ids := newOutbox(t, 1)
	it := read(t, s, ids[0])
	if err := s.RedriveOutbox(ctx, it, t0.Add(-time.Second)); !errors.Is(err, store.ErrOutboxChanged) {
		t.Fatalf("redrive before due: %v", err)
	}
	if err := s.RedriveOutbox(ctx, it, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := read(t, s, ids[0]); got.Redrives != 1 || got.Status != store.OutboxPending {
		t.Fatalf("redriven %+v", got)
	}
	stale := it
	stale.NextAttemptAt--
	if err := s.RedriveOutbox(ctx, stale, t0.Add(time.Minute)); !errors.Is(err, store.ErrOutboxChanged) {
		t.Fatalf("redrive of a changed item: %v", err)
	}
}

func TestDecodeOutboxImage(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	if _, ok, err := store.DecodeOutboxImage(map[string]types.AttributeValue{"Type": s("Partner")}); ok || err != nil {
		t.Errorf("partner image: %v %v", ok, err)
	}
	good := map[string]types.AttributeValue{"PK": s("OUTBOX#out_1"), "SK": s("OUTBOX"), "Type": s("Outbox"), "outboxId": s("out_1"),
		"status": s("pending"), "nextAttemptAt": &types.AttributeValueMemberN{Value: "5"}}
	if it, ok, err := store.DecodeOutboxImage(good); !ok || err != nil || it.ID != "out_1" || it.NextAttemptAt != 5 {
		t.Errorf("good image: %+v %v %v", it, ok, err)
	}
	bad := map[string]types.AttributeValue{"Type": s("Outbox"), "attempts": s("many")}
	if _, ok, err := store.DecodeOutboxImage(bad); !ok || err == nil {
		t.Errorf("bad image: %v %v", ok, err)
	}
	mismatch := map[string]types.AttributeValue{"PK": s("OUTBOX#out_2"), "Type": s("Outbox"), "outboxId": s("out_1")}
	if _, _, err := store.DecodeOutboxImage(mismatch); err == nil {
		t.Error("a key that does not match the id decoded")
	}
}
