// Package postgres is the system of record: the pgx pool, migrations (goose for the schema,
// rivermigrate for River's tables) and the stores that implement the core's interfaces. It is
// the only package that writes SQL.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
)

// Open connects a pool to url and checks the connection. A short connect timeout keeps a
// request from hanging when the database is down: the user gets "temporarily unavailable"
// instead, and the pool reconnects by itself when the database is back.
// DefaultMaxConns is the pool size unless DATABASE_URL sets pool_max_conns.
const DefaultMaxConns = 20

func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > 5*time.Second {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	cfg.HealthCheckPeriod = 15 * time.Second
	if !strings.Contains(url, "pool_max_conns") {
		// pgxpool's default (the number of CPUs, at least 4) is too few here: a schedule's
		// firing holds its transaction while the work it runs takes other connections, and
		// River's ten workers and its own services share the pool.
		cfg.MaxConns = DefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres pool: %w", err)
	}
	return pool, nil
}

// Ping reports whether the database answers, within a short deadline.
func Ping(ctx context.Context, pool *pgxpool.Pool) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := pool.Ping(ctx); err != nil {
		return wrap("ping", err)
	}
	return nil
}

// wrap names the operation and marks connection failures as bot.ErrUnavailable, so that the
// core answers "temporarily unavailable" rather than "internal error".
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, errors.Join(bot.ErrNotFound, err))
	}
	if isUnavailable(err) {
		return fmt.Errorf("%s: %w", op, errors.Join(bot.ErrUnavailable, err))
	}
	return fmt.Errorf("%s: %w", op, err)
}

func isUnavailable(err error) bool {
	var (
		connErr *pgconn.ConnectError
		netErr  net.Error
		pgErr   *pgconn.PgError
	)
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		// A connection cut mid-conversation surfaces as an (unexpected) EOF.
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot
		// connect now (starting up).
		return len(pgErr.Code) == 5 && (pgErr.Code[:2] == "08" || pgErr.Code == "57P01" ||
			pgErr.Code == "57P02" || pgErr.Code == "57P03")
	}
	return false
}
