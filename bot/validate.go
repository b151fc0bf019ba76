package bot

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/meetcal"
	"github.com/comune-prato/cantieri/internal/projectdesign"
	"github.com/comune-prato/cantieri/internal/survey"
	"github.com/comune-prato/cantieri/internal/teamform"
)

// The limits of what people may enter, in one place: the chat parsers, the Validate methods
// below, the forms (MaxLength) and the CSV import all use these, and the stores check none of
// them (the schema's CHECK constraints are a looser backstop, never the rule a user meets).
const (
	// MaxProjectTitle, MaxProjectDescription and MaxFundingSource are in characters.
	MaxProjectTitle       = 200
	MaxProjectDescription = 3000
	MaxFundingSource      = 200
	// MinTeamSize and MaxTeamSize bound a project's wanted team size, and so the team proposal
	// that fills it: one range for both, the engine's (below three people a team crosses no
	// departments worth the name; above fifteen it is no longer a working group, and an
	// invitation has at most fifteen slots).
	MinTeamSize     = teamform.MinK
	MaxTeamSize     = teamform.MaxK
	DefaultTeamSize = MinTeamSize
	// MaxSkillNeedCount is the most people one skill need may ask for: the team must hold them.
	MaxSkillNeedCount = MaxTeamSize
	// MaxBudgetCents bounds a budget (100 billion euros) so that parsing never overflows.
	MaxBudgetCents = int64(100_000_000_000_00)
	// MaxPhaseNote bounds a phase change's note and an override's reason.
	MaxPhaseNote = 500
	// MaxJustification bounds a robustness answer's justification.
	MaxJustification   = projectdesign.MaxJustification
	MaxIndicatorName   = 200
	MaxIndicatorUnit   = 40
	MaxMeasurementNote = 300

	// MaxDisplayName is generous for real names, small enough for a Slack section.
	MaxDisplayName = 80
	MaxInterestLen = 60
	MaxInterests   = 30
	// MaxInterestsText is the profile form's interests box: every interest at its longest,
	// with ", " between them.
	MaxInterestsText = MaxInterests * (MaxInterestLen + len(", "))
	// MaxProfileSkills bounds a profile's skills, in chat and in the CSV import alike. It is
	// above any real catalogue's worth of skills one person can claim (the demo catalogue
	// has 54, and a profile imported with all of them must be saveable unchanged), and low
	// enough that the whole list fits the profile form's text box (MaxProfileSkillsText).
	MaxProfileSkills = 60
	// MaxProfileSkillsText is the profile form's skills box: MaxProfileSkills entries of the
	// longest code (40 characters) with ":3, " fit in it, within Slack's 3,000.
	MaxProfileSkillsText = MaxProfileSkills * (40 + len(":3, "))
	// MinCapacity and MaxCapacity bound how many projects a person takes on at once, in chat
	// and in the CSV import alike. Ten is already more than anyone can follow alongside their
	// own office's work; a higher number would only make the team proposal pick the same
	// people over and over.
	MinCapacity     = 0
	MaxCapacity     = 10
	DefaultCapacity = 2

	// MaxDeclineReason bounds the reason given when declining a team invitation.
	MaxDeclineReason = 300

	MaxProgrammeName  = 120
	MaxStarters       = 30
	MaxStarterLength  = 300
	MinGroupSize      = 2
	MaxGroupSize      = 4
	MinMeetingMinutes = 10
	MaxMeetingMinutes = 240
	MinFollowUpDays   = 1
	MaxFollowUpDays   = 30
	MaxLookback       = 52
	MaxCronLength     = 100

	// MinYear and MaxYear bound every date typed (a project's planned start and end, a
	// measurement's day): the council's projects and their indicators live within them, and a
	// year 0000 or 9999 is a slip that would otherwise be stored and shown as typed.
	MinYear = 2000
	MaxYear = 2100
)

// dateInRange refuses a date outside MinYear..MaxYear, quoting it.
func dateInRange(d *time.Time) error {
	if d != nil && (d.Year() < MinYear || d.Year() > MaxYear) {
		return Errorf(EINVALID, "project.error.date_range", "value", d.Format(time.DateOnly), "min", MinYear, "max", MaxYear)
	}
	return nil
}

// collapse trims s and folds its runs of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

func tooLong(s string, max int) bool { return utf8.RuneCountInString(s) > max }

// largestNeed is the largest Count among the needs: one person may cover several skills, so a
// team must hold at least that many people (not the sum).
func largestNeed(counts ...int) int {
	most := 0
	for _, n := range counts {
		most = max(most, n)
	}
	return most
}

// Validate checks a project's fields against the limits. With old nil the input creates a
// project (a title and an objective are required); otherwise it edits old, and the
// cross-field rules (dates in order, a team as large as the largest skill need) are checked
// on the project as it will be. It returns the user-facing *Error of the first problem.
func (in ProjectInput) Validate(old *Project) error {
	creating := old == nil
	if in.Title != nil || creating {
		if in.Title == nil {
			return Errorf(EINVALID, "project.error.title")
		}
		if t := collapse(*in.Title); t == "" || tooLong(t, MaxProjectTitle) {
			return Errorf(EINVALID, "project.error.title")
		}
	}
	if in.Description != nil && tooLong(strings.TrimSpace(*in.Description), MaxProjectDescription) {
		return Errorf(EINVALID, "project.error.description_too_long", "max", MaxProjectDescription)
	}
	if in.FundingSource != nil && tooLong(strings.TrimSpace(*in.FundingSource), MaxFundingSource) {
		return Errorf(EINVALID, "project.error.funding_too_long", "max", MaxFundingSource)
	}
	if in.CoordinatorID != nil && *in.CoordinatorID < 0 {
		return Errorf(EINVALID, "project.error.unknown_coordinator")
	}
	if (in.ObjectiveCodes != nil || creating) && !slices.ContainsFunc(in.ObjectiveCodes, nonBlank) {
		return Errorf(EINVALID, "project.error.no_objective")
	}
	seen := map[string]bool{}
	var counts []int
	for _, sk := range in.Skills {
		code := strings.ToLower(strings.TrimSpace(sk.Code))
		switch {
		case code == "":
			return Errorf(EINVALID, "project.error.unknown_skill", "code", sk.Code)
		case seen[code]:
			return Errorf(EINVALID, "project.error.duplicate_skill", "code", code)
		case sk.MinLevel < LevelBase || sk.MinLevel > LevelExpert:
			return Errorf(EINVALID, "project.error.bad_level", "code", code, "value", sk.MinLevel)
		case sk.Count < 1 || sk.Count > MaxSkillNeedCount:
			return Errorf(EINVALID, "project.error.bad_count", "code", code, "value", sk.Count, "max", MaxSkillNeedCount)
		}
		seen[code] = true
		counts = append(counts, sk.Count)
	}
	if in.TeamSize != nil && (*in.TeamSize < MinTeamSize || *in.TeamSize > MaxTeamSize) {
		return Errorf(EINVALID, "project.error.bad_team_size", "value", *in.TeamSize, "min", MinTeamSize, "max", MaxTeamSize)
	}
	if in.BudgetCents != nil {
		switch {
		case *in.BudgetCents < 0:
			return Errorf(EINVALID, "project.error.bad_budget")
		case *in.BudgetCents > MaxBudgetCents:
			return Errorf(EINVALID, "project.bad_budget", "field", "budget", "value", plainEuros(*in.BudgetCents))
		}
	}

	if err := dateInRange(in.PlannedStart); err != nil {
		return err
	}
	if err := dateInRange(in.PlannedEnd); err != nil {
		return err
	}

	// Cross-field rules, on the project as it will be.
	start, end, size := in.PlannedStart, in.PlannedEnd, DefaultTeamSize
	if !creating {
		size = old.TeamSize
		if start == nil {
			start = old.PlannedStart
		}
		if end == nil {
			end = old.PlannedEnd
		}
		if in.Skills == nil {
			for _, s := range old.Skills {
				counts = append(counts, s.Count)
			}
		}
	}
	if in.TeamSize != nil {
		size = *in.TeamSize
	}
	if start != nil && end != nil && truncateDay(*end).Before(truncateDay(*start)) {
		return Errorf(EINVALID, "project.error.dates")
	}
	if need := largestNeed(counts...); size < need {
		return Errorf(EINVALID, "project.error.team_too_small", "size", size, "needed", need)
	}
	return nil
}

func nonBlank(s string) bool { return strings.TrimSpace(s) != "" }

// Validate checks the profile fields being changed. The skill codes' existence is the
// catalogue's business (the parser matches them, with suggestions); here only the shape.
func (u ProfileUpdate) Validate() error {
	if u.DisplayName != nil {
		n := collapse(*u.DisplayName)
		if n == "" {
			return Errorf(EINVALID, "profile.name_empty")
		}
		if tooLong(n, MaxDisplayName) {
			return Errorf(EINVALID, "profile.too_long", "field", "nome", "max", MaxDisplayName)
		}
	}
	if u.Skills != nil {
		if len(*u.Skills) > MaxProfileSkills {
			return Errorf(EINVALID, "profile.too_many_skills", "max", MaxProfileSkills)
		}
		seen := map[string]bool{}
		for _, sk := range *u.Skills {
			code := strings.ToLower(strings.TrimSpace(sk.Code))
			switch {
			case code == "" || seen[code]:
				// The parser merges repeats; a repeat here is a caller's mistake, named as
				// the skill it is.
				return Errorf(EINVALID, "profile.unknown_skill", "skill", sk.Code)
			case sk.Level < LevelBase || sk.Level > LevelExpert:
				return Errorf(EINVALID, "profile.bad_level", "skill", code, "value", strconv.Itoa(sk.Level))
			}
			seen[code] = true
		}
	}
	if u.Interests != nil {
		if len(*u.Interests) > MaxInterests {
			return Errorf(EINVALID, "profile.too_many_interests", "max", MaxInterests)
		}
		for _, it := range *u.Interests {
			if tooLong(collapse(it), MaxInterestLen) {
				return Errorf(EINVALID, "profile.too_long", "field", "interessi", "max", MaxInterestLen)
			}
		}
	}
	if u.Capacity != nil && (*u.Capacity < MinCapacity || *u.Capacity > MaxCapacity) {
		return Errorf(EINVALID, "profile.bad_capacity", "value", strconv.Itoa(*u.Capacity), "max", MaxCapacity)
	}
	if u.Locale != nil && *u.Locale != "" && !slices.Contains(i18n.Locales(), *u.Locale) {
		return Errorf(EINVALID, "profile.bad_locale", "value", *u.Locale)
	}
	return nil
}

// Validate checks a new indicator: kind, name, unit of measure, direction, numbers within
// projectdesign.ValidValue's bounds, and a target on the right side of the baseline.
func (ind Indicator) Validate() error {
	name, unit := collapse(ind.Name), strings.TrimSpace(ind.Unit)
	switch {
	case !projectdesign.ValidValue(ind.Baseline):
		return indicatorValueError(ind.Baseline)
	case !projectdesign.ValidValue(ind.Target):
		return indicatorValueError(ind.Target)
	case ind.Kind != string(projectdesign.Output) && ind.Kind != string(projectdesign.Outcome):
		return Errorf(EINVALID, "project.error.indicator_kind", "value", ind.Kind)
	case name == "" || tooLong(name, MaxIndicatorName):
		return Errorf(EINVALID, "project.error.indicator_name", "max", MaxIndicatorName)
	case tooLong(unit, MaxIndicatorUnit):
		return Errorf(EINVALID, "project.error.indicator_unit", "max", MaxIndicatorUnit)
	case ind.Direction != string(projectdesign.Up) && ind.Direction != string(projectdesign.Down):
		return Errorf(EINVALID, "project.error.indicator_direction", "value", ind.Direction)
	case ind.Direction == string(projectdesign.Up) && !(ind.Target > ind.Baseline),
		ind.Direction == string(projectdesign.Down) && !(ind.Target < ind.Baseline):
		return Errorf(EINVALID, "project.error.indicator_target")
	}
	return nil
}

// indicatorValueError refuses a number outside projectdesign.ValidValue's bounds.
func indicatorValueError(v float64) error {
	return Errorf(EINVALID, "project.error.indicator_value", "value", strconv.FormatFloat(v, 'g', -1, 64),
		"decimals", projectdesign.MaxDecimals)
}

// Validate checks a measurement: its value within projectdesign.ValidValue's bounds, its day
// within MinYear..MaxYear, its note's length.
func (m Measurement) Validate() error {
	if !projectdesign.ValidValue(m.Value) {
		return indicatorValueError(m.Value)
	}
	if err := dateInRange(&m.On); err != nil {
		return err
	}
	if tooLong(strings.TrimSpace(m.Note), MaxMeasurementNote) {
		return Errorf(EINVALID, "project.error.note_too_long", "max", MaxMeasurementNote)
	}
	return nil
}

// ValidateAssessment checks a robustness check's answers: at least one, each scored within
// the scale, each justification within its limit.
func ValidateAssessment(answers []AssessmentAnswer) error {
	if len(answers) == 0 {
		return Errorf(EINVALID, "project.error.no_answers")
	}
	for _, a := range answers {
		if a.Score < projectdesign.MinScore || a.Score > projectdesign.MaxScore {
			return Errorf(EINVALID, "project.error.bad_score", "question", a.Question, "value", a.Score)
		}
		if tooLong(strings.TrimSpace(a.Justification), MaxJustification) {
			return Errorf(EINVALID, "project.error.justification_too_long", "question", a.Question, "max", MaxJustification)
		}
	}
	return nil
}

// ValidatePhaseChange checks a phase change's note and override reason.
func ValidatePhaseChange(note, override string) error {
	if tooLong(strings.TrimSpace(note), MaxPhaseNote) {
		return Errorf(EINVALID, "project.error.note_too_long", "max", MaxPhaseNote)
	}
	if tooLong(strings.TrimSpace(override), MaxPhaseNote) {
		return Errorf(EINVALID, "project.too_long", "field", "forza", "max", MaxPhaseNote)
	}
	return nil
}

// ValidateDeclineReason checks the reason given when declining an invitation.
func ValidateDeclineReason(reason string) error {
	if tooLong(strings.TrimSpace(reason), MaxDeclineReason) {
		return Errorf(EINVALID, "team.error.reason_too_long", "max", MaxDeclineReason)
	}
	return nil
}

// DefaultProgrammeSettings are a new programme's settings before the coordinator's choices:
// weekly on Tuesdays at 10, pairs, half an hour, either format, asked after five days.
func DefaultProgrammeSettings(timezone string) ProgrammeSettings {
	return ProgrammeSettings{Cron: defaultMeetingCron, EveryNWeeks: 1, Timezone: timezone, GroupSize: defaultGroupSize,
		MeetingMinutes: defaultMeetingLength, Format: FormatEither, FollowUpDays: defaultFollowUpDays}
}

// cronHasZone reports whether a cron expression names its own time zone (robfig's CRON_TZ= or
// TZ= prefix).
func cronHasZone(spec string) bool {
	up := strings.ToUpper(strings.TrimSpace(spec))
	return strings.HasPrefix(up, "CRON_TZ=") || strings.HasPrefix(up, "TZ=")
}

// Validate checks a programme's settings against the limits (the cron expression's meaning
// is the calendar's: the parser checks it with meetcal), and refuses a cron expression that
// names its own time zone.
func (s ProgrammeSettings) Validate() error {
	name := strings.TrimSpace(s.Name)
	if name == "" {
		return Errorf(EINVALID, "meet.no_name")
	}
	if tooLong(name, MaxProgrammeName) {
		return Errorf(EINVALID, "meet.name_too_long", "max", MaxProgrammeName)
	}
	if c := strings.TrimSpace(s.Cron); c == "" || tooLong(c, MaxCronLength) {
		return Errorf(EINVALID, "meet.cron.invalid", "cron", s.Cron, "detail", "1–"+strconv.Itoa(MaxCronLength))
	}
	if cronHasZone(s.Cron) {
		// The calendar would honour the zone, but the cards, messages and holidays speak the
		// council's: a programme runs in one zone, shown beside its times.
		return Errorf(EINVALID, "meet.cron.zone", "cron", s.Cron, "zone", s.Timezone)
	}
	for _, r := range []struct {
		field     string
		v, lo, hi int
	}{
		{"settimane", s.EveryNWeeks, 1, meetcal.MaxEveryNWeeks},
		{"gruppo", s.GroupSize, MinGroupSize, MaxGroupSize},
		{"durata", s.MeetingMinutes, MinMeetingMinutes, MaxMeetingMinutes},
		{"richiamo", s.FollowUpDays, MinFollowUpDays, MaxFollowUpDays},
		{"memoria", s.Lookback, 0, MaxLookback},
	} {
		if r.v < r.lo || r.v > r.hi {
			return Errorf(EINVALID, "meet.bad_number", "field", r.field, "value", strconv.Itoa(r.v), "min", r.lo, "max", r.hi)
		}
	}
	switch s.Format {
	case FormatInPerson, FormatOnline, FormatEither:
	default:
		return Errorf(EINVALID, "meet.bad_format", "value", string(s.Format))
	}
	if len(s.Starters) > MaxStarters {
		return Errorf(EINVALID, "meet.too_many_starters", "max", MaxStarters)
	}
	for _, st := range s.Starters {
		if tooLong(st, MaxStarterLength) {
			return Errorf(EINVALID, "meet.bad_starter", "max", MaxStarterLength)
		}
	}
	if s.Timezone == "" || tooLong(s.Timezone, 64) {
		// The core sets the time zone (BOT_TIMEZONE), never a user: not a user-facing error.
		return fmt.Errorf("programme time zone %q: empty or too long", s.Timezone)
	}
	return nil
}

// The limits of evaluation feedback are the survey model's (internal/survey), named here with
// the others: the templates file, the answer forms and the store's checks use these numbers.
const (
	// MinSurveyRespondents is the floor of k: nothing is shown about fewer people, whatever
	// SURVEY_MIN_RESPONDENTS says; DefaultSurveyRespondents is k unless configured.
	MinSurveyRespondents     = survey.MinRespondents
	DefaultSurveyRespondents = survey.DefaultMinRespondents
	// MaxSurveyQuestions, MaxSurveyOptions and MaxSurveyLabel keep every template showable as a
	// Slack modal; MaxSurveyTextAnswer bounds any free-text answer.
	MaxSurveyQuestions  = survey.MaxQuestions
	MaxSurveyOptions    = survey.MaxOptions
	MaxSurveyLabel      = survey.MaxLabelLen
	MaxSurveyTextAnswer = survey.MaxTextLength
)

// MaxEvaluators bounds a project's external evaluators: enough for a panel, few enough that the
// list fits one message and nobody mistakes the command for a mailing list.
const MaxEvaluators = 20
