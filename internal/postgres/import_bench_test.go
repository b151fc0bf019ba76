package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

const benchEmployees = 50_000

// benchEmployeesCSV is a realistic employees.csv: every column filled, three skills each,
// spread over 40 units and 60 skills. With shift the names change, so that every row is an
// update.
func benchEmployeesCSV(shift int) []byte {
	var b bytes.Buffer
	b.WriteString("email,name,unit,skills,interests,capacity,locale,timezone,handle,slack_id,active\n")
	for i := range benchEmployees {
		fmt.Fprintf(&b, "persona%d@comune.prato.it,Persona %d,U%02d,s%02d:%d;s%02d:%d;s%02d:%d,open data;mobilità,%d,%s,Europe/Rome,p%d,U%08d,%s\n",
			i, i+shift, i%40, i%60, 1+i%3, (i+7)%60, 1+(i+1)%3, (i+19)%60, 1+(i+2)%3, i%5, []string{"it", "en", ""}[i%3], i, i,
			[]string{"no", "sì"}[min(i%10, 1)])
	}
	return b.Bytes()
}

// benchOrganisation imports the units and skills the employees refer to.
func benchOrganisation(b *testing.B, im *postgres.Importer) {
	b.Helper()
	var units, skills strings.Builder
	units.WriteString("code,name,type,parent\nROOT,Comune,Area,\n")
	for i := range 40 {
		fmt.Fprintf(&units, "U%02d,Unità %d,Settore,ROOT\n", i, i)
	}
	skills.WriteString("code,name_it\n")
	for i := range 60 {
		fmt.Fprintf(&skills, "s%02d,Competenza %d\n", i, i)
	}
	for kind, text := range map[bot.ImportKind]string{bot.ImportUnits: units.String(), bot.ImportSkills: skills.String()} {
		res, err := im.Import(context.Background(), kind, strings.NewReader(text), nil)
		if err != nil || len(res.Errors) > 0 {
			b.Fatalf("import %s: %+v, %v", kind, res.Errors, err)
		}
	}
}

func benchImport(b *testing.B, im *postgres.Importer, data []byte) bot.ImportResult {
	b.Helper()
	res, err := im.Import(context.Background(), bot.ImportEmployees, bytes.NewReader(data), nil)
	if err != nil || len(res.Errors) > 0 {
		b.Fatalf("import: %v, %d errors, first %+v", err, len(res.Errors), res.Errors[:min(len(res.Errors), 1)])
	}
	return res
}

// BenchmarkImportEmployees50k imports 50,000 employees (each with three skills and two chat
// identities) into a fresh database, re-imports the same file (nothing changes) and a file in
// which every row changes. The baseline is the floor of any import: COPY of the same 50,000
// rows into a bare table, no checks, no upsert.
//
//	go test -run '^$' -bench ImportEmployees -benchtime=1x ./internal/postgres/
func BenchmarkImportEmployees50k(b *testing.B) {
	data := benchEmployeesCSV(0)
	changed := benchEmployeesCSV(1)
	report := func(b *testing.B) {
		b.ReportMetric(float64(benchEmployees*b.N)/b.Elapsed().Seconds(), "rows/s")
	}

	b.Run("baseline_copy", func(b *testing.B) {
		pool := pgtest.NewPool(b)
		rows := make([][]any, benchEmployees)
		for i := range rows {
			rows[i] = []any{fmt.Sprintf("persona%d@comune.prato.it", i), fmt.Sprintf("Persona %d", i), fmt.Sprintf("U%02d", i%40)}
		}
		ctx := context.Background()
		for b.Loop() {
			b.StopTimer()
			if _, err := pool.Exec(ctx, `DROP TABLE IF EXISTS bench_copy; CREATE TABLE bench_copy (email text, name text, unit text)`); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_copy"}, []string{"email", "name", "unit"}, pgx.CopyFromRows(rows)); err != nil {
				b.Fatal(err)
			}
		}
		report(b)
	})

	b.Run("insert", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			im := postgres.NewImporter(pgtest.NewPool(b))
			benchOrganisation(b, im)
			b.StartTimer()
			if res := benchImport(b, im, data); res.Inserted != benchEmployees {
				b.Fatalf("inserted %d", res.Inserted)
			}
		}
		report(b)
	})

	im := postgres.NewImporter(pgtest.NewPool(b))
	benchOrganisation(b, im)
	benchImport(b, im, data)
	b.Run("unchanged", func(b *testing.B) {
		for b.Loop() {
			if res := benchImport(b, im, data); res.Unchanged != benchEmployees {
				b.Fatalf("unchanged %d", res.Unchanged)
			}
		}
		report(b)
	})

	b.Run("update_all", func(b *testing.B) {
		next := [2][]byte{changed, data}
		i := 0
		for b.Loop() {
			if res := benchImport(b, im, next[i%2]); res.Updated != benchEmployees {
				b.Fatalf("updated %d", res.Updated)
			}
			i++
		}
		report(b)
	})
}
