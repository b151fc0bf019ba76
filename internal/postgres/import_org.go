package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Staging tables live in the import's transaction only (ON COMMIT DROP); they have no
// constraints beyond the line number, because they also hold the rows that failed the Go
// checks (so that the database checks can still report on them).

// importCopy creates a staging table with ddl and fills it with COPY.
func importCopy(ctx context.Context, tx pgx.Tx, ddl, table string, cols []string, rows [][]any) error {
	if _, err := tx.Exec(ctx, ddl); err != nil {
		return fmt.Errorf("create %s: %w", table, err)
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("copy into %s: %w", table, err)
	}
	// Temporary tables get no statistics from autovacuum; without them the planner guesses
	// badly on the big joins of a 50,000-row import.
	if _, err := tx.Exec(ctx, "ANALYZE "+table); err != nil {
		return fmt.Errorf("analyze %s: %w", table, err)
	}
	return nil
}

// ---- sites ------------------------------------------------------------------------------

// siteImport imports sites.csv: code, name, address, adjacent (site codes separated by ";").
type siteImport struct {
	hasAddress, hasAdjacent bool
	rows                    [][]any
}

func (s *siteImport) columns() []importColumn {
	return []importColumn{{"code", true}, {"name", true}, {"address", false}, {"adjacent", false}}
}

func (s *siteImport) parse(t *importTable, errs *importErrors) {
	s.hasAddress, s.hasAdjacent = t.has("address"), t.has("adjacent")
	seen := map[string]int{}
	for _, r := range t.rows {
		code := t.get(r, "code")
		staged := importRequireCode(r, "code", code, importCodePattern, seen, errs)
		name := t.get(r, "name")
		importRequireText(r, "name", name, true, 200, errs)
		var address any // NULL: the column is absent, keep what is stored
		if s.hasAddress {
			a := t.get(r, "address")
			importRequireText(r, "address", a, false, 300, errs)
			address = a
		}
		adjacent := []string{}
		for _, a := range importList(t.get(r, "adjacent"), ";,") {
			switch {
			case a == code:
				errs.add(r.line, "self_adjacent", "adjacent", a)
			case !slices.Contains(adjacent, a):
				adjacent = append(adjacent, a)
			}
		}
		if staged {
			s.rows = append(s.rows, []any{int32(r.line), code, name, address, adjacent})
		}
	}
}

func (s *siteImport) stage(ctx context.Context, tx pgx.Tx) error {
	return importCopy(ctx, tx, `CREATE TEMP TABLE import_sites (
		line int PRIMARY KEY, code text NOT NULL, name text, address text, adjacent text[],
		site_id bigint, status text) ON COMMIT DROP`,
		"import_sites", []string{"line", "code", "name", "address", "adjacent"}, s.rows)
}

func (s *siteImport) check(ctx context.Context, tx pgx.Tx, errs *importErrors) error {
	// An adjacent site may be in this file or already stored.
	return importCollectErrors(ctx, tx, errs, `
		SELECT s.line, 'unknown_site', 'adjacent', a.code
		FROM import_sites s, unnest(s.adjacent) WITH ORDINALITY AS a(code, n)
		WHERE NOT EXISTS (SELECT 1 FROM import_sites t WHERE t.code = a.code)
		  AND NOT EXISTS (SELECT 1 FROM sites x WHERE x.code = a.code)
		ORDER BY s.line, a.n`)
}

func (s *siteImport) apply(ctx context.Context, tx pgx.Tx) (importCounts, error) {
	if _, err := tx.Exec(ctx, `
		UPDATE import_sites s SET site_id = x.id, address = CASE WHEN $1 THEN s.address ELSE x.address END
		FROM sites x WHERE x.code = s.code`, s.hasAddress); err != nil {
		return importCounts{}, err
	}
	err := importExec(ctx, tx,
		`UPDATE import_sites SET address = coalesce(address, ''),
			status = CASE WHEN site_id IS NULL THEN 'insert' ELSE 'same' END`,
		`UPDATE import_sites s SET status = 'update' FROM sites x
			WHERE x.id = s.site_id AND (x.name, x.address) IS DISTINCT FROM (s.name, s.address)`,
		`INSERT INTO sites (code, name, address)
			SELECT code, name, address FROM import_sites WHERE status = 'insert' ORDER BY line`,
		`UPDATE import_sites s SET site_id = x.id FROM sites x WHERE s.status = 'insert' AND x.code = s.code`,
		`UPDATE sites x SET name = s.name, address = s.address
			FROM import_sites s WHERE s.status = 'update' AND x.id = s.site_id`,
	)
	if err != nil {
		return importCounts{}, err
	}
	if s.hasAdjacent {
		// The file's adjacency replaces that of its sites: pairs touching a site of the file
		// and declared by no row go, declared pairs come; a site whose set changes counts as
		// updated. Each pair is stored once, smaller id first.
		err := importExec(ctx, tx,
			`CREATE TEMP TABLE import_site_pairs ON COMMIT DROP AS
				SELECT DISTINCT least(s.site_id, o.id) AS site_a, greatest(s.site_id, o.id) AS site_b
				FROM import_sites s, unnest(s.adjacent) AS a(code) JOIN sites o ON o.code = a.code`,
			`WITH cur AS (
				SELECT site_a, site_b FROM site_adjacency
				WHERE site_a IN (SELECT site_id FROM import_sites) OR site_b IN (SELECT site_id FROM import_sites)
			), gone AS (
				DELETE FROM site_adjacency d USING (SELECT * FROM cur EXCEPT SELECT * FROM import_site_pairs) g
				WHERE d.site_a = g.site_a AND d.site_b = g.site_b
				RETURNING d.site_a, d.site_b
			), added AS (
				INSERT INTO site_adjacency (site_a, site_b)
				SELECT site_a, site_b FROM import_site_pairs EXCEPT SELECT site_a, site_b FROM cur
				RETURNING site_a, site_b
			), touched AS (
				SELECT site_a AS id FROM gone UNION SELECT site_b FROM gone
				UNION SELECT site_a FROM added UNION SELECT site_b FROM added
			)
			UPDATE import_sites s SET status = 'update' WHERE s.status = 'same' AND s.site_id IN (SELECT id FROM touched)`,
		)
		if err != nil {
			return importCounts{}, fmt.Errorf("site adjacency: %w", err)
		}
	}
	return importStatusCounts(ctx, tx, "import_sites")
}

// ---- org units ----------------------------------------------------------------------------

// unitImport imports units.csv: code, name, type, parent (a unit code), site (a site code).
type unitImport struct {
	hasParent, hasSite bool
	rows               [][]any
}

func (u *unitImport) columns() []importColumn {
	return []importColumn{{"code", true}, {"name", true}, {"type", true}, {"parent", false}, {"site", false}}
}

func (u *unitImport) parse(t *importTable, errs *importErrors) {
	u.hasParent, u.hasSite = t.has("parent"), t.has("site")
	seen := map[string]int{}
	for _, r := range t.rows {
		code := t.get(r, "code")
		staged := importRequireCode(r, "code", code, importCodePattern, seen, errs)
		name, typ := t.get(r, "name"), t.get(r, "type")
		importRequireText(r, "name", name, true, 200, errs)
		importRequireText(r, "type", typ, true, 40, errs)
		parent := t.get(r, "parent")
		if parent != "" && parent == code {
			errs.add(r.line, "cycle", "parent", code)
		}
		if staged {
			u.rows = append(u.rows, []any{int32(r.line), code, name, typ, importNull(parent), importNull(t.get(r, "site"))})
		}
	}
}

func (u *unitImport) stage(ctx context.Context, tx pgx.Tx) error {
	return importCopy(ctx, tx, `CREATE TEMP TABLE import_units (
		line int PRIMARY KEY, code text NOT NULL, name text, type_label text, parent_code text, site_code text,
		unit_id bigint, parent_id bigint, site_id bigint, status text) ON COMMIT DROP`,
		"import_units", []string{"line", "code", "name", "type_label", "parent_code", "site_code"}, u.rows)
}

func (u *unitImport) check(ctx context.Context, tx pgx.Tx, errs *importErrors) error {
	err := importCollectErrors(ctx, tx, errs, `
		SELECT line, 'unknown_parent', 'parent', parent_code FROM import_units s
		WHERE parent_code IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM import_units t WHERE t.code = s.parent_code)
		  AND NOT EXISTS (SELECT 1 FROM org_units o WHERE o.code = s.parent_code)
		UNION ALL
		SELECT line, 'unknown_site', 'site', site_code FROM import_units s
		WHERE site_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sites x WHERE x.code = s.site_code)`)
	if err != nil || !u.hasParent {
		// Without a parent column no parent changes, and the stored tree has no cycle.
		return err
	}
	return importCollectErrors(ctx, tx, errs, importCycleQuery("import_units", "org_units"))
}

// importCycleQuery finds the rows of a staging table whose code would become its own ancestor in the
// tree that results from the import: the file's parents override the stored ones. Each row
// walks up from its parent; a walk that comes back to its start is a cycle. The path stops
// walks caught in a cycle that does not include their start (that cycle's own rows report it).
func importCycleQuery(stage, table string) string {
	return fmt.Sprintf(`
		WITH RECURSIVE tree(code, parent) AS (
			SELECT code, parent_code FROM %[1]s
			UNION ALL
			SELECT o.code, p.code FROM %[2]s o LEFT JOIN %[2]s p ON p.id = o.parent_id
			WHERE NOT EXISTS (SELECT 1 FROM %[1]s s WHERE s.code = o.code)
		), walk(line, start, cur, path) AS (
			SELECT s.line, s.code, s.parent_code, ARRAY[s.code] FROM %[1]s s
			WHERE s.parent_code IS NOT NULL AND s.parent_code <> s.code
			UNION ALL
			SELECT w.line, w.start, t.parent, w.path || w.cur FROM walk w JOIN tree t ON t.code = w.cur
			WHERE t.parent IS NOT NULL AND NOT w.cur = ANY (w.path)
		)
		SELECT DISTINCT line, 'cycle', 'parent', start FROM walk WHERE cur = start ORDER BY line`, stage, table)
}

func (u *unitImport) apply(ctx context.Context, tx pgx.Tx) (importCounts, error) {
	// Absent columns keep the stored values (read back as codes, compared as ids below).
	if _, err := tx.Exec(ctx, `
		UPDATE import_units s SET unit_id = o.id,
			parent_code = CASE WHEN $1 THEN s.parent_code ELSE p.code END,
			site_code   = CASE WHEN $2 THEN s.site_code ELSE x.code END
		FROM org_units o LEFT JOIN org_units p ON p.id = o.parent_id LEFT JOIN sites x ON x.id = o.site_id
		WHERE o.code = s.code`, u.hasParent, u.hasSite); err != nil {
		return importCounts{}, err
	}
	// New units go in without a parent (it may be new too, later in the file), then every
	// parent is resolved; the deferred trigger re-checks the tree at commit.
	err := importExec(ctx, tx,
		`UPDATE import_units s SET site_id = x.id FROM sites x WHERE x.code = s.site_code`,
		`INSERT INTO org_units (code, name, type_label, site_id)
			SELECT code, name, type_label, site_id FROM import_units WHERE unit_id IS NULL ORDER BY line`,
		`UPDATE import_units s SET unit_id = o.id, status = 'insert' FROM org_units o
			WHERE s.unit_id IS NULL AND o.code = s.code`,
		`UPDATE import_units s SET parent_id = o.id FROM org_units o WHERE o.code = s.parent_code`,
		`UPDATE import_units s SET status = CASE WHEN (o.name, o.type_label, o.parent_id, o.site_id)
				IS DISTINCT FROM (s.name, s.type_label, s.parent_id, s.site_id) THEN 'update' ELSE 'same' END
			FROM org_units o WHERE o.id = s.unit_id AND s.status IS NULL`,
		`UPDATE org_units o SET name = s.name, type_label = s.type_label, parent_id = s.parent_id, site_id = s.site_id
			FROM import_units s WHERE o.id = s.unit_id
			  AND (s.status = 'update' OR (s.status = 'insert' AND s.parent_id IS NOT NULL))`,
	)
	if err != nil {
		return importCounts{}, err
	}
	return importStatusCounts(ctx, tx, "import_units")
}

// ---- skills -------------------------------------------------------------------------------

// skillImport imports skills.csv: code, name_it, name_en, category.
type skillImport struct {
	hasNameEN, hasCategory bool
	rows                   [][]any
}

func (s *skillImport) columns() []importColumn {
	return []importColumn{{"code", true}, {"name_it", true}, {"name_en", false}, {"category", false}}
}

func (s *skillImport) parse(t *importTable, errs *importErrors) {
	s.hasNameEN, s.hasCategory = t.has("name_en"), t.has("category")
	seen := map[string]int{}
	for _, r := range t.rows {
		// Codes are what people type in "profilo competenze=gis:3": lower case, so that
		// "GIS" in a spreadsheet is the same skill.
		code := strings.ToLower(t.get(r, "code"))
		staged := importRequireCode(r, "code", code, importSkillCodePattern, seen, errs)
		nameIT := t.get(r, "name_it")
		importRequireText(r, "name_it", nameIT, true, 120, errs)
		var nameEN, category any
		if s.hasNameEN {
			n := t.get(r, "name_en")
			importRequireText(r, "name_en", n, false, 120, errs)
			if n == "" {
				n = nameIT
			}
			nameEN = n
		}
		if s.hasCategory {
			c := t.get(r, "category")
			importRequireText(r, "category", c, false, 60, errs)
			category = c
		}
		if staged {
			s.rows = append(s.rows, []any{int32(r.line), code, nameIT, nameEN, category})
		}
	}
}

func (s *skillImport) stage(ctx context.Context, tx pgx.Tx) error {
	return importCopy(ctx, tx, `CREATE TEMP TABLE import_skills (
		line int PRIMARY KEY, code text NOT NULL, name_it text, name_en text, category text,
		skill_id bigint, status text) ON COMMIT DROP`,
		"import_skills", []string{"line", "code", "name_it", "name_en", "category"}, s.rows)
}

// check has nothing to ask the database: a skill refers to nothing.
func (s *skillImport) check(context.Context, pgx.Tx, *importErrors) error { return nil }

func (s *skillImport) apply(ctx context.Context, tx pgx.Tx) (importCounts, error) {
	if _, err := tx.Exec(ctx, `
		UPDATE import_skills s SET skill_id = k.id,
			name_en  = CASE WHEN $1 THEN s.name_en ELSE k.name_en END,
			category = CASE WHEN $2 THEN s.category ELSE k.category END
		FROM skills k WHERE k.code = s.code`, s.hasNameEN, s.hasCategory); err != nil {
		return importCounts{}, err
	}
	err := importExec(ctx, tx,
		`UPDATE import_skills SET name_en = coalesce(name_en, name_it), category = coalesce(category, ''),
			status = CASE WHEN skill_id IS NULL THEN 'insert' ELSE 'same' END`,
		`UPDATE import_skills s SET status = 'update' FROM skills k
			WHERE k.id = s.skill_id AND (k.name_it, k.name_en, k.category) IS DISTINCT FROM (s.name_it, s.name_en, s.category)`,
		`INSERT INTO skills (code, name_it, name_en, category)
			SELECT code, name_it, name_en, category FROM import_skills WHERE status = 'insert' ORDER BY line`,
		`UPDATE skills k SET name_it = s.name_it, name_en = s.name_en, category = s.category
			FROM import_skills s WHERE s.status = 'update' AND k.id = s.skill_id`,
	)
	if err != nil {
		return importCounts{}, err
	}
	return importStatusCounts(ctx, tx, "import_skills")
}

// ---- objectives ---------------------------------------------------------------------------

// objectiveImport imports objectives.csv: code, title, parent (an objective code).
type objectiveImport struct {
	hasParent bool
	rows      [][]any
}

func (o *objectiveImport) columns() []importColumn {
	return []importColumn{{"code", true}, {"title", true}, {"parent", false}}
}

func (o *objectiveImport) parse(t *importTable, errs *importErrors) {
	o.hasParent = t.has("parent")
	seen := map[string]int{}
	for _, r := range t.rows {
		code := t.get(r, "code")
		staged := importRequireCode(r, "code", code, importCodePattern, seen, errs)
		title := t.get(r, "title")
		importRequireText(r, "title", title, true, 300, errs)
		parent := t.get(r, "parent")
		if parent != "" && parent == code {
			errs.add(r.line, "cycle", "parent", code)
		}
		if staged {
			o.rows = append(o.rows, []any{int32(r.line), code, title, importNull(parent)})
		}
	}
}

func (o *objectiveImport) stage(ctx context.Context, tx pgx.Tx) error {
	return importCopy(ctx, tx, `CREATE TEMP TABLE import_objectives (
		line int PRIMARY KEY, code text NOT NULL, title text, parent_code text,
		objective_id bigint, parent_id bigint, status text) ON COMMIT DROP`,
		"import_objectives", []string{"line", "code", "title", "parent_code"}, o.rows)
}

func (o *objectiveImport) check(ctx context.Context, tx pgx.Tx, errs *importErrors) error {
	err := importCollectErrors(ctx, tx, errs, `
		SELECT line, 'unknown_parent', 'parent', parent_code FROM import_objectives s
		WHERE parent_code IS NOT NULL
		  AND NOT EXISTS (SELECT 1 FROM import_objectives t WHERE t.code = s.parent_code)
		  AND NOT EXISTS (SELECT 1 FROM objectives b WHERE b.code = s.parent_code)`)
	if err != nil || !o.hasParent {
		return err
	}
	return importCollectErrors(ctx, tx, errs, importCycleQuery("import_objectives", "objectives"))
}

func (o *objectiveImport) apply(ctx context.Context, tx pgx.Tx) (importCounts, error) {
	if _, err := tx.Exec(ctx, `
		UPDATE import_objectives s SET objective_id = b.id,
			parent_code = CASE WHEN $1 THEN s.parent_code ELSE p.code END
		FROM objectives b LEFT JOIN objectives p ON p.id = b.parent_id
		WHERE b.code = s.code`, o.hasParent); err != nil {
		return importCounts{}, err
	}
	err := importExec(ctx, tx,
		`INSERT INTO objectives (code, title)
			SELECT code, title FROM import_objectives WHERE objective_id IS NULL ORDER BY line`,
		`UPDATE import_objectives s SET objective_id = b.id, status = 'insert' FROM objectives b
			WHERE s.objective_id IS NULL AND b.code = s.code`,
		`UPDATE import_objectives s SET parent_id = b.id FROM objectives b WHERE b.code = s.parent_code`,
		`UPDATE import_objectives s SET status = CASE WHEN (b.title, b.parent_id) IS DISTINCT FROM (s.title, s.parent_id)
				THEN 'update' ELSE 'same' END
			FROM objectives b WHERE b.id = s.objective_id AND s.status IS NULL`,
		`UPDATE objectives b SET title = s.title, parent_id = s.parent_id
			FROM import_objectives s WHERE b.id = s.objective_id
			  AND (s.status = 'update' OR (s.status = 'insert' AND s.parent_id IS NOT NULL))`,
	)
	if err != nil {
		return importCounts{}, err
	}
	return importStatusCounts(ctx, tx, "import_objectives")
}
