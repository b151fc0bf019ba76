package bot

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/projectdesign"
)

// indicatorKeys maps accepted keys onto canonical indicator fields.
var indicatorKeys = map[string]string{
	"tipo": "kind", "kind": "kind", "type": "kind",
	"nome": "name", "name": "name",
	"unita": "unit", "unità": "unit", "unit": "unit",
	"base": "baseline", "baseline": "baseline",
	"obiettivo": "target", "target": "target",
	"direzione": "direction", "direction": "direction",
}

// projectIndicators lists indicators, adds one, or records a measurement.
func (b *Bot) projectIndicators(ctx context.Context, c *Call, p Project) (Reply, error) {
	args := c.Args.Positional[2:]
	if len(args) == 0 {
		if len(c.Args.Named) > 0 {
			return Reply{}, Errorf(EINVALID, "project.bad_arg", "arg", c.Args.AllKeys()[0])
		}
		id := strconv.FormatInt(p.ID, 10)
		r := Reply{
			Title:    c.T("project.card_title", "id", p.ID, "title", p.Title),
			Sections: []Section{indicatorsSection(c, p)},
			Text:     c.T("project.indicators.howto", "id", id),
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
	switch strings.ToLower(args[0]) {
	case "nuovo", "new", "aggiungi", "add":
		return b.indicatorNew(ctx, c, p)
	case "misura", "measure", "valore", "value":
		if len(args) < 2 {
			return Reply{}, Errorf(EINVALID, "project.indicator.which")
		}
		return b.indicatorMeasure(ctx, c, p, args[1])
	default:
		return Reply{}, Errorf(EINVALID, "project.bad_arg", "arg", args[0])
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
	vals := map[string]string{}
	for _, k := range c.Args.AllKeys() {
		canon, ok := indicatorKeys[k]
		if !ok {
			return Reply{}, Errorf(EINVALID, "project.indicator.unknown_key", "key", k)
		}
		if _, dup := vals[canon]; dup {
			return Reply{}, Errorf(EINVALID, "error.kv_duplicate", "key", k)
		}
		vals[canon] = strings.TrimSpace(c.Args.Named[k])
	}
	name := strings.Join(strings.Fields(vals["name"]), " ")
	if name == "" {
		return Reply{}, Errorf(EINVALID, "project.indicator.name_required")
	}
	if utf8.RuneCountInString(name) > 200 {
		return Reply{}, Errorf(EINVALID, "project.error.indicator_name", "max", 200)
	}
	if utf8.RuneCountInString(vals["unit"]) > 40 {
		return Reply{}, Errorf(EINVALID, "project.error.indicator_unit", "max", 40)
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
	switch strings.ToLower(direction) {
	case "su", "aumentare", "crescere":
		direction = string(projectdesign.Up)
	case "giu", "giù", "diminuire", "calare":
		direction = string(projectdesign.Down)
	}
	if err := projectdesign.ValidateIndicator(vals["kind"], direction, nums["baseline"], nums["target"]); err != nil {
		var ie *projectdesign.IndicatorError
		if errors.As(err, &ie) {
			return Reply{}, Errorf(EINVALID, "project.indicator.error."+ie.Reason, "field", c.T("project.indicator.field."+ie.Field),
				"value", vals[ie.Field])
		}
		return Reply{}, fmt.Errorf("validate indicator: %w", err)
	}
	kind, _ := projectdesign.ParseKind(vals["kind"])
	dir, _ := projectdesign.ParseDirection(direction)
	ind, err := b.projects.AddIndicator(ctx, p.ID, Indicator{
		Kind: string(kind), Name: name, Unit: vals["unit"], Baseline: nums["baseline"], Target: nums["target"], Direction: string(dir),
	})
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
		case "valore", "value":
			n, ok := parseNumber(v)
			if !ok {
				return Reply{}, Errorf(EINVALID, "project.indicator.bad_number", "field", c.T("project.indicator.field.value"), "value", v)
			}
			m.Value, hasValue = n, true
		case "data", "date":
			d, ok := parseDate(v)
			if !ok {
				return Reply{}, Errorf(EINVALID, "project.bad_date", "field", k, "value", v)
			}
			m.On = d
		case "nota", "note":
			if utf8.RuneCountInString(v) > 300 {
				return Reply{}, Errorf(EINVALID, "project.error.note_too_long", "max", 300)
			}
			m.Note = v
		default:
			return Reply{}, Errorf(EINVALID, "project.indicator.unknown_key", "key", k)
		}
	}
	if !hasValue {
		return Reply{}, Errorf(EINVALID, "project.indicator.missing", "field", c.T("project.indicator.field.value"))
	}
	if err := b.projects.RecordMeasurement(ctx, p.ID, ind.ID, c.Caller.ID, m); err != nil {
		return Reply{}, fmt.Errorf("record measurement: %w", err)
	}
	np, err := b.loadProject(ctx, p.ID)
	if err != nil {
		return Reply{}, err
	}
	return Reply{
		Title:    c.T("project.card_title", "id", np.ID, "title", np.Title),
		Text:     c.T("project.indicator.measured", "name", ind.Name, "date", dateText(c, &m.On)),
		Sections: []Section{indicatorsSection(c, np)},
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
			Fields: []FormField{
				{Name: "tipo", Label: c.T("project.indicator.field.kind"), Kind: FieldSelect, Required: true, Value: string(projectdesign.Output),
					Options: []Option{
						{Value: string(projectdesign.Output), Label: c.T("project.indicator.kind.output")},
						{Value: string(projectdesign.Outcome), Label: c.T("project.indicator.kind.outcome")},
					}},
				{Name: "nome", Label: c.T("project.indicator.field.name"), Kind: FieldText, Required: true, MaxLength: 200},
				{Name: "unita", Label: c.T("project.indicator.field.unit"), Kind: FieldText, MaxLength: 40},
				{Name: "base", Label: c.T("project.indicator.field.baseline"), Kind: FieldText, Required: true, MaxLength: 30},
				{Name: "obiettivo", Label: c.T("project.indicator.field.target"), Kind: FieldText, Required: true, MaxLength: 30},
				{Name: "direzione", Label: c.T("project.indicator.field.direction"), Kind: FieldSelect, Required: true, Value: string(projectdesign.Up),
					Options: []Option{
						{Value: string(projectdesign.Up), Label: c.T("project.indicator.direction.up")},
						{Value: string(projectdesign.Down), Label: c.T("project.indicator.direction.down")},
					}},
			},
		},
	}
}
