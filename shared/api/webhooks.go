package api

import (
	"context"
	"net/http"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

func webhooks(h func(Auth, *admin.WebhookService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Webhooks) }
}

// webhookRoutes are the routes of the partner's webhook endpoints.
func webhookRoutes() []Route {
	return []Route{
		{"GET", "/webhooks", "list-webhooks", webhooks(ListWebhooks)},
		{"POST", "/webhooks", "create-webhook", webhooks(CreateWebhook)},
		{"DELETE", "/webhooks/{webhookId}", "delete-webhook", webhooks(DeleteWebhook)},
		{"POST", "/webhooks/{webhookId}/test", "test-webhook", webhooks(TestWebhook)},
		{"GET", "/webhooks/{webhookId}/deliveries", "list-webhook-deliveries", webhooks(ListWebhookDeliveries)},
	}
}

// webhookBody is an endpoint; the secret only in the answer to its registration.
type webhookBody struct {
	WebhookID    string              `json:"webhookId"`
	URL          string              `json:"url"`
	Description  string              `json:"description"`
	Status       admin.WebhookStatus `json:"status"`
	FailingSince *time.Time          `json:"failingSince"`
	DisabledAt   *time.Time          `json:"disabledAt"`
	CreatedAt    time.Time           `json:"createdAt"`
	Secret       string              `json:"secret,omitempty"`
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toWebhook(w admin.Webhook) webhookBody {
	return webhookBody{WebhookID: w.ID, URL: w.URL, Description: w.Description, Status: w.Status, FailingSince: optionalTime(w.FailingSince),
		DisabledAt: optionalTime(w.DisabledAt), CreatedAt: w.CreatedAt}
}

type createWebhookRequest struct {
	URL         string `json:"url"`
	Description string `json:"description"`
}

// webhookAttemptBody is one entry of the delivery log.
type webhookAttemptBody struct {
	AttemptID  string               `json:"attemptId"`
	EventID    string               `json:"eventId"`
	Type       string               `json:"type"`
	Attempt    int                  `json:"attempt"`
	At         time.Time            `json:"at"`
	DurationMS int64                `json:"durationMs"`
	StatusCode *int                 `json:"statusCode"`
	Error      string               `json:"error,omitempty"`
	Outcome    admin.AttemptOutcome `json:"outcome"`
}

func toWebhookAttempt(a admin.WebhookAttempt) webhookAttemptBody {
	b := webhookAttemptBody{AttemptID: a.ID, EventID: a.EventID, Type: a.Kind, Attempt: a.Attempt, At: a.At, DurationMS: a.Duration.Milliseconds(),
		Error: a.Error, Outcome: a.Outcome}
	if a.StatusCode != 0 {
		b.StatusCode = &a.StatusCode
	}
	return b
}

// ListWebhooks: GET /webhooks.
func ListWebhooks(a Auth, svc *admin.WebhookService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		hooks, err := svc.List(ctx, s)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(admin.Page[admin.Webhook]{Items: hooks}, toWebhook))
	})
}

// CreateWebhook: POST /webhooks (Idempotency-Key honoured). The answer carries the signing
// secret, this once.
func CreateWebhook(a Auth, svc *admin.WebhookService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		var in createWebhookRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		idem, err := r.Idempotency(s.Partner.ID + "#" + s.Principal.User.ID + "#create-webhook")
		if err != nil {
			return response{}, err
		}
		w, replayed, err := svc.Create(ctx, s, admin.NewWebhook{URL: in.URL, Description: in.Description}, idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		body := toWebhook(w)
		body.Secret = w.Secret
		return apigw.Created(body, replayed)
	})
}

// DeleteWebhook: DELETE /webhooks/{webhookId}.
func DeleteWebhook(a Auth, svc *admin.WebhookService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		if err := svc.Delete(ctx, s, r.PathParam("webhookId")); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}

// TestWebhook: POST /webhooks/{webhookId}/test (no body). Answers with the attempt: 200 whatever
// the receiver answered (the outcome says how it went).
func TestWebhook(a Auth, svc *admin.WebhookService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		att, err := svc.Test(ctx, s, r.PathParam("webhookId"))
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toWebhookAttempt(att))
	})
}

// ListWebhookDeliveries: GET /webhooks/{webhookId}/deliveries, the delivery log newest first.
func ListWebhookDeliveries(a Auth, svc *admin.WebhookService) apigw.Handler {
	return authenticated(a, func(ctx context.Context, r *apigw.Request, s admin.Session) (response, error) {
		page, err := pageRequest(r)
		if err != nil {
			return response{}, err
		}
		log, err := svc.Deliveries(ctx, s, r.PathParam("webhookId"), page)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(log, toWebhookAttempt))
	})
}
