package main

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/slackfake"
)

// flowTimeout bounds every wait of the team flow test: River polls every second and
// chat.postMessage is paced at about one a second, so a wait may take several seconds.
const flowTimeout = 30 * time.Second

// waitUntil polls cond until it holds, failing the test with what() after flowTimeout.
func waitUntil(t *testing.T, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(flowTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; Slack saw:\n%s", flowTimeout, what, state())
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// member is an invitee: employee id, name and Slack user id.
type member struct {
	id    int64
	name  string
	slack string
}

var swapCommandRE = regexp.MustCompile(`squadra 1 scambia (\d+) (\d+)`)

// TestTeamFlowAgainstFakeSlack runs the team invitation flow through `cantieri serve` (real
// PostgreSQL, Redis and River jobs) against a fake Slack: the coordinator confirms a team with
// a channel; every invitee gets a DM; one declines and the coordinator gives the slot to the
// proposed replacement; one accepts twice; the last acceptance forms the team, and a job
// creates the project channel, invites the team, posts the card and pins it.
func TestTeamFlowAgainstFakeSlack(t *testing.T) {
	t.Parallel()
	council := seedSlackCouncil(t, 300)
	ctx, vars, pool := council.ctx, council.vars, council.pool
	count := council.count
	slackOf := func(emp int64) string {
		t.Helper()
		var id string
		if err := pool.QueryRow(ctx, `SELECT external_id FROM employee_identities WHERE transport = 'slack' AND employee_id = $1`,
			emp).Scan(&id); err != nil {
			t.Fatalf("slack id of %d: %v", emp, err)
		}
		return id
	}
	var giulia int64
	if err := pool.QueryRow(ctx, `SELECT employee_id FROM employee_identities WHERE transport = 'console' AND external_id = 'giulia.cecchi'`).
		Scan(&giulia); err != nil {
		t.Fatal(err)
	}
	coord := slackOf(giulia)

	api := slackfake.New(t)
	s := startServeWithSlack(t, vars, api)
	state := api.Summary

	script, err := os.ReadFile("../../examples/progetto.txt")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(script), "\n")
	want := func(what, got string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Fatalf("%s lacks %q:\n%s", what, w, got)
			}
		}
	}
	want("project creation", s.askAs(coord, first), "Progetto 1 creato")
	proposal := s.askAs(coord, "squadra 1")
	want("proposal", proposal, "Squadra proposta per il progetto 1")
	var proposed []int64
	for _, m := range regexp.MustCompile(`\(n\. (\d+)\)`).FindAllStringSubmatch(proposal, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		proposed = append(proposed, id)
	}
	if len(proposed) < 6 {
		t.Fatalf("proposal names %d people, want 6:\n%s", len(proposed), proposal)
	}

	// A plain employee (no role beyond dipendente, heading no unit, not proposed) cannot
	// confirm the team.
	var plain int64
	if err := pool.QueryRow(ctx, `SELECT e.id FROM employees e WHERE e.id <> $1 AND e.id <> ALL($2)
		AND NOT EXISTS (SELECT 1 FROM employee_roles r WHERE r.employee_id = e.id AND r.role <> 'dipendente')
		AND NOT EXISTS (SELECT 1 FROM manager_units m WHERE m.employee_id = e.id)
		ORDER BY e.id LIMIT 1`, giulia, proposed).Scan(&plain); err != nil {
		t.Fatalf("a plain employee: %v", err)
	}
	want("a plain employee's confirm", s.askAs(slackOf(plain), "squadra 1 conferma canale=sì"), "Solo il coordinatore del progetto 1")
	if n := count(`SELECT count(*) FROM team_invitations`); n != 0 {
		t.Fatalf("%d invitations after a refused confirm", n)
	}

	want("confirm", s.askAs(coord, "squadra 1 conferma canale=sì"), "Inviti inviati a 6 persone", "Inviti su 6: accettati 0, in attesa 6")
	rows, err := pool.Query(ctx, `SELECT t.employee_id, e.display_name FROM team_invitations t JOIN employees e ON e.id = t.employee_id
		WHERE t.project_id = 1 ORDER BY t.slot`)
	if err != nil {
		t.Fatal(err)
	}
	var members []member
	for rows.Next() {
		var m member
		if err := rows.Scan(&m.id, &m.name); err != nil {
			t.Fatal(err)
		}
		members = append(members, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(members) != 6 {
		t.Fatalf("%d invitations, want 6", len(members))
	}
	for i := range members {
		members[i].slack = slackOf(members[i].id)
		if members[i].id == plain {
			t.Fatalf("the plain employee %d is in the team: pick another", plain)
		}
	}

	// Every invitee gets one DM with the invitation and its buttons.
	for _, m := range members {
		waitUntil(t, "the invitation to "+m.slack, func() bool { return len(api.Posts(m.slack)) > 0 }, state)
	}
	for _, m := range members {
		posts := api.Posts(m.slack)
		if len(posts) != 1 {
			t.Fatalf("%d messages to %s, want the invitation only:\n%s", len(posts), m.slack, state())
		}
		want("the invitation to "+m.name, posts[0].Text, "ti invita nella squadra del progetto 1", "invito 1 accetta", "invito 1 rifiuta modulo")
	}

	coordPosts := func(substr string) []slackfake.Post {
		var out []slackfake.Post
		for _, p := range api.Posts(coord) {
			if strings.Contains(p.Text, substr) {
				out = append(out, p)
			}
		}
		return out
	}
	acceptedNote := "ha accettato l'invito nella squadra del progetto 1"
	postJobs := func() int {
		return count(`SELECT count(*) FROM river_job WHERE kind = 'post_message'`)
	}

	// The decliner is someone who can be replaced (some people hold skills nobody else with
	// free capacity has, and then no replacement can be proposed): the first whose
	// replacements, as the coordinator sees them, include someone.
	decl := -1
	for i, m := range members {
		reps := s.askAs(coord, fmt.Sprintf("squadra 1 sostituisci %d", m.id))
		if strings.Contains(reps, fmt.Sprintf("squadra 1 scambia %d ", m.id)) {
			decl = i
			break
		}
	}
	if decl < 0 {
		t.Fatal("nobody in the team has a replacement")
	}
	decliner := members[decl]
	others := slices.Delete(slices.Clone(members), decl, decl+1)

	// One member accepts; a second click answers "già accettato" and sends nothing.
	clicker := others[0]
	want("accept", s.askAs(clicker.slack, "invito 1 accetta"), "Hai accettato")
	waitUntil(t, "the coordinator told of the first acceptance", func() bool {
		return len(coordPosts(clicker.name+" "+acceptedNote)) > 0
	}, state)
	jobsBefore := postJobs()
	want("second accept", s.askAs(clicker.slack, "invito 1 accetta"), "già accettato")
	if n := postJobs(); n != jobsBefore {
		t.Fatalf("a second click enqueued %d post jobs", n-jobsBefore)
	}

	// Another declines with a reason: the coordinator is told, with a proposal.
	want("decline", s.askAs(decliner.slack, `invito 1 rifiuta motivo="ferie"`), "Hai rifiutato")
	waitUntil(t, "the coordinator told of the decline", func() bool { return len(coordPosts("ha rifiutato")) > 0 }, state)
	declined := coordPosts("ha rifiutato")
	if len(declined) != 1 {
		t.Fatalf("%d decline notices, want 1:\n%s", len(declined), state())
	}
	want("the decline notice", declined[0].Text, decliner.name+" ha rifiutato l'invito", "Motivo: ferie", "Ti propongo")
	swap := swapCommandRE.FindStringSubmatch(declined[0].Text)
	if swap == nil {
		t.Fatalf("no swap button in the decline notice:\n%s", declined[0].Text)
	}
	if swap[1] != strconv.FormatInt(decliner.id, 10) {
		t.Fatalf("the proposal replaces %s, want the decliner %d", swap[1], decliner.id)
	}
	newID, _ := strconv.ParseInt(swap[2], 10, 64)
	var replacement member
	replacement.id = newID
	if err := pool.QueryRow(ctx, `SELECT display_name FROM employees WHERE id = $1`, newID).Scan(&replacement.name); err != nil {
		t.Fatal(err)
	}
	replacement.slack = slackOf(newID)
	if !strings.Contains(declined[0].Text, fmt.Sprintf("*%s* (n. %d)", replacement.name, newID)) {
		t.Errorf("the proposal does not name %s (n. %d):\n%s", replacement.name, newID, declined[0].Text)
	}

	want("swap", s.askAs(coord, swap[0]), fmt.Sprintf("Invito inviato a %s al posto di %s.", replacement.name, decliner.name))
	waitUntil(t, "the invitation to the replacement", func() bool { return len(api.Posts(replacement.slack)) > 0 }, state)
	want("the replacement's invitation", api.Posts(replacement.slack)[0].Text, "ti invita nella squadra del progetto 1")
	// The decliner is not invited again, nor told anything more.
	if n := len(api.Posts(decliner.slack)); n != 1 {
		t.Errorf("%d messages to the decliner, want the invitation only", n)
	}

	// The others accept, the replacement last: the team is formed.
	for _, m := range others[1:] {
		want("accept by "+m.name, s.askAs(m.slack, "invito 1 accetta"), "Hai accettato")
	}
	want("the last accept", s.askAs(replacement.slack, "invito 1 accetta"), "Hai accettato", "la squadra è completa")
	team := append(others, replacement)

	// The channel job: created once, everyone invited, the card posted and pinned.
	waitUntil(t, "the card pinned", func() bool { return len(api.CallsTo("pins.add")) > 0 }, state)
	waitUntil(t, "every post and channel job done", func() bool {
		return count(`SELECT count(*) FROM river_job WHERE kind IN ('post_message', 'team_channel') AND state <> 'completed'`) == 0
	}, func() string {
		return state() + fmt.Sprint(count(`SELECT count(*) FROM river_job WHERE kind IN ('post_message', 'team_channel') AND state <> 'completed'`), " jobs left")
	})

	creates := api.CallsTo("conversations.create")
	if len(creates) != 1 || !strings.HasPrefix(creates[0].Params.Get("name"), "cantieri-1-") {
		t.Fatalf("conversations.create calls = %+v, want one for cantieri-1-…", creates)
	}
	if name := creates[0].Params.Get("name"); name != "cantieri-1-ciclovia-del-bisenzio" {
		t.Errorf("channel name = %q", name)
	}
	wantInvited := []string{coord}
	for _, m := range team {
		if !slices.Contains(wantInvited, m.slack) {
			wantInvited = append(wantInvited, m.slack)
		}
	}
	slices.Sort(wantInvited)
	var invited []string
	for _, c := range api.CallsTo("conversations.invite") {
		if c.Params.Get("channel") != "CPROJ1" {
			t.Errorf("invite to %q, want CPROJ1", c.Params.Get("channel"))
		}
		for u := range strings.SplitSeq(c.Params.Get("users"), ",") {
			if !slices.Contains(invited, u) {
				invited = append(invited, u)
			}
		}
	}
	slices.Sort(invited)
	if !slices.Equal(invited, wantInvited) {
		t.Errorf("invited %q to the channel, want the coordinator and the team %q", invited, wantInvited)
	}
	if n := len(api.CallsTo("conversations.invite")); n != 1 {
		t.Errorf("%d conversations.invite calls, want 1", n)
	}
	cards := api.Posts("CPROJ1")
	if len(cards) != 1 {
		t.Fatalf("%d messages to CPROJ1, want the card once:\n%s", len(cards), state())
	}
	want("the card", cards[0].Text, "Benvenuti nel canale del progetto", "Ciclovia del Bisenzio")
	pins := api.CallsTo("pins.add")
	if len(pins) != 1 || pins[0].Params.Get("channel") != "CPROJ1" || pins[0].Params.Get("timestamp") != cards[0].TS {
		t.Errorf("pins.add calls = %+v, want one for the card's ts %s", pins, cards[0].TS)
	}

	// The coordinator was told of each acceptance but the last (which formed the team), once
	// each: the double click sent nothing.
	if n := len(coordPosts(acceptedNote)); n != len(team)-1 {
		t.Errorf("%d acceptance notices to the coordinator, want %d:\n%s", n, len(team)-1, state())
	}
	if n := len(coordPosts(clicker.name + " " + acceptedNote)); n != 1 {
		t.Errorf("%d notices of %s's acceptance, want 1 despite the double click", n, clicker.name)
	}
	if n := len(coordPosts("La squadra del progetto 1 «Ciclovia del Bisenzio» è completa")); n != 1 {
		t.Errorf("%d formed notices to the coordinator, want 1", n)
	}
	for _, m := range team {
		formed := 0
		for _, p := range api.Posts(m.slack) {
			if strings.Contains(p.Text, "è completa") {
				formed++
			}
		}
		if formed != 1 {
			t.Errorf("%s told %d times that the team is formed, want 1", m.name, formed)
		}
	}

	// The system of record.
	ids := make([]int64, len(team))
	for i, m := range team {
		ids[i] = m.id
	}
	if n := count(`SELECT count(*) FROM team_members WHERE project_id = 1`); n != len(team) {
		t.Errorf("%d team members, want %d", n, len(team))
	}
	if n := count(`SELECT count(*) FROM team_members WHERE project_id = 1 AND employee_id = ANY($1)`, ids); n != len(team) {
		t.Errorf("team_members holds %d of the team %v", n, ids)
	}
	var channel string
	if err := pool.QueryRow(ctx, `SELECT coalesce(team_channel, '') FROM projects WHERE id = 1`).Scan(&channel); err != nil || channel != "CPROJ1" {
		t.Errorf("projects.team_channel = %q (%v), want CPROJ1", channel, err)
	}
	pairs := len(team) * (len(team) - 1) / 2
	if n := count(`SELECT count(*) FROM collaboration_edges WHERE employee_a = ANY($1) AND employee_b = ANY($1)`, ids); n != pairs {
		t.Errorf("%d collaboration edges among the team, want %d", n, pairs)
	}
	if n := count(`SELECT count(*) FROM collaboration_edges WHERE source = 'project' AND (employee_a = $1 OR employee_b = $1)`, decliner.id); n != 0 {
		t.Errorf("the decliner got %d project collaboration edges", n)
	}
	want("the formed status", s.askAs(coord, "squadra 1"), "Squadra completa dal", "<#CPROJ1>")

	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, s.logs)
	}
}
