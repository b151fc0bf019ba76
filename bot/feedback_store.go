package bot

import (
	"context"
	"time"

	"github.com/comune-prato/cantieri/internal/survey"
)

// PendingSurvey is a survey instance someone is invited to, open, and not answered yet.
type PendingSurvey struct {
	InstanceID int64
	Title      survey.Text
	About      SurveyAbout
	// ClosesAt is when it closes (zero: when closed by hand).
	ClosesAt  time.Time
	Questions int
}

// MySurveys is what "valuta" shows someone: their pending surveys, soonest to close first, and
// how many they have answered recently (a count: never which, never what).
type MySurveys struct {
	Pending []PendingSurvey
	// AnsweredRecently counts the instances opened since the asked day that they answered.
	AnsweredRecently int
}

// SurveyToAnswer is one instance as its invitee sees it, to answer it or to be told why not.
type SurveyToAnswer struct {
	InstanceID int64
	// Template is the exact version the instance asks (answers are checked against it).
	Template survey.Template
	About    SurveyAbout
	ClosesAt time.Time
	// K is the instance's k: its results are shown only over at least K answers.
	K int
	// Answered: the invitee has answered (a second answer is refused, the first kept).
	Answered bool
	// Closed: closed by a job or by hand, or past ClosesAt; ClosedAt is when (the day of the
	// close, or ClosesAt).
	Closed   bool
	ClosedAt time.Time
}

// FeedbackStore is what the "valuta" command needs of the survey store. The anonymity design
// is the store's (internal/postgres/surveys.go): the core only hands it a response to seal.
type FeedbackStore interface {
	// MySurveys lists employee's pending surveys and counts those answered among the instances
	// opened since the given day.
	MySurveys(ctx context.Context, employeeID int64, since time.Time) (MySurveys, error)
	// SurveyToAnswer loads an instance employee is invited to; survey.ErrNotInvited when they
	// are not, or it does not exist (the same answer: nobody learns which instances exist).
	SurveyToAnswer(ctx context.Context, instanceID, employeeID int64) (SurveyToAnswer, error)
	// Submit records the answer (see postgres.SurveyStore.Submit): survey.ErrNotInvited,
	// survey.ErrAlreadyAnswered (the first answer kept), survey.ErrClosed (closed, or past its
	// closing time), or a *survey.InvalidError with every problem.
	Submit(ctx context.Context, instanceID, employeeID int64, r survey.Response) error
}
