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
	return listPage[activityItem, admin.Activity](ctx, s, "list activity", orgPK(orgID), skAct, lo, hi, q.PageRequest, false)
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
