package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Service requests: a partner user with full access inside a customer writes a request to the
// cloud's support desk on the customer's behalf. A request starts as a draft (only its author's
// partner sees it), is sent (the desk is emailed and sees it in its queue), goes back and forth
// between open and attention_needed (a support note that needs the partner; the partner's note
// answers it), and is closed; a closed request may be reopened within ReopenWithin.
//
//	draft ──send──▶ open ◀──────▶ attention_needed
//	                 │   ▲              │
//	               close reopen (≤14 d) close
//	                 ▼   │              ▼
//	                 closed ◀───────────┘
//
// Notes are append-only. A request belongs to one customer and one partner: another partner of
// the same customer never sees it.

// Severity is how urgent a request is.
type Severity string

const (
	SeverityMinimal  Severity = "minimal"
	SeverityModerate Severity = "moderate"
	SeverityCritical Severity = "critical"
)

// Severities lists every severity.
var Severities = []Severity{SeverityMinimal, SeverityModerate, SeverityCritical}

// RequestStatus is where a service request stands.
type RequestStatus string

const (
	RequestDraft           RequestStatus = "draft"
	RequestOpen            RequestStatus = "open"
	RequestAttentionNeeded RequestStatus = "attention_needed"
	RequestClosed          RequestStatus = "closed"
)

// RequestStatuses lists every status; DeskStatuses those the support desk sees (not drafts).
var (
	RequestStatuses = []RequestStatus{RequestDraft, RequestOpen, RequestAttentionNeeded, RequestClosed}
	DeskStatuses    = []RequestStatus{RequestOpen, RequestAttentionNeeded, RequestClosed}
)

// Limits of a service request.
const (
	MaxRequestTitle = 255
	MaxRequestText  = 10000 // description and each note, in characters
	MaxRequestCC    = 10
	MaxRequestNotes = 100 // a request is a conversation, not a log; open a new one beyond
	ReopenWithin    = 14 * 24 * time.Hour
	noteRetries     = 3 // a note retries a version conflict with a concurrent note this often
)

// SupportTopic is what a request is about; each cloud has its own list, shipped with the code
// (GET /catalog shows the caller's).
type SupportTopic struct {
	ID   string
	Name string
}

var supportTopics = map[Cloud][]SupportTopic{
	CloudGlobal: {
		{ID: "billing", Name: "Billing and invoices"},
		{ID: "subscriptions", Name: "Subscriptions and licenses"},
		{ID: "identity", Name: "Sign-in, users and Microsoft Entra ID"},
		{ID: "exchange-online", Name: "Exchange Online and Outlook"},
		{ID: "sharepoint-onedrive", Name: "SharePoint and OneDrive"},
		{ID: "teams", Name: "Microsoft Teams"},
		{ID: "microsoft-365-apps", Name: "Microsoft 365 Apps (Word, Excel, PowerPoint)"},
		{ID: "security-compliance", Name: "Security and compliance"},
		{ID: "other", Name: "Something else"},
	},
	Cloud21Vianet: {
		{ID: "billing-21v", Name: "Billing and invoices (operated by 21Vianet)"},
		{ID: "subscriptions-21v", Name: "Subscriptions and licenses (operated by 21Vianet)"},
		{ID: "identity-21v", Name: "Sign-in, users and Microsoft Entra ID (operated by 21Vianet)"},
		{ID: "exchange-online-21v", Name: "Exchange Online (operated by 21Vianet)"},
		{ID: "sharepoint-onedrive-21v", Name: "SharePoint and OneDrive (operated by 21Vianet)"},
		{ID: "teams-21v", Name: "Microsoft Teams (operated by 21Vianet)"},
		{ID: "other-21v", Name: "Something else (operated by 21Vianet)"},
	},
}

// SupportTopics returns the support topics of a cloud.
func SupportTopics(c Cloud) []SupportTopic { return supportTopics[c] }

// FindSupportTopic returns a support topic of a cloud.
func FindSupportTopic(c Cloud, id string) (SupportTopic, bool) {
	for _, t := range supportTopics[c] {
		if t.ID == id {
			return t, true
		}
	}
	return SupportTopic{}, false
}

// RequestContact is the customer-side person the support desk talks to.
type RequestContact struct {
	Name  string
	Email string
	Phone string
}

// ServiceRequest is one request of a partner for one of its customers. The customer's and the
// partner's names are copied in at creation, so the queues show them without another read.
type ServiceRequest struct {
	ID             string
	CustomerID     string
	CustomerName   string
	CustomerDomain string
	PartnerID      string
	PartnerName    string
	Cloud          Cloud
	Title          string
	Description    string
	Severity       Severity
	TopicID        string
	Contact        RequestContact
	CC             []string
	Status         RequestStatus
	NoteCount      int
	CreatedBy      string // the partner user
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastActivityAt time.Time // the queues' order: creation, sending, every note and status change
	SentAt         time.Time // zero while a draft
	ClosedAt       time.Time // zero unless closed
	Version        int
}

// Counted reports whether the request counts as open (open or attention_needed).
func (r ServiceRequest) Counted() bool {
	return r.Status == RequestOpen || r.Status == RequestAttentionNeeded
}

// NoteSide says who wrote a note: the partner or the support desk.
type NoteSide string

const (
	NoteByPartner NoteSide = "partner"
	NoteBySupport NoteSide = "support"
)

// RequestNote is one append-only note of a request.
type RequestNote struct {
	ID        string // time-ordered
	RequestID string
	At        time.Time
	Side      NoteSide
	Author    Actor
	Text      string
	// NeedsPartner marks a support note that asks the partner something: the request becomes
	// attention_needed and its contact and CC addresses are emailed.
	NeedsPartner bool
}

// RequestFields are a request's editable fields, as a partner writes them.
type RequestFields struct {
	Title       string
	Description string
	Severity    Severity
	TopicID     string
	Contact     RequestContact
	CC          []string
}

// RequestPatch changes a request: a draft's fields (nil: unchanged) and/or its status (nil:
// unchanged): "open" sends a draft or reopens a closed request, "closed" closes it.
type RequestPatch struct {
	Version     int
	Title       *string
	Description *string
	Severity    *Severity
	TopicID     *string
	Contact     *RequestContact
	CC          []string // nil: unchanged
	Status      *RequestStatus
}

func (p RequestPatch) edits() bool {
	return p.Title != nil || p.Description != nil || p.Severity != nil || p.TopicID != nil || p.Contact != nil || p.CC != nil
}

// RequestQuery selects a queue: statuses (empty: every status of the queue) and, for the support
// desk, clouds (empty: both).
type RequestQuery struct {
	PageRequest
	Status RequestStatus
	Cloud  Cloud
}

// RequestWrite is one transactional change of a request: the request (new when PrevVersion is
// 0, else guarded by it), an optional note, the relationship a partner write is authorized
// against (nil for the support desk), the change of the customer's open count, the activity
// entries, the emails and the idempotency record.
type RequestWrite struct {
	Request     ServiceRequest
	PrevVersion int
	Note        *RequestNote
	Guard       *Relationship
	OpenDelta   int
	Activities  []Activity
	Emails      []Email
	Idem        *Idempotency
}

// ServiceRequestStore is what service requests need from storage (and the customer gate's read).
type ServiceRequestStore interface {
	CustomerStore
	// ServiceRequest reads a partner's request in a customer with its notes, oldest first
	// (CodeNotFound).
	ServiceRequest(ctx context.Context, customerID, partnerID, requestID string) (ServiceRequest, []RequestNote, error)
	// CustomerServiceRequests lists a partner's requests in one customer, newest first.
	CustomerServiceRequests(ctx context.Context, customerID, partnerID string, page PageRequest) (Page[ServiceRequest], error)
	// PartnerServiceRequests lists a partner's requests in the statuses, newest activity first.
	PartnerServiceRequests(ctx context.Context, partnerID string, statuses []RequestStatus, page PageRequest) (Page[ServiceRequest], error)
	// DeskServiceRequests lists the sent requests of the clouds in the statuses, newest activity first.
	DeskServiceRequests(ctx context.Context, clouds []Cloud, statuses []RequestStatus, page PageRequest) (Page[ServiceRequest], error)
	// LocateServiceRequest returns the customer and partner of a request id (CodeNotFound).
	LocateServiceRequest(ctx context.Context, requestID string) (customerID, partnerID string, err error)
	// WriteServiceRequest writes w in one transaction (CodeVersionConflict, CodeNotFound,
	// CodeConcurrentRequest when the relationship changed, *IdempotencyConflict).
	WriteServiceRequest(ctx context.Context, w RequestWrite) error
}

// ServiceRequestService is the context of service requests: the partner's side inside a
// customer and its queue across customers, and the support desk's side (operator).
type ServiceRequestService struct {
	Env
	Store ServiceRequestStore
	// SupportDesk is the support desk's address of each cloud (SUPPORT_DESK_EMAIL_GLOBAL,
	// SUPPORT_DESK_EMAIL_21VIANET); only functions that send requests need it.
	SupportDesk map[Cloud]string
}

func (s *ServiceRequestService) customers() *CustomerService {
	return &CustomerService{Env: s.Env, Store: s.Store}
}

// validate normalizes and checks the fields against the cloud's support topics; every offending
// field is reported.
func (f RequestFields) validate(cloud Cloud) (RequestFields, error) {
	var p Problems
	f.Title = text(&p, "title", f.Title, 1, MaxRequestTitle)
	f.Description = longText(&p, "description", f.Description, MaxRequestText)
	if !slices.Contains(Severities, f.Severity) {
		p.Add("severity", "enum", "must be one of minimal, moderate, critical")
	}
	if f.TopicID == "" {
		p.Add("topic", "required", "is required: one of the support topics of GET /catalog")
	} else if _, ok := FindSupportTopic(cloud, f.TopicID); !ok {
		p.Add("topic", "unknown_topic", "is not a support topic of the "+string(cloud)+" cloud (see GET /catalog)")
	}
	f.Contact.Name = text(&p, "contact.name", f.Contact.Name, 1, 200)
	f.Contact.Email = NormalizeEmail(&p, "contact.email", f.Contact.Email)
	f.Contact.Phone = phone(&p, "contact.phone", f.Contact.Phone, false)
	if len(f.CC) > MaxRequestCC {
		p.Add("cc", "count", fmt.Sprintf("must name at most %d addresses", MaxRequestCC))
	}
	cc := []string{}
	for i, a := range f.CC {
		a = NormalizeEmail(&p, indexField("cc", i), a)
		if !slices.Contains(cc, a) {
			cc = append(cc, a)
		}
	}
	f.CC = cc
	return f, p.Err()
}

// longText validates a multi-line text: trimmed, required, at most max characters, line breaks
// and tabs allowed but no other control characters (it reaches email bodies, never a header).
func longText(p *Problems, field, s string, max int) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		p.Add(field, "encoding", "must be valid UTF-8")
	case n == 0:
		p.Add(field, "required", "is required")
	case n > max:
		p.Add(field, "too_long", fmt.Sprintf("must have at most %d characters", max))
	case strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f || r >= 0x80 && r < 0xa0 }) >= 0:
		p.Add(field, "control_character", "must not contain control characters other than line breaks and tabs")
	}
	return s
}

func requestNotFound() *Error { return NotFound("service request") }

func transition(r ServiceRequest, detail string) *Error {
	return Errorf(CodeInvalidTransition, "the service request is %s: %s", r.Status, detail)
}

// sentEmail is the email to the cloud's support desk when a request is sent.
func (s *ServiceRequestService) sentEmail(r ServiceRequest) (Email, error) {
	to := s.SupportDesk[r.Cloud]
	if to == "" {
		return Email{}, fmt.Errorf("admin: no support desk address for cloud %s (SUPPORT_DESK_EMAIL_*)", r.Cloud)
	}
	topic, _ := FindSupportTopic(r.Cloud, r.TopicID)
	return Email{ID: s.NewID("out"), OrgID: r.PartnerID, To: []string{to}, Message: ServiceRequestSent{Request: r, Topic: topic}}, nil
}

// requestFields are a request's fields as an activity entry records them (the texts by length).
func requestFields(r ServiceRequest) map[string]any {
	return map[string]any{"title": r.Title, "severity": string(r.Severity), "topic": r.TopicID, "contact": r.Contact.Email,
		"cc": len(r.CC), "descriptionLength": utf8.RuneCountInString(r.Description)}
}

// CreateRequest creates a request in a customer: a draft, or sent at once (send), which emails the
// support desk. Errors: those of CustomerService.Enter, CodeValidation, CodeConcurrentRequest
// (the delegated administration changed meanwhile), CodeIdempotencyKeyReused.
func (s *ServiceRequestService) CreateRequest(ctx context.Context, c Caller, customerID string, in RequestFields, send bool, idem *Idempotency) (ServiceRequest, bool, error) {
	scope, err := s.customers().Enter(ctx, c, customerID, RightManageServiceRequests)
	if err != nil {
		return ServiceRequest{}, false, err
	}
	sess := scope.Session
	f, err := in.validate(sess.Partner.Cloud)
	if err != nil {
		return ServiceRequest{}, false, err
	}
	now, cust := s.Now(), scope.Customer
	r := ServiceRequest{ID: s.NewID("srq"), CustomerID: cust.ID, CustomerName: cust.Name, CustomerDomain: cust.DomainPrefix,
		PartnerID: sess.Partner.ID, PartnerName: sess.Partner.Contact.Name, Cloud: sess.Partner.Cloud,
		Title: f.Title, Description: f.Description, Severity: f.Severity, TopicID: f.TopicID, Contact: f.Contact, CC: f.CC,
		Status: RequestDraft, CreatedBy: sess.Principal.User.ID, CreatedAt: now, UpdatedAt: now, LastActivityAt: now, Version: 1}
	w := RequestWrite{Guard: &scope.Relationship, Idem: idem}
	after := requestFields(r)
	if send {
		r.Status, r.SentAt, w.OpenDelta = RequestOpen, now, 1
		e, err := s.sentEmail(r)
		if err != nil {
			return ServiceRequest{}, false, err
		}
		w.Emails = []Email{e}
	}
	after["status"] = string(r.Status)
	w.Request = r
	w.Activities = s.customers().activities(scope, "service_request.created", Target{"service_request", r.ID}, nil, after)
	if idem != nil {
		idem.ResourceID = r.ID
	}
	err = s.Store.WriteServiceRequest(ctx, w)
	if replay, ok := asReplay(err, idem); ok {
		got, _, err := s.Store.ServiceRequest(ctx, cust.ID, sess.Partner.ID, replay.ResourceID)
		return got, true, err
	}
	if err != nil {
		return ServiceRequest{}, false, err
	}
	return r, false, nil
}

// CustomerRequests lists the partner's requests in a customer, newest first. Errors: those of
// CustomerService.Enter, CodeInvalidCursor.
func (s *ServiceRequestService) CustomerRequests(ctx context.Context, c Caller, customerID string, page PageRequest) (Page[ServiceRequest], error) {
	return readInside(ctx, s.customers(), c, customerID, RightReadCustomer, func(ctx context.Context) (Page[ServiceRequest], error) {
		return s.Store.CustomerServiceRequests(ctx, customerID, c.PartnerID(), page)
	})
}

// Request returns one of the partner's requests in a customer with its notes. Errors: those of
// CustomerService.Enter, CodeNotFound.
func (s *ServiceRequestService) Request(ctx context.Context, c Caller, customerID, requestID string) (ServiceRequest, []RequestNote, error) {
	var (
		r     ServiceRequest
		notes []RequestNote
	)
	_, err := s.customers().enterReading(ctx, c, customerID, RightReadCustomer, func(ctx context.Context) (err error) {
		if !ValidID("srq", requestID) {
			return requestNotFound()
		}
		r, notes, err = s.Store.ServiceRequest(ctx, customerID, c.PartnerID(), requestID)
		return err
	})
	return r, notes, err
}

// Queue lists the partner's requests across its customers, newest activity first; with a status,
// only those (attention_needed: what waits for the partner). Requests of customers whose
// delegated administration has ended are listed too (they are the partner's own records), but
// opening one needs the delegated administration active again. Errors: CodeFeatureNotAuthorized,
// CodeForbidden, CodePasswordChangeNeeded, CodeInvalidCursor.
func (s *ServiceRequestService) Queue(ctx context.Context, c Caller, q RequestQuery) (Page[ServiceRequest], error) {
	statuses := RequestStatuses
	if q.Status != "" {
		statuses = []RequestStatus{q.Status}
	}
	page, err := s.Store.PartnerServiceRequests(ctx, c.PartnerID(), statuses, q.PageRequest)
	return admitted(c, RightReadCustomer, page, err)
}

// UpdateRequest changes a request (RequestPatch), guarded by the version read: a draft's fields,
// sending a draft (emails the support desk), closing an open or attention_needed request, and
// reopening a closed one within ReopenWithin of its closing. Repeating the current status with
// no edits changes nothing. Errors: those of CustomerService.Enter, CodeValidation, CodeNotFound,
// CodeVersionConflict, CodeInvalidTransition, CodeConcurrentRequest.
func (s *ServiceRequestService) UpdateRequest(ctx context.Context, c Caller, customerID, requestID string, in RequestPatch) (ServiceRequest, error) {
	// The request is read alongside the customer; a read error counts after the input's.
	var (
		before ServiceRequest
		rerr   error
	)
	scope, err := s.customers().enterReading(ctx, c, customerID, RightManageServiceRequests, func(ctx context.Context) error {
		if !ValidID("srq", requestID) {
			rerr = requestNotFound()
		} else {
			before, _, rerr = s.Store.ServiceRequest(ctx, customerID, c.PartnerID(), requestID)
		}
		return nil
	})
	if err != nil {
		return ServiceRequest{}, err
	}
	var p Problems
	checkVersion(&p, in.Version)
	if in.Status != nil && *in.Status != RequestOpen && *in.Status != RequestClosed {
		p.Add("status", "enum", "must be open (send a draft, reopen a closed request) or closed")
	}
	if err := p.Err(); err != nil {
		return ServiceRequest{}, err
	}
	if rerr != nil {
		return ServiceRequest{}, rerr
	}
	if in.Version != before.Version {
		return ServiceRequest{}, versionConflict(before.Version)
	}
	r, now := before, s.Now()
	if in.edits() {
		if before.Status != RequestDraft {
			return ServiceRequest{}, transition(before, "only a draft's fields can be changed; add a note instead")
		}
		f := RequestFields{Title: r.Title, Description: r.Description, Severity: r.Severity, TopicID: r.TopicID, Contact: r.Contact, CC: r.CC}
		set(&f.Title, in.Title)
		set(&f.Description, in.Description)
		set(&f.Severity, in.Severity)
		set(&f.TopicID, in.TopicID)
		set(&f.Contact, in.Contact)
		if in.CC != nil {
			f.CC = in.CC
		}
		if f, err = f.validate(r.Cloud); err != nil {
			return ServiceRequest{}, err
		}
		r.Title, r.Description, r.Severity, r.TopicID, r.Contact, r.CC = f.Title, f.Description, f.Severity, f.TopicID, f.Contact, f.CC
	}
	to := r.Status
	if in.Status != nil {
		to = *in.Status
	}
	w := RequestWrite{PrevVersion: before.Version, Guard: &scope.Relationship}
	var action string
	switch {
	case to == before.Status && !in.edits():
		return before, nil
	case to == before.Status: // a draft edited
		action = "service_request.updated"
	case before.Status == RequestDraft && to == RequestOpen:
		action, r.Status, r.SentAt, w.OpenDelta = "service_request.sent", RequestOpen, now, 1
		e, err := s.sentEmail(r)
		if err != nil {
			return ServiceRequest{}, err
		}
		w.Emails = []Email{e}
	case to == RequestClosed && before.Counted():
		action, r.Status, r.ClosedAt, w.OpenDelta = "service_request.closed", RequestClosed, now, -1
	case before.Status == RequestClosed && to == RequestOpen:
		if !now.Before(before.ClosedAt.Add(ReopenWithin)) {
			return ServiceRequest{}, transition(before, fmt.Sprintf("it was closed on %s; a request is reopened only within 14 days of closing, open a new one",
				before.ClosedAt.UTC().Format(time.RFC3339)))
		}
		action, r.Status, r.ClosedAt, w.OpenDelta = "service_request.reopened", RequestOpen, time.Time{}, 1
	case before.Status == RequestAttentionNeeded && to == RequestOpen:
		return ServiceRequest{}, transition(before, "answer the support desk with a note; that makes it open again")
	default:
		return ServiceRequest{}, transition(before, "it cannot become "+string(to))
	}
	r.Version, r.UpdatedAt, r.LastActivityAt = before.Version+1, now, now
	b, a := diffFields(requestFields(before), requestFields(r))
	b["status"], a["status"] = string(before.Status), string(r.Status)
	w.Request = r
	w.Activities = s.customers().activities(scope, action, Target{"service_request", r.ID}, b, a)
	if err := s.Store.WriteServiceRequest(ctx, w); err != nil {
		return ServiceRequest{}, err
	}
	return r, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// noteState returns the request after a note of side: the status a note leads to and the
// refusals (drafts take no notes, closed requests must be reopened first).
func noteState(r ServiceRequest, side NoteSide, needsPartner bool) (RequestStatus, error) {
	switch {
	case r.Status == RequestDraft:
		return "", transition(r, "send it before adding notes")
	case r.Status == RequestClosed:
		return "", transition(r, "reopen it before adding notes")
	case r.NoteCount >= MaxRequestNotes:
		return "", Errorf(CodeValidation, "the service request has %d notes, the most one request holds; open a new request", MaxRequestNotes)
	case side == NoteByPartner:
		return RequestOpen, nil // answering attention_needed makes it open again
	case needsPartner:
		return RequestAttentionNeeded, nil
	}
	return r.Status, nil
}

// AddNote appends a partner note to a sent request; a note on an attention_needed request
// answers it (open again). Errors: those of CustomerService.Enter, CodeValidation, CodeNotFound,
// CodeInvalidTransition, CodeConcurrentRequest, CodeIdempotencyKeyReused.
func (s *ServiceRequestService) AddNote(ctx context.Context, c Caller, customerID, requestID, text string, idem *Idempotency) (ServiceRequest, []RequestNote, bool, error) {
	scope, err := s.customers().Enter(ctx, c, customerID, RightManageServiceRequests)
	if err != nil {
		return ServiceRequest{}, nil, false, err
	}
	var p Problems
	text = longText(&p, "text", text, MaxRequestText)
	if err := p.Err(); err != nil {
		return ServiceRequest{}, nil, false, err
	}
	if !ValidID("srq", requestID) {
		return ServiceRequest{}, nil, false, requestNotFound()
	}
	read := func() (ServiceRequest, []RequestNote, error) {
		return s.Store.ServiceRequest(ctx, customerID, c.PartnerID(), requestID)
	}
	return s.note(ctx, read, NoteByPartner, scope.Actor(), text, false, &scope, idem)
}

// note writes a note of side by author, retrying a version conflict with a concurrent change
// (a note takes no version: notes are appended, whatever else happened meanwhile).
func (s *ServiceRequestService) note(ctx context.Context, read func() (ServiceRequest, []RequestNote, error), side NoteSide, author Actor,
	text string, needsPartner bool, scope *CustomerScope, idem *Idempotency) (ServiceRequest, []RequestNote, bool, error) {
	for attempt := 1; ; attempt++ {
		before, notes, err := read()
		if err != nil {
			return ServiceRequest{}, nil, false, err
		}
		if side == NoteBySupport && before.Status == RequestDraft {
			return ServiceRequest{}, nil, false, requestNotFound() // drafts are not the desk's
		}
		status, err := noteState(before, side, needsPartner)
		if err != nil {
			return ServiceRequest{}, nil, false, err
		}
		now := s.Now()
		n := RequestNote{ID: s.NewID("srn"), RequestID: before.ID, At: now, Side: side, Author: author, Text: text, NeedsPartner: needsPartner}
		r := before
		r.Status, r.NoteCount, r.Version, r.UpdatedAt, r.LastActivityAt = status, before.NoteCount+1, before.Version+1, now, now
		w := RequestWrite{Request: r, PrevVersion: before.Version, Note: &n, Idem: idem}
		after := map[string]any{"side": string(side), "textLength": utf8.RuneCountInString(text)}
		var b map[string]any
		if status != before.Status {
			b, after["status"] = map[string]any{"status": string(before.Status)}, string(status)
		}
		if scope != nil {
			w.Guard = &scope.Relationship
			w.Activities = s.customers().activities(*scope, "service_request.note_added", Target{"service_request", r.ID}, b, after)
		} else {
			w.Activities = s.deskActivities(r, author, "service_request.note_added", b, after)
		}
		if needsPartner {
			to := []string{r.Contact.Email}
			for _, a := range r.CC {
				if a != r.Contact.Email {
					to = append(to, a)
				}
			}
			w.Emails = []Email{{ID: s.NewID("out"), OrgID: r.PartnerID, To: to,
				Message: ServiceRequestAttention{Request: r, Note: n}}}
		}
		if idem != nil {
			idem.ResourceID = n.ID
		}
		err = s.Store.WriteServiceRequest(ctx, w)
		if _, ok := asReplay(err, idem); ok { // the note exists: answer with the request as it is now
			got, notes, err := read()
			return got, notes, true, err
		}
		if ErrorCode(err) == CodeVersionConflict && attempt < noteRetries {
			continue
		}
		if err != nil {
			return ServiceRequest{}, nil, false, err
		}
		return r, append(notes, n), false, nil
	}
}

// deskActivities are the entries of a support-desk action: one in the partner's log and one in
// the customer's, the operator as actor.
func (s *ServiceRequestService) deskActivities(r ServiceRequest, by Actor, action string, before, after map[string]any) []Activity {
	now := s.Now()
	a := Activity{At: now, Actor: by, Action: action, Target: Target{"service_request", r.ID}, CustomerID: r.CustomerID,
		PartnerID: r.PartnerID, Before: before, After: after}
	partner, customer := a, a
	partner.ID, partner.OrgID = s.NewID("act"), r.PartnerID
	customer.ID, customer.OrgID = s.NewID("act"), r.CustomerID
	return []Activity{partner, customer}
}

// DeskQueue lists the sent requests for the support desk, newest activity first, optionally of
// one status and one cloud. Errors: CodeForbidden, CodeValidation (a draft is not the desk's),
// CodeInvalidCursor.
func (s *ServiceRequestService) DeskQueue(ctx context.Context, op Principal, q RequestQuery) (Page[ServiceRequest], error) {
	if err := requireOperator(op); err != nil {
		return Page[ServiceRequest]{}, err
	}
	statuses, clouds := DeskStatuses, Clouds
	if q.Status != "" {
		if !slices.Contains(DeskStatuses, q.Status) {
			return Page[ServiceRequest]{}, FieldErr("status", "enum", "must be open, attention_needed or closed (drafts are not sent)")
		}
		statuses = []RequestStatus{q.Status}
	}
	if q.Cloud != "" {
		clouds = []Cloud{q.Cloud}
	}
	return s.Store.DeskServiceRequests(ctx, clouds, statuses, q.PageRequest)
}

// deskRead returns the reader of a sent request by id alone (drafts are not found).
func (s *ServiceRequestService) deskRead(ctx context.Context, requestID string) func() (ServiceRequest, []RequestNote, error) {
	return func() (ServiceRequest, []RequestNote, error) {
		if !ValidID("srq", requestID) {
			return ServiceRequest{}, nil, requestNotFound()
		}
		cid, pid, err := s.Store.LocateServiceRequest(ctx, requestID)
		if err != nil {
			return ServiceRequest{}, nil, err
		}
		r, notes, err := s.Store.ServiceRequest(ctx, cid, pid, requestID)
		if err == nil && r.Status == RequestDraft {
			return ServiceRequest{}, nil, requestNotFound()
		}
		return r, notes, err
	}
}

// DeskRequest returns a sent request with its notes to the support desk. Errors: CodeForbidden,
// CodeNotFound.
func (s *ServiceRequestService) DeskRequest(ctx context.Context, op Principal, requestID string) (ServiceRequest, []RequestNote, error) {
	if err := requireOperator(op); err != nil {
		return ServiceRequest{}, nil, err
	}
	return s.deskRead(ctx, requestID)()
}

// DeskNote appends a support-desk note; needsPartner asks the partner (attention_needed) and
// emails the request's contact and CC addresses. Errors: CodeForbidden, CodeValidation,
// CodeNotFound, CodeInvalidTransition, CodeIdempotencyKeyReused.
func (s *ServiceRequestService) DeskNote(ctx context.Context, op Principal, requestID, text string, needsPartner bool, idem *Idempotency) (ServiceRequest, []RequestNote, bool, error) {
	if err := requireOperator(op); err != nil {
		return ServiceRequest{}, nil, false, err
	}
	var p Problems
	text = longText(&p, "text", text, MaxRequestText)
	if err := p.Err(); err != nil {
		return ServiceRequest{}, nil, false, err
	}
	return s.note(ctx, s.deskRead(ctx, requestID), NoteBySupport, ActorOf(op), text, needsPartner, nil, idem)
}

// DeskUpdate sets a sent request's status for the support desk, guarded by the version read:
// closed (from open or attention_needed) or open (reopening within ReopenWithin; a request needs
// the partner only through a note, which says what). Errors: CodeForbidden, CodeValidation,
// CodeNotFound, CodeVersionConflict, CodeInvalidTransition.
func (s *ServiceRequestService) DeskUpdate(ctx context.Context, op Principal, requestID string, status RequestStatus, version int) (ServiceRequest, error) {
	if err := requireOperator(op); err != nil {
		return ServiceRequest{}, err
	}
	var p Problems
	checkVersion(&p, version)
	if status != RequestOpen && status != RequestClosed {
		p.Add("status", "enum", "must be open or closed (attention_needed comes with a note: POST .../notes with needsPartner)")
	}
	if err := p.Err(); err != nil {
		return ServiceRequest{}, err
	}
	before, _, err := s.deskRead(ctx, requestID)()
	if err != nil {
		return ServiceRequest{}, err
	}
	if version != before.Version {
		return ServiceRequest{}, versionConflict(before.Version)
	}
	if status == before.Status {
		return before, nil
	}
	r, now := before, s.Now()
	w := RequestWrite{PrevVersion: before.Version}
	switch {
	case status == RequestClosed:
		r.Status, r.ClosedAt, w.OpenDelta = RequestClosed, now, -1
	case before.Status == RequestClosed:
		if !now.Before(before.ClosedAt.Add(ReopenWithin)) {
			return ServiceRequest{}, transition(before, "a request is reopened only within 14 days of closing")
		}
		r.Status, r.ClosedAt, w.OpenDelta = RequestOpen, time.Time{}, 1
	default: // attention_needed → open
		r.Status = RequestOpen
	}
	r.Version, r.UpdatedAt, r.LastActivityAt = before.Version+1, now, now
	w.Request = r
	w.Activities = s.deskActivities(r, ActorOf(op), "service_request.status_changed",
		map[string]any{"status": string(before.Status)}, map[string]any{"status": string(r.Status)})
	if err := s.Store.WriteServiceRequest(ctx, w); err != nil {
		return ServiceRequest{}, err
	}
	return r, nil
}
