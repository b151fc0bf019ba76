package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	goredis "github.com/redis/go-redis/v9"

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
// processes starting at once) and to Redis. Both must answer at start, with an error that says
// which one to start; later outages are survived and reported by /readyz.
func openDeps(ctx context.Context, cfg config.Config, log *slog.Logger) (*deps, error) {
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	if err := postgres.Ping(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("PostgreSQL is not reachable at DATABASE_URL (start it, e.g. `docker compose up -d postgres`): %w", err)
	}
	if err := postgres.Migrate(ctx, pool, log); err != nil {
		pool.Close()
		return nil, err
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
		return nil, fmt.Errorf("Redis is not reachable at REDIS_URL (start it, e.g. `docker compose up -d redis`): %w", err)
	}
	return &deps{pool: pool, redis: rc}, nil
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
	log := e.logger(cfg, false)
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool, log); err != nil {
		return err
	}
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
