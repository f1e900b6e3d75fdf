GO ?= go
ARGS ?=
FUZZTIME ?= 10s

.PHONY: run build test deps e2e lint bench bench-peer fuzz

## run: start the provider on its embedded default store (./data), on 127.0.0.1:8080
run:
	$(GO) run ./cmd/pmprovider $(ARGS)

build:
	$(GO) build -o bin/pmprovider ./cmd/pmprovider

## deps: install what the tests need (rdflib, rapper, chromium, node, e2e/node_modules) when missing
deps:
	./.ci/install-deps.sh

## test: everything: vet, unit, golden, fuzz seeds, end-to-end, interop and browser tests
## (the browser suite is provider's TestBrowser; here, and with CI set, it fails when chromium is missing)
test: deps
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...
	PM_E2E_REQUIRED=1 $(GO) test -race -count=1 -timeout 30m ./...

## e2e: only the browser tests (headless chromium via playwright-core), verbose; screenshots in e2e/artifacts
e2e: deps
	PM_E2E_REQUIRED=1 $(GO) test -count=1 -run '^TestBrowser$$' -v ./provider/

lint:
	gofmt -l .
	$(GO) vet ./...
	@command -v staticcheck >/dev/null && staticcheck ./... || true

## bench: the benchmarks, with the raw bbolt fsync'd transaction rate as reference
bench:
	$(GO) test -run '^$$' -bench . -benchtime 2s ./store/ ./query/ ./provider/...

## bench-peer: the provider against Virtuoso 7 on the same generated data (RECORDS of them) and
## the same query shapes, in one run, side by side with ratios; by hand, not part of test
RECORDS ?= 100000
bench-peer:
	@command -v virtuoso-t >/dev/null || ./.ci/install-deps.sh
	$(GO) build -o bin/pmprovider ./cmd/pmprovider
	./bin/pmprovider bench-peer --records $(RECORDS) $(ARGS)

## fuzz: the hostile soak (the corpus of testdata/hostile over HTTP), then each fuzz target for FUZZTIME
fuzz:
	@out=$$(mktemp); $(GO) test -count=1 -run '^TestHostileSoak$$' -v ./provider/ >$$out 2>&1; st=$$?; \
	  grep -v '^    --- PASS\|^=== ' $$out; rm -f $$out; exit $$st
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done
