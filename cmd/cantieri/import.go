package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

const importUsage = `Uso / Usage: cantieri import TIPO FILE.csv     (FILE "-" = stdin)

  TIPO / KIND: sedi|sites, unita|units, competenze|skills, obiettivi|objectives, dipendenti|employees
  In quest'ordine / in this order. Formati / formats: docs/import.md
  Un file con errori non cambia nulla (uscita 1) / a file with errors changes nothing (exit 1).
`

// importCommand runs "cantieri import KIND FILE.csv": the same import as "admin importa" in
// chat, with no actor in the audit log (the CLI is the system). It prints the same report, in
// BOT_LOCALE, and returns the exit code: 0 imported, 1 rejected (the file has errors; nothing
// changed) or failed, 2 bad usage.
func (e env) importCommand(ctx context.Context, args []string) int {
	if len(args) != 2 {
		fmt.Fprint(e.stderr, importUsage)
		return 2
	}
	kind, ok := bot.ParseImportKind(args[0])
	if !ok {
		fmt.Fprintf(e.stderr, "cantieri import: unknown kind %q\n\n%s", args[0], importUsage)
		return 2
	}
	in := e.stdin
	if args[1] != "-" {
		f, err := os.Open(args[1])
		if err != nil {
			fmt.Fprintf(e.stderr, "cantieri import: %v\n", err)
			return 1
		}
		defer f.Close()
		in = f
	}
	res, locale, err := e.importFile(ctx, kind, in)
	if err != nil {
		fmt.Fprintf(e.stderr, "cantieri import: %v\n", err)
		return 1
	}
	fmt.Fprintln(e.stdout, bot.ImportReply(locale, res).PlainText())
	if len(res.Errors) > 0 {
		return 1
	}
	return 0
}

// importFile connects to PostgreSQL only (an import needs no Redis), applies the migrations
// and imports r. It returns the result and the locale to report it in.
func (e env) importFile(ctx context.Context, kind bot.ImportKind, r io.Reader) (bot.ImportResult, string, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return bot.ImportResult{}, "", err
	}
	if e.getenv("LOG_LEVEL") == "" {
		cfg.LogLevel = "warn" // the report is the output; migrations need not chat
	}
	log := e.logger(cfg, false)
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return bot.ImportResult{}, "", err
	}
	defer pool.Close()
	if err := postgres.Ping(ctx, pool); err != nil {
		return bot.ImportResult{}, "", fmt.Errorf("PostgreSQL is not reachable at DATABASE_URL (start it, e.g. `docker compose up -d postgres`): %w", err)
	}
	if err := postgres.Migrate(ctx, pool, log); err != nil {
		return bot.ImportResult{}, "", err
	}
	res, err := postgres.NewImporter(pool).Import(ctx, kind, r, nil)
	if err != nil {
		return bot.ImportResult{}, "", fmt.Errorf("import %s: %w", kind, err)
	}
	return res, cfg.Locale, nil
}
