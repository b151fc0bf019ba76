package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// The organisation the importer tests start from: a small municipality.
const (
	impSites = `code,name,address,adjacent
PAL-COM,Palazzo Comunale,"Piazza del Comune 2, Prato",PAL-PRE
PAL-PRE,Palazzo Pretorio,"Piazza del Comune 1, Prato",
VIA-ROMA,Uffici di Via Roma,"Via Roma 101, Prato",
`
	impUnits = `code,name,type,parent,site
A01-S01-SV01,Servizio Anziani,Servizio,A01-S01,
A01,Area Servizi alla Persona,Area,,PAL-COM
A01-S01,Settore Servizi Sociali,Settore,A01,VIA-ROMA
A02,Area Territorio,Area,,PAL-COM
A02-S01,Settore Urbanistica,Settore,A02,
`
	impSkills = `code,name_it,name_en,category
gis,Sistemi informativi territoriali,Geographic information systems,Tecnica
appalti,Appalti pubblici,Public procurement,Amministrativa
FACILITAZIONE,Facilitazione di gruppi,,Relazionale
`
	impObjectives = `code,title,parent
DUP-1.1,Servizi sociali di prossimità,DUP-1
DUP-1,Prato città inclusiva,
PIAO-3,Digitalizzazione dei servizi,
`
	impEmployees = `email,name,unit,skills,interests,capacity,locale,timezone,handle,slack_id,active
maria.rossi@comune.prato.it,Maria Rossi,A01-S01-SV01,facilitazione:3;gis:1,anziani;volontariato,2,it,Europe/Rome,maria,U0MARIA,sì
Luca.Bianchi@Comune.Prato.it,Luca Bianchi,A02-S01,gis:3;appalti,,3,,,luca,,1
giulia.verdi@comune.prato.it,Giulia Verdi,,,,,en,,,,no
`
)

// impRun imports text and fails the test on an error that is not the file's fault.
func impRun(t *testing.T, im *postgres.Importer, kind bot.ImportKind, text string) bot.ImportResult {
	t.Helper()
	res, err := im.Import(context.Background(), kind, strings.NewReader(text), nil)
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
	return res
}

// impOK imports text and requires it to be accepted with the given counts.
func impOK(t *testing.T, im *postgres.Importer, kind bot.ImportKind, text string, inserted, updated, unchanged int) {
	t.Helper()
	res := impRun(t, im, kind, text)
	if len(res.Errors) > 0 {
		t.Fatalf("import %s rejected: %+v", kind, res.Errors)
	}
	if res.Inserted != inserted || res.Updated != updated || res.Unchanged != unchanged ||
		res.Rows != inserted+updated+unchanged || res.Kind != kind {
		t.Fatalf("import %s = %+v, want %d inserted, %d updated, %d unchanged", kind, res, inserted, updated, unchanged)
	}
}

// impSeed imports the base organisation (sites, units, skills, objectives).
func impSeed(t *testing.T, im *postgres.Importer) {
	t.Helper()
	impOK(t, im, bot.ImportSites, impSites, 3, 0, 0)
	impOK(t, im, bot.ImportUnits, impUnits, 5, 0, 0)
	impOK(t, im, bot.ImportSkills, impSkills, 3, 0, 0)
	impOK(t, im, bot.ImportObjectives, impObjectives, 3, 0, 0)
}

// impTables are the tables an import may write.
var impTables = []string{"sites", "site_adjacency", "org_units", "skills", "objectives", "employees",
	"employee_skills", "employee_identities", "audit_log"}

// impSnapshot records every row version (xmin and ctid) of the tables an import may write: equal
// snapshots mean nothing was inserted, updated or deleted.
func impSnapshot(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range impTables {
		var s string
		err := pool.QueryRow(context.Background(),
			fmt.Sprintf(`SELECT count(*) || ':' || coalesce(string_agg(xmin::text || '@' || ctid::text, ',' ORDER BY ctid), '') FROM %s`, table)).Scan(&s)
		if err != nil {
			t.Fatalf("snapshot %s: %v", table, err)
		}
		out[table] = s
	}
	return out
}

func impSameSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	for _, table := range impTables {
		if before[table] != after[table] {
			t.Errorf("table %s was written: before %s, after %s", table, before[table], after[table])
		}
	}
}

// impRejected imports text, requires it rejected with exactly want (in order), checks that every
// code has a sentence in both catalogues and that nothing was written.
func impRejected(t *testing.T, pool *pgxpool.Pool, im *postgres.Importer, kind bot.ImportKind, text string, want []bot.RowError) {
	t.Helper()
	before := impSnapshot(t, pool)
	res := impRun(t, im, kind, text)
	if res.Inserted+res.Updated+res.Unchanged != 0 {
		t.Errorf("rejected import reports counts: %+v", res)
	}
	if !slices.Equal(res.Errors, want) {
		t.Errorf("errors:\n got %+v\nwant %+v", res.Errors, want)
	}
	for _, e := range res.Errors {
		for _, l := range i18n.Locales() {
			if !i18n.Has(l, "import.error."+e.Code) {
				t.Errorf("no %s sentence for import.error.%s", l, e.Code)
			}
		}
	}
	impSameSnapshot(t, before, impSnapshot(t, pool))
}

func impQueryStrings(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func impWant(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestImportSitesWithAdjacency(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	admin := int64(0)
	if err := pool.QueryRow(context.Background(), `INSERT INTO employees (display_name) VALUES ('Admin') RETURNING id`).Scan(&admin); err != nil {
		t.Fatal(err)
	}
	res, err := im.Import(context.Background(), bot.ImportSites, strings.NewReader(impSites), &admin)
	if err != nil || len(res.Errors) > 0 || res.Inserted != 3 {
		t.Fatalf("import: %+v, %v", res, err)
	}
	impWant(t, "sites", impQueryStrings(t, pool, `SELECT code || '|' || name || '|' || address FROM sites ORDER BY code`),
		[]string{"PAL-COM|Palazzo Comunale|Piazza del Comune 2, Prato", "PAL-PRE|Palazzo Pretorio|Piazza del Comune 1, Prato",
			"VIA-ROMA|Uffici di Via Roma|Via Roma 101, Prato"})
	pairs := `SELECT least(a.code, b.code) || '-' || greatest(a.code, b.code)
		FROM site_adjacency x JOIN sites a ON a.id = x.site_a JOIN sites b ON b.id = x.site_b ORDER BY 1`
	impWant(t, "adjacency", impQueryStrings(t, pool, pairs), []string{"PAL-COM-PAL-PRE"})
	impWant(t, "audit", impQueryStrings(t, pool, `SELECT action || ' ' || subject || ' ' || coalesce(actor_id::text, 'null') || ' ' ||
		(details->>'inserted') || '/' || (details->>'updated') || '/' || (details->>'unchanged') FROM audit_log`),
		[]string{fmt.Sprintf("import.sites sites %d 3/0/0", admin)})

	// The same file again: all unchanged, nothing written (not even the audit log).
	before := impSnapshot(t, pool)
	impOK(t, im, bot.ImportSites, impSites, 0, 0, 3)
	impSameSnapshot(t, before, impSnapshot(t, pool))

	// Declared from the other side, the pair is the same pair: still nothing to write.
	impOK(t, im, bot.ImportSites, "code,name,address,adjacent\nPAL-PRE,Palazzo Pretorio,\"Piazza del Comune 1, Prato\",PAL-COM\n", 0, 0, 1)

	// The file's adjacency replaces that of its sites: PAL-COM loses PAL-PRE and gains VIA-ROMA
	// and a new site (updated, though its name and address stay); no address column keeps the
	// stored addresses.
	impOK(t, im, bot.ImportSites, "Code,Name,Adjacent\nPAL-COM,Palazzo Comunale,VIA-ROMA;NUOVA\nNUOVA,Sede Nuova,\n", 1, 1, 0)
	impWant(t, "adjacency after", impQueryStrings(t, pool, pairs), []string{"NUOVA-PAL-COM", "PAL-COM-VIA-ROMA"})
	impWant(t, "addresses kept", impQueryStrings(t, pool, `SELECT code || '|' || address FROM sites ORDER BY code`),
		[]string{"NUOVA|", "PAL-COM|Piazza del Comune 2, Prato", "PAL-PRE|Piazza del Comune 1, Prato", "VIA-ROMA|Via Roma 101, Prato"})
	// Without an adjacent column the adjacency is left alone.
	impOK(t, im, bot.ImportSites, "code,name\nPAL-COM,Palazzo Comunale\n", 0, 0, 1)
	impWant(t, "adjacency kept", impQueryStrings(t, pool, pairs), []string{"NUOVA-PAL-COM", "PAL-COM-VIA-ROMA"})
}

func TestImportSitesRejections(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	long := strings.Repeat("x", 201)
	impRejected(t, pool, im, bot.ImportSites, `code,name,address,adjacent
NEW-1,Nuova sede,,PAL-COM;BOH
NEW-1,Doppione,,
bad code,Spazio,,
,Senza codice,,
NEW-2,,,NEW-2
NEW-3,`+long+`,,
`, []bot.RowError{
		{Line: 2, Code: "unknown_site", Field: "adjacent", Value: "BOH"},
		{Line: 3, Code: "duplicate_code", Field: "code", Value: "NEW-1"},
		{Line: 4, Code: "bad_code", Field: "code", Value: "bad code"},
		{Line: 5, Code: "missing_value", Field: "code"},
		{Line: 6, Code: "missing_value", Field: "name"},
		{Line: 6, Code: "self_adjacent", Field: "adjacent", Value: "NEW-2"},
		{Line: 7, Code: "too_long", Field: "name", Value: strings.Repeat("x", 59) + "…"},
	})
}

func TestImportUnitsTree(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	tree := `SELECT u.code || '<' || coalesce(p.code, '') || '@' || coalesce(s.code, '') || ' ' || u.type_label
		FROM org_units u LEFT JOIN org_units p ON p.id = u.parent_id LEFT JOIN sites s ON s.id = u.site_id ORDER BY u.code`
	// The first row's parent comes later in the file.
	impWant(t, "tree", impQueryStrings(t, pool, tree), []string{
		"A01<@PAL-COM Area", "A01-S01<A01@VIA-ROMA Settore", "A01-S01-SV01<A01-S01@ Servizio", "A02<@PAL-COM Area", "A02-S01<A02@ Settore"})

	before := impSnapshot(t, pool)
	impOK(t, im, bot.ImportUnits, impUnits, 0, 0, 5)
	impSameSnapshot(t, before, impSnapshot(t, pool))

	// Move the Servizio under the other Area's Settore, rename a unit; without a site column
	// sites stay; a new unit hangs from an existing one.
	impOK(t, im, bot.ImportUnits, `code,name,type,parent
A01-S01-SV01,Servizio Anziani,Servizio,A02-S01
A01,Area Servizi alla Persona e Famiglia,Area,
A02-S01-UF01,Ufficio Cartografia,Ufficio,A02-S01
`, 1, 2, 0)
	impWant(t, "tree after", impQueryStrings(t, pool, tree), []string{
		"A01<@PAL-COM Area", "A01-S01<A01@VIA-ROMA Settore", "A01-S01-SV01<A02-S01@ Servizio", "A02<@PAL-COM Area",
		"A02-S01<A02@ Settore", "A02-S01-UF01<A02-S01@ Ufficio"})
}

func TestImportUnitsRejections(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	impRejected(t, pool, im, bot.ImportUnits, `code,name,type,parent,site
X1,Ufficio X,Ufficio,NOPE,
X2,Ufficio Y,Ufficio,A01,NOSITE
X3,Ufficio Z,,A01,
X4,Ufficio W,`+strings.Repeat("T", 41)+`,,
X5,Ufficio V,Ufficio,X5,
`, []bot.RowError{
		{Line: 2, Code: "unknown_parent", Field: "parent", Value: "NOPE"},
		{Line: 3, Code: "unknown_site", Field: "site", Value: "NOSITE"},
		{Line: 4, Code: "missing_value", Field: "type"},
		{Line: 5, Code: "too_long", Field: "type", Value: strings.Repeat("T", 41)},
		{Line: 6, Code: "cycle", Field: "parent", Value: "X5"},
	})
}

func TestImportUnitsCycles(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	// A cycle within the file: every unit on it is reported; a unit hanging below the cycle
	// is not (its own line is fine).
	impRejected(t, pool, im, bot.ImportUnits, `code,name,type,parent
C1,Uno,Ufficio,C3
C2,Due,Ufficio,C1
C3,Tre,Ufficio,C2
C4,Quattro,Ufficio,C1
`, []bot.RowError{
		{Line: 2, Code: "cycle", Field: "parent", Value: "C1"},
		{Line: 3, Code: "cycle", Field: "parent", Value: "C2"},
		{Line: 4, Code: "cycle", Field: "parent", Value: "C3"},
	})
	// A cycle through the stored tree: the Area would go under its own Servizio.
	impRejected(t, pool, im, bot.ImportUnits, "code,name,type,parent\nA01,Area Servizi alla Persona,Area,A01-S01-SV01\n",
		[]bot.RowError{{Line: 2, Code: "cycle", Field: "parent", Value: "A01"}})
	// Re-rooting in the same file is fine: A01 under A02 while A02 stays a root.
	impOK(t, im, bot.ImportUnits, "code,name,type,parent\nA01,Area Servizi alla Persona,Area,A02\nA02,Area Territorio,Area,\n", 0, 1, 1)
}

func TestImportSkills(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	all := `SELECT code || '|' || name_it || '|' || name_en || '|' || category FROM skills ORDER BY code`
	// Codes are lower-cased; a missing English name is the Italian one.
	impWant(t, "skills", impQueryStrings(t, pool, all), []string{
		"appalti|Appalti pubblici|Public procurement|Amministrativa",
		"facilitazione|Facilitazione di gruppi|Facilitazione di gruppi|Relazionale",
		"gis|Sistemi informativi territoriali|Geographic information systems|Tecnica"})
	before := impSnapshot(t, pool)
	impOK(t, im, bot.ImportSkills, impSkills, 0, 0, 3)
	impSameSnapshot(t, before, impSnapshot(t, pool))
	// Without name_en and category columns the stored ones stay; a new skill takes name_it.
	impOK(t, im, bot.ImportSkills, "code,name_it\ngis,GIS e cartografia\nbilancio,Bilancio\n", 1, 1, 0)
	impWant(t, "skills after", impQueryStrings(t, pool, all), []string{
		"appalti|Appalti pubblici|Public procurement|Amministrativa",
		"bilancio|Bilancio|Bilancio|",
		"facilitazione|Facilitazione di gruppi|Facilitazione di gruppi|Relazionale",
		"gis|GIS e cartografia|Geographic information systems|Tecnica"})

	impRejected(t, pool, im, bot.ImportSkills, `code,name_it,name_en,category
open.data,Open data,,
gis,,,
Appalti,Appalti,,
appalti,Appalti,,
`, []bot.RowError{
		{Line: 2, Code: "bad_code", Field: "code", Value: "open.data"},
		{Line: 3, Code: "missing_value", Field: "name_it"},
		{Line: 5, Code: "duplicate_code", Field: "code", Value: "appalti"},
	})
}

func TestImportObjectives(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	all := `SELECT o.code || '<' || coalesce(p.code, '') || ' ' || o.title FROM objectives o LEFT JOIN objectives p ON p.id = o.parent_id ORDER BY o.code`
	impWant(t, "objectives", impQueryStrings(t, pool, all), []string{
		"DUP-1< Prato città inclusiva", "DUP-1.1<DUP-1 Servizi sociali di prossimità", "PIAO-3< Digitalizzazione dei servizi"})
	before := impSnapshot(t, pool)
	impOK(t, im, bot.ImportObjectives, impObjectives, 0, 0, 3)
	impSameSnapshot(t, before, impSnapshot(t, pool))
	impRejected(t, pool, im, bot.ImportObjectives, `code,title,parent
PIAO-3.1,Open data,PIAO-9
DUP-1,Prato città inclusiva,DUP-1.1
,Senza codice,
`, []bot.RowError{
		{Line: 2, Code: "unknown_parent", Field: "parent", Value: "PIAO-9"},
		{Line: 3, Code: "cycle", Field: "parent", Value: "DUP-1"},
		{Line: 4, Code: "missing_value", Field: "code"},
	})
}

// impEmployeeRows describes every imported employee on one line, skills and identities included.
const impEmployeeRows = `
SELECT e.email || '|' || e.display_name || '|' || coalesce(u.code, '') || '|' || e.capacity || '|' ||
       array_to_string(e.interests, ';') || '|' || coalesce(e.locale, '') || '|' || coalesce(e.timezone, '') || '|' || e.active || '|' ||
       coalesce((SELECT string_agg(s.code || ':' || es.level, ';' ORDER BY s.code) FROM employee_skills es JOIN skills s ON s.id = es.skill_id WHERE es.employee_id = e.id), '') || '|' ||
       coalesce((SELECT string_agg(i.transport || ':' || i.external_id, ';' ORDER BY i.transport) FROM employee_identities i WHERE i.employee_id = e.id), '')
FROM employees e LEFT JOIN org_units u ON u.id = e.unit_id WHERE e.email IS NOT NULL ORDER BY lower(e.email)`

func TestImportEmployees(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	impOK(t, im, bot.ImportEmployees, impEmployees, 3, 0, 0)
	impWant(t, "employees", impQueryStrings(t, pool, impEmployeeRows), []string{
		"giulia.verdi@comune.prato.it|Giulia Verdi||2||en||false||",
		"Luca.Bianchi@Comune.Prato.it|Luca Bianchi|A02-S01|3||||true|appalti:1;gis:3|console:luca",
		"maria.rossi@comune.prato.it|Maria Rossi|A01-S01-SV01|2|anziani;volontariato|it|Europe/Rome|true|facilitazione:3;gis:1|console:maria;slack:U0MARIA",
	})

	// The same file again changes nothing: no row version of any table moves.
	before := impSnapshot(t, pool)
	impOK(t, im, bot.ImportEmployees, impEmployees, 0, 0, 3)
	impSameSnapshot(t, before, impSnapshot(t, pool))

	// Matched by e-mail case-insensitively; only the changed rows are written: Maria's skills
	// are replaced (gis goes, appalti comes, facilitazione changes level), Luca's handle
	// changes. Columns not in the file (interests, locale, …) keep their values; Giulia,
	// absent from the file, is untouched.
	var giuliaXmin, mariaUpdated string
	if err := pool.QueryRow(context.Background(), `SELECT xmin::text FROM employees WHERE email = 'giulia.verdi@comune.prato.it'`).Scan(&giuliaXmin); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(context.Background(), `SELECT updated_at::text FROM employees WHERE email = 'maria.rossi@comune.prato.it'`).Scan(&mariaUpdated); err != nil {
		t.Fatal(err)
	}
	impOK(t, im, bot.ImportEmployees, `email,name,skills,handle
MARIA.ROSSI@comune.prato.it,Maria Rossi,facilitazione:2;appalti:1,
luca.bianchi@comune.prato.it,Luca Bianchi,gis:3;appalti:1,lucab
nuovo.assunto@comune.prato.it,Nuovo Assunto,,
`, 1, 2, 0)
	impWant(t, "employees after", impQueryStrings(t, pool, impEmployeeRows), []string{
		"giulia.verdi@comune.prato.it|Giulia Verdi||2||en||false||",
		"luca.bianchi@comune.prato.it|Luca Bianchi|A02-S01|3||||true|appalti:1;gis:3|console:lucab",
		"MARIA.ROSSI@comune.prato.it|Maria Rossi|A01-S01-SV01|2|anziani;volontariato|it|Europe/Rome|true|appalti:1;facilitazione:2|console:maria;slack:U0MARIA",
		"nuovo.assunto@comune.prato.it|Nuovo Assunto||2||||true||",
	})
	var giuliaAfter, mariaAfter string
	_ = pool.QueryRow(context.Background(), `SELECT xmin::text FROM employees WHERE email = 'giulia.verdi@comune.prato.it'`).Scan(&giuliaAfter)
	_ = pool.QueryRow(context.Background(), `SELECT updated_at::text FROM employees WHERE lower(email) = 'maria.rossi@comune.prato.it'`).Scan(&mariaAfter)
	if giuliaAfter != giuliaXmin {
		t.Errorf("an employee absent from the file was written")
	}
	if mariaAfter == mariaUpdated {
		t.Errorf("updated_at of a changed employee did not move")
	}
	// An empty skills cell with the column present empties the set.
	impOK(t, im, bot.ImportEmployees, "email,name,skills\nluca.bianchi@comune.prato.it,Luca Bianchi,\n", 0, 1, 0)
	impWant(t, "skills emptied", impQueryStrings(t, pool, `SELECT count(*)::text FROM employee_skills es JOIN employees e ON e.id = es.employee_id
		WHERE e.email = 'luca.bianchi@comune.prato.it'`), []string{"0"})
}

func TestImportEmployeesCompletesFirstContact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	store := postgres.NewStore(pool)
	// Two people talked to the bot before the import: one on Slack, one in the console.
	slackUser, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "U0MARIA", DisplayName: "maria"})
	if err != nil {
		t.Fatal(err)
	}
	consoleUser, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportConsole, ExternalID: "luca", DisplayName: "luca"})
	if err != nil {
		t.Fatal(err)
	}
	impOK(t, im, bot.ImportEmployees, impEmployees, 1, 2, 0)
	impWant(t, "rows", impQueryStrings(t, pool, `SELECT id::text FROM employees WHERE email IN ('maria.rossi@comune.prato.it', 'Luca.Bianchi@Comune.Prato.it') ORDER BY email`),
		[]string{fmt.Sprint(consoleUser.ID), fmt.Sprint(slackUser.ID)})
	impWant(t, "no duplicate rows", impQueryStrings(t, pool, `SELECT count(*)::text FROM employees`), []string{"3"})
	e, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "U0MARIA"})
	if err != nil || e.Unit == nil || e.Unit.Code != "A01-S01-SV01" || e.DisplayName != "Maria Rossi" {
		t.Fatalf("Maria after the import: %+v, %v", e, err)
	}
}

func TestImportEmployeesRejections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	impOK(t, im, bot.ImportEmployees, impEmployees, 3, 0, 0)
	// Someone already known by e-mail owns these identities.
	store := postgres.NewStore(pool)
	if _, err := store.EnsureEmployee(ctx, bot.Identity{Transport: bot.TransportSlack, ExternalID: "U0OTHER"}); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE employees SET email = 'other@comune.prato.it' WHERE id = (SELECT employee_id FROM employee_identities WHERE external_id = 'U0OTHER')`); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("N", 81)
	impRejected(t, pool, im, bot.ImportEmployees, `email,name,unit,skills,interests,capacity,locale,timezone,handle,slack_id,active
a@comune.prato.it,Anna,XYZ,gis:3,,2,it,Europe/Rome,,,sì
b@comune.prato.it,Bruno,A01,gis:4;appalti:x;cucina:2;gis:1,,2,,,,,
A@COMUNE.PRATO.IT,Anna di nuovo,,,,,,,,,
non-una-email,Carla,,,,,,,,,
,Dario,,,,,,,,,
e@comune.prato.it,,,,,11,fr,Europa/Roma,,,forse
f@comune.prato.it,`+long+`,,,,-1,,,maria,,
g@comune.prato.it,Gina,,,,x,,,mario rossi,U0OTHER,
h@comune.prato.it,Ugo,,,,,,,gina,not-an-id,
i@comune.prato.it,Ivo,,,,,,,gina,U0MARIA,
j@comune.prato.it,Jole,,,,,,,,U0JOLE,
k@comune.prato.it,Kevin,,,,,,,,u0jole,
`, []bot.RowError{
		{Line: 2, Code: "unknown_unit", Field: "unit", Value: "XYZ"},
		{Line: 3, Code: "bad_level", Field: "skills", Value: "gis:4"},
		{Line: 3, Code: "bad_level", Field: "skills", Value: "appalti:x"},
		{Line: 3, Code: "duplicate_skill", Field: "skills", Value: "gis"},
		{Line: 3, Code: "unknown_skill", Field: "skills", Value: "cucina"},
		{Line: 4, Code: "duplicate_email", Field: "email", Value: "A@COMUNE.PRATO.IT"},
		{Line: 5, Code: "bad_email", Field: "email", Value: "non-una-email"},
		{Line: 6, Code: "missing_value", Field: "email"},
		{Line: 7, Code: "missing_value", Field: "name"},
		// The profile command's range (0–10), not the schema's looser backstop.
		{Line: 7, Code: "bad_capacity", Field: "capacity", Value: "11"},
		{Line: 7, Code: "bad_locale", Field: "locale", Value: "fr"},
		{Line: 7, Code: "bad_timezone", Field: "timezone", Value: "Europa/Roma"},
		{Line: 7, Code: "bad_bool", Field: "active", Value: "forse"},
		{Line: 8, Code: "too_long", Field: "name", Value: strings.Repeat("N", 59) + "…"},
		{Line: 8, Code: "bad_capacity", Field: "capacity", Value: "-1"},
		{Line: 8, Code: "duplicate_handle", Field: "handle", Value: "maria"},
		{Line: 9, Code: "bad_capacity", Field: "capacity", Value: "x"},
		{Line: 9, Code: "bad_handle", Field: "handle", Value: "mario rossi"},
		{Line: 9, Code: "duplicate_slack_id", Field: "slack_id", Value: "U0OTHER"},
		{Line: 10, Code: "bad_slack_id", Field: "slack_id", Value: "not-an-id"},
		{Line: 11, Code: "duplicate_handle", Field: "handle", Value: "gina"},
		{Line: 11, Code: "duplicate_slack_id", Field: "slack_id", Value: "U0MARIA"},
		{Line: 13, Code: "duplicate_slack_id", Field: "slack_id", Value: "U0JOLE"},
	})
	// Too many interests, and one too long.
	impRejected(t, pool, im, bot.ImportEmployees, "email,name,interests\nz@comune.prato.it,Zeno,"+
		strings.Repeat("a;", 31)+strings.Repeat("b", 61)+"\n", []bot.RowError{
		{Line: 2, Code: "too_many_values", Field: "interests", Value: "32"},
		{Line: 2, Code: "too_long", Field: "interests", Value: strings.Repeat("b", 59) + "…"},
	})
	// More skills than a profile may hold (bot.MaxProfileSkills), all of them in the catalogue.
	if _, err := pool.Exec(context.Background(), `INSERT INTO skills (code, name_it, name_en)
		SELECT 'k' || n, 'Competenza ' || n, 'Skill ' || n FROM generate_series(1, $1::int) AS n`, bot.MaxProfileSkills+1); err != nil {
		t.Fatal(err)
	}
	var many []string
	for n := 1; n <= bot.MaxProfileSkills+1; n++ {
		many = append(many, fmt.Sprintf("k%d:2", n))
	}
	impRejected(t, pool, im, bot.ImportEmployees, "email,name,skills\nz@comune.prato.it,Zeno,"+strings.Join(many, ";")+"\n",
		[]bot.RowError{{Line: 2, Code: "too_many_values", Field: "skills", Value: strconv.Itoa(bot.MaxProfileSkills + 1)}})
	for _, l := range i18n.Locales() {
		text := bot.RowErrorText(l, bot.RowError{Line: 2, Code: "too_many_values", Field: "skills", Value: "61"})
		if !strings.Contains(text, strconv.Itoa(bot.MaxProfileSkills)) {
			t.Errorf("%s: %q does not say the limit %d", l, text, bot.MaxProfileSkills)
		}
		text = bot.RowErrorText(l, bot.RowError{Line: 7, Code: "bad_capacity", Field: "capacity", Value: "11"})
		if !strings.Contains(text, strconv.Itoa(bot.MaxCapacity)) || strings.Contains(text, "{") {
			t.Errorf("%s: %q does not say the range", l, text)
		}
	}
}

func TestImportFileProblems(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	cases := []struct {
		name, text string
		want       []bot.RowError
	}{
		{"empty", " \n\n", []bot.RowError{{Line: 0, Code: "empty_file"}}},
		{"missing column", "email,unit\na@b.it,A01\n", []bot.RowError{{Line: 1, Code: "missing_column", Field: "name"}}},
		{"unknown and duplicate columns", "email,name,Reparto,NAME\na@b.it,A,x,y\n", []bot.RowError{
			{Line: 1, Code: "unknown_column", Field: "Reparto"}, {Line: 1, Code: "duplicate_column", Field: "name"}}},
		{"broken quotes", "email,name\na@b.it,Anna \"la\" Rossi\nb@b.it,Bruno\n", []bot.RowError{{Line: 2, Code: "bad_csv"}}},
		{"too many fields", "email,name\na@b.it,Anna,extra\n", []bot.RowError{{Line: 2, Code: "too_many_fields", Value: "extra"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			impRejected(t, pool, im, bot.ImportEmployees, c.text, c.want)
		})
	}
	if _, err := im.Import(context.Background(), "nonsense", strings.NewReader("a\n"), nil); err == nil || bot.ErrorCode(err) != bot.EINTERNAL {
		t.Errorf("unknown kind: %v", err)
	}
}

func TestImportSemicolonsBOMAndWindows1252(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	im := postgres.NewImporter(pool)
	impSeed(t, im)
	// As Italian Excel saves "CSV UTF-8": BOM, ";" between fields, CRLF, spaces around values,
	// a quoted multi-line value, header names in capitals; lists may use "," when unquoted.
	text := "\uFEFF EMAIL ; Name ;Unit;Skills;Interests\r\n" +
		" anna.neri@comune.prato.it ; Anna Neri ; A02-S01 ; gis:2,appalti:3 ; \"anziani;\r\nmobilità\"\r\n" +
		";;;;\r\n" +
		"bruno.blu@comune.prato.it;Bruno Blu;;;\r\n"
	impOK(t, im, bot.ImportEmployees, text, 2, 0, 0)
	impWant(t, "employees", impQueryStrings(t, pool, impEmployeeRows), []string{
		"anna.neri@comune.prato.it|Anna Neri|A02-S01|2|anziani;mobilità|||true|appalti:3;gis:2|",
		"bruno.blu@comune.prato.it|Bruno Blu||2||||true||"})
	// As Excel saves plain "CSV" on Italian Windows: Windows-1252 bytes.
	cp1252 := []byte("code;name_it;name_en;category\nmobilita;Mobilit\xe0 sostenibile;;Tecnica \x96 trasporti\n")
	res, err := im.Import(context.Background(), bot.ImportSkills, strings.NewReader(string(cp1252)), nil)
	if err != nil || len(res.Errors) > 0 || res.Inserted != 1 {
		t.Fatalf("Windows-1252: %+v, %v", res, err)
	}
	impWant(t, "decoded", impQueryStrings(t, pool, `SELECT name_it || '|' || category FROM skills WHERE code = 'mobilita'`),
		[]string{"Mobilità sostenibile|Tecnica – trasporti"})
	// Line numbers count physical lines, so a multi-line value does not shift them.
	impRejected(t, pool, im, bot.ImportEmployees, "email;name;unit\r\nx@comune.prato.it;\"Due\r\nrighe\";A01\r\ny@comune.prato.it;Ypsilon;NOPE\r\n",
		[]bot.RowError{{Line: 4, Code: "unknown_unit", Field: "unit", Value: "NOPE"}})
}
