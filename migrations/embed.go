// Package migrations holds the SQL schema of Cantieri as numbered goose files, embedded in the
// binary so that `cantieri migrate` (and serve/console at start) need nothing on disk.
package migrations

import "embed"

// FS holds the *.sql migration files.
//
//go:embed *.sql
var FS embed.FS
