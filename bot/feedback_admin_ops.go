package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/comune-prato/cantieri/internal/indices"
	"github.com/comune-prato/cantieri/internal/survey"
)

// SurveyOperations are what HR does to running surveys by hand: send this month's pulse now
// (the same as its schedule, once per person), see the surveys still open with their counts,
// and close one early. The store implements them (internal/postgres.SurveyStore).
type SurveyOperations interface {
	SendPulse(ctx context.Context, month string, closesAt time.Time, actorID int64, notice SurveyNoticeFunc) (PulseSent, error)
	OpenSurveys(ctx context.Context) ([]SurveyInstanceInfo, error)
	CloseSurvey(ctx context.Context, instanceID, actorID int64) (SurveyClosed, error)
}

// PulseSent is the outcome of sending a month's pulse by hand.
type PulseSent struct {
	InstanceID int64
	// Invited counts the people invited now; Already says the month's pulse had been sent
	// before (then only people not invited yet were).
	Invited  int
	Already  bool
	Closed   bool
	ClosesAt time.Time
}

// SurveyInstanceInfo describes an open survey instance for admins: counts, never who.
type SurveyInstanceInfo struct {
	ID       int64
	Subject  string
	Title    survey.Text
	About    SurveyAbout
	ClosesAt time.Time
	K        int
	// Invited, Answered, Pending (sealed, waiting for a batch of k) and Released count
	// people and responses.
	Invited, Answered, Pending, Released int
}

// SurveyClosed is the outcome of closing an instance by hand.
type SurveyClosed struct {
	Released, Discarded int
	AlreadyClosed       bool
}

// adminSurveySubs are the subs of "admin questionari" that act on running surveys.
func (b *Bot) adminSurveySubs() []*Sub {
	return []*Sub{
		{Words: W("questionari aperti", "surveys open"), Summary: "admin.sub.surveys_open",
			Examples: []string{"admin questionari aperti"}, Handler: b.adminOpenSurveys},
		{Words: W("questionari polso", "surveys pulse"), Summary: "admin.sub.surveys_pulse",
			Examples: []string{"admin questionari polso"}, Handler: b.adminSendPulse},
		{Words: W("questionari chiudi", "surveys close"), Summary: "admin.sub.surveys_close",
			Args:     []Param{{Name: W("ID", "ID"), Kind: KindID, Required: true}},
			Examples: []string{"admin questionari chiudi 3"}, Handler: b.adminCloseSurvey},
	}
}

func (b *Bot) surveyOps(c *Call) (SurveyOperations, *Reply) {
	ops, ok := b.surveyAdmin.(SurveyOperations)
	if !ok {
		return nil, &Reply{Text: c.T("feedback.admin.unavailable"), IsError: true}
	}
	return ops, nil
}

// adminSendPulse sends this month's pulse now: admin questionari polso.
func (b *Bot) adminSendPulse(ctx context.Context, c *Call) (Reply, error) {
	ops, unavailable := b.surveyOps(c)
	if unavailable != nil {
		return *unavailable, nil
	}
	now := b.now().In(b.loc)
	// It closes at the end of the day SURVEY_OPEN_DAYS from today, as the scheduled one.
	closes := time.Date(now.Year(), now.Month(), now.Day()+b.surveyOpenDays+1, 0, 0, 0, 0, b.loc)
	month := now.Format("2006-01")
	res, err := ops.SendPulse(ctx, month, closes, c.Caller.ID, b.SurveyNotice)
	if err != nil {
		return Reply{}, fmt.Errorf("send pulse: %w", err)
	}
	named := monthText(c.Locale, indices.Month{Year: now.Year(), Month: now.Month()})
	switch {
	case res.Closed:
		return Reply{Text: c.T("feedback.admin.pulse_closed", "month", named)}, nil
	case res.Already:
		return Reply{Text: c.T("feedback.admin.pulse_again", "month", named, "n", res.Invited, "id", res.InstanceID)}, nil
	}
	last := res.ClosesAt.Add(-time.Nanosecond).In(b.loc)
	return Reply{Text: c.T("feedback.admin.pulse_sent", "month", named, "n", res.Invited, "id", res.InstanceID,
		"date", dateText(c, &last))}, nil
}

// adminOpenSurveys lists the surveys still open with their counts: admin questionari aperti.
func (b *Bot) adminOpenSurveys(ctx context.Context, c *Call) (Reply, error) {
	ops, unavailable := b.surveyOps(c)
	if unavailable != nil {
		return *unavailable, nil
	}
	list, err := ops.OpenSurveys(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("open surveys: %w", err)
	}
	if len(list) == 0 {
		return Reply{Text: c.T("feedback.admin.open_none")}, nil
	}
	lines := make([]string, 0, len(list))
	for _, x := range list {
		closes := c.T("feedback.admin.open_no_date")
		if !x.ClosesAt.IsZero() {
			last := x.ClosesAt.Add(-time.Nanosecond).In(b.loc)
			closes = dateText(c, &last)
		}
		lines = append(lines, c.T("feedback.admin.open_item", "id", x.ID, "title", x.Title.In(c.Locale),
			"subject", x.Subject, "invited", x.Invited, "answered", x.Answered, "pending", x.Pending,
			"released", x.Released, "date", closes))
	}
	k := list[0].K
	return Reply{Title: c.T("feedback.admin.open_title"),
		Text: strings.Join(lines, "\n") + "\n" + c.T("feedback.admin.open_hint", "k", k)}, nil
}

// adminCloseSurvey closes a survey now: admin questionari chiudi ID.
func (b *Bot) adminCloseSurvey(ctx context.Context, c *Call) (Reply, error) {
	ops, unavailable := b.surveyOps(c)
	if unavailable != nil {
		return *unavailable, nil
	}
	id, _ := strconv.ParseInt(c.Param("ID"), 10, 64)
	res, err := ops.CloseSurvey(ctx, id, c.Caller.ID)
	if errors.Is(err, ErrNotFound) {
		return Reply{}, Errorf(ENOTFOUND, "feedback.admin.close_unknown", "id", id)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("close survey: %w", err)
	}
	if res.AlreadyClosed {
		return Reply{Text: c.T("feedback.admin.close_already", "id", id)}, nil
	}
	text := c.T("feedback.admin.closed", "id", id, "n", res.Released)
	if res.Discarded > 0 {
		text += " " + c.T("feedback.admin.closed_discarded", "n", res.Discarded)
	}
	return Reply{Text: text}, nil
}
