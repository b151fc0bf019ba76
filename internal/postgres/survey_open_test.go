package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// tableOutbox writes each notice into a table in the caller's transaction, as River would.
type tableOutbox struct{}

func (tableOutbox) PostTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error {
	for _, n := range notices {
		if _, err := tx.Exec(ctx, `INSERT INTO test_survey_outbox (key, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
			n.Key, n.Channel); err != nil {
			return err
		}
	}
	return nil
}

func (tableOutbox) TeamChannelTx(context.Context, pgx.Tx, int64) error { return nil }

func testSurveyNotice(inv bot.SurveyInvite) bot.Notice {
	return bot.Notice{Key: fmt.Sprintf("survey:%d:%d", inv.InstanceID, inv.Person.ID), Channel: inv.Person.Address(),
		Ref: bot.NoticeRef{Kind: bot.RefSurvey, ID: inv.InstanceID, People: []int64{inv.Person.ID}}}
}

func TestSurveyOpenInvitesEachPersonOnceWithTheirMessage(t *testing.T) {
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `CREATE TABLE test_survey_outbox (key text PRIMARY KEY, channel text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	store, err := postgres.NewSurveyStore(f.pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{testSurveyKey}, Outbox: tableOutbox{}})
	if err != nil {
		t.Fatal(err)
	}
	spec := postgres.InstanceSpec{Template: "incontro", Subject: "meeting:1:2026-12", Audience: f.dept["S1"][:3],
		ClosesAt: time.Now().Add(72 * time.Hour), About: bot.SurveyAbout{Kind: bot.AboutProgramme, ID: 1, Name: "Caffè"}}
	o, err := store.Open(ctx, spec, testSurveyNotice)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Created || o.Invited != 3 || len(o.People) != 3 {
		t.Fatalf("first open: %+v", o)
	}
	// The same subject again, with two more people and one already invited: only the two new
	// ones are invited and messaged.
	spec.Audience = f.dept["S1"][2:5]
	o2, err := store.Open(ctx, spec, testSurveyNotice)
	if err != nil {
		t.Fatal(err)
	}
	if o2.Created || o2.ID != o.ID || o2.Invited != 2 {
		t.Fatalf("second open: %+v", o2)
	}
	if n := f.count(t, `SELECT count(*) FROM test_survey_outbox`); n != 5 {
		t.Fatalf("%d messages, want 5", n)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations WHERE instance_id = $1`, o.ID); n != 5 {
		t.Fatalf("%d invitations, want 5", n)
	}

	due := postgres.NewStore(f.pool)
	me := f.dept["S1"][0]
	ref := bot.NoticeRef{Kind: bot.RefSurvey, ID: o.ID, People: []int64{me}}
	if ok, err := due.MessageDue(ctx, ref); err != nil || !ok {
		t.Fatalf("before answering: due %v, %v", ok, err)
	}
	tpl, err := store.Version(ctx, o.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Submit(ctx, o.ID, me, answer(tpl, 4, "")); err != nil {
		t.Fatal(err)
	}
	if ok, err := due.MessageDue(ctx, ref); err != nil || ok {
		t.Fatalf("after answering: due %v, %v (a reminder must not go to who answered)", ok, err)
	}
	other := bot.NoticeRef{Kind: bot.RefSurvey, ID: o.ID, People: []int64{f.dept["S2"][0]}}
	if ok, _ := due.MessageDue(ctx, other); ok {
		t.Fatal("a message about a survey is due for someone not invited")
	}
	if _, err := store.Close(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	ref.People = []int64{f.dept["S1"][1]}
	if ok, _ := due.MessageDue(ctx, ref); ok {
		t.Fatal("a message about a closed survey is still due")
	}
	// A closed instance invites nobody.
	spec.Audience = f.dept["S1"][5:7]
	o3, err := store.Open(ctx, spec, testSurveyNotice)
	if err != nil {
		t.Fatal(err)
	}
	if !o3.Closed || o3.Invited != 0 {
		t.Fatalf("open after close: %+v", o3)
	}
}
