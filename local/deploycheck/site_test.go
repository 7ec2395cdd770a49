package deploycheck

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partner-admin-center/pac/local/console"
)

// The site block of template.yaml: CloudFront in front of the HTTP API and the console's bucket.
// These tests pin its security properties (console-contract.md, issue 9), so that an edit cannot
// weaken them without failing here.

// Managed CloudFront policies the site uses.
const (
	cachingDisabled           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	cachingOptimized          = "658327ea-f89d-4fab-a63d-7e88639e58f6"
	allViewerExceptHostHeader = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
)

type site struct {
	t         *testing.T
	raw       map[string]any
	resources map[string]any
}

func loadSite(t *testing.T) *site {
	t.Helper()
	tpl := loadTemplate(t)
	res, _ := tpl.Raw["Resources"].(map[string]any)
	return &site{t: t, raw: tpl.Raw, resources: res}
}

// only returns the logical ID and Properties of the one resource of a type.
func (s *site) only(typ string) (string, map[string]any) {
	s.t.Helper()
	ids := s.ofType(typ)
	if len(ids) != 1 {
		s.t.Fatalf("template.yaml has %d %s resources %v, want one", len(ids), typ, ids)
	}
	return ids[0], s.props(ids[0])
}

func (s *site) ofType(typ string) []string {
	var ids []string
	for id, r := range s.resources {
		if m, _ := r.(map[string]any); m["Type"] == typ {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (s *site) props(id string) map[string]any {
	m, _ := s.resources[id].(map[string]any)
	p, _ := m["Properties"].(map[string]any)
	return p
}

// refTo returns the logical ID a {Ref: id} or {Fn::GetAtt: [id, attr]} names (attr must match).
func refTo(v any, attr string) string {
	m, _ := v.(map[string]any)
	if attr == "" {
		id, _ := m["Ref"].(string)
		return id
	}
	if g, ok := m["Fn::GetAtt"].([]any); ok && len(g) == 2 && g[1] == attr {
		id, _ := g[0].(string)
		return id
	}
	return ""
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// TestSiteBucketIsPrivate: the console's bucket blocks public access, enforces its ownership,
// encrypts at rest, refuses plain-http requests, and lets only the site's distribution read.
func TestSiteBucketIsPrivate(t *testing.T) {
	s := loadSite(t)
	distID, _ := s.only("AWS::CloudFront::Distribution")
	buckets := s.ofType("AWS::S3::Bucket")
	if len(buckets) == 0 {
		t.Fatal("template.yaml has no AWS::S3::Bucket for the console")
	}
	for _, b := range buckets {
		p := s.props(b)
		if pab := asMap(p["PublicAccessBlockConfiguration"]); !reflect.DeepEqual(pab, map[string]any{
			"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}) {
			t.Errorf("%s: PublicAccessBlockConfiguration %v, want all four true", b, pab)
		}
		if rules := list(asMap(p["OwnershipControls"])["Rules"]); len(rules) != 1 || asMap(rules[0])["ObjectOwnership"] != "BucketOwnerEnforced" {
			t.Errorf("%s: OwnershipControls %v, want BucketOwnerEnforced (no ACLs)", b, p["OwnershipControls"])
		}
		sse := list(asMap(p["BucketEncryption"])["ServerSideEncryptionConfiguration"])
		if len(sse) != 1 || !slices.Contains([]any{"AES256", "aws:kms", "aws:kms:dsse"}, asMap(asMap(sse[0])["ServerSideEncryptionByDefault"])["SSEAlgorithm"]) {
			t.Errorf("%s: BucketEncryption %v, want SSE by default", b, p["BucketEncryption"])
		}
		for _, k := range []string{"AccessControl", "WebsiteConfiguration", "CorsConfiguration"} {
			if _, ok := p[k]; ok {
				t.Errorf("%s: %s is set: the bucket is private and reached only through CloudFront", b, k)
			}
		}

		var policy map[string]any
		for _, id := range s.ofType("AWS::S3::BucketPolicy") {
			if refTo(s.props(id)["Bucket"], "") == b {
				policy = asMap(s.props(id)["PolicyDocument"])
			}
		}
		if policy == nil {
			t.Errorf("%s: no bucket policy", b)
			continue
		}
		denyTLS := false
		for _, st := range list(policy["Statement"]) {
			m := asMap(st)
			switch m["Effect"] {
			case "Deny":
				if reflect.DeepEqual(m["Condition"], map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}) &&
					m["Principal"] == "*" && m["Action"] == "s3:*" &&
					reflect.DeepEqual(m["Resource"], []any{map[string]any{"Fn::GetAtt": []any{b, "Arn"}}, map[string]any{"Fn::Sub": "${" + b + ".Arn}/*"}}) {
					denyTLS = true
				}
			case "Allow":
				if !reflect.DeepEqual(m["Principal"], map[string]any{"Service": "cloudfront.amazonaws.com"}) {
					t.Errorf("%s: statement %v allows %v, want only the cloudfront.amazonaws.com service principal", b, m["Sid"], m["Principal"])
				}
				if !slices.Contains([]any{"s3:GetObject", "s3:ListBucket"}, m["Action"]) {
					t.Errorf("%s: statement %v allows %v, want s3:GetObject or s3:ListBucket only", b, m["Sid"], m["Action"])
				}
				want := map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": map[string]any{
					"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${" + distID + "}"}}}
				if !reflect.DeepEqual(m["Condition"], want) {
					t.Errorf("%s: statement %v has condition %v, want AWS:SourceArn = the site's distribution", b, m["Sid"], m["Condition"])
				}
			default:
				t.Errorf("%s: statement %v: Effect %v", b, m["Sid"], m["Effect"])
			}
		}
		if !denyTLS {
			t.Errorf("%s: no statement denying s3:* without aws:SecureTransport on the bucket and its objects", b)
		}
	}
}

// TestSiteDistribution: HTTPS only, the bucket through an origin access control, the API
// uncached with every viewer value but Host, the console cached with the headers policy and the
// routing function, HTTP/2 and HTTP/3, TLS 1.2+ with a custom certificate.
func TestSiteDistribution(t *testing.T) {
	s := loadSite(t)
	distID, p := s.only("AWS::CloudFront::Distribution")
	cfg := asMap(p["DistributionConfig"])
	if cfg["Enabled"] != true || cfg["HttpVersion"] != "http2and3" {
		t.Errorf("%s: Enabled %v, HttpVersion %v, want true and http2and3", distID, cfg["Enabled"], cfg["HttpVersion"])
	}
	wantCert := map[string]any{"Fn::If": []any{"HasSiteDomain",
		map[string]any{"AcmCertificateArn": map[string]any{"Ref": "SiteCertificateArn"}, "SslSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021"},
		map[string]any{"CloudFrontDefaultCertificate": true}}}
	if !reflect.DeepEqual(cfg["ViewerCertificate"], wantCert) {
		t.Errorf("%s: ViewerCertificate %v, want %v", distID, cfg["ViewerCertificate"], wantCert)
	}

	origins := map[string]map[string]any{}
	for _, o := range list(cfg["Origins"]) {
		origins[fmt.Sprint(asMap(o)["Id"])] = asMap(o)
	}
	var apiOrigin, consoleOrigin string
	for id, o := range origins {
		if co := asMap(o["CustomOriginConfig"]); co != nil {
			apiOrigin = id
			if !reflect.DeepEqual(o["DomainName"], map[string]any{"Fn::Sub": "${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}) {
				t.Errorf("origin %s: DomainName %v, want the HTTP API's execute-api domain", id, o["DomainName"])
			}
			if co["OriginProtocolPolicy"] != "https-only" || !reflect.DeepEqual(co["OriginSSLProtocols"], []any{"TLSv1.2"}) {
				t.Errorf("origin %s: %v, want https-only over TLSv1.2", id, co)
			}
			continue
		}
		consoleOrigin = id
		bucket := refTo(o["DomainName"], "RegionalDomainName")
		if bucket == "" || asMap(s.resources[bucket])["Type"] != "AWS::S3::Bucket" {
			t.Errorf("origin %s: DomainName %v, want !GetAtt <bucket>.RegionalDomainName", id, o["DomainName"])
		}
		if !reflect.DeepEqual(o["S3OriginConfig"], map[string]any{"OriginAccessIdentity": ""}) {
			t.Errorf("origin %s: S3OriginConfig %v, want an empty OriginAccessIdentity (the origin access control signs)", id, o["S3OriginConfig"])
		}
		oac := refTo(o["OriginAccessControlId"], "Id")
		want := map[string]any{"OriginAccessControlOriginType": "s3", "SigningBehavior": "always", "SigningProtocol": "sigv4"}
		got := asMap(s.props(oac)["OriginAccessControlConfig"])
		if asMap(s.resources[oac])["Type"] != "AWS::CloudFront::OriginAccessControl" {
			t.Errorf("origin %s: OriginAccessControlId %v, want !GetAtt <origin access control>.Id", id, o["OriginAccessControlId"])
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %v, want %v", oac, k, got[k], v)
			}
		}
	}
	if len(origins) != 2 || apiOrigin == "" || consoleOrigin == "" {
		t.Fatalf("%s: origins %v, want the API and the console's bucket", distID, origins)
	}

	routingFn := ""
	behaviour := func(where string, b map[string]any) {
		fas := list(b["FunctionAssociations"])
		if len(fas) != 1 || asMap(fas[0])["EventType"] != "viewer-request" {
			t.Errorf("%s: FunctionAssociations %v, want the routing function on viewer-request", where, fas)
			return
		}
		fn := refTo(asMap(fas[0])["FunctionARN"], "FunctionARN")
		if routingFn == "" {
			routingFn = fn
		}
		if fn != routingFn || asMap(s.resources[fn])["Type"] != "AWS::CloudFront::Function" {
			t.Errorf("%s: function %v, want the routing function %s", where, asMap(fas[0])["FunctionARN"], routingFn)
		}
	}
	def := asMap(cfg["DefaultCacheBehavior"])
	if def["TargetOriginId"] != apiOrigin || def["ViewerProtocolPolicy"] != "https-only" || def["CachePolicyId"] != cachingDisabled ||
		def["OriginRequestPolicyId"] != allViewerExceptHostHeader {
		t.Errorf("DefaultCacheBehavior %v, want the API, https-only, Managed-CachingDisabled, Managed-AllViewerExceptHostHeader", def)
	}
	if m := list(def["AllowedMethods"]); len(m) != 7 {
		t.Errorf("DefaultCacheBehavior.AllowedMethods %v, want all seven", m)
	}
	if _, ok := def["ResponseHeadersPolicyId"]; ok {
		t.Error("DefaultCacheBehavior: the API answers with its own headers (the console's CSP is for the console)")
	}
	behaviour("DefaultCacheBehavior", def)

	var consoleBehaviour map[string]any
	for _, b := range list(cfg["CacheBehaviors"]) {
		m := asMap(b)
		if vpp := m["ViewerProtocolPolicy"]; vpp != "https-only" && vpp != "redirect-to-https" {
			t.Errorf("cache behaviour %v: ViewerProtocolPolicy %v, want https only", m["PathPattern"], vpp)
		}
		if m["PathPattern"] == console.PathPattern {
			consoleBehaviour = m
		}
	}
	if consoleBehaviour == nil {
		t.Fatalf("%s: no %s cache behaviour", distID, console.PathPattern)
	}
	if consoleBehaviour["TargetOriginId"] != consoleOrigin || consoleBehaviour["CachePolicyId"] != cachingOptimized ||
		!reflect.DeepEqual(consoleBehaviour["AllowedMethods"], []any{"GET", "HEAD"}) || consoleBehaviour["ViewerProtocolPolicy"] != "redirect-to-https" {
		t.Errorf("%s behaviour %v, want the bucket, redirect-to-https, GET/HEAD, Managed-CachingOptimized", console.PathPattern, consoleBehaviour)
	}
	behaviour(console.PathPattern, consoleBehaviour)
	if policy := refTo(consoleBehaviour["ResponseHeadersPolicyId"], ""); asMap(s.resources[policy])["Type"] != "AWS::CloudFront::ResponseHeadersPolicy" {
		t.Errorf("%s behaviour: ResponseHeadersPolicyId %v, want !Ref of the template's policy", console.PathPattern, consoleBehaviour["ResponseHeadersPolicyId"])
	}
	if fc := asMap(s.props(routingFn)["FunctionConfig"]); fc["Runtime"] != "cloudfront-js-2.0" || s.props(routingFn)["AutoPublish"] != true {
		t.Errorf("%s: FunctionConfig %v AutoPublish %v, want cloudfront-js-2.0, published", routingFn, fc, s.props(routingFn)["AutoPublish"])
	}

	// The outputs make deploy reads, and no function depends on the distribution (it depends
	// on the HTTP API: a cycle). PublicBaseUrl is a parameter.
	outputs := asMap(s.raw["Outputs"])
	if refTo(asMap(outputs["ConsoleBucketName"])["Value"], "") != consoleOriginBucket(s, origins[consoleOrigin]) ||
		refTo(asMap(outputs["ConsoleDistributionId"])["Value"], "") != distID || outputs["ConsoleUrl"] == nil || outputs["SiteUrl"] == nil {
		t.Errorf("Outputs %v: want ConsoleUrl, SiteUrl, ConsoleBucketName (!Ref the bucket), ConsoleDistributionId (!Ref the distribution)", outputs)
	}
	b, _ := json.Marshal(asMap(s.raw["Globals"]))
	for id := range loadTemplate(t).Functions {
		fb, _ := json.Marshal(s.resources[id])
		b = append(b, fb...)
	}
	if strings.Contains(string(b), distID) {
		t.Errorf("a function refers to %s: PublicBaseUrl stays a parameter (the distribution depends on the HTTP API)", distID)
	}
}

func consoleOriginBucket(s *site, origin map[string]any) string {
	return refTo(origin["DomainName"], "RegionalDomainName")
}

// TestSiteHeadersPolicy: the console's CSP keeps scripts to 'self' (no inline scripts, no eval),
// forbids framing, objects and base changes; HSTS two years with subdomains; nosniff, DENY,
// no-referrer, the permissions policy — each overriding what the origin sends.
func TestSiteHeadersPolicy(t *testing.T) {
	s := loadSite(t)
	id, p := s.only("AWS::CloudFront::ResponseHeadersPolicy")
	cfg := asMap(p["ResponseHeadersPolicyConfig"])
	sec := asMap(cfg["SecurityHeadersConfig"])
	for k, v := range sec {
		if asMap(v)["Override"] != true {
			t.Errorf("%s: %s does not override the origin's header", id, k)
		}
	}
	cspText, _ := asMap(sec["ContentSecurityPolicy"])["ContentSecurityPolicy"].(string)
	csp := map[string][]string{}
	for _, d := range strings.Split(cspText, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		if _, dup := csp[f[0]]; dup {
			t.Errorf("CSP: directive %s twice", f[0])
		}
		csp[f[0]] = f[1:]
	}
	for dir, want := range map[string][]string{
		"default-src": {"'self'"}, "script-src": {"'self'"}, "frame-ancestors": {"'none'"}, "object-src": {"'none'"},
		"base-uri": {"'none'"}, "form-action": {"'self'"}, "connect-src": {"'self'"},
	} {
		if !slices.Equal(csp[dir], want) {
			t.Errorf("CSP %s = %v, want %v (in %q)", dir, csp[dir], want, cspText)
		}
	}
	for dir, srcs := range csp {
		for _, src := range srcs {
			bad := src == "'unsafe-eval'" || src == "'unsafe-hashes'" || src == "'wasm-unsafe-eval'" || src == "*" || strings.HasSuffix(src, ":") && src != "data:" ||
				src == "'unsafe-inline'" && dir != "style-src" || strings.Contains(src, "*") || src == "data:" && dir != "img-src"
			if bad {
				t.Errorf("CSP %s allows %s", dir, src)
			}
		}
	}
	hsts := asMap(sec["StrictTransportSecurity"])
	if age, _ := strconv.Atoi(fmt.Sprint(hsts["AccessControlMaxAgeSec"])); age < 63072000 || hsts["IncludeSubdomains"] != true {
		t.Errorf("%s: StrictTransportSecurity %v, want two years with subdomains", id, hsts)
	}
	if sec["ContentTypeOptions"] == nil || asMap(sec["FrameOptions"])["FrameOption"] != "DENY" ||
		asMap(sec["ReferrerPolicy"])["ReferrerPolicy"] != "no-referrer" {
		t.Errorf("%s: %v, want nosniff, X-Frame-Options DENY, Referrer-Policy no-referrer", id, sec)
	}
	want := []any{map[string]any{"Header": "Permissions-Policy", "Value": "camera=(), microphone=(), geolocation=()", "Override": true}}
	if items := asMap(cfg["CustomHeadersConfig"])["Items"]; !reflect.DeepEqual(items, want) {
		t.Errorf("%s: CustomHeadersConfig.Items %v, want %v", id, items, want)
	}
}

// TestSiteRoutingFunction runs the template's routing function (the one on the console's
// behaviour) in Node as CloudFront would on viewer requests and compares every answer with
// local/console's Route, which the local runtime uses: local and deployed route alike.
func TestSiteRoutingFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not on PATH (make test needs Node.js 20+)")
	}
	s := loadSite(t)
	id, _ := s.only("AWS::CloudFront::Function")
	code, _ := s.props(id)["FunctionCode"].(string)
	uris := []string{"/", "/console", "/console/", "/console/index.html", "/console/customers/cus_123", "/console/users/usr_1/edit",
		"/console/assets/", "/console/assets/index-4f2a9c.js", "/console/assets/x.js", "/console/favicon.svg", "/console/a.b/c",
		"/consoles", "/consoleX", "/me", "/auth/refresh", "/trial/abc.def", "/customers/cus_1", "//console/", "/Console/"}
	const runner = `
const handler = new Function(process.env.CODE + "\nreturn handler;")();
const out = {};
for (const uri of JSON.parse(process.env.URIS)) {
  const r = handler({version: "1.0", context: {eventType: "viewer-request"}, viewer: {ip: "192.0.2.1"},
    request: {method: "GET", uri: uri, querystring: {}, headers: {host: {value: "d111111abcdef8.cloudfront.net"}}, cookies: {}}});
  out[uri] = r.statusCode ? {Status: r.statusCode, Location: r.headers.location.value} : {URI: r.uri};
}
process.stdout.write(JSON.stringify(out));`
	uj, _ := json.Marshal(uris)
	cmd := exec.Command(node, "-e", runner)
	cmd.Env = append(os.Environ(), "CODE="+code, "URIS="+string(uj))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v %s", err, out)
	}
	var got map[string]console.Decision
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, uri := range uris {
		if want := console.Route(uri); got[uri] != want {
			t.Errorf("%s on %s: %+v, local/console.Route: %+v", id, uri, got[uri], want)
		}
	}
}

// TestNoAPIRouteInTheConsolesPaths: CloudFront sends /console/* to the bucket and its function
// redirects / and /console, so an API route there would work locally (API routes first) and
// never deployed.
func TestNoAPIRouteInTheConsolesPaths(t *testing.T) {
	for _, r := range runtimeRoutes(t) {
		if console.Owns(r.Path) || strings.HasPrefix(r.Path, "/console/") {
			t.Errorf("route %s (%s) is in the console's paths (/, /console, /console/...)", r.Key(), r.LogicalID)
		}
	}
}

// TestMakeDeploy: `make -n deploy` (a dry run; nothing can be deployed here) runs sam build and
// sam deploy for CONFIG_ENV with SAM_DEPLOY_ARGS, reads outputs the template has, uploads
// console/dist with the cache headers the local server sends, and invalidates /console/*.
func TestMakeDeploy(t *testing.T) {
	r := root(t)
	makefile, err := os.ReadFile(filepath.Join(r, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^deploy:.*\bconsole\b`).Match(makefile) {
		t.Error("Makefile: deploy must build the console first (deploy: console)")
	}
	outputs := asMap(loadSite(t).raw["Outputs"])
	params := asMap(loadSite(t).raw["Parameters"])
	for _, c := range []struct {
		env, stack, extra string
	}{{"", "pac-dev", ""}, {"prod", "pac-prod", "--no-confirm-changeset --parameter-overrides Stage=prod"}} {
		args := []string{"-n", "--no-print-directory", "-o", "console", "deploy"}
		if c.env != "" {
			args = append(args, "CONFIG_ENV="+c.env)
		}
		args = append(args, "SAM_DEPLOY_ARGS="+c.extra)
		cmd := exec.Command("make", args...)
		cmd.Dir = r
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, b)
		}
		out := regexp.MustCompile(`[ \t]*\\?\n`).ReplaceAllString(string(b), "\n")
		env := c.env
		if env == "" {
			env = "default"
		}
		build := strings.Index(out, "sam build --config-env "+env+"\n")
		deploy := strings.Index(out, strings.TrimSpace("sam deploy --config-env "+env+" "+c.extra)+"\n")
		upload := strings.Index(out, "aws s3 sync console/dist/")
		invalidate := strings.Index(out, "aws cloudfront create-invalidation")
		if build < 0 || deploy < build || upload < deploy || invalidate < upload {
			t.Errorf("make deploy CONFIG_ENV=%s: want sam build, sam deploy (with SAM_DEPLOY_ARGS), the upload, the invalidation in this order:\n%s", env, out)
		}
		if !strings.Contains(out, "--stack-name "+c.stack+" ") {
			t.Errorf("make deploy CONFIG_ENV=%s does not read stack %s:\n%s", env, c.stack, out)
		}
		read := map[string]bool{}
		for _, m := range regexp.MustCompile(`OutputKey=='(\w+)'`).FindAllStringSubmatch(out, -1) {
			read[m[1]] = true
			if _, ok := outputs[m[1]]; !ok {
				t.Errorf("make deploy reads output %s, which template.yaml does not have", m[1])
			}
		}
		for _, m := range regexp.MustCompile(`ParameterKey=='(\w+)'`).FindAllStringSubmatch(out, -1) {
			if _, ok := params[m[1]]; !ok {
				t.Errorf("make deploy reads parameter %s, which template.yaml does not have", m[1])
			}
		}
		for _, want := range []string{"ConsoleBucketName", "ConsoleDistributionId", "ConsoleUrl"} {
			if !read[want] {
				t.Errorf("make deploy does not read the %s output", want)
			}
		}
		for _, want := range []string{
			`bucket=$(aws cloudformation describe-stacks`, `distribution=$(aws cloudformation describe-stacks`,
			`aws s3 sync console/dist/assets/ "s3://$bucket/console/assets/" --region eu-central-1 --cache-control '` + console.CacheImmutable + `'` + ";",
			`aws s3 sync console/dist/ "s3://$bucket/console/" --region eu-central-1 --exclude 'assets/*' --cache-control '` + console.CacheRevalidate + `' --delete`,
			`aws cloudfront create-invalidation --distribution-id "$distribution" --paths '/console/*'`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("make deploy CONFIG_ENV=%s lacks %s:\n%s", env, want, out)
			}
		}
		// Old hashed assets stay for the browsers still on the previous index.html.
		if strings.Contains(out, `console/assets/" --region eu-central-1 --cache-control '`+console.CacheImmutable+`' --delete`) {
			t.Errorf("make deploy deletes old assets: a browser on the previous index.html could not load its lazy chunks")
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.HasPrefix(line, "bucket=") && !strings.Contains(line, "'ConsoleBucketName'") ||
				strings.HasPrefix(line, "distribution=") && !strings.Contains(line, "'ConsoleDistributionId'") {
				t.Errorf("make deploy: %s", line)
			}
		}
	}
}

// TestMakeConsole runs the Makefile's console targets on a stand-in console (its npm scripts
// are small Node commands, its lock file has no dependencies): npm ci once per lock change, a
// build when a source changed and only then, type-check and lint, and a clear message without
// the console's source.
func TestMakeConsole(t *testing.T) {
	if _, err := exec.LookPath("npm"); err != nil {
		t.Fatal("npm is not on PATH (make test needs Node.js 20+ with npm)")
	}
	dir := t.TempDir()
	mk, err := os.ReadFile(filepath.Join(root(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"Makefile": string(mk),
		"console/package.json": `{"name": "stand-in-console", "version": "1.0.0", "private": true, "scripts": {
  "build": "node build.mjs", "typecheck": "node -e \"console.log('typecheck ran')\"", "lint": "node -e \"console.log('lint ran')\""}}`,
		"console/package-lock.json": `{"name": "stand-in-console", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
  "packages": {"": {"name": "stand-in-console", "version": "1.0.0"}}}`,
		"console/build.mjs": `import fs from "node:fs";
fs.mkdirSync("dist/assets", {recursive: true});
fs.writeFileSync("dist/index.html", "<!doctype html>" + fs.readFileSync("src/main.ts", "utf8"));
fs.appendFileSync("builds.log", "built\n");`,
		"console/src/main.ts":     "export const v = 1;",
		"console/index.html":      "<!doctype html>",
		"console/vite.config.ts":  "export default {};",
		"console/tsconfig.json":   "{}",
		"console/public/logo.svg": "<svg/>",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := func(target string) string {
		t.Helper()
		cmd := exec.Command("make", "--no-print-directory", target)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "npm_config_offline=true", "npm_config_update_notifier=false")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("make %s: %v\n%s", target, err, out)
		}
		return string(out)
	}
	// A change: every file of the console (stamps included) an hour old, the changed one half an
	// hour old, whatever the file system's timestamp resolution.
	touch := func(name string) {
		t.Helper()
		old := time.Now().Add(-time.Hour)
		err := filepath.WalkDir(filepath.Join(dir, "console"), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			return os.Chtimes(p, old, old)
		})
		if err != nil {
			t.Fatal(err)
		}
		changed := old.Add(30 * time.Minute)
		if err := os.Chtimes(filepath.Join(dir, name), changed, changed); err != nil {
			t.Fatal(err)
		}
	}
	builds := func() int {
		b, _ := os.ReadFile(filepath.Join(dir, "console", "builds.log"))
		return strings.Count(string(b), "built")
	}
	ci := "npm ci"
	out := run("console")
	if !strings.Contains(out, ci) || builds() != 1 {
		t.Fatalf("first make console: want npm ci and a build:\n%s", out)
	}
	if out := run("console"); strings.Contains(out, ci) || builds() != 1 {
		t.Errorf("make console without a change ran npm ci or a build (%d builds):\n%s", builds(), out)
	}
	for _, src := range []string{"console/src/main.ts", "console/index.html", "console/vite.config.ts", "console/tsconfig.json", "console/public/logo.svg", "console/package.json"} {
		n := builds()
		touch(src)
		if out := run("console"); builds() != n+1 || strings.Contains(out, ci) != (src == "console/package.json") {
			t.Errorf("make console after %s changed: %d builds (want %d):\n%s", src, builds(), n+1, out)
		}
	}
	n := builds()
	touch("console/package-lock.json")
	if out := run("console"); !strings.Contains(out, ci) || builds() != n+1 {
		t.Errorf("make console after the lock file changed: want npm ci and a build:\n%s", out)
	}
	if out := run("console-check"); !strings.Contains(out, "typecheck ran") || !strings.Contains(out, "lint ran") || strings.Contains(out, ci) {
		t.Errorf("make console-check:\n%s", out)
	}

	if err := os.Remove(filepath.Join(dir, "console", "package.json")); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"console", "console-check"} {
		cmd := exec.Command("make", "--no-print-directory", target)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err == nil || !strings.Contains(string(out), "console/package.json is missing") || strings.Contains(string(out), "No rule") {
			t.Errorf("make %s without console/package.json: %v\n%s", target, err, out)
		}
	}
}
