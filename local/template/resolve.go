package template

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue evaluates to: the enclosing key or list item is dropped.
type noValueT struct{}

var noValue = noValueT{}

// Resolver evaluates CloudFormation intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::If,
// conditions, Fn::Join, Fn::Split, Fn::Select, Fn::FindInMap, …) the way they would come out in a
// local stack: parameters take their local value (override, else Default), Ref of the table is the
// local table name, Ref of other resources is their local name (usually the logical ID), and ARNs
// from Fn::GetAtt are well-formed ARNs in the local region and account.
type Resolver struct {
	Region, AccountID, StackName, Partition, URLSuffix string

	params     map[string]*Parameter
	conditions map[string]any
	condCache  map[string]bool
	condBusy   map[string]bool
	mappings   map[string]any
	types      map[string]string // logical ID -> resource type
	rawProps   map[string]map[string]any
	names      map[string]string // logical ID -> what Ref returns
	nameBusy   map[string]bool
}

// isIntrinsic says whether a single-key map with key k is an intrinsic function call.
func isIntrinsic(k string) bool { return k == "Ref" || strings.HasPrefix(k, "Fn::") }

// Resolve evaluates every intrinsic function in v (plain values as produced from the template's
// YAML) and returns plain values; keys and list items that evaluate to AWS::NoValue are dropped.
func (r *Resolver) Resolve(v any) (any, error) {
	out, err := r.resolve(v)
	if out == noValue {
		return nil, err
	}
	return out, err
}

func (r *Resolver) resolve(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			for k, arg := range t {
				if isIntrinsic(k) {
					out, err := r.intrinsic(k, arg)
					if err != nil {
						return nil, fmt.Errorf("%s: %w", k, err)
					}
					return out, nil
				}
			}
		}
		out := make(map[string]any, len(t))
		for k, val := range t {
			rv, err := r.resolve(val)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			if rv == noValue {
				continue
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(t))
		for i, val := range t {
			rv, err := r.resolve(val)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			if rv == noValue {
				continue
			}
			out = append(out, rv)
		}
		return out, nil
	default:
		return v, nil
	}
}

// ResolveString resolves v and requires a scalar result, returned as a string.
func (r *Resolver) ResolveString(v any) (string, error) {
	rv, err := r.resolve(v)
	if err != nil {
		return "", err
	}
	return scalarString(rv)
}

func scalarString(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case int:
		return strconv.Itoa(t), nil
	case int64:
		return strconv.FormatInt(t, 10), nil
	case uint64:
		return strconv.FormatUint(t, 10), nil
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(t), nil
	case nil:
		return "", nil
	default:
		return "", fmt.Errorf("expected a scalar, got %T", v)
	}
}

func (r *Resolver) args(arg any, n int) ([]any, error) {
	list, ok := arg.([]any)
	if !ok || (n >= 0 && len(list) != n) {
		return nil, fmt.Errorf("expected a list of %d arguments", n)
	}
	return list, nil
}

func (r *Resolver) intrinsic(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, err := r.ResolveString(arg)
		if err != nil {
			return nil, err
		}
		return r.ref(name)
	case "Fn::GetAtt":
		var res, attr string
		switch a := arg.(type) {
		case string:
			var ok bool
			if res, attr, ok = strings.Cut(a, "."); !ok {
				return nil, fmt.Errorf("%q is not Resource.Attribute", a)
			}
		default:
			list, err := r.args(arg, 2)
			if err != nil {
				return nil, err
			}
			if res, err = r.ResolveString(list[0]); err != nil {
				return nil, err
			}
			if attr, err = r.ResolveString(list[1]); err != nil {
				return nil, err
			}
		}
		return r.getAtt(res, attr)
	case "Fn::Sub":
		var tmpl any = arg
		vars := map[string]any{}
		if list, ok := arg.([]any); ok {
			if len(list) != 2 {
				return nil, fmt.Errorf("expected [string, variables]")
			}
			tmpl = list[0]
			m, ok := list[1].(map[string]any)
			if !ok {
				return nil, fmt.Errorf("variables must be a mapping")
			}
			vars = m
		}
		s, ok := tmpl.(string)
		if !ok {
			return nil, fmt.Errorf("expected a string")
		}
		return r.sub(s, vars)
	case "Fn::If":
		list, err := r.args(arg, 3)
		if err != nil {
			return nil, err
		}
		name, ok := list[0].(string)
		if !ok {
			return nil, fmt.Errorf("condition name must be a string")
		}
		b, err := r.Condition(name)
		if err != nil {
			return nil, err
		}
		if b {
			return r.resolve(list[1])
		}
		return r.resolve(list[2])
	case "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not":
		return r.evalCond(map[string]any{fn: arg})
	case "Fn::Join":
		list, err := r.args(arg, 2)
		if err != nil {
			return nil, err
		}
		delim, err := r.ResolveString(list[0])
		if err != nil {
			return nil, err
		}
		items, err := r.resolveList(list[1])
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(items))
		for i, it := range items {
			if parts[i], err = scalarString(it); err != nil {
				return nil, err
			}
		}
		return strings.Join(parts, delim), nil
	case "Fn::Split":
		list, err := r.args(arg, 2)
		if err != nil {
			return nil, err
		}
		delim, err := r.ResolveString(list[0])
		if err != nil {
			return nil, err
		}
		s, err := r.ResolveString(list[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, p := range strings.Split(s, delim) {
			out = append(out, p)
		}
		return out, nil
	case "Fn::Select":
		list, err := r.args(arg, 2)
		if err != nil {
			return nil, err
		}
		idxs, err := r.ResolveString(list[0])
		if err != nil {
			return nil, err
		}
		idx, err := strconv.Atoi(idxs)
		if err != nil {
			return nil, fmt.Errorf("index %q: %w", idxs, err)
		}
		items, err := r.resolveList(list[1])
		if err != nil {
			return nil, err
		}
		if idx < 0 || idx >= len(items) {
			return nil, fmt.Errorf("index %d out of range (%d items)", idx, len(items))
		}
		return items[idx], nil
	case "Fn::FindInMap":
		list, ok := arg.([]any)
		if !ok || len(list) < 3 {
			return nil, fmt.Errorf("expected [MapName, TopLevelKey, SecondLevelKey]")
		}
		keys := make([]string, 3)
		for i := range keys {
			s, err := r.ResolveString(list[i])
			if err != nil {
				return nil, err
			}
			keys[i] = s
		}
		if top, ok := r.mappings[keys[0]].(map[string]any); ok {
			if second, ok := top[keys[1]].(map[string]any); ok {
				if v, ok := second[keys[2]]; ok {
					return r.resolve(v)
				}
			}
		}
		if len(list) == 4 {
			if d, ok := list[3].(map[string]any); ok {
				if v, ok := d["DefaultValue"]; ok {
					return r.resolve(v)
				}
			}
		}
		return nil, fmt.Errorf("no mapping %s/%s/%s", keys[0], keys[1], keys[2])
	case "Fn::Base64":
		s, err := r.ResolveString(arg)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::GetAZs":
		return []any{r.Region + "a", r.Region + "b", r.Region + "c"}, nil
	case "Fn::Length":
		items, err := r.resolveList(arg)
		if err != nil {
			return nil, err
		}
		return len(items), nil
	case "Fn::ToJsonString":
		v, err := r.resolve(arg)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		return string(b), err
	default:
		return nil, fmt.Errorf("not supported by the local runtime")
	}
}

func (r *Resolver) resolveList(v any) ([]any, error) {
	rv, err := r.resolve(v)
	if err != nil {
		return nil, err
	}
	list, ok := rv.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %T", rv)
	}
	return list, nil
}

func (r *Resolver) ref(name string) (any, error) {
	switch name {
	case "AWS::Region":
		return r.Region, nil
	case "AWS::AccountId":
		return r.AccountID, nil
	case "AWS::StackName":
		return r.StackName, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-0000-0000-000000000000",
			r.Partition, r.Region, r.AccountID, r.StackName), nil
	case "AWS::Partition":
		return r.Partition, nil
	case "AWS::URLSuffix":
		return r.URLSuffix, nil
	case "AWS::NoValue":
		return noValue, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if p, ok := r.params[name]; ok {
		return p.value()
	}
	if _, ok := r.types[name]; ok {
		return r.Name(name)
	}
	return nil, fmt.Errorf("unknown parameter or resource %q", name)
}

// nameProps is the property holding a resource's own name, for types whose Ref is that name.
var nameProps = map[string]string{
	"AWS::Logs::LogGroup":       "LogGroupName",
	"AWS::Serverless::Function": "FunctionName",
	"AWS::Lambda::Function":     "FunctionName",
	"AWS::SNS::Topic":           "TopicName",
	"AWS::SQS::Queue":           "QueueName",
	"AWS::IAM::Role":            "RoleName",
}

// Name is what Ref returns for the resource with the given logical ID locally.
func (r *Resolver) Name(logicalID string) (string, error) {
	if n, ok := r.names[logicalID]; ok {
		return n, nil
	}
	typ, ok := r.types[logicalID]
	if !ok {
		return "", fmt.Errorf("unknown resource %q", logicalID)
	}
	name := logicalID
	if prop, ok := nameProps[typ]; ok {
		if raw, ok := r.rawProps[logicalID][prop]; ok && !r.nameBusy[logicalID] {
			r.nameBusy[logicalID] = true
			s, err := r.ResolveString(raw)
			delete(r.nameBusy, logicalID)
			if err != nil {
				return "", fmt.Errorf("%s.%s: %w", logicalID, prop, err)
			}
			name = s
		}
	}
	r.names[logicalID] = name
	return name, nil
}

func (r *Resolver) getAtt(res, attr string) (any, error) {
	typ, ok := r.types[res]
	if !ok {
		return nil, fmt.Errorf("unknown resource %q", res)
	}
	name, err := r.Name(res)
	if err != nil {
		return nil, err
	}
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", r.Partition, service, r.Region, r.AccountID, resource)
	}
	switch typ {
	case "AWS::DynamoDB::Table":
		switch attr {
		case "Arn":
			return arn("dynamodb", "table/"+name), nil
		case "StreamArn":
			return arn("dynamodb", "table/"+name+"/stream/local"), nil
		}
	case "AWS::Serverless::Function", "AWS::Lambda::Function":
		if attr == "Arn" {
			return arn("lambda", "function:"+name), nil
		}
	case "AWS::Logs::LogGroup":
		if attr == "Arn" {
			return arn("logs", "log-group:"+name+":*"), nil
		}
	case "AWS::SQS::Queue":
		switch attr {
		case "Arn":
			return arn("sqs", name), nil
		case "QueueName":
			return name, nil
		case "QueueUrl":
			return fmt.Sprintf("https://sqs.%s.%s/%s/%s", r.Region, r.URLSuffix, r.AccountID, name), nil
		}
	case "AWS::SNS::Topic":
		if attr == "TopicArn" {
			return arn("sns", name), nil
		}
	case "AWS::IAM::Role":
		if attr == "Arn" {
			return fmt.Sprintf("arn:%s:iam::%s:role/%s", r.Partition, r.AccountID, name), nil
		}
	}
	if attr == "Arn" {
		return arn("local", name), nil
	}
	return name + "." + attr, nil
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

func (r *Resolver) sub(s string, vars map[string]any) (string, error) {
	var firstErr error
	out := subVar.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.HasPrefix(name, "!") {
			return "${" + name[1:] + "}"
		}
		name = strings.TrimSpace(name)
		var v any
		var err error
		if raw, ok := vars[name]; ok {
			v, err = r.resolve(raw)
		} else if res, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, err = r.getAtt(res, attr)
		} else {
			v, err = r.ref(name)
		}
		var str string
		if err == nil {
			str, err = scalarString(v)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("${%s}: %w", name, err)
			}
			return ""
		}
		return str
	})
	return out, firstErr
}

// Condition evaluates the named condition of the template's Conditions section.
func (r *Resolver) Condition(name string) (bool, error) {
	if b, ok := r.condCache[name]; ok {
		return b, nil
	}
	raw, ok := r.conditions[name]
	if !ok {
		return false, fmt.Errorf("unknown condition %q", name)
	}
	if r.condBusy[name] {
		return false, fmt.Errorf("condition %q refers to itself", name)
	}
	r.condBusy[name] = true
	defer delete(r.condBusy, name)
	b, err := r.evalCond(raw)
	if err != nil {
		return false, fmt.Errorf("condition %s: %w", name, err)
	}
	r.condCache[name] = b
	return b, nil
}

func (r *Resolver) evalCond(v any) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case string:
		return strconv.ParseBool(t)
	case map[string]any:
		if len(t) != 1 {
			break
		}
		for k, arg := range t {
			switch k {
			case "Condition":
				name, ok := arg.(string)
				if !ok {
					return false, fmt.Errorf("condition name must be a string")
				}
				return r.Condition(name)
			case "Fn::Equals":
				list, err := r.args(arg, 2)
				if err != nil {
					return false, err
				}
				a, err := r.resolve(list[0])
				if err != nil {
					return false, err
				}
				b, err := r.resolve(list[1])
				if err != nil {
					return false, err
				}
				as, aerr := scalarString(a)
				bs, berr := scalarString(b)
				if aerr != nil || berr != nil {
					aj, _ := json.Marshal(a)
					bj, _ := json.Marshal(b)
					return string(aj) == string(bj), nil
				}
				return as == bs, nil
			case "Fn::Not":
				list, err := r.args(arg, 1)
				if err != nil {
					return false, err
				}
				b, err := r.evalCond(list[0])
				return !b, err
			case "Fn::And", "Fn::Or":
				list, err := r.args(arg, -1)
				if err != nil {
					return false, err
				}
				and := k == "Fn::And"
				for _, c := range list {
					b, err := r.evalCond(c)
					if err != nil {
						return false, err
					}
					if and && !b {
						return false, nil
					}
					if !and && b {
						return true, nil
					}
				}
				return and, nil
			}
		}
	}
	return false, fmt.Errorf("not a condition: %v", v)
}

// Parameter is one entry of the template's Parameters section with its local value.
type Parameter struct {
	Name           string
	Type           string
	Description    string
	Default        string
	HasDefault     bool
	NoEcho         bool
	AllowedValues  []string
	AllowedPattern string
	// Value is the local value: the override given in Options.Parameters, else Default.
	Value    string
	HasValue bool
}

// IsList says whether Ref of the parameter is a list (CommaDelimitedList, List<…>).
func (p *Parameter) IsList() bool {
	return p.Type == "CommaDelimitedList" || strings.HasPrefix(p.Type, "List<")
}

func (p *Parameter) value() (any, error) {
	if !p.HasValue {
		return nil, fmt.Errorf("parameter %s has no Default and no local value", p.Name)
	}
	if p.IsList() {
		var out []any
		for _, s := range strings.Split(p.Value, ",") {
			out = append(out, strings.TrimSpace(s))
		}
		return out, nil
	}
	return p.Value, nil
}

// validate checks a value against AllowedValues and AllowedPattern, as CloudFormation does.
func (p *Parameter) validate() error {
	if !p.HasValue {
		return nil
	}
	values := []string{p.Value}
	if p.IsList() {
		values = strings.Split(p.Value, ",")
	}
	for _, v := range values {
		if len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, v) {
			return fmt.Errorf("parameter %s: %q is not one of %v", p.Name, display(p, v), p.AllowedValues)
		}
		if p.AllowedPattern != "" {
			re, err := regexp.Compile(`^(?:` + p.AllowedPattern + `)$`)
			if err == nil && !re.MatchString(v) {
				return fmt.Errorf("parameter %s: %q does not match AllowedPattern %s", p.Name, display(p, v), p.AllowedPattern)
			}
		}
		if p.Type == "Number" {
			if _, err := strconv.ParseFloat(v, 64); err != nil {
				return fmt.Errorf("parameter %s: %q is not a number", p.Name, display(p, v))
			}
		}
	}
	return nil
}

func display(p *Parameter, v string) string {
	if p.NoEcho {
		return "****"
	}
	return v
}
