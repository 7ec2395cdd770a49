// Package storetest gives integration tests a fresh table in DynamoDB Local, created from the
// table resource of template.yaml (one source of truth). `make test` runs the tests under
// `pac-local env`, which starts DynamoDB Local and sets PAC_TEST_DYNAMODB_ENDPOINT.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/partner-admin-center/pac/local/template"
)

var seq atomic.Int64

// Client returns a DynamoDB client for the test instance of DynamoDB Local.
func Client(t testing.TB) *dynamodb.Client {
	t.Helper()
	ep := os.Getenv("PAC_TEST_DYNAMODB_ENDPOINT")
	if ep == "" {
		t.Fatal("PAC_TEST_DYNAMODB_ENDPOINT is not set: run the tests with `make test` (it starts DynamoDB Local)")
	}
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ep),
		Credentials:  credentials.NewStaticCredentialsProvider("pactest", "pactest", ""),
	})
}

// Root returns the repository root (the directory of go.mod).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("storetest: go.mod not found above the working directory")
		}
		dir = parent
	}
}

// NewTable creates a uniquely named table from template.yaml and deletes it when the test ends.
func NewTable(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	db := Client(t)
	name := fmt.Sprintf("test-%d-%d", time.Now().UnixNano(), seq.Add(1))
	tpl, err := template.Load(filepath.Join(Root(t), "template.yaml"), template.Options{TableName: name, Parameters: map[string]string{
		// Parameters without defaults; the table does not depend on them.
		"TokenSigningKey": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "TokenPublicKey": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"SenderAddress": "noreply@test.example", "PublicBaseUrl": "http://127.0.0.1"}})
	if err != nil {
		t.Fatalf("storetest: template: %v", err)
	}
	if len(tpl.Tables) != 1 {
		t.Fatalf("storetest: template has %d tables, want 1", len(tpl.Tables))
	}
	ctx := context.Background()
	if _, err := db.CreateTable(ctx, tpl.Tables[0].CreateTableInput); err != nil {
		t.Fatalf("storetest: create table: %v", err)
	}
	t.Cleanup(func() { _, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}) })
	return db, name
}
