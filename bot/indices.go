package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/indices"
)

// The conflict and awareness indices from the monthly pulse (definitions in internal/indices):
// `indici` shows them to dirigenti and admins, and a schedule tells a department's dirigenti
// privately when its conflict index worsened.

const indicesWord = "indici"

// Limits of the view.
const (
	// defaultIndicesMonths and maxIndicesMonths bound the months shown (mesi=N).
	defaultIndicesMonths = 3
	maxIndicesMonths     = 12
	// indicesLookback is how far back the view looks for closed pulses.
	indicesLookback = 24
	// maxIndicesDepartments keeps the view within a message (50 blocks: the title, the text,
	// the council, one section per department and a closing line).
	maxIndicesDepartments = 40
	// maxNoticeOffices bounds the offices a notice names.
	maxNoticeOffices = 8
)

// IndicesStore reads the pulse indices (internal/postgres.SurveyStore implements it).
type IndicesStore interface {
	// PulseIndices returns the indices of each month in q that has a pulse, oldest first,
	// with the k rule applied over every department (indices.Compute).
	PulseIndices(ctx context.Context, q indices.Query) ([]indices.MonthIndices, error)
	// IndicesScope lists the departments employeeID may see, by code: every one when all, else
	// those at or under the units they head as dirigente.
	IndicesScope(ctx context.Context, employeeID int64, all bool) ([]indices.Department, error)
}

func (b *Bot) indicesCommand() *Command {
	return &Command{
		Name:    indicesWord,
		EN:      "indices",
		Aliases: []string{"indice", "index"},
		Summary: "indices.summary",
		Role:    RoleManager,
		Private: true,
		Subs: []*Sub{{
			Summary:  "indices.sub.show",
			Examples: []string{"indici", "indici unita=A01-S02", "indici mesi=6"},
			Fields: []Param{
				{Name: W("unita", "unit", "unità"), Kind: KindWord, MaxLen: 40, Label: "indices.field.unit"},
				{Name: W("mesi", "months"), Kind: KindInt, Min: 1, Max: maxIndicesMonths, Label: "indices.field.months"},
			},
			Handler: b.showIndices,
		}},
	}
}

// showIndices shows the latest closed pulses' indices for the council and the departments in
// the caller's scope (admin: all; dirigente: those at or under the units they head). A unit
// outside the scope is refused with the same words as a unit that does not exist.
func (b *Bot) showIndices(ctx context.Context, c *Call) (Reply, error) {
	months := defaultIndicesMonths
	if v := c.Args.Named["mesi"]; v != "" {
		months, _ = strconv.Atoi(v) // the grammar has checked it
	}
	scope, err := b.indices.IndicesScope(ctx, c.Caller.ID, c.Caller.HasRole(RoleAdmin))
	if err != nil {
		return Reply{}, fmt.Errorf("indices scope: %w", err)
	}
	if code := strings.TrimSpace(c.Args.Named["unita"]); code != "" {
		var only []indices.Department
		for _, d := range scope {
			if strings.EqualFold(d.Code, code) {
				only = append(only, d)
			}
		}
		if len(only) == 0 {
			return Reply{}, Errorf(ENOTFOUND, "indices.unit_unknown", "code", code)
		}
		scope = only
	}
	now := indices.MonthOf(b.now().In(b.loc))
	all, err := b.indices.PulseIndices(ctx, indices.Query{From: now.Add(-indicesLookback), To: now, ClosedOnly: true})
	if err != nil {
		return Reply{}, fmt.Errorf("pulse indices: %w", err)
	}
	if len(all) > months {
		all = all[len(all)-months:]
	}
	r := Reply{Title: c.T("indices.title")}
	if len(all) == 0 {
		r.Text = c.T("indices.no_pulse")
		return r, nil
	}
	r.Text = c.T("indices.intro", "k", all[len(all)-1].K)
	lines := make([]string, 0, len(all))
	for _, m := range all {
		lines = append(lines, indicesLine(c, m.Month, m.Council))
	}
	r.Sections = append(r.Sections, Section{Title: c.T("indices.council"), Text: strings.Join(lines, "\n")})
	shown := scope
	if len(shown) > maxIndicesDepartments {
		shown = shown[:maxIndicesDepartments]
	}
	for _, d := range shown {
		lines = lines[:0]
		for _, m := range all {
			lines = append(lines, indicesLine(c, m.Month, m.Department(d.ID)))
		}
		r.Sections = append(r.Sections, Section{Title: c.T("indices.department", "code", d.Code, "name", d.Name),
			Text: strings.Join(lines, "\n")})
	}
	switch {
	case len(scope) > len(shown):
		r.Sections = append(r.Sections, Section{Text: c.T("indices.more", "n", len(scope)-len(shown))})
	case len(scope) == 0 && !c.Caller.HasRole(RoleAdmin):
		r.Sections = append(r.Sections, Section{Text: c.T("indices.no_departments")})
	}
	return r, nil
}

// indicesLine writes one month of one group: both indices and the respondents, or a dash and
// why.
func indicesLine(c *Call, m indices.Month, g indices.Group) string {
	if g.Conflict.Hidden && g.Awareness.Hidden && g.Conflict.Reason == g.Awareness.Reason && g.Conflict.Respondents == g.Awareness.Respondents {
		return c.T("indices.line_hidden", "month", monthText(c.Locale, m), "why", figureText(c, g.Conflict))
	}
	return c.T("indices.line", "month", monthText(c.Locale, m),
		"conflict", figureText(c, g.Conflict), "awareness", figureText(c, g.Awareness),
		"n", g.Respondents)
}

// figureText writes a figure: its value in whole points, or "—" and the reason.
func figureText(c *Call, f indices.Figure) string {
	switch {
	case !f.Hidden:
		return strconv.Itoa(indices.Round(f.Value))
	case f.Reason == indices.ReasonFewer:
		return c.T("indices.hidden.fewer", "n", f.Respondents)
	case f.Reason == indices.ReasonComplement:
		return c.T("indices.hidden.complement")
	}
	return c.T("indices.hidden.none")
}

// monthText writes a month in words: "maggio 2026", "May 2026".
func monthText(locale string, m indices.Month) string {
	return i18n.T(locale, "indices.month."+strconv.Itoa(int(m.Month))) + " " + strconv.Itoa(m.Year)
}

// ConflictWorsening is a department whose conflict index rose by at least the margin from
// one closed pulse to the one two months later, for the private notice to its dirigenti.
type ConflictWorsening struct {
	Department indices.Department
	// Before and Now are the months compared (Now is the latest closed pulse).
	Before, Now indices.Month
	// BeforeFigure and NowFigure are the department's conflict index in each, both shown
	// under the k rule.
	BeforeFigure, NowFigure indices.Figure
	// Awareness is the department's awareness index now (possibly hidden).
	Awareness indices.Figure
	// Margin is SURVEY_CONFLICT_MARGIN, in index points.
	Margin float64
	// Offices are the units directly under the department, for the suggested exchange round.
	Offices []string
	// Recipients are the department's dirigenti: the people who head the department unit,
	// or, when nobody heads it, the nearest unit above it that has a head.
	Recipients []PersonRef
}

// RefUnitHead is the NoticeRef kind of a message meant for a unit's dirigente: it is due while
// ref.People[0] still heads unit ID or a unit above it.
const RefUnitHead = "unit-head"

// ConflictNotices are the private messages telling each of w's recipients that the
// department's conflict index worsened: the figures, what they mean (the department as a
// whole, never a person), and what to do, with a button that starts an exchange programme
// across its offices. One per recipient, keyed by department, month and recipient.
func (b *Bot) ConflictNotices(w ConflictWorsening) []Notice {
	out := make([]Notice, 0, len(w.Recipients))
	for _, p := range w.Recipients {
		if p.Address() == "" {
			continue
		}
		c := b.callFor(p)
		dept := c.T("indices.department", "code", w.Department.Code, "name", w.Department.Name)
		text := c.T("indices.notice.text", "department", dept,
			"before_month", monthText(c.Locale, w.Before), "before", indices.Round(w.BeforeFigure.Value),
			"before_n", w.BeforeFigure.Respondents,
			"now_month", monthText(c.Locale, w.Now), "now", indices.Round(w.NowFigure.Value), "now_n", w.NowFigure.Respondents,
			"margin", indices.Round(w.Margin))
		text += "\n" + c.T("indices.notice.meaning")
		if !w.Awareness.Hidden {
			text += "\n" + c.T("indices.notice.awareness", "value", indices.Round(w.Awareness.Value))
		}
		var tips []string
		offices := w.Offices
		if len(offices) > maxNoticeOffices {
			offices = offices[:maxNoticeOffices]
		}
		if len(offices) > 0 {
			tips = append(tips, c.T("indices.notice.tip.round_offices", "offices", strings.Join(offices, ", ")))
		} else {
			tips = append(tips, c.T("indices.notice.tip.round"))
		}
		tips = append(tips, c.T("indices.notice.tip.listen"), c.T("indices.notice.tip.workload"), c.T("indices.notice.tip.follow"))
		ref := refTo(p)
		ref.Kind, ref.ID = RefUnitHead, w.Department.ID
		out = append(out, Notice{
			Key:     fmt.Sprintf("conflict-notice:%d:%s:%d", w.Department.ID, w.Now, p.ID),
			Channel: p.Address(),
			Reply: Reply{
				Title: c.T("indices.notice.title", "department", w.Department.Name),
				Text:  text,
				Sections: []Section{{Title: c.T("indices.notice.tips"), Text: "• " + strings.Join(tips, "\n• ")},
					{Text: c.T("indices.notice.private")}},
				Choices: []Choice{
					{Label: c.T("indices.notice.button.programme"), Command: meetWord + " nuovo", Style: StylePrimary},
					{Label: c.T("indices.notice.button.indices"), Command: indicesWord + " unita=" + w.Department.Code},
				},
				Private: true,
				Locale:  c.Locale,
			},
			Ref: ref,
		})
	}
	return out
}
