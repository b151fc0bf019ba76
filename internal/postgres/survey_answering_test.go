package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/survey"
)

// An invitee sees their open, unanswered instances (not others', not closed ones, not those past
// their closing time), and an instance past closes_at refuses an answer before any job closes it.
func TestSurveyAnsweringSideSeesOnlyWhatIsOpenAndMine(t *testing.T) {
	t.Parallel()
	f := newSurveyFixture(t, 5)
	ctx := context.Background()
	me, other := f.dept["S1"][0], f.dept["S2"][0]
	open := func(subject string, closes time.Time, audience ...int64) int64 {
		t.Helper()
		o, err := f.store.Open(ctx, postgres.InstanceSpec{Template: "incontro", Subject: subject, Audience: audience, ClosesAt: closes,
			About: bot.SurveyAbout{Kind: bot.AboutProgramme, ID: 4, Name: "Caffè"}}, nil)
		if err != nil || !o.Created {
			t.Fatalf("open %s: %+v %v", subject, o, err)
		}
		return o.ID
	}
	later := time.Now().Add(48 * time.Hour)
	soon := open("meeting:soon", time.Now().Add(time.Hour), me, other)
	late := open("meeting:late", later, me)
	noDate := open("meeting:nodate", time.Time{}, me)
	notMine := open("meeting:other", later, other)
	past := open("meeting:past", time.Now().Add(-time.Minute), me)
	closed := open("meeting:closed", later, me)
	answered := open("meeting:answered", later, me)
	if _, err := f.store.Close(ctx, closed); err != nil {
		t.Fatal(err)
	}
	_, tpl, err := f.store.LatestVersion(ctx, "incontro")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.Submit(ctx, answered, me, answer(tpl, 4, "")); err != nil {
		t.Fatal(err)
	}

	mine, err := f.store.MySurveys(ctx, me, time.Now().AddDate(0, 0, -90))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range mine.Pending {
		ids = append(ids, p.InstanceID)
	}
	if len(ids) != 3 || ids[0] != soon || ids[1] != late || ids[2] != noDate {
		t.Fatalf("pending = %v, want %v (soonest first, no date last)", ids, []int64{soon, late, noDate})
	}
	p := mine.Pending[0]
	if p.Title.IT != tpl.Title.IT || p.Title.EN != tpl.Title.EN || p.Questions != len(tpl.Questions) ||
		p.About != (bot.SurveyAbout{Kind: bot.AboutProgramme, ID: 4, Name: "Caffè"}) || p.ClosesAt.IsZero() {
		t.Fatalf("pending survey = %+v", p)
	}
	if mine.AnsweredRecently != 1 {
		t.Fatalf("answered recently = %d, want 1", mine.AnsweredRecently)
	}
	if old, err := f.store.MySurveys(ctx, me, time.Now().AddDate(0, 0, 2)); err != nil || old.AnsweredRecently != 0 {
		t.Fatalf("answered since the day after tomorrow = %d, %v", old.AnsweredRecently, err)
	}

	// The instance as its invitee sees it.
	s, err := f.store.SurveyToAnswer(ctx, late, me)
	if err != nil || s.Answered || s.Closed || s.K != 5 || len(s.Template.Questions) != len(tpl.Questions) || s.About.Name != "Caffè" {
		t.Fatalf("late: %+v %v", s, err)
	}
	if _, err := f.store.SurveyToAnswer(ctx, notMine, me); !errors.Is(err, survey.ErrNotInvited) {
		t.Fatalf("another's instance: %v, want ErrNotInvited", err)
	}
	if _, err := f.store.SurveyToAnswer(ctx, 999999, me); !errors.Is(err, survey.ErrNotInvited) {
		t.Fatalf("no such instance: %v, want ErrNotInvited", err)
	}
	if s, err := f.store.SurveyToAnswer(ctx, answered, me); err != nil || !s.Answered || s.Closed {
		t.Fatalf("answered: %+v %v", s, err)
	}
	today := time.Now().Format(time.DateOnly)
	if s, err := f.store.SurveyToAnswer(ctx, closed, me); err != nil || !s.Closed || s.ClosedAt.Format(time.DateOnly) != today {
		t.Fatalf("closed: %+v %v", s, err)
	}
	s, err = f.store.SurveyToAnswer(ctx, past, me)
	if err != nil || !s.Closed || !s.ClosedAt.Equal(s.ClosesAt) {
		t.Fatalf("past its closing time: %+v %v", s, err)
	}

	// Past closes_at, not yet closed by a job: a late answer is refused and nothing is kept.
	if err := f.store.Submit(ctx, past, me, answer(tpl, 3, "")); !errors.Is(err, survey.ErrClosed) {
		t.Fatalf("answer past closes_at: %v, want ErrClosed", err)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_pending WHERE instance_id = $1`, past); n != 0 {
		t.Fatalf("%d pending answers kept for a closed instance", n)
	}
	if n := f.count(t, `SELECT count(*) FROM survey_invitations WHERE instance_id = $1 AND answered`, past); n != 0 {
		t.Fatalf("the late answer marked the invitation answered")
	}
	if err := f.store.Submit(ctx, closed, me, answer(tpl, 3, "")); !errors.Is(err, survey.ErrClosed) {
		t.Fatalf("answer after Close: %v, want ErrClosed", err)
	}
}
