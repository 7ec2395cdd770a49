// Package deploycheck keeps the deployment description in step with the code: template.yaml (AWS
// SAM), the Makefile's build-<LogicalId> rule, the function directories, docs/openapi.yaml and the
// route table of docs/architecture.md. Its tests run cfn-lint, cross-check routes, functions, build
// targets and API operations in both directions, enforce least-privilege IAM statements, and build
// every function for Lambda (linux/arm64, static, size-capped).
//
// Routes come from local/template, the parser the local runtime uses, so the checks also prove
// that the runtime reads template.yaml (and its parameter patterns accept local values). The
// other checks read the files literally (intrinsic functions stay unevaluated as {"Ref": …} /
// {"Fn::GetAtt": […]} values), because they are about what the files say — the IAM statements, the
// ApiId reference — not about a resolved stack.
package deploycheck

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/partner-admin-center/pac/local/emulators"
	"github.com/partner-admin-center/pac/local/template"
)

// Route is one HTTP API route of a function in template.yaml.
type Route struct {
	LogicalID  string // e.g. SignInFunction
	Method     string // upper case, e.g. POST
	Path       string // e.g. /users/{userId}
	Authorizer string // "" or AWS_IAM
}

// Key returns the API Gateway route key, "METHOD /path".
func (r Route) Key() string { return r.Method + " " + r.Path }

// Function is one AWS::Serverless::Function of template.yaml.
type Function struct {
	LogicalID string
	Props     map[string]any // Properties, intrinsics unevaluated
	Metadata  map[string]any
	Routes    []Route
}

// Template is the part of template.yaml the checks need.
type Template struct {
	Raw       map[string]any
	Globals   map[string]any // Globals.Function
	Functions map[string]*Function
}

// RepoRoot walks up from the working directory to the directory holding go.mod.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return emulators.RepoRoot(wd)
}

// DirOf maps a function's logical ID to its directory under functions/ by the route-table rule:
// strip the "Function" suffix, then PascalCase → kebab-case (UpdatePartnerAuthorizationsFunction →
// update-partner-authorizations).
func DirOf(logicalID string) string {
	name := []rune(strings.TrimSuffix(logicalID, "Function"))
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			prev := name[i-1]
			nextLower := i+1 < len(name) && unicode.IsLower(name[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// LoadYAML reads a YAML file into plain Go values, turning CloudFormation short-form tags into
// their long form ({"Ref": x}, {"Fn::Sub": …}, {"Fn::GetAtt": [res, attr]}).
func LoadYAML(path string) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v, err := nodeValue(&doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: top level is not a mapping", path)
	}
	return m, nil
}

func nodeValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValue(n.Content[0])
	case yaml.AliasNode:
		return nodeValue(n.Alias)
	}
	var v any
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := nodeValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := nodeValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		if isCFNTag(n.Tag) {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
	}
	if !isCFNTag(n.Tag) {
		return v, nil
	}
	name := strings.TrimPrefix(n.Tag, "!")
	if name == "GetAtt" {
		if s, ok := v.(string); ok {
			res, attr, _ := strings.Cut(s, ".")
			v = []any{res, attr}
		}
	}
	if name == "Ref" || name == "Condition" {
		return map[string]any{name: v}, nil
	}
	return map[string]any{"Fn::" + name: v}, nil
}

func isCFNTag(tag string) bool {
	return strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") && len(tag) > 1
}

// LoadTemplate reads template.yaml and collects its functions and their HttpApi routes.
func LoadTemplate(path string) (*Template, error) {
	raw, err := LoadYAML(path)
	if err != nil {
		return nil, err
	}
	t := &Template{Raw: raw, Functions: map[string]*Function{}}
	if g, ok := raw["Globals"].(map[string]any); ok {
		t.Globals, _ = g["Function"].(map[string]any)
	}
	resources, _ := raw["Resources"].(map[string]any)
	for id, r := range resources {
		res, _ := r.(map[string]any)
		if res["Type"] != "AWS::Serverless::Function" {
			continue
		}
		f := &Function{LogicalID: id}
		f.Props, _ = res["Properties"].(map[string]any)
		f.Metadata, _ = res["Metadata"].(map[string]any)
		events, _ := f.Props["Events"].(map[string]any)
		for name, e := range events {
			ev, _ := e.(map[string]any)
			if ev["Type"] != "HttpApi" {
				continue
			}
			p, _ := ev["Properties"].(map[string]any)
			method, _ := p["Method"].(string)
			path, _ := p["Path"].(string)
			if method == "" || path == "" {
				return nil, fmt.Errorf("%s: event %s: HttpApi event needs Method and Path", id, name)
			}
			rt := Route{LogicalID: id, Method: strings.ToUpper(method), Path: path}
			if auth, ok := p["Auth"].(map[string]any); ok {
				rt.Authorizer, _ = auth["Authorizer"].(string)
			}
			f.Routes = append(f.Routes, rt)
		}
		sort.Slice(f.Routes, func(i, j int) bool { return f.Routes[i].Key() < f.Routes[j].Key() })
		t.Functions[id] = f
	}
	return t, nil
}

// LocalParameters are local values for the template's parameters without a default, shaped like
// real ones so that their AllowedPatterns are exercised (the key pair is a throwaway test key).
var LocalParameters = map[string]string{
	"Stage":           "local",
	"SenderAddress":   "no-reply@partner-admin-center.example",
	"PublicBaseUrl":   "http://127.0.0.1:3000",
	"TokenSigningKey": "BvPxm/r+cncwMZWl8AFNcNJU8FR7lHLzNelsZBmpfq0=",
	"TokenPublicKey":  "Lmxdbfw7PXjg1hGSba3OyF37tfArlaHGErQQigdNdKA=",
	"LinkKey":         "q0ZQm2kq0b7p3m0pQ8m9a7y3m1n5b6v7c8x9z0a1s2d=",
	"AllowedOrigins":  "http://127.0.0.1:3000,http://localhost:3000",
}

// RuntimeRoutes returns the HTTP API routes of template.yaml as the local runtime resolves them
// (local/template), ordered by route key. Authorizer is "" for routes without one.
func RuntimeRoutes(path string) ([]Route, error) {
	t, err := template.Load(path, template.Options{Parameters: LocalParameters})
	if err != nil {
		return nil, err
	}
	rs, err := t.Routes()
	if err != nil {
		return nil, err
	}
	out := make([]Route, 0, len(rs))
	for _, r := range rs {
		auth := r.Authorizer
		if auth == "NONE" {
			auth = ""
		}
		out = append(out, Route{LogicalID: r.Function.LogicalID, Method: r.Method, Path: r.Path, Authorizer: auth})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

// Routes returns every HttpApi route of the template as written, ordered by route key.
func (t *Template) Routes() []Route {
	var out []Route
	for _, f := range t.Functions {
		out = append(out, f.Routes...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// MakeBuild is one function build that a make invocation runs.
type MakeBuild struct {
	Dir    string // the package built, relative to functions/ (e.g. sign-in)
	Out    string // the -o path (e.g. <ARTIFACTS_DIR>/bootstrap)
	GOARCH string
}

// goBuild matches the go build command of the Makefile's build-%Function rule, continuation lines
// joined.
var goBuild = regexp.MustCompile(`(?m)\bGOARCH=(\S+) .*\bbuild\b.* -o (\S+) \./functions/(\S+)\s*$`)

// MakeBuilds returns, in order, the function builds that `make -n args...` (a dry run) would run
// in root: which functions/ directory each target builds, without building it. The build
// targets are one pattern rule, so this, not the Makefile's text, says what a target builds.
func MakeBuilds(root string, args ...string) ([]MakeBuild, error) {
	cmd := exec.Command("make", append([]string{"-n", "--no-print-directory"}, args...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("make -n %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	var builds []MakeBuild
	for _, m := range goBuild.FindAllStringSubmatch(strings.ReplaceAll(string(out), "\\\n", " "), -1) {
		builds = append(builds, MakeBuild{Dir: m[3], Out: m[2], GOARCH: m[1]})
	}
	return builds, nil
}

// Operation is one operation of docs/openapi.yaml.
type Operation struct {
	Method string // upper case
	Path   string
	Op     map[string]any
}

// Key returns "METHOD /path", comparable with Route.Key.
func (o Operation) Key() string { return o.Method + " " + o.Path }

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// Operations returns every operation of an OpenAPI document, ordered by key.
func Operations(doc map[string]any) []Operation {
	var out []Operation
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method, op := range ops {
			if !httpMethods[method] {
				continue
			}
			m, _ := op.(map[string]any)
			out = append(out, Operation{Method: strings.ToUpper(method), Path: path, Op: m})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}

// ArchRoute is one row of the route table in docs/architecture.md.
type ArchRoute struct {
	Dir, LogicalID, Method, Path, Auth string
}

var archRow = regexp.MustCompile(`^\|\s*([a-z0-9-]+)\s*\|\s*([A-Za-z0-9]+Function)\s*\|\s*([A-Z]+) (\S+)\s*\|\s*([a-z]+)\s*\|`)

// ArchitectureRoutes parses the "| Function dir | LogicalId | Route | Auth |" rows of the route table.
func ArchitectureRoutes(path string) ([]ArchRoute, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []ArchRoute
	for _, line := range strings.Split(string(data), "\n") {
		if m := archRow.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			out = append(out, ArchRoute{Dir: m[1], LogicalID: m[2], Method: m[3], Path: m[4], Auth: m[5]})
		}
	}
	return out, nil
}

// Statement is one IAM policy statement of a function's inline policies.
type Statement struct {
	Sid       string
	Effect    string
	Actions   []string
	Resources []any // intrinsics unevaluated
	// LeadingKeys are the partition-key patterns of a ForAllValues:StringLike
	// dynamodb:LeadingKeys condition (nil: no such condition).
	LeadingKeys []string
}

// Statements returns the inline policy statements of a function's Policies. Anything that is not
// an inline policy document (a managed policy name or ARN, a SAM policy template such as
// DynamoDBCrudPolicy) is reported as an error: the template grants table access explicitly.
func (f *Function) Statements() ([]Statement, error) {
	var out []Statement
	policies, ok := f.Props["Policies"].([]any)
	if !ok && f.Props["Policies"] != nil {
		return nil, fmt.Errorf("%s: Policies must be a list of inline policy documents", f.LogicalID)
	}
	for i, p := range policies {
		doc, ok := p.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: Policies[%d] is %v, not an inline policy document", f.LogicalID, i, p)
		}
		stmts, ok := doc["Statement"].([]any)
		if !ok || len(doc) > 2 || (len(doc) == 2 && doc["Version"] == nil) {
			return nil, fmt.Errorf("%s: Policies[%d] is not an inline policy document (Statement list): %v", f.LogicalID, i, keys(doc))
		}
		for j, s := range stmts {
			sm, _ := s.(map[string]any)
			st := Statement{}
			st.Sid, _ = sm["Sid"].(string)
			st.Effect, _ = sm["Effect"].(string)
			switch a := sm["Action"].(type) {
			case string:
				st.Actions = []string{a}
			case []any:
				for _, x := range a {
					s, ok := x.(string)
					if !ok {
						return nil, fmt.Errorf("%s: Policies[%d].Statement[%d]: Action item %v is not a string", f.LogicalID, i, j, x)
					}
					st.Actions = append(st.Actions, s)
				}
			default:
				return nil, fmt.Errorf("%s: Policies[%d].Statement[%d]: Action must be a string or list", f.LogicalID, i, j)
			}
			if sm["NotAction"] != nil || sm["NotResource"] != nil {
				return nil, fmt.Errorf("%s: Policies[%d].Statement[%d]: NotAction/NotResource are not allowed", f.LogicalID, i, j)
			}
			if cond, ok := sm["Condition"].(map[string]any); ok {
				if like, ok := cond["ForAllValues:StringLike"].(map[string]any); ok {
					switch lk := like["dynamodb:LeadingKeys"].(type) {
					case string:
						st.LeadingKeys = []string{lk}
					case []any:
						for _, x := range lk {
							if s, ok := x.(string); ok {
								st.LeadingKeys = append(st.LeadingKeys, s)
							}
						}
					}
				}
			}
			switch r := sm["Resource"].(type) {
			case []any:
				st.Resources = r
			default:
				st.Resources = []any{r}
			}
			out = append(out, st)
		}
	}
	return out, nil
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
