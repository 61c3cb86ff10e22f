# Quire: build, test and audit. `make help` lists the targets.
#
# The machine's own Go may be older than the module needs; every go command
# below (and in the tools it runs) uses this toolchain, fetched on first use.
export GOTOOLCHAIN := go1.27.3

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

GO           ?= go
PKGS         ?= ./...
TEST_TIMEOUT ?= 15m
TESTFLAGS    ?=
TESTLOG      ?=
TESTJSON     ?=
BENCH        ?= .
BENCHFLAGS   ?=
BENCHLOG     ?=
ARGS         ?=

MODULE  := github.com/quirehq/quire
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --verify -q HEAD 2>/dev/null)
LDFLAGS := -s -w -X $(MODULE).Version=$(VERSION) -X $(MODULE).Commit=$(COMMIT)

# Linters and the vulnerability database live outside the work tree, shared
# by every clone on the machine. The tools are keyed by their pinned versions
# (tools/go.mod, tools/go.sum) and the toolchain; the database by its version.
CACHE_DIR      ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/quire
CACHE_DIR      := $(abspath $(CACHE_DIR))
TOOLS_KEY      := $(shell cat tools/go.mod tools/go.sum | sha256sum | cut -c1-12)-$(GOTOOLCHAIN)
TOOLS_BIN      := $(CACHE_DIR)/tools/$(TOOLS_KEY)
STATICCHECK    := $(TOOLS_BIN)/staticcheck
GOVULNCHECK    := $(TOOLS_BIN)/govulncheck
TESTGATE       := bin/testgate
VULNDB_VERSION ?= v0.0.0-20261105234957-e22db6528018
GOFMT           = $(shell $(GO) env GOROOT)/bin/gofmt

.PHONY: help build run test browser web web-check observatory bench lint vet staticcheck vuln vulndb fmt-check tools ci clean clean-cache FORCE

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed 's/:.*## /\t/' | expand -t 14

build: ## build bin/quire (static, version stamped)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/quire ./cmd/quire

run: build ## build, then start `quire serve $(ARGS)` with zero configuration
	./bin/quire serve $(ARGS)

# With TESTLOG or TESTJSON set, the run goes through testgate, which prints
# the verbose output and writes the text log and/or the JSON events to those
# files; without, it is a plain `go test`.
test: $(if $(TESTLOG)$(TESTJSON),$(TESTGATE)) ## go test ./... (TESTFLAGS=-race, TESTLOG=file, TESTJSON=file)
ifeq ($(TESTLOG)$(TESTJSON),)
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $(PKGS)
else
	$(GO) test -json -count=1 -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $(PKGS) 2>&1 | \
		$(TESTGATE) $(if $(TESTLOG),-log '$(TESTLOG)') $(if $(TESTJSON),-json '$(TESTJSON)')
endif
	@[ -n "$${QUIRE_TEST_POSTGRES_URL:-}" ] || echo "PostgreSQL suites skipped: set QUIRE_TEST_POSTGRES_URL=postgres://USER@HOST:5432/DB?sslmode=disable (a superuser; tests make their own databases) to run them"

browser: ## install Debian's chromium for the browser tests, if it is missing (needs root or sudo)
	@command -v chromium >/dev/null && { chromium --version 2>/dev/null; exit 0; }; \
	sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null && chromium --version 2>/dev/null

# The web app's bundle (http/static/app.js, app.css) is committed, so
# `make build` and `make run` need only Go; these rebuild it from web/ with
# the locked npm packages. web-check builds into a temporary directory and
# fails if the committed files differ from what the sources give.
NPM_CI := npm ci --ignore-scripts --no-audit --no-fund

web: ## rebuild the web app's bundle from web/ (needs node and npm)
	cd web && $(NPM_CI) && node build.mjs

web-check: ## fail if the committed web bundle differs from a fresh build of web/
	@out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; \
	(cd web && $(NPM_CI) >/dev/null && node build.mjs --out "$$out"); \
	status=0; \
	for f in http/static/app.js http/static/app.css web/THIRD_PARTY_LICENSES.txt; do \
		if ! cmp -s "$$out/$$(basename $$f)" "$$f"; then echo "web-check: $$f differs from a fresh build; run make web and commit it"; status=1; fi; \
	done; \
	[[ $$status -eq 0 ]] && echo "web-check: the committed bundle matches web/"; exit $$status

observatory: ## grade the security headers with the Mozilla HTTP Observatory's tests (needs ports 443 and 80 on 127.0.0.1, root, node)
	bash tools/observatory/run.sh

bench: ## run the benchmarks (BENCH=regexp, BENCHFLAGS, BENCHLOG=file)
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -timeout $(TEST_TIMEOUT) $(BENCHFLAGS) $(PKGS) \
		$(if $(BENCHLOG),| tee '$(BENCHLOG)')

lint: vet staticcheck ## go vet and staticcheck

vet: ## go vet, on the module and on tools/
	$(GO) vet $(PKGS)
	cd tools && $(GO) vet ./...

staticcheck: $(STATICCHECK) ## staticcheck, on the module and on tools/
	$(STATICCHECK) $(PKGS)
	cd tools && $(STATICCHECK) ./...

vuln: $(GOVULNCHECK) ## govulncheck against the offline database; fails on a reachable vulnerability
	db=$$(bash tools/vulndb/build.sh '$(VULNDB_VERSION)' '$(CACHE_DIR)' '$(GOVULNCHECK)' | tail -n 1); \
	echo "govulncheck: database $$db"; \
	$(GOVULNCHECK) -db "file://$$db" $(PKGS)

vulndb: $(GOVULNCHECK) ## build (or find in the cache) the offline vulnerability database
	bash tools/vulndb/build.sh '$(VULNDB_VERSION)' '$(CACHE_DIR)' '$(GOVULNCHECK)'

fmt-check: ## fail if any Go file is not gofmt-formatted
	@files=$$($(GOFMT) -l .); \
	if [[ -n "$$files" ]]; then echo "gofmt: these files need formatting:"; echo "$$files"; exit 1; fi; \
	echo "gofmt: ok"

tools: $(STATICCHECK) $(GOVULNCHECK) $(TESTGATE) ## build the pinned tools

ci: ## the whole CI run, as the CI machine does it
	bash .ci/run

clean: ## remove build output
	rm -rf bin/

clean-cache: ## remove the cached tools and vulnerability databases
	rm -rf '$(CACHE_DIR)'

$(STATICCHECK):
	cd tools && $(GO) build -o '$@' honnef.co/go/tools/cmd/staticcheck

$(GOVULNCHECK):
	cd tools && $(GO) build -o '$@' golang.org/x/vuln/cmd/govulncheck

# testgate is part of this tree, so it is rebuilt every time (a no-op link
# when nothing changed) rather than trusted from a cache.
$(TESTGATE): FORCE
	cd tools && $(GO) build -o '../$@' ./testgate
