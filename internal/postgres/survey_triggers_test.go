package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// A "sì" invites the person to the programme's survey of the month, in the answer's
// transaction: once per month whatever the number of rounds, again in another month; "non
// ancora" and "no" invite nobody, and a month whose survey has closed invites nobody either,
// while the answer itself is still recorded. The group's edges are kept as before.
func TestMeetingYesInvitesToTheMonthsSurveyOnce(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	surveys, err := postgres.NewSurveyStore(f.pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{testSurveyKey}, Outbox: meetOutbox{}})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(f.pool, postgres.WithDepartmentType("Settore"), postgres.WithOutbox(meetOutbox{}), postgres.WithSurveys(surveys))
	f.store = store
	p := f.programme(t, "Caffè & scambi", 2, 4, "Anna", "Bruno", "Carla", "Dario")
	r1, _ := f.record(t, p, 0, [][]string{{"Anna", "Bruno"}, {"Carla", "Dario"}}, nil)
	r2, _ := f.record(t, p, 1, [][]string{{"Anna", "Carla"}, {"Bruno", "Dario"}}, nil)
	r3, _ := f.record(t, p, 2, [][]string{{"Anna", "Dario"}, {"Bruno", "Carla"}}, nil)
	november := bot.MeetSurvey{Month: "2026-11", ClosesAt: time.Now().Add(30 * 24 * time.Hour).Truncate(time.Second)}
	december := bot.MeetSurvey{Month: "2026-12", ClosesAt: time.Now().Add(60 * 24 * time.Hour).Truncate(time.Second)}
	closed := bot.MeetSurvey{Month: "2026-10", ClosesAt: time.Now().Add(-time.Hour)}

	answer := func(r bot.Round, name string, a bot.MeetAnswer, sv bot.MeetSurvey) *bot.SurveyInvite {
		t.Helper()
		res, err := store.Answer(f.ctx, r.ID, f.ids[name], a, sv)
		if err != nil {
			t.Fatalf("%s answers %s in round %d: %v", name, a, r.Number, err)
		}
		return res.Survey
	}
	inv := answer(r1, "Anna", bot.MeetYes, november)
	if inv == nil || inv.Person.ID != f.ids["Anna"] || inv.About != (bot.SurveyAbout{Kind: bot.AboutProgramme, ID: p.ID, Name: "Caffè & scambi"}) ||
		inv.Questions < 3 || inv.Title.IT == "" || !inv.ClosesAt.Equal(november.ClosesAt) || inv.Reminder != 0 {
		t.Fatalf("first sì: invitation %+v", inv)
	}
	var (
		subject, template string
		about             []byte
		closesAt          time.Time
	)
	if err := f.pool.QueryRow(f.ctx, `SELECT i.subject, t.key, i.about, i.closes_at FROM survey_instances i
		JOIN survey_versions v ON v.id = i.version_id JOIN survey_templates t ON t.id = v.template_id WHERE i.id = $1`, inv.InstanceID).
		Scan(&subject, &template, &about, &closesAt); err != nil {
		t.Fatal(err)
	}
	var storedAbout bot.SurveyAbout
	if err := json.Unmarshal(about, &storedAbout); err != nil {
		t.Fatal(err)
	}
	if subject != fmt.Sprintf("meeting:%d:2026-11", p.ID) || template != postgres.MeetingSurveyTemplate || storedAbout != inv.About ||
		!closesAt.Equal(november.ClosesAt) {
		t.Fatalf("instance: subject %q template %q about %+v closes %v", subject, template, storedAbout, closesAt)
	}
	// Another round of the same month: no second invitation, whatever is answered.
	if again := answer(r2, "Anna", bot.MeetYes, november); again != nil {
		t.Errorf("second sì in the month invited again: %+v", again)
	}
	if again := answer(r2, "Anna", bot.MeetYes, november); again != nil {
		t.Errorf("the same sì repeated invited again: %+v", again)
	}
	// A round answered in December: the December survey.
	dec := answer(r3, "Anna", bot.MeetYes, december)
	if dec == nil || dec.InstanceID == inv.InstanceID {
		t.Fatalf("sì in December: %+v, want a new instance (November's is %d)", dec, inv.InstanceID)
	}
	// Bruno has not met yet, Carla did not meet: nobody is invited.
	if got := answer(r1, "Bruno", bot.MeetNotYet, november); got != nil {
		t.Errorf("non ancora invited: %+v", got)
	}
	if got := answer(r1, "Carla", bot.MeetNo, november); got != nil {
		t.Errorf("no invited: %+v", got)
	}
	// Dario's sì comes for a month whose survey has closed: recorded, nobody invited.
	if _, err := surveys.Open(f.ctx, postgres.InstanceSpec{Template: postgres.MeetingSurveyTemplate,
		Subject: postgres.MeetingSurveySubject(p.ID, "2026-10"), ClosesAt: closed.ClosesAt}, nil); err != nil {
		t.Fatal(err)
	}
	if got := answer(r1, "Dario", bot.MeetYes, closed); got != nil {
		t.Errorf("sì for a closed month invited: %+v", got)
	}
	if part, err := store.RoundPart(f.ctx, r1.ID, f.ids["Dario"]); err != nil || part.Answer != bot.MeetYes {
		t.Errorf("Dario's answer: %+v %v", part, err)
	}

	if n := f.count(t, `SELECT count(*) FROM survey_invitations`); n != 2 {
		t.Errorf("%d invitations, want 2 (Anna in November and in December)", n)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations WHERE employee_id = ANY($1)`,
		[]int64{f.ids["Bruno"], f.ids["Carla"], f.ids["Dario"]}); n != 0 {
		t.Errorf("%d invitations for Bruno, Carla, Dario, want 0", n)
	}
	// The reply carries the survey: no direct message is queued for it.
	if n := f.count(t, `SELECT count(*) FROM test_meet_outbox WHERE key LIKE 'survey:%'`); n != 0 {
		t.Errorf("%d survey messages queued, want 0", n)
	}
	// A sì still links the group's members.
	if n := f.count(t, `SELECT count(*) FROM collaboration_edges WHERE source = 'meeting' AND $1 IN (employee_a, employee_b)`, f.ids["Anna"]); n != 3 {
		t.Errorf("Anna has %d meeting edges, want 3 (Bruno, Carla, Dario)", n)
	}
}

// remindNotice keys reminders by number, as Bot.SurveyNotice does.
func remindNotice(inv bot.SurveyInvite) bot.Notice {
	key := fmt.Sprintf("survey:%d:%d", inv.InstanceID, inv.Person.ID)
	if inv.Reminder > 0 {
		key += fmt.Sprintf(":r%d", inv.Reminder)
	}
	return bot.Notice{Key: key, Channel: inv.Person.Address(),
		Ref: bot.NoticeRef{Kind: bot.RefSurvey, ID: inv.InstanceID, People: []int64{inv.Person.ID}}}
}

// Reminders: the first RemindAfterDays after the invitation, the second as many days later,
// then silence; none to someone who answered, none for an instance past its closing time (nor,
// once closed, ever); a retried run sends nothing twice. CloseDue closes what is past its time.
func TestRemindersTwiceThenSilence(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `CREATE TABLE test_survey_outbox (key text PRIMARY KEY, channel text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	store, err := postgres.NewSurveyStore(f.pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{testSurveyKey}, Outbox: tableOutbox{}})
	if err != nil {
		t.Fatal(err)
	}
	people := f.dept["S1"][:6]
	open, err := store.Open(ctx, postgres.InstanceSpec{Template: postgres.PulseSurveyTemplate, Subject: "pulse:2026-11",
		Audience: people, ClosesAt: time.Now().Add(30 * 24 * time.Hour), About: bot.SurveyAbout{Kind: bot.AboutPulse, Name: "2026-11"}}, remindNotice)
	if err != nil {
		t.Fatal(err)
	}
	late, err := store.Open(ctx, postgres.InstanceSpec{Template: postgres.MeetingSurveyTemplate, Subject: "meeting:1:2026-10",
		Audience: f.dept["S2"][:3], ClosesAt: time.Now().Add(time.Hour)}, remindNotice)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := store.Version(ctx, open.VersionID)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Submit(ctx, open.ID, people[0], answer(tpl, 4, "")); err != nil {
		t.Fatal(err)
	}
	today := time.Now()
	invitedDaysAgo := func(days int) {
		t.Helper()
		if _, err := f.pool.Exec(ctx, `UPDATE survey_invitations SET invited_on = $1::date - $2::int`, today, days); err != nil {
			t.Fatal(err)
		}
	}
	remind := func() int {
		t.Helper()
		var n int
		err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
			var err error
			n, err = store.RemindTx(ctx, tx, today, 3, 1000, remindNotice)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The late instance is past its closing time from here on, though not closed yet.
	if _, err := f.pool.Exec(ctx, `UPDATE survey_instances SET closes_at = now() - interval '1 minute' WHERE id = $1`, late.ID); err != nil {
		t.Fatal(err)
	}

	invitedDaysAgo(2)
	if n := remind(); n != 0 {
		t.Fatalf("2 days after the invitation: %d reminders, want 0", n)
	}
	invitedDaysAgo(3)
	if n := remind(); n != 5 {
		t.Fatalf("3 days after: %d reminders, want 5 (six invited, one answered; the late instance none)", n)
	}
	if n := remind(); n != 0 {
		t.Fatalf("the same day again: %d reminders, want 0", n)
	}
	invitedDaysAgo(5)
	if n := remind(); n != 0 {
		t.Fatalf("5 days after: %d reminders, want 0 (the second is due at 6)", n)
	}
	invitedDaysAgo(6)
	if n := remind(); n != 5 {
		t.Fatalf("6 days after: %d reminders, want 5", n)
	}
	for _, days := range []int{9, 12, 40} {
		invitedDaysAgo(days)
		if n := remind(); n != 0 {
			t.Fatalf("%d days after: %d reminders, want 0 (two is the most)", days, n)
		}
	}
	for _, c := range []struct {
		pattern string
		want    int
	}{
		{fmt.Sprintf("survey:%d:%%:r1", open.ID), 5},
		{fmt.Sprintf("survey:%d:%%:r2", open.ID), 5},
		{fmt.Sprintf("survey:%d:%d:r%%", open.ID, people[0]), 0},
		{fmt.Sprintf("survey:%d:%%:r%%", late.ID), 0},
		{"%:r3", 0},
	} {
		if n := f.count(t, `SELECT count(*) FROM test_survey_outbox WHERE key LIKE $1`, c.pattern); n != c.want {
			t.Errorf("%d messages like %s, want %d", n, c.pattern, c.want)
		}
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations WHERE instance_id = $1 AND reminders = 2`, open.ID); n != 5 {
		t.Errorf("%d invitations counted 2 reminders, want 5", n)
	}

	// The maintenance closes the late instance (and only it); closed, it is never reminded.
	closedN, err := store.CloseDue(ctx, time.Now())
	if err != nil || closedN != 1 {
		t.Fatalf("close due: %d, %v; want 1", closedN, err)
	}
	if st, err := store.Status(ctx, late.ID); err != nil || !st.Closed {
		t.Fatalf("late instance: %+v %v", st, err)
	}
	if st, err := store.Status(ctx, open.ID); err != nil || st.Closed {
		t.Fatalf("open instance: %+v %v", st, err)
	}
	if closedN, err := store.CloseDue(ctx, time.Now()); err != nil || closedN != 0 {
		t.Fatalf("close due again: %d, %v; want 0", closedN, err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE survey_instances SET closes_at = NULL WHERE id = $1`, late.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE survey_invitations SET reminders = 0, invited_on = current_date - 3 WHERE instance_id = $1`, late.ID); err != nil {
		t.Fatal(err)
	}
	if n := remind(); n != 0 {
		t.Fatalf("closed instance: %d reminders, want 0", n)
	}
}

// RemindTx sends at most its limit; the rest wait for the next call.
func TestRemindersRespectTheLimit(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `CREATE TABLE test_survey_outbox (key text PRIMARY KEY, channel text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	store, err := postgres.NewSurveyStore(f.pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{testSurveyKey}, Outbox: tableOutbox{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, postgres.InstanceSpec{Template: postgres.PulseSurveyTemplate, Subject: "pulse:2026-11",
		Audience: f.all}, remindNotice); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE survey_invitations SET invited_on = current_date - 3`); err != nil {
		t.Fatal(err)
	}
	var got []int
	for range 3 {
		err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
			n, err := store.RemindTx(ctx, tx, time.Now(), 3, 10, remindNotice)
			got = append(got, n)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(f.all) != 24 || got[0] != 10 || got[1] != 10 || got[2] != 4 {
		t.Fatalf("reminders per call %v for %d people, want 10, 10, 4", got, len(f.all))
	}
}

// Two maintenance firings overlapping (one still in its transaction when the other starts)
// remind each person once: the second skips the invitations the first holds instead of
// reminding them again once it commits.
func TestOverlappingRemindersSendEachOnce(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	if _, err := f.pool.Exec(ctx, `CREATE TABLE test_survey_outbox (key text PRIMARY KEY, channel text NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	store, err := postgres.NewSurveyStore(f.pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{testSurveyKey}, Outbox: tableOutbox{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, postgres.InstanceSpec{Template: postgres.PulseSurveyTemplate, Subject: "pulse:2026-11",
		Audience: f.dept["S1"]}, remindNotice); err != nil {
		t.Fatal(err)
	}
	// Invited long ago: were the first firing's reminders not held, the second would count
	// them as the first and send the second at once.
	if _, err := f.pool.Exec(ctx, `UPDATE survey_invitations SET invited_on = current_date - 30`); err != nil {
		t.Fatal(err)
	}
	first, err := f.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	n1, err := store.RemindTx(ctx, first, time.Now(), 3, 1000, remindNotice)
	if err != nil || n1 != 12 {
		t.Fatalf("first firing: %d, %v; want 12", n1, err)
	}
	second := make(chan int, 1)
	go func() {
		var n int
		err := pgx.BeginFunc(ctx, f.pool, func(tx pgx.Tx) error {
			var err error
			n, err = store.RemindTx(ctx, tx, time.Now(), 3, 1000, remindNotice)
			return err
		})
		if err != nil {
			t.Error(err)
		}
		second <- n
	}()
	// Let the second firing either finish or block on the first's locks, then commit the first.
	var (
		n2   int
		done bool
	)
	select {
	case n2 = <-second:
		done = true
	case <-time.After(2 * time.Second):
	}
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if !done {
		n2 = <-second
	}
	if n2 != 0 {
		t.Fatalf("the overlapping firing sent %d more reminders, want 0", n2)
	}
	if n := f.count(t, `SELECT count(*) FROM test_survey_outbox WHERE key LIKE '%:r2'`); n != 0 {
		t.Fatalf("%d second reminders sent on the day of the first", n)
	}
}
