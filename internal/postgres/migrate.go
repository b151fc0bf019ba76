package postgres

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/comune-prato/cantieri/migrations"
)

// migrationLockKey is the advisory lock that serialises migrations across processes: two
// replicas starting at once take turns, and the second finds nothing left to do.
const migrationLockKey = 0x63616e74 // "cant"

// Migrate applies the schema migrations and River's, holding a session advisory lock so that it
// is safe to run from several processes at once. It is idempotent.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return wrap("migrate: acquire connection", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return wrap("migrate: take lock", err)
	}
	defer func() {
		// A fresh context: the unlock must happen even if ctx was cancelled meanwhile.
		if _, err := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLockKey); err != nil {
			log.Warn("migrate: release lock", "err", err)
		}
	}()

	if err := migrateSchema(ctx, pool, log); err != nil {
		return err
	}
	// The shipped survey templates, each installed once (under the same lock, so two
	// replicas starting together install them once).
	if err := installDefaultSurveys(ctx, pool); err != nil {
		return err
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("migrate: river migrator: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return wrap("migrate: river", err)
	}
	for _, v := range res.Versions {
		log.Info("applied river migration", "version", v.Version)
	}
	return nil
}

func migrateSchema(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	sub, err := fs.Sub(migrations.FS, ".")
	if err != nil {
		return fmt.Errorf("migrate: migrations fs: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub)
	if err != nil {
		return fmt.Errorf("migrate: goose provider: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return wrap("migrate: schema", err)
	}
	for _, r := range results {
		log.Info("applied migration", "file", r.Source.Path, "duration_ms", r.Duration.Milliseconds())
	}
	return nil
}
