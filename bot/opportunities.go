package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// maxOpportunitiesShown keeps the list within a message (Slack allows 50 blocks).
const maxOpportunitiesShown = 20

func (b *Bot) opportunitiesCommand() *Command {
	return &Command{
		Name:    "opportunita",
		EN:      "opportunities",
		Aliases: []string{"opportunità"},
		Summary: "opportunities.summary",
		Private: true,
		Subs: []*Sub{{Summary: "opportunities.summary", Examples: []string{"opportunita"},
			Handler: b.opportunities}},
	}
}

func (b *Bot) opportunities(ctx context.Context, c *Call) (Reply, error) {
	ops, err := b.store.Opportunities(ctx, c.Caller.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("opportunities: %w", err)
	}
	r := Reply{Title: c.T("opportunities.title")}
	switch {
	case len(ops) == 0 && len(c.Caller.Skills) == 0:
		r.Text = c.T("opportunities.none_no_skills")
		r.Choices = []Choice{{Label: c.T("profile.edit_button"), Command: profileWord + " modifica", Style: StylePrimary}}
		return r, nil
	case len(ops) == 0:
		r.Text = c.T("opportunities.none")
		return r, nil
	}
	for i, o := range ops {
		if i == maxOpportunitiesShown {
			r.Sections = append(r.Sections, Section{Text: c.T("opportunities.more", "n", len(ops)-i)})
			break
		}
		r.Sections = append(r.Sections, Section{
			Title: o.Title,
			Text: c.T("opportunities.item", "id", strconv.FormatInt(o.ProjectID, 10), "phase", c.T("phase."+o.Phase),
				"skills", matchesText(c, o.Matches)),
		})
	}
	return r, nil
}

// matchesText names each skill with the level the project asks for and the reader's own, both
// labelled: "GIS (richiesto almeno intermedio; il tuo: esperto)".
func matchesText(c *Call, ms []SkillMatch) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = c.T("opportunities.skill", "skill", m.Name(c.Locale),
			"required", c.T("level."+strconv.Itoa(m.MinLevel)), "yours", c.T("level."+strconv.Itoa(m.Level)))
	}
	return strings.Join(parts, ", ")
}

// opportunityTitles lists up to n project titles, for the home page.
func opportunityTitles(ops []Opportunity, n int) string {
	titles := make([]string, 0, n)
	for i, o := range ops {
		if i == n {
			break
		}
		titles = append(titles, "• "+o.Title)
	}
	return strings.Join(titles, "\n")
}
