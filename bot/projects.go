package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Project command words (the limits are in validate.go).
const (
	projectWord  = "progetto"
	projectsWord = "progetti"
	projectForm  = "project"
)

// projectFields are the fields of a project, typed as key=value or entered in the form;
// creating marks the ones a new project needs.
func projectFields(creating bool) []Param {
	return []Param{
		{Name: W("titolo", "title"), Kind: KindText, MaxLen: MaxProjectTitle, Required: creating, Label: "project.field.title"},
		{Name: W("descrizione", "description"), Kind: KindText, MaxLen: MaxProjectDescription, Multiline: true, Label: "project.field.description"},
		{Name: W("obiettivi", "objectives", "obiettivo", "objective"), Kind: KindList, MaxLen: 500, Required: creating,
			Label: "project.field.objectives", Hint: "project.hint.objectives"},
		{Name: W("unita", "units", "unità", "unit"), Kind: KindList, MaxLen: 500, Label: "project.field.units", Hint: "project.hint.units"},
		{Name: W("competenze", "skills"), Kind: KindList, MaxLen: 1000, Label: "project.field.skills", Hint: "project.hint.skills"},
		{Name: W("squadra", "team"), Kind: KindInt, Min: MinTeamSize, Max: MaxTeamSize, Label: "project.field.team_size",
			Invalid: "project.error.bad_team_size"},
		{Name: W("budget", "budget"), Kind: KindText, MaxLen: 30, Label: "project.field.budget", Hint: "project.hint.budget"},
		{Name: W("finanziamento", "funding"), Kind: KindText, MaxLen: MaxFundingSource, Label: "project.field.funding"},
		{Name: W("inizio", "start"), Kind: KindDate, MaxLen: 10, Label: "project.field.start", Hint: "project.hint.date"},
		{Name: W("fine", "end"), Kind: KindDate, MaxLen: 10, Label: "project.field.end", Hint: "project.hint.date"},
	}
}

// phaseValues are the lifecycle's phases in both languages.
var phaseValues = []Words{
	W("ideazione", "ideation"), W("progettazione", "design"), W("realizzazione", "delivery"),
	W("monitoraggio", "monitoring"), W("concluso", "closed"), W("sospeso", "suspended"),
	W("annullato", "cancelled", "canceled"),
}

func (b *Bot) projectCommand() *Command {
	measure := []Param{
		{Name: W("valore", "value"), Kind: KindNumber, MaxLen: 30, Required: true, Label: "project.indicator.field.value"},
		{Name: W("data", "date"), Kind: KindDate, MaxLen: 10, Label: "project.field.date"},
		{Name: W("nota", "note"), Kind: KindText, MaxLen: MaxMeasurementNote, Label: "project.field.note"},
		{Name: W("finale", "final"), Kind: KindBool, Label: "evaluation.field.final", Hint: "evaluation.hint.final"},
	}
	cmd := &Command{
		Name:    projectWord,
		EN:      "project",
		Summary: "project.summary",
		Subs: []*Sub{
			{Words: W("nuovo", "new", "crea", "create"), Fields: projectFields(true), Role: RoleCoordinator,
				Summary: "project.sub.new",
				Examples: []string{"progetto nuovo",
					`progetto nuovo titolo="Sportello unico" obiettivi=DUP-1.2 competenze=gis:2x2,appalti:1 squadra=5 budget=12500,50 inizio=2026-01-15 fine=2026-12-31`},
				Handler: b.projectNew},
			{OnID: true, Summary: "project.sub.card", Examples: []string{"progetto 12"},
				Handler: b.onProject(func(ctx context.Context, c *Call, p Project) (Reply, error) {
					manage, err := b.canManage(ctx, c, p)
					if err != nil {
						return Reply{}, err
					}
					return b.fullProjectCard(ctx, c, p, "", manage)
				})},
			{OnID: true, Words: W("modifica", "edit"), Fields: projectFields(false), Summary: "project.sub.edit",
				Examples: []string{"progetto 12 modifica", "progetto 12 modifica fine=2027-03-31"},
				Handler:  b.onProject(b.projectEdit)},
			{OnID: true, Words: W("fase", "phase"), Summary: "project.sub.phase",
				Args: []Param{{Name: W("FASE", "PHASE"), Kind: KindChoice, Values: phaseValues},
					{Name: W("NOTA", "NOTE"), Kind: KindText, Rest: true}},
				Fields: []Param{{Name: W("nota", "note"), Kind: KindText, MaxLen: MaxPhaseNote, Label: "project.field.note"},
					{Name: W("forza", "override", "force"), Kind: KindText, MaxLen: MaxPhaseNote, Label: "project.field.override"}},
				Examples: []string{"progetto 12 fase", "progetto 12 fase progettazione"},
				Handler:  b.onProject(b.projectPhase)},
			{OnID: true, Words: W("robustezza", "robustness"), Fields: robustnessFields(), Summary: "project.sub.robustness",
				UnknownField: "robustness.error.unknown_question",
				Examples:     []string{"progetto 12 robustezza", `progetto 12 robustezza org.staff=4 org.staff.nota="due persone dedicate"`},
				Handler:      b.onProject(b.projectRobustness)},
			{OnID: true, Words: W("indicatori", "indicators", "indicatore", "indicator"), Summary: "project.sub.indicators",
				Examples: []string{"progetto 12 indicatori"}, Handler: b.onProject(b.projectIndicators)},
			{OnID: true, Words: W("indicatori nuovo", "indicators new", "indicatori aggiungi", "indicators add", "indicatore nuovo", "indicator new"),
				Summary: "project.sub.indicator_new", Fields: indicatorFields,
				Examples: []string{`progetto 12 indicatori nuovo tipo=output nome="Sportelli aperti" unita=n base=0 obiettivo=4 direzione=up`},
				Handler:  b.onProject(b.indicatorNew)},
			{OnID: true, Words: W("indicatori misura", "indicators measure", "indicatore misura", "indicator measure"),
				Summary: "project.sub.indicator_measure", Args: []Param{{Name: W("N", "N"), Kind: KindID, Required: true}},
				Fields: measure, Examples: []string{"progetto 12 indicatori misura 1 valore=3 data=2026-09-30",
					"progetto 12 indicatori misura 1 valore=4 finale=sì"},
				Handler: b.onProject(func(ctx context.Context, c *Call, p Project) (Reply, error) {
					return b.indicatorMeasure(ctx, c, p, c.Param("N"))
				})},
		},
	}
	cmd.Subs = append(cmd.Subs, b.evaluatorsSubs()...)
	return cmd
}

// onProject loads the project whose id precedes the sub-command, then runs fn.
func (b *Bot) onProject(fn func(ctx context.Context, c *Call, p Project) (Reply, error)) HandlerFunc {
	return func(ctx context.Context, c *Call) (Reply, error) {
		p, err := b.loadProject(ctx, c.ID)
		if err != nil {
			return Reply{}, err
		}
		return fn(ctx, c, p)
	}
}

// loadProject loads a project, with a clear reply when there is none.
func (b *Bot) loadProject(ctx context.Context, id int64) (Project, error) {
	p, err := b.projects.Project(ctx, id)
	if ErrorCode(err) == ENOTFOUND {
		return Project{}, Errorf(ENOTFOUND, "project.not_found", "id", id)
	}
	if err != nil {
		return Project{}, fmt.Errorf("load project %d: %w", id, err)
	}
	return p, nil
}

// canManage reports whether the caller may change p: its coordinator, an admin, or a dirigente
// of an involved unit (or of a unit above one).
func (b *Bot) canManage(ctx context.Context, c *Call, p Project) (bool, error) {
	if p.Coordinator != nil && p.Coordinator.ID == c.Caller.ID {
		return true, nil
	}
	if c.Caller.HasRole(RoleAdmin) {
		return true, nil
	}
	if !c.Caller.HasRole(RoleManager) {
		return false, nil
	}
	ok, err := b.projects.ManagesProject(ctx, c.Caller.ID, p.ID)
	if err != nil {
		return false, fmt.Errorf("manages project: %w", err)
	}
	return ok, nil
}

func (b *Bot) requireManage(ctx context.Context, c *Call, p Project) error {
	ok, err := b.canManage(ctx, c, p)
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(EFORBIDDEN, "project.forbidden", "id", p.ID, "title", p.Title)
	}
	return nil
}

func (b *Bot) projectNew(ctx context.Context, c *Call) (Reply, error) {
	if len(c.Args.Named) == 0 {
		return projectFormReply(c, nil), nil
	}
	catalogue, err := b.store.Skills(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("skills catalogue: %w", err)
	}
	in, err := parseProjectInput(c.Args, catalogue, nil)
	if err != nil {
		return Reply{}, err
	}
	coord := c.Caller.ID
	in.CoordinatorID = &coord
	if err := in.Validate(nil); err != nil {
		return Reply{}, err
	}
	p, err := b.projects.CreateProject(ctx, c.Caller.ID, in)
	if err != nil {
		return Reply{}, fmt.Errorf("create project: %w", err)
	}
	return projectCard(c, p, c.T("project.created", "id", p.ID), true), nil
}

func (b *Bot) projectEdit(ctx context.Context, c *Call, p Project) (Reply, error) {
	if err := b.requireManage(ctx, c, p); err != nil {
		return Reply{}, err
	}
	if len(c.Args.Named) == 0 {
		return projectFormReply(c, &p), nil
	}
	catalogue, err := b.store.Skills(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("skills catalogue: %w", err)
	}
	in, err := parseProjectInput(c.Args, catalogue, &p)
	if err != nil {
		return Reply{}, err
	}
	if err := in.Validate(&p); err != nil {
		return Reply{}, err
	}
	np, err := b.projects.UpdateProject(ctx, c.Caller.ID, p.ID, in)
	if err != nil {
		return Reply{}, fmt.Errorf("update project: %w", err)
	}
	return b.fullProjectCard(ctx, c, np, c.T("project.updated"), true)
}

// parseProjectInput validates key=value arguments (or form values). With old nil it builds a
// new project (title and an objective required); otherwise an edit of old, where a field not
// given stays as it is and an empty one is cleared where that makes sense.
func parseProjectInput(a Args, catalogue []Skill, old *Project) (ProjectInput, error) {
	var in ProjectInput
	creating := old == nil
	// The grammar has checked the keys (canonical, each once), the lengths and the team size.
	seen := map[string]bool{}
	for _, k := range a.AllKeys() {
		v := strings.TrimSpace(a.Named[k])
		canon := k
		seen[canon] = true
		switch canon {
		case "titolo":
			v = strings.Join(strings.Fields(v), " ")
			if v == "" {
				return in, Errorf(EINVALID, "project.error.title", "field", k)
			}
			if utf8.RuneCountInString(v) > MaxProjectTitle {
				return in, Errorf(EINVALID, "project.error.title", "field", k)
			}
			in.Title = &v
		case "descrizione":
			if utf8.RuneCountInString(v) > MaxProjectDescription {
				return in, Errorf(EINVALID, "project.error.description_too_long", "max", MaxProjectDescription)
			}
			in.Description = &v
		case "finanziamento":
			if utf8.RuneCountInString(v) > MaxFundingSource {
				return in, Errorf(EINVALID, "project.error.funding_too_long", "max", MaxFundingSource)
			}
			in.FundingSource = &v
		case "obiettivi":
			codes := splitList(v)
			if len(codes) == 0 {
				return in, Errorf(EINVALID, "project.error.no_objective", "field", k)
			}
			in.ObjectiveCodes = codes
		case "unita":
			in.UnitCodes = splitList(v)
			if in.UnitCodes == nil {
				in.UnitCodes = []string{}
			}
		case "competenze":
			skills, err := parseSkillNeeds(v, catalogue)
			if err != nil {
				return in, err
			}
			in.Skills = skills
		case "squadra":
			if v == "" {
				continue // a form's empty field: not given
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < MinTeamSize || n > MaxTeamSize {
				return in, Errorf(EINVALID, "project.error.bad_team_size", "value", v, "min", MinTeamSize, "max", MaxTeamSize)
			}
			in.TeamSize = &n
		case "budget":
			if v == "" {
				if !creating {
					zero := int64(0)
					in.BudgetCents = &zero
				}
				continue
			}
			if rest, neg := strings.CutPrefix(v, "-"); neg {
				if _, ok := parseEuros(rest); ok {
					return in, Errorf(EINVALID, "project.error.bad_budget", "value", v)
				}
			}
			cents, ok := parseEuros(v)
			if !ok {
				return in, Errorf(EINVALID, "project.bad_budget", "field", k, "value", v)
			}
			in.BudgetCents = &cents
		case "inizio", "fine":
			if v == "" {
				continue // not given (a planned date, once set, is changed rather than cleared)
			}
			t, ok := parseDate(v)
			if !ok {
				return in, Errorf(EINVALID, "project.bad_date", "field", k, "value", v)
			}
			d := &t
			if canon == "inizio" {
				in.PlannedStart = d
			} else {
				in.PlannedEnd = d
			}
		}
	}
	// A new project's team holds at least its largest skill need (one person may cover
	// several skills); the limits and the cross-field rules are Validate's.
	if creating && in.TeamSize == nil {
		need := 0
		for _, s := range in.Skills {
			need = max(need, s.Count)
		}
		n := max(DefaultTeamSize, need)
		in.TeamSize = &n
	}
	return in, nil
}

// splitList splits "a, b ,c" into trimmed non-empty items, without repeats.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// parseSkillNeeds reads "gis:2x2, appalti:1, bilancio": code, minimum level (1 when omitted)
// and how many people (1 when omitted).
func parseSkillNeeds(v string, catalogue []Skill) ([]SkillNeedInput, error) {
	out := []SkillNeedInput{}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, rest, hasLevel := strings.Cut(item, ":")
		name = strings.ToLower(strings.Join(strings.Fields(name), " "))
		level, count := LevelBase, 1
		if hasLevel {
			lv, cnt, hasCount := strings.Cut(strings.ToLower(strings.TrimSpace(rest)), "x")
			n, err := strconv.Atoi(strings.TrimSpace(lv))
			if err != nil || n < LevelBase || n > LevelExpert {
				return nil, Errorf(EINVALID, "project.error.bad_level", "code", name, "value", strings.TrimSpace(lv))
			}
			level = n
			if hasCount {
				m, err := strconv.Atoi(strings.TrimSpace(cnt))
				if err != nil || m < 1 || m > MaxSkillNeedCount {
					return nil, Errorf(EINVALID, "project.error.bad_count", "code", name, "value", strings.TrimSpace(cnt), "max", MaxSkillNeedCount)
				}
				count = m
			}
		}
		sk, err := catalogueSkill(catalogue, name, "project.unknown_skill_suggest",
			Errorf(EINVALID, "project.error.unknown_skill", "code", name))
		if err != nil {
			return nil, err
		}
		dup := false
		for i := range out {
			if out[i].Code == sk.Code {
				out[i].MinLevel, out[i].Count, dup = level, count, true
			}
		}
		if !dup {
			out = append(out, SkillNeedInput{Code: sk.Code, MinLevel: level, Count: count})
		}
	}
	return out, nil
}

// parseEuros reads an amount in euros into cents, with an Italian or English decimal
// separator: "12500", "12500,50", "12500.5", "12.500,50", "12,500.50", "€ 1.000.000". The rule,
// which project.bad_budget states: a comma or point followed by one or two digits at the end
// is the decimal separator; the other sign may group the thousands, and then every group after
// the first has exactly three digits ("1.2,3" is refused, not read as 12,30). A lone separator
// followed by three digits ("1.234", "12,505") could be either and is refused. Negative amounts,
// more than two decimals and anything that is not a number are refused.
func parseEuros(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "€")
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	intPart, frac := s, ""
	if i := strings.LastIndexAny(s, ".,"); i >= 0 && (len(s)-i-1 == 1 || len(s)-i-1 == 2) {
		intPart, frac = s[:i], s[i+1:]
		if strings.IndexByte(intPart, s[i]) >= 0 {
			return 0, false // the decimal sign twice
		}
	}
	if i := strings.IndexAny(intPart, ".,"); i >= 0 {
		sep := intPart[i : i+1]
		groups := strings.Split(intPart, sep)
		if strings.ContainsAny(intPart, strings.Trim(".,", sep)) || (len(groups) == 2 && frac == "") {
			return 0, false // both signs in the whole part, or a lone "1.234"
		}
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" || len(intPart) > 13 {
		return 0, false
	}
	for _, r := range intPart + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	euros, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, false
	}
	cents := int64(0)
	if frac != "" {
		cents, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			cents *= 10
		}
	}
	total := euros*100 + cents
	if total > MaxBudgetCents {
		return 0, false
	}
	return total, true
}

// parseDate reads 2026-01-15 or 15/01/2026 (also 15-01-2026, 15.01.2026).
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006", "02-01-2006", "02.01.2006"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// projectFormReply asks for a project's fields; p prefills an edit.
func projectFormReply(c *Call, p *Project) Reply {
	f := &Form{
		ID:          projectForm,
		Title:       c.T("project.form_title_new"),
		SubmitLabel: c.T("form.save"),
		Submit:      projectWord + " nuovo",
	}
	var v struct{ title, desc, objectives, units, skills, team, budget, funding, start, end string }
	if p != nil {
		f.Title = c.T("project.form_title_edit")
		f.Submit = fmt.Sprintf("%s %d modifica", projectWord, p.ID)
		v.title, v.desc, v.funding = p.Title, p.Description, p.FundingSource
		codes := make([]string, len(p.Objectives))
		for i, o := range p.Objectives {
			codes[i] = o.Code
		}
		v.objectives = strings.Join(codes, ", ")
		units := make([]string, len(p.Units))
		for i, u := range p.Units {
			units[i] = u.Code
		}
		v.units = strings.Join(units, ", ")
		skills := make([]string, len(p.Skills))
		for i, s := range p.Skills {
			skills[i] = fmt.Sprintf("%s:%dx%d", s.Code, s.MinLevel, s.Count)
		}
		v.skills = strings.Join(skills, ", ")
		v.team = strconv.Itoa(p.TeamSize)
		if p.BudgetCents > 0 {
			v.budget = plainEuros(p.BudgetCents)
		}
		if p.PlannedStart != nil {
			v.start = p.PlannedStart.Format(time.DateOnly)
		}
		if p.PlannedEnd != nil {
			v.end = p.PlannedEnd.Format(time.DateOnly)
		}
	}
	values := map[string]string{"titolo": v.title, "descrizione": v.desc, "obiettivi": v.objectives, "unita": v.units,
		"competenze": v.skills, "squadra": v.team, "budget": v.budget, "finanziamento": v.funding, "inizio": v.start, "fine": v.end}
	f.Fields = formFields(c, projectFields(p == nil), values)
	return Reply{Text: c.T("project.form_intro"), Form: f}
}

// errIs reports whether err is a user-facing *Error with key.
func errIs(err error, key string) bool {
	var e *Error
	return errors.As(err, &e) && e.Key == key
}
