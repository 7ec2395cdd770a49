package api

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/apigw"
)

func customerUsers(h func(Auth, *admin.CustomerUserService) apigw.Handler) Action {
	return func(d *Deps) apigw.Handler { return h(d.Auth(), d.CustomerUsers) }
}

// customerUserBody is a user of a customer organization.
type customerUserBody struct {
	UserID                 string             `json:"userId"`
	Email                  string             `json:"email"`
	DisplayName            string             `json:"displayName"`
	Role                   admin.CustomerRole `json:"role"`
	Status                 admin.UserStatus   `json:"status"`
	PasswordChangeRequired bool               `json:"passwordChangeRequired"`
	Version                int                `json:"version"`
	CreatedAt              time.Time          `json:"createdAt"`
	UpdatedAt              time.Time          `json:"updatedAt"`
}

func toCustomerUser(u admin.User) customerUserBody {
	return customerUserBody{UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Role: admin.CustomerRoleOf(u), Status: u.Status,
		PasswordChangeRequired: u.PasswordChangeRequired, Version: u.Version, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

type createCustomerUserRequest struct {
	Email       string             `json:"email"`
	DisplayName string             `json:"displayName"`
	Role        admin.CustomerRole `json:"role"`
}

func (in createCustomerUserRequest) domain() admin.NewCustomerUser {
	return admin.NewCustomerUser{Email: in.Email, DisplayName: in.DisplayName, Role: in.Role}
}

type updateCustomerUserRequest struct {
	DisplayName *string             `json:"displayName"`
	Role        *admin.CustomerRole `json:"role"`
	Version     int                 `json:"version"`
}

type passwordResetRequest struct {
	// SendTo, when set, is an address that also gets the temporary password by email.
	SendTo string `json:"sendTo"`
}

// createdCustomerUser answers a create: the user and its temporary password, shown this once
// (a replay of the same Idempotency-Key answers the user without it).
func createdCustomerUser(u admin.User, temp string, replayed bool) (response, error) {
	return apigw.Created(struct {
		User              customerUserBody `json:"user"`
		TemporaryPassword string           `json:"temporaryPassword,omitempty"`
	}{toCustomerUser(u), temp}, replayed)
}

// ListCustomerUsers: GET /customers/{customerId}/users.
func ListCustomerUsers(a Auth, svc *admin.CustomerUserService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		page, err := pageRequest(r)
		if err != nil {
			return response{}, err
		}
		users, err := svc.Users(ctx, s, r.PathParam("customerId"), page)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(users, toCustomerUser))
	})
}

// CreateCustomerUser: POST /customers/{customerId}/users (full access; Idempotency-Key honoured).
func CreateCustomerUser(a Auth, svc *admin.CustomerUserService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		var in createCustomerUserRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		cid := r.PathParam("customerId")
		idem, err := r.Idempotency(s.PartnerID() + "#" + s.UserID() + "#create-customer-user#" + cid)
		if err != nil {
			return response{}, err
		}
		u, temp, replayed, err := svc.CreateUser(ctx, s, cid, in.domain(), idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		return createdCustomerUser(u, temp, replayed)
	})
}

// ResetCustomerUserPassword: POST /customers/{customerId}/users/{userId}/password-reset. The
// body is optional ({} or none: the password is only in the answer).
func ResetCustomerUserPassword(a Auth, svc *admin.CustomerUserService) apigw.Handler {
	return overlapped(a, func(ctx context.Context, r *apigw.Request, s admin.Caller) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		var in passwordResetRequest
		if len(bytes.TrimSpace(r.Body())) > 0 {
			if err := r.Decode(&in); err != nil {
				return response{}, err
			}
		}
		u, temp, err := svc.ResetPassword(ctx, s, r.PathParam("customerId"), r.PathParam("userId"), in.SendTo)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, struct {
			User              customerUserBody `json:"user"`
			TemporaryPassword string           `json:"temporaryPassword"`
			EmailedTo         string           `json:"emailedTo,omitempty"`
		}{toCustomerUser(u), temp, in.SendTo})
	})
}

// ListTenantUsers: GET /tenant/users.
func ListTenantUsers(a Auth, svc *admin.CustomerUserService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		page, err := pageRequest(r)
		if err != nil {
			return response{}, err
		}
		users, err := svc.TenantUsers(ctx, s, page)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(users, toCustomerUser))
	})
}

// CreateTenantUser: POST /tenant/users (Idempotency-Key honoured).
func CreateTenantUser(a Auth, svc *admin.CustomerUserService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		var in createCustomerUserRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		idem, err := r.Idempotency(s.Customer.ID + "#" + s.User.ID + "#create-tenant-user")
		if err != nil {
			return response{}, err
		}
		u, temp, replayed, err := svc.TenantCreateUser(ctx, s, in.domain(), idem)
		if err != nil {
			return response{}, admin.ReplayMismatch(err)
		}
		return createdCustomerUser(u, temp, replayed)
	})
}

// UpdateTenantUser: PATCH /tenant/users/{userId}.
func UpdateTenantUser(a Auth, svc *admin.CustomerUserService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		var in updateCustomerUserRequest
		if err := r.Decode(&in); err != nil {
			return response{}, err
		}
		u, err := svc.TenantUpdateUser(ctx, s, r.PathParam("userId"), admin.CustomerUserPatch{DisplayName: in.DisplayName, Role: in.Role, Version: in.Version})
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toCustomerUser(u))
	})
}

// DeleteTenantUser: DELETE /tenant/users/{userId}.
func DeleteTenantUser(a Auth, svc *admin.CustomerUserService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		if err := noQuery(r); err != nil {
			return response{}, err
		}
		if err := svc.TenantDeleteUser(ctx, s, r.PathParam("userId")); err != nil {
			return response{}, err
		}
		return apigw.NoContent()
	})
}

// ListTenantActivity: GET /tenant/activity?from&to&limit&cursor.
func ListTenantActivity(a Auth, svc *admin.CustomerUserService) apigw.Handler {
	return customer(a, func(ctx context.Context, r *apigw.Request, s admin.CustomerSession) (response, error) {
		q, err := activityQuery(r)
		if err != nil {
			return response{}, err
		}
		acts, err := svc.TenantActivity(ctx, s, q)
		if err != nil {
			return response{}, err
		}
		return apigw.JSON(http.StatusOK, toPage(acts, toActivity))
	})
}
