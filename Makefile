# One machine: `make run` starts the service, `make test` runs every check.
# Everything a check needs is installed here (Go modules, Python venvs for moto,
# cfn-lint and SAM CLI); services the tests use are started and stopped here.

SHELL := /bin/bash
.DEFAULT_GOAL := help
GO ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
FUZZTIME ?= 5s
LONG_FUZZTIME ?= 2m

export GOFLAGS := -buildvcs=false
export SAM_CLI_TELEMETRY := 0

include infra/moto/moto.mk
include infra/sam/sam.mk
include infra/e2e/e2e.mk
include infra/schemathesis/schemathesis.mk
include infra/load/load.mk

.PHONY: help
help:
	@echo "make run    start the service on one machine (GitHub sandbox unless GITHUB_CLIENT_ID is set)"
	@echo "make test   every check: vet, staticcheck, unit + adapter tests (moto), fuzz smoke, template lint + sam build"
	@echo "make fuzz   run each fuzz target for $(LONG_FUZZTIME)"
	@echo "make bench  Go benchmarks;  make bench-lambda  cold start, size and warm latency of the Lambdas under the runtime emulator"
	@echo "make bench-load  requests/s and p99 of make run's server vs a bare net/http handler"
	@echo "make reliability  fault-injection, concurrency and crash tests with their figures; make crash-long: real-time crash + expiry"
	@echo "make e2e    the built Lambdas under the Lambda Runtime Interface Emulator, against moto and the stand-ins"
	@echo "make release build the release Lambda binaries and zips (linux/arm64)"

.PHONY: deps
deps:
	@$(GO) mod download

# Debian packages the checks need: Chromium for the browser tests, zip and file
# for the release build. Installed only when missing (root on this kind of machine).
SYSTEM_PACKAGES := chromium:chromium zip:zip file:file
.PHONY: system-deps
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do command -v $${p%%:*} >/dev/null || missing="$$missing $${p##*:}"; done; \
	  if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

# --- run on one machine -------------------------------------------------------

# Without GitHub credentials, run against the built-in GitHub sandbox, and give
# the webhook a development token so the README's curl works as written.
ifeq ($(strip $(GITHUB_CLIENT_ID)),)
run: export GITHUB_SANDBOX := true
run: export ROCKETCHAT_WEBHOOK_TOKEN := $(or $(ROCKETCHAT_WEBHOOK_TOKEN),sandbox-webhook-token)
endif

.PHONY: run
run:
	@if [ "$$GITHUB_SANDBOX" = "true" ]; then \
	  echo "GitHub sandbox: no GITHUB_CLIENT_ID given, so a stand-in GitHub runs inside the server at $${PUBLIC_URL:-http://$${LISTEN_ADDR:-127.0.0.1:8080}}/sandbox/github (set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET for real GitHub)."; fi
	@$(GO) build -o bin/local ./infra/local
	@exec ./bin/local

# Admin: end every session of a Rocket.Chat site, or of one user of it, revoking
# the tokens. Locally, stop `make run` first (it holds the data file); with
# AWS=1, it acts on the deployment named by the functions' environment.
.PHONY: end-sessions
end-sessions:
	@test -n "$(SITE)" || { echo "usage: make end-sessions SITE=https://chat.example.com [USER_ID=<rocket.chat user id>] [AWS=1]"; exit 2; }
	@$(GO) build -o bin/local ./infra/local
	@./bin/local end-sessions -site "$(SITE)" $(if $(USER_ID),-user "$(USER_ID)") $(if $(AWS),-aws)

# --- checks -------------------------------------------------------------------

.PHONY: test
test: deps system-deps check-format vet staticcheck go-test fuzz-smoke api-fuzz template-checks e2e
	@echo "make test: all checks passed"

.PHONY: check-format
check-format:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: vet
vet:
	$(GO) vet ./...

.PHONY: staticcheck
staticcheck:
	$(GO) run $(STATICCHECK) ./...

# Go tests, with moto's server for the AWS adapters and Chromium for the pages;
# REQUIRE_MOTO and REQUIRE_CHROMIUM make those tests fail rather than skip when
# either is missing. Screenshots land in artifacts/screenshots.
.PHONY: go-test
go-test: moto-venv system-deps
	@$(call with_moto,REQUIRE_MOTO=1 REQUIRE_CHROMIUM=1 SCREENSHOT_DIR=$(CURDIR)/artifacts/screenshots $(GO) test -count=1 ./...)

# Each fuzz target for a short, bounded time; `make fuzz` runs them longer.
FUZZ_TARGETS := \
	./shared/rocketchat:FuzzParseCommand \
	./shared/scheduler:FuzzParseJob \
	./shared/web:FuzzWebhook \
	./shared/web:FuzzOAuthCallback \
	./shared/web:FuzzOAuthStartPage \
	./shared/web:FuzzOAuthStartForm \
	./shared/web:FuzzExpireJob

.PHONY: fuzz-smoke fuzz
fuzz-smoke:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$name ($(FUZZTIME))"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s || exit 1; done
fuzz:
	@$(MAKE) --no-print-directory fuzz-smoke FUZZTIME=$(LONG_FUZZTIME)

.PHONY: template-checks
template-checks: lint-template validate-template sam-build

.PHONY: bench
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

.PHONY: clean
clean:
	rm -rf bin .aws-sam .cache
