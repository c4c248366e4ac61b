# The built Lambdas, run for real (included by the root Makefile; paths are
# relative to the repository root).
#
#   make rie           install the AWS Lambda Runtime Interface Emulator (pinned) into .cache/rie/
#   make e2e           end-to-end tests: each function's bootstrap under its own emulator,
#                      against moto and the GitHub and Rocket.Chat stand-ins (infra/e2e)
#   make bench-lambda  cold start, warm latency and size of each function against the
#                      hello-world and SDK-floor baselines (one table, also written to
#                      infra/bench/results/lambda.md), then the in-process handler benchmarks
#
# Each runs moto on a port of its own (E2E_MOTO_PORT, BENCH_MOTO_PORT), so that
# it never shares, or stops, the moto of another target such as go-test.

RIE_MODULE := github.com/aws/aws-lambda-runtime-interface-emulator
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
# The version is in the path, so that changing RIE_VERSION installs it afresh.
RIE_BIN := .cache/rie/$(RIE_VERSION)/aws-lambda-rie
E2E_MOTO_PORT ?= 5056
BENCH_MOTO_PORT ?= 5058
BENCH_COLD ?= 10
BENCH_WARM ?= 200

.PHONY: rie e2e e2e-with-moto bench-lambda bench-lambda-with-moto

rie: $(RIE_BIN)

$(RIE_BIN):
	GOBIN=$(abspath $(dir $(RIE_BIN))) $(GO) install $(RIE_MODULE)/cmd/aws-lambda-rie@$(RIE_VERSION)

# Sub-makes with MOTO_PORT and MOTO_ENDPOINT on their command line: moto.mk's
# targets, and with_moto, then use that port throughout.
moto_on = MOTO_PORT=$(1) MOTO_ENDPOINT=http://127.0.0.1:$(1)

e2e: rie moto-venv
	@$(MAKE) --no-print-directory e2e-with-moto $(call moto_on,$(E2E_MOTO_PORT))

e2e-with-moto:
	@$(call with_moto,E2E=1 AWS_LAMBDA_RIE=$(abspath $(RIE_BIN)) $(GO) test -count=1 ./infra/e2e/...)

# release (infra/sam/sam.mk) builds the linux/arm64 zips whose sizes the table shows.
bench-lambda: system-deps rie moto-venv release
	@$(MAKE) --no-print-directory bench-lambda-with-moto $(call moto_on,$(BENCH_MOTO_PORT))
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchmem ./infra/bench/ | tee infra/bench/results/handlers.txt

bench-lambda-with-moto:
	@mkdir -p infra/bench/results
	@$(call with_moto,$(GO) run ./infra/bench/lambdabench -rie $(abspath $(RIE_BIN)) \
		-cold $(BENCH_COLD) -warm $(BENCH_WARM) -out infra/bench/results/lambda.md)
