package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// importCSV runs "cantieri import KIND FILE.csv": the same import as "admin importa" in chat,
// with no actor in the audit log (the CLI is the system). It prints the same report, in
// BOT_LOCALE; a file with errors (nothing changed) ends the process with 1.
func (e env) importCSV(ctx context.Context, kind bot.ImportKind, path string) error {
	in := e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	res, locale, err := e.importFile(ctx, kind, in)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, bot.ImportReply(locale, res).PlainText())
	if len(res.Errors) > 0 {
		return exitCode(1)
	}
	return nil
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
	pool, err := openPostgres(ctx, cfg, log)
	if err != nil {
		return bot.ImportResult{}, "", err
	}
	defer pool.Close()
	res, err := postgres.NewImporter(pool).Import(ctx, kind, r, nil)
	if err != nil {
		return bot.ImportResult{}, "", fmt.Errorf("import %s: %w", kind, err)
	}
	return res, cfg.Locale, nil
}
