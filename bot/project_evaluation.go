package bot

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/projectdesign"
	"github.com/comune-prato/cantieri/internal/survey"
)

// The project card of a project under evaluation (monitoraggio, concluso): outputs and outcomes
// against their targets, the summaries of its surveys with the k rule, and the replicability
// verdict.
//
// What the card shows of the surveys, and to whom:
//   - Aggregates (means of Likert questions, shares of yes/no, distributions of choices) only
//     over at least k respondents, as survey.Aggregate computed them; to anyone who may read
//     the card, since they are anonymous by construction and a public body's evaluations are
//     meant to be read.
//   - Counts (invited, answered) only to those who manage the project: they are how a
//     coordinator knows whether to wait, and nobody else's business. With fewer than k
//     external evaluators the coordinator sees only these counts, never an average: the survey
//     can never reach k answers, and its answers are discarded unread at the close.
//   - Free-text answers (the "lezione" question) are left out of the card: the card is read by
//     anyone, its text must stay within Slack's limits, and free text, even inside a group of
//     k, is where an author is most easily recognised. The analysts' export carries them.
//   - Nothing per person, ever: not who answered, not who said what.

// Question keys of the close templates that the replicability verdict reads.
const (
	questionReplicabilityTechnical = "replicabilita-tecnica"
	questionReplicabilityPolitical = "replicabilita-politica"
)

// Options of the replicability questions (the shipped templates' keys).
const (
	replicableAsIs    = "si"
	replicableAdapted = "adattata"
	replicableNo      = "no"
	replicableUnknown = "non-so"
)

// Rendering limits of a summary section: a question's text is cut to summaryQuestionLen
// characters, and a section's text stays within Slack's 3,000 (templates are HR's: up to 20
// questions of up to 500 characters, which at full length would not fit).
const (
	summaryQuestionLen = 90
	maxSummaryText     = 2900
)

// evaluated reports whether p is in a phase whose card shows its evaluation.
func evaluated(p Project) bool {
	return p.Phase == PhaseMonitoraggio || p.Phase == PhaseConcluso
}

// fullProjectCard is projectCard with, for a project under evaluation, the summaries of its
// surveys and the replicability verdict (which need the store).
func (b *Bot) fullProjectCard(ctx context.Context, c *Call, p Project, notice string, manage bool) (Reply, error) {
	r := projectCard(c, p, notice, manage)
	if !evaluated(p) {
		return r, nil
	}
	ev, err := b.projects.ProjectEvaluation(ctx, p.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("project evaluation: %w", err)
	}
	r.Sections = append(r.Sections, evaluationSections(c, p, ev, manage)...)
	return r, nil
}

// evaluationSections are the card's sections about the surveys: the milestone survey while the
// project is in monitoraggio; at the close the team's and the external evaluators' summaries
// and the replicability verdict.
func evaluationSections(c *Call, p Project, ev ProjectEvaluation, manage bool) []Section {
	switch p.Phase {
	case PhaseMonitoraggio:
		return []Section{surveySection(c, c.T("evaluation.milestone.title"), ev.Milestone, ev.K, manage, nil)}
	case PhaseConcluso:
		skip := []string{questionReplicabilityTechnical, questionReplicabilityPolitical}
		external := surveySection(c, c.T("evaluation.external.title"), ev.External, ev.K, manage, skip)
		if !ev.External.Opened() || ev.External.Invited == 0 {
			external.Text = c.T("evaluation.external.none")
			if mayInviteEvaluators(c, p) && !ev.External.Closed {
				external.Text += " " + c.T("evaluation.external.howto", "id", p.ID)
			}
		} else if ev.External.Invited < reportK(ev.External, ev.K) && manage {
			external.Text += "\n" + c.T("evaluation.external.too_few", "n", ev.External.Invited, "k", reportK(ev.External, ev.K))
		}
		return []Section{
			surveySection(c, c.T("evaluation.internal.title"), ev.Internal, ev.K, manage, skip),
			external,
			verdictSection(c, ev),
		}
	}
	return nil
}

// reportK is the k a survey's report was computed with (the instance's, when higher).
func reportK(s EvaluationSurvey, k int) int {
	return max(s.Report.K, k)
}

// surveySection summarises one survey: its aggregates when at least k answered, else (to those
// who manage the project) how many answered and how many are needed. Questions in skip (shown
// elsewhere) and free-text questions are left out.
func surveySection(c *Call, title string, s EvaluationSurvey, k int, manage bool, skip []string) Section {
	sec := Section{Title: title}
	k = reportK(s, k)
	if !s.Opened() {
		sec.Text = c.T("evaluation.not_opened")
		return sec
	}
	var lines []string
	rep := s.Report
	switch {
	case !rep.Hidden && rep.Respondents >= k:
		if manage {
			lines = append(lines, c.T("evaluation.counts", "n", s.Answered, "invited", s.Invited))
		}
	case !manage && s.Closed:
		sec.Text = c.T("evaluation.hidden_closed", "k", k)
		return sec
	case !manage:
		sec.Text = c.T("evaluation.hidden_public", "k", k)
		return sec
	case s.Answered >= k:
		// Enough have answered; their answers wait sealed for the next release (or the close).
		sec.Text = c.T("evaluation.counts", "n", s.Answered, "invited", s.Invited) + "\n" + c.T("evaluation.pending_release", "k", k)
		return sec
	default:
		sec.Text = c.T("evaluation.too_few", "n", s.Answered, "invited", s.Invited, "k", k)
		if s.Closed {
			sec.Text += " " + c.T("evaluation.closed_note")
		}
		return sec
	}
	lines = append(lines, c.T("evaluation.respondents", "n", rep.Respondents))
	for _, q := range rep.Questions {
		if q.Question.Kind == survey.KindText || containsString(skip, q.Question.Key) {
			continue
		}
		lines = append(lines, questionLine(c, q, k))
	}
	sec.Text = fitLines(c, lines, maxSummaryText)
	return sec
}

// questionLine is one question's aggregate: a Likert mean, a yes/no share, a choice's
// distribution; or that too few answered it.
func questionLine(c *Call, q survey.QuestionReport, k int) string {
	text := clip(q.Question.Text.In(c.Locale), summaryQuestionLen)
	if q.Hidden {
		return c.T("evaluation.q.hidden", "question", text, "k", k)
	}
	switch q.Question.Kind {
	case survey.KindLikert:
		return c.T("evaluation.q.likert", "question", text, "mean", formatDecimal(c.Locale, q.Mean, 1), "max", survey.LikertMax)
	case survey.KindYesNo:
		yes := q.Counts[survey.Yes]
		return c.T("evaluation.q.yesno", "question", text, "share", percent(yes, q.Answered), "yes", yes, "n", q.Answered)
	case survey.KindChoice:
		return c.T("evaluation.q.choice", "question", text, "distribution", distribution(c, q))
	}
	return ""
}

// distribution writes a choice question's counts: "Sì, così com'è 3 · No 1".
func distribution(c *Call, q survey.QuestionReport) string {
	parts := make([]string, 0, len(q.Question.Options))
	for i, o := range q.Question.Options {
		if i < len(q.Counts) {
			parts = append(parts, o.Text.In(c.Locale)+" "+strconv.Itoa(q.Counts[i]))
		}
	}
	return strings.Join(parts, " · ")
}

func percent(n, of int) string {
	if of == 0 {
		return "0%"
	}
	return strconv.Itoa(int(math.Round(float64(n)*100/float64(of)))) + "%"
}

// clip cuts s to at most n characters, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// fitLines joins lines, leaving out the last ones (and saying so) past limit characters.
func fitLines(c *Call, lines []string, limit int) string {
	total := 0
	for i, l := range lines {
		total += utf8.RuneCountInString(l) + 1
		if total > limit-100 {
			return strings.Join(append(lines[:i:i], c.T("evaluation.more", "n", len(lines)-i)), "\n")
		}
	}
	return strings.Join(lines, "\n")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// verdictSection gives the replicability verdict, technical and political, from the close
// surveys' two questions.
//
// The team's and the external evaluators' answers are judged apart, never pooled. Pooling is
// unsound on two counts. As evidence: the team judges its own work, the evaluators from outside,
// and a team usually outnumbers its evaluators, so a pooled majority would mostly be the team's
// self-assessment under an independent-sounding name; the programme asks for internal and
// external evaluation precisely to see both. As privacy: a pooled figure shown beside the
// team's alone would let anyone subtract one from the other and read the external group's
// answers when that group is below k — the k rule has to hold for every figure that can be
// derived, not only for those printed. So each group's verdict is shown only when that group's
// question reached k answers, and the two are set side by side.
func verdictSection(c *Call, ev ProjectEvaluation) Section {
	sec := Section{Title: c.T("evaluation.verdict.title")}
	var lines []string
	for _, dim := range []struct{ key, label string }{
		{questionReplicabilityTechnical, c.T("evaluation.verdict.technical")},
		{questionReplicabilityPolitical, c.T("evaluation.verdict.political")},
	} {
		lines = append(lines, "*"+dim.label+"*")
		for _, group := range []struct {
			label string
			s     EvaluationSurvey
		}{
			{c.T("evaluation.verdict.team"), ev.Internal},
			{c.T("evaluation.verdict.external"), ev.External},
		} {
			lines = append(lines, c.T("evaluation.verdict.line", "group", group.label,
				"verdict", groupVerdict(c, group.s, dim.key, reportK(group.s, ev.K))))
		}
	}
	sec.Text = fitLines(c, lines, maxSummaryText)
	return sec
}

// groupVerdict is one group's verdict on one dimension, or why there is none.
func groupVerdict(c *Call, s EvaluationSurvey, key string, k int) string {
	tooFew := "evaluation.verdict.not_enough"
	if s.Closed {
		tooFew = "evaluation.verdict.too_few"
	}
	if !s.Opened() || s.Report.Hidden {
		return c.T(tooFew, "k", k)
	}
	for _, q := range s.Report.Questions {
		if q.Question.Key != key {
			continue
		}
		if q.Hidden {
			return c.T(tooFew, "k", k)
		}
		v, ok := replicabilityVerdict(q)
		if !ok {
			// A template whose options are not the shipped ones: the distribution says it all.
			return distribution(c, q)
		}
		return c.T("evaluation.verdict."+v) + " (" + distribution(c, q) + ")"
	}
	return c.T("evaluation.verdict.not_asked")
}

// replicabilityVerdict reads a replicability question's distribution (si, adattata, no,
// non-so) as one verdict, by majority:
//   - "unknown" when most of those who answered do not know;
//   - otherwise among those who gave a judgement: "as_is" when most say yes as it is,
//     "adapted" when most say yes (as it is or adapted), "no" when most say no, "split" when
//     no side has a majority.
//
// ok is false when the question's options are not the four expected.
func replicabilityVerdict(q survey.QuestionReport) (verdict string, ok bool) {
	counts := map[string]int{}
	for i, o := range q.Question.Options {
		if i < len(q.Counts) {
			counts[o.Key] = q.Counts[i]
		}
	}
	for _, key := range []string{replicableAsIs, replicableAdapted, replicableNo, replicableUnknown} {
		if _, has := counts[key]; !has {
			return "", false
		}
	}
	if len(counts) != 4 {
		return "", false
	}
	total := counts[replicableAsIs] + counts[replicableAdapted] + counts[replicableNo] + counts[replicableUnknown]
	judged := total - counts[replicableUnknown]
	switch {
	case total == 0:
		return "", false
	case 2*counts[replicableUnknown] > total || judged == 0:
		return "unknown", true
	case 2*counts[replicableAsIs] > judged:
		return "as_is", true
	case 2*(counts[replicableAsIs]+counts[replicableAdapted]) > judged:
		return "adapted", true
	case 2*counts[replicableNo] > judged:
		return "no", true
	}
	return "split", true
}

// resultsSection shows a project under evaluation's outputs and outcomes against their targets:
// for each indicator the baseline and the target, the final value (or, until there is one, the
// latest) and whether the target is reached.
func resultsSection(c *Call, p Project) Section {
	s := Section{Title: c.T("evaluation.results.title")}
	if len(p.Indicators) == 0 {
		s.Text = c.T("project.indicators.none")
		return s
	}
	var lines []string
	for _, kind := range []projectdesign.Kind{projectdesign.Output, projectdesign.Outcome} {
		first := true
		for _, ind := range p.Indicators {
			if ind.Kind != string(kind) {
				continue
			}
			if first {
				lines = append(lines, "*"+c.T("evaluation.results.kind."+string(kind))+"*")
				first = false
			}
			lines = append(lines, resultLine(c, ind))
		}
	}
	s.Text = fitLines(c, lines, maxSummaryText)
	return s
}

// resultLine is one indicator against its target.
func resultLine(c *Call, ind Indicator) string {
	head := c.T("evaluation.results.line", "id", ind.ID, "name", ind.Name,
		"baseline", numberWithUnit(c, ind.Baseline, ind.Unit), "target", numberWithUnit(c, ind.Target, ind.Unit))
	m, final, ok := finalOrLatest(ind)
	if !ok {
		return head + " " + c.T("project.indicator.no_measure")
	}
	value := numberWithUnit(c, m.Value, ind.Unit)
	key := "evaluation.results.latest"
	if final {
		key = "evaluation.results.final"
	}
	line := head + " " + c.T(key, "value", value, "date", dateText(c, &m.On))
	f, ok := projectdesign.Progress(ind.Baseline, ind.Target, m.Value, projectdesign.Direction(ind.Direction))
	switch {
	case !ok:
	case f >= 1:
		line += " " + c.T("evaluation.results.reached")
	default:
		line += " " + c.T("evaluation.results.not_reached", "progress", strconv.FormatFloat(math.Round(f*100), 'f', 0, 64)+"%")
	}
	return line
}

// finalOrLatest returns the indicator's final measurement, or its latest when none is final.
func finalOrLatest(ind Indicator) (m Measurement, final, ok bool) {
	for _, x := range ind.Measurements {
		if x.Final {
			return x, true, true
		}
	}
	for i, x := range ind.Measurements {
		if i == 0 || !x.On.Before(m.On) {
			m, ok = x, true
		}
	}
	return m, false, ok
}

// missingFinals names the indicators without a final value.
func missingFinals(p Project) []string {
	var out []string
	for _, ind := range p.Indicators {
		if _, final, _ := finalOrLatest(ind); !final {
			out = append(out, "«"+ind.Name+"»")
		}
	}
	return out
}
