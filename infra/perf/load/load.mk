# Reliability and load (included by the root Makefile).
#
#   make bench-load    load benchmark: the server binary (as `make run` runs it) under load from wrk
#                      (installed with apt-get when missing), `/github help` and `/github login` at 16
#                      and 64 connections, each against a bare net/http handler in the same run;
#                      prints the table, writes infra/perf/load/results/latest.md
#   make crash-long    kill -9 the server under load, restart it, and wait (about 7 minutes) for the
#                      restarted server to fire every automatic logout itself (SESSION_TTL=5m)
#   make reliability   the fault-injection, concurrency and crash tests (they also run in `make test`),
#                      verbose, with their figures: runs, users, operations, violations; the figure
#                      lines also go to infra/test/results/reliability.txt
#
# Needs from the root Makefile: GO, and with_moto (infra/tools/moto/moto.mk).

RELIABILITY_TESTS := TestAWSFaults|TestFaultCases|TestFaultSweep|TestDieSweep|TestUntrackedTokenWindow|TestExchangeToStoreWindow|TestModelAWS|TestConcurrentUsersMatchModel|TestCrashDurability
RELIABILITY_LOG := .cache/reliability.log
# The figure lines of the last run, linked from docs/reliability.md.
RELIABILITY_RESULTS := infra/test/results/reliability.txt
# The lines the tests log with their figures.
RELIABILITY_FIGURES := sweep: |concurrent: |one at a time: |crash [0-9]: |after the crash: |every due automatic logout|token issued but not yet stored|^\s+\| |untracked tokens left

.PHONY: bench-load wrk crash-long reliability

bench-load: wrk
	infra/perf/load/bench.sh

# wrk, the load generator of bench-load, from Debian's packages when missing
# (as system-deps installs Chromium).
wrk:
	@command -v wrk >/dev/null || { echo "installing: wrk"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

crash-long:
	$(GO) test -tags crashlong -count=1 -v -timeout 20m -run '^TestCrashLong$$' ./infra/local

reliability: moto-venv
	@mkdir -p .cache
	@$(call with_moto,REQUIRE_MOTO=1 $(GO) test -count=1 -v -timeout 30m -run '^($(RELIABILITY_TESTS))' ./infra/test/faults ./infra/local >$(RELIABILITY_LOG) 2>&1; echo $$? >$(RELIABILITY_LOG).rc)
	@mkdir -p $(dir $(RELIABILITY_RESULTS)); \
	  { echo "# make reliability, $$(date -u +%Y-%m-%dT%H:%MZ), commit $$(git rev-parse --short HEAD 2>/dev/null || echo unknown), $$(nproc) CPUs"; \
	    grep -E '$(RELIABILITY_FIGURES)' $(RELIABILITY_LOG); grep -E '^(--- FAIL|ok|FAIL)' $(RELIABILITY_LOG); } | tee $(RELIABILITY_RESULTS); \
	  echo "full log: $(RELIABILITY_LOG); figures: $(RELIABILITY_RESULTS)"; exit $$(cat $(RELIABILITY_LOG).rc)
