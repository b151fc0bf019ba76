package bot

import (
	"context"
	"fmt"
	"strconv"
)

// homeWord is the command the Slack App Home runs to fill the Home tab.
const homeWord = "home"

func (b *Bot) homeCommand() *Command {
	return &Command{
		Name:     homeWord,
		Aliases:  []string{"inizio"},
		Summary:  "home.summary",
		Usage:    "home.usage",
		Examples: []string{"home"},
		Handler:  b.home,
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
	r.Choices = []Choice{
		{Label: c.T("home.profile"), Command: profileWord, Style: StylePrimary},
		{Label: c.T("profile.edit_button"), Command: profileWord + " modifica"},
		{Label: c.T("opportunities.button"), Command: "opportunita"},
		{Label: c.T("privacy.export_button"), Command: "privacy esporta"},
		{Label: c.T("help.button"), Command: "aiuto"},
	}
	return r, nil
}
