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

.PHONY: help
help:
	@echo "make run    start the service on one machine (GitHub sandbox unless GITHUB_CLIENT_ID is set)"
	@echo "make test   every check: vet, staticcheck, unit + adapter tests (moto), fuzz smoke, template lint + sam build"
	@echo "make fuzz   run each fuzz target for $(LONG_FUZZTIME)"
	@echo "make bench  benchmarks"
	@echo "make release build the release Lambda binaries and zips (linux/arm64)"

.PHONY: deps
deps:
	$(GO) mod download

# --- run on one machine -------------------------------------------------------

# Without GitHub credentials, run against the built-in GitHub sandbox, and give
# the webhook a development token so the README's curl works as written.
ifeq ($(strip $(GITHUB_CLIENT_ID)),)
run: export GITHUB_SANDBOX := true
run: export ROCKETCHAT_WEBHOOK_TOKEN := $(or $(ROCKETCHAT_WEBHOOK_TOKEN),sandbox-webhook-token)
endif

.PHONY: run
run: deps
	@if [ "$$GITHUB_SANDBOX" = "true" ]; then \
	  echo "GitHub sandbox: no GITHUB_CLIENT_ID given, so a stand-in GitHub runs inside the server (set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET for real GitHub)."; fi
	$(GO) build -o bin/local ./infra/local
	./bin/local

# --- checks -------------------------------------------------------------------

.PHONY: test
test: deps check-format vet staticcheck go-test fuzz-smoke template-checks
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

# Go tests, with moto's server for the AWS adapters; REQUIRE_MOTO makes those
# tests fail rather than skip if moto is missing.
.PHONY: go-test
go-test: moto-venv
	@$(MAKE) --no-print-directory moto-start
	@status=0; \
	  MOTO_ENDPOINT=http://127.0.0.1:$(MOTO_PORT) REQUIRE_MOTO=1 $(GO) test -count=1 ./... || status=$$?; \
	  $(MAKE) --no-print-directory moto-stop; exit $$status

# Each fuzz target for a short, bounded time; `make fuzz` runs them longer.
FUZZ_TARGETS := \
	./shared/rocketchat:FuzzParseCommand

.PHONY: fuzz-smoke fuzz
fuzz-smoke:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$name ($(FUZZTIME))"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) || exit 1; done
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
