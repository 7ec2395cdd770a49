package admin

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	srPartner  = "ptn_000000000000000000000000p1"
	srOther    = "ptn_000000000000000000000000p2"
	srCustomer = "cus_000000000000000000000000c1"
	srDesk     = "desk@support.example"
)

// srWorld is a partner with one customer under active full delegated administration, a full
// and a limited user, and a clock the test moves.
type srWorld struct {
	svc           *ServiceRequestService
	st            *fakeRequestStore
	full, limited Session
	now           time.Time
}

func newSRWorld() *srWorld {
	w := &srWorld{st: newFakeRequestStore(), now: testNow}
	w.st.customers[srCustomer] = Customer{ID: srCustomer, Name: "Litware", DomainPrefix: "litware", Cloud: CloudGlobal}
	for _, pid := range []string{srPartner, srOther} {
		w.st.rels[srCustomer+"/"+pid] = Relationship{CustomerID: srCustomer, PartnerID: pid, Version: 4,
			DelegatedAdmin: &DelegatedAdmin{Scope: AccessFull, Status: "active", EndsAt: testNow.AddDate(1, 0, 0)}}
	}
	env := testEnv()
	env.Now = func() time.Time { return w.now }
	w.svc = &ServiceRequestService{Env: env, Store: w.st, SupportDesk: map[Cloud]string{CloudGlobal: srDesk}}
	w.full = w.session(srPartner, AccessFull)
	w.limited = w.session(srPartner, AccessLimited)
	return w
}

func (w *srWorld) session(pid string, access CustomerAccess) Session {
	return Session{Principal: Principal{Kind: PrincipalUser, User: User{ID: "usr_" + string(access), Email: string(access) + "@p.example", CompanyRole: RoleNone, CustomerAccess: access}},
		Partner: Partner{ID: pid, Cloud: CloudGlobal, Contact: Contact{Name: "Contoso"}, Authorizations: []Authorization{AuthDelegatedAdmin}}}
}

var operatorP = Principal{Kind: PrincipalOperator, ARN: "arn:aws:iam::1:user/desk"}

func validFields() RequestFields {
	return RequestFields{Title: "Mail stuck", Description: "Since Monday\nno mail arrives.", Severity: SeverityModerate, TopicID: "exchange-online",
		Contact: RequestContact{Name: "Cara", Email: "Cara@Litware.example", Phone: "+1 555 0100"}, CC: []string{"it@litware.example", "IT@litware.example"}}
}

func (w *srWorld) create(t *testing.T, send bool) ServiceRequest {
	t.Helper()
	r, _, err := w.svc.CreateRequest(context.Background(), w.full, srCustomer, validFields(), send, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantCode(t *testing.T, err error, code Code) {
	t.Helper()
	if ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

func fieldsOf(err error) []string {
	e, _ := err.(*Error)
	if e == nil {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// TestRequestValidation: every offending field is reported at once, and nothing is written.
func TestRequestValidation(t *testing.T) {
	w := newSRWorld()
	cc := make([]string, 11)
	for i := range cc {
		cc[i] = fmt.Sprintf("cc%d@litware.example", i)
	}
	cc[3] = "not-an-address"
	in := RequestFields{Title: strings.Repeat("t", 256), Description: "", Severity: "urgent", TopicID: "exchange-online-21v",
		Contact: RequestContact{Name: " ", Email: "nope", Phone: "call me"}, CC: cc}
	_, _, err := w.svc.CreateRequest(context.Background(), w.full, srCustomer, in, true, nil)
	wantCode(t, err, CodeValidation)
	want := []string{"title", "description", "severity", "topic", "contact.name", "contact.email", "contact.phone", "cc", "cc[3]"}
	if got := fieldsOf(err); !slices.Equal(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	long := validFields()
	long.Description = strings.Repeat("ü", MaxRequestText+1)
	_, _, err = w.svc.CreateRequest(context.Background(), w.full, srCustomer, long, false, nil)
	if got := fieldsOf(err); !slices.Equal(got, []string{"description"}) {
		t.Fatalf("too long description: %v", err)
	}
	ctrl := validFields()
	ctrl.Title, ctrl.Description = "a\r\nBcc: x@y.example", "ok\x00"
	_, _, err = w.svc.CreateRequest(context.Background(), w.full, srCustomer, ctrl, false, nil)
	if got := fieldsOf(err); !slices.Equal(got, []string{"title", "description"}) {
		t.Fatalf("control characters: %v", err)
	}
	exact := validFields()
	exact.Title, exact.Description = strings.Repeat("t", MaxRequestTitle), strings.Repeat("d", MaxRequestText-1)+"\t"+"\n"+"x"
	exact.Description = exact.Description[:MaxRequestText]
	if _, _, err := w.svc.CreateRequest(context.Background(), w.full, srCustomer, exact, false, nil); err != nil {
		t.Fatalf("at the limits: %v", err)
	}
	if len(w.st.writes) != 1 {
		t.Fatalf("writes = %d, want only the valid one", len(w.st.writes))
	}
}

// TestCreateRequest: a draft writes no email; sending at once emails the cloud's desk and counts
// the request open; both log in the partner's and the customer's log under the relationship guard.
func TestCreateRequest(t *testing.T) {
	w := newSRWorld()
	d := w.create(t, false)
	wr := w.st.writes[0]
	if d.Status != RequestDraft || !d.SentAt.IsZero() || len(wr.Emails) != 0 || wr.OpenDelta != 0 || wr.PrevVersion != 0 {
		t.Fatalf("draft %+v write %+v", d, wr)
	}
	if d.Contact.Email != "cara@litware.example" || !slices.Equal(d.CC, []string{"it@litware.example"}) || d.CustomerName != "Litware" || d.PartnerName != "Contoso" {
		t.Fatalf("normalized fields %+v", d)
	}
	if wr.Guard == nil || wr.Guard.Version != 4 || len(wr.Activities) != 2 || wr.Activities[0].OrgID != srPartner || wr.Activities[1].OrgID != srCustomer ||
		wr.Activities[0].Action != "service_request.created" || wr.Activities[0].PartnerID != srPartner {
		t.Fatalf("guard and activities %+v", wr)
	}
	s := w.create(t, true)
	wr = w.st.writes[1]
	if s.Status != RequestOpen || !s.SentAt.Equal(testNow) || wr.OpenDelta != 1 || len(wr.Emails) != 1 || !slices.Equal(wr.Emails[0].To, []string{srDesk}) {
		t.Fatalf("sent %+v write %+v", s, wr)
	}
	if m, ok := wr.Emails[0].Message.(ServiceRequestSent); !ok || m.Topic.ID != "exchange-online" || m.Request.ID != s.ID {
		t.Fatalf("message %+v", wr.Emails[0].Message)
	}
	// No desk address for the cloud: an internal error, nothing written.
	w.svc.SupportDesk = nil
	if _, _, err := w.svc.CreateRequest(context.Background(), w.full, srCustomer, validFields(), true, nil); err == nil || ErrorCode(err) != CodeInternal {
		t.Fatalf("no desk address: %v", err)
	}
	if len(w.st.writes) != 2 {
		t.Fatal("a refused send wrote")
	}
}

// TestRequestGate: limited access reads but does not create, change or annotate; another
// partner of the same customer does not see the request.
func TestRequestGate(t *testing.T) {
	w := newSRWorld()
	r := w.create(t, true)
	ctx := context.Background()
	_, _, err := w.svc.CreateRequest(ctx, w.limited, srCustomer, validFields(), false, nil)
	wantCode(t, err, CodeForbidden)
	_, err = w.svc.UpdateRequest(ctx, w.limited, srCustomer, r.ID, RequestPatch{Version: 1, Status: ptr(RequestClosed)})
	wantCode(t, err, CodeForbidden)
	_, _, _, err = w.svc.AddNote(ctx, w.limited, srCustomer, r.ID, "hello", nil)
	wantCode(t, err, CodeForbidden)
	if _, _, err := w.svc.Request(ctx, w.limited, srCustomer, r.ID); err != nil {
		t.Fatalf("limited read: %v", err)
	}
	if p, err := w.svc.CustomerRequests(ctx, w.limited, srCustomer, PageRequest{}); err != nil || len(p.Items) != 1 {
		t.Fatalf("limited list: %v %v", p, err)
	}
	other := w.session(srOther, AccessFull)
	_, _, err = w.svc.Request(ctx, other, srCustomer, r.ID)
	wantCode(t, err, CodeNotFound)
	if p, _ := w.svc.CustomerRequests(ctx, other, srCustomer, PageRequest{}); len(p.Items) != 0 {
		t.Fatalf("another partner lists %v", p.Items)
	}
	_, _, err = w.svc.Request(ctx, w.full, srCustomer, "srq_'; DROP")
	wantCode(t, err, CodeNotFound)
	// The queue needs the feature and customer access, not a customer.
	none := w.session(srPartner, AccessNone)
	_, err = w.svc.Queue(ctx, none, RequestQuery{})
	wantCode(t, err, CodeForbidden)
	noFeature := w.full
	noFeature.Partner.Authorizations = []Authorization{AuthSubscriptionAdvisor}
	_, err = w.svc.Queue(ctx, noFeature, RequestQuery{})
	wantCode(t, err, CodeFeatureNotAuthorized)
	if p, err := w.svc.Queue(ctx, w.limited, RequestQuery{Status: RequestOpen}); err != nil || len(p.Items) != 1 {
		t.Fatalf("queue: %v %v", p, err)
	}
	if len(w.st.writes) != 1 {
		t.Fatalf("refusals wrote: %d writes", len(w.st.writes))
	}
}

// TestRequestLifecycle walks every transition of the partner's PATCH and its refusals.
func TestRequestLifecycle(t *testing.T) {
	w := newSRWorld()
	ctx := context.Background()
	r := w.create(t, false)
	patch := func(p RequestPatch) (ServiceRequest, error) {
		return w.svc.UpdateRequest(ctx, w.full, srCustomer, r.ID, p)
	}
	// Missing version and a bad status: both reported.
	_, err := patch(RequestPatch{Status: ptr(RequestAttentionNeeded)})
	if got := fieldsOf(err); !slices.Equal(got, []string{"version", "status"}) {
		t.Fatalf("fields %v", err)
	}
	_, err = patch(RequestPatch{Version: 7, Title: ptr("x")})
	wantCode(t, err, CodeVersionConflict)
	_, err = patch(RequestPatch{Version: 1, Severity: ptr(Severity("urgent")), CC: []string{"bad"}})
	if got := fieldsOf(err); !slices.Equal(got, []string{"severity", "cc[0]"}) {
		t.Fatalf("edit validation %v", err)
	}
	_, err = patch(RequestPatch{Version: 1, Status: ptr(RequestClosed)})
	wantCode(t, err, CodeInvalidTransition) // a draft is sent, not closed
	// Edit the draft.
	r, err = patch(RequestPatch{Version: 1, Title: ptr("Mail stuck since Monday"), Severity: ptr(SeverityCritical), CC: []string{}})
	if err != nil || r.Version != 2 || r.Title != "Mail stuck since Monday" || r.Severity != SeverityCritical || len(r.CC) != 0 || r.Status != RequestDraft {
		t.Fatalf("edit: %+v %v", r, err)
	}
	if a := w.st.writes[len(w.st.writes)-1].Activities[0]; a.Action != "service_request.updated" || a.After["title"] != "Mail stuck since Monday" || a.Before["severity"] != "moderate" {
		t.Fatalf("edit activity %+v", a)
	}
	// The same status without edits changes nothing.
	n := len(w.st.writes)
	if same, err := patch(RequestPatch{Version: 2, Status: ptr(RequestStatus("open"))}); err != nil || same.Status != RequestOpen {
		t.Fatalf("send: %+v %v", same, err)
	}
	if wr := w.st.writes[n]; len(wr.Emails) != 1 || wr.OpenDelta != 1 || wr.PrevVersion != 2 || wr.Activities[0].Action != "service_request.sent" {
		t.Fatalf("send write %+v", wr)
	}
	if again, err := patch(RequestPatch{Version: 3, Status: ptr(RequestOpen)}); err != nil || again.Version != 3 || len(w.st.writes) != n+1 {
		t.Fatalf("no-op: %+v %v", again, err)
	}
	_, err = patch(RequestPatch{Version: 3, Title: ptr("late edit")})
	wantCode(t, err, CodeInvalidTransition)
	// Close, reopen within 14 days, close again, refused after 14 days.
	r, err = patch(RequestPatch{Version: 3, Status: ptr(RequestClosed)})
	if err != nil || r.Status != RequestClosed || !r.ClosedAt.Equal(w.now) || w.st.writes[len(w.st.writes)-1].OpenDelta != -1 {
		t.Fatalf("close: %+v %v", r, err)
	}
	w.now = w.now.Add(ReopenWithin - time.Second)
	r, err = patch(RequestPatch{Version: 4, Status: ptr(RequestOpen)})
	if err != nil || r.Status != RequestOpen || !r.ClosedAt.IsZero() || w.st.writes[len(w.st.writes)-1].OpenDelta != 1 {
		t.Fatalf("reopen: %+v %v", r, err)
	}
	r, _ = patch(RequestPatch{Version: 5, Status: ptr(RequestClosed)})
	w.now = w.now.Add(ReopenWithin)
	n = len(w.st.writes)
	_, err = patch(RequestPatch{Version: 6, Status: ptr(RequestOpen)})
	wantCode(t, err, CodeInvalidTransition)
	if len(w.st.writes) != n {
		t.Fatal("a refused reopen wrote")
	}
	// Unknown request.
	_, err = w.svc.UpdateRequest(ctx, w.full, srCustomer, "srq_00000000000000000000000099", RequestPatch{Version: 1, Status: ptr(RequestClosed)})
	wantCode(t, err, CodeNotFound)
}

// TestRequestNotes: notes need a sent, not closed request; a partner note answers
// attention_needed; a support note that needs the partner emails contact and CC.
func TestRequestNotes(t *testing.T) {
	w := newSRWorld()
	ctx := context.Background()
	d := w.create(t, false)
	_, _, _, err := w.svc.AddNote(ctx, w.full, srCustomer, d.ID, "hi", nil)
	wantCode(t, err, CodeInvalidTransition)
	_, _, _, err = w.svc.DeskNote(ctx, operatorP, d.ID, "hi", false, nil)
	wantCode(t, err, CodeNotFound) // drafts are not the desk's
	_, _, _, err = w.svc.AddNote(ctx, w.full, srCustomer, d.ID, strings.Repeat("n", MaxRequestText+1), nil)
	if got := fieldsOf(err); !slices.Equal(got, []string{"text"}) {
		t.Fatalf("long note: %v", err)
	}
	r := w.create(t, true)
	r, notes, _, err := w.svc.DeskNote(ctx, operatorP, r.ID, "Which mailbox?\nPlease send a header.", true, nil)
	if err != nil || r.Status != RequestAttentionNeeded || r.NoteCount != 1 || len(notes) != 1 || notes[0].Side != NoteBySupport || !notes[0].NeedsPartner {
		t.Fatalf("desk note: %+v %+v %v", r, notes, err)
	}
	wr := w.st.writes[len(w.st.writes)-1]
	if wr.Guard != nil || len(wr.Emails) != 1 || !slices.Equal(wr.Emails[0].To, []string{"cara@litware.example", "it@litware.example"}) {
		t.Fatalf("desk note write %+v", wr)
	}
	if m, ok := wr.Emails[0].Message.(ServiceRequestAttention); !ok || m.Note.Text != "Which mailbox?\nPlease send a header." {
		t.Fatalf("attention message %+v", wr.Emails[0].Message)
	}
	if a := wr.Activities; len(a) != 2 || a[0].Actor.Type != "operator" || a[0].OrgID != srPartner || a[1].OrgID != srCustomer || a[0].After["status"] != "attention_needed" {
		t.Fatalf("desk activities %+v", a)
	}
	// A support note that does not need the partner leaves the status and sends nothing.
	r, _, _, _ = w.svc.DeskNote(ctx, operatorP, r.ID, "Looking into it.", false, nil)
	if wr := w.st.writes[len(w.st.writes)-1]; r.Status != RequestAttentionNeeded || len(wr.Emails) != 0 {
		t.Fatalf("plain desk note: %+v", r)
	}
	// The partner answers: open again.
	r, notes, _, err = w.svc.AddNote(ctx, w.full, srCustomer, r.ID, "The mailbox is cara@.", nil)
	if err != nil || r.Status != RequestOpen || len(notes) != 3 || notes[2].Side != NoteByPartner || notes[2].Author.ID != "usr_full" {
		t.Fatalf("partner note: %+v %v", r, err)
	}
	if wr := w.st.writes[len(w.st.writes)-1]; wr.Guard == nil || wr.Activities[0].Before["status"] != "attention_needed" {
		t.Fatalf("partner note write %+v", wr)
	}
	// A closed request takes no notes; the notes have a limit.
	r, _ = w.svc.DeskUpdate(ctx, operatorP, r.ID, RequestClosed, r.Version)
	_, _, _, err = w.svc.AddNote(ctx, w.full, srCustomer, r.ID, "hello?", nil)
	wantCode(t, err, CodeInvalidTransition)
	full := w.create(t, true)
	full.NoteCount = MaxRequestNotes
	w.st.requests[reqKey(srCustomer, srPartner, full.ID)] = full
	_, _, _, err = w.svc.AddNote(ctx, w.full, srCustomer, full.ID, "one more", nil)
	wantCode(t, err, CodeValidation)
}

// TestNoteRetriesConcurrentChange: a note that meets a concurrent change of the request retries
// with a fresh read (notes take no version); a persistent conflict ends as the conflict.
func TestNoteRetriesConcurrentChange(t *testing.T) {
	w := newSRWorld()
	ctx := context.Background()
	r := w.create(t, true)
	w.st.failWrites = []error{versionConflict(2)}
	if got, _, _, err := w.svc.AddNote(ctx, w.full, srCustomer, r.ID, "first", nil); err != nil || got.NoteCount != 1 {
		t.Fatalf("retried note: %+v %v", got, err)
	}
	w.st.failWrites = []error{versionConflict(3), versionConflict(3), versionConflict(3)}
	_, _, _, err := w.svc.AddNote(ctx, w.full, srCustomer, r.ID, "second", nil)
	wantCode(t, err, CodeVersionConflict)
	if len(w.st.failWrites) != 0 {
		t.Fatalf("attempts left %d, want all %d used", len(w.st.failWrites), noteRetries)
	}
}

// TestRequestIdempotency: a replayed create answers the request created the first time; the same
// key with another request is refused; a replayed note answers the request without a second note.
func TestRequestIdempotency(t *testing.T) {
	w := newSRWorld()
	ctx := context.Background()
	idem := func(fp string) *Idempotency { return &Idempotency{Scope: "s", Key: "k-" + fp[:1], Fingerprint: fp} }
	first, replayed, err := w.svc.CreateRequest(ctx, w.full, srCustomer, validFields(), true, idem("a1"))
	if err != nil || replayed {
		t.Fatal(err)
	}
	again, replayed, err := w.svc.CreateRequest(ctx, w.full, srCustomer, validFields(), true, idem("a1"))
	if err != nil || !replayed || again.ID != first.ID || len(w.st.writes) != 1 {
		t.Fatalf("replay: %+v %v %v", again, replayed, err)
	}
	_, _, err = w.svc.CreateRequest(ctx, w.full, srCustomer, validFields(), false, idem("a2"))
	wantCode(t, ReplayMismatch(err), CodeIdempotencyKeyReused)
	_, _, _, err = w.svc.AddNote(ctx, w.full, srCustomer, first.ID, "note", idem("n1"))
	if err != nil {
		t.Fatal(err)
	}
	r, notes, replayed, err := w.svc.AddNote(ctx, w.full, srCustomer, first.ID, "note", idem("n1"))
	if err != nil || !replayed || len(notes) != 1 || r.NoteCount != 1 {
		t.Fatalf("note replay: %+v %v %v", r, replayed, err)
	}
}

// TestDesk: operator only; the desk's queue never shows drafts; its PATCH closes and reopens
// (within 14 days) and refuses attention_needed without a note.
func TestDesk(t *testing.T) {
	w := newSRWorld()
	ctx := context.Background()
	d := w.create(t, false)
	r := w.create(t, true)
	user := Principal{Kind: PrincipalUser, User: User{ID: "usr_1"}}
	_, err := w.svc.DeskQueue(ctx, user, RequestQuery{})
	wantCode(t, err, CodeForbidden)
	_, _, err = w.svc.DeskRequest(ctx, user, r.ID)
	wantCode(t, err, CodeForbidden)
	_, _, _, err = w.svc.DeskNote(ctx, user, r.ID, "x", false, nil)
	wantCode(t, err, CodeForbidden)
	_, err = w.svc.DeskUpdate(ctx, user, r.ID, RequestClosed, 1)
	wantCode(t, err, CodeForbidden)
	_, err = w.svc.DeskQueue(ctx, operatorP, RequestQuery{Status: RequestDraft})
	wantCode(t, err, CodeValidation)
	p, err := w.svc.DeskQueue(ctx, operatorP, RequestQuery{})
	if err != nil || len(p.Items) != 1 || p.Items[0].ID != r.ID {
		t.Fatalf("desk queue %+v %v", p, err)
	}
	if p, _ := w.svc.DeskQueue(ctx, operatorP, RequestQuery{Cloud: Cloud21Vianet}); len(p.Items) != 0 {
		t.Fatalf("21Vianet queue shows %v", p.Items)
	}
	_, _, err = w.svc.DeskRequest(ctx, operatorP, d.ID)
	wantCode(t, err, CodeNotFound)
	_, err = w.svc.DeskUpdate(ctx, operatorP, r.ID, RequestAttentionNeeded, 0)
	if got := fieldsOf(err); !slices.Equal(got, []string{"version", "status"}) {
		t.Fatalf("desk patch validation: %v", err)
	}
	_, err = w.svc.DeskUpdate(ctx, operatorP, r.ID, RequestClosed, 9)
	wantCode(t, err, CodeVersionConflict)
	r, err = w.svc.DeskUpdate(ctx, operatorP, r.ID, RequestClosed, 1)
	if wr := w.st.writes[len(w.st.writes)-1]; err != nil || r.Status != RequestClosed || wr.OpenDelta != -1 || wr.Guard != nil || wr.Activities[0].Action != "service_request.status_changed" {
		t.Fatalf("desk close: %+v %v", r, err)
	}
	w.now = w.now.Add(ReopenWithin)
	_, err = w.svc.DeskUpdate(ctx, operatorP, r.ID, RequestOpen, 2)
	wantCode(t, err, CodeInvalidTransition)
}
