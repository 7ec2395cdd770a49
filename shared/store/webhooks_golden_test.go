package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/partner-admin-center/pac/shared/admin"
)

// goldenWebhookPuts pins the webhook items: an endpoint (its sealed secret's shape), a pending
// delivery with its queue entry, the delivered delivery with its log entry, and the disabling
// (activity entry and email).
func goldenWebhookPuts(ctx context.Context, st *Store, d goldenDomain, write func(error, ...string), out map[string]map[string]types.AttributeValue) {
	st.Sealer = goldenSealer()
	s := NewWebhooks(st)
	w := admin.Webhook{ID: "whk_01jtgd00000000000000000001", PartnerID: gPartner, URL: "https://hooks.adatum.example/pac", Description: "CRM sync",
		Status: admin.WebhookActive, Secret: "whsec_golden", CreatedBy: gUser, CreatedAt: gAt(10)}
	act := func(n int, action string) admin.Activity {
		return admin.Activity{ID: gAct + string(rune('a'+n)), OrgID: gPartner, At: gAt(10), Actor: admin.Actor{Type: "user", ID: gUser, Email: d.user.Email},
			Action: action, Target: admin.Target{Type: "webhook", ID: w.ID}}
	}
	write(s.CreateWebhook(ctx, w, act(0, "webhook.created"), nil), "webhook", "webhook-log-head", "")
	out["webhook"]["sealedSecret"] = &types.AttributeValueMemberS{Value: "v1.<nonce and ciphertext>"}
	del := admin.WebhookDelivery{PartnerID: gPartner, WebhookID: w.ID, EventID: "evt_01jtgd00000000000000000001", Kind: admin.EventLicensesChanged,
		SubscriptionID: d.subActive.ID, Sequence: 2, Body: []byte(`{"id":"evt_01jtgd00000000000000000001"}`), Status: admin.DeliveryPending,
		CreatedAt: gAt(11), NextAttemptAt: gAt(11)}
	write(func() error { _, err := s.AddDelivery(ctx, del); return err }(), "webhook-delivery-pending", "webhook-queue-entry")
	done := del
	done.Status, done.Attempts, done.LastStatusCode, done.FinishedAt, done.LeaseToken = admin.DeliveryDelivered, 2, 204, gAt(11).Add(time.Minute), "token"
	write(s.FinishAttempt(ctx, done, &admin.WebhookAttempt{ID: "wha_01jtgd00000000000000000001", WebhookID: w.ID, EventID: del.EventID,
		Kind: string(del.Kind), Attempt: 2, At: done.FinishedAt, Duration: 120 * time.Millisecond, StatusCode: 204, Outcome: admin.AttemptDelivered}),
		"webhook-delivery-delivered", "webhook-attempt")
	off := w
	off.Status, off.DisabledAt = admin.WebhookDisabled, gAt(36)
	dis := act(1, "webhook.disabled")
	dis.Actor = admin.Actor{Type: "system", ID: "webhook-delivery"}
	write(s.DisableWebhook(ctx, off, dis, []admin.Email{{ID: "out_01jtgd0000000000000000000w", OrgID: gPartner, To: []string{d.user.Email},
		Message: admin.WebhookDisabledNotice{Partner: d.partner, Webhook: off, FailingSince: gAt(12)}}}), "activity-webhook-disabled", "outbox-webhook-disabled")
}
