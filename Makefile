# Cantieri — make run starts the bot, make test runs the whole suite against real PostgreSQL
# and Redis. See README.md.

GO       ?= go
BIN      := bin/cantieri
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
HANDLE   ?= $(or $(USER),utente)

.PHONY: run build test vet bench migrate seed demo console serve docker clean

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

test:
	@scripts/services.sh test
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

bench:
	@scripts/services.sh test
	$(GO) test -run '^$$' -bench . -benchmem ./...

docker:
	docker build -t cantieri:$(VERSION) .

clean:
	rm -rf bin
