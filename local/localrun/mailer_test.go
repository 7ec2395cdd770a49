package localrun_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/bench"
	"github.com/partner-admin-center/pac/local/localrun"
	"github.com/partner-admin-center/pac/local/testenv"
)

// TestOutboxReachesTheInbox runs the real mailer (built with its Makefile target, run behind the
// Runtime API) on the stream of a table created from template.yaml: outbox items written as a
// business transaction writes them arrive in the SES emulator, through the local stream poller
// with the template's filter and batching.
func TestOutboxReachesTheInbox(t *testing.T) {
	dataDir := t.TempDir()
	log := &lockedBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rt, err := localrun.Start(ctx, localrun.Options{
		RepoRoot: testenv.RepoRoot(t), DataDir: dataDir, NoSeed: true,
		DynamoDBEndpoint: testenv.DynamoDBEndpoint(t), SESEndpoint: testenv.SESEndpoint(t), TableName: testenv.UniqueName("mail-"),
		Functions: []string{"MailerFunction", "SweepOutboxFunction"}, Log: log,
	})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		_ = rt.Close()
		if t.Failed() {
			t.Logf("runtime log:\n%s", log.String())
		}
	})
	if rt.Streams == nil || rt.Scheduler == nil {
		t.Fatal("the stream poller and the scheduler are not running")
	}
	d, err := bench.MeasureOutboxDelay(ctx, rt, 3)
	if err != nil {
		t.Fatal(err)
	}
	// Nominally ~1.5 s (a 250 ms poll, the 1 s batching window, the send); the figure is make
	// bench's business. The bound here only catches a stall, loose so that a loaded machine
	// passes (MeasureOutboxDelay itself gives up on an email after 30 s).
	for _, s := range d.Samples {
		if s > 25*time.Second {
			t.Errorf("outbox → inbox took %s", s)
		}
	}
	t.Logf("outbox → inbox: %s", d)
	// The last invocation may still be returning when its email is already in the inbox: wait
	// for the poller to count it (the limit is generous; a passing run does not wait for it).
	deadline := time.Now().Add(60 * time.Second)
	for rt.Streams.Stats("MailerFunction").Delivered < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := rt.Streams.Stats("MailerFunction"); st.Delivered < 3 || st.Discarded != 0 {
		t.Errorf("stream stats %+v", st)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "dead-letters")); !os.IsNotExist(err) {
		t.Errorf("dead letters written: %v", err)
	}
}
