package main

import (
	"github.com/comune-prato/cantieri/internal/slackfake"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestConsoleBesideServeLeavesSlackMessagesToServe runs serve against a fake Slack and, at the
// same time, a console on the same database (an admin trying commands on the server). The
// console confirms a team: the invitations to Slack users must reach the fake Slack through
// serve, and the console prints only the one addressed to a console user. Before the queues
// were split by transport, the console took Slack-bound jobs off the shared queue and printed
// them in its terminal, marking them sent.
func TestConsoleBesideServeLeavesSlackMessagesToServe(t *testing.T) {
	t.Parallel()
	council := seedSlackCouncil(t, 300)
	api := slackfake.New(t)
	startServeWithSlack(t, council.vars, api)

	script := exampleScript(t, "progetto.txt")
	first, _, _ := strings.Cut(script, "\n")
	proposal := consoleScript(t, council.vars, "giulia.cecchi", first+"\nsquadra 1\n")
	var proposed []int64
	for _, m := range regexp.MustCompile(`\(n\. (\d+)\)`).FindAllStringSubmatch(proposal, -1) {
		id, _ := strconv.ParseInt(m[1], 10, 64)
		proposed = append(proposed, id)
	}
	if len(proposed) < 6 {
		t.Fatalf("proposal names %d people, want 6:\n%s", len(proposed), proposal)
	}
	// The first proposed person uses the console only: their invitation is the console's.
	consoleOnly := proposed[0]
	council.exec(`DELETE FROM employee_identities WHERE transport = 'slack' AND employee_id = $1`, consoleOnly)
	var handle string
	if err := council.pool.QueryRow(council.ctx, `SELECT external_id FROM employee_identities
		WHERE transport = 'console' AND employee_id = $1`, consoleOnly).Scan(&handle); err != nil {
		t.Fatalf("console handle of %d: %v", consoleOnly, err)
	}

	out := consoleScript(t, council.vars, "giulia.cecchi", "squadra 1 conferma\n")
	if !strings.Contains(out, "Inviti inviati a 6 persone") {
		t.Fatalf("confirm:\n%s", out)
	}
	rows, err := council.pool.Query(council.ctx, `SELECT employee_id FROM team_invitations WHERE project_id = 1`)
	if err != nil {
		t.Fatal(err)
	}
	var invited []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		invited = append(invited, id)
	}
	rows.Close()
	if len(invited) != 6 {
		t.Fatalf("%d invitations, want 6", len(invited))
	}

	if n := strings.Count(out, "\n[→ "); n != 1 || !strings.Contains(out, "[→ console:"+handle+"]\nInvito nella squadra") {
		t.Errorf("the console printed %d messages, want only the invitation of console:%s:\n%s", n, handle, out)
	}
	for _, id := range invited {
		if id == consoleOnly {
			continue
		}
		ch := "U" + strconv.FormatInt(id, 10)
		waitUntil(t, "the invitation to "+ch+" in Slack", func() bool { return len(api.Posts(ch)) == 1 }, api.Summary)
	}
	// Every invitation job carries its reference, which the worker checks right before sending.
	if n := council.count(`SELECT count(*) FROM river_job WHERE kind = 'post_message'
		AND args->'ref'->>'kind' = 'invitation' AND (args->'ref'->>'id')::bigint IN (SELECT id FROM team_invitations)`); n != 6 {
		t.Errorf("%d invitation jobs carry their invitation's reference, want 6", n)
	}
	// Their texts waited outside River's args, and are gone once sent.
	if n := council.count(`SELECT count(*) FROM river_job WHERE kind = 'post_message' AND (args ? 'reply' OR NOT (args ? 'stored_text'))`); n != 0 {
		t.Errorf("%d post jobs carry their text in River's args", n)
	}
	waitUntil(t, "the sent messages' texts to be deleted", func() bool { return council.count(`SELECT count(*) FROM outbox_texts`) == 0 }, api.Summary)
	if n := len(api.CallsTo("chat.postMessage")); n != 5 {
		t.Errorf("%d posts to Slack, want the 5 invitations:\n%s", n, api.Summary())
	}
}
