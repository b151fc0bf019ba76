package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

func (b *Bot) privacyCommand() *Command {
	return &Command{
		Name:     "privacy",
		Summary:  "privacy.summary",
		Usage:    "privacy.usage",
		Examples: []string{"privacy esporta", "privacy cancella"},
		Handler:  privately(b.privacy),
	}
}

func (b *Bot) privacy(ctx context.Context, c *Call) (Reply, error) {
	sub := ""
	if len(c.Args.Positional) > 0 {
		sub = strings.ToLower(c.Args.Positional[0])
	}
	switch sub {
	case "esporta", "export":
		return b.privacyExport(ctx, c)
	case "cancella", "erase", "delete":
		confirmed := len(c.Args.Positional) > 1 && (strings.EqualFold(c.Args.Positional[1], "conferma") ||
			strings.EqualFold(c.Args.Positional[1], "confirm"))
		if !confirmed {
			return Reply{
				Text: c.T("privacy.erase_confirm"),
				Choices: []Choice{
					{Label: c.T("privacy.erase_button"), Command: "privacy cancella conferma", Style: StyleDanger},
					{Label: c.T("privacy.cancel_button"), Command: homeWord},
				},
			}, nil
		}
		if err := b.store.ErasePersonalData(ctx, c.Caller.ID); err != nil {
			return Reply{}, fmt.Errorf("erase personal data: %w", err)
		}
		return Reply{Text: c.T("privacy.erased")}, nil
	default:
		return Reply{}, Errorf(EINVALID, "privacy.bad_arg")
	}
}

// privacyExport gives the caller everything held about them as a JSON file.
func (b *Bot) privacyExport(ctx context.Context, c *Call) (Reply, error) {
	data, err := b.store.PersonalData(ctx, c.Caller.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("export personal data: %w", err)
	}
	body, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return Reply{}, fmt.Errorf("encode personal data: %w", err)
	}
	return Reply{
		Title: c.T("privacy.export_title"),
		Text:  c.T("privacy.export_text"),
		File: &File{
			Name:        fmt.Sprintf("cantieri-dati-personali-%d.json", c.Caller.ID),
			Title:       c.T("privacy.export_file"),
			ContentType: "application/json",
			Data:        append(body, '\n'),
		},
	}, nil
}
