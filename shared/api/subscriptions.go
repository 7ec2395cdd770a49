package api

import (
	"context"
	"net/http"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

// updateSubscriptionRequest is the body of PATCH /customers/{customerId}/subscriptions/{subscriptionId}:
// exactly one of licenses and status, and the version read.
type updateSubscriptionRequest struct {
	Licenses *int                      `json:"licenses"`
	Status   *admin.SubscriptionStatus `json:"status"`
	Version  int                       `json:"version"`
}

// ListCustomerSubscriptions: GET /customers/{customerId}/subscriptions.
func ListCustomerSubscriptions(a Auth, svc *admin.SubscriptionService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		page, err := pageRequest(r)
		if err != nil {
			return response{}, err
		}
		subs, err := svc.CustomerSubscriptions(ctx, s, r.PathParam("customerId"), page)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(subs, toSubscription))
	})
}

// UpdateCustomerSubscription: PATCH /customers/{customerId}/subscriptions/{subscriptionId}.
func UpdateCustomerSubscription(a Auth, svc *admin.SubscriptionService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in updateSubscriptionRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		sub, err := svc.UpdateCustomerSubscription(ctx, s, r.PathParam("customerId"), r.PathParam("subscriptionId"),
			admin.SubscriptionChange{Licenses: in.Licenses, Status: in.Status, Version: in.Version})
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toSubscription(sub))
	})
}
