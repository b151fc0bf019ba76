// Package pgtest gives each test its own PostgreSQL database, cloned from a template that has
// every migration (ours and River's) applied, so that tests run in parallel against the real
// server and leave nothing behind. It wraps peterldowns/pgtestdb.
package pgtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"

	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/survey"
	"github.com/comune-prato/cantieri/migrations"
)

// DefaultURL is the server tests use unless TEST_DATABASE_URL says otherwise.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL returns the admin connection URL for the test server.
func ServerURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// NewPool returns a pool on a fresh, fully migrated database for t, dropped when t passes.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	conf := NewDatabase(t)
	pool, err := pgxpool.New(context.Background(), conf)
	if err != nil {
		t.Fatalf("pgtest: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewDatabase returns the URL of a fresh, fully migrated database for t.
func NewDatabase(t testing.TB) string {
	t.Helper()
	u, err := url.Parse(ServerURL())
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", ServerURL(), err)
	}
	pw, _ := u.User.Password()
	conf := pgtestdb.Config{
		DriverName: "pgx",
		User:       u.User.Username(),
		Password:   pw,
		Host:       u.Hostname(),
		Port:       u.Port(),
		Database:   strings.TrimPrefix(u.Path, "/"),
		// synchronous_commit=off (a run-time option sent at connect, by pgx and libpq alike, for this
		// database's connections only): a commit does not wait for its WAL flush. A test
		// database dies with its test, so durability across a server crash buys nothing, and
		// the suite commits tens of thousands of small transactions; the server's own setting
		// is left as it is.
		Options: "sslmode=disable&options=-c%20synchronous_commit%3Doff",
	}
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// migrator applies Cantieri's migrations to pgtestdb's template database.
type migrator struct{}

// Hash changes whenever a migration file or River's migration line changes, so that the
// template is rebuilt exactly when needed.
func (migrator) Hash() (string, error) {
	h := sha256.New()
	// The shipped survey templates are installed by Migrate too.
	for _, fsys := range []fs.ReadFileFS{migrations.FS, survey.DefaultFiles} {
		if err := hashFiles(h, fsys); err != nil {
			return "", err
		}
	}
	h.Write([]byte(riverVersion()))
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

func (migrator) Migrate(ctx context.Context, db *sql.DB, conf pgtestdb.Config) error {
	pool, err := pgxpool.New(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer pool.Close()
	return postgres.Migrate(ctx, pool, slog.New(slog.DiscardHandler))
}

// riverVersion names the River module in the build, so that upgrading River (and so its
// migration line) rebuilds the template.
func riverVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/riverqueue/river" {
				return d.Path + "@" + d.Version
			}
		}
	}
	return "github.com/riverqueue/river"
}

// hashFiles writes every file of fsys, path and content, into h.
func hashFiles(h io.Writer, fsys fs.ReadFileFS) error {
	return fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fsys.ReadFile(path)
		if err != nil {
			return err
		}
		_, _ = h.Write([]byte(path))
		_, _ = h.Write(b)
		return nil
	})
}
