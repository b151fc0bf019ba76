package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// MessageDue is what a post job asks right before sending: the answer follows the rows, so
// a message enqueued before an answer, a stop or an erasure is not sent after it.
func TestMessageDue(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	p := f.programme(t, "Caffè", 2, 0, "Anna", "Bruno", "Carla", "Dario")
	r, _ := f.record(t, p, 0, [][]string{{"Anna", "Bruno"}, {"Carla", "Dario"}}, nil)
	var inv int64
	if err := f.pool.QueryRow(f.ctx, `WITH pr AS (INSERT INTO projects (title) VALUES ('Ciclovia') RETURNING id)
		INSERT INTO team_invitations (project_id, slot, employee_id) SELECT id, 1, $1 FROM pr RETURNING id`,
		f.ids["Carla"]).Scan(&inv); err != nil {
		t.Fatal(err)
	}
	ids := func(names ...string) []int64 {
		out := make([]int64, len(names))
		for i, n := range names {
			out[i] = f.ids[n]
		}
		return out
	}
	check := func(what string, ref bot.NoticeRef, want bool) {
		t.Helper()
		got, err := f.store.MessageDue(f.ctx, ref)
		if err != nil || got != want {
			t.Errorf("%s: due = %v, %v; want %v", what, got, err, want)
		}
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := f.pool.Exec(f.ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}

	check("nothing named", bot.NoticeRef{}, true)
	check("active people", bot.NoticeRef{People: ids("Anna", "Bruno", "Anna")}, true)
	check("a deactivated person", bot.NoticeRef{People: ids("Anna", "Fabio")}, false)
	check("an erased person", bot.NoticeRef{People: ids("Gina")}, false)
	check("an unknown person", bot.NoticeRef{People: []int64{1 << 40}}, false)
	// A message naming someone (who declined, a proposed replacement) is not due once they
	// erased their data; being deactivated, or merged away, does not stop it.
	check("naming an erased person", bot.NoticeRef{People: ids("Anna"), About: ids("Bruno", "Gina")}, false)
	check("naming a deactivated person", bot.NoticeRef{People: ids("Anna"), About: ids("Fabio")}, true)
	check("naming a merged row", bot.NoticeRef{People: ids("Anna"), About: []int64{1 << 40}}, true)
	check("a standing round", bot.NoticeRef{Kind: bot.RefRound, ID: r.ID, People: ids("Anna", "Bruno")}, true)
	check("a pending invitation", bot.NoticeRef{Kind: bot.RefInvitation, ID: inv, People: ids("Carla")}, true)

	exec(`UPDATE team_invitations SET status = 'declined', answered_at = now() WHERE id = $1`, inv)
	check("an answered invitation", bot.NoticeRef{Kind: bot.RefInvitation, ID: inv, People: ids("Carla")}, false)
	// A message to Dario waits to be sent, with its text kept aside.
	if err := pgx.BeginFunc(f.ctx, f.pool, func(tx pgx.Tx) error {
		return postgres.NewOutbound(f.pool).SaveTextTx(f.ctx, tx, "meet-ask:1:dario", bot.Reply{Text: "Ciao Dario"}, ids("Dario"))
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ErasePersonalData(f.ctx, f.ids["Dario"], nil); err != nil {
		t.Fatal(err)
	}
	if _, found, err := postgres.NewOutbound(f.pool).LoadText(f.ctx, "meet-ask:1:dario"); err != nil || found {
		t.Errorf("the text of a message to Dario survives his erasure (found %v, %v)", found, err)
	}
	check("a group with a member erased since", bot.NoticeRef{Kind: bot.RefRound, ID: r.ID, People: ids("Carla", "Dario")}, false)
	exec(`UPDATE meeting_programmes SET active = false WHERE id = $1`, p.ID)
	check("a round of a stopped programme", bot.NoticeRef{Kind: bot.RefRound, ID: r.ID, People: ids("Anna")}, false)
	check("a round that does not exist", bot.NoticeRef{Kind: bot.RefRound, ID: r.ID + 100}, false)
	if _, err := f.store.MessageDue(f.ctx, bot.NoticeRef{Kind: "frobnicate", ID: 1}); err == nil {
		t.Error("an unknown kind: no error")
	}
}
