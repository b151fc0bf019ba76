package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

// The survey maintenance, fired at chosen times: it releases an instance's answers once k are
// pending, closes an instance past its closing time, and reminds only on working days between
// 09:00 and 18:00 (not on a Saturday, nor in the evening, nor on a national holiday), each
// reminder once however often it fires.
func TestSurveyMaintenanceReleasesClosesAndReminds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	outbox := textOutbox(t, pool)
	const k = 3
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: k, Keys: []string{strings.Repeat("s", 40)}, Outbox: outbox})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(pool, postgres.WithOutbox(outbox), postgres.WithSurveys(surveys))
	core := bot.New(bot.Config{Store: store, DefaultLocale: "it"})
	var ids []int64
	for i := range 8 {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO employees (display_name, email) VALUES ($1, $2) RETURNING id`,
			fmt.Sprintf("Persona %d", i), fmt.Sprintf("p%d@comune.example.it", i)).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO employee_identities (transport, external_id, employee_id) VALUES ('slack', $1, $2)`,
			fmt.Sprintf("U%d", id), id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// The pulse, open with no end for six people; a meeting survey for two, already past its
	// closing time (the job has not closed it yet).
	pulse, err := surveys.Open(ctx, postgres.InstanceSpec{Template: postgres.PulseSurveyTemplate, Subject: "pulse:2026-12",
		Audience: ids[:6], About: bot.SurveyAbout{Kind: bot.AboutPulse, Name: "2026-12"}}, core.SurveyNotice)
	if err != nil {
		t.Fatal(err)
	}
	late, err := surveys.Open(ctx, postgres.InstanceSpec{Template: postgres.MeetingSurveyTemplate, Subject: "meeting:1:2026-11",
		Audience: ids[6:], ClosesAt: time.Now().Add(time.Hour), About: bot.SurveyAbout{Kind: bot.AboutProgramme, ID: 1, Name: "Caffè"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE survey_instances SET closes_at = now() - interval '1 minute' WHERE id = $1`, late.ID); err != nil {
		t.Fatal(err)
	}
	tpl, err := surveys.Version(ctx, pulse.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	submit := func(who int64) {
		t.Helper()
		r := survey.Response{}
		for _, q := range tpl.Questions {
			switch q.Kind {
			case survey.KindLikert:
				r[q.Key] = survey.Value{N: 3}
			case survey.KindYesNo:
				r[q.Key] = survey.Value{N: 1}
			case survey.KindChoice:
				r[q.Key] = survey.Value{S: q.Options[0].Key}
			}
		}
		if err := surveys.Submit(ctx, pulse.ID, who, r); err != nil {
			t.Fatal(err)
		}
	}
	submit(ids[0])
	submit(ids[1])

	rome, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	sched := jobs.SurveyMaintenanceSchedule(jobs.SurveyMaintenance{Cron: "*/15 * * * *", Surveys: surveys, RemindAfterDays: 3,
		Notice: core.SurveyNotice})
	if sched.Name != jobs.SurveyMaintenanceScheduleName {
		t.Fatalf("schedule %q", sched.Name)
	}
	// fire runs one firing at, with everyone invited three days before it.
	fire := func(at time.Time) {
		t.Helper()
		if _, err := pool.Exec(ctx, `UPDATE survey_invitations SET invited_on = $1::date - 3`, at); err != nil {
			t.Fatal(err)
		}
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return sched.Run(ctx, jobs.Firing{Schedule: sched.Name, FireAt: at, Tx: tx}) }); err != nil {
			t.Fatalf("fire at %v: %v", at, err)
		}
	}
	reminders := func() int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND args->>'key' LIKE 'survey:%:r%'`,
			jobs.KindPostMessage).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	status := func(id int64) postgres.InstanceStatus {
		t.Helper()
		st, err := surveys.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	// Saturday morning: two answers pending are fewer than k, nothing is released; the late
	// instance is closed; nobody is reminded at the weekend.
	saturday := time.Date(2026, 12, 12, 10, 0, 0, 0, rome)
	fire(saturday)
	if st := status(pulse.ID); st.Pending != 2 || st.Released != 0 || st.Closed {
		t.Fatalf("pulse after the first firing: %+v, want 2 pending", st)
	}
	if st := status(late.ID); !st.Closed {
		t.Fatalf("the instance past its closing time is still open: %+v", st)
	}
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders on a Saturday", n)
	}
	// A third answer: k pending, released in one batch at the next firing. A weekday evening
	// and a national holiday (8 December, a Tuesday) still send no reminder.
	submit(ids[2])
	fire(time.Date(2026, 12, 9, 18, 0, 0, 0, rome))
	if st := status(pulse.ID); st.Pending != 0 || st.Released != 3 {
		t.Fatalf("pulse with k pending: %+v, want 3 released", st)
	}
	fire(time.Date(2026, 12, 8, 11, 0, 0, 0, rome))
	fire(time.Date(2026, 12, 9, 8, 45, 0, 0, rome))
	if n := reminders(); n != 0 {
		t.Fatalf("%d reminders outside working hours", n)
	}
	// Wednesday morning: the three who have not answered the pulse get their first reminder;
	// the closed instance's people get none. Firing again that day sends nothing more.
	wednesday := time.Date(2026, 12, 9, 9, 0, 0, 0, rome)
	fire(wednesday)
	fire(wednesday.Add(15 * time.Minute))
	if n := reminders(); n != 3 {
		t.Fatalf("%d reminders on a working morning, want 3", n)
	}
	var keys []string
	rows, err := pool.Query(ctx, `SELECT args->>'key' FROM river_job WHERE args->>'key' LIKE 'survey:%:r%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	keys, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	for i, key := range keys {
		if want := fmt.Sprintf("survey:%d:%d:r1", pulse.ID, ids[3+i]); key != want {
			t.Errorf("reminder %d: key %q, want %q", i, key, want)
		}
	}
	// The reminder's text is the bot's, with the survey's button.
	var text string
	if err := pool.QueryRow(ctx, `SELECT reply->>'Text' FROM outbox_texts WHERE idempotency_key = $1`, keys[0]).Scan(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Ti ricordo il questionario") {
		t.Errorf("reminder text %q", text)
	}
}
