package bot

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/comune-prato/cantieri/internal/projectdesign"
)

// projectCard renders a project: its fields, robustness, indicators, team and the actions. The
// actions that change the project are offered only when manage says the reader may take them;
// the invitations' states only to the project's coordinator (for whom the card is Private while
// the team is being formed).
func projectCard(c *Call, p Project, notice string, manage bool) Reply {
	none := c.T("profile.none")
	objectives := make([]string, len(p.Objectives))
	for i, o := range p.Objectives {
		objectives[i] = o.Code + " — " + o.Title
	}
	units := make([]string, len(p.Units))
	for i, u := range p.Units {
		units[i] = u.Name + " (" + u.Code + ")"
	}
	skills := make([]string, len(p.Skills))
	for i, s := range p.Skills {
		skills[i] = c.T("project.skill_need", "skill", s.Name(c.Locale), "level", c.T("level."+strconv.Itoa(s.MinLevel)), "count", s.Count)
	}
	coordinator := none
	if p.Coordinator != nil {
		coordinator = p.Coordinator.Name
	}
	budget := none
	if p.BudgetCents > 0 {
		budget = formatEuros(c.Locale, p.BudgetCents)
	}
	dates := none
	if p.PlannedStart != nil || p.PlannedEnd != nil {
		dates = dateText(c, p.PlannedStart) + " – " + dateText(c, p.PlannedEnd)
	}
	r := Reply{
		Title: c.T("project.card_title", "id", p.ID, "title", p.Title),
		Text:  notice,
	}
	main := Section{Text: p.Description, Fields: []Field{
		{Label: c.T("project.field.phase"), Value: c.T("phase." + string(p.Phase))},
		{Label: c.T("project.field.coordinator"), Value: coordinator},
		{Label: c.T("project.field.objectives"), Value: orNone(c, strings.Join(objectives, "\n"))},
		{Label: c.T("project.field.units"), Value: orNone(c, strings.Join(units, ", "))},
		{Label: c.T("project.field.skills"), Value: orNone(c, strings.Join(skills, ", "))},
		{Label: c.T("project.field.team_size"), Value: strconv.Itoa(p.TeamSize)},
		{Label: c.T("project.field.budget"), Value: budget},
		{Label: c.T("project.field.funding"), Value: orNone(c, p.FundingSource)},
		{Label: c.T("project.field.dates"), Value: dates},
		{Label: c.T("project.field.team"), Value: teamField(c, p.Team, isCoordinator(c, p))},
	}}
	if p.Team.Channel != "" {
		main.Fields = append(main.Fields, Field{Label: c.T("project.field.channel"), Value: channelMention(p.Team.Channel)})
	}
	indicators := indicatorsSection(c, p)
	if evaluated(p) {
		// Under evaluation the indicators are read against their targets, final values first.
		indicators = resultsSection(c, p)
	}
	r.Sections = append(r.Sections, main, robustnessSection(c, p), indicators)
	r.Private = isCoordinator(c, p) && p.Team.Confirmed() && !p.Team.Formed()
	id := strconv.FormatInt(p.ID, 10)
	if !manage {
		// Anyone may read the indicators; the rest changes the project.
		r.Choices = []Choice{{Label: c.T("project.button.indicators"), Command: projectWord + " " + id + " indicatori"}}
		return r
	}
	r.Choices = []Choice{
		{Label: c.T("project.button.phase"), Command: projectWord + " " + id + " fase"},
		{Label: c.T("project.button.robustness"), Command: projectWord + " " + id + " robustezza"},
		{Label: c.T("project.button.indicators"), Command: projectWord + " " + id + " indicatori"},
		{Label: c.T("project.button.edit"), Command: projectWord + " " + id + " modifica"},
	}
	if mayInviteEvaluators(c, p) && (p.Phase == PhaseRealizzazione || evaluated(p)) {
		r.Choices = append(r.Choices, Choice{Label: c.T("evaluation.button.evaluators"), Command: projectWord + " " + id + " valutatori"})
	}
	return r
}

// isCoordinator reports whether the reader is p's coordinator, the only one who sees how each
// invitation was answered and why.
func isCoordinator(c *Call, p Project) bool {
	return p.Coordinator != nil && c.Caller.ID != 0 && p.Coordinator.ID == c.Caller.ID
}

// assessmentResults recomputes every stored assessment, oldest first.
func assessmentResults(p Project) []projectdesign.Result {
	out := make([]projectdesign.Result, 0, len(p.Assessments))
	for _, a := range p.Assessments {
		answers := make([]projectdesign.Answer, len(a.Answers))
		for i, x := range a.Answers {
			answers[i] = projectdesign.Answer{Code: x.Question, Score: x.Score, Justification: x.Justification}
		}
		res, err := projectdesign.Assess(answers)
		if err != nil {
			// Stored answers were validated when written; a retired question is skipped.
			res, _ = projectdesign.Assess(knownAnswers(answers))
		}
		out = append(out, res)
	}
	return out
}

func knownAnswers(in []projectdesign.Answer) []projectdesign.Answer {
	var out []projectdesign.Answer
	for _, a := range in {
		if _, ok := projectdesign.Lookup(a.Code); ok {
			out = append(out, a)
		}
	}
	return out
}

// robustnessSection shows the latest assessment: the overall index, each dimension with a flag
// when under 3 and the questions that pulled it down, and the change since the previous version.
func robustnessSection(c *Call, p Project) Section {
	s := Section{Title: c.T("project.robustness.title")}
	results := assessmentResults(p)
	if len(results) == 0 {
		s.Text = c.T("project.robustness.none")
		return s
	}
	last := results[len(results)-1]
	trend := projectdesign.Trend(results)
	point := trend[len(trend)-1]
	var lines []string
	head := c.T("project.robustness.version", "version", p.Assessments[len(p.Assessments)-1].Version,
		"answered", last.Answered, "total", len(projectdesign.Questions()))
	if last.Rated() {
		head += " " + c.T("project.robustness.overall", "index", formatDecimal(c.Locale, last.Index, 2))
		if point.HasDelta {
			head += " " + c.T("project.robustness.delta", "delta", signedDecimal(c.Locale, point.Delta))
		}
	}
	lines = append(lines, head)
	if !last.Complete {
		lines = append(lines, c.T("project.robustness.incomplete"))
	}
	for i, d := range last.Dimensions {
		name := c.T(d.Dimension.Key())
		if d.Answered == 0 {
			lines = append(lines, c.T("project.robustness.dim_unrated", "dimension", name))
			continue
		}
		line := c.T("project.robustness.dim", "dimension", name, "index", formatDecimal(c.Locale, d.Index, 2))
		if dp := point.Dimensions[i]; dp.HasDelta {
			line += " " + c.T("project.robustness.delta", "delta", signedDecimal(c.Locale, dp.Delta))
		}
		if d.Flagged {
			line += " " + c.T("project.robustness.flag")
		}
		lines = append(lines, line)
		for _, low := range d.Low {
			lines = append(lines, c.T("project.robustness.low", "question", c.T(low.Question.Key), "score", low.Score))
		}
	}
	s.Text = strings.Join(lines, "\n")
	return s
}

// indicatorsSection lists the indicators with their progress towards the target.
func indicatorsSection(c *Call, p Project) Section {
	s := Section{Title: c.T("project.indicators.title")}
	if len(p.Indicators) == 0 {
		s.Text = c.T("project.indicators.none")
		return s
	}
	lines := make([]string, 0, len(p.Indicators))
	for _, ind := range p.Indicators {
		lines = append(lines, indicatorLine(c, ind))
	}
	s.Text = strings.Join(lines, "\n")
	return s
}

func indicatorLine(c *Call, ind Indicator) string {
	head := c.T("project.indicator.line", "id", ind.ID, "name", ind.Name, "kind", c.T("project.indicator.kind."+ind.Kind),
		"baseline", numberWithUnit(c, ind.Baseline, ind.Unit), "target", numberWithUnit(c, ind.Target, ind.Unit))
	if len(ind.Measurements) == 0 {
		return head + " " + c.T("project.indicator.no_measure")
	}
	latest := ind.Measurements[len(ind.Measurements)-1]
	for _, m := range ind.Measurements {
		if !m.On.Before(latest.On) {
			latest = m
		}
	}
	progress := "—"
	if f, ok := projectdesign.Progress(ind.Baseline, ind.Target, latest.Value, projectdesign.Direction(ind.Direction)); ok {
		progress = strconv.FormatFloat(math.Round(f*100), 'f', 0, 64) + "%"
	}
	return head + " " + c.T("project.indicator.progress", "progress", progress,
		"value", numberWithUnit(c, latest.Value, ind.Unit), "date", dateText(c, &latest.On))
}

func numberWithUnit(c *Call, v float64, unit string) string {
	s := formatNumber(c.Locale, v)
	if unit != "" {
		s += " " + unit
	}
	return s
}

// formatNumber writes v with up to 2 decimals, trailing zeros dropped, in the locale's style.
func formatNumber(locale string, v float64) string {
	r := math.Round(v*100) / 100
	if math.IsInf(r, 0) || math.IsNaN(r) {
		// Only a value stored before indicators' bounds (projectdesign.ValidValue) gets here.
		r = v
	}
	s := strconv.FormatFloat(r, 'f', -1, 64)
	if locale == "it" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// formatDecimal writes v with exactly n decimals, in the locale's style.
func formatDecimal(locale string, v float64, n int) string {
	s := strconv.FormatFloat(v, 'f', n, 64)
	if locale == "it" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func signedDecimal(locale string, v float64) string {
	s := formatDecimal(locale, v, 2)
	if v >= 0 && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

// formatEuros writes cents as € 12.500,50 (Italian) or €12,500.50 (English).
func formatEuros(locale string, cents int64) string {
	euros, rest := cents/100, cents%100
	digits := strconv.FormatInt(euros, 10)
	thousands, decimal, prefix := ".", ",", "€ "
	if locale == "en" {
		thousands, decimal, prefix = ",", ".", "€"
	}
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	return prefix + b.String() + decimal + fmt.Sprintf("%02d", rest)
}

// plainEuros writes cents as the form takes them back: 12500.50.
func plainEuros(cents int64) string {
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// dateText writes a date in the locale's style (15/01/2026, 15 Jan 2026), or "none".
func dateText(c *Call, t *time.Time) string {
	if t == nil {
		return c.T("profile.none")
	}
	if c.Locale == "en" {
		return t.Format("2 Jan 2006")
	}
	return t.Format("02/01/2006")
}

// teamField lists the team: its members once formed. Before, the coordinator sees each
// invitation's state; anyone else sees who has accepted and how many places are still to fill,
// never who declined, let an invitation lapse or is still deciding.
func teamField(c *Call, t ProjectTeam, coordinator bool) string {
	if !t.Confirmed() {
		return "—"
	}
	var items []string
	open := 0
	for _, s := range t.Slots {
		switch {
		case t.Formed():
			items = append(items, s.Person.Name)
		case coordinator:
			items = append(items, s.Person.Name+" ("+c.T("invite.short."+string(s.Status))+")")
		case s.Status == InviteAccepted:
			items = append(items, s.Person.Name)
		default:
			open++
		}
	}
	list := strings.Join(items, ", ")
	if t.Formed() {
		return c.T("project.team_formed", "date", dateText(c, t.FormedAt), "names", list)
	}
	if open > 0 {
		if list != "" {
			list += "; "
		}
		list += c.T("project.team_places_open", "n", open)
	}
	return list
}
