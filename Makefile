# tfrebuild: `make demo` runs a full rebuild of examples/ against a local AWS
# emulator; `make test` runs every test. Both need terraform 1.11.4 and
# moto_server (moto 5.2.1) on PATH; see README.md.
GO        ?= go
BIN       := bin/tfrebuild
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
STATICCHECK_VERSION := v0.8.2

.PHONY: build test demo bench lint tools-check clean

build:
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/tfrebuild

tools-check:
	@bash .ci/check-tools

test: tools-check
	$(GO) test -race -count=1 -timeout 15m -parallel 4 ./...

demo: build tools-check
	$(GO) run ./examples/demo -tfrebuild $(BIN) -config examples/profile-api/rebuild.hcl

bench: build tools-check
	$(GO) run ./bench -tfrebuild $(BIN)

lint:
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt would change:"; gofmt -l .; exit 1)
	$(GO) mod tidy -diff

clean:
	rm -rf bin examples/profile-api/.tfrebuild
