// Package app is the composition root: it reads a function's configuration from the environment
// and builds the dependencies of the handlers once per Lambda instance (outside the handler, so
// the cost is paid at init, not per request).
package app

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/partner-admin-center/pac/shared/admin"
	"github.com/partner-admin-center/pac/shared/api"
	"github.com/partner-admin-center/pac/shared/auth"
	"github.com/partner-admin-center/pac/shared/awsenv"
	"github.com/partner-admin-center/pac/shared/store"
)

// TokenTTL is the default lifetime of an access token (ACCESS_TOKEN_TTL overrides it, within
// MinTokenTTL..MaxTokenTTL): short, because a session's refresh token gets the next one, and a
// removal or role change is anyway effective at the next request.
const (
	TokenTTL    = 15 * time.Minute
	MinTokenTTL = 15 * time.Second
	MaxTokenTTL = time.Hour
)

// Config is a function's configuration (docs/architecture.md, "Function environment").
type Config struct {
	Table      string
	Issuer     string
	PublicKey  string
	SigningKey string        // only in functions that issue tokens
	TokenTTL   time.Duration // ACCESS_TOKEN_TTL in seconds, only in functions that issue tokens (default TokenTTL)
	LinkKey    string        // only in functions that build link URLs
	PublicURL  string        // PUBLIC_BASE_URL

	// SupportDesk is the support desk's address of each cloud (SUPPORT_DESK_EMAIL_GLOBAL,
	// SUPPORT_DESK_EMAIL_21VIANET: only the functions that send service requests).
	SupportDesk map[admin.Cloud]string

	// WebhookAllowLoopback admits http://127.0.0.1 webhook URLs (WEBHOOK_ALLOW_LOOPBACK=true):
	// the local runtime's own test receiver only; off in template.yaml.
	WebhookAllowLoopback bool
}

// FromEnv reads the configuration; a missing required variable is an init error.
func FromEnv() (Config, error) {
	c := Config{Table: os.Getenv("TABLE_NAME"), Issuer: os.Getenv("TOKEN_ISSUER"),
		PublicKey: os.Getenv("TOKEN_PUBLIC_KEY"), SigningKey: os.Getenv("TOKEN_SIGNING_KEY"),
		LinkKey: os.Getenv("LINK_KEY"), PublicURL: os.Getenv("PUBLIC_BASE_URL"),
		SupportDesk: map[admin.Cloud]string{admin.CloudGlobal: os.Getenv("SUPPORT_DESK_EMAIL_GLOBAL"), admin.Cloud21Vianet: os.Getenv("SUPPORT_DESK_EMAIL_21VIANET")}}
	c.WebhookAllowLoopback = os.Getenv("WEBHOOK_ALLOW_LOOPBACK") == "true"
	c.TokenTTL = TokenTTL
	if v := os.Getenv("ACCESS_TOKEN_TTL"); v != "" {
		secs, err := strconv.Atoi(v)
		if ttl := time.Duration(secs) * time.Second; err != nil || ttl < MinTokenTTL || ttl > MaxTokenTTL {
			return c, fmt.Errorf("app: ACCESS_TOKEN_TTL=%q: want whole seconds from %d to %d", v, int(MinTokenTTL.Seconds()), int(MaxTokenTTL.Seconds()))
		}
		c.TokenTTL = time.Duration(secs) * time.Second
	}
	var missing []string
	for name, v := range map[string]string{"TABLE_NAME": c.Table, "TOKEN_ISSUER": c.Issuer, "TOKEN_PUBLIC_KEY": c.PublicKey} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("app: missing environment: %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// NewID returns a prefixed, lower-case, time-ordered id such as usr_01jd….
func NewID(prefix string) string { return prefix + "_" + strings.ToLower(ulid.Make().String()) }

// Build returns the handler dependencies for cfg over db.
func Build(cfg Config, db store.API, hasher admin.Passwords, now func() time.Time, extras ...Extra) (*api.Deps, error) {
	pub, err := auth.ParsePublicKey(cfg.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("app: TOKEN_PUBLIC_KEY: %w", err)
	}
	st := store.New(db, cfg.Table)
	env := admin.Env{Now: now, NewID: NewID}
	var codes admin.Codes = auth.HashOnlyCodes{}
	if cfg.LinkKey != "" {
		lc, err := auth.NewLinkCodes(cfg.LinkKey)
		if err != nil {
			return nil, fmt.Errorf("app: LINK_KEY: %w", err)
		}
		codes = lc
		// Secret facts of emails (a temporary password) are sealed with a key derived from it,
		// and TOTP secrets with another.
		if st.Sealer, err = store.NewSealer(cfg.LinkKey); err != nil {
			return nil, fmt.Errorf("app: LINK_KEY: %w", err)
		}
		if st.FactorSealer, err = store.NewFactorSealer(cfg.LinkKey); err != nil {
			return nil, fmt.Errorf("app: LINK_KEY: %w", err)
		}
	}
	// One service per context, each over the store through its narrow interface. Building them
	// costs a few allocations; a function uses one or two.
	identity := &admin.IdentityService{Env: env, Store: st, Passwords: hasher}
	customers := &admin.CustomerService{Env: env, Store: st}
	d := &api.Deps{
		Identity:        identity,
		Company:         &admin.CompanyService{Env: env, Store: st, Passwords: hasher},
		Partners:        &admin.PartnerService{Env: env, Store: st, Passwords: hasher},
		Links:           &admin.LinkService{Env: env, Store: st, Codes: codes, BaseURL: cfg.PublicURL},
		Accepts:         &admin.AcceptService{Env: env, Store: st, Codes: codes, Passwords: hasher, Credentials: identity},
		Tenants:         &admin.TenantService{Env: env, Store: st},
		Customers:       customers,
		Subscriptions:   &admin.SubscriptionService{Customers: customers, Store: st},
		CustomerUsers:   &admin.CustomerUserService{Env: env, Customers: customers, Store: st, Passwords: hasher},
		ServiceRequests: &admin.ServiceRequestService{Env: env, Store: st, SupportDesk: cfg.SupportDesk},
		Verifier:        &auth.Verifier{Key: pub, Issuer: cfg.Issuer, Now: now},
		Site:            api.SiteOf(cfg.PublicURL),
	}
	if cfg.SigningKey != "" {
		// The key is checked against TOKEN_PUBLIC_KEY when the first token is signed (a mismatch
		// is then an internal error, logged); deriving it at init would cost every cold start.
		seed, err := auth.ParseSeed(cfg.SigningKey)
		if err != nil {
			return nil, fmt.Errorf("app: TOKEN_SIGNING_KEY: %w", err)
		}
		if d.Issuer, err = auth.NewLazyIssuer(seed, pub, cfg.Issuer, cmp.Or(cfg.TokenTTL, TokenTTL), now); err != nil {
			return nil, fmt.Errorf("app: TOKEN_SIGNING_KEY: %w", err)
		}
	}
	for _, x := range extras {
		if err := x(d, st, env, cfg); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// MustDeps builds the dependencies of a Lambda function from its environment, or exits: an init
// failure is reported by the Lambda runtime and retried with a fresh instance.
func MustDeps(ctx context.Context, extras ...Extra) *api.Deps {
	cfg, err := FromEnv()
	if err != nil {
		fail(err)
	}
	awsCfg, err := awsenv.Config()
	if err != nil {
		fail(fmt.Errorf("app: %w", err))
	}
	d, err := Build(cfg, awsenv.DynamoDB(awsCfg), auth.NewHasher(auth.DefaultArgon2), time.Now, extras...)
	if err != nil {
		fail(err)
	}
	return d
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
