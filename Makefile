# tfrebuild: `make demo` runs a full rebuild of examples/ against a local AWS
# emulator; `make demo-aws` does the same for examples/orders-aws with real
# providers; `make test` runs every test. All need terraform 1.11.4 and
# moto_server (moto 5.2.1) on PATH; see README.md.
GO        ?= go
BIN       := bin/tfrebuild
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
STATICCHECK_VERSION := v0.8.2
# pipefail: `make test` filters the end-to-end tests' output and must still
# fail when they do.
SHELL       := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: build test demo demo-aws demo-runbook providers lock-example bench bench-real lint tools-check clean

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/tfrebuild

tools-check:
	@bash .ci/check-tools

# Unit packages first (a line per package as each ends), then the end-to-end
# tests as one streamed package with a line per test, so that a long run shows
# progress. The tests with real providers run when the provider mirror is
# there (`make providers`; .ci/run builds it) and skip, saying so, when not.
test: tools-check
	$(GO) test -race -count=1 -timeout 15m -parallel 4 $$($(GO) list ./... | grep -v '/e2e$$')
	$(GO) test -race -count=1 -timeout 15m -parallel 4 -v ./e2e/ | grep --line-buffered -v -E '^=== (RUN|PAUSE|CONT|NAME)'

# The demo needs go, terraform and moto only: no note about the tests' tools.
demo: build
	@bash .ci/check-tools --no-built
	$(GO) run ./examples/demo -tfrebuild $(BIN) -config examples/profile-api/rebuild.hcl

# Real providers (aws 1.60.0, random 2.0.0, …) built from source into a
# filesystem mirror by ../shared/tools/offline-providers.sh; the first build
# takes ~10 minutes, later ones are instant.
providers:
	@bash .ci/tools providers >/dev/null

# Regenerates examples/orders-aws's lock files from the mirror (only when the
# mirror's builds no longer match them; see docs/providers.md).
lock-example:
	@bash .ci/lock-example

demo-aws: build tools-check
	@eval "$$(bash .ci/tools providers)" && \
	  $(GO) run ./examples/demo -tfrebuild $(BIN) -config examples/orders-aws/rebuild.hcl -endpoint-input aws_endpoint

# The seed runbook (examples/runbook-aws): seeded data restored, the handoff
# step confirmed, then the same environment rebuilt in another region.
demo-runbook: build tools-check
	@eval "$$(bash .ci/tools providers)" && \
	  $(GO) run ./examples/demo -tfrebuild $(BIN) -config examples/runbook-aws/rebuild.hcl \
	    -dr-config examples/runbook-aws/rebuild-dr.hcl -endpoint-input aws_endpoint

# The toy fixtures and the scale test, then the realistic mode (real
# stacks and restores behind a latency proxy; docs/performance.md). The
# realistic mode needs the provider mirror: without it, it fails under
# CI=true and skips, saying so, elsewhere.
bench: build tools-check
	@eval "$$(bash .ci/tools providers)"; \
	  $(GO) run ./bench -tfrebuild $(BIN) -mode all

# The realistic mode alone (a few minutes).
bench-real: build tools-check
	@eval "$$(bash .ci/tools providers)"; \
	  $(GO) run ./bench -tfrebuild $(BIN) -mode realistic

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt would change:"; gofmt -l .; exit 1)
	$(GO) mod tidy -diff

clean:
	rm -rf bin examples/profile-api/.tfrebuild
