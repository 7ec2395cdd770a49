package template

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func parseFunction(r *Resolver, id string, res, globals map[string]any, eventOrder []string) (*Function, error) {
	rawProps, _ := res["Properties"].(map[string]any)
	rawEvents, _ := rawProps["Events"].(map[string]any)
	merged := mergeGlobals(globals, rawProps)
	delete(merged, "Events")
	resolved, err := r.Resolve(merged)
	if err != nil {
		return nil, err
	}
	p, _ := resolved.(map[string]any)
	f := &Function{LogicalID: id, Timeout: DefaultTimeout, MemorySize: DefaultMemorySize, Environment: map[string]string{}}
	if f.FunctionName, err = r.Name(id); err != nil {
		return nil, err
	}
	if s, ok := p["CodeUri"].(string); ok {
		f.CodeURI = s
	}
	if f.Handler, err = getString(p, "Handler"); err != nil {
		return nil, err
	}
	if f.Runtime, err = getString(p, "Runtime"); err != nil {
		return nil, err
	}
	if f.Tracing, err = getString(p, "Tracing"); err != nil {
		return nil, err
	}
	if f.Architectures, err = getStrings(p, "Architectures"); err != nil {
		return nil, err
	}
	if n, ok, err := getInt(p, "Timeout"); err != nil {
		return nil, err
	} else if ok {
		f.Timeout = time.Duration(n) * time.Second
	}
	if n, ok, err := getInt(p, "MemorySize"); err != nil {
		return nil, err
	} else if ok {
		f.MemorySize = n
	}
	if f.ReservedConcurrency, _, err = getInt(p, "ReservedConcurrentExecutions"); err != nil {
		return nil, err
	}
	env, err := getMap(p, "Environment")
	if err != nil {
		return nil, err
	}
	vars, err := getMap(env, "Variables")
	if err != nil {
		return nil, fmt.Errorf("Environment.%w", err)
	}
	for k := range vars {
		if f.Environment[k], err = getString(vars, k); err != nil {
			return nil, fmt.Errorf("Environment.Variables.%w", err)
		}
	}
	lc, err := getMap(p, "LoggingConfig")
	if err != nil {
		return nil, err
	}
	for key, dst := range map[string]*string{"LogFormat": &f.LogFormat, "ApplicationLogLevel": &f.ApplicationLogLevel,
		"SystemLogLevel": &f.SystemLogLevel, "LogGroup": &f.LogGroup} {
		if *dst, err = getString(lc, key); err != nil {
			return nil, fmt.Errorf("LoggingConfig.%w", err)
		}
	}
	if md, ok := res["Metadata"].(map[string]any); ok {
		mdr, err := r.Resolve(md)
		if err != nil {
			return nil, fmt.Errorf("resolving Metadata: %w", err)
		}
		mm, _ := mdr.(map[string]any)
		if f.BuildMethod, err = getString(mm, "BuildMethod"); err != nil {
			return nil, fmt.Errorf("Metadata.%w", err)
		}
	}

	if len(eventOrder) != len(rawEvents) {
		eventOrder = eventOrder[:0]
		for name := range rawEvents {
			eventOrder = append(eventOrder, name)
		}
		sort.Strings(eventOrder)
	}
	for _, name := range eventOrder {
		ev, _ := rawEvents[name].(map[string]any)
		if err := parseEvent(r, f, name, ev); err != nil {
			return nil, fmt.Errorf("event %s: %w", name, err)
		}
	}
	return f, nil
}

func parseEvent(r *Resolver, f *Function, name string, ev map[string]any) error {
	typ, _ := ev["Type"].(string)
	rawProps, _ := ev["Properties"].(map[string]any)
	resolved, err := r.Resolve(rawProps)
	if err != nil {
		return err
	}
	p, _ := resolved.(map[string]any)
	if p == nil {
		p = map[string]any{}
	}
	switch typ {
	case "HttpApi":
		e := HTTPEvent{Name: name, API: ImplicitHTTPAPI, PayloadFormatVersion: "2.0"}
		if raw, ok := rawProps["ApiId"]; ok {
			if e.API = refTarget(raw); e.API == "" {
				return fmt.Errorf("ApiId must be !Ref of an HttpApi resource")
			}
		}
		if e.Method, err = getString(p, "Method"); err != nil {
			return err
		}
		if e.Path, err = getString(p, "Path"); err != nil {
			return err
		}
		e.Method = strings.ToUpper(e.Method)
		if e.Method == "" && e.Path == "" {
			e.Method, e.Path = "ANY", "$default"
		}
		if e.Method == "" || e.Path == "" {
			return fmt.Errorf("HttpApi event needs both Method and Path")
		}
		if e.Path != "$default" && !strings.HasPrefix(e.Path, "/") {
			return fmt.Errorf("path %q does not start with /", e.Path)
		}
		auth, err := getMap(p, "Auth")
		if err != nil {
			return err
		}
		if e.Authorizer, err = getString(auth, "Authorizer"); err != nil {
			return fmt.Errorf("Auth.%w", err)
		}
		if e.AuthorizationScopes, err = getStrings(auth, "AuthorizationScopes"); err != nil {
			return fmt.Errorf("Auth.%w", err)
		}
		if e.TimeoutInMillis, _, err = getInt(p, "TimeoutInMillis"); err != nil {
			return err
		}
		if v, err := getString(p, "PayloadFormatVersion"); err != nil {
			return err
		} else if v != "" {
			e.PayloadFormatVersion = v
		}
		if e.PayloadFormatVersion != "2.0" {
			return fmt.Errorf("PayloadFormatVersion %s: the local gateway speaks 2.0 only", e.PayloadFormatVersion)
		}
		rs, err := getMap(p, "RouteSettings")
		if err != nil {
			return err
		}
		if e.RouteSettings, err = parseRouteSettings(rs); err != nil {
			return fmt.Errorf("RouteSettings: %w", err)
		}
		f.HTTPEvents = append(f.HTTPEvents, e)
	case "DynamoDB":
		e := StreamEvent{Name: name, BatchSize: 100, MaximumRetryAttempts: -1, ParallelizationFactor: 1, Enabled: true}
		if raw, ok := rawProps["Stream"]; ok {
			if id := refTarget(raw); r.types[id] == TypeTable {
				e.Table = id
			}
		}
		if e.StreamARN, err = getString(p, "Stream"); err != nil {
			return err
		}
		if e.StartingPosition, err = getString(p, "StartingPosition"); err != nil {
			return err
		}
		for key, dst := range map[string]*int{"BatchSize": &e.BatchSize, "MaximumRetryAttempts": &e.MaximumRetryAttempts,
			"ParallelizationFactor": &e.ParallelizationFactor} {
			if n, ok, err := getInt(p, key); err != nil {
				return err
			} else if ok {
				*dst = n
			}
		}
		for key, dst := range map[string]*time.Duration{"MaximumBatchingWindowInSeconds": &e.MaximumBatchingWindow,
			"MaximumRecordAgeInSeconds": &e.MaximumRecordAge} {
			if n, ok, err := getInt(p, key); err != nil {
				return err
			} else if ok {
				*dst = time.Duration(n) * time.Second
			}
		}
		if e.MaximumRecordAge < 0 {
			e.MaximumRecordAge = 0
		}
		if e.FunctionResponseTypes, err = getStrings(p, "FunctionResponseTypes"); err != nil {
			return err
		}
		if b, ok, err := getBool(p, "BisectBatchOnFunctionError"); err != nil {
			return err
		} else if ok {
			e.BisectBatchOnFunctionError = b
		}
		if b, ok, err := getBool(p, "Enabled"); err != nil {
			return err
		} else if ok {
			e.Enabled = b
		}
		fc, err := getMap(p, "FilterCriteria")
		if err != nil {
			return err
		}
		if filters, ok := fc["Filters"].([]any); ok {
			for i, fl := range filters {
				fm, _ := fl.(map[string]any)
				switch pat := fm["Pattern"].(type) {
				case string:
					if !json.Valid([]byte(pat)) {
						return fmt.Errorf("FilterCriteria.Filters[%d].Pattern is not JSON", i)
					}
					e.FilterPatterns = append(e.FilterPatterns, pat)
				case map[string]any:
					b, _ := json.Marshal(pat)
					e.FilterPatterns = append(e.FilterPatterns, string(b))
				default:
					return fmt.Errorf("FilterCriteria.Filters[%d] has no Pattern", i)
				}
			}
		}
		dc, err := getMap(p, "DestinationConfig")
		if err != nil {
			return err
		}
		onFailure, err := getMap(dc, "OnFailure")
		if err != nil {
			return err
		}
		if e.OnFailureDestination, err = getString(onFailure, "Destination"); err != nil {
			return err
		}
		f.StreamEvents = append(f.StreamEvents, e)
	case "Schedule", "ScheduleV2":
		e := ScheduleEvent{Name: name, Type: typ, Enabled: true}
		key := "Schedule"
		if typ == "ScheduleV2" {
			key = "ScheduleExpression"
		}
		if e.Expression, err = getString(p, key); err != nil {
			return err
		}
		if e.Timezone, err = getString(p, "ScheduleExpressionTimezone"); err != nil {
			return err
		}
		if e.Input, err = getString(p, "Input"); err != nil {
			return err
		}
		if b, ok, err := getBool(p, "Enabled"); err != nil {
			return err
		} else if ok {
			e.Enabled = b
		}
		if st, err := getString(p, "State"); err != nil {
			return err
		} else if st != "" {
			e.Enabled = st == "ENABLED"
		}
		f.ScheduleEvents = append(f.ScheduleEvents, e)
	default:
		f.OtherEvents = append(f.OtherEvents, fmt.Sprintf("%s (%s)", name, typ))
	}
	return nil
}

func parseRouteSettings(m map[string]any) (RouteSettings, error) {
	var s RouteSettings
	if n, ok, err := getInt(m, "ThrottlingBurstLimit"); err != nil {
		return s, err
	} else if ok {
		s.ThrottlingBurstLimit = &n
	}
	if f, ok, err := getFloat(m, "ThrottlingRateLimit"); err != nil {
		return s, err
	} else if ok {
		s.ThrottlingRateLimit = &f
	}
	if b, ok, err := getBool(m, "DetailedMetricsEnabled"); err != nil {
		return s, err
	} else if ok {
		s.DetailedMetricsEnabled = &b
	}
	return s, nil
}

func parseHTTPAPI(r *Resolver, id string, raw map[string]any) (*HTTPAPI, error) {
	resolved, err := r.Resolve(raw)
	if err != nil {
		return nil, err
	}
	p, _ := resolved.(map[string]any)
	api := &HTTPAPI{LogicalID: id, StageName: "$default", RouteSettings: map[string]RouteSettings{}, Authorizers: map[string]string{}}
	if s, err := getString(p, "StageName"); err != nil {
		return nil, err
	} else if s != "" {
		api.StageName = s
	}
	drs, err := getMap(p, "DefaultRouteSettings")
	if err != nil {
		return nil, err
	}
	if api.DefaultRouteSettings, err = parseRouteSettings(drs); err != nil {
		return nil, fmt.Errorf("DefaultRouteSettings: %w", err)
	}
	rs, err := getMap(p, "RouteSettings")
	if err != nil {
		return nil, err
	}
	for key := range rs {
		m, err := getMap(rs, key)
		if err != nil {
			return nil, fmt.Errorf("RouteSettings: %w", err)
		}
		if api.RouteSettings[key], err = parseRouteSettings(m); err != nil {
			return nil, fmt.Errorf("RouteSettings %s: %w", key, err)
		}
	}
	switch c := p["CorsConfiguration"].(type) {
	case nil:
	case bool:
		if c {
			api.CORS = &CORSConfig{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}}
		}
	case map[string]any:
		cors := &CORSConfig{}
		for key, dst := range map[string]*[]string{"AllowOrigins": &cors.AllowOrigins, "AllowMethods": &cors.AllowMethods,
			"AllowHeaders": &cors.AllowHeaders, "ExposeHeaders": &cors.ExposeHeaders} {
			if *dst, err = getStrings(c, key); err != nil {
				return nil, fmt.Errorf("CorsConfiguration.%w", err)
			}
		}
		if cors.MaxAge, _, err = getInt(c, "MaxAge"); err != nil {
			return nil, fmt.Errorf("CorsConfiguration.%w", err)
		}
		if cors.AllowCredentials, _, err = getBool(c, "AllowCredentials"); err != nil {
			return nil, fmt.Errorf("CorsConfiguration.%w", err)
		}
		if cors.AllowCredentials {
			for _, o := range cors.AllowOrigins {
				if o == "*" {
					return nil, fmt.Errorf("CorsConfiguration: AllowCredentials cannot be used with AllowOrigins *")
				}
			}
		}
		api.CORS = cors
	default:
		return nil, fmt.Errorf("CorsConfiguration: unexpected %T", c)
	}
	auth, err := getMap(p, "Auth")
	if err != nil {
		return nil, err
	}
	if api.DefaultAuthorizer, err = getString(auth, "DefaultAuthorizer"); err != nil {
		return nil, fmt.Errorf("Auth.%w", err)
	}
	if api.EnableIAMAuthorizer, _, err = getBool(auth, "EnableIamAuthorizer"); err != nil {
		return nil, fmt.Errorf("Auth.%w", err)
	}
	authorizers, err := getMap(auth, "Authorizers")
	if err != nil {
		return nil, fmt.Errorf("Auth.%w", err)
	}
	for name, v := range authorizers {
		kind := "REQUEST"
		if m, ok := v.(map[string]any); ok {
			if _, jwt := m["JwtConfiguration"]; jwt {
				kind = "JWT"
			}
		}
		api.Authorizers[name] = kind
	}
	return api, nil
}

func parseTable(r *Resolver, id string, raw map[string]any) (*Table, error) {
	resolved, err := r.Resolve(raw)
	if err != nil {
		return nil, err
	}
	p, _ := resolved.(map[string]any)
	name, err := r.Name(id)
	if err != nil {
		return nil, err
	}
	in := &dynamodb.CreateTableInput{TableName: aws.String(name)}
	t := &Table{LogicalID: id, Name: name, CreateTableInput: in}

	list := func(key string) ([]map[string]any, error) {
		v, ok := p[key]
		if !ok || v == nil {
			return nil, nil
		}
		items, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: expected a list", key)
		}
		out := make([]map[string]any, 0, len(items))
		for i, it := range items {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s[%d]: expected a mapping", key, i)
			}
			out = append(out, m)
		}
		return out, nil
	}
	keySchema := func(v any) ([]types.KeySchemaElement, error) {
		items, _ := v.([]any)
		if len(items) == 0 {
			return nil, fmt.Errorf("KeySchema is empty")
		}
		var out []types.KeySchemaElement
		for _, it := range items {
			m, _ := it.(map[string]any)
			n, err := getString(m, "AttributeName")
			if err != nil {
				return nil, err
			}
			k, err := getString(m, "KeyType")
			if err != nil {
				return nil, err
			}
			out = append(out, types.KeySchemaElement{AttributeName: aws.String(n), KeyType: types.KeyType(k)})
		}
		return out, nil
	}
	throughput := func(m map[string]any) (*types.ProvisionedThroughput, error) {
		if m == nil {
			return nil, nil
		}
		rcu, _, err := getInt(m, "ReadCapacityUnits")
		if err != nil {
			return nil, err
		}
		wcu, _, err := getInt(m, "WriteCapacityUnits")
		if err != nil {
			return nil, err
		}
		return &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(int64(rcu)), WriteCapacityUnits: aws.Int64(int64(wcu))}, nil
	}
	projection := func(m map[string]any) (*types.Projection, error) {
		pt, err := getString(m, "ProjectionType")
		if err != nil {
			return nil, err
		}
		if pt == "" {
			pt = string(types.ProjectionTypeAll)
		}
		nka, err := getStrings(m, "NonKeyAttributes")
		if err != nil {
			return nil, err
		}
		return &types.Projection{ProjectionType: types.ProjectionType(pt), NonKeyAttributes: nka}, nil
	}

	attrs, err := list("AttributeDefinitions")
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		n, err := getString(a, "AttributeName")
		if err != nil {
			return nil, err
		}
		typ, err := getString(a, "AttributeType")
		if err != nil {
			return nil, err
		}
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(n), AttributeType: types.ScalarAttributeType(typ)})
	}
	if in.KeySchema, err = keySchema(p["KeySchema"]); err != nil {
		return nil, err
	}
	billing, err := getString(p, "BillingMode")
	if err != nil {
		return nil, err
	}
	if billing == "" {
		billing = string(types.BillingModeProvisioned)
	}
	in.BillingMode = types.BillingMode(billing)
	pt, err := getMap(p, "ProvisionedThroughput")
	if err != nil {
		return nil, err
	}
	if in.ProvisionedThroughput, err = throughput(pt); err != nil {
		return nil, fmt.Errorf("ProvisionedThroughput.%w", err)
	}
	gsis, err := list("GlobalSecondaryIndexes")
	if err != nil {
		return nil, err
	}
	for _, g := range gsis {
		n, err := getString(g, "IndexName")
		if err != nil {
			return nil, err
		}
		ks, err := keySchema(g["KeySchema"])
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", n, err)
		}
		pm, _ := getMap(g, "Projection")
		proj, err := projection(pm)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", n, err)
		}
		tm, _ := getMap(g, "ProvisionedThroughput")
		tp, err := throughput(tm)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", n, err)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: aws.String(n), KeySchema: ks, Projection: proj, ProvisionedThroughput: tp})
	}
	lsis, err := list("LocalSecondaryIndexes")
	if err != nil {
		return nil, err
	}
	for _, l := range lsis {
		n, err := getString(l, "IndexName")
		if err != nil {
			return nil, err
		}
		ks, err := keySchema(l["KeySchema"])
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", n, err)
		}
		pm, _ := getMap(l, "Projection")
		proj, err := projection(pm)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", n, err)
		}
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName: aws.String(n), KeySchema: ks, Projection: proj})
	}
	ss, err := getMap(p, "StreamSpecification")
	if err != nil {
		return nil, err
	}
	if ss != nil {
		vt, err := getString(ss, "StreamViewType")
		if err != nil {
			return nil, fmt.Errorf("StreamSpecification.%w", err)
		}
		if vt != "" {
			in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(vt)}
		}
	}
	ttl, err := getMap(p, "TimeToLiveSpecification")
	if err != nil {
		return nil, err
	}
	if ttl != nil {
		enabled, _, err := getBool(ttl, "Enabled")
		if err != nil {
			return nil, fmt.Errorf("TimeToLiveSpecification.%w", err)
		}
		if enabled {
			if t.TTLAttribute, err = getString(ttl, "AttributeName"); err != nil {
				return nil, fmt.Errorf("TimeToLiveSpecification.%w", err)
			}
		}
	}
	return t, nil
}
