package linkpage

import (
	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/apigw"
)

// Routes are the link pages' routes: for each kind, GET shows the offer and POST accepts it.
func Routes() []api.Route {
	var out []api.Route
	for _, k := range []struct {
		kind admin.LinkKind
		name string
	}{{admin.LinkTrial, "trial"}, {admin.LinkOffer, "offer"}, {admin.LinkDelegatedAdmin, "delegated-admin"}} {
		path := k.kind.Path() + "{code}"
		out = append(out,
			api.Route{Method: "GET", Path: path, Function: "open-" + k.name + "-link",
				Action: func(d *api.Deps) apigw.Handler { return Open(d.Accepts, d.Links.BaseURL) }},
			api.Route{Method: "POST", Path: path, Function: "accept-" + k.name + "-link",
				Action: func(d *api.Deps) apigw.Handler { return Accept(d.Accepts, d.Links.BaseURL) }})
	}
	return out
}
