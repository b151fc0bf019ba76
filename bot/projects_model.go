package bot

import (
	"context"
	"time"

	"github.com/comune-prato/cantieri/internal/teamform"
)

// Phase is a project's lifecycle phase.
type Phase string

// The lifecycle: ideazione → progettazione → realizzazione → monitoraggio → concluso, plus
// sospeso and annullato.
const (
	PhaseIdeazione     Phase = "ideazione"
	PhaseProgettazione Phase = "progettazione"
	PhaseRealizzazione Phase = "realizzazione"
	PhaseMonitoraggio  Phase = "monitoraggio"
	PhaseConcluso      Phase = "concluso"
	PhaseSospeso       Phase = "sospeso"
	PhaseAnnullato     Phase = "annullato"
)

// PersonRef names an employee in a project: enough to show and to mention them.
type PersonRef struct {
	ID          int64
	Name        string
	SlackUserID string
	// Handle is the console handle and Locale the person's language; only the team and
	// meeting queries, which message people, fill them.
	Handle string
	Locale string
}

// Address is where a direct message to the person goes: their Slack user id, or
// "console:HANDLE" for someone known only to the console; empty when they have neither.
func (p PersonRef) Address() string {
	switch {
	case p.SlackUserID != "":
		return p.SlackUserID
	case p.Handle != "":
		return ConsoleAddressPrefix + p.Handle
	}
	return ""
}

// ConsoleAddressPrefix marks an address that only the console can deliver to; the Slack
// transport refuses it with ErrUnreachable.
const ConsoleAddressPrefix = "console:"

// ObjectiveRef names a strategic objective.
type ObjectiveRef struct {
	Code  string
	Title string
}

// SkillNeed is a skill a project requires: at least MinLevel, Count people.
type SkillNeed struct {
	Skill
	MinLevel int
	Count    int
}

// SkillNeedInput is a skill need as a user gives it (a catalogue code).
type SkillNeedInput struct {
	Code     string
	MinLevel int
	Count    int
}

// Project is a project with everything its card shows.
type Project struct {
	ID          int64
	Title       string
	Description string
	Coordinator *PersonRef
	Objectives  []ObjectiveRef
	Units       []UnitRef
	Skills      []SkillNeed
	TeamSize    int
	// BudgetCents is the budget in euro cents (integer: no rounding errors on money).
	BudgetCents   int64
	FundingSource string
	// PlannedStart and PlannedEnd are dates (midnight UTC), nil when not set.
	PlannedStart *time.Time
	PlannedEnd   *time.Time
	Phase        Phase
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Assessments are the robustness assessments, oldest first (the last is current).
	Assessments []Assessment
	Indicators  []Indicator
	// History lists the phase transitions, oldest first.
	History []PhaseChange
	// Team is the team's invitations and, once formed, its channel (zero before confirmation).
	Team ProjectTeam
}

// ProjectInput creates or edits a project. On creation the zero value of a field means "not
// given" (Title and at least one objective are required); on edit, nil pointers and nil
// slices leave a field as it is.
type ProjectInput struct {
	Title          *string
	Description    *string
	CoordinatorID  *int64
	ObjectiveCodes []string
	UnitCodes      []string
	Skills         []SkillNeedInput
	TeamSize       *int
	BudgetCents    *int64
	FundingSource  *string
	PlannedStart   *time.Time
	PlannedEnd     *time.Time
}

// Assessment is one version of a project's robustness check.
type Assessment struct {
	Version  int
	Assessor string
	At       time.Time
	Answers  []AssessmentAnswer
}

// AssessmentAnswer is one scored question (codes from internal/projectdesign).
type AssessmentAnswer struct {
	Question      string
	Score         int
	Justification string
}

// Indicator is an output or outcome indicator with its measurements.
type Indicator struct {
	ID        int64
	Kind      string // output | outcome
	Name      string
	Unit      string
	Baseline  float64
	Target    float64
	Direction string // up | down
	// Measurements are dated values, oldest first.
	Measurements []Measurement
}

// Measurement is an indicator's value on a date.
type Measurement struct {
	On    time.Time
	Value float64
	Note  string
	// Final marks the indicator's value at the close (at most one per indicator).
	Final bool
}

// PhaseChange is one transition in a project's history.
type PhaseChange struct {
	From     Phase
	To       Phase
	Actor    string
	At       time.Time
	Note     string
	Override string
}

// ProjectFilter selects projects for a list.
type ProjectFilter struct {
	// CoordinatorID, when not 0, keeps the projects this employee coordinates.
	CoordinatorID int64
	Phase         Phase
	UnitCode      string
	ObjectiveCode string
	Limit         int
	Offset        int
}

// ProjectSummary is a project in a list.
type ProjectSummary struct {
	ID          int64
	Title       string
	Phase       Phase
	Coordinator string
}

// Reminder is a reminder due to a project's coordinator.
type Reminder struct {
	ProjectID   int64
	Title       string
	Coordinator PersonRef
	// Condition is "end_passed" or "indicator_stale".
	Condition string
	// PeriodKey identifies the period, so that the condition is reminded once per period.
	PeriodKey string
	// Indicator names the stale indicator (indicator_stale only).
	Indicator string
	// Since is the planned end, or the last measurement (or the indicator's creation).
	Since time.Time
	// Locale is the coordinator's language for the message ("" for the default).
	Locale string
}

// ProjectStore is what the project commands need from the system of record. Every write is one
// transaction. The inputs are validated by the core first (ProjectInput.Validate and the
// others in validate.go): a store checks no limit. References to unknown objectives, units,
// skills or people are a user-facing *Error (ENOTFOUND) naming the value, found before any id
// is taken, and nothing is written.
type ProjectStore interface {
	CreateProject(ctx context.Context, actorID int64, in ProjectInput) (Project, error)
	UpdateProject(ctx context.Context, actorID, projectID int64, in ProjectInput) (Project, error)
	// Project loads a project with objectives, units, skills, assessments, indicators and
	// history; ErrNotFound when there is none.
	Project(ctx context.Context, projectID int64) (Project, error)
	// Projects lists projects matching f, newest first, and the total count for paging.
	Projects(ctx context.Context, f ProjectFilter) ([]ProjectSummary, int, error)
	// ObjectivesWithoutProjects lists the objectives no project serves (for managers).
	ObjectivesWithoutProjects(ctx context.Context) ([]ObjectiveRef, error)
	// ManagesProject reports whether employeeID heads (dirigente) one of the project's
	// involved units or a unit above one of them.
	ManagesProject(ctx context.Context, employeeID, projectID int64) (bool, error)
	// ChangePhase moves the project from → to, recording the transition; it fails with a
	// user-facing ECONFLICT error if the project is no longer in from (a concurrent change).
	// In the same transaction it opens the surveys the new phase calls for, with open's
	// messages and closing time: entering monitoraggio the milestone survey to the team,
	// reaching concluso the close surveys to the team and to the external evaluators. Each
	// survey is opened once per project and each person invited once, however often the
	// phase is entered.
	ChangePhase(ctx context.Context, projectID, actorID int64, from, to Phase, note, override string, open SurveyOpening) error
	// AddAssessment stores a new version of the robustness check and returns its number.
	AddAssessment(ctx context.Context, projectID, actorID int64, answers []AssessmentAnswer) (int, error)
	// AddIndicator adds an indicator; a name already used in the project is an ECONFLICT
	// *Error.
	AddIndicator(ctx context.Context, projectID int64, ind Indicator) (Indicator, error)
	// RecordMeasurement records (or corrects, for the same date) an indicator's value; a
	// final one (m.Final) replaces the indicator's previous final value.
	RecordMeasurement(ctx context.Context, projectID, indicatorID, actorID int64, m Measurement) error

	// Evaluators lists a project's external evaluators, in the order they were asked.
	Evaluators(ctx context.Context, projectID int64) ([]Evaluator, error)
	// AddEvaluators makes people external evaluators of the project (those already evaluators
	// are left as they are) and enqueues notices' messages to the new ones in the same
	// transaction. When the project is concluso they are invited at once to its external
	// survey, with open's messages. A cancelled project is an ECONFLICT *Error.
	AddEvaluators(ctx context.Context, projectID, actorID int64, people []int64, notices EvaluatorNoticeFunc, open SurveyOpening) (EvaluatorsAdded, error)
	// RemoveEvaluator removes an evaluator before the close (ECONFLICT once the project is
	// concluso or annullato, ENOTFOUND when they are not an evaluator) and enqueues notices'
	// message to them.
	RemoveEvaluator(ctx context.Context, projectID, actorID, employeeID int64, notices EvaluatorNoticeFunc) (Evaluator, error)
	// ProjectEvaluation loads the counts and k-rule aggregates of the project's surveys.
	ProjectEvaluation(ctx context.Context, projectID int64) (ProjectEvaluation, error)
}

// TeamPerson names a candidate in a team proposal's explanations.
type TeamPerson struct {
	Name       string
	Unit       string
	Department string
}

// TeamPool is everything team formation needs for one project: the requirements (skill ids are
// the catalogue's, consistent within the pool), the team size, the candidates (active
// employees with a unit and capacity left after their active teams and their accepted
// invitations to teams still forming, with their required skills, unit, department and
// effective site), the collaboration links among them and the site adjacency.
type TeamPool struct {
	Required   []teamform.Requirement
	TeamSize   int
	Skills     map[teamform.SkillID]Skill
	Candidates []teamform.Candidate
	Links      [][2]int64
	// LinkSince holds when each link was first seen (parallel to Links, when the store
	// knows): a formed team's summary counts the links it created, not the ones it now has.
	LinkSince []time.Time
	Adjacent  [][2]int64
	People    map[int64]TeamPerson
}

// linksBefore returns the links first seen before t (all of them when dates are unknown).
func (p TeamPool) linksBefore(t time.Time) [][2]int64 {
	if len(p.LinkSince) != len(p.Links) {
		return p.Links
	}
	out := make([][2]int64, 0, len(p.Links))
	for i, l := range p.Links {
		if p.LinkSince[i].Before(t) {
			out = append(out, l)
		}
	}
	return out
}

// TeamStore is what the team commands need from the system of record.
type TeamStore interface {
	// TeamPool loads the pool for a project; ErrNotFound when there is no such project. The
	// project's invitees are always in it (with at least capacity 1), so that a confirmed
	// team can be explained and its open slots refilled.
	TeamPool(ctx context.Context, projectID int64) (TeamPool, error)
	TeamFlowStore
}
