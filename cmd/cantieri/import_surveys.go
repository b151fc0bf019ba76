package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/comune-prato/cantieri/internal/config"
	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/survey"
)

// isSurveysKind reports whether an import kind names the survey templates file.
func isSurveysKind(kind string) bool {
	switch strings.ToLower(kind) {
	case "questionari", "surveys":
		return true
	}
	return false
}

// importSurveys runs "cantieri import questionari FILE.yaml": the file is validated whole first
// (every problem listed with its line and field, in BOT_LOCALE, exit 1, nothing stored), then
// imported in one transaction: a new template makes version 1, a changed one a new version.
func (e env) importSurveys(ctx context.Context, path string) error {
	in := e.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	data, err := io.ReadAll(io.LimitReader(in, 4<<20))
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	templates, problems := survey.Parse(data)
	if len(problems) > 0 {
		fmt.Fprintln(e.stdout, i18n.T(cfg.Locale, "survey.import.failed", "n", len(problems)))
		for _, p := range problems {
			fmt.Fprintln(e.stdout, "• "+p.Text(cfg.Locale))
		}
		return exitCode(1)
	}
	if e.getenv("LOG_LEVEL") == "" {
		cfg.LogLevel = "warn" // the report is the output; migrations need not chat
	}
	store, closeStore, err := e.openSurveyStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeStore()
	res, err := store.ImportTemplates(ctx, templates, 0)
	if err != nil {
		return fmt.Errorf("import surveys: %w", err)
	}
	fmt.Fprintln(e.stdout, i18n.T(cfg.Locale, "survey.import.summary", "templates", res.Templates,
		"created", res.Created, "versioned", res.Versioned, "unchanged", res.Unchanged))
	return nil
}

// openSurveyStore opens the database (migrating it) and the survey store on it, for the
// command-line survey tools (import, export); close releases the pool.
func (e env) openSurveyStore(ctx context.Context, cfg config.Config) (store *postgres.SurveyStore, close func(), err error) {
	pool, err := openPostgres(ctx, cfg, e.logger(cfg, false))
	if err != nil {
		return nil, nil, err
	}
	store, err = postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: cfg.SurveyMinRespondents,
		Keys: cfg.SurveyKeys, DepartmentType: cfg.DepartmentType})
	if err != nil {
		pool.Close()
		return nil, nil, err
	}
	return store, pool.Close, nil
}
