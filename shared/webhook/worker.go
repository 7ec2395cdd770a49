package webhook

import (
	"context"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/telemetry"
)

// Worker is the Lambda handler of the delivery worker (DeliverWebhooksFunction, every minute):
// one admin.WebhookService.DeliverDue per scheduled event, logged, with one EMF line.
type Worker struct {
	Service  *admin.WebhookService
	Function string
	Log      *slog.Logger
	Metrics  io.Writer // nil: none
}

// HandleSchedule runs one delivery round. An error fails the invocation; the next round comes a
// minute later anyway, and every delivery's state is in the table.
func (w *Worker) HandleSchedule(ctx context.Context, ev events.EventBridgeEvent) error {
	start := time.Now()
	ctx, meter := telemetry.With(ctx)
	log := w.Log
	if log == nil {
		log = slog.New(slog.NewJSONHandler(os.Stdout, nil))
	}
	run, err := w.Service.DeliverDue(ctx)
	status := 200
	attrs := []any{"function", w.Function, "listed", run.Listed, "attempted", run.Attempted, "delivered", run.Delivered,
		"failed", run.Failed, "deferred", run.Deferred, "scheduledAt", ev.Time}
	switch {
	case err != nil:
		status = 500
		log.ErrorContext(ctx, "webhook delivery failed", append(attrs, "error", err.Error())...)
	case run.Listed > 0:
		log.InfoContext(ctx, "webhook delivery", attrs...)
	}
	if w.Metrics != nil {
		_ = meter.WriteEMF(w.Metrics, w.Function, "schedule", status, time.Since(start), time.Now())
	}
	return err
}
