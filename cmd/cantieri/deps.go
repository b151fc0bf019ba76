package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/config"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/redis"
)

// deps are the connections every running subcommand needs.
type deps struct {
	pool  *pgxpool.Pool
	redis *goredis.Client
}

// openDeps connects to PostgreSQL (applying migrations: idempotent, and safe with several
// processes starting at once) and to Redis. Both must answer at start, or the error is one
// line saying which one to start; later outages are survived and reported by /readyz.
func openDeps(ctx context.Context, cfg config.Config, log *slog.Logger) (*deps, error) {
	pool, err := openPostgres(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	// A first plain dial, so that an absent Redis is reported once, below, and not also by
	// go-redis for every retry of its pool.
	if err := redis.Reachable(ctx, cfg.RedisURL); err != nil {
		pool.Close()
		return nil, startError(redisService, cfg.RedisURL, err)
	}
	redis.SetLogger(log)
	rc, err := redis.Open(cfg.RedisURL)
	if err != nil {
		pool.Close()
		return nil, err
	}
	if err := redis.Ping(ctx, rc); err != nil {
		pool.Close()
		_ = rc.Close()
		return nil, startError(redisService, cfg.RedisURL, err)
	}
	return &deps{pool: pool, redis: rc}, nil
}

// openPostgres opens the pool, checks that PostgreSQL answers and applies the migrations.
func openPostgres(ctx context.Context, cfg config.Config, log *slog.Logger) (*pgxpool.Pool, error) {
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := postgres.Ping(ctx, pool); err != nil {
		pool.Close()
		return nil, startError(postgresService, cfg.DatabaseURL, err)
	}
	if err := postgres.Migrate(ctx, pool, log); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// service is a dependency checked at start, with how to start it.
type service struct {
	name, variable, defaultPort, start string
}

var (
	postgresService = service{"PostgreSQL", "DATABASE_URL", "5432",
		"docker compose up -d postgres (make run lo fa / does it), oppure / or apt-get install postgresql && pg_ctlcluster VERSIONE main start"}
	redisService = service{"Redis", "REDIS_URL", "6379",
		"docker compose up -d redis (make run lo fa / does it), oppure / or apt-get install redis-server && redis-server --daemonize yes"}
)

// startError turns a failed check at start into one line: what is unreachable, where (host
// and port only: never the credentials in the URL), which variable points there, and how to
// start it. Any other failure (a wrong password, a missing database) is named too, on one line.
func startError(s service, rawURL string, err error) error {
	where := s.variable
	if u, perr := url.Parse(rawURL); perr == nil && u.Hostname() != "" {
		port := u.Port()
		if port == "" {
			port = s.defaultPort
		}
		where = net.JoinHostPort(u.Hostname(), port) + " (" + s.variable + ")"
	}
	if errors.Is(err, bot.ErrUnavailable) {
		return fmt.Errorf("%s non raggiungibile / unreachable at %s: avvialo / start it — %s", s.name, where, s.start)
	}
	return fmt.Errorf("%s at %s: %s", s.name, where, oneLine(err.Error()))
}

// oneLine joins a multi-line error (pgx lists every address it tried) into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// Close closes the connections.
func (d *deps) Close() {
	_ = d.redis.Close()
	d.pool.Close()
}

func (e env) migrate(ctx context.Context) error {
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	pool, err := openPostgres(ctx, cfg, e.logger(cfg, false))
	if err != nil {
		return err
	}
	pool.Close()
	fmt.Fprintln(e.stdout, "migrations applied")
	return nil
}

// openForTerminal loads the configuration and opens the connections for a subcommand whose
// output is for a person at a terminal (console, seed, ruolo): unless LOG_LEVEL asks
// otherwise, only warnings and errors are logged, as text on stderr, so that migrations and
// routine messages do not drown the conversation or the report.
func (e env) openForTerminal(ctx context.Context) (config.Config, *slog.Logger, *deps, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return config.Config{}, nil, nil, err
	}
	if e.getenv("LOG_LEVEL") == "" {
		cfg.LogLevel = "warn"
	}
	log := e.logger(cfg, false)
	d, err := openDeps(ctx, cfg, log)
	if err != nil {
		return config.Config{}, nil, nil, err
	}
	return cfg, log, d, nil
}
