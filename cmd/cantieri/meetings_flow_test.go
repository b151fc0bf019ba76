package main

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/slackfake"
)

// meetTimeout bounds the waits of the exchange-round flow: chat.postMessage is paced at about
// one a second and conversations.open at 50 a minute (bursts of 5), so twenty groups take
// some twenty seconds, plus the 429 pauses.
const meetTimeout = 60 * time.Second

// meetMetric reads a counter's value from /metrics (0 when absent).
func (s *servedBot) meetMetric(name, labels string) float64 {
	s.t.Helper()
	resp, err := http.Get(s.ops + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name+labels) + ` (\S+)$`).FindStringSubmatch(string(b))
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// TestExchangeRoundAgainstFakeSlack runs an exchange round through `cantieri serve` (real
// PostgreSQL, Redis limiter and River jobs) on the demo council, against a fake Slack that
// answers some calls with 429: every group gets exactly one message in its own group
// conversation and the coordinator one report, despite the 429s; a second run in the same
// minute does nothing; participants' answers are recorded.
func TestExchangeRoundAgainstFakeSlack(t *testing.T) {
	t.Parallel()
	council := seedSlackCouncil(t, 300)
	ctx, pool := council.ctx, council.pool
	exec, count := council.exec, council.count
	var giulia int64
	if err := pool.QueryRow(ctx, `SELECT id FROM employees WHERE email = 'giulia.cecchi@comune.prato.it'`).Scan(&giulia); err != nil {
		t.Fatal(err)
	}
	coordinator := "U" + strconv.FormatInt(giulia, 10)

	// The fake answers conversations.open with a stable id per set of users and chat.postMessage
	// with a unique ts; these calls (1-based, per method) get HTTP 429 with Retry-After: 1.
	fake := slackfake.New(t)
	fake.RateLimit("chat.postMessage", 3, 7)
	fake.RateLimit("conversations.open", 2)
	s := startServeWithSlack(t, council.vars, fake)
	s.answerWait = meetTimeout

	created := s.askAs(coordinator, `incontri nuovo nome="Caffè" cron="0 10 * * 2" gruppo=2`)
	if !strings.Contains(created, "Programma 1 «Caffè» creato") {
		t.Fatalf("create: %s", created)
	}
	// No scheduled round may interfere with the manual one (were the test run on a Tuesday
	// morning).
	exec(`UPDATE meeting_programmes SET next_round_at = now() + interval '30 days' WHERE id = 1`)

	// Forty people with a unit: thirty-eight enrolled in SQL, two with the command.
	rows, err := pool.Query(ctx, `SELECT id FROM employees WHERE unit_id IS NOT NULL AND active AND erased_at IS NULL AND id <> $1
		ORDER BY id LIMIT 40`, giulia)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 40 {
		t.Fatalf("%d people with a unit", len(ids))
	}
	exec(`INSERT INTO meeting_participants (programme_id, employee_id) SELECT 1, unnest($1::bigint[])`, ids[:38])
	for _, id := range ids[38:] {
		if a := s.askAs("U"+strconv.FormatInt(id, 10), "incontri iscrivimi 1"); !strings.Contains(a, "Sei iscritto a «Caffè»") {
			t.Fatalf("join: %s", a)
		}
	}
	if n := count(`SELECT count(*) FROM meeting_participants WHERE programme_id = 1 AND left_at IS NULL`); n != 40 {
		t.Fatalf("participants = %d, want 40", n)
	}

	// Run the round, and again at once: both commands must fall in the same minute.
	if sec := time.Now().Second(); sec > 45 {
		time.Sleep(time.Duration(61-sec) * time.Second)
	}
	start := time.Now()
	run := s.askAs(coordinator, "incontri 1 round")
	if !strings.Contains(run, "Giro 1 di «Caffè» avviato: 20 gruppi, 40 persone, 0 persone lasciate fuori") {
		t.Fatalf("round: %s", run)
	}
	if again := s.askAs(coordinator, "incontri 1 round"); !strings.Contains(again, "già partito") {
		t.Fatalf("second run in the same minute: %s", again)
	}
	if n := count(`SELECT count(*) FROM meeting_rounds`); n != 1 {
		t.Fatalf("meeting_rounds = %d after two runs in a minute", n)
	}

	// Each group's users, sorted as the fake keys its conversations.
	groups := map[int]string{}
	grows, err := pool.Query(ctx, `SELECT g.number, string_agg('U' || pp.employee_id, ',')
		FROM meeting_groups g JOIN meeting_participation pp ON pp.group_id = g.id GROUP BY g.number`)
	if err != nil {
		t.Fatal(err)
	}
	for grows.Next() {
		var n int
		var users string
		if err := grows.Scan(&n, &users); err != nil {
			t.Fatal(err)
		}
		groups[n] = slackfake.UserSet(strings.Split(users, ","))
	}
	grows.Close()
	if len(groups) != 20 {
		t.Fatalf("groups = %d, want 20", len(groups))
	}
	// delivered reports, per group, the posts in its conversation, and the coordinator's.
	delivered := func() (perGroup map[int]int, report int, posts []slackfake.Post, convs map[string]string) {
		posts, convs = fake.Posts(), fake.Conversations()
		perChannel := map[string]int{}
		for _, p := range posts {
			perChannel[p.Channel]++
		}
		perGroup = map[int]int{}
		for n, users := range groups {
			if id, ok := convs[users]; ok {
				perGroup[n] = perChannel[id]
			}
		}
		return perGroup, perChannel[coordinator], posts, convs
	}
	state := func() string {
		perGroup, report, posts, _ := delivered()
		calls, limited := fake.Counts(), fake.Limited()
		return fmt.Sprintf("groups posted %v (of %d), report %d, %d posts, calls %v, 429s %v", perGroup, len(groups), report,
			len(posts), calls, limited)
	}
	deadline := time.Now().Add(meetTimeout)
	for {
		perGroup, report, _, _ := delivered()
		done := report >= 1
		for n := range groups {
			done = done && perGroup[n] >= 1
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s\nlogs:\n%s", meetTimeout, state(), s.logs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("round delivered in %v: %s", time.Since(start).Round(time.Millisecond), state())
	// Anything posted twice would show up within the retry and River's poll.
	time.Sleep(2 * time.Second)

	perGroup, report, posts, convs := delivered()
	for n := range groups {
		if perGroup[n] != 1 {
			t.Errorf("group %d (%s) got %d messages, want 1", n, groups[n], perGroup[n])
		}
	}
	if report != 1 {
		t.Errorf("the coordinator got %d reports, want 1", report)
	}
	if len(posts) != len(groups)+1 {
		t.Errorf("%d messages posted, want %d: %s", len(posts), len(groups)+1, state())
	}
	byConv := map[string]bool{}
	for _, id := range convs {
		byConv[id] = true
	}
	for _, p := range posts {
		switch {
		case p.Channel == coordinator:
			if !strings.Contains(p.Text, "Giro 1 di «Caffè»: 20 gruppi, 40 persone.") {
				t.Errorf("report: %q", p.Text)
			}
		case !byConv[p.Channel]:
			t.Errorf("a message to %s, neither a group nor the coordinator: %q", p.Channel, p.Text)
		case !strings.Contains(p.Text, "Siete un gruppo del giro 1 di «Caffè»"):
			t.Errorf("group message to %s: %q", p.Channel, p.Text)
		}
	}
	if len(convs) != len(groups) {
		t.Errorf("%d conversations opened, want %d", len(convs), len(groups))
	}
	// The 429s happened, and the client saw them.
	calls, limited := fake.Counts(), fake.Limited()
	if limited["chat.postMessage"] != 2 || limited["conversations.open"] != 1 {
		t.Errorf("429s answered = %v, want 2 chat.postMessage and 1 conversations.open", limited)
	}
	if calls["chat.postMessage"] != len(groups)+1+2 {
		t.Errorf("chat.postMessage calls = %d, want %d (each post once, plus the 2 retried after a 429)",
			calls["chat.postMessage"], len(groups)+1+2)
	}
	if got := s.meetMetric("cantieri_slack_api_429_total", `{method="chat.postMessage"}`); got != 2 {
		t.Errorf("cantieri_slack_api_429_total{chat.postMessage} = %v, want 2", got)
	}
	if got := s.meetMetric("cantieri_slack_api_429_total", `{method="conversations.open"}`); got != 1 {
		t.Errorf("cantieri_slack_api_429_total{conversations.open} = %v, want 1", got)
	}
	if n := count(`SELECT count(*) FROM outbound_messages WHERE idempotency_key LIKE 'meet-%'`); n != len(groups)+1 {
		t.Errorf("outbound records = %d, want %d", n, len(groups)+1)
	}

	// Answers.
	var rid int64
	if err := pool.QueryRow(ctx, `SELECT id FROM meeting_rounds`).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	yes, notYet := "U"+strconv.FormatInt(ids[0], 10), "U"+strconv.FormatInt(ids[1], 10)
	if a := s.askAs(yes, fmt.Sprintf("incontri giro %d sì", rid)); !strings.Contains(a, "Ho registrato che vi siete incontrati") {
		t.Errorf("yes: %s", a)
	}
	if a := s.askAs(notYet, fmt.Sprintf("incontri giro %d non-ancora", rid)); !strings.Contains(a, "te lo richiedo") {
		t.Errorf("not yet: %s", a)
	}
	answers := map[int64]string{}
	arows, err := pool.Query(ctx, `SELECT employee_id, answer FROM meeting_participation WHERE round_id = $1 AND answer IS NOT NULL`, rid)
	if err != nil {
		t.Fatal(err)
	}
	for arows.Next() {
		var id int64
		var a string
		if err := arows.Scan(&id, &a); err != nil {
			t.Fatal(err)
		}
		answers[id] = a
	}
	arows.Close()
	if len(answers) != 2 || answers[ids[0]] != "met" || answers[ids[1]] != "not_yet" {
		t.Errorf("answers = %v, want %d met and %d not_yet", answers, ids[0], ids[1])
	}
	// Nothing more was posted by the second run, the answers or the ticks since.
	if after := fake.Posts(); len(after) != len(posts) {
		t.Errorf("%d more messages posted after the round", len(after)-len(posts))
	}
}
