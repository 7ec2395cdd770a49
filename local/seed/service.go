package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/app"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/store"
)

// Service seeds (once) what a partner's agents did for the demo customers, through the domain
// services as the partner's demo global admin and the support desk would: customer users (one
// with a reset password), and service requests in every state (draft, open, attention needed,
// answered, closed yesterday and closed long ago). The support-desk emails go through the outbox
// like any other.
func Service(ctx context.Context, db store.API, table, linkKey string, creds Credentials) error {
	st := store.New(db, table)
	var err error
	if st.Sealer, err = store.NewSealer(linkKey); err != nil {
		return err
	}
	hasher := auth.NewHasher(auth.DefaultArgon2)
	for _, pc := range creds.Partners {
		if len(pc.Users) == 0 {
			continue
		}
		login, err := st.Login(ctx, pc.Users[0].Email) // the global admin, full customer access
		if err != nil {
			return fmt.Errorf("seed service: %w", err)
		}
		u, err := st.User(ctx, pc.PartnerID, login.UserID)
		if err != nil {
			return fmt.Errorf("seed service: %w", err)
		}
		p, err := st.Partner(ctx, pc.PartnerID)
		if err != nil {
			return fmt.Errorf("seed service: %w", err)
		}
		sess := admin.Session{Principal: admin.Principal{Kind: admin.PrincipalUser, User: u}, Partner: p}
		cloud := p.Cloud
		first := demoCustomerID(cloud, 0)
		if _, err := st.Login(ctx, "robin@"+domainPrefix(demoNames(cloud)[0], 0)+".example"); err == nil {
			continue // seeded before
		}
		// The clock of each step: the past steps happen at their time.
		now := time.Now().UTC()
		at := now
		env := admin.Env{Now: func() time.Time { return at }, NewID: app.NewID}
		users := &admin.CustomerUserService{Env: env, Customers: &admin.CustomerService{Env: env, Store: st}, Store: st, Passwords: hasher}
		requests := &admin.ServiceRequestService{Env: env, Store: st, SupportDesk: map[admin.Cloud]string{
			admin.CloudGlobal: "support-desk@partner-admin-center.example", admin.Cloud21Vianet: "support-desk-21vianet@partner-admin-center.example"}}
		operator := admin.Principal{Kind: admin.PrincipalOperator, ARN: "arn:aws:iam::000000000000:role/local-seed-support-desk"}

		// Users of the first customer: two users and a second admin; Robin's password was reset.
		domain := domainPrefix(demoNames(cloud)[0], 0)
		var robin admin.User
		for _, nu := range []admin.NewCustomerUser{
			{Email: "robin@" + domain + ".example", DisplayName: "Robin Rivera", Role: admin.CustomerRoleUser},
			{Email: "kim@" + domain + ".example", DisplayName: "Kim Kowalski", Role: admin.CustomerRoleUser},
			{Email: "sasha@" + domain + ".example", DisplayName: "Sasha Second-Admin", Role: admin.CustomerRoleAdmin},
		} {
			cu, _, _, err := users.CreateUser(ctx, sess, first, nu, nil)
			if err != nil {
				return fmt.Errorf("seed service: user %s: %w", nu.Email, err)
			}
			if robin.ID == "" {
				robin = cu
			}
		}
		if _, _, err := users.ResetPassword(ctx, sess, first, robin.ID, ""); err != nil {
			return fmt.Errorf("seed service: reset: %w", err)
		}

		// Service requests in the first four customers (all under an active full grant).
		req := func(i int, title string, sev admin.Severity, topic string, send bool) (admin.ServiceRequest, error) {
			cid := demoCustomerID(cloud, i)
			if cloud == admin.Cloud21Vianet {
				topic += "-21v" // the 21Vianet list of support topics
			}
			r, _, err := requests.CreateRequest(ctx, sess, cid, admin.RequestFields{Title: title, Severity: sev, TopicID: topic,
				Description: "Seeded for the demo.\nSee the notes for what happened since.",
				Contact:     admin.RequestContact{Name: "Alex Admin", Email: "admin@" + domainPrefix(demoNames(cloud)[i], i) + ".example", Phone: "+49 30 555 0100"},
				CC:          []string{"it@" + domainPrefix(demoNames(cloud)[i], i) + ".example"}}, send, nil)
			return r, err
		}
		closed := admin.RequestClosed
		steps := []func() error{
			func() error {
				_, err := req(0, "Plan the move of 40 mailboxes", admin.SeverityMinimal, "exchange-online", false)
				return err
			},
			func() error {
				_, err := req(1, "Users cannot sign in since this morning", admin.SeverityCritical, "identity", true)
				return err
			},
			func() error {
				r, err := req(2, "Invoice shows too many licenses", admin.SeverityModerate, "billing", true)
				if err != nil {
					return err
				}
				_, _, _, err = requests.DeskNote(ctx, operator, r.ID, "Which invoice number, and how many licenses do you expect?", true, nil)
				return err
			},
			func() error {
				r, err := req(3, "Teams meetings drop after 10 minutes", admin.SeverityModerate, "teams", true)
				if err != nil {
					return err
				}
				if _, _, _, err = requests.DeskNote(ctx, operator, r.ID, "Does it happen in the browser too?", true, nil); err != nil {
					return err
				}
				_, _, _, err = requests.AddNote(ctx, sess, demoCustomerID(cloud, 3), r.ID, "Yes, in Edge and in the desktop app alike.", nil)
				return err
			},
			func() error {
				at = now.AddDate(0, 0, -25)
				r, err := req(0, "Shared mailbox permissions", admin.SeverityMinimal, "exchange-online", true)
				if err != nil {
					return err
				}
				at = now.AddDate(0, 0, -20) // closed 20 days ago: no longer reopenable
				_, err = requests.UpdateRequest(ctx, sess, demoCustomerID(cloud, 0), r.ID, admin.RequestPatch{Version: r.Version, Status: &closed})
				return err
			},
			func() error {
				at = now.AddDate(0, 0, -3)
				r, err := req(1, "Add a domain to the tenant", admin.SeverityMinimal, "other", true)
				if err != nil {
					return err
				}
				at = now.AddDate(0, 0, -1) // closed yesterday: reopenable for 13 more days
				_, err = requests.UpdateRequest(ctx, sess, demoCustomerID(cloud, 1), r.ID, admin.RequestPatch{Version: r.Version, Status: &closed})
				return err
			},
		}
		if cloud == admin.Cloud21Vianet {
			steps = steps[1:3]
		}
		for _, step := range steps {
			at = now
			if err := step(); err != nil {
				return fmt.Errorf("seed service: request: %w", err)
			}
		}
	}
	return nil
}
