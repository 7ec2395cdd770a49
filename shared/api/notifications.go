package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

func notifications(h func(Auth, *admin.NotificationService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Notifications) }
}

func partnerOfRecord(h func(Auth, *admin.PartnerOfRecordService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.PartnerOfRecord) }
}

// notificationRoutes are the routes of the partner's inbox, its users' email settings and the
// customer admin's change of a Partner of Record.
func notificationRoutes() []Route {
	return []Route{
		{"GET", "/notifications", "list-notifications", notifications(ListNotifications)},
		{"POST", "/notifications/{notificationId}/read", "read-notification", notifications(ReadNotification)},
		{"POST", "/notifications/read", "read-all-notifications", notifications(ReadAllNotifications)},
		{"GET", "/me/notification-settings", "get-notification-settings", notifications(GetNotificationSettings)},
		{"PUT", "/me/notification-settings", "update-notification-settings", notifications(UpdateNotificationSettings)},
		{"PUT", "/tenant/subscriptions/{subscriptionId}/partner-of-record", "change-partner-of-record", partnerOfRecord(ChangePartnerOfRecord)},
	}
}

// eventSubscriptionBody is a subscription as a notification shows it, after or before the change.
type eventSubscriptionBody struct {
	SubscriptionID  string                   `json:"subscriptionId"`
	ProductID       string                   `json:"productId"`
	ProductName     string                   `json:"productName"`
	Licenses        int                      `json:"licenses"`
	Status          admin.SubscriptionStatus `json:"status"`
	TrialEndsAt     *time.Time               `json:"trialEndsAt,omitempty"`
	PartnerOfRecord string                   `json:"partnerOfRecord"`
}

func toEventSubscription(s admin.Subscription) eventSubscriptionBody {
	b := eventSubscriptionBody{SubscriptionID: s.ID, ProductID: s.ProductID, ProductName: s.ProductName, Licenses: s.Licenses, Status: s.Status,
		PartnerOfRecord: s.PartnerOfRecord}
	if !s.TrialEndsAt.IsZero() {
		b.TrialEndsAt = &s.TrialEndsAt
	}
	return b
}

type notificationBody struct {
	NotificationID string                 `json:"notificationId"`
	Kind           admin.EventKind        `json:"kind"`
	At             time.Time              `json:"at"`
	Read           bool                   `json:"read"`
	ReadAt         *time.Time             `json:"readAt,omitempty"`
	CustomerID     string                 `json:"customerId"`
	CustomerName   string                 `json:"customerName"`
	Subscription   eventSubscriptionBody  `json:"subscription"`
	Before         *eventSubscriptionBody `json:"before,omitempty"`
}

func toNotification(n admin.Notification) notificationBody {
	e := n.Event
	b := notificationBody{NotificationID: e.ID, Kind: e.Kind, At: e.At, Read: n.ReadAt != nil, ReadAt: n.ReadAt, CustomerID: e.CustomerID,
		CustomerName: e.CustomerName, Subscription: toEventSubscription(e.Subscription)}
	if e.Before != nil {
		before := toEventSubscription(*e.Before)
		b.Before = &before
	}
	return b
}

type notificationPageBody struct {
	pageBody[notificationBody]
	UnreadCount int `json:"unreadCount"`
}

// ListNotifications: GET /notifications?kind=&customerId=&limit=&cursor= — the partner's inbox,
// unread first; read alongside the caller's authentication.
func ListNotifications(a Auth, svc *admin.NotificationService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, c admin.Caller) (response, error) {
		page, err := pageRequest(r, "kind", "customerId")
		if err != nil {
			return response{}, err
		}
		q := admin.NotificationQuery{PageRequest: page}
		if q.Kind, err = queryEnum(r, "kind", admin.EventKinds); err != nil {
			return response{}, err
		}
		if cid, ok := r.Event.QueryStringParameters["customerId"]; ok {
			if !admin.ValidID("cus", cid) {
				return response{}, &admin.Error{Code: admin.CodeInvalidQuery, Message: "customerId must be a customer id",
					Fields: []admin.FieldError{{Field: "customerId", Code: "invalid", Detail: "must be a customer id"}}}
			}
			q.CustomerID = cid
		}
		p, unread, err := svc.Notifications(ctx, c, q)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, notificationPageBody{pageBody: toPage(p, toNotification), UnreadCount: unread})
	})
}

// ReadNotification: POST /notifications/{notificationId}/read (again: no change).
func ReadNotification(a Auth, svc *admin.NotificationService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		if err := svc.MarkRead(ctx, s, r.PathParam("notificationId")); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}

// ReadAllNotifications: POST /notifications/read — marks the unread notifications read (up to
// admin.MarkAllLimit; unreadCount > 0 in the answer: call again).
func ReadAllNotifications(a Auth, svc *admin.NotificationService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		marked, unread, err := svc.MarkAllRead(ctx, s)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, struct {
			Marked      int `json:"marked"`
			UnreadCount int `json:"unreadCount"`
		}{marked, unread})
	})
}

type notificationSettingsBody struct {
	Email   bool              `json:"email"`
	Kinds   []admin.EventKind `json:"kinds"`
	Default bool              `json:"default"` // the user never chose: the default of their role
	Version int               `json:"version"` // 0 while default; send it back with PUT
}

func toSettings(s admin.NotificationSettings) notificationSettingsBody {
	return notificationSettingsBody{Email: s.Email, Kinds: nonNil(s.Kinds), Default: s.Version == 0, Version: s.Version}
}

// GetNotificationSettings: GET /me/notification-settings (partner users).
func GetNotificationSettings(a Auth, svc *admin.NotificationService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		set, err := svc.Settings(ctx, s.Principal.User)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toSettings(set))
	})
}

type notificationSettingsRequest struct {
	Email   *bool    `json:"email"`
	Kinds   []string `json:"kinds"`
	Version *int     `json:"version"`
}

// UpdateNotificationSettings: PUT /me/notification-settings (partner users).
func UpdateNotificationSettings(a Auth, svc *admin.NotificationService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in notificationSettingsRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		set, err := svc.UpdateSettings(ctx, s.Principal.User, admin.SettingsChange{Email: in.Email, Kinds: in.Kinds, Version: in.Version})
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toSettings(set))
	})
}

type partnerOfRecordRequest struct {
	PartnerID string `json:"partnerId"`
	Version   int    `json:"version"`
}

// ChangePartnerOfRecord: PUT /tenant/subscriptions/{subscriptionId}/partner-of-record (customer
// admins).
func ChangePartnerOfRecord(a Auth, svc *admin.PartnerOfRecordService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in partnerOfRecordRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		sub, err := svc.ChangePartnerOfRecord(ctx, s, r.PathParam("subscriptionId"), admin.PORChange{PartnerID: in.PartnerID, Version: in.Version})
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toSubscription(sub))
	})
}
