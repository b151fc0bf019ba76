package bot

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/comune-prato/cantieri/internal/projectdesign"
)

// robustnessKey maps a typed or submitted key onto a question code and whether it is the
// justification ("<code>.nota"). Typed keys may not contain dots, so "org-staff", "org_staff"
// and "org-staff-nota" are accepted as well as the form's "org.staff" and "org.staff.nota".
func robustnessKey(k string) (code string, note, ok bool) {
	k = strings.ToLower(k)
	for _, suffix := range []string{".nota", "-nota", "_nota", ".note", "-note", "_note"} {
		if base, found := strings.CutSuffix(k, suffix); found {
			k, note = base, true
			break
		}
	}
	for _, q := range projectdesign.Questions() {
		dash := strings.Replace(q.Code, ".", "-", 1)
		under := strings.Replace(q.Code, ".", "_", 1)
		if k == q.Code || k == dash || k == under {
			return q.Code, note, true
		}
	}
	return "", false, false
}

// robustnessFields declares a score (1–5) and a justification per question: "org.staff=4
// org.staff.nota=…" (the dash and underscore spellings are accepted too).
func robustnessFields() []Param {
	var out []Param
	for _, q := range projectdesign.Questions() {
		dash := strings.Replace(q.Code, ".", "-", 1)
		under := strings.Replace(q.Code, ".", "_", 1)
		out = append(out,
			Param{Name: W(q.Code, q.Code, dash, under), Kind: KindInt, Min: projectdesign.MinScore, Max: projectdesign.MaxScore,
				Label: q.Key, Hint: q.HintKey(), About: q.Key, Invalid: "robustness.error.bad_score"},
			Param{Name: W(q.Code+".nota", q.Code+".note", dash+"-nota", dash+"-note", under+"_nota", under+"_note"),
				Kind: KindText, MaxLen: projectdesign.MaxJustification, Label: "project.robustness.justification",
				About: q.Key, TooLong: "robustness.error.too_long"})
	}
	return out
}

// projectRobustness opens the robustness form, or stores the answers given.
func (b *Bot) projectRobustness(ctx context.Context, c *Call, p Project) (Reply, error) {
	if err := b.requireManage(ctx, c, p); err != nil {
		return Reply{}, err
	}
	if len(c.Args.Named) == 0 {
		return robustnessFormReply(c, p), nil
	}
	scores := map[string]int{}
	notes := map[string]string{}
	for _, k := range c.Args.AllKeys() {
		v := strings.TrimSpace(c.Args.Named[k])
		code, isNote, ok := robustnessKey(k)
		if !ok {
			return Reply{}, Errorf(EINVALID, "robustness.error.unknown_question", "question", k)
		}
		if isNote {
			notes[code] = v
			continue
		}
		if v == "" {
			continue // a question left blank in the form: not answered yet
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return Reply{}, Errorf(EINVALID, "robustness.error.bad_score", "question", questionText(c, code))
		}
		scores[code] = n
	}
	var answers []projectdesign.Answer
	for _, q := range projectdesign.Questions() {
		if s, ok := scores[q.Code]; ok {
			answers = append(answers, projectdesign.Answer{Code: q.Code, Score: s, Justification: notes[q.Code]})
		}
	}
	for code := range notes {
		if _, ok := scores[code]; !ok && notes[code] != "" {
			return Reply{}, Errorf(EINVALID, "project.robustness.note_without_score", "question", questionText(c, code))
		}
	}
	if len(answers) == 0 {
		return Reply{}, Errorf(EINVALID, "project.robustness.no_answers")
	}
	if _, err := projectdesign.Assess(answers); err != nil {
		var ae *projectdesign.AnswerError
		if errors.As(err, &ae) {
			return Reply{}, Errorf(EINVALID, ae.MessageKey(), "question", questionText(c, ae.Code), "max", projectdesign.MaxJustification)
		}
		return Reply{}, fmt.Errorf("assess: %w", err)
	}
	stored := make([]AssessmentAnswer, len(answers))
	for i, a := range answers {
		stored[i] = AssessmentAnswer{Question: a.Code, Score: a.Score, Justification: strings.TrimSpace(a.Justification)}
	}
	if err := ValidateAssessment(stored); err != nil {
		return Reply{}, err
	}
	version, err := b.projects.AddAssessment(ctx, p.ID, c.Caller.ID, stored)
	if err != nil {
		return Reply{}, fmt.Errorf("add assessment: %w", err)
	}
	np, err := b.loadProject(ctx, p.ID)
	if err != nil {
		return Reply{}, err
	}
	return Reply{
		Title:    c.T("project.card_title", "id", np.ID, "title", np.Title),
		Text:     c.T("project.robustness.saved", "version", version),
		Sections: []Section{robustnessSection(c, np)},
		Choices: []Choice{
			{Label: c.T("project.button.show"), Command: fmt.Sprintf("%s %d", projectWord, np.ID)},
			{Label: c.T("project.button.robustness"), Command: fmt.Sprintf("%s %d robustezza", projectWord, np.ID)},
		},
	}, nil
}

func questionText(c *Call, code string) string {
	if q, ok := projectdesign.Lookup(code); ok {
		return c.T(q.Key)
	}
	return code
}

// robustnessFormReply asks the 12 questions, prefilled with the latest assessment.
func robustnessFormReply(c *Call, p Project) Reply {
	values := map[string]string{}
	if n := len(p.Assessments); n > 0 {
		for _, a := range p.Assessments[n-1].Answers {
			values[a.Question] = strconv.Itoa(a.Score)
			values[a.Question+".nota"] = a.Justification
		}
	}
	return Reply{
		Text: c.T("project.robustness.form_intro", "title", p.Title),
		Form: &Form{
			ID:          "robustness",
			Title:       c.T("project.robustness.form_title"),
			SubmitLabel: c.T("form.save"),
			Submit:      fmt.Sprintf("%s %d robustezza", projectWord, p.ID),
			Fields:      formFields(c, robustnessFields(), values),
		},
	}
}
