package telemetry_test

import (
	"bytes"
	"context"
	"encoding/json"
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

// TestCallTimerCountsSequentialRoundTrips sends DynamoDB calls over a real socket to a server
// that holds each until it was told to answer: three calls in flight together count as one round
// trip of latency, a call after them as a second.
func TestCallTimerCountsSequentialRoundTrips(t *testing.T) {
	arrived := make(chan struct{}, 8)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	db := dynamodb.New(dynamodb.Options{Region: "eu-west-1", BaseEndpoint: aws.String(srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("k", "s", ""),
		APIOptions:       []func(*middleware.Stack) error{telemetry.CallTimer},
		RetryMaxAttempts: 1})
	ctx, m := telemetry.With(context.Background())
	get := func() {
		if _, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t"),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "a"}}}); err != nil {
			t.Error(err)
		}
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(get)
	}
	for range 3 { // all three are at the server, so in flight together
		<-arrived
	}
	close(release)
	wg.Wait()
	get()
	if m.Sequential != 2 {
		t.Fatalf("sequential = %d, want 2 (three concurrent calls, then one)", m.Sequential)
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
