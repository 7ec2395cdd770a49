// Package template reads the project's SAM template (template.yaml) into the Go values the local
// runtime needs: parameters, functions with their resolved environment and event sources (HTTP
// API routes, DynamoDB stream mappings, schedules), the DynamoDB table as a CreateTableInput and
// the HTTP API's throttling and CORS settings. The template is the single source of truth: the
// local runtime keeps no second route list.
//
// CloudFormation intrinsics (short and long form: !Ref, !GetAtt, !Sub, !If, conditions, !Join,
// !Split, …) are evaluated by a Resolver for a local stack, see Options.
package template

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"go.yaml.in/yaml/v3"
)

// Resource types the local runtime understands.
const (
	TypeFunction = "AWS::Serverless::Function"
	TypeHTTPAPI  = "AWS::Serverless::HttpApi"
	TypeTable    = "AWS::DynamoDB::Table"
)

// ImplicitHTTPAPI is the logical ID SAM gives the HTTP API it creates for HttpApi events
// without an ApiId.
const ImplicitHTTPAPI = "ServerlessHttpApi"

// Defaults of AWS Lambda and API Gateway where the template says nothing.
const (
	DefaultTimeout            = 3 * time.Second
	DefaultMemorySize         = 128
	DefaultIntegrationTimeout = 30 * time.Second
)

// Options says how to resolve the template for a local stack.
type Options struct {
	// Parameters overrides parameter values (lists comma-separated); others take their Default.
	Parameters map[string]string
	// TableName is the local name of the template's DynamoDB table; with several tables each is
	// named TableName-<LogicalId>. Empty: the table's TableName property, else its logical ID.
	TableName string
	// Names overrides what Ref returns for resources, by logical ID.
	Names map[string]string
	// Region, AccountID and StackName feed the pseudo parameters (defaults us-east-1,
	// 000000000000, pac-local).
	Region, AccountID, StackName string
	// AllowMissing makes a parameter with neither Default nor override resolve to "" instead of
	// failing (for tools that need only part of the template, such as the table).
	AllowMissing bool
}

// Template is a parsed and locally resolved SAM template.
type Template struct {
	Description string
	// Parameters in file order, with their local values.
	Parameters []*Parameter
	// Functions in file order (AWS::Serverless::Function whose Condition holds).
	Functions []*Function
	// Tables in file order (AWS::DynamoDB::Table).
	Tables []*Table
	// HTTPAPIs: the AWS::Serverless::HttpApi resources, plus the implicit one if any event
	// lacks an ApiId.
	HTTPAPIs []*HTTPAPI
	// Resolver evaluates further template values the same way.
	Resolver *Resolver
	// Types maps every resource's logical ID to its type.
	Types map[string]string
}

// Function is one AWS::Serverless::Function with Globals.Function applied.
type Function struct {
	LogicalID    string
	FunctionName string // Ref of the function locally: FunctionName, else the logical ID
	CodeURI      string
	Handler      string
	Runtime      string
	// BuildMethod is Metadata.BuildMethod (makefile: built by make build-<LogicalId>).
	BuildMethod   string
	Architectures []string
	Timeout       time.Duration
	MemorySize    int
	// ReservedConcurrency is ReservedConcurrentExecutions (0: not set).
	ReservedConcurrency int
	Tracing             string
	// Environment is Globals.Function.Environment.Variables merged with the function's own,
	// resolved.
	Environment map[string]string
	// LoggingConfig (Lambda advanced logging): JSON or Text, and the log levels.
	LogFormat           string
	ApplicationLogLevel string
	SystemLogLevel      string
	LogGroup            string

	HTTPEvents     []HTTPEvent
	StreamEvents   []StreamEvent
	ScheduleEvents []ScheduleEvent
	// OtherEvents names the events of types the local runtime does not play, as "Name (Type)".
	OtherEvents []string
}

// HTTPEvent is an event of type HttpApi: one route of an HTTP API.
type HTTPEvent struct {
	Name string
	// API is the logical ID of the HttpApi resource (ImplicitHTTPAPI when ApiId is absent).
	API    string
	Method string // upper case; ANY for any method
	Path   string // /users/{userId}; $default for the catch-all route
	// Authorizer: NONE, AWS_IAM, or the name of an authorizer of the API; empty means the API's
	// DefaultAuthorizer applies.
	Authorizer          string
	AuthorizationScopes []string
	// TimeoutInMillis of the integration (0: the API Gateway default, 30 s).
	TimeoutInMillis      int
	PayloadFormatVersion string
	RouteSettings        RouteSettings
}

// RouteKey is the route as API Gateway names it: "GET /users/{userId}" or "$default".
func (e HTTPEvent) RouteKey() string {
	if e.Path == "$default" {
		return "$default"
	}
	return e.Method + " " + e.Path
}

// StreamEvent is an event of type DynamoDB (an event source mapping on a table stream).
type StreamEvent struct {
	Name string
	// Table is the logical ID of the table whose StreamArn the event names ("" if not !GetAtt).
	Table                      string
	StreamARN                  string
	StartingPosition           string
	BatchSize                  int
	MaximumBatchingWindow      time.Duration
	FunctionResponseTypes      []string
	MaximumRetryAttempts       int // -1: infinite (the AWS default)
	MaximumRecordAge           time.Duration
	BisectBatchOnFunctionError bool
	ParallelizationFactor      int
	// FilterPatterns are the FilterCriteria.Filters[].Pattern JSON documents.
	FilterPatterns       []string
	OnFailureDestination string
	Enabled              bool
}

// ReportsBatchItemFailures says whether the function answers with partial batch responses.
func (e StreamEvent) ReportsBatchItemFailures() bool {
	for _, t := range e.FunctionResponseTypes {
		if t == "ReportBatchItemFailures" {
			return true
		}
	}
	return false
}

// ScheduleEvent is an event of type Schedule or ScheduleV2 (EventBridge).
type ScheduleEvent struct {
	Name       string
	Type       string
	Expression string // rate(…), cron(…) or at(…)
	Timezone   string
	Input      string
	Enabled    bool
}

// RouteSettings are HTTP API stage route settings; nil pointers mean "not set".
type RouteSettings struct {
	ThrottlingBurstLimit   *int
	ThrottlingRateLimit    *float64
	DetailedMetricsEnabled *bool
}

// merge returns s with the unset fields taken from base.
func (s RouteSettings) merge(base RouteSettings) RouteSettings {
	if s.ThrottlingBurstLimit == nil {
		s.ThrottlingBurstLimit = base.ThrottlingBurstLimit
	}
	if s.ThrottlingRateLimit == nil {
		s.ThrottlingRateLimit = base.ThrottlingRateLimit
	}
	if s.DetailedMetricsEnabled == nil {
		s.DetailedMetricsEnabled = base.DetailedMetricsEnabled
	}
	return s
}

// CORSConfig is an HTTP API CorsConfiguration.
type CORSConfig struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           int // seconds; 0: not set
	AllowCredentials bool
}

// HTTPAPI is an AWS::Serverless::HttpApi (with Globals.HttpApi applied).
type HTTPAPI struct {
	LogicalID            string
	StageName            string
	DefaultRouteSettings RouteSettings
	// RouteSettings by route key ("POST /auth/sign-in").
	RouteSettings       map[string]RouteSettings
	CORS                *CORSConfig // nil: no CORS configured
	DefaultAuthorizer   string
	EnableIAMAuthorizer bool
	// Authorizers maps the names of the API's authorizers to their kind (JWT or REQUEST).
	Authorizers map[string]string
}

// Route is one route of an HTTP API with its effective settings.
type Route struct {
	API      *HTTPAPI
	Function *Function
	Event    HTTPEvent
	Method   string
	Path     string
	Key      string // "GET /users/{userId}"
	// Authorizer is NONE, AWS_IAM or an authorizer name, after the API default is applied.
	Authorizer          string
	AuthorizationScopes []string
	// Throttle: the event's RouteSettings, else the API's RouteSettings for the key, else its
	// DefaultRouteSettings.
	Throttle           RouteSettings
	IntegrationTimeout time.Duration
}

// Table is an AWS::DynamoDB::Table ready to create locally.
type Table struct {
	LogicalID string
	Name      string
	// CreateTableInput has TableName set to Name.
	CreateTableInput *dynamodb.CreateTableInput
	// TTLAttribute is TimeToLiveSpecification.AttributeName when TTL is enabled, else "".
	TTLAttribute string
}

// Load reads and parses the template at path.
func Load(path string, opts Options) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse parses a SAM template and resolves it for a local stack.
func Parse(data []byte, opts Options) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	root := deref(&doc)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a template: the document is not a mapping")
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.AccountID == "" {
		opts.AccountID = "000000000000"
	}
	if opts.StackName == "" {
		opts.StackName = "pac-local"
	}
	r := &Resolver{
		Region: opts.Region, AccountID: opts.AccountID, StackName: opts.StackName,
		Partition: "aws", URLSuffix: "amazonaws.com",
		params: map[string]*Parameter{}, condCache: map[string]bool{}, condBusy: map[string]bool{},
		types: map[string]string{}, rawProps: map[string]map[string]any{},
		names: map[string]string{}, nameBusy: map[string]bool{},
	}
	t := &Template{Resolver: r, Types: r.types}
	if d, err := toValue(child(root, "Description")); err == nil {
		t.Description, _ = d.(string)
	}

	// Parameters.
	paramsNode := child(root, "Parameters")
	for _, name := range orderedKeys(paramsNode) {
		raw, err := toValue(child(paramsNode, name))
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %w", name, err)
		}
		m, _ := raw.(map[string]any)
		p := &Parameter{Name: name}
		p.Type, _ = m["Type"].(string)
		p.Description, _ = m["Description"].(string)
		p.AllowedPattern, _ = m["AllowedPattern"].(string)
		p.NoEcho = truthy(m["NoEcho"])
		if d, ok := m["Default"]; ok {
			if p.Default, err = scalarOrList(d); err != nil {
				return nil, fmt.Errorf("parameter %s Default: %w", name, err)
			}
			p.HasDefault = true
		}
		if av, ok := m["AllowedValues"].([]any); ok {
			for _, v := range av {
				s, err := scalarString(v)
				if err != nil {
					return nil, fmt.Errorf("parameter %s AllowedValues: %w", name, err)
				}
				p.AllowedValues = append(p.AllowedValues, s)
			}
		}
		p.Value, p.HasValue = p.Default, p.HasDefault
		if v, ok := opts.Parameters[name]; ok {
			p.Value, p.HasValue = v, true
		}
		if err := p.validate(); err != nil {
			return nil, err
		}
		if !p.HasValue && opts.AllowMissing {
			p.HasValue = true
		}
		t.Parameters = append(t.Parameters, p)
		r.params[name] = p
	}
	for name := range opts.Parameters {
		if _, ok := r.params[name]; !ok {
			return nil, fmt.Errorf("parameter %s is not declared in the template", name)
		}
	}

	// Conditions, Mappings.
	conds, err := toValue(child(root, "Conditions"))
	if err != nil {
		return nil, fmt.Errorf("reading Conditions: %w", err)
	}
	r.conditions, _ = conds.(map[string]any)
	maps, err := toValue(child(root, "Mappings"))
	if err != nil {
		return nil, fmt.Errorf("reading Mappings: %w", err)
	}
	r.mappings, _ = maps.(map[string]any)

	// Resources: types and raw properties first, so references resolve in any order.
	resNode := child(root, "Resources")
	resIDs := orderedKeys(resNode)
	if len(resIDs) == 0 {
		return nil, fmt.Errorf("the template has no Resources")
	}
	raws := map[string]map[string]any{}
	for _, id := range resIDs {
		raw, err := toValue(child(resNode, id))
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		}
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("resource %s is not a mapping", id)
		}
		typ, _ := m["Type"].(string)
		if typ == "" {
			return nil, fmt.Errorf("resource %s has no Type", id)
		}
		r.types[id] = typ
		props, _ := m["Properties"].(map[string]any)
		r.rawProps[id] = props
		raws[id] = m
	}
	for id, name := range opts.Names {
		r.names[id] = name
	}
	var tableIDs []string
	for _, id := range resIDs {
		if r.types[id] == TypeTable {
			tableIDs = append(tableIDs, id)
		}
	}
	for _, id := range tableIDs {
		if _, ok := r.names[id]; ok {
			continue
		}
		switch {
		case opts.TableName != "" && len(tableIDs) == 1:
			r.names[id] = opts.TableName
		case opts.TableName != "":
			r.names[id] = opts.TableName + "-" + id
		default:
			name := id
			if raw, ok := r.rawProps[id]["TableName"]; ok {
				if name, err = r.ResolveString(raw); err != nil {
					return nil, fmt.Errorf("%s.TableName: %w", id, err)
				}
			}
			r.names[id] = name
		}
	}

	// Globals.
	globalsNode := child(root, "Globals")
	gf, err := toValue(child(globalsNode, "Function"))
	if err != nil {
		return nil, fmt.Errorf("Globals.Function: %w", err)
	}
	globalFunction, _ := gf.(map[string]any)
	gh, err := toValue(child(globalsNode, "HttpApi"))
	if err != nil {
		return nil, fmt.Errorf("Globals.HttpApi: %w", err)
	}
	globalHTTPAPI, _ := gh.(map[string]any)

	apis := map[string]*HTTPAPI{}
	for _, id := range resIDs {
		m := raws[id]
		if c, ok := m["Condition"].(string); ok {
			b, err := r.Condition(c)
			if err != nil {
				return nil, fmt.Errorf("resource %s: %w", id, err)
			}
			if !b {
				continue
			}
		}
		switch r.types[id] {
		case TypeFunction:
			eventsNode := child(child(child(resNode, id), "Properties"), "Events")
			f, err := parseFunction(r, id, m, globalFunction, orderedKeys(eventsNode))
			if err != nil {
				return nil, fmt.Errorf("function %s: %w", id, err)
			}
			t.Functions = append(t.Functions, f)
		case TypeTable:
			tb, err := parseTable(r, id, r.rawProps[id])
			if err != nil {
				return nil, fmt.Errorf("table %s: %w", id, err)
			}
			t.Tables = append(t.Tables, tb)
		case TypeHTTPAPI:
			api, err := parseHTTPAPI(r, id, mergeGlobals(globalHTTPAPI, r.rawProps[id]))
			if err != nil {
				return nil, fmt.Errorf("HTTP API %s: %w", id, err)
			}
			t.HTTPAPIs = append(t.HTTPAPIs, api)
			apis[id] = api
		}
	}
	for _, f := range t.Functions {
		for _, e := range f.HTTPEvents {
			if _, ok := apis[e.API]; ok {
				continue
			}
			if e.API != ImplicitHTTPAPI {
				return nil, fmt.Errorf("function %s event %s: ApiId %s is not an AWS::Serverless::HttpApi of the template", f.LogicalID, e.Name, e.API)
			}
			r.types[ImplicitHTTPAPI] = TypeHTTPAPI
			api, err := parseHTTPAPI(r, ImplicitHTTPAPI, mergeGlobals(globalHTTPAPI, nil))
			if err != nil {
				return nil, fmt.Errorf("HTTP API %s: %w", ImplicitHTTPAPI, err)
			}
			t.HTTPAPIs = append(t.HTTPAPIs, api)
			apis[ImplicitHTTPAPI] = api
		}
	}
	if _, err := t.Routes(); err != nil {
		return nil, err
	}
	return t, nil
}

// Parameter returns the named parameter, or nil.
func (t *Template) Parameter(name string) *Parameter {
	for _, p := range t.Parameters {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Function returns the function with the given logical ID, or nil.
func (t *Template) Function(logicalID string) *Function {
	for _, f := range t.Functions {
		if f.LogicalID == logicalID {
			return f
		}
	}
	return nil
}

// Table returns the table with the given logical ID, or nil.
func (t *Template) Table(logicalID string) *Table {
	for _, tb := range t.Tables {
		if tb.LogicalID == logicalID {
			return tb
		}
	}
	return nil
}

// HTTPAPI returns the HTTP API with the given logical ID, or nil.
func (t *Template) HTTPAPI(logicalID string) *HTTPAPI {
	for _, a := range t.HTTPAPIs {
		if a.LogicalID == logicalID {
			return a
		}
	}
	return nil
}

// OfType returns the logical IDs of the template's resources of a type, sorted.
func (t *Template) OfType(typ string) []string {
	var ids []string
	for id, ty := range t.Types {
		if ty == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Resource returns the type of a resource and its Properties resolved for the local stack, for
// the resource types the runtime does not model itself (the local console server copies the
// response headers of the CloudFront distribution's console behaviour from them).
func (t *Template) Resource(logicalID string) (typ string, props map[string]any, err error) {
	typ, ok := t.Types[logicalID]
	if !ok {
		return "", nil, fmt.Errorf("the template has no resource %s", logicalID)
	}
	raw := t.Resolver.rawProps[logicalID]
	if raw == nil {
		return typ, nil, nil
	}
	v, err := t.Resolver.Resolve(raw)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", logicalID, err)
	}
	props, _ = v.(map[string]any)
	return typ, props, nil
}

// Routes lists every HTTP API route of the template with its effective settings, sorted by
// route key. Two events claiming the same route of the same API are an error, as in AWS.
func (t *Template) Routes() ([]Route, error) {
	var routes []Route
	seen := map[string]string{}
	for _, f := range t.Functions {
		for _, e := range f.HTTPEvents {
			api := t.HTTPAPI(e.API)
			if api == nil {
				return nil, fmt.Errorf("function %s event %s: unknown API %s", f.LogicalID, e.Name, e.API)
			}
			key := e.RouteKey()
			if other, dup := seen[api.LogicalID+" "+key]; dup {
				return nil, fmt.Errorf("route %q of %s is claimed by %s and %s", key, api.LogicalID, other, f.LogicalID)
			}
			seen[api.LogicalID+" "+key] = f.LogicalID
			auth := e.Authorizer
			if auth == "" {
				auth = api.DefaultAuthorizer
			}
			if auth == "" {
				auth = "NONE"
			}
			if auth == "AWS_IAM" && !api.EnableIAMAuthorizer && api.DefaultAuthorizer != "AWS_IAM" {
				return nil, fmt.Errorf("route %q uses AWS_IAM but %s does not set Auth.EnableIamAuthorizer", key, api.LogicalID)
			}
			if auth != "NONE" && auth != "AWS_IAM" {
				if _, ok := api.Authorizers[auth]; !ok {
					return nil, fmt.Errorf("route %q uses authorizer %s, which %s does not define", key, auth, api.LogicalID)
				}
			}
			timeout := DefaultIntegrationTimeout
			if e.TimeoutInMillis > 0 {
				timeout = time.Duration(e.TimeoutInMillis) * time.Millisecond
			}
			routes = append(routes, Route{
				API: api, Function: f, Event: e, Method: e.Method, Path: e.Path, Key: key,
				Authorizer: auth, AuthorizationScopes: e.AuthorizationScopes,
				Throttle:           e.RouteSettings.merge(api.RouteSettings[key]).merge(api.DefaultRouteSettings),
				IntegrationTimeout: timeout,
			})
		}
	}
	sort.SliceStable(routes, func(i, j int) bool {
		if routes[i].API.LogicalID != routes[j].API.LogicalID {
			return routes[i].API.LogicalID < routes[j].API.LogicalID
		}
		return routes[i].Key < routes[j].Key
	})
	return routes, nil
}

// mergeGlobals applies SAM's Globals rules: maps merge (the resource wins per key), lists are
// additive (globals first), anything else is replaced by the resource's value. Intrinsic
// function calls are values, never merged.
func mergeGlobals(global, local map[string]any) map[string]any {
	out := make(map[string]any, len(global)+len(local))
	for k, v := range global {
		out[k] = v
	}
	for k, lv := range local {
		gv, ok := out[k]
		if !ok {
			out[k] = lv
			continue
		}
		gm, gIsMap := plainMap(gv)
		lm, lIsMap := plainMap(lv)
		gl, gIsList := gv.([]any)
		ll, lIsList := lv.([]any)
		switch {
		case gIsMap && lIsMap:
			out[k] = mergeGlobals(gm, lm)
		case gIsList && lIsList:
			out[k] = append(append([]any(nil), gl...), ll...)
		default:
			out[k] = lv
		}
	}
	return out
}

func plainMap(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	if len(m) == 1 {
		for k := range m {
			if isIntrinsic(k) {
				return nil, false
			}
		}
	}
	return m, true
}

func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		b, _ := strconv.ParseBool(t)
		return b
	}
	return false
}

func scalarOrList(v any) (string, error) {
	if list, ok := v.([]any); ok {
		parts := make([]string, len(list))
		for i, it := range list {
			s, err := scalarString(it)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return scalarString(v)
}

// Typed accessors over resolved values.

func getString(m map[string]any, key string) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", nil
	}
	s, err := scalarString(v)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return s, nil
}

func getInt(m map[string]any, key string) (int, bool, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return 0, false, nil
	}
	s, err := scalarString(v)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", key, err)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int(f)) {
			return 0, false, fmt.Errorf("%s: %q is not an integer", key, s)
		}
		n = int(f)
	}
	return n, true, nil
}

func getFloat(m map[string]any, key string) (float64, bool, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return 0, false, nil
	}
	s, err := scalarString(v)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %w", key, err)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%s: %q is not a number", key, s)
	}
	return f, true, nil
}

func getBool(m map[string]any, key string) (bool, bool, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return false, false, nil
	}
	s, err := scalarString(v)
	if err != nil {
		return false, false, fmt.Errorf("%s: %w", key, err)
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, false, fmt.Errorf("%s: %q is not a boolean", key, s)
	}
	return b, true, nil
}

func getStrings(m map[string]any, key string) ([]string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		return []string{s}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected a list, got %T", key, v)
	}
	out := make([]string, 0, len(list))
	for _, it := range list {
		s, err := scalarString(it)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		out = append(out, s)
	}
	return out, nil
}

func getMap(m map[string]any, key string) (map[string]any, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	mm, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: expected a mapping, got %T", key, v)
	}
	return mm, nil
}

// refTarget returns the logical ID named by a raw {"Ref": id} or {"Fn::GetAtt": [id, attr]}
// (or a plain string), so a property's target resource is known before resolution.
func refTarget(raw any) string {
	switch t := raw.(type) {
	case string:
		return t
	case map[string]any:
		if id, ok := t["Ref"].(string); ok {
			return id
		}
		switch g := t["Fn::GetAtt"].(type) {
		case []any:
			if len(g) == 2 {
				if id, ok := g[0].(string); ok {
					return id
				}
			}
		case string:
			id, _, _ := strings.Cut(g, ".")
			return id
		}
	}
	return ""
}
