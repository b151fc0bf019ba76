package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/slackfake"
)

// evalEmployees is the size of the evaluation flow's council. The pulse is one direct message
// per active employee, and chat.postMessage shares a workspace-wide allowance of 300 a minute
// (bursts of 20, redis.SlackPostMessageWorkspace), so the pulse alone takes about a minute per
// 300 people: 100 (the smallest demo council) keep the test near 25 s while still crossing the
// burst and the pacing.
const evalEmployees = 100

// evalTimeout bounds the wait for the direct messages: the pulse's and the project's, some 170,
// need about half a minute at that pace, plus the 429 pauses.
const evalTimeout = 90 * time.Second

// TestEvaluationAgainstFakeSlack runs evaluation feedback through `cantieri serve` (real
// PostgreSQL, Redis limiter and River jobs) on the demo council against a fake Slack that
// answers some chat.postMessage calls with 429, as examples/valutazione.txt does in the
// console: the post-meeting survey offered in the reply to "sì" and answered (a mistake
// first, a second answer kept out), answers and replies only ever at the command's
// response_url; the pulse to every active employee, exactly once each; a project closed with
// its team and external evaluators asked by direct message, answering, the surveys closed by
// HR and the card's replicability verdict.
func TestEvaluationAgainstFakeSlack(t *testing.T) {
	t.Parallel()
	council := seedSlackCouncil(t, evalEmployees)
	ctx, pool := council.ctx, council.pool
	exec, count := council.exec, council.count
	person := func(email string) string {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM employees WHERE email = $1`, email).Scan(&id); err != nil {
			t.Fatalf("%s: %v", email, err)
		}
		return "U" + strconv.FormatInt(id, 10)
	}
	giulia, laura := person("giulia.cecchi@comune.prato.it"), person("laura.bardazzi@comune.prato.it")
	// instance returns the id of the survey instance of subject (a LIKE pattern).
	instance := func(subject string) int64 {
		t.Helper()
		var id int64
		if err := pool.QueryRow(ctx, `SELECT id FROM survey_instances WHERE subject LIKE $1`, subject).Scan(&id); err != nil {
			t.Fatalf("survey instance %s: %v", subject, err)
		}
		return id
	}
	mustHave := func(what, got string, parts ...string) {
		t.Helper()
		for _, p := range parts {
			if !strings.Contains(got, p) {
				t.Fatalf("%s: lacks %q:\n%s", what, p, got)
			}
		}
	}

	fake := slackfake.New(t)
	// Calls 3, 60 and 150 of chat.postMessage (a group message or the report, pulse messages)
	// get HTTP 429 with Retry-After: 1.
	fake.RateLimit("chat.postMessage", 3, 50, 100)
	s := startServeWithSlack(t, council.vars, fake)
	s.answerWait = 30 * time.Second

	// Twenty-one people with a unit who read Italian, neither giulia nor laura: ten meet, six
	// form the team, five evaluate it from outside.
	rows, err := pool.Query(ctx, `SELECT 'U' || id FROM employees WHERE unit_id IS NOT NULL AND active AND erased_at IS NULL
		AND coalesce(locale, 'it') = 'it' AND 'U' || id NOT IN ($1, $2) ORDER BY id LIMIT 21`, giulia, laura)
	if err != nil {
		t.Fatal(err)
	}
	var people []string
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		people = append(people, u)
	}
	rows.Close()
	if len(people) != 21 {
		t.Fatalf("%d people with a unit", len(people))
	}
	meeters, team, evaluators := people[:10], people[10:16], people[16:]
	idsOf := func(users []string) []int64 {
		out := make([]int64, len(users))
		for i, u := range users {
			out[i], _ = strconv.ParseInt(u[1:], 10, 64)
		}
		return out
	}

	// 1. An exchange round, and the post-meeting survey offered in the reply to "sì".
	mustHave("create", s.askAs(giulia, `incontri nuovo nome="Caffè" cron="0 10 * * 2" gruppo=2`), "Programma 1 «Caffè» creato")
	// No scheduled round may interfere with the manual one.
	exec(`UPDATE meeting_programmes SET next_round_at = now() + interval '30 days' WHERE id = 1`)
	exec(`INSERT INTO meeting_participants (programme_id, employee_id) SELECT 1, unnest($1::bigint[])`, idsOf(meeters))
	mustHave("round", s.askAs(giulia, "incontri 1 round"), "Giro 1 di «Caffè» avviato: 5 gruppi, 10 persone")
	var round int64
	if err := pool.QueryRow(ctx, `SELECT id FROM meeting_rounds`).Scan(&round); err != nil {
		t.Fatal(err)
	}
	var meeting int64
	for i, u := range meeters[:6] {
		a := s.askAs(u, fmt.Sprintf("incontri giro %d sì", round))
		if i == 0 {
			meeting = instance("meeting:%")
		}
		mustHave("yes from "+u, a, "Grazie! Ho registrato che vi siete incontrati.", "Rispondi", fmt.Sprintf("valuta %d", meeting))
	}
	// A mistake typed in Slack: the form opens again (views.open with the command's trigger_id)
	// saying what is wrong with each answer, and nothing is recorded.
	code, cmd := s.send(meeters[0], strings.ToLower(meeters[0]), "D"+meeters[0], fmt.Sprintf("valuta %d utilita=7 altro-ufficio=forse", meeting), "")
	if code != 200 {
		t.Fatalf("mistaken answer: status %d", code)
	}
	var form string
	fake.WaitFor(t, s.answerWait, "the form again after a mistake", func() bool {
		for _, c := range fake.CallsTo("views.open") {
			if c.Params.Get("trigger_id") == "t."+cmd {
				form = c.Params.Get("view")
				return true
			}
		}
		return false
	})
	mustHave("mistaken answer", form, "Non ho registrato la risposta: ci sono 3 cose da correggere.",
		"(`utilita`): la risposta non è tra quelle possibili", "(`altro-ufficio`): «forse» non è una risposta possibile",
		"(`nuovo-contatto`): manca la risposta")
	if n := count(`SELECT count(*) FROM survey_invitations WHERE instance_id = $1 AND answered`, meeting); n != 0 {
		t.Fatalf("%d answered after a mistaken answer", n)
	}
	for _, u := range meeters[:6] {
		mustHave("answer from "+u, s.askAs(u, fmt.Sprintf("valuta %d utilita=4 altro-ufficio=sì nuovo-contatto=no", meeting)),
			"Grazie! La tua risposta è registrata in forma anonima")
	}
	mustHave("second answer", s.askAs(meeters[1], fmt.Sprintf("valuta %d utilita=1 altro-ufficio=no nuovo-contatto=sì", meeting)),
		"Hai già risposto al questionario", "tengo la prima risposta")
	if n := count(`SELECT count(*) FROM survey_invitations WHERE instance_id = $1 AND answered`, meeting); n != 6 {
		t.Errorf("%d answered the meeting survey, want 6", n)
	}

	// 2. The pulse, sent by HR now.
	active := map[string]bool{}
	arows, err := pool.Query(ctx, `SELECT 'U' || id FROM employees WHERE active AND erased_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for arows.Next() {
		var u string
		if err := arows.Scan(&u); err != nil {
			t.Fatal(err)
		}
		active[u] = true
	}
	arows.Close()
	if len(active) < evalEmployees*9/10 {
		t.Fatalf("%d active employees", len(active))
	}
	mustHave("pulse", s.askAs(laura, "admin questionari polso"), fmt.Sprintf("%d persone invitate", len(active)))
	pulse := instance("pulse:%")

	// 3. A project closed with its team and external evaluators; the pulse is still being
	// delivered meanwhile.
	mustHave("new project", s.askAs(giulia, `progetto nuovo titolo="Ciclovia del Bisenzio" descrizione="Un percorso ciclabile continuo lungo il fiume, dal centro ai quartieri nord" obiettivi=DUP-1.2 unita=A02-S03 competenze=urbanistica:2 squadra=6 inizio=2027-02-01 fine=2028-06-30`),
		"Progetto 1")
	mustHave("progettazione", s.askAs(giulia, "progetto 1 fase progettazione"), "Fase cambiata")
	for _, c := range []string{
		"progetto 1 robustezza org-staff=4 org-procedures=3 org-roles=4 org-risks=3 eco-funding=5 eco-estimate=4 eco-running_costs=2 eco-cofunding=3 cb-benefits=4 cb-proportion=4 cb-reach=3 cb-lasting=4",
		"progetto 1 indicatori nuovo tipo=output nome=\"Km di ciclovia realizzati\" unita=km base=0 obiettivo=12 direzione=up",
		"progetto 1 indicatori nuovo tipo=outcome nome=\"Spostamenti in auto sul percorso\" unita=veicoli/giorno base=8000 obiettivo=6000 direzione=down",
	} {
		// The move to realizzazione below is refused unless each of these took.
		s.askAs(giulia, c)
	}
	mustHave("realizzazione", s.askAs(giulia, "progetto 1 fase realizzazione"), "Fase cambiata")
	// The team, formed as the invitation flow leaves it (accepted invitations, members, the
	// formation date): the flow itself is TestTeamFlowAgainstFakeSlack's.
	teamIDs := idsOf(team)
	exec(`INSERT INTO team_invitations (project_id, slot, employee_id, status, answered_at)
		SELECT 1, s, e, 'accepted', now() FROM unnest($1::bigint[]) WITH ORDINALITY AS t(e, s)`, teamIDs)
	exec(`INSERT INTO team_members (project_id, employee_id) SELECT 1, unnest($1::bigint[])`, teamIDs)
	exec(`UPDATE projects SET team_formed_at = now() WHERE id = 1`)

	mentions := make([]string, len(evaluators))
	for i, u := range evaluators {
		mentions[i] = "<@" + u + ">"
	}
	mustHave("member as evaluator", s.askAs(giulia, "progetto 1 valutatori <@"+team[0]+"> "+strings.Join(mentions, " ")),
		"fa parte della squadra", "Non ho aggiunto nessuno")
	mustHave("evaluators", s.askAs(giulia, "progetto 1 valutatori "+strings.Join(mentions, " ")), "Ho chiesto a 5 persone")
	mustHave("monitoraggio", s.askAs(giulia, "progetto 1 fase monitoraggio"), "Fase cambiata: da realizzazione a monitoraggio.")
	mustHave("final value", s.askAs(giulia, "progetto 1 indicatori misura 1 valore=12 data=2028-06-30 finale=sì"), "Valore finale di «Km di ciclovia realizzati» registrato")
	mustHave("final value", s.askAs(giulia, "progetto 1 indicatori misura 2 valore=6300 data=2028-06-30 finale=sì"), "Valore finale di «Spostamenti in auto sul percorso» registrato")
	mustHave("concluso", s.askAs(giulia, `progetto 1 fase concluso nota="Ciclovia inaugurata"`), "Fase cambiata: da monitoraggio a concluso.")
	milestone := instance("project:1:milestone")
	internal, external := instance("project:1:close-internal"), instance("project:1:close-external")
	insiders := append([]string{giulia}, team...)

	// Every direct message due: the pulse to each active employee, the close surveys to the
	// team (coordinator included) and to the evaluators. asked counts the posts per channel
	// whose button answers survey id (`valuta ID`, or `feedback ID` for who reads English).
	asked := func(posts []slackfake.Post, id int64) map[string]int {
		per := map[string]int{}
		it, en := fmt.Sprintf("valuta %d", id), fmt.Sprintf("feedback %d", id)
		for _, p := range posts {
			for _, line := range strings.Split(p.Text, "\n") {
				if line == it || line == en {
					per[p.Channel]++
					break
				}
			}
		}
		return per
	}
	missing := func(per map[string]int, users []string) []string {
		var out []string
		for _, u := range users {
			if per[u] == 0 {
				out = append(out, u)
			}
		}
		return out
	}
	activeList := make([]string, 0, len(active))
	for u := range active {
		activeList = append(activeList, u)
	}
	start := time.Now()
	deadline := start.Add(evalTimeout)
	for {
		posts := fake.Posts()
		m := len(missing(asked(posts, pulse), activeList)) + len(missing(asked(posts, milestone), insiders)) +
			len(missing(asked(posts, internal), insiders)) +
			len(missing(asked(posts, external), evaluators))
		if m == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v, %d direct messages missing; %d posts, 429s %v\nlogs:\n%s", evalTimeout, m, len(posts),
				fake.Limited(), s.logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("direct messages delivered in %v", time.Since(start).Round(time.Millisecond))
	// Anything posted twice would show up within the retry and River's poll.
	time.Sleep(2 * time.Second)
	posts := fake.Posts()
	for _, c := range []struct {
		what     string
		id       int64
		audience []string
	}{{"pulse", pulse, activeList}, {"milestone survey", milestone, insiders}, {"team's close survey", internal, insiders},
		{"external close survey", external, evaluators}} {
		per := asked(posts, c.id)
		for _, u := range c.audience {
			if per[u] != 1 {
				t.Errorf("%s: %s got %d messages, want 1", c.what, u, per[u])
			}
		}
		if len(per) != len(c.audience) {
			t.Errorf("%s: %d people messaged, want %d", c.what, len(per), len(c.audience))
		}
	}
	if n := len(asked(posts, meeting)); n != 0 {
		t.Errorf("the meeting survey was posted to %d people: the reply to «sì» offers it", n)
	}
	for _, u := range evaluators {
		n := 0
		for _, p := range fake.Posts(u) {
			if strings.Contains(p.Text, "ti chiede di valutare da esterno il progetto 1 «Ciclovia del Bisenzio»") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("evaluator %s was told %d times they were asked, want once", u, n)
		}
	}
	// Besides the surveys: the round's five group messages and its report to giulia, and the
	// message telling each evaluator they were asked.
	if want := 6 + len(active) + 2*len(insiders) + 2*len(evaluators); len(posts) != want {
		var other []string
		for _, p := range posts {
			if !strings.Contains(p.Text, "valuta ") && !strings.Contains(p.Text, "feedback ") {
				other = append(other, p.Channel+": "+p.Text)
			}
		}
		t.Errorf("%d messages posted, want %d; those not asking for a survey:\n%s", len(posts), want, strings.Join(other, "\n---\n"))
	}
	if got := fake.Limited()["chat.postMessage"]; got != 3 {
		t.Errorf("429s on chat.postMessage = %d, want 3", got)
	}

	// Five of the team and five evaluators answer, and HR closes both surveys.
	for _, u := range insiders[:5] {
		mustHave("team answer from "+u, s.askAs(u, fmt.Sprintf("valuta %d output=5 outcome=4 collaborazione=5 replicabilita-tecnica=si replicabilita-politica=si", internal)),
			"Grazie! La tua risposta è registrata in forma anonima")
	}
	for _, u := range evaluators {
		mustHave("external answer from "+u, s.askAs(u, fmt.Sprintf("valuta %d output=4 outcome=3 collaborazione=4 replicabilita-tecnica=adattata replicabilita-politica=adattata", external)),
			"Grazie! La tua risposta è registrata in forma anonima")
	}
	mustHave("close internal", s.askAs(laura, fmt.Sprintf("admin questionari chiudi %d", internal)),
		fmt.Sprintf("Questionario %d chiuso: 5 risposte pubblicate", internal))
	mustHave("close external", s.askAs(laura, fmt.Sprintf("admin questionari chiudi %d", external)),
		fmt.Sprintf("Questionario %d chiuso: 5 risposte pubblicate", external))
	card := s.askAs(giulia, "progetto 1")
	mustHave("card", card, "Valutazione finale della squadra", "5 risposte su 7 invitati.", "Valutazione finale esterna",
		"5 risposte su 5 invitati.", "Verdetto di replicabilità", "• squadra: replicabile così com'è, per la maggioranza",
		"• valutatori esterni: replicabile con adattamenti, per la maggioranza")

	// Answers and the replies to them went to each command's response_url only: no channel or
	// direct message repeats them.
	for _, p := range fake.Posts() {
		for _, leak := range []string{"utilita=", "replicabilita-tecnica=", "La tua risposta è registrata",
			"Non ho registrato la risposta", "Hai già risposto", "5 risposte pubblicate"} {
			if strings.Contains(p.Text, leak) {
				t.Errorf("a post to %s contains %q: %q", p.Channel, leak, p.Text)
			}
		}
	}
}
