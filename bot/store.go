package bot

import (
	"context"
	"time"

	"github.com/comune-prato/cantieri/internal/survey"
)

// UnitRef names an org unit.
type UnitRef struct {
	Code string
	Name string
	// Type is the unit's type label: Area, Settore, Servizio, Ufficio…
	Type string
}

// SiteRef names a site (a building, a floor).
type SiteRef struct {
	Code string
	Name string
}

// Skill is an entry of the skills catalogue.
type Skill struct {
	Code     string
	NameIT   string
	NameEN   string
	Category string
}

// Name is the skill's name in locale.
func (s Skill) Name(locale string) string {
	if locale == "en" && s.NameEN != "" {
		return s.NameEN
	}
	return s.NameIT
}

// SkillLevel is a skill held at a level: 1 base, 2 intermediate, 3 expert.
type SkillLevel struct {
	Skill
	Level int
}

// Skill levels.
const (
	LevelBase         = 1
	LevelIntermediate = 2
	LevelExpert       = 3
)

// Employee is a member of staff as the bot knows them.
type Employee struct {
	ID    int64
	Email string
	// DisplayName is the name shown to others.
	DisplayName string
	// Unit is where the employee works; nil until the organisation is imported.
	Unit *UnitRef
	// Department is the unit's ancestor (or itself) at the configured department level.
	Department *UnitRef
	Site       *SiteRef
	Skills     []SkillLevel
	Interests  []string
	// Capacity is the most projects the employee takes on at once.
	Capacity int
	// Locale is the employee's chosen language ("it", "en") or "" to follow Slack/BOT_LOCALE.
	Locale string
	// SlackLocale is the locale Slack reports for the user (kept by the user sync).
	SlackLocale string
	Timezone    string
	Roles       []Role
	// ManagedUnits are the units a dirigente heads.
	ManagedUnits []UnitRef
	// SlackUserID is the employee's Slack id, when known (for mentions).
	SlackUserID string
	Active      bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// HasRole reports whether e holds r exactly (not by rank).
func (e Employee) HasRole(r Role) bool {
	for _, x := range e.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// SkillInput is a skill code at a level, as a user or a file gives it.
type SkillInput struct {
	Code  string
	Level int
}

// ProfileUpdate lists the profile fields to change; nil means "leave as it is".
type ProfileUpdate struct {
	DisplayName *string
	Skills      *[]SkillInput
	Interests   *[]string
	Capacity    *int
	Locale      *string
}

// Opportunity is an open project that needs a skill the employee has at the required level,
// and that the employee neither coordinates nor is in or invited to.
type Opportunity struct {
	ProjectID int64
	Title     string
	Phase     string
	// Matches are the employee's skills the project asks for, each with the level asked.
	Matches []SkillMatch
}

// SkillMatch is one of an employee's skills (at their Level) that a project asks for at
// MinLevel or more.
type SkillMatch struct {
	SkillLevel
	MinLevel int
}

// EmployeeRef identifies another employee in a command: a chat identity or an e-mail.
type EmployeeRef struct {
	Transport  string
	ExternalID string
	Email      string
}

// Store is what the core needs from the system of record. Implementations wrap
// ErrUnavailable when the database cannot be reached and ErrNotFound for missing rows.
type Store interface {
	// EnsureEmployee returns the employee for id, creating the row on first contact.
	EnsureEmployee(ctx context.Context, id Identity) (Employee, error)
	// FindEmployee returns the employee ref points at, or an error wrapping ErrNotFound.
	FindEmployee(ctx context.Context, ref EmployeeRef) (Employee, error)
	// UpdateProfile changes the given fields in one transaction and returns the new row.
	// Skill codes must exist in the catalogue (the core checks first, to suggest).
	UpdateProfile(ctx context.Context, employeeID int64, u ProfileUpdate) (Employee, error)
	// Skills returns the skills catalogue, sorted by code.
	Skills(ctx context.Context) ([]Skill, error)
	// Opportunities lists open projects that need one of the employee's skills at a level the
	// employee has, leaving out those the employee coordinates, is a member of or was invited to.
	Opportunities(ctx context.Context, employeeID int64) ([]Opportunity, error)
	// GrantRole gives target a role (for dirigente, over unitCodes), recording actor in the
	// audit log; one transaction. Unknown unit codes are an EINVALID *Error.
	GrantRole(ctx context.Context, actorID, targetID int64, role Role, unitCodes []string) error
	// RevokeRole takes a role away, recorded in the audit log.
	RevokeRole(ctx context.Context, actorID, targetID int64, role Role) error
	// PersonalData returns everything held about the employee, for export.
	PersonalData(ctx context.Context, employeeID int64) (PersonalData, error)
	// ErasePersonalData removes the employee's personal data and deactivates them, keeping
	// anonymous aggregates; recorded in the audit log. It withdraws their places in teams
	// being formed and enqueues, in the same transaction, the messages opened returns for
	// each (opened may be nil).
	ErasePersonalData(ctx context.Context, employeeID int64, opened OpenedPlaceFunc) error
}

// OpenedPlaceFunc computes, inside the erasure's transaction, the messages for a place in a
// team being formed that opened because its holder erased their data: team is the team after
// the erasure, inv the holder's withdrawn invitation.
type OpenedPlaceFunc func(team ProjectTeam, inv Invitation) ([]Notice, error)

// PersonalData is the export of one person's data: every field held about them.
type PersonalData struct {
	ExportedAt  time.Time          `json:"exported_at"`
	Employee    PersonalEmployee   `json:"employee"`
	Identities  []PersonalIdentity `json:"identities"`
	Skills      []PersonalSkill    `json:"skills"`
	Roles       []string           `json:"roles"`
	ManagedUnit []string           `json:"managed_units"`
	// AuditLog lists the administrative changes this person made.
	AuditLog []PersonalAudit `json:"audit_log"`
	// Invitations are this person's team invitations, with their own answers.
	Invitations []PersonalInvitation `json:"team_invitations"`
	// Teams are the project teams this person belongs to.
	Teams []PersonalTeam `json:"teams"`
	// Evaluations are the projects this person was asked to evaluate from outside (never
	// whether or what they answered).
	Evaluations []PersonalEvaluation `json:"project_evaluations"`
	// Meetings are this person's exchange-programme enrolments (left ones included).
	Meetings []PersonalEnrolment `json:"meeting_programmes"`
	// NeverWith lists the people this person asked never to be grouped with (their own
	// wishes only: others' wishes about them are the others' data).
	NeverWith []int64 `json:"never_with"`
	// MeetingRounds are the exchange rounds this person was grouped in, with their answers.
	MeetingRounds []PersonalMeetingRound `json:"meeting_rounds"`
	// Surveys are the surveys this person was invited to and whether they answered — never
	// the answers: those are stored with nothing that names anyone, so nobody, the bot
	// included, can tell which are theirs. SurveysNote says so in the reader's language.
	Surveys     []PersonalSurvey `json:"surveys"`
	SurveysNote string           `json:"surveys_note,omitempty"`
}

// PersonalSurvey is one survey invitation in an export.
type PersonalSurvey struct {
	InstanceID int64 `json:"instance_id"`
	// Subject names what the instance is about ("pulse:2026-05", "project:3:close-internal").
	Subject string `json:"subject"`
	// Template is the template's key; Title its title, in both languages.
	Template string      `json:"template"`
	Title    survey.Text `json:"title"`
	// About is what the survey asked about (a programme, a project, the monthly pulse).
	About     SurveyAbout `json:"about"`
	InvitedOn time.Time   `json:"invited_on"`
	Answered  bool        `json:"answered"`
	// Reminders counts the reminders sent to this person (at most two).
	Reminders int  `json:"reminders"`
	Closed    bool `json:"closed"`
}

// PersonalEnrolment is an exchange-programme enrolment in an export.
type PersonalEnrolment struct {
	ProgrammeID   int64      `json:"programme_id"`
	ProgrammeName string     `json:"programme_name"`
	JoinedAt      time.Time  `json:"joined_at"`
	LeftAt        *time.Time `json:"left_at,omitempty"`
	PausedRounds  int        `json:"paused_rounds"`
	AutoPaused    bool       `json:"auto_paused"`
	MissedInRow   int        `json:"missed_in_row"`
}

// PersonalMeetingRound is one exchange round in an export, with the person's own answer.
type PersonalMeetingRound struct {
	ProgrammeID   int64      `json:"programme_id"`
	ProgrammeName string     `json:"programme_name"`
	Round         int        `json:"round"`
	ScheduledFor  time.Time  `json:"scheduled_for"`
	Group         int        `json:"group"`
	Answer        string     `json:"answer,omitempty"`
	AnsweredAt    *time.Time `json:"answered_at,omitempty"`
}

// PersonalInvitation is a team invitation in an export.
type PersonalInvitation struct {
	ProjectID    int64      `json:"project_id"`
	ProjectTitle string     `json:"project_title"`
	Status       string     `json:"status"`
	Reason       string     `json:"reason,omitempty"`
	InvitedAt    time.Time  `json:"invited_at"`
	AnsweredAt   *time.Time `json:"answered_at,omitempty"`
}

// PersonalTeam is a team membership in an export.
type PersonalTeam struct {
	ProjectID    int64     `json:"project_id"`
	ProjectTitle string    `json:"project_title"`
	JoinedAt     time.Time `json:"joined_at"`
}

// PersonalEvaluation is a project one was asked to evaluate, in an export.
type PersonalEvaluation struct {
	ProjectID    int64     `json:"project_id"`
	ProjectTitle string    `json:"project_title"`
	InvitedAt    time.Time `json:"invited_at"`
}

// PersonalEmployee is the employee row in an export.
type PersonalEmployee struct {
	ID          int64     `json:"id"`
	Email       string    `json:"email,omitempty"`
	DisplayName string    `json:"display_name"`
	Unit        string    `json:"unit,omitempty"`
	Capacity    int       `json:"capacity"`
	Interests   []string  `json:"interests"`
	Locale      string    `json:"locale,omitempty"`
	Timezone    string    `json:"timezone,omitempty"`
	Active      bool      `json:"active"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// PersonalIdentity is a chat identity in an export.
type PersonalIdentity struct {
	Transport  string `json:"transport"`
	ExternalID string `json:"external_id"`
}

// PersonalSkill is a skill in an export.
type PersonalSkill struct {
	Code  string `json:"code"`
	Level int    `json:"level"`
}

// PersonalAudit is an audit entry in an export.
type PersonalAudit struct {
	At      time.Time `json:"at"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
}
