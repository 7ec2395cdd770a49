package bench

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/partner-admin-center/pac/local/inbox"
	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/shared/store"
)

// OutboxDelay is the outbox-to-SES delay measured locally: from the commit of the transaction
// that writes an outbox item to the email being in the SES emulator's store.
type OutboxDelay struct {
	Samples             []time.Duration // in order; the first includes the mailer's cold start
	Median, Min, Max    time.Duration
	MaximumBatchingWait time.Duration // the template's MaximumBatchingWindowInSeconds (part of every sample)
}

func (d OutboxDelay) String() string {
	return fmt.Sprintf("median %s (min %s, max %s, %d emails; includes the %s batching window)",
		d.Median.Round(time.Millisecond), d.Min.Round(time.Millisecond), d.Max.Round(time.Millisecond), len(d.Samples), d.MaximumBatchingWait)
}

// MeasureOutboxDelay writes n outbox items into the runtime's table one after the other, each
// in its own transaction as a business change would (store.WriteOutboxForTest), and times each
// until its email is in the SES emulator's store: the local stream poller (250 ms polls and the
// mailer's batching window, as Lambda's event source mapping), the mailer function's
// invocation (claim, render, SendEmail, mark sent). The runtime must run MailerFunction with
// its stream event (localrun starts the poller).
func MeasureOutboxDelay(ctx context.Context, rt *localrun.Runtime, n int) (OutboxDelay, error) {
	var d OutboxDelay
	if rt.Streams == nil {
		return d, fmt.Errorf("bench: outbox delay: the runtime polls no table stream (is MailerFunction running?)")
	}
	if f := rt.Template.Function("MailerFunction"); f != nil && len(f.StreamEvents) > 0 {
		d.MaximumBatchingWait = f.StreamEvents[0].MaximumBatchingWindow
	}
	st := store.New(rt.DynamoDB, rt.TableName)
	tag := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	for i := range n {
		to := fmt.Sprintf("%s-%d@outbox-delay.example", tag, i)
		e := store.OutboxEmail{ID: fmt.Sprintf("out_%s_%d", tag, i), OrgID: "prt_bench", Template: "partner_answer", To: []string{to},
			Data: map[string]string{"partnerName": "Bench Partners", "customerName": "Bench Customer", "customerDomain": "bench",
				"offerKind": "trial", "answer": "accepted", "summary": "trial of a product", "cloud": "global"}}
		since := time.Now()
		if err := st.WriteOutboxForTest(ctx, time.Now(), e); err != nil {
			return d, fmt.Errorf("bench: outbox delay: %w", err)
		}
		written := time.Now()
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		_, err := inbox.Wait(wctx, rt.InboxURL, since.Add(-time.Second), func(es []inbox.Email) bool { return len(inbox.To(es, to)) > 0 })
		cancel()
		if err != nil {
			return d, fmt.Errorf("bench: outbox delay: email %d did not arrive: %w", i, err)
		}
		d.Samples = append(d.Samples, time.Since(written))
	}
	if len(d.Samples) > 0 {
		sorted := slices.Sorted(slices.Values(d.Samples))
		d.Min, d.Max, d.Median = sorted[0], sorted[len(sorted)-1], sorted[len(sorted)/2]
	}
	return d, nil
}
