package jobs_test

import (
	"context"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// TestErasureDeletesSurveyMessages: the survey invitations waiting to be sent through River
// (their texts in outbox_texts, their post jobs) go with the person's erasure, and so does the
// record that they were invited; the others' stay.
func TestErasureDeletesSurveyMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := openPool(t, pgtest.NewDatabase(t))
	meetSeed(t, pool)
	outbox := textOutbox(t, pool)
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 3,
		Keys: []string{"a-test-survey-key-of-at-least-32-characters"}, Outbox: outbox})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(pool, postgres.WithOutbox(outbox), postgres.WithSurveys(surveys))
	core := bot.New(bot.Config{Store: store, DefaultLocale: "it"})
	var people []int64
	rows, _ := pool.Query(ctx, `SELECT employee_id FROM employee_identities ORDER BY employee_id LIMIT 4`)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		people = append(people, id)
	}
	if len(people) != 4 {
		t.Fatalf("seed has %d people with an address", len(people))
	}
	o, err := surveys.Open(ctx, postgres.InstanceSpec{Template: "polso", Subject: "pulse:erasure", Audience: people,
		About: bot.SurveyAbout{Kind: bot.AboutPulse, Name: "2026-12"}}, core.SurveyNotice)
	if err != nil || len(o.People) != 4 {
		t.Fatalf("open: %+v, %v", o, err)
	}
	count := func(sql string, args ...any) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, sql, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	gone := people[0]
	if n := count(`SELECT count(*) FROM outbox_texts WHERE people @> ARRAY[$1::bigint]`, gone); n != 1 {
		t.Fatalf("%d survey texts for the person before erasure, want 1", n)
	}
	if err := store.ErasePersonalData(ctx, gone, nil); err != nil {
		t.Fatal(err)
	}
	for what, sql := range map[string]string{
		"texts":       `SELECT count(*) FROM outbox_texts WHERE people @> ARRAY[$1::bigint] OR idempotency_key LIKE '%:' || $1::text`,
		"post jobs":   `SELECT count(*) FROM river_job WHERE kind = 'post_message' AND (args->'ref'->'people' @> to_jsonb(ARRAY[$1::bigint]) OR args->>'key' LIKE '%:' || $1::text)`,
		"invitations": `SELECT count(*) FROM survey_invitations WHERE employee_id = $1`,
	} {
		if n := count(sql, gone); n != 0 {
			t.Errorf("%d survey %s of the erased person remain", n, what)
		}
	}
	if n := count(`SELECT count(*) FROM outbox_texts WHERE idempotency_key LIKE 'survey:%'`); n != 3 {
		t.Errorf("%d survey texts left, want the other 3", n)
	}
	if n := count(`SELECT count(*) FROM river_job WHERE kind = 'post_message'`); n != 3 {
		t.Errorf("%d post jobs left, want the other 3", n)
	}
}
