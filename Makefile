# Cantieri — make run starts the bot, make test runs the whole suite against real PostgreSQL
# and Redis. See README.md.

GO       ?= go
BIN      := bin/cantieri
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
# The console's person: your login name unless HANDLE is given (make seed lists people to try).
HANDLE   ?= $(USER)
# Said when the console would open with no HANDLE and no $USER to default to.
NO_HANDLE := no HANDLE: choose who to be, e.g. HANDLE=mario.rossi (make seed lists people to try) / scegli chi essere con HANDLE=…

.PHONY: run build test sweep race-pure vet bench killtest migrate seed demo console serve docker clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/cantieri

# serve when Slack tokens are in the environment or .env, else the console as $(HANDLE).
run: build
	@scripts/services.sh run
	@if scripts/slack-configured.sh; then exec $(BIN) serve; \
	elif [ -z "$(HANDLE)" ]; then echo "make run: $(NO_HANDLE)" >&2; exit 2; \
	else echo "Console come / as $(HANDLE) (un'altra persona / someone else: HANDLE=mario.rossi make run)" >&2; \
	exec $(BIN) console --as "$(HANDLE)"; fi

serve: build
	@scripts/services.sh run
	$(BIN) serve

console: build
	@if [ -z "$(HANDLE)" ]; then echo "make console: $(NO_HANDLE)" >&2; exit 2; fi
	@scripts/services.sh run
	$(BIN) console --as "$(HANDLE)"

# A synthetic council for trying the bot: refuses a database that already has an organisation.
seed: build
	@scripts/services.sh run
	$(BIN) seed demo $(SEED_ARGS)

# The demo council (seeded now unless `make seed` already did), then the README's four scripts
# as its dirigente: a project's lifecycle, its team from proposal to channel, an exchange
# programme with a round, and evaluation (the post-meeting survey, a pulse, the project closed
# with internal and external evaluations and its card with the replicability verdict). Run it once on a fresh demo council: the scripts create project 1.
demo: build
	@scripts/services.sh run
	$(BIN) seed demo --if-needed $(SEED_ARGS)
	$(BIN) console --as giulia.cecchi < examples/progetto.txt
	$(BIN) console --as giulia.cecchi < examples/squadra.txt
	$(BIN) console --as giulia.cecchi < examples/incontri.txt
	$(BIN) console --as giulia.cecchi < examples/valutazione.txt

migrate: build
	@scripts/services.sh run
	$(BIN) migrate

# make test: go vet, then the tests in two runs (README, "Tests and benchmarks").
# - PURE_PKGS, the pure algorithm packages (they start no goroutine and do no I/O, so the race
#   detector has nothing to find there and would only slow them about tenfold), run without -race.
#   The charts' concurrent-rendering test still runs there (same pictures from many goroutines);
#   `make race-pure` runs the pure packages with -race too (CI does).
# - Every other package runs with -race against the real PostgreSQL and Redis. Those tests
#   mostly wait (on the database, River's one-second polls, Slack pacing), so -parallel 8 lets
#   more of a package's tests wait at once than the default (GOMAXPROCS: 2 on a 2-core machine).
# CANTIERI_SWEEP=1 (.ci/run sets it) runs the quality sweeps of pairing and teamform in full
# instead of a representative subset; `make sweep` runs just the pure packages that way.
PURE_PKGS := ./internal/pairing/ ./internal/teamform/ ./internal/meetcal/ ./internal/cronspec/ \
	./internal/org/ ./internal/projectdesign/ ./internal/demo/ ./internal/survey/ ./internal/indices/ \
	./internal/charts/ ./internal/collab/
RACE_PKGS  = $(filter-out $(shell $(GO) list $(PURE_PKGS)),$(shell $(GO) list ./...))

test:
	@scripts/services.sh test
	$(GO) vet ./...
	$(GO) test -count=1 $(PURE_PKGS)
	$(GO) test -race -count=1 -parallel 8 -p 3 $(RACE_PKGS)

sweep:
	CANTIERI_SWEEP=1 $(GO) test -count=1 $(PURE_PKGS)

race-pure:
	$(GO) test -race -count=1 ./internal/charts/ ./internal/survey/ ./internal/indices/ ./internal/collab/

bench:
	@scripts/services.sh test
	$(GO) test -run '^$$' -bench . -benchmem ./...

# killtest kills a real serve process with SIGKILL while it sends a team's invitations, a round
# of 80 groups and a fan-out of reminders, restarts it, and checks that every message went out
# exactly once within two minutes and none that stopped being due. KILLTEST_RUNS runs per
# scenario, each at another kill point; a few minutes per run (three scenarios in parallel).
KILLTEST_RUNS ?= 7
killtest:
	@scripts/services.sh test
	@mkdir -p bin
	@CANTIERI_KILLTEST=1 CANTIERI_KILLTEST_RUNS=$(KILLTEST_RUNS) $(GO) test -count=1 -timeout 180m -parallel 3 \
		-run '^TestKillServeWhileSending$$' -v ./cmd/cantieri/ > bin/killtest.log 2>&1; rc=$$?; \
	grep '^killtest:' bin/killtest.log; \
	awk '/^killtest:/ { runs++; for (i = 2; i <= NF; i++) { split($$i, kv, "="); v[kv[1]] += kv[2] } } \
		END { printf "killtest: %d runs, %d messages, %d sent, %d duplicates, %d stale, %d missing (full log: bin/killtest.log)\n", \
		runs, v["messages"], v["sent"], v["duplicates"], v["stale"], v["missing"] }' bin/killtest.log; \
	grep -E '^\s*--- FAIL' bin/killtest.log || true; exit $$rc

docker:
	docker build --build-arg VERSION=$(VERSION) -t cantieri:$(VERSION) .

clean:
	rm -rf bin
