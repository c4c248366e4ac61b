# The built Lambdas, run for real (included by the root Makefile; paths are
# relative to the repository root).
#
#   make rie           install the AWS Lambda Runtime Interface Emulator (pinned) into .cache/rie/
#   make e2e           end-to-end tests: each function's bootstrap under its own emulator,
#                      against moto and the GitHub and Rocket.Chat stand-ins (infra/test/e2e)
#   make bench-lambda  cold start, warm latency and size of each function against the
#                      hello-world and SDK-floor baselines (one table, also written to
#                      infra/perf/bench/results/lambda.md), then the in-process handler benchmarks
#
# Each starts a moto of its own on a free port (with_moto, infra/tools/moto/moto.mk),
# so that it never shares, or stops, the moto of another target or run.

RIE_MODULE := github.com/aws/aws-lambda-runtime-interface-emulator
RIE_VERSION := v0.0.0-20261030222936-bef5c4ba774d
# The version is in the path, so that changing RIE_VERSION installs it afresh.
RIE_BIN := .cache/rie/$(RIE_VERSION)/aws-lambda-rie
BENCH_COLD ?= 10
BENCH_WARM ?= 200

.PHONY: rie e2e bench-lambda

rie: $(RIE_BIN)

$(RIE_BIN):
	GOBIN=$(abspath $(dir $(RIE_BIN))) $(GO) install $(RIE_MODULE)/cmd/aws-lambda-rie@$(RIE_VERSION)

# The e2e tests are Go tests: bin/testreport (root Makefile) shows them and counts them.
e2e: rie moto-venv bin/testreport
	@$(call with_moto,set -o pipefail; E2E=1 AWS_LAMBDA_RIE=$(abspath $(RIE_BIN)) $(GO) test -count=1 -json ./infra/test/e2e/... | $(TESTREPORT))

# release (infra/tools/sam/sam.mk) builds the linux/arm64 zips whose sizes the table shows.
bench-lambda: system-deps rie moto-venv release
	@mkdir -p infra/perf/bench/results
	@$(call with_moto,$(GO) run ./infra/perf/bench/lambdabench -rie $(abspath $(RIE_BIN)) \
		-cold $(BENCH_COLD) -warm $(BENCH_WARM) -out infra/perf/bench/results/lambda.md)
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchmem ./infra/perf/bench/ | tee infra/perf/bench/results/handlers.txt
