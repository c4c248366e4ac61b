# One machine: `make run` starts the service, `make test` runs every check.
# Everything a check needs is installed here (Go modules, Python venvs for moto,
# cfn-lint and SAM CLI); services the tests use are started and stopped here.

SHELL := /bin/bash
.DEFAULT_GOAL := help
GO ?= go
STATICCHECK_VERSION := v0.8.2
# Built once into .cache/bin (per version), so that neither `make check` nor
# `make test` relinks it on every run.
STATICCHECK := .cache/bin/staticcheck-$(STATICCHECK_VERSION)
FUZZTIME ?= 5s
LONG_FUZZTIME ?= 2m

export GOFLAGS := -buildvcs=false
export SAM_CLI_TELEMETRY := 0

TEMPLATE_CHECKS := lint-template validate-template sam-build

include infra/tools/moto/moto.mk
include infra/tools/sam/sam.mk
include infra/test/e2e/e2e.mk
include infra/tools/schemathesis/schemathesis.mk
include infra/perf/load/load.mk

# Every target, one short line each; targets added elsewhere without a line
# here are still listed at the end, by name.
HELP := \
	"run                start the service on one machine (GitHub sandbox when no GITHUB_* variable is set)" \
	"end-sessions       end the sessions of SITE= [USER_ID=] (locally, or AWS=1 STACK_NAME=)" \
	"check              the fast inner loop: gofmt check, vet, staticcheck, go test -short (no services)" \
	"test               every check, then the totals: Go tests, fuzz targets, schemathesis cases" \
	"check-format       gofmt check" \
	"vet                go vet" \
	"staticcheck        staticcheck (pinned)" \
	"go-test            every Go test, with a moto of its own and Chromium" \
	"fuzz-smoke         each fuzz target for FUZZTIME ($(FUZZTIME))" \
	"fuzz               each fuzz target for LONG_FUZZTIME ($(LONG_FUZZTIME))" \
	"api-fuzz           schemathesis against the local server (api/openapi.yaml)" \
	"template-checks    lint-template, validate-template, sam-build" \
	"lint-template      cfn-lint on template.yaml" \
	"validate-template  sam validate --lint" \
	"sam-build          sam build into .aws-sam/" \
	"release            the release Lambda binaries and zips (linux/arm64)" \
	"e2e                the built Lambdas under the Lambda Runtime Interface Emulator" \
	"bench              Go benchmarks" \
	"bench-lambda       cold start, size and warm latency of the Lambdas" \
	"bench-load         requests/s, p50 and p99 of make run's server vs bare net/http, under wrk" \
	"reliability        fault-injection, concurrency and crash tests with their figures" \
	"crash-long         real-time crash + expiry (about 7 minutes)" \
	"moto-start         start moto [MOTO_PORT=N, else a free port]; prints its endpoint" \
	"moto-stop          stop it: MOTO_PORT=N" \
	"moto-list          the motos this clone started and left running" \
	"deps               go mod download" \
	"system-deps        apt-get install chromium, zip, file when missing" \
	"moto-venv          .venv-moto" \
	"schemathesis-venv  .venv-schemathesis" \
	"sam-venvs          .venv-cfnlint and .venv-sam" \
	"rie                the Lambda Runtime Interface Emulator, into .cache/rie/" \
	"build-WebhookFunction   run by sam build (Metadata: BuildMethod: makefile)" \
	"build-CallbackFunction  run by sam build" \
	"build-LogoutFunction    run by sam build" \
	"check-deploy       caddy validate, nginx -t, systemd-analyze verify on infra/deploy/ (docs/deploy-one-machine.md)" \
	"build-CommandsFunction  run by sam build" \
	"clean              remove bin, .aws-sam and .cache" \
	"help               this list"

.PHONY: help
help:
	@documented=" "; for line in $(HELP); do echo "make $$line"; documented="$$documented$${line%% *} "; done; \
	  others=""; for t in $$(sed -n 's/^\([a-zA-Z][a-zA-Z0-9_-]*\):.*/\1/p' $(MAKEFILE_LIST) | sort -u); do \
	    case "$$documented" in *" $$t "*) ;; *) others="$$others $$t";; esac; done; \
	  if [ -n "$$others" ]; then echo "other targets:$$others"; fi

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

# The GitHub sandbox only when no GITHUB_* variable is set at all (in the
# environment or on the command line, even empty): any of them means real
# GitHub is being configured, and the environment is then passed as it is. The
# sandbox's default webhook token (so that the README's curl works as written)
# exists only in the sandbox branch.
RUN_GITHUB_VARIABLES := $(sort $(filter GITHUB_%,$(.VARIABLES)))
ifeq ($(RUN_GITHUB_VARIABLES),)
run: export GITHUB_SANDBOX := true
run: export ROCKETCHAT_WEBHOOK_TOKEN := $(or $(ROCKETCHAT_WEBHOOK_TOKEN),sandbox-webhook-token)
end-sessions: export GITHUB_SANDBOX := true
endif

.PHONY: run
run:
	@$(GO) build -ldflags "-X main.version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o bin/local ./infra/local
	@# The server validates its configuration before it prints anything (the
	@# sandbox banner included); the note below only explains a failure.
	@./bin/local || { rc=$$?; $(if $(RUN_GITHUB_VARIABLES),echo "make run: the GitHub sandbox is off because these are set: $(RUN_GITHUB_VARIABLES) (unset every GITHUB_* variable for the sandbox)." >&2;) exit $$rc; }

# Admin: end every session of a Rocket.Chat site, or of one user of it, revoking
# the tokens. Locally, stop `make run` first (it holds the data file; the
# command says so), with the server's environment (the sandbox when no GITHUB_*
# variable is set, as for run); with AWS=1, STACK_NAME names the deployment.
.PHONY: end-sessions
end-sessions:
	$(if $(SITE),,$(error usage: make end-sessions SITE=https://chat.example.com [USER_ID=<Rocket.Chat user id>] [AWS=1 STACK_NAME=<stack>]))
	@$(GO) build -o bin/admin ./infra/admin
	@./bin/admin end-sessions -site "$(SITE)" $(if $(USER_ID),-user "$(USER_ID)") $(if $(AWS),-aws) $(if $(STACK_NAME),-stack "$(STACK_NAME)")

# --- checks -------------------------------------------------------------------

# The steps of `make test`, in order. Each that counts something appends
# "<what> <n>" to $(TEST_COUNTS), a file of this run alone, summed at the end.
TEST_STEPS := check-format vet staticcheck go-test fuzz-smoke api-fuzz template-checks e2e
TEST_COUNTS ?=

.PHONY: test
test: deps system-deps
	@mkdir -p .cache; counts=$$(mktemp "$(CURDIR)/.cache/test-counts.XXXXXX"); \
	  trap 'rm -f "$$counts"' EXIT; trap 'exit 130' INT TERM; \
	  $(MAKE) --no-print-directory TEST_COUNTS=$$counts $(TEST_STEPS); rc=$$?; \
	  if [ $$rc -eq 0 ]; then echo "make test: all checks passed"; \
	  else echo "make test: FAILED (the failing step's output is above)"; fi; \
	  awk '{ n[$$1] += $$2 } END { \
	    printf "  Go tests passed:    %d\n", n["go-tests-passed"]; \
	    printf "  fuzz targets run:   %d (each $(FUZZTIME))\n", n["fuzz-targets-run"]; \
	    printf "  schemathesis cases: %d\n", n["schemathesis-cases"] }' "$$counts"; \
	  exit $$rc

# The fast inner loop (under a minute with warm caches): the static checks and
# the Go tests that need no service. Without MOTO_ENDPOINT, E2E=1 and with
# REQUIRE_MOTO/REQUIRE_CHROMIUM unset, the moto and end-to-end tests skip
# (Chromium's run where it is installed); -short skips the slow sweeps.
# `make test` runs everything, never with -short.
.PHONY: check
check: check-format vet staticcheck
	@env -u MOTO_ENDPOINT -u REQUIRE_MOTO -u REQUIRE_CHROMIUM -u E2E $(GO) test -short ./...

.PHONY: check-format
check-format:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: vet
vet:
	$(GO) vet ./...

.PHONY: staticcheck
staticcheck: $(STATICCHECK)
	$(STATICCHECK) ./...

$(STATICCHECK):
	@mkdir -p $(@D)
	GOBIN=$(abspath $(@D)) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	@mv $(@D)/staticcheck $@

# Go tests, with a moto of their own for the AWS adapters and Chromium for the
# pages; REQUIRE_MOTO and REQUIRE_CHROMIUM make those tests fail rather than
# skip when either is missing. Screenshots land in artifacts/screenshots.
# bin/testreport prints each package's result and the whole output of every
# failed test, and counts the tests.
TESTREPORT = bin/testreport $(if $(TEST_COUNTS),-counts $(TEST_COUNTS))

.PHONY: go-test bin/testreport
bin/testreport:
	@$(GO) build -o $@ ./infra/tools/testreport

go-test: moto-venv system-deps bin/testreport
	@$(call with_moto,set -o pipefail; REQUIRE_MOTO=1 REQUIRE_CHROMIUM=1 SCREENSHOT_DIR=$(CURDIR)/artifacts/screenshots \
	  $(GO) test -count=1 -json ./... | $(TESTREPORT))

# Each fuzz target for a short, bounded time; `make fuzz` runs them longer.
FUZZ_TARGETS := \
	./shared/rocketchat:FuzzParseCommand \
	./shared/rocketchat:FuzzDecodeMessage \
	./shared/rocketchat:FuzzAppendReplyJSON \
	./shared/eventbridge:FuzzParseJob \
	./shared/sqsqueue:FuzzParse \
	./shared/web:FuzzWebhook \
	./shared/web:FuzzOAuthCallback \
	./shared/web:FuzzOAuthStartPage \
	./shared/web:FuzzOAuthStartForm \
	./shared/web:FuzzExpireJob \
	./shared/session:FuzzKeyRule

.PHONY: fuzz-smoke fuzz
fuzz-smoke:
	@set -o pipefail; mkdir -p .cache; out=$$(mktemp .cache/fuzz.XXXXXX); trap 'rm -f "$$out"' EXIT; \
	  n=0; for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$name ($(FUZZTIME))"; \
	  $(GO) test $$pkg -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s 2>&1 | tee "$$out" || exit 1; \
	  if grep -q 'no fuzz tests to fuzz' "$$out"; then echo "fuzz target $$name not found in $$pkg" >&2; exit 1; fi; \
	  if [ -n "$(FUZZ_RESULTS)" ]; then echo "$$pkg $$name: $$(grep -E '^fuzz: elapsed' "$$out" | tail -n 1)" >>"$(FUZZ_RESULTS)"; fi; \
	  n=$$((n + 1)); done; \
	  if [ -n "$(TEST_COUNTS)" ]; then echo "fuzz-targets-run $$n" >>"$(TEST_COUNTS)"; fi
# `make fuzz` also writes each target's last progress line (executions, new
# inputs) to $(FUZZ_RESULTS_FILE), linked from docs/reliability.md.
FUZZ_RESULTS ?=
FUZZ_RESULTS_FILE := infra/test/results/fuzz.txt
fuzz:
	@mkdir -p $(dir $(FUZZ_RESULTS_FILE)); \
	  echo "# make fuzz, $$(date -u +%Y-%m-%dT%H:%MZ), commit $$(git rev-parse --short HEAD 2>/dev/null || echo unknown), $(LONG_FUZZTIME) per target, $$(nproc) CPUs" >$(FUZZ_RESULTS_FILE)
	@$(MAKE) --no-print-directory fuzz-smoke FUZZTIME=$(LONG_FUZZTIME) FUZZ_RESULTS=$(abspath $(FUZZ_RESULTS_FILE))

# infra/tools/sam/sam.mk may add a check with TEMPLATE_CHECKS += <target>.
.PHONY: template-checks
template-checks: $(TEMPLATE_CHECKS)

.PHONY: bench
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# The one-machine deployment's example configurations, checked by the tools
# themselves (Debian: apt-get install caddy nginx-light openssl).
.PHONY: check-deploy
check-deploy:
	@infra/deploy/check.sh

.PHONY: clean
clean:
	rm -rf bin .aws-sam .cache

# The million-user simulation (docs/scale.md): the service as shipped, in
# memory, over four simulated weeks; prints its tables and writes them to
# infra/perf/results/simulation.md. SIMULATE_FLAGS=-users=10000 for a quick run.
SIMULATE_FLAGS ?=
.PHONY: simulate
simulate:
	$(GO) run ./infra/perf/simulate $(SIMULATE_FLAGS)
