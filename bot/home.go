package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// homeWord is the command the Slack App Home runs to fill the Home tab.
const homeWord = "home"

func (b *Bot) homeCommand() *Command {
	return &Command{
		Name:    homeWord,
		Aliases: []string{"inizio"},
		Summary: "home.summary",
		Private: true,
		Subs:    []*Sub{{Summary: "home.summary", Examples: []string{"home"}, Handler: b.home}},
	}
}

// home is the start page: the same content in the Slack Home tab and the console. Later
// capabilities (projects, programmes, meetings, surveys) add their sections here.
func (b *Bot) home(ctx context.Context, c *Call) (Reply, error) {
	e := c.Caller
	ops, err := b.store.Opportunities(ctx, e.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("home: opportunities: %w", err)
	}
	r := Reply{
		Title: c.T("home.title", "name", orNone(c, e.DisplayName)),
		Text:  c.T("home.intro"),
		Sections: []Section{{
			Title: c.T("home.profile"),
			Fields: []Field{
				{Label: c.T("profile.field.unit"), Value: unitText(c, e.Unit)},
				{Label: c.T("profile.field.site"), Value: siteText(c, e.Site)},
				{Label: c.T("profile.field.skills"), Value: skillsText(c, e.Skills)},
				{Label: c.T("profile.field.capacity"), Value: strconv.Itoa(e.Capacity)},
			},
		}},
	}
	opText := c.T("opportunities.none")
	if len(e.Skills) == 0 {
		opText = c.T("opportunities.none_no_skills")
	}
	if len(ops) > 0 {
		opText = c.T("home.opportunities_count", "count", len(ops)) + "\n" + opportunityTitles(ops, 3)
	}
	r.Sections = append(r.Sections, Section{Title: c.T("home.opportunities"), Text: opText})
	if b.projects != nil {
		mine, total, err := b.projects.Projects(ctx, ProjectFilter{CoordinatorID: e.ID, Limit: 3})
		if err != nil {
			return Reply{}, fmt.Errorf("home: my projects: %w", err)
		}
		text := c.T("home.projects_none")
		if total > 0 {
			lines := make([]string, len(mine))
			for i, p := range mine {
				lines[i] = c.T("home.project_line", "id", p.ID, "title", p.Title, "phase", c.T("phase."+string(p.Phase)))
			}
			text = strings.Join(lines, "\n")
			if total > len(mine) {
				text += "\n" + c.T("home.projects_more", "n", total-len(mine))
			}
		}
		r.Sections = append(r.Sections, Section{Title: c.T("home.projects"), Text: text})
	}
	if b.teams != nil {
		invs, err := b.teams.MyInvitations(ctx, e.ID)
		if err != nil {
			return Reply{}, fmt.Errorf("home: invitations: %w", err)
		}
		var lines, teams []string
		for _, inv := range invs {
			switch inv.Status {
			case InvitePending:
				lines = append(lines, c.T("home.invitation_line", "id", inv.ProjectID, "title", inv.ProjectTitle))
			case InviteAccepted:
				teams = append(teams, c.T("home.team_line", "id", inv.ProjectID, "title", inv.ProjectTitle))
			}
		}
		if len(teams) > 0 {
			r.Sections = append(r.Sections, Section{Title: c.T("home.teams"), Text: strings.Join(teams, "\n")})
		}
		if len(lines) > 0 {
			r.Sections = append(r.Sections, Section{Title: c.T("home.invitations"), Text: strings.Join(lines, "\n")})
			r.Choices = append(r.Choices, Choice{Label: c.T("home.invitations"), Command: inviteWord, Style: StylePrimary})
		}
	}
	if b.meetings != nil {
		mine, err := b.meetings.Enrolments(ctx, e.ID)
		if err != nil {
			return Reply{}, fmt.Errorf("home: meetings: %w", err)
		}
		text := c.T("home.meetings_none")
		if len(mine) > 0 {
			lines := make([]string, len(mine))
			for i, m := range mine {
				lines[i] = c.T("home.meeting_line", "name", m.ProgrammeName, "next", b.whenText(c, m.NextRoundAt))
			}
			text = strings.Join(lines, "\n")
		}
		r.Sections = append(r.Sections, Section{Title: c.T("home.meetings"), Text: text})
	}
	if b.surveys != nil {
		if err := b.homeSurveys(ctx, c, &r); err != nil {
			return Reply{}, err
		}
	}
	r.Choices = append(r.Choices, []Choice{
		{Label: c.T("home.profile"), Command: profileWord, Style: StylePrimary},
		{Label: c.T("profile.edit_button"), Command: profileWord + " modifica"},
		{Label: c.T("opportunities.button"), Command: "opportunita"},
		{Label: c.T("privacy.export_button"), Command: "privacy esporta"},
		{Label: c.T("help.button"), Command: "aiuto"},
	}...)
	if b.meetings != nil {
		r.Choices = append(r.Choices, Choice{Label: c.T("home.meetings"), Command: meetWord})
	}
	return r, nil
}
