package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/partner-admin-center/pac/shared/telemetry"
)

// heldServer answers DynamoDB calls over a real socket; a call whose key is "held" waits until
// release is closed, and arrived receives every held call once it is at the server.
func heldServer(t *testing.T) (db *dynamodb.Client, arrived chan struct{}, release chan struct{}) {
	arrived, release = make(chan struct{}, 8), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"held"`)) {
			arrived <- struct{}{}
			<-release
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	return dynamodb.New(dynamodb.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("k", "s", ""),
		APIOptions:       []func(*middleware.Stack) error{telemetry.CallTimer},
		RetryMaxAttempts: 1}), arrived, release
}

func get(t *testing.T, ctx context.Context, db *dynamodb.Client, key string) {
	if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: key}}}); err != nil {
		t.Error(err)
	}
}

// TestSequentialCountsConcurrentCallsOnce: three calls in flight together count as one round
// trip of latency, a call after them as a second; the EMF line carries the figure.
func TestSequentialCountsConcurrentCallsOnce(t *testing.T) {
	db, arrived, release := heldServer(t)
	ctx, m := telemetry.With(context.Background())
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { get(t, ctx, db, "held") })
	}
	for range 3 { // all three are at the server, so in flight together
		<-arrived
	}
	close(release)
	wg.Wait()
	get(t, ctx, db, "quick")
	if n := m.Sequential(); n != 2 {
		t.Fatalf("sequential = %d, want 2 (three concurrent calls, then one)", n)
	}
	var line bytes.Buffer
	if err := m.WriteEMF(&line, "F", "GET /x", 200, time.Millisecond, time.Now()); err != nil {
		t.Fatal(err)
	}
	var emf map[string]any
	if err := json.Unmarshal(line.Bytes(), &emf); err != nil || emf["DynamoDBSequentialRoundTrips"] != float64(2) {
		t.Fatalf("EMF line %s (%v)", line.String(), err)
	}
}

// TestSequentialCountsAChainUnderALongCall: two calls one after the other while a third is in
// flight the whole time are two round trips of latency, not one busy period.
func TestSequentialCountsAChainUnderALongCall(t *testing.T) {
	db, arrived, release := heldServer(t)
	ctx, m := telemetry.With(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { get(t, ctx, db, "held") })
	<-arrived
	get(t, ctx, db, "first")
	get(t, ctx, db, "second")
	close(release)
	wg.Wait()
	if n := m.Sequential(); n != 2 {
		t.Fatalf("sequential = %d, want 2 (a chain of two beside a long call)", n)
	}
}
