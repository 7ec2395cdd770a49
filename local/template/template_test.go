package template

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

const key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

func load(t *testing.T, params map[string]string) *Template {
	t.Helper()
	tpl, err := Load("testdata/template.yaml", Options{Parameters: params, TableName: "pac-local"})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestParametersAndEnvironment(t *testing.T) {
	tpl := load(t, map[string]string{"Stage": "local", "SigningKey": key})
	if p := tpl.Parameter("SigningKey"); p == nil || !p.NoEcho || p.Value != key || p.HasDefault {
		t.Errorf("SigningKey %+v", p)
	}
	if p := tpl.Parameter("Stage"); p.Default != "dev" || p.Value != "local" || !reflect.DeepEqual(p.AllowedValues, []string{"dev", "prod", "local"}) {
		t.Errorf("Stage %+v", p)
	}
	if p := tpl.Parameter("Retention"); p.Type != "Number" || p.Value != "14" {
		t.Errorf("Retention %+v", p)
	}

	f := tpl.Function("SignInFunction")
	if f == nil {
		t.Fatal("no SignInFunction")
	}
	want := map[string]string{
		"TABLE_NAME":  "pac-local",
		"STAGE":       "local",
		"ISSUER":      "pac/local",
		"OVERRIDDEN":  "own",
		"RETENTION":   "14",
		"SIGNING_KEY": key,
		"TABLE_ARN":   "arn:aws:dynamodb:us-east-1:000000000000:table/pac-local",
		"JOINED":      "local-b",
		"SUBVARS":     "pac-local@us-east-1/arn:aws:dynamodb:us-east-1:000000000000:table/pac-local/${Literal}",
	}
	if !reflect.DeepEqual(f.Environment, want) {
		t.Errorf("environment\n got %v\nwant %v", f.Environment, want)
	}
	if f.Timeout != 5*time.Second || f.MemorySize != 1024 || f.Handler != "bootstrap" || f.Runtime != "provided.al2023" ||
		f.BuildMethod != "makefile" || f.CodeURI != "." || !reflect.DeepEqual(f.Architectures, []string{"arm64"}) {
		t.Errorf("function settings %+v", f)
	}
	if f.LogFormat != "JSON" || f.ApplicationLogLevel != "TRACE" {
		t.Errorf("logging config %q %q", f.LogFormat, f.ApplicationLogLevel)
	}
	g := tpl.Function("GetPartnerFunction")
	if g.Timeout != 9*time.Second || g.MemorySize != DefaultMemorySize || g.Environment["OVERRIDDEN"] != "global" || g.Environment["SIGNING_KEY"] != "" {
		t.Errorf("GetPartnerFunction %+v", g)
	}
	if tpl.Function("ProdOnlyFunction") != nil {
		t.Error("a resource whose Condition is false must be left out")
	}
	// Conditions follow the parameters.
	prod := load(t, map[string]string{"Stage": "prod", "SigningKey": key})
	if prod.Function("ProdOnlyFunction") == nil || prod.Function("SignInFunction").Environment["OPTIONAL"] != "only-in-prod" {
		t.Error("Stage=prod: conditional resource or value missing")
	}
	if prod.Function("SignInFunction").ApplicationLogLevel != "WARN" {
		t.Error("FindInMap by stage")
	}
}

func TestParameterValidation(t *testing.T) {
	cases := map[string]map[string]string{
		"not one of":           {"Stage": "qa", "SigningKey": key},
		"AllowedPattern":       {"SigningKey": "short"},
		"not declared":         {"SigningKey": key, "Nope": "x"},
		"no Default and no lo": nil,
	}
	for want, params := range cases {
		_, err := Load("testdata/template.yaml", Options{Parameters: params})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("params %v: error %v, want %q", params, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "short") && strings.Contains(want, "Pattern") {
			t.Errorf("a NoEcho value leaked into an error: %v", err)
		}
	}
	if _, err := Load("testdata/template.yaml", Options{AllowMissing: true}); err != nil {
		t.Errorf("AllowMissing: %v", err)
	}
}

func TestEventsAndRoutes(t *testing.T) {
	tpl := load(t, map[string]string{"SigningKey": key})
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		api, key, fn, auth string
		burst              int
		rate               float64
		timeout            time.Duration
	}
	var got []row
	for _, r := range routes {
		rw := row{api: r.API.LogicalID, key: r.Key, fn: r.Function.LogicalID, auth: r.Authorizer, burst: -1, rate: -1, timeout: r.IntegrationTimeout}
		if r.Throttle.ThrottlingBurstLimit != nil {
			rw.burst = *r.Throttle.ThrottlingBurstLimit
		}
		if r.Throttle.ThrottlingRateLimit != nil {
			rw.rate = *r.Throttle.ThrottlingRateLimit
		}
		got = append(got, rw)
	}
	want := []row{
		{"Api", "DELETE /operator/partners/{partnerId}", "GetPartnerFunction", "AWS_IAM", 1, 100, 30 * time.Second},
		{"Api", "GET /operator/partners/{partnerId}", "GetPartnerFunction", "AWS_IAM", 50, 100, 5 * time.Second},
		{"Api", "POST /auth/sign-in", "SignInFunction", "NONE", 5, 2.5, 30 * time.Second},
		{ImplicitHTTPAPI, "GET /health", "HealthFunction", "NONE", 50, -1, 30 * time.Second},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes\n got %+v\nwant %+v", got, want)
	}
	if api := tpl.HTTPAPI("Api"); api.CORS != nil || !api.EnableIAMAuthorizer || api.StageName != "$default" {
		t.Errorf("API %+v", api)
	}

	m := tpl.Function("MailerFunction")
	if len(m.StreamEvents) != 1 || len(m.ScheduleEvents) != 1 || len(m.OtherEvents) != 1 || len(m.HTTPEvents) != 0 {
		t.Fatalf("mailer events: %+v", m)
	}
	s := m.StreamEvents[0]
	wantStream := StreamEvent{
		Name: "Outbox", Table: "Table", StreamARN: "arn:aws:dynamodb:us-east-1:000000000000:table/pac-local/stream/local",
		StartingPosition: "TRIM_HORIZON", BatchSize: 10, MaximumBatchingWindow: time.Second,
		FunctionResponseTypes: []string{"ReportBatchItemFailures"}, MaximumRetryAttempts: 3, BisectBatchOnFunctionError: true,
		ParallelizationFactor: 1, Enabled: true,
		FilterPatterns: []string{`{"eventName":["INSERT"],"dynamodb":{"NewImage":{"Type":{"S":["Outbox"]}}}}`},
	}
	if !reflect.DeepEqual(s, wantStream) || !s.ReportsBatchItemFailures() {
		t.Errorf("stream event\n got %+v\nwant %+v", s, wantStream)
	}
	if sc := m.ScheduleEvents[0]; sc.Expression != "rate(5 minutes)" || sc.Input != `{"sweep":true}` || !sc.Enabled || sc.Type != "Schedule" {
		t.Errorf("schedule %+v", sc)
	}
	if m.OtherEvents[0] != "Queue (SQS)" {
		t.Errorf("other events %v", m.OtherEvents)
	}
}

func TestCORSFromParameters(t *testing.T) {
	tpl := load(t, map[string]string{"SigningKey": key, "Origins": "https://a.example,https://b.example"})
	c := tpl.HTTPAPI("Api").CORS
	if c == nil {
		t.Fatal("no CORS with origins given")
	}
	want := &CORSConfig{AllowOrigins: []string{"https://a.example", "https://b.example"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"authorization"}, MaxAge: 600}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("CORS %+v", c)
	}
}

func TestTable(t *testing.T) {
	tpl := load(t, map[string]string{"SigningKey": key})
	if len(tpl.Tables) != 1 {
		t.Fatalf("%d tables", len(tpl.Tables))
	}
	tb := tpl.Tables[0]
	in := tb.CreateTableInput
	if tb.Name != "pac-local" || aws.ToString(in.TableName) != "pac-local" || tb.TTLAttribute != "expiresAt" {
		t.Errorf("table %+v", tb)
	}
	if in.BillingMode != types.BillingModePayPerRequest || len(in.AttributeDefinitions) != 4 || len(in.KeySchema) != 2 ||
		in.KeySchema[0].KeyType != types.KeyTypeHash || aws.ToString(in.KeySchema[1].AttributeName) != "SK" {
		t.Errorf("keys %+v", in)
	}
	if len(in.GlobalSecondaryIndexes) != 1 || aws.ToString(in.GlobalSecondaryIndexes[0].IndexName) != "GSI1" ||
		in.GlobalSecondaryIndexes[0].Projection.ProjectionType != types.ProjectionTypeAll {
		t.Errorf("GSIs %+v", in.GlobalSecondaryIndexes)
	}
	if in.StreamSpecification == nil || !aws.ToBool(in.StreamSpecification.StreamEnabled) || in.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream %+v", in.StreamSpecification)
	}
	// Without a local name the table keeps its TableName property.
	named, err := Load("testdata/template.yaml", Options{Parameters: map[string]string{"SigningKey": key}, StackName: "stack"})
	if err != nil {
		t.Fatal(err)
	}
	if named.Tables[0].Name != "stack-table" || named.Function("SignInFunction").Environment["TABLE_NAME"] != "stack-table" {
		t.Errorf("table name from TableName: %q", named.Tables[0].Name)
	}
}

func TestIntrinsicErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown ref":  "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          X: !Ref Missing\n",
		"unknown tag":  "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: !Bogus 3\n",
		"no resources": "Parameters: {}\n",
		"bad getatt":   "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Environment:\n        Variables:\n          X: !GetAtt NoDot\n",
		"cyclic condition": "Conditions:\n  A: !Condition B\n  B: !Condition A\nResources:\n  F:\n    Type: AWS::Serverless::Function\n" +
			"    Condition: A\n    Properties: {}\n",
		"dup route": "Resources:\n  A:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E: {Type: HttpApi, Properties: {Method: GET, Path: /x}}\n" +
			"  B:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        E: {Type: HttpApi, Properties: {Method: GET, Path: /x}}\n",
	} {
		if _, err := Parse([]byte(doc), Options{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestRealTemplate parses the project's template.yaml (it must exist) for a local stack and
// checks it against the contract in docs/architecture.md: the route table (function, route,
// auth), the function environment and the table.
func TestRealTemplate(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "template.yaml")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the project's template.yaml is required: %v", err)
	}
	params := map[string]string{"Stage": "local", "PublicBaseUrl": "http://127.0.0.1:3000", "TokenSigningKey": key,
		"TokenPublicKey": key, "LinkKey": key, "SenderAddress": "no-reply@example.com"}
	opts := Options{TableName: "pac-local", Parameters: map[string]string{}}
	probe, err := Load(path, Options{AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range params {
		if probe.Parameter(k) != nil {
			opts.Parameters[k] = v
		}
	}
	tpl, err := Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}

	// The route table of docs/architecture.md.
	type row struct{ fn, route, auth string }
	var want []row
	f, err := os.Open(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line := regexp.MustCompile(`^\|\s*[a-z-]+\s*\|\s*([A-Za-z]+Function)\s*\|\s*([A-Z]+ /\S*)\s*\|\s*(\w+)\s*\|`)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			auth := "NONE"
			if m[3] == "iam" {
				auth = "AWS_IAM"
			}
			want = append(want, row{m[1], m[2], auth})
		}
	}
	if len(want) == 0 {
		t.Fatal("no route table found in docs/architecture.md")
	}
	routes, err := tpl.Routes()
	if err != nil {
		t.Fatal(err)
	}
	var got []row
	for _, r := range routes {
		got = append(got, row{r.Function.LogicalID, r.Key, r.Authorizer})
	}
	less := func(rs []row) func(i, j int) bool { return func(i, j int) bool { return rs[i].route < rs[j].route } }
	sort.Slice(want, less(want))
	sort.Slice(got, less(got))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes of template.yaml\n got %v\nwant (docs/architecture.md) %v", got, want)
	}

	for _, fn := range tpl.Functions {
		// BackfillDirectoryFunction is a maintenance function invoked by hand (no event;
		// local/deploycheck checks that architecture.md lists it so); locally `pac-local backfill`.
		if len(fn.HTTPEvents) == 0 && len(fn.StreamEvents) == 0 && len(fn.ScheduleEvents) == 0 && fn.LogicalID != "BackfillDirectoryFunction" {
			t.Errorf("%s has no event this runtime plays", fn.LogicalID)
		}
		for _, v := range []string{"TABLE_NAME", "STAGE", "TOKEN_ISSUER", "TOKEN_PUBLIC_KEY", "PUBLIC_BASE_URL", "SENDER_ADDRESS"} {
			if _, ok := fn.Environment[v]; !ok {
				t.Errorf("%s lacks %s", fn.LogicalID, v)
			}
		}
		if fn.Environment["TABLE_NAME"] != "pac-local" || fn.Environment["STAGE"] != "local" {
			t.Errorf("%s: TABLE_NAME=%q STAGE=%q", fn.LogicalID, fn.Environment["TABLE_NAME"], fn.Environment["STAGE"])
		}
		_, signs := fn.Environment["TOKEN_SIGNING_KEY"]
		if wantSigns := slices.Contains([]string{"SignInFunction", "SignInMfaFunction", "RefreshSessionFunction", "ChangePasswordFunction"}, fn.LogicalID); signs != wantSigns {
			t.Errorf("%s: TOKEN_SIGNING_KEY present=%v", fn.LogicalID, signs)
		}
		// 30 s at most, but for the functions that work through a backlog: the backfill, the
		// clock's jobs (pages until 20 s before their deadline, then the next run resumes) and the
		// notifier (a batch's first webhook attempts, 10 s each at most).
		limit := map[string]time.Duration{"BackfillDirectoryFunction": 15 * time.Minute, "TrialClockFunction": 5 * time.Minute,
			"DelegatedAdminClockFunction": 5 * time.Minute, "NotifierFunction": time.Minute}[fn.LogicalID]
		if limit == 0 {
			limit = 30 * time.Second
		}
		if fn.Timeout <= 0 || fn.Timeout > limit {
			t.Errorf("%s: timeout %v, want at most %v", fn.LogicalID, fn.Timeout, limit)
		}
	}
	if len(tpl.Tables) != 1 {
		t.Fatalf("%d tables, want 1", len(tpl.Tables))
	}
	tb := tpl.Tables[0]
	in := tb.CreateTableInput
	if tb.TTLAttribute != "expiresAt" || in.StreamSpecification == nil || in.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages ||
		len(in.GlobalSecondaryIndexes) != 2 || aws.ToString(in.GlobalSecondaryIndexes[0].IndexName) != "GSI1" ||
		aws.ToString(in.GlobalSecondaryIndexes[1].IndexName) != "GSI2" || in.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("table %+v (TTL %q)", in, tb.TTLAttribute)
	}
}

// TestWithoutStream: the copy has no stream and shares nothing mutable with the table, which
// keeps its own.
func TestWithoutStream(t *testing.T) {
	tpl, err := Load("../../template.yaml", Options{TableName: "t-stream", AllowMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	orig := tpl.Tables[0]
	if orig.CreateTableInput.StreamSpecification == nil {
		t.Fatal("template.yaml's table has no stream")
	}
	c := orig.WithoutStream()
	if c.CreateTableInput.StreamSpecification != nil || orig.CreateTableInput.StreamSpecification == nil || c.CreateTableInput == orig.CreateTableInput {
		t.Errorf("WithoutStream: copy %+v, original %+v", c.CreateTableInput.StreamSpecification, orig.CreateTableInput.StreamSpecification)
	}
	if *c.CreateTableInput.TableName != "t-stream" || len(c.CreateTableInput.GlobalSecondaryIndexes) != len(orig.CreateTableInput.GlobalSecondaryIndexes) || c.TTLAttribute != orig.TTLAttribute {
		t.Errorf("WithoutStream changed more than the stream: %+v", c)
	}
}

// TestResource: the resolved properties of a resource type the runtime does not model, and the
// resources of a type.
func TestResource(t *testing.T) {
	doc := `Parameters:
  Names: {Type: String, Default: ""}
Conditions:
  HasNames: !Not [!Equals [!Ref Names, ""]]
Resources:
  Policy:
    Type: AWS::CloudFront::ResponseHeadersPolicy
    Properties:
      ResponseHeadersPolicyConfig:
        Name: !Sub ${AWS::StackName}-headers
  Other:
    Type: AWS::CloudFront::ResponseHeadersPolicy
  Dist:
    Type: AWS::CloudFront::Distribution
    Properties:
      DistributionConfig:
        Aliases: !If [HasNames, !Split [",", !Ref Names], !Ref AWS::NoValue]
        Origins:
          - {Id: api, DomainName: !Sub "${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
        CacheBehaviors:
          - {PathPattern: /console/*, ResponseHeadersPolicyId: !Ref Policy}
  Api:
    Type: AWS::Serverless::HttpApi
`
	tpl, err := Parse([]byte(doc), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tpl.OfType("AWS::CloudFront::ResponseHeadersPolicy"); !reflect.DeepEqual(got, []string{"Other", "Policy"}) {
		t.Errorf("OfType = %v", got)
	}
	typ, props, err := tpl.Resource("Dist")
	if err != nil || typ != "AWS::CloudFront::Distribution" {
		t.Fatalf("Resource(Dist) = %q, %v", typ, err)
	}
	want := map[string]any{"DistributionConfig": map[string]any{
		"Origins":        []any{map[string]any{"Id": "api", "DomainName": "Api.execute-api.us-east-1.amazonaws.com"}},
		"CacheBehaviors": []any{map[string]any{"PathPattern": "/console/*", "ResponseHeadersPolicyId": "Policy"}},
	}}
	if !reflect.DeepEqual(props, want) {
		t.Errorf("Resource(Dist) properties\n got %v\nwant %v", props, want)
	}
	if _, props, err := tpl.Resource("Policy"); err != nil || !reflect.DeepEqual(props, map[string]any{
		"ResponseHeadersPolicyConfig": map[string]any{"Name": "pac-local-headers"}}) {
		t.Errorf("Resource(Policy) = %v, %v", props, err)
	}
	if _, props, err := tpl.Resource("Other"); err != nil || props != nil {
		t.Errorf("Resource(Other) = %v, %v", props, err)
	}
	if _, _, err := tpl.Resource("Missing"); err == nil {
		t.Error("Resource(Missing): no error")
	}
}
