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
	return &Command{
		Name:    projectsWord,
		Aliases: []string{"projects"},
		Summary: "projects.summary",
		Usage:   "projects.usage",
		Examples: []string{
			"progetti",
			"progetti mie",
			"progetti fase=progettazione",
			"progetti obiettivo DUP-1.2",
			"progetti senza-obiettivo",
		},
		Handler: b.projectsList,
	}
}

func (b *Bot) projectsList(ctx context.Context, c *Call) (Reply, error) {
	pos := c.Args.Positional
	joined := strings.ToLower(strings.Join(pos, " "))
	switch joined {
	case "senza-obiettivo", "senza-progetti", "obiettivi senza progetti", "obiettivi-senza-progetti",
		"objectives without projects", "without-projects", "orphan-objectives":
		return b.objectivesWithoutProjects(ctx, c)
	}
	f := ProjectFilter{Limit: projectsPerPage}
	var words []string // the filter as a command, for the page choices
	page := 1
	for i := 0; i < len(pos); i++ {
		switch w := strings.ToLower(pos[i]); w {
		case "mie", "miei", "mine", "my":
			f.CoordinatorID = c.Caller.ID
			words = append(words, "mie")
		case "obiettivo", "objective":
			if i+1 >= len(pos) {
				return Reply{}, Errorf(EINVALID, "projects.objective_missing")
			}
			i++
			f.ObjectiveCode = pos[i]
			words = append(words, "obiettivo="+pos[i])
		default:
			return Reply{}, Errorf(EINVALID, "projects.bad_arg", "arg", pos[i])
		}
	}
	for _, k := range c.Args.AllKeys() {
		v := strings.TrimSpace(c.Args.Named[k])
		switch k {
		case "fase", "phase":
			ph, ok := phaseWords[strings.ToLower(v)]
			if !ok {
				return Reply{}, Errorf(EINVALID, "project.phase.unknown", "phase", v, "allowed", phaseList(c, allPhases()))
			}
			f.Phase = ph
			words = append(words, "fase="+string(ph))
		case "unita", "unità", "unit":
			f.UnitCode = v
			words = append(words, "unita="+v)
		case "obiettivo", "objective":
			f.ObjectiveCode = v
			words = append(words, "obiettivo="+v)
		case "pagina", "page":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return Reply{}, Errorf(EINVALID, "projects.bad_page", "value", v)
			}
			page = n
		default:
			return Reply{}, Errorf(EINVALID, "projects.bad_arg", "arg", k)
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
	if !RoleAllows(c.Caller.Roles, RoleManager) {
		return Reply{}, Errorf(EFORBIDDEN, "error.forbidden", "command", projectsWord+" senza-obiettivo", "role", c.T("role."+string(RoleManager)))
	}
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
