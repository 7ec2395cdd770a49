package deploycheck

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/testenv/builds"
)

// maxBootstrapBytes caps a function binary: a stripped Go handler with the SDK's DynamoDB and SES
// clients is ~10 MiB for arm64; growth beyond this is a dependency worth a look (cold start,
// deployment size).
const maxBootstrapBytes = 12 << 20

func root(t *testing.T) string {
	t.Helper()
	r, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func loadTemplate(t *testing.T) *Template {
	t.Helper()
	tpl, err := LoadTemplate(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Functions) == 0 {
		t.Fatal("template.yaml declares no AWS::Serverless::Function")
	}
	return tpl
}

// runtimeRoutes returns the routes as the local runtime reads them, and checks that they agree
// with the literal reading of template.yaml.
func runtimeRoutes(t *testing.T) []Route {
	t.Helper()
	rs, err := RuntimeRoutes(filepath.Join(root(t), "template.yaml"))
	if err != nil {
		t.Fatalf("local/template cannot read template.yaml: %v", err)
	}
	if literal := loadTemplate(t).Routes(); !reflect.DeepEqual(rs, literal) {
		t.Fatalf("local/template reads other routes than template.yaml declares:\n runtime: %v\n literal: %v", rs, literal)
	}
	return rs
}

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	doc, err := LoadYAML(filepath.Join(root(t), "docs", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func archRoutes(t *testing.T) []ArchRoute {
	t.Helper()
	rows, err := ArchitectureRoutes(filepath.Join(root(t), "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("docs/architecture.md: no route table rows found")
	}
	return rows
}

// TestCfnLint runs cfn-lint (which also runs the SAM transform) and requires a clean result: no
// errors, no warnings. cfn-lint missing is a failure, not a skip: .ci/run checks for it.
func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Fatal("cfn-lint is not on PATH: it validates template.yaml offline (SAM transform included). " +
			"Install it (pip install cfn-lint) or put it on PATH; this check is never skipped.")
	}
	// cfn-lint takes ~7 s of CPU; on a loaded 2-core machine that was seen to be 40 s of wall
	// time. The limit only stops a hang, so it is generous.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--", "template.yaml")
	cmd.Dir = root(t)
	cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=eu-central-1")
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("cfn-lint template.yaml: %v\n%s", err, out)
	}
}

func TestDirOf(t *testing.T) {
	for id, want := range map[string]string{
		"SignInFunction":                      "sign-in",
		"GetMeFunction":                       "get-me",
		"UpdatePartnerAuthorizationsFunction": "update-partner-authorizations",
		"GetAPIKeyFunction":                   "get-api-key",
		"Sync2FAFunction":                     "sync2-fa",
	} {
		if got := DirOf(id); got != want {
			t.Errorf("DirOf(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestMakeBuildsDirOf: the Makefile's build-%Function rule maps a logical ID to the directory
// DirOf names, for the template's functions and for the cases TestDirOf covers (initialisms,
// digits), and `make build` builds exactly the template's functions, each once.
func TestMakeBuildsDirOf(t *testing.T) {
	r := root(t)
	ids := []string{"SignInFunction", "GetMeFunction", "UpdatePartnerAuthorizationsFunction", "GetAPIKeyFunction", "Sync2FAFunction"}
	for id := range loadTemplate(t).Functions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	ids = slices.Compact(ids)
	targets := make([]string, len(ids))
	for i, id := range ids {
		targets[i] = "build-" + id
	}
	artifacts := filepath.Join(t.TempDir(), "artifacts")
	builds, err := MakeBuilds(r, append(targets, "ARTIFACTS_DIR="+artifacts, "GOARCH=arm64")...)
	if err != nil {
		t.Fatal(err)
	}
	if len(builds) != len(ids) {
		t.Fatalf("make -n %s: %d go builds, want %d: %v", strings.Join(targets, " "), len(builds), len(ids), builds)
	}
	for i, id := range ids {
		want := MakeBuild{Dir: DirOf(id), Out: filepath.Join(artifacts, "bootstrap"), GOARCH: "arm64"}
		if builds[i] != want {
			t.Errorf("make build-%s builds %+v, want %+v", id, builds[i], want)
		}
	}

	builds, err = MakeBuilds(r, "build")
	if err != nil {
		t.Fatal(err)
	}
	var got, want []string
	for _, b := range builds {
		got = append(got, b.Dir)
		if wantOut := ".build/arm64/" + b.Dir + "/bootstrap"; b.Out != wantOut || b.GOARCH != "arm64" {
			t.Errorf("make build: functions/%s goes to %s for %s, want %s for arm64", b.Dir, b.Out, b.GOARCH, wantOut)
		}
	}
	for id := range loadTemplate(t).Functions {
		want = append(want, DirOf(id))
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("make build builds functions/%v,\nwant (template.yaml) %v", got, want)
	}
}

// TestMakeBuildWithoutFunctionDir: a build target for a logical ID that has no function
// directory fails before compiling anything, naming the directory it looked for.
func TestMakeBuildWithoutFunctionDir(t *testing.T) {
	artifacts := t.TempDir()
	cmd := exec.Command("make", "--no-print-directory", "build-NoSuchThingFunction", "ARTIFACTS_DIR="+artifacts)
	cmd.Dir = root(t)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("make build-NoSuchThingFunction succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), "no functions/no-such-thing/main.go") {
		t.Errorf("make build-NoSuchThingFunction does not name functions/no-such-thing/main.go:\n%s", out)
	}
	if strings.Contains(string(out), "go build") {
		t.Errorf("make build-NoSuchThingFunction ran go build:\n%s", out)
	}
	if entries, _ := os.ReadDir(artifacts); len(entries) > 0 {
		t.Errorf("make build-NoSuchThingFunction wrote %v", entries)
	}
}

// TestRouteTable: template.yaml has exactly the routes of the contract table in
// docs/architecture.md, with the same logical IDs, directories and authorizers.
func TestRouteTable(t *testing.T) {
	got := map[string]Route{}
	for _, r := range runtimeRoutes(t) {
		if prev, dup := got[r.Key()]; dup {
			t.Errorf("route %s is declared twice (%s and %s)", r.Key(), prev.LogicalID, r.LogicalID)
		}
		got[r.Key()] = r
	}
	want := map[string]bool{}
	for _, a := range archRoutes(t) {
		key := a.Method + " " + a.Path
		want[key] = true
		r, ok := got[key]
		if !ok {
			t.Errorf("architecture.md route %s (%s) is missing from template.yaml", key, a.LogicalID)
			continue
		}
		if r.LogicalID != a.LogicalID {
			t.Errorf("route %s: template.yaml LogicalId %s, architecture.md %s", key, r.LogicalID, a.LogicalID)
		}
		if DirOf(a.LogicalID) != a.Dir {
			t.Errorf("architecture.md row %s: dir %q does not follow the naming rule (want %q)", a.LogicalID, a.Dir, DirOf(a.LogicalID))
		}
		wantAuth := map[string]string{"none": "", "token": "", "iam": "AWS_IAM"}
		if w, known := wantAuth[a.Auth]; !known {
			t.Errorf("architecture.md route %s: unknown auth %q", key, a.Auth)
		} else if r.Authorizer != w {
			t.Errorf("route %s: authorizer %q, want %q (auth %s)", key, r.Authorizer, w, a.Auth)
		}
	}
	for key, r := range got {
		if !want[key] {
			t.Errorf("template.yaml route %s (%s) is not in the architecture.md route table", key, r.LogicalID)
		}
	}
}

// TestRoutesFunctionsTargetsOperations cross-checks in both directions: every route has its
// function directory and its OpenAPI operation; every OpenAPI operation and function directory
// has its function in template.yaml. (TestMakeBuildsDirOf checks the build targets.)
func TestRoutesFunctionsTargetsOperations(t *testing.T) {
	r := root(t)
	tpl := loadTemplate(t)
	ops := map[string]bool{}
	for _, o := range Operations(loadOpenAPI(t)) {
		ops[o.Key()] = true
	}
	routes := map[string]bool{}
	for _, rt := range runtimeRoutes(t) {
		routes[rt.Key()] = true
		if !ops[rt.Key()] {
			t.Errorf("route %s (%s) has no operation in docs/openapi.yaml", rt.Key(), rt.LogicalID)
		}
	}
	for key := range ops {
		if !routes[key] {
			t.Errorf("docs/openapi.yaml operation %s has no route in template.yaml", key)
		}
	}

	for id, f := range tpl.Functions {
		dir := DirOf(id)
		if !strings.HasSuffix(id, "Function") {
			t.Errorf("%s: function logical IDs end in Function", id)
		}
		if _, err := os.Stat(filepath.Join(r, "functions", dir, "main.go")); err != nil {
			t.Errorf("%s: functions/%s/main.go: %v", id, dir, err)
		}
		if f.Props["CodeUri"] != "." {
			t.Errorf("%s: CodeUri = %v, want . (the Makefile builds from the repository root)", id, f.Props["CodeUri"])
		}
		if f.Metadata["BuildMethod"] != "makefile" {
			t.Errorf("%s: Metadata.BuildMethod = %v, want makefile", id, f.Metadata["BuildMethod"])
		}
		for _, rt := range f.Routes {
			if !reflect.DeepEqual(eventAPI(f, rt), map[string]any{"Ref": "HttpApi"}) {
				t.Errorf("%s: route %s: ApiId must be !Ref HttpApi", id, rt.Key())
			}
			if strings.HasPrefix(rt.Path, "/operator/") != (rt.Authorizer == "AWS_IAM") {
				t.Errorf("%s: route %s: operator routes, and only they, use the AWS_IAM authorizer (got %q)", id, rt.Key(), rt.Authorizer)
			}
		}
	}
	entries, err := os.ReadDir(filepath.Join(r, "functions"))
	if err != nil {
		t.Fatalf("functions/: %v", err)
	}
	dirs := map[string]string{}
	for id := range tpl.Functions {
		dirs[DirOf(id)] = id
	}
	for _, e := range entries {
		if e.IsDir() && dirs[e.Name()] == "" {
			t.Errorf("functions/%s has no function in template.yaml", e.Name())
		}
	}
}

func eventAPI(f *Function, rt Route) any {
	events, _ := f.Props["Events"].(map[string]any)
	for _, e := range events {
		ev, _ := e.(map[string]any)
		p, _ := ev["Properties"].(map[string]any)
		if m, _ := p["Method"].(string); ev["Type"] == "HttpApi" && strings.EqualFold(m, rt.Method) && p["Path"] == rt.Path {
			return p["ApiId"]
		}
	}
	return nil
}

// dynamoItemActions are the item-level DynamoDB actions a request path may use. Scan, PartiQL and
// table management are never granted to a function.
var dynamoItemActions = []string{
	"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
	"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
	"dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem",
}

// TestPoliciesLeastPrivilege: inline statements only, no wildcard actions, no Scan, DynamoDB
// actions only on the table (and its indexes only together with Query).
func TestPoliciesLeastPrivilege(t *testing.T) {
	tpl := loadTemplate(t)
	tableArn := map[string]any{"Fn::GetAtt": []any{"Table", "Arn"}}
	if _, global := tpl.Globals["Policies"]; global {
		t.Error("Globals.Function.Policies: grant per function, not globally")
	}
	for id, f := range tpl.Functions {
		stmts, err := f.Statements()
		if err != nil {
			t.Error(err)
			continue
		}
		for _, s := range stmts {
			where := fmt.Sprintf("%s: statement %q", id, s.Sid)
			if s.Effect != "Allow" && s.Effect != "Deny" {
				t.Errorf("%s: Effect %q", where, s.Effect)
			}
			dynamo := false
			for _, a := range s.Actions {
				if strings.Contains(a, "*") {
					t.Errorf("%s: wildcard action %q", where, a)
				}
				// The one exception: the customer directory's backfill, a maintenance function
				// without a trigger, enumerates relationships with a Scan (template.yaml says why).
				scanAllowed := id == "BackfillDirectoryFunction" && a == "dynamodb:Scan" && len(s.Actions) == 1
				if strings.EqualFold(a, "dynamodb:Scan") && !scanAllowed {
					t.Errorf("%s: grants dynamodb:Scan (request paths never scan)", where)
				}
				if strings.HasPrefix(strings.ToLower(a), "dynamodb:") {
					dynamo = true
					if !slices.Contains(dynamoItemActions, a) && !scanAllowed {
						t.Errorf("%s: DynamoDB action %q is not an item-level request-path action", where, a)
					}
				}
			}
			if !dynamo {
				continue
			}
			for _, res := range s.Resources {
				switch {
				case reflect.DeepEqual(res, tableArn):
				case isIndexArn(res):
					if !slices.Contains(s.Actions, "dynamodb:Query") {
						t.Errorf("%s: grants the table's indexes without dynamodb:Query", where)
					}
				default:
					t.Errorf("%s: DynamoDB resource %v is neither !GetAtt Table.Arn nor !Sub ${Table.Arn}/index/<name>", where, res)
				}
			}
		}
	}
}

func isIndexArn(res any) bool {
	m, ok := res.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	s, ok := m["Fn::Sub"].(string)
	return ok && strings.HasPrefix(s, "${Table.Arn}/index/")
}

// TestFunctionEnvironment: the runtime settings and the environment contract of architecture.md;
// the token signing key reaches only the two functions that sign tokens.
func TestFunctionEnvironment(t *testing.T) {
	tpl := loadTemplate(t)
	g := tpl.Globals
	for k, want := range map[string]any{"Runtime": "provided.al2023", "Handler": "bootstrap", "Architectures": []any{"arm64"}} {
		if !reflect.DeepEqual(g[k], want) {
			t.Errorf("Globals.Function.%s = %v, want %v", k, g[k], want)
		}
	}
	env := envVars(g)
	for _, k := range []string{"TABLE_NAME", "STAGE", "TOKEN_ISSUER", "TOKEN_PUBLIC_KEY", "PUBLIC_BASE_URL", "SENDER_ADDRESS"} {
		if _, ok := env[k]; !ok {
			t.Errorf("Globals.Function.Environment.Variables.%s is missing", k)
		}
	}
	if !reflect.DeepEqual(env["TABLE_NAME"], map[string]any{"Ref": "Table"}) {
		t.Errorf("TABLE_NAME = %v, want !Ref Table", env["TABLE_NAME"])
	}
	if _, ok := env["TOKEN_SIGNING_KEY"]; ok {
		t.Error("TOKEN_SIGNING_KEY must not be global: only the functions that issue tokens hold it")
	}
	signers := []string{"ChangePasswordFunction", "RefreshSessionFunction", "SignInFunction", "SignInMfaFunction"}
	for id, f := range tpl.Functions {
		for _, k := range []string{"Runtime", "Handler", "Architectures"} {
			if v, ok := f.Props[k]; ok && !reflect.DeepEqual(v, g[k]) {
				t.Errorf("%s: %s = %v overrides the global %v", id, k, v, g[k])
			}
		}
		_, has := envVars(f.Props)["TOKEN_SIGNING_KEY"]
		if want := slices.Contains(signers, id); has != want {
			t.Errorf("%s: TOKEN_SIGNING_KEY present = %v, want %v", id, has, want)
		}
	}
	params, _ := tpl.Raw["Parameters"].(map[string]any)
	key, _ := params["TokenSigningKey"].(map[string]any)
	if key["NoEcho"] != true {
		t.Error("Parameters.TokenSigningKey must be NoEcho")
	}
}

func envVars(props map[string]any) map[string]any {
	env, _ := props["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	return vars
}

// TestOpenAPI: every $ref resolves; security matches the route table; creates take an
// Idempotency-Key; request bodies are closed (additionalProperties: false); every 4xx answer is
// a Problem — except that an HTML page (an operation answering 200 with text/html, such as the
// link pages) may answer a 4xx with an HTML page instead, and its form body is the one checked;
// the ErrorCode enum is exactly the catalogue in shared/admin.
func TestOpenAPI(t *testing.T) {
	doc := loadOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi = %q, want 3.1.x", v)
	}
	walk(doc, func(v map[string]any) {
		if ref, ok := v["$ref"].(string); ok {
			if _, err := resolveRef(doc, ref); err != nil {
				t.Error(err)
			}
		}
	})

	auth := map[string]string{}
	for _, a := range archRoutes(t) {
		auth[a.Method+" "+a.Path] = a.Auth
	}
	wantSecurity := map[string]any{
		"none":  []any{},
		"token": []any{map[string]any{"bearerAuth": []any{}}},
		"iam":   []any{map[string]any{"sigv4": []any{}}},
	}
	for _, o := range Operations(doc) {
		key := o.Key()
		if a, ok := auth[key]; ok && !reflect.DeepEqual(o.Op["security"], wantSecurity[a]) {
			t.Errorf("%s: security = %v, want %v (auth %s)", key, o.Op["security"], wantSecurity[a], a)
		}
		if ext, _ := o.Op["x-amazon-apigateway-auth"].(map[string]any); (auth[key] == "iam") != (ext["type"] == "AWS_IAM") {
			t.Errorf("%s: x-amazon-apigateway-auth = %v (auth %s)", key, o.Op["x-amazon-apigateway-auth"], auth[key])
		}
		responses, _ := o.Op["responses"].(map[string]any)
		if _, creates := responses["201"]; creates && o.Method == "POST" && !hasIdempotencyKey(doc, o) {
			t.Errorf("%s: a create must take the Idempotency-Key header", key)
		}
		htmlPage := dig(deref(doc, responses["200"]), "content", "text/html") != nil
		if rb, ok := o.Op["requestBody"]; ok {
			mediaType := "application/json"
			if htmlPage {
				mediaType = "application/x-www-form-urlencoded"
			}
			schema := deref(doc, dig(deref(doc, rb), "content", mediaType, "schema"))
			if schema == nil || dig(schema, "additionalProperties") != false {
				t.Errorf("%s: request body schema must be an object with additionalProperties: false", key)
			}
		}
		for status, resp := range responses {
			if !strings.HasPrefix(status, "4") {
				continue
			}
			schema := dig(deref(doc, resp), "content", "application/problem+json", "schema")
			if schema == nil && htmlPage && dig(deref(doc, resp), "content", "text/html") != nil {
				continue // an HTML page answers in HTML
			}
			if !reflect.DeepEqual(schema, map[string]any{"$ref": "#/components/schemas/Problem"}) {
				t.Errorf("%s: response %s must be application/problem+json with the Problem schema", key, status)
			}
		}
	}

	problem, _ := dig(doc, "components", "schemas", "Problem", "properties").(map[string]any)
	for _, k := range []string{"type", "title", "status", "detail", "instance", "code", "field", "errors", "requestId"} {
		if _, ok := problem[k]; !ok {
			t.Errorf("Problem schema lacks %q", k)
		}
	}
	var documented []string
	enum, _ := dig(doc, "components", "schemas", "ErrorCode", "enum").([]any)
	for _, c := range enum {
		documented = append(documented, fmt.Sprint(c))
	}
	sort.Strings(documented)
	codes := adminCodes(t)
	if !slices.Equal(documented, codes) {
		t.Errorf("ErrorCode enum in docs/openapi.yaml differs from the admin.Code catalogue:\n openapi: %v\n code:    %v", documented, codes)
	}
}

func hasIdempotencyKey(doc map[string]any, o Operation) bool {
	params, _ := o.Op["parameters"].([]any)
	for _, p := range params {
		pm, _ := deref(doc, p).(map[string]any)
		if strings.EqualFold(fmt.Sprint(pm["name"]), "Idempotency-Key") && pm["in"] == "header" {
			return true
		}
	}
	return false
}

// adminCodes returns the string values of every constant of type Code in shared/admin.
func adminCodes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root(t), "shared", "admin", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("shared/admin: no Go files (%v)", err)
	}
	var codes []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						s, _ := strconv.Unquote(lit.Value)
						codes = append(codes, s)
					}
				}
			}
		}
	}
	sort.Strings(codes)
	return codes
}

func walk(v any, fn func(map[string]any)) {
	switch t := v.(type) {
	case map[string]any:
		fn(t)
		for _, x := range t {
			walk(x, fn)
		}
	case []any:
		for _, x := range t {
			walk(x, fn)
		}
	}
}

func resolveRef(doc map[string]any, ref string) (any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("$ref %q: only local references are used", ref)
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
	}
	return cur, nil
}

// deref follows $ref chains (errors are reported by the walk in TestOpenAPI).
func deref(doc map[string]any, v any) any {
	for range 10 {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		ref, ok := m["$ref"].(string)
		if !ok {
			return v
		}
		if v, _ = resolveRef(doc, ref); v == nil {
			return nil
		}
	}
	return v
}

func dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// TestBuildArtifacts checks what every function's Makefile target builds for linux/arm64, as
// `sam build` runs it (the shared build of local/testenv/builds, which the bench's sizes use too):
// the bootstrap Lambda's provided.al2023 runtime on arm64 needs: an ELF for linux/arm64,
// statically linked (no interpreter, no shared libraries), built with lambda.norpc and -trimpath,
// under maxBootstrapBytes.
func TestBuildArtifacts(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the linux/arm64 builds")
	}
	tpl := loadTemplate(t)
	built := builds.ForArch(t, "arm64")
	if len(built) != len(tpl.Functions) {
		t.Errorf("%d functions built with their Makefile target, template.yaml has %d", len(built), len(tpl.Functions))
	}
	ids := make([]string, 0, len(tpl.Functions))
	for id := range tpl.Functions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			if built[id] == "" {
				t.Fatalf("%s is not built by the Makefile (BuildMethod: makefile missing?)", id)
			}
			checkBootstrap(t, built[id], DirOf(id))
		})
	}
}

func checkBootstrap(t *testing.T, path, dir string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("no bootstrap: %v", err)
	}
	if st.Mode()&0o111 == 0 {
		t.Errorf("bootstrap is not executable (%v)", st.Mode())
	}
	if st.Size() >= maxBootstrapBytes {
		t.Errorf("bootstrap is %.1f MiB, want < %d MiB", float64(st.Size())/(1<<20), maxBootstrapBytes>>20)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("bootstrap is not an ELF file: %v", err)
	}
	defer f.Close()
	if f.Class != elf.ELFCLASS64 || f.Machine != elf.EM_AARCH64 || f.Type != elf.ET_EXEC {
		t.Errorf("bootstrap is %v %v %v, want ELFCLASS64 EM_AARCH64 ET_EXEC", f.Class, f.Machine, f.Type)
	}
	if f.OSABI != elf.ELFOSABI_NONE && f.OSABI != elf.ELFOSABI_LINUX {
		t.Errorf("bootstrap OS ABI %v, want Linux (SYSV)", f.OSABI)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
			t.Errorf("bootstrap has a %v program header: dynamically linked (CGO_ENABLED=0 missing?)", p.Type)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("bootstrap needs shared libraries %v", libs)
	}
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatalf("bootstrap has no Go build info: %v", err)
	}
	if want := "github.com/partner-admin-center/pac/functions/" + dir; bi.Path != want {
		t.Errorf("bootstrap main package %s, want %s", bi.Path, want)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	for k, want := range map[string]string{"GOOS": "linux", "GOARCH": "arm64", "CGO_ENABLED": "0", "-trimpath": "true"} {
		if settings[k] != want {
			t.Errorf("bootstrap built with %s=%q, want %q", k, settings[k], want)
		}
	}
	if !slices.Contains(strings.Split(settings["-tags"], ","), "lambda.norpc") {
		t.Errorf("bootstrap built with -tags=%q, want lambda.norpc", settings["-tags"])
	}
}
