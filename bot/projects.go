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

// Project command words and limits.
const (
	projectWord       = "progetto"
	projectsWord      = "progetti"
	projectForm       = "project"
	maxTitleLen       = 200
	maxDescriptionLen = 3000
	maxFundingLen     = 200
	maxTeamSize       = 30
	maxSkillCount     = 30
	// maxBudgetCents bounds a budget (100 billion euros) so that parsing never overflows.
	maxBudgetCents = int64(100_000_000_000_00)
)

// projectKeys maps every accepted key (Italian and English) to its canonical name.
var projectKeys = map[string]string{
	"titolo": "titolo", "title": "titolo",
	"descrizione": "descrizione", "description": "descrizione",
	"obiettivi": "obiettivi", "obiettivo": "obiettivi", "objectives": "obiettivi", "objective": "obiettivi",
	"unita": "unita", "unità": "unita", "units": "unita", "unit": "unita",
	"competenze": "competenze", "skills": "competenze",
	"squadra": "squadra", "team": "squadra",
	"budget":        "budget",
	"finanziamento": "finanziamento", "funding": "finanziamento",
	"inizio": "inizio", "start": "inizio",
	"fine": "fine", "end": "fine",
}

func (b *Bot) projectCommand() *Command {
	return &Command{
		Name:    projectWord,
		Aliases: []string{"project"},
		Summary: "project.summary",
		Usage:   "project.usage",
		Examples: []string{
			"progetto nuovo",
			`progetto nuovo titolo="Sportello unico" obiettivi=DUP-1.2 competenze=gis:2x2,appalti:1 squadra=5 budget=12500,50 inizio=2026-01-15 fine=2026-12-31`,
			"progetto 12",
			"progetto 12 fase progettazione",
			"progetto 12 robustezza",
			`progetto 12 indicatori nuovo tipo=output nome="Sportelli aperti" unita=n base=0 obiettivo=4 direzione=up`,
		},
		Handler: b.project,
	}
}

func (b *Bot) project(ctx context.Context, c *Call) (Reply, error) {
	pos := c.Args.Positional
	if len(pos) == 0 {
		return b.commandHelp(c, c.Command), nil
	}
	switch strings.ToLower(pos[0]) {
	case "nuovo", "new", "crea", "create":
		return b.projectNew(ctx, c)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "#"), 10, 64)
	if err != nil || id <= 0 {
		return Reply{}, Errorf(EINVALID, "project.bad_arg", "arg", pos[0])
	}
	p, err := b.loadProject(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	if len(pos) == 1 {
		if len(c.Args.Named) > 0 {
			return Reply{}, Errorf(EINVALID, "project.bad_arg", "arg", c.Args.Keys()[0])
		}
		manage, err := b.canManage(ctx, c, p)
		if err != nil {
			return Reply{}, err
		}
		return projectCard(c, p, "", manage), nil
	}
	switch sub := strings.ToLower(pos[1]); sub {
	case "modifica", "edit":
		return b.projectEdit(ctx, c, p)
	case "fase", "phase":
		return b.projectPhase(ctx, c, p)
	case "robustezza", "robustness":
		return b.projectRobustness(ctx, c, p)
	case "indicatori", "indicatore", "indicators", "indicator":
		return b.projectIndicators(ctx, c, p)
	default:
		return Reply{}, Errorf(EINVALID, "project.bad_sub", "arg", pos[1], "id", id)
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
	if !RoleAllows(c.Caller.Roles, RoleCoordinator) {
		return Reply{}, Errorf(EFORBIDDEN, "error.forbidden", "command", projectWord+" nuovo", "role", c.T("role."+string(RoleCoordinator)))
	}
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
	np, err := b.projects.UpdateProject(ctx, c.Caller.ID, p.ID, in)
	if err != nil {
		return Reply{}, fmt.Errorf("update project: %w", err)
	}
	return projectCard(c, np, c.T("project.updated"), true), nil
}

// parseProjectInput validates key=value arguments (or form values). With old nil it builds a
// new project (title and an objective required); otherwise an edit of old, where a field not
// given stays as it is and an empty one is cleared where that makes sense.
func parseProjectInput(a Args, catalogue []Skill, old *Project) (ProjectInput, error) {
	var in ProjectInput
	creating := old == nil
	seen := map[string]bool{}
	for _, k := range a.AllKeys() {
		v := strings.TrimSpace(a.Named[k])
		canon, ok := projectKeys[k]
		if !ok {
			return in, Errorf(EINVALID, "project.unknown_key", "key", k)
		}
		if seen[canon] {
			return in, Errorf(EINVALID, "error.kv_duplicate", "key", k)
		}
		seen[canon] = true
		switch canon {
		case "titolo":
			v = strings.Join(strings.Fields(v), " ")
			if v == "" {
				return in, Errorf(EINVALID, "project.error.title", "field", k)
			}
			if utf8.RuneCountInString(v) > maxTitleLen {
				return in, Errorf(EINVALID, "project.error.title", "field", k)
			}
			in.Title = &v
		case "descrizione":
			if utf8.RuneCountInString(v) > maxDescriptionLen {
				return in, Errorf(EINVALID, "project.error.description_too_long", "max", maxDescriptionLen)
			}
			in.Description = &v
		case "finanziamento":
			if utf8.RuneCountInString(v) > maxFundingLen {
				return in, Errorf(EINVALID, "project.error.funding_too_long", "max", maxFundingLen)
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
			if err != nil || n < 1 || n > maxTeamSize {
				return in, Errorf(EINVALID, "project.error.bad_team_size", "value", v, "min", 1, "max", maxTeamSize)
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
	// Cross-field checks, against the old values for what was not given.
	if creating {
		if in.Title == nil {
			return in, Errorf(EINVALID, "project.error.title", "field", "titolo")
		}
		if len(in.ObjectiveCodes) == 0 {
			return in, Errorf(EINVALID, "project.error.no_objective", "field", "obiettivi")
		}
	}
	start, end := in.PlannedStart, in.PlannedEnd
	if !creating {
		if !seen["inizio"] {
			start = old.PlannedStart
		}
		if !seen["fine"] {
			end = old.PlannedEnd
		}
	}
	if start != nil && end != nil && end.Before(*start) {
		return in, Errorf(EINVALID, "project.error.dates")
	}
	// One person may cover several skills: the team must hold the largest single need (the
	// store's rule too).
	need := 0
	if in.Skills != nil {
		for _, s := range in.Skills {
			need = max(need, s.Count)
		}
	} else if !creating {
		for _, s := range old.Skills {
			need = max(need, s.Count)
		}
	}
	switch {
	case in.TeamSize != nil:
		if *in.TeamSize < need {
			return in, Errorf(EINVALID, "project.error.team_too_small", "size", *in.TeamSize, "needed", need)
		}
	case creating:
		n := max(3, need)
		in.TeamSize = &n
	case old.TeamSize < need:
		return in, Errorf(EINVALID, "project.error.team_too_small", "size", old.TeamSize, "needed", need)
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
				if err != nil || m < 1 || m > maxSkillCount {
					return nil, Errorf(EINVALID, "project.error.bad_count", "code", name, "value", strings.TrimSpace(cnt))
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
// separator: "12500", "12500,50", "12500.5", "12.500,50", "12,500.50", "€ 1.000.000". A single
// separator is the decimal one; with both, the last is. Negative amounts, more than two
// decimals and anything that is not a number are refused.
func parseEuros(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "€")
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	intPart, frac := s, ""
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dots > 0 && commas > 0:
		dec := max(strings.LastIndex(s, "."), strings.LastIndex(s, ","))
		if strings.Count(s, s[dec:dec+1]) > 1 {
			return 0, false
		}
		intPart, frac = strings.NewReplacer(".", "", ",", "").Replace(s[:dec]), s[dec+1:]
		if frac == "" {
			return 0, false
		}
	case dots == 1 || commas == 1:
		dec := max(strings.LastIndex(s, "."), strings.LastIndex(s, ","))
		intPart, frac = s[:dec], s[dec+1:]
		if frac == "" {
			return 0, false
		}
	case dots > 1 || commas > 1:
		intPart = strings.NewReplacer(".", "", ",", "").Replace(s)
	}
	if intPart == "" || len(frac) > 2 || len(intPart) > 13 {
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
	if total > maxBudgetCents {
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
	f.Fields = []FormField{
		{Name: "titolo", Label: c.T("project.field.title"), Kind: FieldText, Value: v.title, Required: true, MaxLength: maxTitleLen},
		{Name: "descrizione", Label: c.T("project.field.description"), Kind: FieldTextArea, Value: v.desc, MaxLength: maxDescriptionLen},
		{Name: "obiettivi", Label: c.T("project.field.objectives"), Hint: c.T("project.hint.objectives"), Kind: FieldText, Value: v.objectives, Required: true, MaxLength: 500},
		{Name: "unita", Label: c.T("project.field.units"), Hint: c.T("project.hint.units"), Kind: FieldText, Value: v.units, MaxLength: 500},
		{Name: "competenze", Label: c.T("project.field.skills"), Hint: c.T("project.hint.skills"), Kind: FieldText, Value: v.skills, MaxLength: 1000},
		{Name: "squadra", Label: c.T("project.field.team_size"), Kind: FieldNumber, Value: v.team},
		{Name: "budget", Label: c.T("project.field.budget"), Hint: c.T("project.hint.budget"), Kind: FieldText, Value: v.budget, MaxLength: 30},
		{Name: "finanziamento", Label: c.T("project.field.funding"), Kind: FieldText, Value: v.funding, MaxLength: maxFundingLen},
		{Name: "inizio", Label: c.T("project.field.start"), Hint: c.T("project.hint.date"), Kind: FieldText, Value: v.start, MaxLength: 10},
		{Name: "fine", Label: c.T("project.field.end"), Hint: c.T("project.hint.date"), Kind: FieldText, Value: v.end, MaxLength: 10},
	}
	return Reply{Text: c.T("project.form_intro"), Form: f}
}

// errIs reports whether err is a user-facing *Error with key.
func errIs(err error, key string) bool {
	var e *Error
	return errors.As(err, &e) && e.Key == key
}
