package api

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

// Service requests: the partner's routes inside a customer and its queue, and the support desk's
// routes (operator, IAM).

func serviceRequests(h func(Auth, *admin.ServiceRequestService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.ServiceRequests) }
}

func supportDesk(h func(*admin.ServiceRequestService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.ServiceRequests) }
}

type supportTopicBody struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func toSupportTopic(t admin.SupportTopic) supportTopicBody { return supportTopicBody(t) }

type requestContactBody struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// serviceRequestSummary is a request as the listings show it (no description, contact or notes).
type serviceRequestSummary struct {
	RequestID      string              `json:"requestId"`
	CustomerID     string              `json:"customerId"`
	CustomerName   string              `json:"customerName"`
	CustomerDomain string              `json:"customerDomain"`
	PartnerID      string              `json:"partnerId"`
	PartnerName    string              `json:"partnerName"`
	Cloud          admin.Cloud         `json:"cloud"`
	Title          string              `json:"title"`
	Severity       admin.Severity      `json:"severity"`
	Topic          string              `json:"topic"`
	TopicName      string              `json:"topicName"`
	Status         admin.RequestStatus `json:"status"`
	NoteCount      int                 `json:"noteCount"`
	CreatedAt      time.Time           `json:"createdAt"`
	UpdatedAt      time.Time           `json:"updatedAt"`
	LastActivityAt time.Time           `json:"lastActivityAt"`
	SentAt         *time.Time          `json:"sentAt"`
	ClosedAt       *time.Time          `json:"closedAt"`
	// ReopenableUntil is when a closed request can no longer be reopened.
	ReopenableUntil *time.Time `json:"reopenableUntil"`
	Version         int        `json:"version"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toRequestSummary(r admin.ServiceRequest) serviceRequestSummary {
	topic, _ := admin.FindSupportTopic(r.Cloud, r.TopicID)
	s := serviceRequestSummary{RequestID: r.ID, CustomerID: r.CustomerID, CustomerName: r.CustomerName, CustomerDomain: r.CustomerDomain,
		PartnerID: r.PartnerID, PartnerName: r.PartnerName, Cloud: r.Cloud, Title: r.Title, Severity: r.Severity, Topic: r.TopicID, TopicName: topic.Name,
		Status: r.Status, NoteCount: r.NoteCount, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, LastActivityAt: r.LastActivityAt,
		SentAt: optTime(r.SentAt), ClosedAt: optTime(r.ClosedAt), Version: r.Version}
	if r.Status == admin.RequestClosed {
		s.ReopenableUntil = optTime(r.ClosedAt.Add(admin.ReopenWithin))
	}
	return s
}

type noteAuthorBody struct {
	Type   string `json:"type"` // user (a partner user) or support (the support desk)
	UserID string `json:"userId,omitempty"`
	Email  string `json:"email,omitempty"`
}

type noteBody struct {
	NoteID       string         `json:"noteId"`
	At           time.Time      `json:"at"`
	Side         admin.NoteSide `json:"side"`
	Author       noteAuthorBody `json:"author"`
	Text         string         `json:"text"`
	NeedsPartner bool           `json:"needsPartner"`
}

// toNote words a note's author for the wire: a partner user by id and email, the support desk
// as "support" (never the operator's IAM identity).
func toNote(n admin.RequestNote) noteBody {
	a := noteAuthorBody{Type: "support"}
	if n.Side == admin.NoteByPartner {
		a = noteAuthorBody{Type: "user", UserID: n.Author.ID, Email: n.Author.Email}
	}
	return noteBody{NoteID: n.ID, At: n.At, Side: n.Side, Author: a, Text: n.Text, NeedsPartner: n.NeedsPartner}
}

// serviceRequestBody is one request: the summary, its fields and (on GET and after a note) its
// notes, oldest first.
type serviceRequestBody struct {
	serviceRequestSummary
	Description string             `json:"description"`
	Contact     requestContactBody `json:"contact"`
	CC          []string           `json:"cc"`
	CreatedBy   string             `json:"createdBy"`
	Notes       *[]noteBody        `json:"notes,omitempty"`
}

func toRequest(r admin.ServiceRequest, notes []admin.RequestNote, withNotes bool) serviceRequestBody {
	b := serviceRequestBody{serviceRequestSummary: toRequestSummary(r), Description: r.Description,
		Contact: requestContactBody(r.Contact), CC: nonNil(r.CC), CreatedBy: r.CreatedBy}
	if withNotes {
		ns := toList(notes, toNote)
		b.Notes = &ns
	}
	return b
}

type requestContactInput struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

type createServiceRequestBody struct {
	Title       string              `json:"title"`
	Description string              `json:"description"`
	Severity    admin.Severity      `json:"severity"`
	Topic       string              `json:"topic"`
	Contact     requestContactInput `json:"contact"`
	CC          []string            `json:"cc"`
	// Send sends the request at once (the support desk is emailed); false keeps it a draft.
	Send bool `json:"send"`
}

type updateServiceRequestBody struct {
	Version     int                  `json:"version"`
	Title       *string              `json:"title"`
	Description *string              `json:"description"`
	Severity    *admin.Severity      `json:"severity"`
	Topic       *string              `json:"topic"`
	Contact     *requestContactInput `json:"contact"`
	CC          []string             `json:"cc"`
	Status      *admin.RequestStatus `json:"status"`
}

type noteRequest struct {
	Text string `json:"text"`
}

type supportNoteRequest struct {
	Text         string `json:"text"`
	NeedsPartner bool   `json:"needsPartner"`
}

type supportUpdateRequest struct {
	Version int                 `json:"version"`
	Status  admin.RequestStatus `json:"status"`
}

// queryEnum reads an optional query parameter that must be one of allowed.
func queryEnum[T ~string](r *apigw.Request, name string, allowed []T) (T, error) {
	v, ok := r.Event.QueryStringParameters[name]
	if !ok {
		return "", nil
	}
	if !slices.Contains(allowed, T(v)) {
		var names string
		for i, a := range allowed {
			if i > 0 {
				names += ", "
			}
			names += string(a)
		}
		return "", &admin.Error{Code: admin.CodeInvalidQuery, Message: name + " must be one of " + names,
			Fields: []admin.FieldError{{Field: name, Code: "invalid", Detail: "must be one of " + names}}}
	}
	return T(v), nil
}

// ListCustomerServiceRequests: GET /customers/{customerId}/service-requests.
func ListCustomerServiceRequests(a Auth, svc *admin.ServiceRequestService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		page, err := pageRequest(r)
		if err != nil {
			return response{}, err
		}
		p, err := svc.CustomerRequests(ctx, s, r.PathParam("customerId"), page)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(p, toRequestSummary))
	})
}

// CreateServiceRequest: POST /customers/{customerId}/service-requests (Idempotency-Key honoured).
func CreateServiceRequest(a Auth, svc *admin.ServiceRequestService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		var in createServiceRequestBody
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		cid := r.PathParam("customerId")
		idem, err := r.Idempotency(s.PartnerID() + "#" + s.UserID() + "#create-service-request#" + cid)
		if err != nil {
			return response{}, err
		}
		sr, replayed, err := svc.CreateRequest(ctx, s, cid, admin.RequestFields{Title: in.Title, Description: in.Description, Severity: in.Severity,
			TopicID: in.Topic, Contact: admin.RequestContact(in.Contact), CC: in.CC}, in.Send, idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		return apigw.Created(toRequest(sr, nil, false), replayed)
	})
}

// GetServiceRequest: GET /customers/{customerId}/service-requests/{requestId}.
func GetServiceRequest(a Auth, svc *admin.ServiceRequestService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		sr, notes, err := svc.Request(ctx, s, r.PathParam("customerId"), r.PathParam("requestId"))
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toRequest(sr, notes, true))
	})
}

// UpdateServiceRequest: PATCH /customers/{customerId}/service-requests/{requestId}.
func UpdateServiceRequest(a Auth, svc *admin.ServiceRequestService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		var in updateServiceRequestBody
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		p := admin.RequestPatch{Version: in.Version, Title: in.Title, Description: in.Description, Severity: in.Severity, TopicID: in.Topic,
			CC: in.CC, Status: in.Status}
		if in.Contact != nil {
			c := admin.RequestContact(*in.Contact)
			p.Contact = &c
		}
		sr, err := svc.UpdateRequest(ctx, s, r.PathParam("customerId"), r.PathParam("requestId"), p)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toRequest(sr, nil, false))
	})
}

// AddServiceRequestNote: POST /customers/{customerId}/service-requests/{requestId}/notes
// (Idempotency-Key honoured). Answers the request with its notes.
func AddServiceRequestNote(a Auth, svc *admin.ServiceRequestService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		var in noteRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		rid := r.PathParam("requestId")
		idem, err := r.Idempotency(s.PartnerID() + "#" + s.UserID() + "#service-request-note#" + rid)
		if err != nil {
			return response{}, err
		}
		sr, notes, replayed, err := svc.AddNote(ctx, s, r.PathParam("customerId"), rid, in.Text, idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		return apigw.Created(toRequest(sr, notes, true), replayed)
	})
}

// ListServiceRequests: GET /service-requests?status= — the partner's queue across customers.
func ListServiceRequests(a Auth, svc *admin.ServiceRequestService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		page, err := pageRequest(r, "status")
		if err != nil {
			return response{}, err
		}
		st, err := queryEnum(r, "status", admin.RequestStatuses)
		if err != nil {
			return response{}, err
		}
		p, err := svc.Queue(ctx, s, admin.RequestQuery{PageRequest: page, Status: st})
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(p, toRequestSummary))
	})
}

// ListSupportRequests: GET /operator/service-requests?status=&cloud= (IAM).
func ListSupportRequests(svc *admin.ServiceRequestService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		page, err := pageRequest(r, "status", "cloud")
		if err != nil {
			return response{}, err
		}
		q := admin.RequestQuery{PageRequest: page}
		if q.Status, err = queryEnum(r, "status", admin.DeskStatuses); err != nil {
			return response{}, err
		}
		if q.Cloud, err = queryEnum(r, "cloud", admin.Clouds); err != nil {
			return response{}, err
		}
		p, err := svc.DeskQueue(ctx, op, q)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(p, toRequestSummary))
	})
}

// GetSupportRequest: GET /operator/service-requests/{requestId} (IAM).
func GetSupportRequest(svc *admin.ServiceRequestService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		sr, notes, err := svc.DeskRequest(ctx, op, r.PathParam("requestId"))
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toRequest(sr, notes, true))
	})
}

// AddSupportNote: POST /operator/service-requests/{requestId}/notes (IAM; Idempotency-Key honoured).
func AddSupportNote(svc *admin.ServiceRequestService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		var in supportNoteRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		rid := r.PathParam("requestId")
		idem, err := r.Idempotency("operator#" + op.ARN + "#support-note#" + rid)
		if err != nil {
			return response{}, err
		}
		sr, notes, replayed, err := svc.DeskNote(ctx, op, rid, in.Text, in.NeedsPartner, idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		return apigw.Created(toRequest(sr, notes, true), replayed)
	})
}

// UpdateSupportRequest: PATCH /operator/service-requests/{requestId} (IAM).
func UpdateSupportRequest(svc *admin.ServiceRequestService) apigw.Handler {
	return operator(func(ctx context.Context, r *apigw.Request, op admin.Principal) (response, error) {
		var in supportUpdateRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		sr, err := svc.DeskUpdate(ctx, op, r.PathParam("requestId"), in.Status, in.Version)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toRequest(sr, nil, false))
	})
}
