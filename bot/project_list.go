package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// projectsPerPage is the size of a page of "progetti".
const projectsPerPage = 10

func (b *Bot) projectsCommand() *Command {
	filters := []Param{
		{Name: W("fase", "phase"), Kind: KindChoice, Values: phaseValues},
		{Name: W("unita", "unit", "unità"), Kind: KindWord, MaxLen: 40},
		{Name: W("obiettivo", "objective"), Kind: KindWord, MaxLen: 40},
		{Name: W("pagina", "page"), Kind: KindInt, Min: 1, Max: 100000},
	}
	return &Command{
		Name:    projectsWord,
		EN:      "projects",
		Summary: "projects.summary",
		Subs: []*Sub{
			{Fields: filters, Summary: "projects.sub.all", Examples: []string{"progetti", "progetti fase=progettazione"},
				Handler: b.projectsList},
			{Words: W("mie", "mine", "miei", "my"), Fields: filters, Summary: "projects.sub.mine",
				Examples: []string{"progetti mie"}, Handler: b.projectsList},
			{Words: W("obiettivo", "objective"), Args: []Param{{Name: W("CODICE", "CODE"), Kind: KindWord, Required: true, MaxLen: 40}},
				Fields: filters[:2], Summary: "projects.sub.objective", Examples: []string{"progetti obiettivo DUP-1.2"},
				Handler: b.projectsList},
			{Words: W("senza-obiettivo", "without-projects", "senza-progetti", "obiettivi-senza-progetti", "orphan-objectives",
				"obiettivi senza progetti", "objectives without projects"),
				Role: RoleManager, Summary: "projects.sub.orphans", Examples: []string{"progetti senza-obiettivo"},
				Handler: b.objectivesWithoutProjects},
		},
	}
}

func (b *Bot) projectsList(ctx context.Context, c *Call) (Reply, error) {
	f := ProjectFilter{Limit: projectsPerPage}
	var words []string // the filter as a command, for the page choices
	page := 1
	switch c.Sub.Words.IT {
	case "mie":
		f.CoordinatorID = c.Caller.ID
		words = append(words, "mie")
	case "obiettivo":
		f.ObjectiveCode = c.Param("CODICE")
		words = append(words, "obiettivo="+f.ObjectiveCode)
	}
	for _, k := range c.Args.AllKeys() {
		v := strings.TrimSpace(c.Args.Named[k])
		if v == "" {
			continue
		}
		switch k {
		case "fase":
			f.Phase = Phase(v)
			words = append(words, "fase="+v)
		case "unita":
			f.UnitCode = v
			words = append(words, "unita="+v)
		case "obiettivo":
			f.ObjectiveCode = v
			words = append(words, "obiettivo="+v)
		case "pagina":
			page, _ = strconv.Atoi(v)
		}
	}
	f.Offset = (page - 1) * projectsPerPage
	list, total, err := b.projects.Projects(ctx, f)
	if err != nil {
		return Reply{}, fmt.Errorf("list projects: %w", err)
	}
	pages := max(1, (total+projectsPerPage-1)/projectsPerPage)
	r := Reply{Title: c.T("projects.title")}
	if total == 0 {
		r.Text = c.T("projects.none")
		if RoleAllows(c.Caller.Roles, RoleCoordinator) {
			r.Choices = []Choice{{Label: c.T("project.button.new"), Command: projectWord + " nuovo", Style: StylePrimary}}
		}
		return r, nil
	}
	if page > pages {
		return Reply{}, Errorf(EINVALID, "projects.bad_page", "value", page)
	}
	r.Text = c.T("projects.page", "page", page, "pages", pages, "total", total)
	for _, p := range list {
		r.Sections = append(r.Sections, Section{
			Title: c.T("project.card_title", "id", p.ID, "title", p.Title),
			Text:  c.T("projects.item", "phase", c.T("phase."+string(p.Phase)), "coordinator", orNone(c, p.Coordinator), "id", p.ID),
		})
	}
	base := strings.TrimSpace(projectsWord + " " + strings.Join(words, " "))
	if page > 1 {
		r.Choices = append(r.Choices, Choice{Label: c.T("projects.prev"), Command: fmt.Sprintf("%s pagina=%d", base, page-1)})
	}
	if page < pages {
		r.Choices = append(r.Choices, Choice{Label: c.T("projects.next"), Command: fmt.Sprintf("%s pagina=%d", base, page+1), Style: StylePrimary})
	}
	return r, nil
}

func allPhases() []Phase {
	return []Phase{PhaseIdeazione, PhaseProgettazione, PhaseRealizzazione, PhaseMonitoraggio, PhaseConcluso, PhaseSospeso, PhaseAnnullato}
}

func (b *Bot) objectivesWithoutProjects(ctx context.Context, c *Call) (Reply, error) {
	objs, err := b.projects.ObjectivesWithoutProjects(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("objectives without projects: %w", err)
	}
	r := Reply{Title: c.T("projects.orphans_title")}
	if len(objs) == 0 {
		r.Text = c.T("projects.orphans_none")
		return r, nil
	}
	lines := make([]string, len(objs))
	for i, o := range objs {
		lines[i] = "• " + o.Code + " — " + o.Title
	}
	r.Text = c.T("projects.orphans_count", "n", len(objs))
	r.Sections = []Section{{Text: strings.Join(lines, "\n")}}
	return r, nil
}
