package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/teamform"
)

func TestTeamPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := postgres.NewStore(pool, postgres.WithDepartmentType("Settore"))
	_, err := pool.Exec(ctx, `
		INSERT INTO sites (code, name) VALUES ('PC', 'Palazzo Comunale'), ('PB', 'Palazzo Banci');
		INSERT INTO site_adjacency (site_a, site_b) SELECT a.id, b.id FROM sites a, sites b WHERE a.code = 'PC' AND b.code = 'PB';
		INSERT INTO org_units (code, name, type_label, site_id) SELECT 'A01', 'Area Territorio', 'Area', id FROM sites WHERE code = 'PB';
		INSERT INTO org_units (code, name, type_label, parent_id) SELECT 'A01-S01', 'Settore Urbanistica', 'Settore', id FROM org_units WHERE code = 'A01';
		INSERT INTO org_units (code, name, type_label, parent_id, site_id)
			SELECT 'A01-S01-V01', 'Servizio Piani', 'Servizio', u.id, s.id FROM org_units u, sites s WHERE u.code = 'A01-S01' AND s.code = 'PC';
		INSERT INTO skills (code, name_it, name_en) VALUES ('gis', 'GIS', 'GIS'), ('appalti', 'Appalti', 'Procurement'), ('bilancio', 'Bilancio', 'Budgeting');
		INSERT INTO employees (display_name, email, unit_id, capacity, active) VALUES
			('Anna', 'anna@example.it', (SELECT id FROM org_units WHERE code = 'A01-S01-V01'), 2, true),
			('Bruno', 'bruno@example.it', (SELECT id FROM org_units WHERE code = 'A01'), 2, true),
			('Piena', 'piena@example.it', (SELECT id FROM org_units WHERE code = 'A01-S01'), 2, true),
			('Spento', 'spento@example.it', (SELECT id FROM org_units WHERE code = 'A01-S01'), 2, false),
			('Zero', 'zero@example.it', (SELECT id FROM org_units WHERE code = 'A01-S01'), 0, true),
			('Senza', 'senza@example.it', NULL, 2, true);
		INSERT INTO employee_skills (employee_id, skill_id, level)
			SELECT e.id, s.id, l FROM (VALUES ('Anna', 'gis', 3), ('Anna', 'bilancio', 1), ('Bruno', 'appalti', 2), ('Piena', 'gis', 2)) AS v(n, c, l)
			JOIN employees e ON e.display_name = n JOIN skills s ON s.code = c;
		INSERT INTO projects (title, phase, team_size) VALUES ('Nuovo', 'ideazione', 4), ('A', 'realizzazione', 3), ('B', 'monitoraggio', 3);
		INSERT INTO project_skills (project_id, skill_id, min_level, count)
			SELECT 1, id, 2, 1 FROM skills WHERE code IN ('gis', 'appalti');
		INSERT INTO team_members (project_id, employee_id) SELECT p.id, e.id FROM projects p, employees e WHERE p.id IN (2, 3) AND e.display_name = 'Piena';
		INSERT INTO collaboration_edges (employee_a, employee_b, source)
			SELECT a.id, b.id, 'import' FROM employees a, employees b WHERE a.display_name = 'Anna' AND b.display_name = 'Bruno';
		INSERT INTO collaboration_edges (employee_a, employee_b, source)
			SELECT a.id, b.id, 'meeting' FROM employees a, employees b WHERE a.display_name = 'Anna' AND b.display_name = 'Piena';
	`)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	var settore, servizio, area, pc, pb, gis int64
	for name, dst := range map[string]*int64{"Anna": new(int64), "Bruno": new(int64), "Piena": new(int64)} {
		if err := pool.QueryRow(ctx, `SELECT id FROM employees WHERE display_name = $1`, name).Scan(dst); err != nil {
			t.Fatal(err)
		}
		ids[name] = *dst
	}
	for q, dst := range map[string]*int64{
		`SELECT id FROM org_units WHERE code = 'A01-S01'`: &settore, `SELECT id FROM org_units WHERE code = 'A01-S01-V01'`: &servizio,
		`SELECT id FROM org_units WHERE code = 'A01'`: &area, `SELECT id FROM sites WHERE code = 'PC'`: &pc,
		`SELECT id FROM sites WHERE code = 'PB'`: &pb, `SELECT id FROM skills WHERE code = 'gis'`: &gis,
	} {
		if err := pool.QueryRow(ctx, q).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}

	tp, err := store.TeamPool(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tp.TeamSize != 4 || len(tp.Required) != 2 || tp.Skills[teamform.SkillID(gis)].Code != "gis" {
		t.Errorf("requirements = %+v size %d skills %+v", tp.Required, tp.TeamSize, tp.Skills)
	}
	want := []teamform.Candidate{
		{ID: ids["Anna"], Unit: servizio, Department: settore, Site: pc, Capacity: 2, Skills: []teamform.SkillLevel{{Skill: teamform.SkillID(gis), Level: 3}}},
		{ID: ids["Bruno"], Unit: area, Department: 0, Site: pb, Capacity: 2},
	}
	if len(tp.Candidates) != 2 || tp.Candidates[0].ID != want[0].ID || tp.Candidates[0].Department != settore || tp.Candidates[0].Site != pc ||
		tp.Candidates[0].Unit != servizio || !slices.Equal(tp.Candidates[0].Skills, want[0].Skills) ||
		tp.Candidates[1].ID != want[1].ID || tp.Candidates[1].Department != 0 || tp.Candidates[1].Site != pb || len(tp.Candidates[1].Skills) != 1 {
		t.Errorf("candidates = %+v", tp.Candidates)
	}
	if p := tp.People[ids["Anna"]]; p != (bot.TeamPerson{Name: "Anna", Unit: "Servizio Piani", Department: "Settore Urbanistica"}) {
		t.Errorf("Anna = %+v", p)
	}
	if len(tp.Links) != 1 || tp.Links[0] != [2]int64{min(ids["Anna"], ids["Bruno"]), max(ids["Anna"], ids["Bruno"])} {
		t.Errorf("links = %v (Piena's edge must be left out: she has no capacity)", tp.Links)
	}
	if len(tp.Adjacent) != 1 || tp.Adjacent[0] != [2]int64{min(pc, pb), max(pc, pb)} {
		t.Errorf("adjacent = %v", tp.Adjacent)
	}

	// A concluded project frees capacity: Piena is back with one place left.
	if _, err := pool.Exec(ctx, `UPDATE projects SET phase = 'concluso' WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	tp, err = store.TeamPool(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(tp.Candidates, func(c teamform.Candidate) bool { return c.ID == ids["Piena"] })
	if i < 0 || tp.Candidates[i].Capacity != 1 || len(tp.Links) != 2 {
		t.Errorf("after concluding: candidates %+v links %v", tp.Candidates, tp.Links)
	}

	if _, err := store.TeamPool(ctx, 99); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("missing project: %v", err)
	}
}
