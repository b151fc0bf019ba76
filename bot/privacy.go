package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
)

func (b *Bot) privacyCommand() *Command {
	return &Command{
		Name:    "privacy",
		Summary: "privacy.summary",
		Private: true,
		Subs: []*Sub{
			{Words: W("esporta", "export"), Summary: "privacy.sub.export", Examples: []string{"privacy esporta"},
				Handler: b.privacyExport},
			{Words: W("cancella", "erase", "delete"), Summary: "privacy.sub.erase", Examples: []string{"privacy cancella"},
				Args:    []Param{{Name: W("conferma", "confirm"), Kind: KindChoice, Values: []Words{W("conferma", "confirm")}}},
				Handler: b.privacyErase},
		},
	}
}

// privacyErase asks for a confirmation, then erases the caller's personal data.
func (b *Bot) privacyErase(ctx context.Context, c *Call) (Reply, error) {
	if c.Param("conferma") == "" {
		return Reply{
			Text: c.T("privacy.erase_confirm"),
			Choices: []Choice{
				{Label: c.T("privacy.erase_button"), Command: "privacy cancella conferma", Style: StyleDanger},
				{Label: c.T("privacy.cancel_button"), Command: homeWord},
			},
		}, nil
	}
	if err := b.store.ErasePersonalData(ctx, c.Caller.ID, b.placeOpenedByErasure(ctx)); err != nil {
		return Reply{}, fmt.Errorf("erase personal data: %w", err)
	}
	return Reply{Text: c.T("privacy.erased")}, nil
}

// placeOpenedByErasure tells a team's coordinator that a place opened because its holder erased
// their data, with the best replacement — as a decline does, but without a word about the
// person. The pool is read outside the erasure's transaction (the proposal is a suggestion,
// checked again when the coordinator acts); the erased person holds the place in it, so they
// are not proposed for it.
func (b *Bot) placeOpenedByErasure(ctx context.Context) OpenedPlaceFunc {
	return func(t ProjectTeam, inv Invitation) ([]Notice, error) {
		if t.Coordinator == nil || t.Coordinator.ID == inv.Person.ID {
			return nil, nil
		}
		var (
			pool    TeamPool
			poolErr = errors.New("no project store")
		)
		if b.projects != nil && b.teams != nil {
			var p Project
			if p, poolErr = b.projects.Project(ctx, t.ProjectID); poolErr == nil {
				pool, poolErr = b.teamPoolFor(ctx, t.ProjectID, p.TeamSize)
			}
		}
		return []Notice{b.erasedSlotNotice(t, inv, pool, b.proposeReplacement(ctx, t, inv, pool, poolErr))}, nil
	}
}

// privacyExport gives the caller everything held about them as a JSON file.
func (b *Bot) privacyExport(ctx context.Context, c *Call) (Reply, error) {
	data, err := b.store.PersonalData(ctx, c.Caller.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("export personal data: %w", err)
	}
	data.SurveysNote = c.T("privacy.surveys_note")
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
