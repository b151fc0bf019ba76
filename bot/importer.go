package bot

import (
	"context"
	"io"
)

// ImportKind names what a CSV file holds.
type ImportKind string

// Import kinds, in the order a new organisation is best imported (later kinds refer to
// earlier ones: units to sites, employees to units and skills).
const (
	ImportSites      ImportKind = "sites"
	ImportUnits      ImportKind = "units"
	ImportSkills     ImportKind = "skills"
	ImportObjectives ImportKind = "objectives"
	ImportEmployees  ImportKind = "employees"
)

// ImportKinds lists the kinds in import order.
var ImportKinds = []ImportKind{ImportSites, ImportUnits, ImportSkills, ImportObjectives, ImportEmployees}

// ImportResult reports an import. When Errors is not empty nothing was written.
type ImportResult struct {
	Kind ImportKind
	// Rows is the number of data rows read (the header excluded).
	Rows      int
	Inserted  int
	Updated   int
	Unchanged int
	// Errors lists every bad row (in line order); the import wrote nothing.
	Errors []RowError
}

// RowError is one problem in a CSV file. Code is a stable reason ("unknown_unit",
// "duplicate_email", "bad_level", "missing_column", …) that the core turns into a sentence
// through the catalogue key "import.error.<code>", with Field and Value as arguments.
type RowError struct {
	// Line is the file's line number (the header is line 1); 0 for a whole-file problem.
	Line  int
	Code  string
	Field string
	Value string
}

// Importer loads organisation data from CSV in one transaction: any bad row and nothing is
// written. Re-importing the same file changes nothing (upsert by code or e-mail).
type Importer interface {
	Import(ctx context.Context, kind ImportKind, r io.Reader, actorID *int64) (ImportResult, error)
}
