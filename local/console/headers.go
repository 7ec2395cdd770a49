package console

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/partner-admin-center/pac/local/template"
)

// Resource types and the behaviour HeadersFromTemplate reads.
const (
	TypeDistribution  = "AWS::CloudFront::Distribution"
	TypeHeadersPolicy = "AWS::CloudFront::ResponseHeadersPolicy"
	// PathPattern is the console's cache behaviour in the distribution.
	PathPattern = "/console/*"
)

// Headers are the security headers of the console's responses.
type Headers struct {
	// All go on every response; TLS only on responses over https (Strict-Transport-Security:
	// browsers ignore it over http, and it must not pin 127.0.0.1 to https).
	All, TLS http.Header
}

// HeadersFromTemplate reads the headers CloudFront adds to the console's responses: the
// ResponseHeadersPolicy of the template's distribution's /console/* cache behaviour, so the
// local server and the deployed site cannot drift. A setting of the policy this package does not
// play is an error rather than a header silently missing locally.
func HeadersFromTemplate(t *template.Template) (Headers, error) {
	dists := t.OfType(TypeDistribution)
	if len(dists) != 1 {
		return Headers{}, fmt.Errorf("the template has %d %s resources, want the site's one (its %s behaviour's ResponseHeadersPolicy holds the console's headers)",
			len(dists), TypeDistribution, PathPattern)
	}
	_, props, err := t.Resource(dists[0])
	if err != nil {
		return Headers{}, err
	}
	cfg, _ := props["DistributionConfig"].(map[string]any)
	behaviours, _ := cfg["CacheBehaviors"].([]any)
	var policyID string
	found := false
	for _, b := range behaviours {
		bm, _ := b.(map[string]any)
		if bm["PathPattern"] == PathPattern {
			found = true
			policyID, _ = bm["ResponseHeadersPolicyId"].(string)
		}
	}
	where := fmt.Sprintf("%s: cache behaviour %s", dists[0], PathPattern)
	switch {
	case !found:
		return Headers{}, fmt.Errorf("%s: no such behaviour", where)
	case policyID == "":
		return Headers{}, fmt.Errorf("%s: no ResponseHeadersPolicyId", where)
	case t.Types[policyID] != TypeHeadersPolicy:
		return Headers{}, fmt.Errorf("%s: ResponseHeadersPolicyId %q is not a %s of the template (the local server reads the headers from it)",
			where, policyID, TypeHeadersPolicy)
	}
	_, pprops, err := t.Resource(policyID)
	if err != nil {
		return Headers{}, err
	}
	pcfg, _ := pprops["ResponseHeadersPolicyConfig"].(map[string]any)
	h, err := policyHeaders(pcfg)
	if err != nil {
		return Headers{}, fmt.Errorf("%s.ResponseHeadersPolicyConfig: %w", policyID, err)
	}
	return h, nil
}

// policyHeaders turns a ResponseHeadersPolicyConfig into the headers CloudFront sends.
func policyHeaders(cfg map[string]any) (Headers, error) {
	h := Headers{All: http.Header{}, TLS: http.Header{}}
	if err := onlyKeys(cfg, "", "Name", "Comment", "SecurityHeadersConfig", "CustomHeadersConfig"); err != nil {
		return h, err
	}
	sec, _ := cfg["SecurityHeadersConfig"].(map[string]any)
	if err := onlyKeys(sec, "SecurityHeadersConfig.", "ContentSecurityPolicy", "StrictTransportSecurity",
		"ContentTypeOptions", "FrameOptions", "ReferrerPolicy", "XSSProtection"); err != nil {
		return h, err
	}
	if m, ok := sec["ContentSecurityPolicy"].(map[string]any); ok {
		h.All.Set("Content-Security-Policy", str(m["ContentSecurityPolicy"]))
	}
	if m, ok := sec["StrictTransportSecurity"].(map[string]any); ok {
		age, err := strconv.Atoi(str(m["AccessControlMaxAgeSec"]))
		if err != nil {
			return h, fmt.Errorf("StrictTransportSecurity.AccessControlMaxAgeSec: %v", err)
		}
		v := "max-age=" + strconv.Itoa(age)
		if truthy(m["IncludeSubdomains"]) {
			v += "; includeSubDomains"
		}
		if truthy(m["Preload"]) {
			v += "; preload"
		}
		h.TLS.Set("Strict-Transport-Security", v)
	}
	if _, ok := sec["ContentTypeOptions"].(map[string]any); ok {
		h.All.Set("X-Content-Type-Options", "nosniff")
	}
	if m, ok := sec["FrameOptions"].(map[string]any); ok {
		h.All.Set("X-Frame-Options", str(m["FrameOption"]))
	}
	if m, ok := sec["ReferrerPolicy"].(map[string]any); ok {
		h.All.Set("Referrer-Policy", str(m["ReferrerPolicy"]))
	}
	if m, ok := sec["XSSProtection"].(map[string]any); ok {
		v := "0"
		if truthy(m["Protection"]) {
			v = "1"
			if truthy(m["ModeBlock"]) {
				v += "; mode=block"
			} else if uri := str(m["ReportUri"]); uri != "" {
				v += "; report=" + uri
			}
		}
		h.All.Set("X-XSS-Protection", v)
	}
	custom, _ := cfg["CustomHeadersConfig"].(map[string]any)
	items, _ := custom["Items"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		name, value := str(m["Header"]), str(m["Value"])
		if name == "" {
			return h, fmt.Errorf("CustomHeadersConfig: an item without Header")
		}
		h.All.Add(name, value)
	}
	return h, nil
}

func onlyKeys(m map[string]any, prefix string, allowed ...string) error {
	var extra []string
	for k := range m {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			extra = append(extra, prefix+k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("%s: not played by the local console server (local/console): teach it, so local and deployed agree", strings.Join(extra, ", "))
	}
	return nil
}

func str(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case nil:
		return ""
	default:
		return fmt.Sprint(t)
	}
}

func truthy(v any) bool {
	b, _ := strconv.ParseBool(str(v))
	return b
}
