package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/comune-prato/cantieri/internal/projectdesign"
)

// indicatorFields are the fields of a new indicator, typed or entered in the form.
var indicatorFields = []Param{
	{Name: W("tipo", "kind", "type"), Kind: KindChoice, Invalid: "project.indicator.error.unknown_kind", Values: []Words{W("output", "output"), W("outcome", "outcome")},
		ValueLabel: "project.indicator.kind.", Label: "project.indicator.field.kind"},
	{Name: W("nome", "name"), Kind: KindText, MaxLen: MaxIndicatorName, Required: true, Label: "project.indicator.field.name"},
	{Name: W("unita", "unit", "unità"), Kind: KindText, MaxLen: MaxIndicatorUnit, Label: "project.indicator.field.unit"},
	{Name: W("base", "baseline"), Kind: KindNumber, MaxLen: 30, Required: true, Label: "project.indicator.field.baseline"},
	{Name: W("obiettivo", "target"), Kind: KindNumber, MaxLen: 30, Required: true, Label: "project.indicator.field.target"},
	{Name: W("direzione", "direction"), Kind: KindChoice, Invalid: "project.indicator.error.unknown_direction", ValueLabel: "project.indicator.direction.", Label: "project.indicator.field.direction",
		Values: []Words{W("up", "up", "su", "aumentare", "crescere"), W("down", "down", "giu", "giù", "diminuire", "calare")}},
}

// projectIndicators lists indicators, adds one, or records a measurement.
func (b *Bot) projectIndicators(ctx context.Context, c *Call, p Project) (Reply, error) {
	{
		id := strconv.FormatInt(p.ID, 10)
		section, howto := indicatorsSection(c, p), c.T("project.indicators.howto", "id", id)
		if evaluated(p) {
			section, howto = resultsSection(c, p), howto+"\n"+c.T("evaluation.finals_howto", "id", id)
		}
		r := Reply{
			Title:    c.T("project.card_title", "id", p.ID, "title", p.Title),
			Sections: []Section{section},
			Text:     howto,
		}
		manage, err := b.canManage(ctx, c, p)
		if err != nil {
			return Reply{}, err
		}
		if manage {
			r.Choices = append(r.Choices, Choice{Label: c.T("project.button.new_indicator"),
				Command: projectWord + " " + id + " indicatori nuovo", Style: StylePrimary})
		}
		r.Choices = append(r.Choices, Choice{Label: c.T("project.button.show"), Command: projectWord + " " + id})
		return r, nil
	}
}

// parseNumber reads 3.5 or 3,5.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func (b *Bot) indicatorNew(ctx context.Context, c *Call, p Project) (Reply, error) {
	if err := b.requireManage(ctx, c, p); err != nil {
		return Reply{}, err
	}
	if len(c.Args.Named) == 0 {
		return indicatorFormReply(c, p), nil
	}
	// The store's and the engine's names for the fields the grammar has checked.
	vals := map[string]string{}
	for key, canon := range map[string]string{"tipo": "kind", "nome": "name", "unita": "unit", "base": "baseline",
		"obiettivo": "target", "direzione": "direction"} {
		if v, ok := c.Args.Named[key]; ok {
			vals[canon] = strings.TrimSpace(v)
		}
	}
	name := strings.Join(strings.Fields(vals["name"]), " ")
	if name == "" {
		return Reply{}, Errorf(EINVALID, "project.indicator.name_required")
	}
	nums := map[string]float64{}
	for _, f := range []string{"baseline", "target"} {
		v, ok := vals[f]
		if !ok || v == "" {
			return Reply{}, Errorf(EINVALID, "project.indicator.missing", "field", c.T("project.indicator.field."+f))
		}
		n, ok := parseNumber(v)
		if !ok {
			return Reply{}, Errorf(EINVALID, "project.indicator.bad_number", "field", c.T("project.indicator.field."+f), "value", v)
		}
		nums[f] = n
	}
	direction := vals["direction"]
	if direction == "" {
		direction = string(projectdesign.Up)
		if nums["target"] < nums["baseline"] {
			direction = string(projectdesign.Down)
		}
	}
	if err := projectdesign.ValidateIndicator(vals["kind"], direction, nums["baseline"], nums["target"]); err != nil {
		var ie *projectdesign.IndicatorError
		if errors.As(err, &ie) {
			return Reply{}, Errorf(EINVALID, "project.indicator.error."+ie.Reason, "field", c.T("project.indicator.field."+ie.Field),
				"value", vals[ie.Field], "decimals", projectdesign.MaxDecimals)
		}
		return Reply{}, fmt.Errorf("validate indicator: %w", err)
	}
	kind, _ := projectdesign.ParseKind(vals["kind"])
	dir, _ := projectdesign.ParseDirection(direction)
	ind := Indicator{Kind: string(kind), Name: name, Unit: vals["unit"], Baseline: nums["baseline"], Target: nums["target"], Direction: string(dir)}
	if err := ind.Validate(); err != nil {
		return Reply{}, err
	}
	ind, err := b.projects.AddIndicator(ctx, p.ID, ind)
	if err != nil {
		return Reply{}, fmt.Errorf("add indicator: %w", err)
	}
	np, err := b.loadProject(ctx, p.ID)
	if err != nil {
		return Reply{}, err
	}
	return Reply{
		Title:    c.T("project.card_title", "id", np.ID, "title", np.Title),
		Text:     c.T("project.indicator.added", "id", ind.ID, "name", ind.Name, "project", np.ID),
		Sections: []Section{indicatorsSection(c, np)},
		Choices:  []Choice{{Label: c.T("project.button.show"), Command: fmt.Sprintf("%s %d", projectWord, np.ID)}},
	}, nil
}

func (b *Bot) indicatorMeasure(ctx context.Context, c *Call, p Project, which string) (Reply, error) {
	if err := b.requireManage(ctx, c, p); err != nil {
		return Reply{}, err
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(which, "#"), 10, 64)
	var ind *Indicator
	for i := range p.Indicators {
		if err == nil && p.Indicators[i].ID == id {
			ind = &p.Indicators[i]
		}
	}
	if ind == nil {
		return Reply{}, Errorf(ENOTFOUND, "project.indicator.not_found", "indicator", which, "id", p.ID)
	}
	m := Measurement{On: truncateDay(b.now())}
	hasValue := false
	for _, k := range c.Args.AllKeys() {
		v := strings.TrimSpace(c.Args.Named[k])
		switch k {
		case "valore":
			n, ok := parseNumber(v)
			if !ok {
				return Reply{}, Errorf(EINVALID, "project.indicator.bad_number", "field", c.T("project.indicator.field.value"), "value", v)
			}
			if !projectdesign.ValidValue(n) {
				return Reply{}, Errorf(EINVALID, "project.indicator.error."+projectdesign.ReasonOutOfRange,
					"field", c.T("project.indicator.field.value"), "value", v, "decimals", projectdesign.MaxDecimals)
			}
			m.Value, hasValue = n, true
		case "data":
			d, ok := parseDate(v)
			if !ok {
				return Reply{}, Errorf(EINVALID, "project.bad_date", "field", k, "value", v)
			}
			m.On = d
		case "nota":
			m.Note = v
		case "finale":
			m.Final = v == "sì"
		}
	}
	if m.Final && !evaluated(p) {
		// A final value is the indicator's value at the close: before monitoraggio it would be
		// a forecast.
		return Reply{}, Errorf(EINVALID, "evaluation.error.final_too_early", "phase", c.T("phase."+string(p.Phase)))
	}
	if !hasValue {
		return Reply{}, Errorf(EINVALID, "project.indicator.missing", "field", c.T("project.indicator.field.value"))
	}
	if err := m.Validate(); err != nil {
		return Reply{}, err
	}
	if err := b.projects.RecordMeasurement(ctx, p.ID, ind.ID, c.Caller.ID, m); err != nil {
		return Reply{}, fmt.Errorf("record measurement: %w", err)
	}
	np, err := b.loadProject(ctx, p.ID)
	if err != nil {
		return Reply{}, err
	}
	text := c.T("project.indicator.measured", "name", ind.Name, "date", dateText(c, &m.On))
	section := indicatorsSection(c, np)
	if evaluated(np) {
		section = resultsSection(c, np)
	}
	if m.Final {
		text = c.T("evaluation.final_recorded", "name", ind.Name, "date", dateText(c, &m.On))
		if missing := missingFinals(np); len(missing) > 0 {
			text += " " + c.T("evaluation.finals_left", "n", len(missing), "names", strings.Join(missing, ", "))
		} else {
			text += " " + c.T("evaluation.finals_complete")
		}
	}
	return Reply{
		Title:    c.T("project.card_title", "id", np.ID, "title", np.Title),
		Text:     text,
		Sections: []Section{section},
		Choices:  []Choice{{Label: c.T("project.button.show"), Command: fmt.Sprintf("%s %d", projectWord, np.ID)}},
	}, nil
}

func truncateDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func indicatorFormReply(c *Call, p Project) Reply {
	return Reply{
		Text: c.T("project.indicator.form_intro"),
		Form: &Form{
			ID:          "indicator",
			Title:       c.T("project.indicator.form_title"),
			SubmitLabel: c.T("form.save"),
			Submit:      fmt.Sprintf("%s %d indicatori nuovo", projectWord, p.ID),
			Fields: formFields(c, indicatorFields, map[string]string{"tipo": string(projectdesign.Output),
				"direzione": string(projectdesign.Up)}),
		},
	}
}
