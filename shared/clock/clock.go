// Package clock runs the clock's jobs as scheduled Lambda functions (docs/architecture.md, "The
// clock"): each invocation runs one job (admin.ClockService.Run) until nothing is due or its
// deadline nears, logs what it did and writes one EMF line. functions/trial-clock and
// functions/delegated-admin-clock only start it.
package clock

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/awsenv"
	"github.com/partner-admin-center/pac/shared/store"
	"github.com/partner-admin-center/pac/shared/telemetry"
)

// DefaultMargin is how long before the invocation's deadline a run stops taking new steps: the
// steps in flight finish, and the next run picks up what is left.
const DefaultMargin = 20 * time.Second

// Runner runs one job per invocation.
type Runner struct {
	Service *admin.ClockService
	Job     admin.ClockJob
	// Function names the function in logs and metrics.
	Function string
	Log      *slog.Logger
	// Metrics receives one EMF line per invocation (nil: none).
	Metrics io.Writer
	// Margin before the deadline (0: DefaultMargin, at most a fifth of the time the
	// invocation has).
	Margin time.Duration
}

// Run runs the job once: until nothing is due, or until the context's deadline is within the
// margin.
func (r *Runner) Run(ctx context.Context) (admin.ClockReport, error) {
	stop := func() bool { return ctx.Err() != nil }
	if dl, ok := ctx.Deadline(); ok {
		margin := r.Margin
		if margin <= 0 {
			margin = min(DefaultMargin, time.Until(dl)/5)
		}
		stop = func() bool { return ctx.Err() != nil || time.Until(dl) < margin }
	}
	return r.Service.Run(ctx, r.Job, stop)
}

// HandleSchedule is the Lambda handler (an EventBridge scheduled event). It answers with the
// run's report; an error fails the invocation (EventBridge retries it, which is harmless: every
// step is conditional). A run that stopped at its deadline is not an error.
func (r *Runner) HandleSchedule(ctx context.Context, ev events.EventBridgeEvent) (admin.ClockReport, error) {
	start := time.Now()
	ctx, meter := telemetry.With(ctx)
	rep, err := r.Run(ctx)
	status := 200
	attrs := []any{"function", r.Function, "job", string(rep.Job), "pages", rep.Pages, "due", rep.Due, "reminded", rep.Reminded,
		"extended", rep.Extended, "expired", rep.Expired, "rescheduled", rep.Rescheduled, "dropped", rep.Dropped,
		"skipped", rep.Skipped, "failed", rep.Failed, "emails", rep.Emails, "complete", rep.Complete, "scheduledAt", ev.Time}
	switch {
	case err != nil:
		status = 500
		r.Log.ErrorContext(ctx, "clock run failed", append(attrs, "error", err.Error())...)
	case rep.Due > 0 || !rep.Complete:
		r.Log.InfoContext(ctx, "clock run", attrs...)
	default:
		r.Log.DebugContext(ctx, "clock run", attrs...) // nothing due: not news
	}
	if r.Metrics != nil {
		_ = meter.WriteEMF(r.Metrics, r.Function, "schedule", status, time.Since(start), time.Now())
	}
	return rep, err
}

// FromEnv builds the runner of a job from the function's environment: TABLE_NAME, the region
// and credentials Lambda provides, and locally AWS_ENDPOINT_URL_DYNAMODB (shared/awsenv).
func FromEnv(ctx context.Context, function string, job admin.ClockJob) (*Runner, error) {
	cfg, err := awsenv.Config("TABLE_NAME")
	if err != nil {
		return nil, fmt.Errorf("clock: %w", err)
	}
	svc := &admin.ClockService{Env: admin.Env{Now: time.Now, NewID: app.NewID}, Store: store.NewClock(store.New(awsenv.DynamoDB(cfg), os.Getenv("TABLE_NAME")))}
	return &Runner{Service: svc, Job: job, Function: function, Log: slog.New(slog.NewJSONHandler(os.Stdout, nil)), Metrics: os.Stdout}, nil
}

// MustFromEnv is FromEnv for a Lambda's init: a configuration error exits.
func MustFromEnv(ctx context.Context, function string, job admin.ClockJob) *Runner {
	r, err := FromEnv(ctx, function, job)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return r
}
