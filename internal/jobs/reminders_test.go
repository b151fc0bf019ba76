package jobs_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// Two replicas fire the reminders schedule every second for a while: each due reminder (a
// project past its planned end, an indicator with no recent measurement) reaches its
// coordinator exactly once, and a project that is on track is never reminded.
func TestProjectRemindersAreSentOnceAcrossTwoRunners(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	poolA, poolB := openPool(t, url), openPool(t, url)
	ctx := context.Background()
	_, err := poolA.Exec(ctx, `
		INSERT INTO employees (display_name, email, locale) VALUES ('Carla Coord', 'carla@comune.example.it', 'en'), ('Nico Senza', 'nico@comune.example.it', NULL);
		INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'slack', 'UCARLA', id FROM employees WHERE email = 'carla@comune.example.it';
		INSERT INTO projects (title, phase, coordinator_id, planned_start, planned_end)
			SELECT v.title, v.phase, e.id, current_date - 200, current_date + v.end_offset
			FROM (VALUES ('Late project', 'progettazione', -10), ('On track', 'realizzazione', 30),
			             ('Measured', 'realizzazione', 60), ('Closed late', 'monitoraggio', -40)) AS v(title, phase, end_offset),
			     employees e WHERE e.email = 'carla@comune.example.it';
		-- Nico has no Slack identity: nobody to write to.
		INSERT INTO projects (title, phase, coordinator_id, planned_end)
			SELECT 'Nobody to tell', 'ideazione', id, current_date - 5 FROM employees WHERE email = 'nico@comune.example.it';
		INSERT INTO indicators (project_id, kind, name, baseline, target, direction, created_at)
			SELECT id, 'output', 'Sportelli aperti', 0, 10, 'up', now() - interval '90 days' FROM projects WHERE title = 'On track';
		INSERT INTO indicators (project_id, kind, name, baseline, target, direction, created_at)
			SELECT id, 'outcome', 'Tempo di attesa', 30, 10, 'down', now() - interval '90 days' FROM projects WHERE title = 'Measured';
		INSERT INTO indicator_measurements (indicator_id, measured_on, value)
			SELECT id, current_date - 3, 20 FROM indicators WHERE name = 'Tempo di attesa';`)
	if err != nil {
		t.Fatal(err)
	}
	poster := &fakePoster{}
	m := metrics.New()
	cfg := jobs.Config{
		Metrics: m, Poster: poster, CronSeconds: true,
		Schedules: []jobs.Schedule{jobs.ProjectRemindersSchedule("* * * * * *", postgres.Reminders{}, 30*24*time.Hour)},
	}
	startRunner(t, poolA, cfg)
	startRunner(t, poolB, cfg)

	// Wait for several firings and for the posts they enqueued.
	deadline := time.Now().Add(testTimeout)
	for {
		var firings int
		if err := poolA.QueryRow(ctx, `SELECT count(*) FROM scheduled_runs WHERE schedule = $1`, jobs.ProjectRemindersScheduleName).Scan(&firings); err != nil {
			t.Fatal(err)
		}
		_, posts := poster.snapshot()
		if firings >= 4 && len(posts) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d firings, %d posts", testTimeout, firings, len(posts))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Let any duplicate that would slip through show up.
	time.Sleep(1500 * time.Millisecond)

	_, posts := poster.snapshot()
	var texts []string
	for _, p := range posts {
		if p.Channel != "UCARLA" {
			t.Errorf("reminder sent to %q, want the coordinator's DM", p.Channel)
		}
		texts = append(texts, p.Reply.Text)
	}
	sort.Strings(texts)
	if len(texts) != 2 || !strings.Contains(texts[0], "«Sportelli aperti»") || !strings.Contains(texts[1], "«Late project»") ||
		!strings.HasPrefix(texts[0], "Reminder:") {
		t.Fatalf("reminders = %q", texts)
	}
	var recorded int
	_ = poolA.QueryRow(ctx, `SELECT count(*) FROM project_reminders`).Scan(&recorded)
	if recorded != 2 {
		t.Fatalf("project_reminders rows = %d, want 2", recorded)
	}
}
