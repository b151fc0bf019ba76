package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/indices"
	"github.com/comune-prato/cantieri/internal/survey"
)

// The answering side of evaluation feedback: "valuta" lists my pending surveys, "valuta ID"
// opens one as a form (a modal in Slack, prompts in the console) and takes its answers, from
// the form or typed as question=value. Answers are anonymous by design (the store seals them,
// see internal/postgres/surveys.go); here they are never logged, never put in an error that
// could be logged, and shown back only to whoever gave them (the form re-offered with their
// own values after a mistake).

const (
	// recentSurveyDays is how far back "valuta" counts the surveys someone has answered.
	recentSurveyDays = 90
	// maxListedSurveys bounds the list: a Slack message holds 50 blocks.
	maxListedSurveys = 15
	// homeSurveyLines is how many pending surveys the start page names.
	homeSurveyLines = 3
	// Slack's limits that a survey's form must respect (the renderer would cut, but a cut
	// label should be ours, with an ellipsis where we choose).
	maxFormLabel   = 2000
	maxOptionLabel = 75
	// problemQuestionLen bounds a question's text where an error names it, and
	// maxEchoedValue a wrong value quoted back.
	problemQuestionLen = 120
	maxEchoedValue     = 40
)

// Canonical values of a yes/no question in a form (the select's values).
const (
	surveyYes = "sì"
	surveyNo  = "no"
)

func (b *Bot) feedbackCommand() *Command {
	return &Command{
		Name:    feedbackWord,
		EN:      "feedback",
		Summary: "feedback.summary",
		// Someone's surveys and answers are their own business: never shown to a channel.
		Private: true,
		Subs: []*Sub{
			{Summary: "feedback.sub.list", Examples: []string{feedbackWord}, Handler: b.feedbackList},
			{OnID: true, Summary: "feedback.sub.answer", Handler: b.feedbackAnswer,
				// The fields are the questions of the instance's template, known only when it
				// is loaded: the handler checks them and suggests the key meant.
				AnyField: &Param{Name: W("domanda", "question"), Kind: KindText, Label: "feedback.field.question"},
				Examples: []string{feedbackWord + " 12",
					feedbackWord + ` 12 utilita=4 altro-ufficio=sì nuovo-contatto=no idea="Un archivio comune delle pratiche edilizie"`}},
		},
	}
}

// feedbackList lists the caller's pending surveys with a button each, and counts (never names)
// those answered recently.
func (b *Bot) feedbackList(ctx context.Context, c *Call) (Reply, error) {
	mine, err := b.surveys.MySurveys(ctx, c.Caller.ID, b.now().AddDate(0, 0, -recentSurveyDays))
	if err != nil {
		return Reply{}, fmt.Errorf("my surveys: %w", err)
	}
	r := Reply{Title: c.T("feedback.list.title")}
	if len(mine.Pending) == 0 {
		r.Text = c.T("feedback.list.none")
	} else {
		r.Text = c.T("feedback.list.intro", "n", len(mine.Pending))
	}
	for i, s := range mine.Pending {
		if i == maxListedSurveys {
			r.Sections = append(r.Sections, Section{Text: c.T("feedback.list.more", "n", len(mine.Pending)-i)})
			break
		}
		var lines []string
		if about := surveyAboutText(c, s.About); about != "" {
			lines = append(lines, about)
		}
		facts := c.T("feedback.list.questions", "n", s.Questions)
		if !s.ClosesAt.IsZero() {
			facts += " · " + c.T("feedback.list.until", "when", b.momentText(c, s.ClosesAt))
		}
		lines = append(lines, facts)
		r.Sections = append(r.Sections, Section{Title: c.T("feedback.list.item", "id", s.InstanceID, "title", s.Title.In(c.Locale)),
			Text: strings.Join(lines, "\n")})
		style := StyleDefault
		if i == 0 {
			style = StylePrimary
		}
		r.Choices = append(r.Choices, Choice{Label: c.T("feedback.list.button", "id", s.InstanceID),
			Command: fmt.Sprintf("%s %d", feedbackWord, s.InstanceID), Style: style})
	}
	if mine.AnsweredRecently > 0 {
		r.Sections = append(r.Sections, Section{Text: c.T("feedback.list.answered", "n", mine.AnsweredRecently, "days", recentSurveyDays)})
	}
	if len(mine.Pending) > 0 {
		r.Sections = append(r.Sections, Section{Text: c.T("feedback.anonymous")})
	}
	return r, nil
}

// homeSurveys adds to the start page the surveys waiting for the caller's answer, if any: the
// first few by title and a button to the list.
func (b *Bot) homeSurveys(ctx context.Context, c *Call, r *Reply) error {
	mine, err := b.surveys.MySurveys(ctx, c.Caller.ID, b.now().AddDate(0, 0, -recentSurveyDays))
	if err != nil {
		return fmt.Errorf("home: surveys: %w", err)
	}
	if len(mine.Pending) == 0 {
		return nil
	}
	lines := []string{c.T("feedback.home.count", "n", len(mine.Pending))}
	for i, s := range mine.Pending {
		if i == homeSurveyLines {
			break
		}
		lines = append(lines, c.T("feedback.home.line", "id", s.InstanceID, "title", s.Title.In(c.Locale)))
	}
	r.Sections = append(r.Sections, Section{Title: c.T("feedback.home.title"), Text: strings.Join(lines, "\n")})
	r.Choices = append(r.Choices, Choice{Label: c.T("feedback.button.list"), Command: feedbackWord, Style: StylePrimary})
	return nil
}

// feedbackAnswer opens instance c.ID as a form, or takes its answers: given as fields (typed,
// or the form's values), they are read against the instance's template; every problem is
// listed and the form offered again with what was given; a good answer goes to the store.
func (b *Bot) feedbackAnswer(ctx context.Context, c *Call) (Reply, error) {
	s, err := b.surveys.SurveyToAnswer(ctx, c.ID, c.Caller.ID)
	if errors.Is(err, survey.ErrNotInvited) {
		return notInvitedReply(c), nil
	}
	if err != nil {
		return Reply{}, fmt.Errorf("survey %d: %w", c.ID, err)
	}
	switch {
	case s.Answered:
		return alreadyAnsweredReply(c, s), nil
	case s.Closed:
		return b.closedReply(c, s), nil
	}
	if len(c.Args.Named) == 0 && c.Source != SourceForm {
		return b.surveyFormReply(c, s, nil, nil), nil
	}
	resp, prefill, problems := readSurveyAnswer(c, s.Template)
	if len(problems) == 0 {
		err := b.surveys.Submit(ctx, s.InstanceID, c.Caller.ID, resp)
		var invalid *survey.InvalidError
		switch {
		case err == nil:
			return b.thanksReply(ctx, c, s), nil
		case errors.Is(err, survey.ErrAlreadyAnswered):
			return alreadyAnsweredReply(c, s), nil
		case errors.Is(err, survey.ErrClosed):
			// Closed between the look and the submission: it closed now.
			if s.ClosedAt.IsZero() || s.ClosedAt.After(b.now()) {
				s.ClosedAt = b.now()
			}
			return b.closedReply(c, s), nil
		case errors.Is(err, survey.ErrNotInvited):
			return notInvitedReply(c), nil
		case errors.As(err, &invalid):
			// The store checks again against the same (immutable) version, so this is a
			// safety net; its problems are said the same way.
			problems = problemLines(c, s.Template, nil, invalid.Problems)
		default:
			// The error names the instance, never an answer.
			return Reply{}, fmt.Errorf("submit answer to survey %d: %w", s.InstanceID, err)
		}
	}
	return b.surveyFormReply(c, s, prefill, problems), nil
}

// surveyFormReply is the instance's form, prefilled with values; problems (when a submission
// was refused) head its text, which the modal shows above the questions and the console prints
// before asking them.
func (b *Bot) surveyFormReply(c *Call, s SurveyToAnswer, values map[string]string, problems []string) Reply {
	var intro []string
	if len(problems) > 0 {
		intro = append(intro, c.T("feedback.invalid", "n", len(problems)))
		for _, p := range problems {
			intro = append(intro, "• "+p)
		}
		intro = append(intro, c.T("feedback.invalid.again"), "")
	}
	intro = append(intro, "*"+s.Template.Title.In(c.Locale)+"*")
	if about := surveyAboutText(c, s.About); about != "" {
		intro = append(intro, about)
	}
	tail := c.T("feedback.form.anonymous", "k", s.K)
	if !s.ClosesAt.IsZero() {
		tail += " " + c.T("feedback.form.until", "when", b.momentText(c, s.ClosesAt))
	}
	intro = append(intro, tail)
	return Reply{
		Text:    strings.Join(intro, "\n"),
		Form:    surveyForm(c, s, values),
		IsError: len(problems) > 0,
	}
}

// surveyForm builds the form of an instance's template: a select for a Likert scale (the
// number, with the labelled ends), for yes/no and for a choice (the options in the reader's
// language); a text area bounded by the question's length for free text.
func surveyForm(c *Call, s SurveyToAnswer, values map[string]string) *Form {
	f := &Form{
		ID:          fmt.Sprintf("survey-%d", s.InstanceID),
		Title:       c.T("feedback.form.title"),
		SubmitLabel: c.T("feedback.form.submit"),
		Submit:      fmt.Sprintf("%s %d", feedbackWord, s.InstanceID),
	}
	for i, q := range s.Template.Questions {
		ff := FormField{
			Name:     q.Key,
			Label:    fitText(fmt.Sprintf("%d. %s", i+1, q.Text.In(c.Locale)), maxFormLabel),
			Required: q.Required,
			Value:    values[q.Key],
			Kind:     FieldSelect,
		}
		switch q.Kind {
		case survey.KindLikert:
			for n := survey.LikertMin; n <= survey.LikertMax; n++ {
				ff.Options = append(ff.Options, Option{Value: strconv.Itoa(n), Label: likertLabel(c, q, n)})
			}
		case survey.KindYesNo:
			ff.Options = []Option{{Value: surveyYes, Label: c.T("feedback.form.yes")}, {Value: surveyNo, Label: c.T("feedback.form.no")}}
		case survey.KindChoice:
			for _, o := range q.Options {
				ff.Options = append(ff.Options, Option{Value: o.Key, Label: fitText(o.Text.In(c.Locale), maxOptionLabel)})
			}
		case survey.KindText:
			ff.Kind = FieldTextArea
			ff.MaxLength = q.MaxLength
			ff.Hint = c.T("feedback.form.text_hint", "max", q.MaxLength)
		}
		f.Fields = append(f.Fields, ff)
	}
	return f
}

// likertLabel is a scale's option: the number, and on the ends their label ("1 — Per nulla").
func likertLabel(c *Call, q survey.Question, n int) string {
	label := strconv.Itoa(n)
	switch n {
	case survey.LikertMin:
		label += " — " + q.Low.In(c.Locale)
	case survey.LikertMax:
		label += " — " + q.High.In(c.Locale)
	}
	return fitText(label, maxOptionLabel)
}

// readSurveyAnswer reads the given fields against t. It returns the response, the values to
// prefill a form offered again (canonical where they could be read, as given where not), and
// one line per problem: the questions in their order, then the keys that are no question.
func readSurveyAnswer(c *Call, t survey.Template) (survey.Response, map[string]string, []string) {
	resp := survey.Response{}
	prefill := map[string]string{}
	bad := map[string]string{} // question key → the value that could not be read
	var unknown []string
	for _, k := range c.Args.AllKeys() {
		v, ok := c.Args.Named[k]
		if !ok {
			continue
		}
		q, known := t.Question(k)
		if !known {
			unknown = append(unknown, k)
			continue
		}
		v = strings.TrimSpace(v)
		prefill[q.Key] = v
		if v == "" {
			continue // not answered: Validate says whether it had to be
		}
		value, ok := readSurveyValue(q, v)
		if !ok {
			bad[q.Key] = v
			continue
		}
		resp[q.Key] = value
		prefill[q.Key] = formValue(q, value)
	}
	problems := problemLines(c, t, bad, survey.Validate(t, resp))
	for _, k := range unknown {
		problems = append(problems, unknownQuestionLine(c, t, k))
	}
	return resp, prefill, problems
}

// readSurveyValue reads one answer: 1–5 for a scale (also "5 — Molto utile", or an end's label
// alone, "Molto utile"), sì/si/yes/no/true/false
// for yes/no, an option's key or its text in either language for a choice, any text for free
// text (its length is Validate's). ok is false when v cannot be read as that kind at all; a
// number out of the scale is read, for Validate to say.
func readSurveyValue(q survey.Question, v string) (survey.Value, bool) {
	switch q.Kind {
	case survey.KindLikert:
		for _, end := range []struct {
			label survey.Text
			n     int
		}{{q.Low, survey.LikertMin}, {q.High, survey.LikertMax}} {
			if strings.EqualFold(v, strings.TrimSpace(end.label.IT)) || strings.EqualFold(v, strings.TrimSpace(end.label.EN)) {
				return survey.Value{N: end.n}, true
			}
		}
		// The number before a label ("5 — Molto utile"); not a hyphen, which makes "-3" a
		// number off the scale rather than 3.
		head := strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == '—' || r == '–' })
		if len(head) == 0 {
			return survey.Value{}, false
		}
		n, err := strconv.Atoi(head[0])
		if err != nil {
			return survey.Value{}, false
		}
		return survey.Value{N: n}, true
	case survey.KindYesNo:
		yes, ok := parseYesNo(v)
		if !ok {
			return survey.Value{}, false
		}
		if yes {
			return survey.Value{N: survey.Yes}, true
		}
		return survey.Value{N: survey.No}, true
	case survey.KindChoice:
		for _, o := range q.Options {
			if strings.EqualFold(v, o.Key) || strings.EqualFold(v, strings.TrimSpace(o.Text.IT)) || strings.EqualFold(v, strings.TrimSpace(o.Text.EN)) {
				return survey.Value{S: o.Key}, true
			}
		}
		return survey.Value{}, false
	}
	return survey.Value{S: v}, true
}

// formValue is a read answer as the form's input holds it.
func formValue(q survey.Question, v survey.Value) string {
	switch q.Kind {
	case survey.KindLikert:
		return strconv.Itoa(v.N)
	case survey.KindYesNo:
		if v.N == survey.Yes {
			return surveyYes
		}
		return surveyNo
	}
	return v.S
}

// problemLines says each problem in the reader's language, naming the question and how to put
// it right: first the values that could not be read (bad), then what Validate found, one line
// per question, in the template's order.
func problemLines(c *Call, t survey.Template, bad map[string]string, found []survey.AnswerProblem) []string {
	byQuestion := map[string]string{}
	for k, v := range bad {
		q, _ := t.Question(k)
		byQuestion[k] = c.T("feedback.problem.invalid", "question", questionName(c, t, q), "value", fitText(v, maxEchoedValue),
			"fix", fixText(c, q))
	}
	var unknown []string
	for _, p := range found {
		if _, said := byQuestion[p.Question]; said {
			continue
		}
		q, ok := t.Question(p.Question)
		if !ok {
			unknown = append(unknown, p.Question)
			continue
		}
		name := questionName(c, t, q)
		switch p.Code {
		case survey.AnswerMissing:
			byQuestion[q.Key] = c.T("feedback.problem.missing", "question", name, "fix", fixText(c, q))
		case survey.AnswerOutOfRange, survey.AnswerUnknownOpt:
			byQuestion[q.Key] = c.T("feedback.problem.out_of_range", "question", name, "fix", fixText(c, q))
		case survey.AnswerTooLong:
			byQuestion[q.Key] = c.T("feedback.problem.too_long", "question", name, "max", p.Max)
		case survey.AnswerBadText:
			byQuestion[q.Key] = c.T("feedback.problem.bad_text", "question", name)
		default:
			byQuestion[q.Key] = p.Text(c.Locale, t)
		}
	}
	var out []string
	for _, q := range t.Questions {
		if line, ok := byQuestion[q.Key]; ok {
			out = append(out, line)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		out = append(out, unknownQuestionLine(c, t, k))
	}
	return out
}

// questionName names a question in an error: its number, its text (shortened) and its key,
// which is what one types in chat.
func questionName(c *Call, t survey.Template, q survey.Question) string {
	n := slices.IndexFunc(t.Questions, func(x survey.Question) bool { return x.Key == q.Key }) + 1
	return c.T("feedback.question", "pos", n, "text", fitText(q.Text.In(c.Locale), problemQuestionLen), "key", q.Key)
}

// fixText says what a question accepts, in the reader's language.
func fixText(c *Call, q survey.Question) string {
	switch q.Kind {
	case survey.KindLikert:
		return c.T("feedback.fix.likert", "min", survey.LikertMin, "max", survey.LikertMax,
			"low", q.Low.In(c.Locale), "high", q.High.In(c.Locale))
	case survey.KindYesNo:
		return c.T("feedback.fix.yesno")
	case survey.KindChoice:
		opts := make([]string, len(q.Options))
		for i, o := range q.Options {
			opts[i] = "«" + o.Text.In(c.Locale) + "» (`" + o.Key + "`)"
		}
		return c.T("feedback.fix.choice", "options", strings.Join(opts, ", "))
	}
	return c.T("feedback.fix.text", "max", q.MaxLength)
}

// unknownQuestionLine answers a key that is no question of t, with the closest one.
func unknownQuestionLine(c *Call, t survey.Template, key string) string {
	keys := make([]string, len(t.Questions))
	for i, q := range t.Questions {
		keys[i] = q.Key
	}
	if s := SuggestKey(key, keys); s != "" {
		return c.T("feedback.problem.unknown_suggest", "key", key, "suggestion", s)
	}
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = "`" + k + "`"
	}
	return c.T("feedback.problem.unknown", "key", key, "keys", strings.Join(quoted, ", "))
}

// thanksReply confirms an answer: anonymous, seen only in aggregates of at least k, and what is
// left to answer.
func (b *Bot) thanksReply(ctx context.Context, c *Call, s SurveyToAnswer) Reply {
	r := Reply{Text: c.T("feedback.thanks", "k", s.K)}
	mine, err := b.surveys.MySurveys(ctx, c.Caller.ID, b.now().AddDate(0, 0, -recentSurveyDays))
	if err != nil {
		// The answer is recorded: the count of those left is a courtesy.
		b.log.WarnContext(ctx, "could not count the surveys left", "err", err)
		return r
	}
	if n := len(mine.Pending); n > 0 {
		r.Text += "\n" + c.T("feedback.thanks.more", "n", n)
		r.Choices = []Choice{{Label: c.T("feedback.button.list"), Command: feedbackWord, Style: StylePrimary}}
	}
	return r
}

func alreadyAnsweredReply(c *Call, s SurveyToAnswer) Reply {
	return Reply{Text: c.T("feedback.already", "title", s.Template.Title.In(c.Locale)),
		Choices: []Choice{{Label: c.T("feedback.button.list"), Command: feedbackWord}}}
}

func (b *Bot) closedReply(c *Call, s SurveyToAnswer) Reply {
	when := s.ClosedAt.In(b.loc)
	return Reply{Text: c.T("feedback.closed", "title", s.Template.Title.In(c.Locale), "date", dateText(c, &when)),
		Choices: []Choice{{Label: c.T("feedback.button.list"), Command: feedbackWord}}}
}

// notInvitedReply is the same for an instance that does not exist and one the caller is not
// invited to: nobody learns which surveys others were sent.
func notInvitedReply(c *Call) Reply {
	return Reply{Text: c.T("feedback.not_invited", "id", c.ID), IsError: true,
		Choices: []Choice{{Label: c.T("feedback.button.list"), Command: feedbackWord}}}
}

// surveyAboutText says what an instance is about, in the reader's language.
func surveyAboutText(c *Call, a SurveyAbout) string {
	switch a.Kind {
	case AboutProgramme:
		return c.T("feedback.about.programme", "name", a.Name)
	case AboutProject:
		return c.T("feedback.about.project", "id", a.ID, "name", a.Name)
	case AboutPulse:
		month := a.Name
		if m, err := indices.ParseMonth(a.Name); err == nil {
			month = monthText(c.Locale, m) // "dicembre 2026", not "2026-12"
		}
		return c.T("feedback.about.pulse", "month", month)
	}
	return ""
}

// momentText writes a time in the council's zone: its day and hour.
func (b *Bot) momentText(c *Call, t time.Time) string {
	lt := t.In(b.loc)
	if lt.Hour() == 0 && lt.Minute() == 0 && lt.Second() == 0 {
		// A survey closing at midnight is open the whole day before: "until 14/01", as the
		// message that invited says, not "until 15/01 at 00:00".
		last := lt.Add(-time.Nanosecond)
		return dateText(c, &last)
	}
	return c.T("feedback.when", "date", dateText(c, &lt), "time", lt.Format("15:04"))
}

// fitText shortens s to at most max characters, ending with an ellipsis when cut.
func fitText(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:max-1])) + "…"
}
