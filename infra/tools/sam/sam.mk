# The serverless deployment: template.yaml checks, `sam build`, and the release zips.
# Included by the root Makefile, so paths are relative to the repository root.
#
#   make sam-venvs          .venv-cfnlint/, .venv-sam/ and .venv-checkov/, reinstalled
#                           only when infra/tools/sam/requirements-*.txt change
#   make lint-template      cfn-lint: no error, warning or informational finding; then
#                           checkov: no failed check (each suppression is in the
#                           template, with its one-line reason)
#   make validate-template  sam validate --lint (needs a region, no credentials)
#   make sam-build          sam build into .aws-sam/ with the local Go toolchain (no Docker)
#   make release            bin/release/<function>/bootstrap and bin/release/<function>.zip
#
# `sam build` runs `make build-<LogicalId>` (Metadata: BuildMethod: makefile); those
# targets and `make release` build with the same command, lambda_go_build below.

# Lambda functions: each has its main in functions/<name>.
SAM_FUNCTIONS := webhook callback logout commands

SAM_TEMPLATE := template.yaml
SAM_PYTHON ?= python3
GO ?= go

# The one Lambda build: $(1) is the function (functions/$(1)), $(2) the output file.
# lambda.norpc drops the RPC mode that only the retired go1.x runtime used.
lambda_go_build = GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags="-s -w" -o $(2) ./functions/$(1)

# ---------------------------------------------------------------- targets for `sam build`
# sam sets ARTIFACTS_DIR (.aws-sam/build/<LogicalId>); without it the binary would land in /.
sam_artifacts_dir = $(if $(ARTIFACTS_DIR),$(ARTIFACTS_DIR),$(error ARTIFACTS_DIR is not set: build-* targets are run by `sam build`; use `make sam-build` or `make release`))

.PHONY: build-WebhookFunction build-CallbackFunction build-LogoutFunction build-CommandsFunction
build-WebhookFunction:
	$(call lambda_go_build,webhook,$(sam_artifacts_dir)/bootstrap)
build-CallbackFunction:
	$(call lambda_go_build,callback,$(sam_artifacts_dir)/bootstrap)
build-LogoutFunction:
	$(call lambda_go_build,logout,$(sam_artifacts_dir)/bootstrap)
build-CommandsFunction:
	$(call lambda_go_build,commands,$(sam_artifacts_dir)/bootstrap)

# ---------------------------------------------------------------- release
SAM_RELEASE_DIR := bin/release
SAM_RELEASE_TARGETS := $(addprefix release-,$(SAM_FUNCTIONS))

.PHONY: release $(SAM_RELEASE_TARGETS)
release: $(SAM_RELEASE_TARGETS)
	@ls -l $(SAM_RELEASE_DIR)/*.zip

# The zip holds bootstrap alone, at its root, with its executable bit: what Lambda's
# provided.al2023 runtime runs.
$(SAM_RELEASE_TARGETS): release-%:
	rm -rf $(SAM_RELEASE_DIR)/$* $(SAM_RELEASE_DIR)/$*.zip
	mkdir -p $(SAM_RELEASE_DIR)/$*
	$(call lambda_go_build,$*,$(SAM_RELEASE_DIR)/$*/bootstrap)
	cd $(SAM_RELEASE_DIR)/$* && zip -q -X ../$*.zip bootstrap

# ---------------------------------------------------------------- tool venvs
# Three venvs, because aws-sam-cli pins its own cfn-lint range, and checkov its own
# (older) one, while the linter is pinned apart. The stamp file is only renewed when the requirements change; a changed
# requirements file rebuilds its venv from scratch, so nothing stale stays behind.
SAM_CFNLINT_VENV := .venv-cfnlint
SAM_SAM_VENV := .venv-sam
SAM_CHECKOV_VENV := .venv-checkov
SAM_PIP_ENV := PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

# SAM CLI's settings live in this directory instead of ~/.aws-sam. Its metadata.json
# turns telemetry off and dates the last update check in 2100: SAM CLI has no switch
# for its weekly look at PyPI for a newer version, and skips it while that date is
# less than a week old.
SAM_APP_DIR := $(SAM_SAM_VENV)/sam-cli-app-dir
SAM_ENV := SAM_CLI_TELEMETRY=0 __SAM_CLI_APP_DIR=$(abspath $(SAM_APP_DIR)) \
	AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
SAM := $(SAM_ENV) $(SAM_SAM_VENV)/bin/sam
CFN_LINT := $(SAM_CFNLINT_VENV)/bin/cfn-lint
# Offline: BC_SKIP_MAPPING and --skip-download keep checkov from asking Prisma Cloud
# for its guideline mappings (which only add links to the report).
CHECKOV := BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false $(SAM_CHECKOV_VENV)/bin/checkov

.PHONY: sam-venvs
sam-venvs: $(SAM_CFNLINT_VENV)/.installed $(SAM_SAM_VENV)/.installed $(SAM_CHECKOV_VENV)/.installed

# sam_venv builds the venv $(1) afresh from the requirements file the rule
# depends on ($<) and checks that its packages agree.
define sam_venv
	rm -rf $(1)
	$(SAM_PYTHON) -m venv $(1)
	$(SAM_PIP_ENV) $(1)/bin/pip install --quiet -r $<
	$(SAM_PIP_ENV) $(1)/bin/pip check
endef

$(SAM_CHECKOV_VENV)/.installed: infra/tools/sam/requirements-checkov.txt
	$(call sam_venv,$(SAM_CHECKOV_VENV))
	touch $@

$(SAM_CFNLINT_VENV)/.installed: infra/tools/sam/requirements-cfnlint.txt
	$(call sam_venv,$(SAM_CFNLINT_VENV))
	touch $@

$(SAM_SAM_VENV)/.installed: infra/tools/sam/requirements-sam.txt
	$(call sam_venv,$(SAM_SAM_VENV))
	mkdir -p $(SAM_APP_DIR)
	printf '{"telemetryEnabled": false, "lastVersionCheck": 4102444800.0}\n' > $(SAM_APP_DIR)/metadata.json
	touch $@

# ---------------------------------------------------------------- template checks
# Informational findings fail too. Experimental rules (-e) are left out: the one that
# fires, I4010, asks for free-text Metadata.com.aws.cloudformation.Context on every resource.
.PHONY: lint-template
lint-template: $(SAM_CFNLINT_VENV)/.installed $(SAM_CHECKOV_VENV)/.installed
	$(CFN_LINT) --include-checks I --non-zero-exit-code informational -- $(SAM_TEMPLATE)
	@echo "cfn-lint: $(SAM_TEMPLATE) has no error, warning or informational finding"
	$(CHECKOV) --quiet --compact --skip-download --framework cloudformation -f $(SAM_TEMPLATE)
	@echo "checkov: $(SAM_TEMPLATE) has no failed check"

.PHONY: validate-template
validate-template: $(SAM_SAM_VENV)/.installed
	$(SAM) validate --lint --template-file $(SAM_TEMPLATE)

# --build-in-source: sam would otherwise copy the whole CodeUri (the repository root,
# with .venv-*/, .cache/ and bin/) to a scratch directory before running make; it
# has no ignore file for that copy. The make targets only write to $(ARTIFACTS_DIR).
.PHONY: sam-build
sam-build: $(SAM_SAM_VENV)/.installed
	$(SAM) build --build-in-source --template-file $(SAM_TEMPLATE) --build-dir .aws-sam/build
	@for f in WebhookFunction CallbackFunction LogoutFunction CommandsFunction; do \
		out=$$(file -b .aws-sam/build/$$f/bootstrap) || exit 1; \
		echo "$$f/bootstrap: $$out"; \
		case "$$out" in *"ARM aarch64"*"statically linked"*"stripped"*) ;; *) \
			echo "sam-build: $$f/bootstrap is not a static, stripped arm64 executable" >&2; exit 1;; esac; \
		case "$$out" in *"not stripped"*) \
			echo "sam-build: $$f/bootstrap is not stripped" >&2; exit 1;; esac; \
	done
