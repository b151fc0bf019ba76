package postgres

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/bot"
)

// importColumn describes one column an import file may have.
type importColumn struct {
	name     string
	required bool
}

// importTable is a CSV file read into memory: the header's column positions and the data rows.
type importTable struct {
	index map[string]int
	rows  []importRow
}

// importRow is one data record and the line it starts on (the header is line 1).
type importRow struct {
	line   int
	fields []string
}

// has reports whether the file has column name. An optional column that is absent leaves the
// stored value as it is; one that is present but empty sets the default.
func (t *importTable) has(name string) bool {
	_, ok := t.index[name]
	return ok
}

// get returns row's value in column name, trimmed, or "" when the column is absent or the row
// is short (some spreadsheets drop trailing empty cells).
func (t *importTable) get(r importRow, name string) string {
	i, ok := t.index[name]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return r.fields[i]
}

// importErrors collects every problem found in a file, in the order found; sorted by line at the
// end so that the reply reads top to bottom.
type importErrors struct {
	list []bot.RowError
}

// importMaxErrorValue bounds a value quoted back in an error: enough to recognise it, short enough
// for a chat line.
const importMaxErrorValue = 60

func (e *importErrors) add(line int, code, field, value string) {
	if utf8.RuneCountInString(value) > importMaxErrorValue {
		value = string([]rune(value)[:importMaxErrorValue-1]) + "…"
	}
	e.list = append(e.list, bot.RowError{Line: line, Code: code, Field: field, Value: value})
}

func (e *importErrors) empty() bool { return len(e.list) == 0 }

// sorted returns the errors ordered by line, keeping the order found within a line.
func (e *importErrors) sorted() []bot.RowError {
	out := slices.Clone(e.list)
	slices.SortStableFunc(out, func(a, b bot.RowError) int { return a.Line - b.Line })
	return out
}

// importBOM is what Excel puts at the start of a "CSV UTF-8" file.
var importBOM = []byte{0xEF, 0xBB, 0xBF}

// readImportCSV reads an import file: it strips a UTF-8 BOM, decodes Windows-1252 when the bytes are
// not UTF-8 (Excel's plain "CSV" export on an Italian Windows), picks "," or ";" as delimiter
// from the header line (Italian Excel writes ";"), checks the header against cols and returns
// the data rows with their line numbers, every field trimmed, blank rows skipped. Problems
// with the header or the CSV syntax are added to errs; a nil table means the header was
// unusable and the rows were not read.
func readImportCSV(r io.Reader, cols []importColumn, errs *importErrors) (*importTable, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read CSV: %w", err)
	}
	data = bytes.TrimPrefix(data, importBOM)
	if !utf8.Valid(data) {
		data = decodeWindows1252(data)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		errs.add(0, "empty_file", "", "")
		return nil, nil
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.TrimLeadingSpace = true // `a; "b c"` is a quoted value after a space, as people type it
	cr.FieldsPerRecord = -1    // short and long rows are reported (or tolerated) by us, per row
	header, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			errs.add(pe.StartLine, "bad_csv", "", "")
			return nil, nil
		}
		return nil, fmt.Errorf("read CSV header: %w", err)
	}
	headerLine, _ := cr.FieldPos(0)
	t := &importTable{index: map[string]int{}}
	known := map[string]importColumn{}
	for _, c := range cols {
		known[c.name] = c
	}
	ok := true
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		switch _, isKnown := known[name]; {
		case name == "":
			// Spreadsheets often export trailing empty columns; a value under one is
			// reported per row (too_many_fields).
			continue
		case !isKnown:
			errs.add(headerLine, "unknown_column", strings.TrimSpace(h), "")
			ok = false
		case t.has(name):
			errs.add(headerLine, "duplicate_column", name, "")
			ok = false
		default:
			t.index[name] = i
		}
	}
	for _, c := range cols {
		if c.required && !t.has(c.name) {
			errs.add(headerLine, "missing_column", c.name, "")
			ok = false
		}
	}
	if !ok {
		return nil, nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// encoding/csv resumes at the next record, so every broken line is reported.
			errs.add(pe.StartLine, "bad_csv", "", "")
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		blank := true
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
			blank = blank && rec[i] == ""
		}
		if blank {
			continue
		}
		for i, v := range rec {
			if v != "" && (i >= len(header) || strings.TrimSpace(header[i]) == "") {
				errs.add(line, "too_many_fields", "", v)
				break
			}
		}
		t.rows = append(t.rows, importRow{line: line, fields: rec})
	}
	return t, nil
}

// sniffDelimiter returns ';' when the header line has more semicolons than commas, else ','.
// Header names never contain either, so the count is reliable.
func sniffDelimiter(data []byte) rune {
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		return ';'
	}
	return ','
}

// windows1252 maps the bytes 0x80–0x9F, where Windows-1252 differs from Latin-1; the other
// bytes are their own code points. Undefined bytes stay as the C1 control they would be.
var windows1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// decodeWindows1252 converts Windows-1252 text to UTF-8.
func decodeWindows1252(data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(data) + len(data)/8)
	for _, c := range data {
		switch {
		case c < 0x80:
			b.WriteByte(c)
		case c < 0xA0:
			b.WriteRune(windows1252[c-0x80])
		default:
			b.WriteRune(rune(c))
		}
	}
	return b.Bytes()
}

// importList splits a multi-valued cell ("a;b;c") into trimmed, non-empty items. seps are the
// accepted separators: codes also accept "," because a code never contains one, so that a
// list typed in a ";"-delimited file needs no quotes.
func importList(v, seps string) []string {
	if v == "" {
		return nil
	}
	parts := strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(seps, r) })
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// importTooLong reports whether s has more than n characters (runes, as PostgreSQL's length counts).
func importTooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// importNull returns nil (SQL NULL) for "" and s otherwise, for COPY.
func importNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}
