package bot

import (
	"fmt"
	"strconv"
	"time"

	"github.com/comune-prato/cantieri/internal/survey"
)

// RefSurvey is the NoticeRef kind of a survey's invitation or reminder: the message is due
// while the survey instance ID is open and ref.People[0] is invited to it and has not answered.
const RefSurvey = "survey"

// Kinds of what a survey instance is about (SurveyAbout.Kind).
const (
	AboutProgramme = "programme" // an exchange programme's meetings
	AboutProject   = "project"   // a project's milestone or close
	AboutPulse     = "pulse"     // the monthly pulse of the whole council
)

// SurveyAbout says what a survey instance is about, for the messages that ask people to answer
// it: a programme or a project (its id and name, not personal data), or the pulse (Name is the
// month, "2026-05").
type SurveyAbout struct {
	Kind string `json:"kind,omitempty"`
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// SurveyInvite is one person's invitation (or reminder) to answer a survey instance.
type SurveyInvite struct {
	InstanceID int64
	Person     PersonRef
	Title      survey.Text
	About      SurveyAbout
	// Questions counts the questions, to say how long it takes.
	Questions int
	// ClosesAt is when the instance closes (zero: no date).
	ClosesAt time.Time
	// Reminder is 0 for the invitation, 1 and 2 for the reminders.
	Reminder int
}

// SurveyNoticeFunc renders a survey invitation as the message that carries it. The store calls
// it inside the transaction that invites (Bot.SurveyNotice is the one used outside tests).
type SurveyNoticeFunc func(SurveyInvite) Notice

// SurveyNotice is the direct message asking inv's person to answer a survey: what it is about,
// how long it takes, that it is anonymous, when it closes, and a button that opens the form
// (`valuta ID`). Keyed by instance, person and reminder number, so that a retried trigger or
// reminder sends it once; due only while the person is invited, has not answered and the
// instance is open (RefSurvey).
func (b *Bot) SurveyNotice(inv SurveyInvite) Notice {
	c := b.callFor(inv.Person)
	text, button := b.surveyAsk(c, inv)
	key := fmt.Sprintf("survey:%d:%d", inv.InstanceID, inv.Person.ID)
	if inv.Reminder > 0 {
		key += fmt.Sprintf(":r%d", inv.Reminder)
	}
	ref := refTo(inv.Person)
	ref.Kind, ref.ID = RefSurvey, inv.InstanceID
	return Notice{
		Key:     key,
		Channel: inv.Person.Address(),
		Reply: Reply{
			Title:   inv.Title.In(c.Locale),
			Text:    text,
			Choices: []Choice{button},
			Private: true,
			Locale:  c.Locale,
		},
		Ref: ref,
	}
}

// surveyAsk is what asks c's person to answer inv, in their language: what it is about, how
// long it takes, when it closes, that it is anonymous; and the button that opens the form.
// The invitation, its reminders and the reply to a "sì" (which offers the survey at once) say
// it alike.
func (b *Bot) surveyAsk(c *Call, inv SurveyInvite) (string, Choice) {
	var about string
	switch inv.About.Kind {
	case AboutProgramme:
		about = c.T("feedback.notice.about.programme", "name", inv.About.Name)
	case AboutProject:
		about = c.T("feedback.notice.about.project", "id", inv.About.ID, "name", inv.About.Name)
	case AboutPulse:
		about = c.T("feedback.notice.about.pulse")
	}
	text := c.T("feedback.notice.text", "about", about, "n", inv.Questions)
	if inv.Reminder > 0 {
		text = c.T("feedback.notice.reminder", "about", about, "n", inv.Questions)
	}
	if !inv.ClosesAt.IsZero() {
		// The last day one can answer: an instance closing at midnight is open until the
		// day before, which is the date to say.
		closes := inv.ClosesAt.Add(-time.Nanosecond).In(b.loc)
		text += " " + c.T("feedback.notice.closes", "date", dateText(c, &closes))
	}
	text += "\n" + c.T("feedback.notice.anonymous")
	id := strconv.FormatInt(inv.InstanceID, 10)
	return text, Choice{Label: c.T("feedback.notice.button"), Command: feedbackWord + " " + id, Style: StylePrimary}
}

// feedbackWord is the command that lists and answers surveys (its Italian word: buttons carry
// canonical commands, which Localize rewrites for the reader).
const feedbackWord = "valuta"
