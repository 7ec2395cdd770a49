package api

import (
	"context"
	"net/http"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

func trials(h func(Auth, *admin.TrialService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.Trials) }
}

// convertBody is the body of POST /tenant/subscriptions/{subscriptionId}/convert.
type convertBody struct {
	Licenses *int `json:"licenses"`
}

// ConvertTrial: POST /tenant/subscriptions/{subscriptionId}/convert (a customer admin converts a
// trial to a paid subscription; the subscription keeps its id).
func ConvertTrial(a Auth, svc *admin.TrialService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in convertBody
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		sub, err := svc.ConvertTrial(ctx, s, r.PathParam("subscriptionId"), in.Licenses)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toSubscription(sub))
	})
}
