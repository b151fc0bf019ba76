package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
)

// Importer implements bot.Importer: it loads organisation data from CSV files into PostgreSQL.
//
// Each import is one transaction. Row-local checks (required fields, formats, levels,
// duplicates within the file) run in Go; checks that need the database (references to codes,
// e-mails and chat identities owned by someone else) run as set-based SQL over a temporary
// staging table filled with COPY, so that 50,000 rows take seconds and every bad row is found
// in one pass. Any bad row and the transaction is rolled back; otherwise rows are upserted by
// code (or e-mail), and rows that would not change are not written at all.
type Importer struct {
	pool *pgxpool.Pool
}

// NewImporter returns an Importer on pool.
func NewImporter(pool *pgxpool.Pool) *Importer { return &Importer{pool: pool} }

var _ bot.Importer = (*Importer)(nil)

// importLockKey serialises imports (pg_advisory_xact_lock): two admins importing at once
// must not both decide that a code is new, and units must not read sites half-imported.
const importLockKey int64 = 0x63616e7469657269 // "cantieri"

// errImportRejected rolls back an import that found bad rows; Import turns it into a result.
var errImportRejected = errors.New("import rejected")

// importCounts are the outcome of a successful import.
type importCounts struct {
	inserted, updated, unchanged int
}

// kindImport is one kind of file: its columns, its Go validation, and its SQL.
type kindImport interface {
	// columns lists the file's columns.
	columns() []importColumn
	// parse validates the rows in Go, adding row-local problems to errs and keeping what the
	// SQL steps need. It runs before the transaction starts.
	parse(t *importTable, errs *importErrors)
	// stage creates the temporary tables and fills them with COPY.
	stage(ctx context.Context, tx pgx.Tx) error
	// check adds the problems that need the database to errs.
	check(ctx context.Context, tx pgx.Tx, errs *importErrors) error
	// apply writes the rows (only called when errs is empty) and returns the counts.
	apply(ctx context.Context, tx pgx.Tx) (importCounts, error)
}

func newKindImport(kind bot.ImportKind) kindImport {
	switch kind {
	case bot.ImportSites:
		return &siteImport{}
	case bot.ImportUnits:
		return &unitImport{}
	case bot.ImportSkills:
		return &skillImport{}
	case bot.ImportObjectives:
		return &objectiveImport{}
	case bot.ImportEmployees:
		return &employeeImport{}
	}
	return nil
}

// Import reads a CSV file of kind and loads it in one transaction. A file with any bad row
// changes nothing: the result lists every problem (Errors) and the error is nil. The error is
// for failures that are not the file's fault (the database is down, the reader fails).
// actorID is the admin who imports (nil for the CLI), recorded in the audit log.
func (im *Importer) Import(ctx context.Context, kind bot.ImportKind, r io.Reader, actorID *int64) (bot.ImportResult, error) {
	res := bot.ImportResult{Kind: kind}
	k := newKindImport(kind)
	if k == nil {
		// The core parses the kind (bot.ParseImportKind): another one is a caller's bug.
		return res, fmt.Errorf("import: unknown kind %q", kind)
	}
	errs := &importErrors{}
	t, err := readImportCSV(r, k.columns(), errs)
	if err != nil {
		return res, fmt.Errorf("import %s: %w", kind, err)
	}
	if t == nil {
		// The header is unusable: there is nothing sensible to say about the rows.
		res.Errors = errs.sorted()
		return res, nil
	}
	res.Rows = len(t.rows)
	k.parse(t, errs)

	var c importCounts
	err = pgx.BeginFunc(ctx, im.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, importLockKey); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		// Each statement runs once over many rows: JIT compilation costs more (hundreds of
		// milliseconds per statement) than it saves.
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off`); err != nil {
			return fmt.Errorf("jit off: %w", err)
		}
		if err := k.stage(ctx, tx); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
		// The database checks run even when Go found problems, so that one reply lists them all.
		if err := k.check(ctx, tx, errs); err != nil {
			return fmt.Errorf("check: %w", err)
		}
		if !errs.empty() {
			return errImportRejected
		}
		if c, err = k.apply(ctx, tx); err != nil {
			return fmt.Errorf("apply: %w", err)
		}
		if c.inserted+c.updated == 0 {
			// An identical re-import writes nothing, not even an audit entry: nothing changed.
			return nil
		}
		var actor int64
		if actorID != nil {
			actor = *actorID
		}
		return audit(ctx, tx, actor, "import."+string(kind), string(kind), map[string]any{
			"rows": res.Rows, "inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged,
		})
	})
	if errors.Is(err, errImportRejected) {
		res.Errors = errs.sorted()
		return res, nil
	}
	if err != nil {
		return res, wrap("import "+string(kind), err)
	}
	res.Inserted, res.Updated, res.Unchanged = c.inserted, c.updated, c.unchanged
	return res, nil
}

// Patterns the schema enforces too (see migrations/00003_organisation.sql); checked here so
// that the reply names the line instead of failing the whole transaction.
var (
	importCodePattern      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
	importSkillCodePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
)

// importRequireCode checks a code cell: present, well-formed, and not seen before in the file.
// It reports whether the row can be staged (it has a code at all).
func importRequireCode(r importRow, field, code string, pattern *regexp.Regexp, seen map[string]int, errs *importErrors) bool {
	switch {
	case code == "":
		errs.add(r.line, "missing_value", field, "")
		return false
	case !pattern.MatchString(code):
		errs.add(r.line, "bad_code", field, code)
	case seen[code] != 0:
		errs.add(r.line, "duplicate_code", field, code)
	default:
		seen[code] = r.line
	}
	return true
}

// importRequireText checks a text cell: present when required, at most max characters.
func importRequireText(r importRow, field, v string, required bool, max int, errs *importErrors) {
	switch {
	case v == "" && required:
		errs.add(r.line, "missing_value", field, "")
	case importTooLong(v, max):
		errs.add(r.line, "too_long", field, v)
	}
}

// importCollectErrors runs a query returning (line, code, field, value) rows and adds them to errs.
func importCollectErrors(ctx context.Context, tx pgx.Tx, errs *importErrors, sql string, args ...any) error {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			line               int
			code, field, value string
		)
		if err := rows.Scan(&line, &code, &field, &value); err != nil {
			return err
		}
		errs.add(line, code, field, value)
	}
	return rows.Err()
}

// importExec runs statements in order, stopping at the first failure.
func importExec(ctx context.Context, tx pgx.Tx, stmts ...string) error {
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// importStatusCounts counts a staging table's rows by status ('insert', 'update', 'same').
func importStatusCounts(ctx context.Context, tx pgx.Tx, table string) (importCounts, error) {
	var c importCounts
	err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'insert'), count(*) FILTER (WHERE status = 'update'),
		count(*) FILTER (WHERE status = 'same') FROM `+table).Scan(&c.inserted, &c.updated, &c.unchanged)
	return c, err
}
