package gateway

import (
	"fmt"

	"github.com/partner-admin-center/pac/local/template"
)

// FromTemplate returns the routes and the CORS configuration of the template's HTTP API, with
// each route's effective throttling (its RouteSettings, else the API's DefaultRouteSettings)
// and authorizer. The local gateway serves one HTTP API.
func FromTemplate(t *template.Template) ([]Route, *CORS, error) {
	if len(t.HTTPAPIs) > 1 {
		return nil, nil, fmt.Errorf("gateway: the template has %d HTTP APIs; the local gateway serves one", len(t.HTTPAPIs))
	}
	troutes, err := t.Routes()
	if err != nil {
		return nil, nil, err
	}
	routes := make([]Route, 0, len(troutes))
	for _, r := range troutes {
		routes = append(routes, Route{
			Method: r.Method, Path: r.Path, Function: r.Function.LogicalID, Authorizer: r.Authorizer,
			ThrottleBurst: r.Throttle.ThrottlingBurstLimit, ThrottleRate: r.Throttle.ThrottlingRateLimit,
			IntegrationTimeout: r.IntegrationTimeout,
		})
	}
	var cors *CORS
	if len(t.HTTPAPIs) == 1 && t.HTTPAPIs[0].CORS != nil {
		c := t.HTTPAPIs[0].CORS
		cors = &CORS{AllowOrigins: c.AllowOrigins, AllowMethods: c.AllowMethods, AllowHeaders: c.AllowHeaders,
			ExposeHeaders: c.ExposeHeaders, MaxAge: c.MaxAge, AllowCredentials: c.AllowCredentials}
	}
	return routes, cors, nil
}
