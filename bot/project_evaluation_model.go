package bot

import (
	"strconv"
	"time"

	"github.com/comune-prato/cantieri/internal/survey"
)

// The evaluation of a project: a milestone survey to the team when the project enters
// monitoraggio, two close surveys when it reaches concluso (the team's, and the external
// evaluators' the coordinator invited), the final values of its indicators, and the card's
// summaries of all that with the k rule.

// Survey template keys and subjects of a project's surveys. The subject is unique per instance,
// so a phase that is entered twice (monitoraggio, sospeso, monitoraggio) opens its survey once.
const (
	TemplateMilestone     = "traguardo"
	TemplateCloseInternal = "chiusura-interna"
	TemplateCloseExternal = "chiusura-esterna"

	SurveyMilestone     = "milestone"
	SurveyCloseInternal = "close-internal"
	SurveyCloseExternal = "close-external"
)

// ProjectSurveySubject is the subject of a project's survey of kind SurveyMilestone,
// SurveyCloseInternal or SurveyCloseExternal: "project:12:milestone".
func ProjectSurveySubject(projectID int64, kind string) string {
	return "project:" + strconv.FormatInt(projectID, 10) + ":" + kind
}

// RefEvaluator is the NoticeRef kind of the message telling someone they were asked to
// evaluate a project: due while the evaluator row ID (project_evaluators) still exists, so that
// an evaluator removed before the message went out is not told.
const RefEvaluator = "evaluator"

// SurveyOpening is what a change that opens surveys needs from the core: the message that
// invites each person (Bot.SurveyNotice), and when the surveys close.
type SurveyOpening struct {
	Notice   SurveyNoticeFunc
	ClosesAt time.Time
}

// Evaluator is an external evaluator of a project.
type Evaluator struct {
	// ID is the evaluator row's id (a person removed and asked again gets a new one).
	ID        int64
	Person    PersonRef
	InvitedAt time.Time
}

// EvaluatorsAdded is what adding evaluators did.
type EvaluatorsAdded struct {
	// Added are the evaluators added now (those already evaluators are left out).
	Added []Evaluator
	// Invited counts those invited at once to the open external survey (project concluso).
	Invited int
	// SurveyClosed is true when the project is concluso and its external survey has closed:
	// the new evaluators were recorded but cannot answer any more.
	SurveyClosed bool
}

// EvaluatorNoticeFunc computes, inside the store's transaction, the messages to evaluators
// just added or removed, knowing whether the project's external survey is open now (concluso).
type EvaluatorNoticeFunc func(evaluators []Evaluator, surveyOpen bool) []Notice

// EvaluationSurvey is one of a project's surveys as the card may show it: counts (never who)
// and the aggregate report with the k rule already applied.
type EvaluationSurvey struct {
	// InstanceID is 0 when the survey was never opened.
	InstanceID int64
	// Invited and Answered count invitations (answers still sealed included in Answered).
	Invited, Answered int
	Closed            bool
	// Report aggregates the released answers (Hidden below k).
	Report survey.Report
}

// Opened reports whether the survey exists.
func (s EvaluationSurvey) Opened() bool { return s.InstanceID != 0 }

// ProjectEvaluation gathers a project's surveys and its number of external evaluators.
type ProjectEvaluation struct {
	// K is the k rule's threshold: nothing is shown about fewer respondents.
	K                             int
	Milestone, Internal, External EvaluationSurvey
	Evaluators                    int
}
