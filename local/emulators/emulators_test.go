package emulators_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"

	"github.com/partner-admin-center/pac/local/emulators"
	"github.com/partner-admin-center/pac/local/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func nodeModules(t *testing.T) string {
	t.Helper()
	nm, err := emulators.FindNodeModules(testenv.RepoRoot(t))
	if err != nil {
		t.Fatalf("%v (run the tests through `make test`)", err)
	}
	return nm
}

// TestDynamoDBKeepsDataInDBPath starts DynamoDB Local on files twice: the table survives the
// restart (what `make run` relies on), and Stop leaves no process behind.
func TestDynamoDBKeepsDataInDBPath(t *testing.T) {
	nm := nodeModules(t)
	dir := t.TempDir()
	// Two starts of DynamoDB Local, each allowed StartTimeout (generous for a loaded machine).
	ctx, cancel := context.WithTimeout(context.Background(), 3*emulators.StartTimeout)
	defer cancel()
	startDB := func() (*emulators.Process, *dynamodb.Client) {
		p, err := emulators.StartDynamoDB(ctx, emulators.DynamoDBConfig{NodeModules: nm, LogDir: dir, DBPath: dir + "/db"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.Endpoint, "http://127.0.0.1:") {
			t.Errorf("endpoint %s", p.Endpoint)
		}
		return p, dynamodb.NewFromConfig(testenv.AWSConfig(), func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(p.Endpoint) })
	}
	p, db := startDB()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("kept"),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	pid := p.PID()
	_ = p.Stop()
	select {
	case <-p.Done():
	default:
		t.Fatal("Stop returned before the process ended")
	}
	if alive(pid) {
		t.Errorf("DynamoDB Local (pid %d) survived Stop", pid)
	}
	p2, db2 := startDB()
	defer p2.Stop()
	out, err := db2.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(out.TableNames) != 1 || out.TableNames[0] != "kept" {
		t.Errorf("tables after a restart: %v %v", out, err)
	}
}

func TestSESEmulatorWithTheSDK(t *testing.T) {
	nm := nodeModules(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*emulators.StartTimeout)
	defer cancel()
	p, err := emulators.StartSES(ctx, emulators.SESConfig{NodeModules: nm, LogDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop()
	ses := sesv2.NewFromConfig(testenv.AWSConfig(), func(o *sesv2.Options) { o.BaseEndpoint = aws.String(p.Endpoint) })
	_, err = ses.SendEmail(ctx, &sesv2.SendEmailInput{
		FromEmailAddress: aws.String("no-reply@example.com"),
		Destination:      &sestypes.Destination{ToAddresses: []string{"user@example.com"}},
		Content: &sestypes.EmailContent{Simple: &sestypes.Message{
			Subject: &sestypes.Content{Data: aws.String("Hello")},
			Body:    &sestypes.Body{Text: &sestypes.Content{Data: aws.String("Hi there")}},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(p.Endpoint + "/store")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var store struct {
		Emails []struct {
			Subject     string `json:"subject"`
			Destination struct {
				To []string `json:"to"`
			} `json:"destination"`
		} `json:"emails"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&store); err != nil {
		t.Fatal(err)
	}
	if len(store.Emails) != 1 || store.Emails[0].Subject != "Hello" || store.Emails[0].Destination.To[0] != "user@example.com" {
		t.Errorf("store %+v", store)
	}
	// The inbox page.
	if r, err := http.Get(p.Endpoint + "/"); err != nil || r.StatusCode != 200 {
		t.Errorf("inbox: %v %v", r, err)
	} else {
		r.Body.Close()
	}
}

func TestMissingToolsSayWhatToInstall(t *testing.T) {
	nm := nodeModules(t)
	t.Setenv("PATH", "")
	ctx := context.Background()
	if _, err := emulators.StartDynamoDB(ctx, emulators.DynamoDBConfig{NodeModules: nm}); err == nil ||
		err.Error() != "DynamoDB Local needs Java 17+: apt-get install openjdk-17-jre-headless" {
		t.Errorf("no java: %v", err)
	}
	if _, err := emulators.StartSES(ctx, emulators.SESConfig{NodeModules: nm}); err == nil || !strings.Contains(err.Error(), "apt-get install nodejs") {
		t.Errorf("no node: %v", err)
	}
	if _, err := emulators.FindNodeModules(t.TempDir()); err == nil {
		t.Error("FindNodeModules outside the repository")
	}
	if _, err := emulators.DynamoDBJar(t.TempDir()); err == nil || !strings.Contains(err.Error(), "make deps") {
		t.Errorf("missing jar: %v", err)
	}
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }
