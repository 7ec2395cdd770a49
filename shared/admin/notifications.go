package admin

import (
	"context"
	"slices"
	"time"
)

// Notification is one event in a partner's inbox. The inbox is the partner's: every user of the
// partner reads it, and reading a notification marks it read for all of them. Its ID is the
// event's (EventID), so a change delivered twice makes one notification.
type Notification struct {
	Event  SubscriptionEvent
	ReadAt *time.Time // nil while unread
}

// NotificationQuery asks for a page of the inbox, unread first, newest first within each, and
// optionally only one kind and/or one customer.
type NotificationQuery struct {
	PageRequest
	Kind       EventKind // "" = every kind
	CustomerID string    // "" = every customer
}

// NotificationSettings are a partner user's email subscription to the inbox: whether they get an
// email of each new notification, and of which kinds. A user who never chose gets the default:
// every kind by email for global admins, nothing for everyone else.
type NotificationSettings struct {
	PartnerID string
	UserID    string
	Email     bool
	Kinds     []EventKind // in the order of EventKinds
	Version   int         // 0 while the user never chose (the default)
	UpdatedAt time.Time
}

// DefaultNotificationSettings are the settings of a user who never chose.
func DefaultNotificationSettings(u User) NotificationSettings {
	s := NotificationSettings{PartnerID: u.OrgID, UserID: u.ID, Kinds: []EventKind{}}
	if u.CompanyRole == RoleGlobalAdmin {
		s.Email, s.Kinds = true, slices.Clone(EventKinds)
	}
	return s
}

// Wants reports whether the settings ask for an email of an event of kind.
func (s NotificationSettings) Wants(kind EventKind) bool {
	return s.Email && slices.Contains(s.Kinds, kind)
}

// Recipients are the addresses of the users who want an email of an event of kind: each user's
// settings, or the default when they never chose.
func Recipients(users []User, settings []NotificationSettings, kind EventKind) []string {
	chosen := map[string]NotificationSettings{}
	for _, s := range settings {
		chosen[s.UserID] = s
	}
	var out []string
	for _, u := range users {
		s, ok := chosen[u.ID]
		if !ok {
			s = DefaultNotificationSettings(u)
		}
		if u.Status == UserActive && s.Wants(kind) {
			out = append(out, u.Email)
		}
	}
	return out
}

// MaxRecipientsPerEmail bounds the addresses of one notification email; more recipients get
// more emails of the same event.
const MaxRecipientsPerEmail = 50

// NotificationStore is what the inbox and the email settings need from storage.
type NotificationStore interface {
	// Notifications reads a page of the partner's inbox (CodeInvalidCursor) and its unread
	// count.
	Notifications(ctx context.Context, partnerID string, q NotificationQuery) (Page[Notification], int, error)
	// MarkNotificationRead marks one notification read at now; read already is no change.
	// CodeNotFound when the partner has no such notification.
	MarkNotificationRead(ctx context.Context, partnerID, notificationID string, now time.Time) error
	// MarkNotificationsRead marks up to limit unread notifications read at now, oldest state
	// changes first, and returns how many it marked and the unread count left.
	MarkNotificationsRead(ctx context.Context, partnerID string, now time.Time, limit int) (int, int, error)
	// NotificationSettings reads a user's settings; found is false when the user never chose.
	NotificationSettings(ctx context.Context, partnerID, userID string) (NotificationSettings, bool, error)
	// PutNotificationSettings writes a user's settings guarded by prevVersion (0: none stored
	// yet; CodeVersionConflict).
	PutNotificationSettings(ctx context.Context, s NotificationSettings, prevVersion int) error
}

// NotificationService is the partner's inbox of events of the subscriptions it is the Partner
// of Record of, and its users' email subscriptions to it. The notifier (shared/notifier) fills
// the inbox; this service reads and marks it.
type NotificationService struct {
	Env
	Store NotificationStore
}

// MarkAllLimit bounds the notifications one "mark all read" marks; the answer's unread count
// says whether to call again.
const MarkAllLimit = 500

// Notifications lists the caller's partner's inbox, read alongside the caller's authentication
// (nothing is returned unless it succeeds). Every partner user may read it; the query's kind and
// customer id are checked by the transport (they are query parameters).
// Errors: CodeInvalidCursor.
func (s *NotificationService) Notifications(ctx context.Context, c Caller, q NotificationQuery) (Page[Notification], int, error) {
	var page Page[Notification]
	var unread int
	err := readAlongside(ctx, func(ctx context.Context) (err error) {
		page, unread, err = s.Store.Notifications(ctx, c.PartnerID(), q)
		return err
	}, func() error {
		sess, err := c.Authenticated()
		if err != nil {
			return err
		}
		return Restriction(sess.Principal.User)
	})
	return page, unread, err
}

// MarkRead marks one notification of the caller's partner read (again: no change).
// Errors: CodeNotFound.
func (s *NotificationService) MarkRead(ctx context.Context, sess Session, notificationID string) error {
	if err := Restriction(sess.Principal.User); err != nil {
		return err
	}
	if !ValidID("evt", notificationID) {
		return NotFound("notification")
	}
	return s.Store.MarkNotificationRead(ctx, sess.Partner.ID, notificationID, s.Now())
}

// MarkAllRead marks the unread notifications of the caller's partner read, up to MarkAllLimit,
// and returns how many it marked and how many are still unread (more than the limit, or new).
func (s *NotificationService) MarkAllRead(ctx context.Context, sess Session) (int, int, error) {
	if err := Restriction(sess.Principal.User); err != nil {
		return 0, 0, err
	}
	return s.Store.MarkNotificationsRead(ctx, sess.Partner.ID, s.Now(), MarkAllLimit)
}

// Settings returns the caller's email settings (the default when they never chose). Partner
// users only.
func (s *NotificationService) Settings(ctx context.Context, u User) (NotificationSettings, error) {
	if u.OrgKind != OrgPartner {
		return NotificationSettings{}, errForbidden("notification settings are for partner users")
	}
	if err := Restriction(u); err != nil {
		return NotificationSettings{}, err
	}
	set, found, err := s.Store.NotificationSettings(ctx, u.OrgID, u.ID)
	if err != nil || !found {
		return DefaultNotificationSettings(u), err
	}
	return set, nil
}

// SettingsChange is a user's choice of email settings, made against Version (0 while they
// never chose).
type SettingsChange struct {
	Email   *bool
	Kinds   []string
	Version *int
}

// UpdateSettings replaces the caller's email settings. Partner users only.
// Errors: CodeForbidden, CodeValidation (email, kinds, version), CodeVersionConflict.
func (s *NotificationService) UpdateSettings(ctx context.Context, u User, ch SettingsChange) (NotificationSettings, error) {
	if u.OrgKind != OrgPartner {
		return NotificationSettings{}, errForbidden("notification settings are for partner users")
	}
	if err := Restriction(u); err != nil {
		return NotificationSettings{}, err
	}
	var p Problems
	if ch.Email == nil {
		p.Add("email", "required", "is required: true to get emails of the kinds chosen")
	}
	if ch.Kinds == nil {
		p.Add("kinds", "required", "is required: the event kinds to be emailed about (may be empty)")
	}
	kinds := []EventKind{}
	for i, k := range ch.Kinds {
		if !slices.Contains(EventKinds, EventKind(k)) {
			p.Add(indexField("kinds", i), "enum", "must be one of the event kinds")
		} else if !slices.Contains(kinds, EventKind(k)) {
			kinds = append(kinds, EventKind(k))
		}
	}
	if ch.Version == nil || *ch.Version < 0 {
		p.Add("version", "required", "is required: the version you read (0 for the default settings)")
	}
	if err := p.Err(); err != nil {
		return NotificationSettings{}, err
	}
	slices.SortFunc(kinds, func(a, b EventKind) int { return slices.Index(EventKinds, a) - slices.Index(EventKinds, b) })
	set := NotificationSettings{PartnerID: u.OrgID, UserID: u.ID, Email: *ch.Email, Kinds: kinds, Version: *ch.Version + 1, UpdatedAt: s.Now()}
	if err := s.Store.PutNotificationSettings(ctx, set, *ch.Version); err != nil {
		return NotificationSettings{}, err
	}
	return set, nil
}
