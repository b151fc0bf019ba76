# Cantieri — make run starts the bot, make test runs the whole suite against real PostgreSQL
# and Redis. See README.md.

GO       ?= go
BIN      := bin/cantieri
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
HANDLE   ?= $(or $(USER),utente)

.PHONY: run build test sweep vet bench migrate seed demo console serve docker clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/cantieri

# serve when Slack tokens are in the environment or .env, else the console as $(HANDLE).
run: build
	@scripts/services.sh run
	@if scripts/slack-configured.sh; then exec $(BIN) serve; else exec $(BIN) console --as $(HANDLE); fi

serve: build
	@scripts/services.sh run
	$(BIN) serve

console: build
	@scripts/services.sh run
	$(BIN) console --as $(HANDLE)

# A synthetic council for trying the bot: refuses a database that already has an organisation.
seed: build
	@scripts/services.sh run
	$(BIN) seed demo $(SEED_ARGS)

# The demo council, then the README's three scripts as its dirigente: a project's lifecycle,
# its team from proposal to channel, an exchange programme with a round. Needs an EMPTY database.
demo: seed
	$(BIN) console --as giulia.cecchi < examples/progetto.txt
	$(BIN) console --as giulia.cecchi < examples/squadra.txt
	$(BIN) console --as giulia.cecchi < examples/incontri.txt

migrate: build
	@scripts/services.sh run
	$(BIN) migrate

# make test: go vet, then the tests in two runs (README, "Tests and benchmarks").
# - PURE_PKGS, the pure algorithm packages (they start no goroutine and do no I/O, so the race
#   detector has nothing to find there and would only slow them about tenfold), run without -race.
# - Every other package runs with -race against the real PostgreSQL and Redis. Those tests
#   mostly wait (on the database, River's one-second polls, Slack pacing), so -parallel 8 lets
#   more of a package's tests wait at once than the default (GOMAXPROCS: 2 on a 2-core machine).
# CANTIERI_SWEEP=1 (.ci/run sets it) runs the quality sweeps of pairing and teamform in full
# instead of a representative subset; `make sweep` runs just the pure packages that way.
PURE_PKGS := ./internal/pairing/ ./internal/teamform/ ./internal/meetcal/ ./internal/cronspec/ \
	./internal/org/ ./internal/projectdesign/ ./internal/demo/
RACE_PKGS  = $(filter-out $(shell $(GO) list $(PURE_PKGS)),$(shell $(GO) list ./...))

test:
	@scripts/services.sh test
	$(GO) vet ./...
	$(GO) test -count=1 $(PURE_PKGS)
	$(GO) test -race -count=1 -parallel 8 $(RACE_PKGS)

sweep:
	CANTIERI_SWEEP=1 $(GO) test -count=1 $(PURE_PKGS)

bench:
	@scripts/services.sh test
	$(GO) test -run '^$$' -bench . -benchmem ./...

docker:
	docker build -t cantieri:$(VERSION) .

clean:
	rm -rf bin
