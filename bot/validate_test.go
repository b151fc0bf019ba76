package bot_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
)

func ptr[T any](v T) *T { return &v }

// wantRule checks that err is the user-facing EINVALID *Error with key (nil key: no error),
// and that the key has a sentence in every catalogue.
func wantRule(t *testing.T, name string, err error, key string) {
	t.Helper()
	if key == "" {
		if err != nil {
			t.Errorf("%s: %v, want no error", name, err)
		}
		return
	}
	var e *bot.Error
	if !errors.As(err, &e) || e.Code != bot.EINVALID || e.Key != key {
		t.Errorf("%s: %v, want EINVALID %s", name, err, key)
		return
	}
	for _, l := range i18n.Locales() {
		if text := i18n.T(l, e.Key, e.Args...); strings.Contains(text, "{") || text == e.Key {
			t.Errorf("%s: %s sentence %q", name, l, text)
		}
	}
}

func TestProjectInputValidate(t *testing.T) {
	t.Parallel()
	day := func(s string) *time.Time {
		d, _ := time.Parse(time.DateOnly, s)
		return &d
	}
	valid := func(mod func(*bot.ProjectInput)) bot.ProjectInput {
		in := bot.ProjectInput{Title: ptr("Sportello unico"), ObjectiveCodes: []string{"DUP-1.2"}}
		if mod != nil {
			mod(&in)
		}
		return in
	}
	need := func(code string, level, count int) []bot.SkillNeedInput {
		return []bot.SkillNeedInput{{Code: code, MinLevel: level, Count: count}}
	}
	old := &bot.Project{ID: 1, Title: "Vecchio", TeamSize: 4, PlannedStart: day("2027-03-01"),
		Skills: []bot.SkillNeed{{Skill: bot.Skill{Code: "gis"}, MinLevel: 2, Count: 4}}}
	cases := []struct {
		name string
		in   bot.ProjectInput
		old  *bot.Project
		key  string
	}{
		{"minimal", valid(nil), nil, ""},
		{"no title", valid(func(in *bot.ProjectInput) { in.Title = nil }), nil, "project.error.title"},
		{"blank title", valid(func(in *bot.ProjectInput) { in.Title = ptr(" \t ") }), nil, "project.error.title"},
		{"title at the limit", valid(func(in *bot.ProjectInput) { in.Title = ptr(strings.Repeat("è", bot.MaxProjectTitle)) }), nil, ""},
		{"title over", valid(func(in *bot.ProjectInput) { in.Title = ptr(strings.Repeat("x", bot.MaxProjectTitle+1)) }), nil, "project.error.title"},
		{"description over", valid(func(in *bot.ProjectInput) {
			in.Description = ptr(strings.Repeat("x", bot.MaxProjectDescription+1))
		}), nil, "project.error.description_too_long"},
		{"funding over", valid(func(in *bot.ProjectInput) { in.FundingSource = ptr(strings.Repeat("x", bot.MaxFundingSource+1)) }), nil, "project.error.funding_too_long"},
		{"no objective", valid(func(in *bot.ProjectInput) { in.ObjectiveCodes = nil }), nil, "project.error.no_objective"},
		{"blank objectives", valid(func(in *bot.ProjectInput) { in.ObjectiveCodes = []string{" "} }), nil, "project.error.no_objective"},
		{"team at the minimum", valid(func(in *bot.ProjectInput) { in.TeamSize = ptr(bot.MinTeamSize) }), nil, ""},
		{"team at the maximum", valid(func(in *bot.ProjectInput) { in.TeamSize = ptr(bot.MaxTeamSize) }), nil, ""},
		{"team below", valid(func(in *bot.ProjectInput) { in.TeamSize = ptr(bot.MinTeamSize - 1) }), nil, "project.error.bad_team_size"},
		{"team above", valid(func(in *bot.ProjectInput) { in.TeamSize = ptr(bot.MaxTeamSize + 1) }), nil, "project.error.bad_team_size"},
		{"level 0", valid(func(in *bot.ProjectInput) { in.Skills = need("gis", 0, 1) }), nil, "project.error.bad_level"},
		{"level 4", valid(func(in *bot.ProjectInput) { in.Skills = need("gis", 4, 1) }), nil, "project.error.bad_level"},
		{"count 0", valid(func(in *bot.ProjectInput) { in.Skills = need("gis", 1, 0) }), nil, "project.error.bad_count"},
		{"count over the team maximum", valid(func(in *bot.ProjectInput) {
			in.Skills, in.TeamSize = need("gis", 1, bot.MaxSkillNeedCount+1), ptr(bot.MaxTeamSize)
		}), nil, "project.error.bad_count"},
		{"skill twice", valid(func(in *bot.ProjectInput) { in.Skills = append(need("gis", 1, 1), need("GIS", 2, 1)...) }), nil, "project.error.duplicate_skill"},
		{"team smaller than a need", valid(func(in *bot.ProjectInput) { in.Skills, in.TeamSize = need("gis", 1, 4), ptr(3) }), nil, "project.error.team_too_small"},
		{"default team smaller than a need", valid(func(in *bot.ProjectInput) { in.Skills = need("gis", 1, 4) }), nil, "project.error.team_too_small"},
		{"negative budget", valid(func(in *bot.ProjectInput) { in.BudgetCents = ptr(int64(-1)) }), nil, "project.error.bad_budget"},
		{"huge budget", valid(func(in *bot.ProjectInput) { in.BudgetCents = ptr(bot.MaxBudgetCents + 1) }), nil, "project.bad_budget"},
		{"dates reversed", valid(func(in *bot.ProjectInput) { in.PlannedStart, in.PlannedEnd = day("2027-05-01"), day("2027-04-30") }), nil, "project.error.dates"},
		{"same day", valid(func(in *bot.ProjectInput) { in.PlannedStart, in.PlannedEnd = day("2027-05-01"), day("2027-05-01") }), nil, ""},
		{"start in year 0", valid(func(in *bot.ProjectInput) { in.PlannedStart = day("0000-01-01") }), nil, "project.error.date_range"},
		{"end after 2100", valid(func(in *bot.ProjectInput) { in.PlannedEnd = day("2101-01-01") }), nil, "project.error.date_range"},
		{"dates at the bounds", valid(func(in *bot.ProjectInput) { in.PlannedStart, in.PlannedEnd = day("2000-01-01"), day("2100-12-31") }), nil, ""},

		// Edits: what is not given is the old project's.
		{"edit nothing", bot.ProjectInput{}, old, ""},
		{"edit clears objectives", bot.ProjectInput{ObjectiveCodes: []string{}}, old, "project.error.no_objective"},
		{"edit blank title", bot.ProjectInput{Title: ptr("")}, old, "project.error.title"},
		{"edit team below the stored need", bot.ProjectInput{TeamSize: ptr(3)}, old, "project.error.team_too_small"},
		{"edit need above the stored team", bot.ProjectInput{Skills: need("bilancio", 1, 5)}, old, "project.error.team_too_small"},
		{"edit new needs replace the stored", bot.ProjectInput{Skills: need("bilancio", 1, 3), TeamSize: ptr(3)}, old, ""},
		{"edit end before the stored start", bot.ProjectInput{PlannedEnd: day("2027-02-28")}, old, "project.error.dates"},
		{"edit both dates", bot.ProjectInput{PlannedStart: day("2027-01-01"), PlannedEnd: day("2027-02-28")}, old, ""},
	}
	for _, c := range cases {
		wantRule(t, c.name, c.in.Validate(c.old), c.key)
	}
}

func TestProfileUpdateValidate(t *testing.T) {
	t.Parallel()
	skills := func(n int) *[]bot.SkillInput {
		out := make([]bot.SkillInput, n)
		for i := range out {
			out[i] = bot.SkillInput{Code: "k" + strings.Repeat("x", i), Level: 1 + i%3}
		}
		return &out
	}
	cases := []struct {
		name string
		u    bot.ProfileUpdate
		key  string
	}{
		{"nothing", bot.ProfileUpdate{}, ""},
		{"name", bot.ProfileUpdate{DisplayName: ptr("Maria Rossi")}, ""},
		{"blank name", bot.ProfileUpdate{DisplayName: ptr("  ")}, "profile.name_empty"},
		{"long name", bot.ProfileUpdate{DisplayName: ptr(strings.Repeat("n", bot.MaxDisplayName+1))}, "profile.too_long"},
		// The demo catalogue's 54 skills, all held: an imported profile like that is saveable.
		{"54 skills", bot.ProfileUpdate{Skills: skills(54)}, ""},
		{"skills at the limit", bot.ProfileUpdate{Skills: skills(bot.MaxProfileSkills)}, ""},
		{"too many skills", bot.ProfileUpdate{Skills: skills(bot.MaxProfileSkills + 1)}, "profile.too_many_skills"},
		{"level 4", bot.ProfileUpdate{Skills: &[]bot.SkillInput{{Code: "gis", Level: 4}}}, "profile.bad_level"},
		{"skill twice", bot.ProfileUpdate{Skills: &[]bot.SkillInput{{Code: "gis", Level: 1}, {Code: "gis", Level: 2}}}, "profile.unknown_skill"},
		{"capacity 0", bot.ProfileUpdate{Capacity: ptr(bot.MinCapacity)}, ""},
		{"capacity at the limit", bot.ProfileUpdate{Capacity: ptr(bot.MaxCapacity)}, ""},
		{"capacity over", bot.ProfileUpdate{Capacity: ptr(bot.MaxCapacity + 1)}, "profile.bad_capacity"},
		{"capacity negative", bot.ProfileUpdate{Capacity: ptr(-1)}, "profile.bad_capacity"},
		{"too many interests", bot.ProfileUpdate{Interests: ptr(make([]string, bot.MaxInterests+1))}, "profile.too_many_interests"},
		{"long interest", bot.ProfileUpdate{Interests: &[]string{strings.Repeat("i", bot.MaxInterestLen+1)}}, "profile.too_long"},
		{"locale en", bot.ProfileUpdate{Locale: ptr("en")}, ""},
		{"locale auto", bot.ProfileUpdate{Locale: ptr("")}, ""},
		{"locale fr", bot.ProfileUpdate{Locale: ptr("fr")}, "profile.bad_locale"},
	}
	for _, c := range cases {
		wantRule(t, c.name, c.u.Validate(), c.key)
	}
	// The form's skills box holds the longest profile in full (a shorter box would truncate
	// it, and saving the form would drop skills).
	longest := strings.Repeat(strings.Repeat("k", 40)+":3, ", bot.MaxProfileSkills)
	if len(strings.TrimSuffix(longest, ", ")) > bot.MaxProfileSkillsText || bot.MaxProfileSkillsText > 3000 {
		t.Errorf("skills box %d: the longest profile needs %d, Slack allows 3000", bot.MaxProfileSkillsText, len(longest))
	}
}

func TestIndicatorMeasurementAssessmentValidate(t *testing.T) {
	t.Parallel()
	on := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ind := func(mod func(*bot.Indicator)) bot.Indicator {
		i := bot.Indicator{Kind: "output", Name: "Km di piste", Unit: "km", Baseline: 0, Target: 12, Direction: "up"}
		mod(&i)
		return i
	}
	for _, c := range []struct {
		name string
		err  error
		key  string
	}{
		{"indicator", ind(func(*bot.Indicator) {}).Validate(), ""},
		{"kind", ind(func(i *bot.Indicator) { i.Kind = "impact" }).Validate(), "project.error.indicator_kind"},
		{"no name", ind(func(i *bot.Indicator) { i.Name = " " }).Validate(), "project.error.indicator_name"},
		{"long name", ind(func(i *bot.Indicator) { i.Name = strings.Repeat("n", bot.MaxIndicatorName+1) }).Validate(), "project.error.indicator_name"},
		{"long unit", ind(func(i *bot.Indicator) { i.Unit = strings.Repeat("u", bot.MaxIndicatorUnit+1) }).Validate(), "project.error.indicator_unit"},
		{"direction", ind(func(i *bot.Indicator) { i.Direction = "sideways" }).Validate(), "project.error.indicator_direction"},
		{"target below an up", ind(func(i *bot.Indicator) { i.Target = -1 }).Validate(), "project.error.indicator_target"},
		{"target equal", ind(func(i *bot.Indicator) { i.Target = 0 }).Validate(), "project.error.indicator_target"},
		{"down", ind(func(i *bot.Indicator) { i.Direction, i.Baseline, i.Target = "down", 10, 5 }).Validate(), ""},
		{"huge baseline", ind(func(i *bot.Indicator) { i.Baseline, i.Target = -1e308, 1e308 }).Validate(), "project.error.indicator_value"},
		{"subnormal target", ind(func(i *bot.Indicator) { i.Target = 1e-320 }).Validate(), "project.error.indicator_value"},
		{"seven decimals", ind(func(i *bot.Indicator) { i.Target = 0.1234567 }).Validate(), "project.error.indicator_value"},
		{"at the bounds", ind(func(i *bot.Indicator) { i.Baseline, i.Target = -1e12, 1e12 }).Validate(), ""},
		{"measurement", bot.Measurement{Note: strings.Repeat("m", bot.MaxMeasurementNote), On: on}.Validate(), ""},
		{"long measurement note", bot.Measurement{Note: strings.Repeat("m", bot.MaxMeasurementNote+1), On: on}.Validate(), "project.error.note_too_long"},
		{"huge measurement", bot.Measurement{Value: 1e308, On: on}.Validate(), "project.error.indicator_value"},
		{"measurement at the bound", bot.Measurement{Value: -1e12, On: on}.Validate(), ""},
		{"measurement in year 0", bot.Measurement{Value: 1}.Validate(), "project.error.date_range"},
		{"no answers", bot.ValidateAssessment(nil), "project.error.no_answers"},
		{"score 0", bot.ValidateAssessment([]bot.AssessmentAnswer{{Question: "org.staff", Score: 0}}), "project.error.bad_score"},
		{"score 6", bot.ValidateAssessment([]bot.AssessmentAnswer{{Question: "org.staff", Score: 6}}), "project.error.bad_score"},
		{"long justification", bot.ValidateAssessment([]bot.AssessmentAnswer{{Question: "org.staff", Score: 3,
			Justification: strings.Repeat("j", bot.MaxJustification+1)}}), "project.error.justification_too_long"},
		{"answers", bot.ValidateAssessment([]bot.AssessmentAnswer{{Question: "org.staff", Score: 5}}), ""},
		{"phase note", bot.ValidatePhaseChange(strings.Repeat("n", bot.MaxPhaseNote), ""), ""},
		{"long phase note", bot.ValidatePhaseChange(strings.Repeat("n", bot.MaxPhaseNote+1), ""), "project.error.note_too_long"},
		{"long override", bot.ValidatePhaseChange("", strings.Repeat("o", bot.MaxPhaseNote+1)), "project.too_long"},
		{"decline reason", bot.ValidateDeclineReason(strings.Repeat("r", bot.MaxDeclineReason)), ""},
		{"long decline reason", bot.ValidateDeclineReason(strings.Repeat("r", bot.MaxDeclineReason+1)), "team.error.reason_too_long"},
	} {
		wantRule(t, c.name, c.err, c.key)
	}
}

func TestProgrammeSettingsValidate(t *testing.T) {
	t.Parallel()
	set := func(mod func(*bot.ProgrammeSettings)) bot.ProgrammeSettings {
		s := bot.DefaultProgrammeSettings("Europe/Rome")
		s.Name = "Caffè tra uffici"
		mod(&s)
		return s
	}
	for _, c := range []struct {
		name string
		s    bot.ProgrammeSettings
		key  string
	}{
		{"defaults", set(func(*bot.ProgrammeSettings) {}), ""},
		{"no name", set(func(s *bot.ProgrammeSettings) { s.Name = "" }), "meet.no_name"},
		{"long name", set(func(s *bot.ProgrammeSettings) { s.Name = strings.Repeat("n", bot.MaxProgrammeName+1) }), "meet.name_too_long"},
		{"group of one", set(func(s *bot.ProgrammeSettings) { s.GroupSize = bot.MinGroupSize - 1 }), "meet.bad_number"},
		{"group of five", set(func(s *bot.ProgrammeSettings) { s.GroupSize = bot.MaxGroupSize + 1 }), "meet.bad_number"},
		{"short meeting", set(func(s *bot.ProgrammeSettings) { s.MeetingMinutes = bot.MinMeetingMinutes - 1 }), "meet.bad_number"},
		{"long meeting", set(func(s *bot.ProgrammeSettings) { s.MeetingMinutes = bot.MaxMeetingMinutes + 1 }), "meet.bad_number"},
		{"follow-up 0", set(func(s *bot.ProgrammeSettings) { s.FollowUpDays = 0 }), "meet.bad_number"},
		{"every 0 weeks", set(func(s *bot.ProgrammeSettings) { s.EveryNWeeks = 0 }), "meet.bad_number"},
		{"lookback over", set(func(s *bot.ProgrammeSettings) { s.Lookback = bot.MaxLookback + 1 }), "meet.bad_number"},
		{"format", set(func(s *bot.ProgrammeSettings) { s.Format = "telepatia" }), "meet.bad_format"},
		{"too many starters", set(func(s *bot.ProgrammeSettings) { s.Starters = make([]string, bot.MaxStarters+1) }), "meet.too_many_starters"},
		{"long starter", set(func(s *bot.ProgrammeSettings) { s.Starters = []string{strings.Repeat("s", bot.MaxStarterLength+1)} }), "meet.bad_starter"},
		{"no cron", set(func(s *bot.ProgrammeSettings) { s.Cron = "" }), "meet.cron.invalid"},
		{"cron in Tokyo", set(func(s *bot.ProgrammeSettings) { s.Cron = "CRON_TZ=Asia/Tokyo 0 10 * * 2" }), "meet.cron.zone"},
		{"cron with TZ", set(func(s *bot.ProgrammeSettings) { s.Cron = " TZ=UTC 0 10 * * 2" }), "meet.cron.zone"},
	} {
		wantRule(t, c.name, c.s.Validate(), c.key)
	}
	// The time zone is the core's own setting, never a user's: no user-facing error for it.
	var e *bot.Error
	if err := set(func(s *bot.ProgrammeSettings) { s.Timezone = "" }).Validate(); err == nil || errors.As(err, &e) {
		t.Errorf("empty time zone: %v, want an internal error", err)
	}
}

// TestOneRuleForEachDisagreement pins the decisions: the wanted team size and the proposal
// share one range, a skill need fits in the team, the form boxes hold what the limits allow.
func TestOneRuleForEachDisagreement(t *testing.T) {
	t.Parallel()
	if bot.MinTeamSize != 3 || bot.MaxTeamSize != 15 || bot.MaxSkillNeedCount != bot.MaxTeamSize {
		t.Errorf("team size %d–%d, need count up to %d", bot.MinTeamSize, bot.MaxTeamSize, bot.MaxSkillNeedCount)
	}
	if bot.MinCapacity != 0 || bot.MaxCapacity != 10 || bot.DefaultCapacity > bot.MaxCapacity {
		t.Errorf("capacity %d–%d (default %d)", bot.MinCapacity, bot.MaxCapacity, bot.DefaultCapacity)
	}
	if bot.MaxProfileSkills < 54 {
		t.Errorf("a profile holds %d skills: the demo catalogue's 54 would not fit", bot.MaxProfileSkills)
	}
	if bot.MaxInterestsText > 3000 || bot.MaxInterestsText < bot.MaxInterests*bot.MaxInterestLen {
		t.Errorf("interests box %d", bot.MaxInterestsText)
	}
}
