package store

import (
	"context"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/partner-admin-center/pac/shared/admin"
)

// Activity lists an organization's (a partner's or a customer's) activity log newest first.
// Activity ids are ULIDs, which sort by time, so a time range is a sort-key range of one partition.
func (s *Store) Activity(ctx context.Context, orgID string, q admin.ActivityQuery) (admin.Page[admin.Activity], error) {
	var lo, hi string
	if !q.From.IsZero() {
		lo = activitySK("act_" + ulidBound(q.From, "0000000000000000"))
	}
	if !q.To.IsZero() {
		hi = activitySK("act_" + ulidBound(q.To.Add(-time.Millisecond), "zzzzzzzzzzzzzzzz"))
	}
	items, next, err := queryPage[activityItem](ctx, s, "list activity", orgPK(orgID), skAct, lo, hi, q.PageRequest, false)
	if err != nil {
		return admin.Page[admin.Activity]{}, err
	}
	out := admin.Page[admin.Activity]{Items: make([]admin.Activity, len(items)), NextCursor: next}
	for i, it := range items {
		out.Items[i] = it.domain()
	}
	return out, nil
}

// ulidBound returns the lower-case ULID of t's millisecond with the given randomness part.
func ulidBound(t time.Time, randomness string) string {
	if t.Before(time.UnixMilli(0)) {
		t = time.UnixMilli(0)
	}
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(t))
	return strings.ToLower(id.String()[:10]) + randomness
}
