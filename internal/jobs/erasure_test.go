package jobs_test

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// The strings that identify Zebedeo, or that he wrote: none may survive his erasure.
var zebedeo = []string{
	"Zebedeo", "Quarzifero", // his name
	"zebquarz",                          // his console handle
	"zebedeo.quarzifero@comune.example", // his e-mail
	"U0ZEBEDEO",                         // his Slack id
	"motivo-segretissimo",               // the reason he gave for declining
	"filatelia-zebrata",                 // an interest in his profile
	"Pacific/Chatham",                   // his time zone, from Slack
}

// waitQueueDrained waits until River has no post left to work.
func waitQueueDrained(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job
			WHERE state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs still to work after %v", n, testTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pgDump returns `pg_dump --data-only` of the database at url.
func pgDump(t *testing.T, url string) string {
	t.Helper()
	out, err := exec.Command("pg_dump", "--data-only", "--no-owner", "--dbname", url).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("pg_dump: %v %s", err, msg)
	}
	return string(out)
}

// After `privacy cancella`, a dump of the whole database (River's tables included) holds
// nothing that identifies the person or that they wrote: not in the employee row, the audit
// log, the records of sent messages, the texts waiting to be sent (to them, or naming them to
// others), nor River's jobs, finished or queued. The coordinator of a team he had accepted
// to join learns that a place opened, with a proposed replacement, and nothing about him.
func TestErasureLeavesNothingInADump(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump is not installed (it comes with PostgreSQL's client tools): cannot check what a dump holds")
	}
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	pool := openPool(t, url)
	meetSeed(t, pool)
	run := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	// Zebedeo, imported with his e-mail and a console handle, and Teo share a rare skill.
	run(`INSERT INTO skills (code, name_it, name_en) VALUES ('zoologia', 'Zoologia', 'Zoology');
		INSERT INTO objectives (code, title) VALUES ('OB-1', 'Biodiversità urbana');
		INSERT INTO employees (display_name, email, unit_id)
			SELECT 'Zebedeo Quarzifero', 'zebedeo.quarzifero@comune.example.it', id FROM org_units WHERE code = 'A01-S03';
		INSERT INTO employee_identities (transport, external_id, employee_id)
			SELECT 'console', 'zebquarz', id FROM employees WHERE display_name = 'Zebedeo Quarzifero';
		INSERT INTO employee_skills (employee_id, skill_id, level)
			SELECT e.id, s.id, 3 FROM employees e, skills s WHERE e.display_name IN ('Zebedeo Quarzifero', 'Teo')`)
	outbox, err := jobs.NewOutbox(pool)
	if err != nil {
		t.Fatal(err)
	}
	outbound := postgres.NewOutbound(pool)
	outbox.KeepTextsIn(outbound)
	store := postgres.NewStore(pool, postgres.WithOutbox(outbox))
	core := bot.New(bot.Config{Store: store, Projects: store, Teams: store, Meetings: store, DefaultLocale: "it",
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))})
	id := func(handle string) int64 {
		t.Helper()
		e, err := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: handle})
		if err != nil {
			t.Fatal(err)
		}
		return e.ID
	}
	zeb, teo, carla := id("zebquarz"), id("teo"), id("carla")
	// The Slack sync links him by e-mail (audited) and brings his Slack locale and time zone.
	if _, err := store.SyncSlackUsers(ctx, []bot.SlackUser{{ID: "U0ZEBEDEO", Name: "Zebedeo Quarzifero",
		Email: "zebedeo.quarzifero@comune.example.it", Timezone: "Pacific/Chatham", Locale: "pt-BR"}}); err != nil {
		t.Fatal(err)
	}
	// An admin makes Carla a coordinator, and Zebedeo too (he is the target of an audit row).
	for _, who := range []int64{carla, zeb} {
		if err := store.GrantRole(ctx, 0, who, bot.RoleCoordinator, nil); err != nil {
			t.Fatal(err)
		}
	}

	poster := &fakePoster{}
	runnerCfg := jobs.Config{Poster: poster, Outbound: outbound, Due: store}
	runner := newRunner(t, pool, runnerCfg)
	if err := runner.Start(ctx); err != nil {
		t.Fatal(err)
	}

	meetAsk(t, core, "zebquarz", `profilo interessi="filatelia-zebrata"`)
	// Project 1: he is invited (Teo left out of the proposal) and declines, with a reason that
	// reaches Carla through River.
	for _, title := range []string{"Oasi urbana", "Corridoi verdi"} {
		meetAsk(t, core, "carla", fmt.Sprintf(`progetto nuovo titolo=%q obiettivi=OB-1 competenze=zoologia:1x1 squadra=3`, title))
	}
	meetAsk(t, core, "carla", fmt.Sprintf("squadra 1 conferma escludi=%d", teo))
	waitQueueDrained(t, pool) // his invitation reaches him before he answers
	meetAsk(t, core, "zebquarz", `invito 1 rifiuta motivo="motivo-segretissimo"`)
	// An exchange programme: he joins, asks never to meet Gina, is grouped, answers.
	meetAsk(t, core, "carla", `incontri nuovo nome="Caffè tra uffici" cron="0 10 * * 2" gruppo=2`)
	for _, who := range []string{"zebquarz", "paolo", "greta", "aldo"} {
		meetAsk(t, core, who, "incontri iscrivimi 1")
	}
	meetAsk(t, core, "zebquarz", "incontri mai @gina")
	meetAsk(t, core, "carla", "incontri 1 round")
	var round int64
	if err := pool.QueryRow(ctx, `SELECT id FROM meeting_rounds`).Scan(&round); err != nil {
		t.Fatal(err)
	}
	meetAsk(t, core, "zebquarz", fmt.Sprintf("incontri giro %d sì", round))
	waitQueueDrained(t, pool)
	_, posts := poster.snapshot()
	var toHim, abouthim int
	for _, p := range posts {
		if strings.Contains(p.Channel, "U0ZEBEDEO") {
			toHim++
		}
		if strings.Contains(p.Reply.Text, "motivo-segretissimo") {
			abouthim++
		}
	}
	if toHim < 2 || abouthim != 1 {
		t.Fatalf("before the erasure he should have had his invitation and his group's message (%d), and Carla his reason (%d): %+v",
			toHim, abouthim, posts)
	}

	// With the workers stopped, project 2 invites him and he accepts: his invitation and the
	// news of his acceptance to Carla wait in the queue when he erases his data.
	stopRunner(t, runner)
	meetAsk(t, core, "carla", fmt.Sprintf("squadra 2 conferma escludi=%d", teo))
	meetAsk(t, core, "zebquarz", "invito 2 accetta")
	meetAsk(t, core, "zebquarz", "privacy cancella conferma")

	dump := pgDump(t, url)
	for _, s := range zebedeo {
		if i := strings.Index(dump, s); i >= 0 {
			line := dump[strings.LastIndex(dump[:i], "\n")+1:]
			if j := strings.Index(line, "\n"); j >= 0 {
				line = line[:j]
			}
			t.Errorf("after the erasure the dump still holds %q:\n%.400s", s, line)
		}
	}
	var leftovers int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM employees WHERE id = $1 AND (slack_locale IS NOT NULL OR timezone IS NOT NULL))
		+ (SELECT count(*) FROM meeting_never_with WHERE employee_id = $1 OR other_id = $1)
		+ (SELECT count(*) FROM team_invitations WHERE employee_id = $1 AND status IN ('pending', 'accepted'))`, zeb).Scan(&leftovers); err != nil {
		t.Fatal(err)
	}
	if leftovers != 0 {
		t.Errorf("%d rows of his Slack locale, wishes or live invitations left", leftovers)
	}

	// The queue resumes: nothing goes to him or names him; Carla learns of the open place in
	// project 2, with Teo proposed, and the replacement works from the button.
	before := len(posts)
	runner = newRunner(t, pool, runnerCfg)
	if err := runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopRunner(t, runner) })
	waitQueueDrained(t, pool)
	_, posts = poster.snapshot()
	var opened []string
	for _, p := range posts[before:] {
		body := p.Reply.Title + "\n" + p.Reply.Text
		for _, ch := range p.Reply.Choices {
			body += "\n" + ch.Label + " → " + ch.Command
		}
		for _, s := range zebedeo {
			if strings.Contains(p.Channel+body, s) {
				t.Errorf("sent after the erasure, to %s, mentioning %q:\n%s", p.Channel, s, body)
			}
		}
		if p.Channel == "console:carla" && strings.Contains(body, "Si è liberato un posto") {
			opened = append(opened, body)
		}
	}
	if len(opened) != 1 {
		t.Fatalf("Carla should be told once of the open place in project 2; got %q", opened)
	}
	swap := fmt.Sprintf("squadra 2 scambia %d %d", zeb, teo)
	wantText := []string{"progetto 2 «Corridoi verdi»", "Ti propongo *Teo*", swap}
	for _, w := range wantText {
		if !strings.Contains(opened[0], w) {
			t.Errorf("the open-place notice lacks %q:\n%s", w, opened[0])
		}
	}
	meetAsk(t, core, "carla", swap)
	var teoInvited int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM team_invitations WHERE project_id = 2 AND employee_id = $1 AND status = 'pending'`, teo).Scan(&teoInvited); err != nil || teoInvited != 1 {
		t.Errorf("Teo invited to the open place: %d (%v)", teoInvited, err)
	}
	waitQueueDrained(t, pool)
	dump = pgDump(t, url)
	for _, s := range zebedeo {
		if strings.Contains(dump, s) {
			t.Errorf("once the queue ran, the dump holds %q again", s)
		}
	}
}
