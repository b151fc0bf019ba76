package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

// Size and pace of TestPulseFanOutThroughFakeSlack. The workspace allowance of
// chat.postMessage is scaled from Slack's few hundred a minute to pulseRate a second, so that
// 1,500 DMs take about ten seconds rather than five minutes; the per-conversation pace stays
// Slack's (each person's DM gets one message, far below it). make test sends the pulse to
// pulseQuickPeople (still crossing 429s and the pacing); with CANTIERI_SWEEP=1 (CI) to all
// pulsePeople, the size the issue names.
const (
	pulsePeople      = 1500
	pulseQuickPeople = 400
	pulseRate        = 150
	pulseBurst       = 10
	pulse429Every    = 100 // every pulse429Every-th chat.postMessage is answered 429 once
)

// TestPulseFanOutThroughFakeSlack runs the monthly pulse as two replicas do: two River runners
// on one database, each with its own Slack client, sharing the Redis rate limiter, both firing
// the pulse schedule (every second here), against a fake Slack that answers some posts with
// 429. Every active person gets exactly one DM with the survey's button, nobody inactive or
// erased gets one, none is lost.
func TestPulseFanOutThroughFakeSlack(t *testing.T) {
	t.Parallel()
	people := pulseQuickPeople
	if os.Getenv("CANTIERI_SWEEP") == "1" {
		people = pulsePeople
	}
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	pools := [2]*pgxpool.Pool{}
	for i := range pools {
		p, err := pgxpool.New(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		pools[i] = p
	}
	pool := pools[0]
	// people active employees with a Slack id; three who must get nothing.
	for _, sql := range []string{
		`INSERT INTO employees (display_name, email, locale)
			SELECT 'Persona ' || n, 'p' || n || '@comune.example.it', CASE WHEN n % 3 = 0 THEN 'en' END FROM generate_series(1, $1::int) n`,
		`INSERT INTO employees (display_name, email, active) VALUES ('Ex Dipendente', 'ex@comune.example.it', false)`,
		`INSERT INTO employees (display_name, email, active, erased_at) VALUES ('', NULL, false, now()), ('', NULL, true, now())`,
		`INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'slack', 'U' || lpad(id::text, 6, '0'), id FROM employees`,
	} {
		var args []any
		if strings.Contains(sql, "$1") {
			args = append(args, people)
		}
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	fake := slackfake.New(t)
	var injected atomic.Int64
	fake.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method == "chat.postMessage" && n%pulse429Every == pulse429Every/2 {
			injected.Add(1)
			return slackfake.TooManyRequests(w)
		}
		return false
	})
	rc, prefix := redistest.New(t)
	limits := redis.SlackLimits()
	limits[PostMessageWorkspaceKey] = redis.PerSecond(pulseRate, pulseBurst)
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelError}))

	var runners []*jobs.Runner
	for i, p := range pools {
		outbox, err := jobs.NewOutbox(p)
		if err != nil {
			t.Fatal(err)
		}
		outbound := postgres.NewOutbound(p)
		outbox.KeepTextsIn(outbound)
		surveys, err := postgres.NewSurveyStore(p, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{strings.Repeat("k", 40)}, Outbox: outbox})
		if err != nil {
			t.Fatal(err)
		}
		store := postgres.NewStore(p, postgres.WithOutbox(outbox), postgres.WithSurveys(surveys))
		core := bot.New(bot.Config{Store: store, DefaultLocale: "it", Logger: log})
		client := newClient(clientConfig{
			token: slackfake.Token, apiURL: fake.APIURL(), http: &http.Client{Timeout: 30 * time.Second},
			metrics: metrics.New(), limiter: redis.NewLimiter(rc, prefix, limits, redis.SlackTier3),
			log: log, locale: "it",
		})
		r, err := jobs.New(p, jobs.Config{
			Logger: log, Poster: client, Due: store, Outbound: outbound, CronSeconds: true, TestOnly: true,
			FetchPollInterval: 50 * time.Millisecond,
			Schedules:         []jobs.Schedule{jobs.SurveyPulseSchedule("* * * * * *", surveys, 14, core.SurveyNotice, log)},
		})
		if err != nil {
			t.Fatalf("runner %d: %v", i, err)
		}
		runners = append(runners, r)
	}
	start := time.Now()
	for _, r := range runners {
		if err := r.Start(ctx); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for _, r := range runners {
			stop, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			if err := r.Stop(stop); err != nil {
				t.Errorf("stop: %v", err)
			}
			cancel()
		}
	})

	fake.WaitFor(t, 5*time.Minute, fmt.Sprintf("%d pulse DMs", people), func() bool { return len(fake.Posts()) >= people })
	took := time.Since(start)
	// Several more firings of the pulse, and time for any duplicate to show up.
	if err := runners[0].WaitIdle(ctx, time.Minute); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)

	posts := fake.Posts()
	per := map[string]int{}
	for _, p := range posts {
		per[p.Channel]++
		if !strings.Contains(p.Text, "valuta ") && !strings.Contains(p.Text, "feedback ") {
			t.Fatalf("a DM without the survey's button: %q", p.Text)
		}
	}
	var want []string
	rows, err := pool.Query(ctx, `SELECT i.external_id FROM employees e JOIN employee_identities i ON i.employee_id = e.id
		WHERE e.active AND e.erased_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	rows.Close()
	if len(want) != people {
		t.Fatalf("%d active people, want %d", len(want), people)
	}
	missing := 0
	for _, id := range want {
		switch n := per[id]; {
		case n == 0:
			missing++
		case n > 1:
			t.Errorf("%s got %d DMs", id, n)
		}
	}
	if missing > 0 || len(per) != people || len(posts) != people {
		t.Fatalf("%d DMs to %d people, %d active people missed, want %d DMs, one each", len(posts), len(per), missing, people)
	}
	var firings, instances, invitations int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM scheduled_runs WHERE schedule = $1),
		(SELECT count(*) FROM survey_instances), (SELECT count(*) FROM survey_invitations)`, jobs.SurveyPulseScheduleName).
		Scan(&firings, &instances, &invitations); err != nil {
		t.Fatal(err)
	}
	if firings < 2 || instances != 1 || invitations != people {
		t.Fatalf("%d firings, %d instances, %d invitations; want several firings, one instance, %d invitations", firings, instances, invitations, people)
	}
	if injected.Load() == 0 {
		t.Fatal("no 429 was injected: the test did not exercise the retries")
	}
	t.Logf("pulse to %d people through two replicas: every DM once in %v, %d injected 429s, %d firings",
		people, took.Round(100*time.Millisecond), injected.Load(), firings)
}
