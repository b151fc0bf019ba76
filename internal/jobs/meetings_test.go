package jobs_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// meetTimeout bounds the wait for a round's messages: a tick a second, River polling every
// 50 ms, a dozen posts.
const meetTimeout = 30 * time.Second

// meetPost is one message a meetPoster delivered, with the runner that delivered it.
type meetPost struct {
	Runner  string
	Channel string
	Text    string
}

// meetPoster records the posts of every runner of a test (one poster shared, each runner
// posting through its own named view of it).
type meetPoster struct {
	mu    sync.Mutex
	posts []meetPost
}

// meetRunnerPoster is one runner's view of a meetPoster.
type meetRunnerPoster struct {
	name string
	p    *meetPoster
}

func (v meetRunnerPoster) Post(_ context.Context, channel string, r bot.Reply) (string, error) {
	v.p.mu.Lock()
	defer v.p.mu.Unlock()
	v.p.posts = append(v.p.posts, meetPost{Runner: v.name, Channel: channel, Text: r.Title + "\n" + r.Text})
	return fmt.Sprintf("1700000000.%06d", len(v.p.posts)), nil
}

func (p *meetPoster) snapshot() []meetPost {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]meetPost(nil), p.posts...)
}

// meetSeed writes a small organisation: three Settori (one with a Servizio below it), twelve
// people spread over them, and Carla (the coordinator, also in a Settore); everyone has a
// console identity, their lower-case first name.
func meetSeed(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `
		INSERT INTO sites (code, name) VALUES ('PC', 'Palazzo Comunale'), ('PB', 'Palazzo Banci'), ('PX', 'Sede lontana');
		INSERT INTO site_adjacency (site_a, site_b) SELECT a.id, b.id FROM sites a, sites b WHERE a.code = 'PC' AND b.code = 'PB';
		INSERT INTO org_units (code, name, type_label, site_id) SELECT 'A01', 'Area Territorio', 'Area', id FROM sites WHERE code = 'PB';
		INSERT INTO org_units (code, name, type_label, parent_id, site_id)
			SELECT v.code, v.name, 'Settore', u.id, s.id
			FROM (VALUES ('A01-S01', 'Settore Territorio', 'PC'), ('A01-S02', 'Settore Bilancio', 'PB'),
			             ('A01-S03', 'Settore Gare', 'PX')) AS v(code, name, site)
			JOIN sites s ON s.code = v.site, org_units u WHERE u.code = 'A01';
		INSERT INTO org_units (code, name, type_label, parent_id)
			SELECT 'A01-S01-V01', 'Servizio Urbanistica', 'Servizio', id FROM org_units WHERE code = 'A01-S01';
		INSERT INTO employees (display_name, email, unit_id)
			SELECT n, lower(n) || '@example.it', (SELECT id FROM org_units WHERE code = u)
			FROM (VALUES ('Carla', 'A01-S02'),
			             ('Gina', 'A01-S01-V01'), ('Paolo', 'A01-S01'), ('Piena', 'A01-S01'), ('Ugo', 'A01-S01-V01'),
			             ('Greta', 'A01-S02'), ('Bruno', 'A01-S02'), ('Dora', 'A01-S02'), ('Elio', 'A01-S02'),
			             ('Aldo', 'A01-S03'), ('Sara', 'A01-S03'), ('Nora', 'A01-S03'), ('Teo', 'A01-S03')) AS v(n, u);
		INSERT INTO employee_identities (transport, external_id, employee_id)
			SELECT 'console', lower(display_name), id FROM employees;`)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
}

// meetAsk runs a command through the core as a console user, failing on an error reply.
func meetAsk(t *testing.T, b *bot.Bot, who, text string) bot.Reply {
	t.Helper()
	r := b.Handle(context.Background(), bot.Request{
		From:   bot.Identity{Transport: bot.TransportConsole, ExternalID: who, DisplayName: who},
		Source: bot.SourceConsole, Text: text,
	})
	if r.IsError {
		t.Fatalf("%s as %s: %s", text, who, r.Text)
	}
	return r
}

// Two replicas tick the exchange meetings every second on one database while a programme's
// round is due: the round is recorded once, each group's message and the coordinator's report
// are posted exactly once across both runners, and nothing more is posted afterwards.
func TestMeetingRoundRunsOnceAcrossTwoRunners(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	poolA, poolB := openPool(t, url), openPool(t, url)
	meetSeed(t, poolA)

	outbox, err := jobs.NewOutbox(poolA)
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(poolA, postgres.WithOutbox(outbox))
	core := bot.New(bot.Config{Store: store, Meetings: store, DefaultLocale: "it"})
	carla, err := store.FindEmployee(ctx, bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: "carla"})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.GrantRole(ctx, 0, carla.ID, bot.RoleCoordinator, nil); err != nil {
		t.Fatal(err)
	}
	created := meetAsk(t, core, "carla", `incontri nuovo nome="Caffè tra uffici" cron="0 10 * * 2" gruppo=2`)
	if !strings.Contains(created.Text, "Programma 1 «Caffè tra uffici» creato") {
		t.Fatalf("create: %q", created.Text)
	}
	participants := []string{"gina", "paolo", "piena", "ugo", "greta", "bruno", "dora", "elio", "aldo", "sara", "nora", "teo"}
	for _, who := range participants {
		meetAsk(t, core, who, "incontri iscrivimi 1")
	}
	// The round is due now (the schedule's next Tuesday is too far for a test).
	if _, err := poolA.Exec(ctx, `UPDATE meeting_programmes SET next_round_at = now() WHERE id = 1`); err != nil {
		t.Fatal(err)
	}

	poster := &meetPoster{}
	for _, rc := range []struct {
		name string
		pool *pgxpool.Pool
	}{{"A", poolA}, {"B", poolB}} {
		startRunner(t, rc.pool, jobs.Config{
			Poster:      meetRunnerPoster{name: rc.name, p: poster},
			CronSeconds: true,
			Schedules:   []jobs.Schedule{jobs.MeetingsSchedule("* * * * * *", core)},
		})
	}

	// The addresses the round should reach: each group's conversation and Carla's DM.
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := poolA.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	expected := func() map[string]bool {
		rows, err := poolA.Query(ctx, `
			SELECT 'group:' || string_agg('console:' || i.external_id, ',' ORDER BY e.id)
			FROM meeting_groups g JOIN meeting_participation pp ON pp.group_id = g.id
			JOIN employees e ON e.id = pp.employee_id
			JOIN employee_identities i ON i.employee_id = e.id AND i.transport = 'console'
			GROUP BY g.id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		want := map[string]bool{"console:carla": true}
		for rows.Next() {
			var addr string
			if err := rows.Scan(&addr); err != nil {
				t.Fatal(err)
			}
			want[addr] = true
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return want
	}
	describe := func(posts []meetPost) string {
		var b strings.Builder
		for _, p := range posts {
			fmt.Fprintf(&b, "  [%s] %s\n", p.Runner, p.Channel)
		}
		return b.String()
	}

	start := time.Now()
	deadline := start.Add(meetTimeout)
	var want map[string]bool
	for {
		if count(`SELECT count(*) FROM meeting_rounds`) > 0 {
			want = expected()
			got := map[string]bool{}
			for _, p := range poster.snapshot() {
				got[p.Channel] = true
			}
			complete := len(want) > 1
			for a := range want {
				complete = complete && got[a]
			}
			if complete {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %d rounds; want %v; posted:\n%s", meetTimeout, count(`SELECT count(*) FROM meeting_rounds`),
				want, describe(poster.snapshot()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("round delivered in %v", time.Since(start).Round(time.Millisecond))

	// Both runners keep ticking: nothing more may be recorded or posted.
	time.Sleep(3 * time.Second)

	if n := count(`SELECT count(*) FROM meeting_rounds`); n != 1 {
		t.Errorf("meeting_rounds = %d, want 1", n)
	}
	if n := count(`SELECT count(*) FROM meeting_groups`); n != 6 {
		t.Errorf("groups = %d, want 6 (12 people in pairs)", n)
	}
	if n := count(`SELECT count(*) FROM scheduled_runs WHERE schedule = 'meetings'`); n < 3 {
		t.Errorf("only %d firings of the meetings schedule recorded: the runners were not ticking", n)
	}
	posts := poster.snapshot()
	perChannel := map[string]int{}
	runners := map[string]int{}
	for _, p := range posts {
		perChannel[p.Channel]++
		runners[p.Runner]++
		if !want[p.Channel] {
			t.Errorf("unexpected post to %s: %q", p.Channel, p.Text)
		}
	}
	for a := range want {
		if perChannel[a] != 1 {
			t.Errorf("%s got %d posts, want exactly 1", a, perChannel[a])
		}
	}
	if len(posts) != len(want) {
		t.Errorf("%d posts, want %d (6 groups and the report):\n%s", len(posts), len(want), describe(posts))
	}
	for _, p := range posts {
		switch {
		case p.Channel == "console:carla":
			if !strings.Contains(p.Text, "Giro 1 di «Caffè tra uffici»: 6 gruppi, 12 persone.") {
				t.Errorf("report: %q", p.Text)
			}
		case !strings.Contains(p.Text, "Siete un gruppo del giro 1 di «Caffè tra uffici»"):
			t.Errorf("group message to %s: %q", p.Channel, p.Text)
		}
	}
	if n := count(`SELECT count(*) FROM river_job WHERE kind = 'post_message'`); n != 7 {
		t.Errorf("post jobs = %d, want 7 (one per key)", n)
	}
	// The outbound records: one per key, the round's groups and report.
	var keys []string
	rows, err := poolA.Query(ctx, `SELECT idempotency_key FROM outbound_messages ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	var rid int64
	if err := poolA.QueryRow(ctx, `SELECT id FROM meeting_rounds`).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	wantKeys := []string{fmt.Sprintf("meet-report:%d", rid)}
	for g := 1; g <= 6; g++ {
		wantKeys = append(wantKeys, fmt.Sprintf("meet-group:%d:%d", rid, g))
	}
	sort.Strings(wantKeys)
	if strings.Join(keys, " ") != strings.Join(wantKeys, " ") {
		t.Errorf("outbound keys = %v, want %v", keys, wantKeys)
	}
	// The programme's next round moved to the schedule's next date, in the future.
	if n := count(`SELECT count(*) FROM meeting_programmes WHERE next_round_at > now() AND extract(dow FROM next_round_at AT TIME ZONE 'Europe/Rome') = 2`); n != 1 {
		t.Error("next_round_at was not moved to a future Tuesday")
	}
	t.Logf("posts by runner: %v", runners)
}
