package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/comune-prato/cantieri/internal/projectdesign"
)

// forward is the main lifecycle: each phase and the one after it.
var forward = map[Phase]Phase{
	PhaseIdeazione:     PhaseProgettazione,
	PhaseProgettazione: PhaseRealizzazione,
	PhaseRealizzazione: PhaseMonitoraggio,
	PhaseMonitoraggio:  PhaseConcluso,
}

// phaseWords maps Italian and English phase names onto phases.
var phaseWords = map[string]Phase{
	"ideazione": PhaseIdeazione, "ideation": PhaseIdeazione,
	"progettazione": PhaseProgettazione, "design": PhaseProgettazione,
	"realizzazione": PhaseRealizzazione, "delivery": PhaseRealizzazione,
	"monitoraggio": PhaseMonitoraggio, "monitoring": PhaseMonitoraggio,
	"concluso": PhaseConcluso, "closed": PhaseConcluso,
	"sospeso": PhaseSospeso, "suspended": PhaseSospeso,
	"annullato": PhaseAnnullato, "cancelled": PhaseAnnullato, "canceled": PhaseAnnullato,
}

// allowedNext lists the phases p may move to: the next in the lifecycle, sospeso and annullato
// from any non-final phase, and from sospeso back to the phase it was suspended from.
func allowedNext(p Project) []Phase {
	switch p.Phase {
	case PhaseConcluso, PhaseAnnullato:
		return nil
	case PhaseSospeso:
		out := []Phase{}
		for i := len(p.History) - 1; i >= 0; i-- {
			if h := p.History[i]; h.To == PhaseSospeso && h.From != "" && h.From != PhaseSospeso {
				out = append(out, h.From)
				break
			}
		}
		return append(out, PhaseAnnullato)
	}
	return []Phase{forward[p.Phase], PhaseSospeso, PhaseAnnullato}
}

// gateMissing lists what p lacks to enter realizzazione, as catalogue texts.
func gateMissing(c *Call, p Project) []string {
	var missing []string
	results := assessmentResults(p)
	switch {
	case len(results) == 0:
		missing = append(missing, c.T("project.gate.no_robustness"))
	case !results[len(results)-1].Complete:
		missing = append(missing, c.T("project.gate.robustness_incomplete",
			"answered", results[len(results)-1].Answered, "total", len(projectdesign.Questions())))
	}
	var outputs, outcomes int
	for _, ind := range p.Indicators {
		switch ind.Kind {
		case string(projectdesign.Output):
			outputs++
		case string(projectdesign.Outcome):
			outcomes++
		}
	}
	if outputs == 0 {
		missing = append(missing, c.T("project.gate.no_output"))
	}
	if outcomes == 0 {
		missing = append(missing, c.T("project.gate.no_outcome"))
	}
	return missing
}

func phaseList(c *Call, phases []Phase) string {
	names := make([]string, len(phases))
	for i, ph := range phases {
		names[i] = "`" + localizeChoice(Param{Values: phaseValues}, string(ph), c.Locale) + "`"
	}
	if len(names) == 0 {
		return c.T("profile.none")
	}
	return strings.Join(names, ", ")
}

// projectPhase runs "progetto ID fase F [nota] [forza=motivo]".
func (b *Bot) projectPhase(ctx context.Context, c *Call, p Project) (Reply, error) {
	id := strconv.FormatInt(p.ID, 10)
	next := allowedNext(p)
	if c.Param("FASE") == "" {
		r := Reply{
			Title: c.T("project.card_title", "id", p.ID, "title", p.Title),
			Text: c.T("project.phase.current", "phase", c.T("phase."+string(p.Phase)),
				"allowed", phaseList(c, next)),
		}
		manage, err := b.canManage(ctx, c, p)
		if err != nil {
			return Reply{}, err
		}
		for _, ph := range next {
			if !manage {
				break // the phase is for its managers to move: the reader only sees it
			}
			r.Choices = append(r.Choices, Choice{Label: c.T("phase." + string(ph)), Command: projectWord + " " + id + " fase " + string(ph)})
		}
		return r, nil
	}
	to := Phase(c.Param("FASE"))
	note := strings.TrimSpace(c.Param("NOTA") + " " + strings.TrimSpace(c.Args.Named["nota"]))
	override := strings.TrimSpace(c.Args.Named["forza"])
	if c.Has("forza") && override == "" {
		return Reply{}, Errorf(EINVALID, "project.phase.override_reason")
	}
	if err := ValidatePhaseChange(note, override); err != nil {
		return Reply{}, err
	}
	if err := b.requireManage(ctx, c, p); err != nil {
		return Reply{}, err
	}
	if override != "" && !c.Caller.HasRole(RoleAdmin) {
		return Reply{}, Errorf(EFORBIDDEN, "project.phase.override_admin_only")
	}
	allowed := false
	for _, ph := range next {
		if ph == to {
			allowed = true
		}
	}
	if !allowed {
		return Reply{}, Errorf(EINVALID, "project.phase.not_allowed", "from", c.T("phase."+string(p.Phase)),
			"to", c.T("phase."+string(to)), "allowed", phaseList(c, next))
	}
	// The gate guards the way into realizzazione (from progettazione); resuming a suspended
	// project returns it where it already was, past the gate or by an admin's override.
	if to == PhaseRealizzazione && p.Phase == PhaseProgettazione {
		if missing := gateMissing(c, p); len(missing) > 0 && override == "" {
			return Reply{}, Errorf(EINVALID, "project.gate.blocked", "missing", "• "+strings.Join(missing, "\n• "), "id", id)
		}
	}
	if err := b.projects.ChangePhase(ctx, p.ID, c.Caller.ID, p.Phase, to, note, override, b.surveyOpening()); err != nil {
		return Reply{}, fmt.Errorf("change phase: %w", err)
	}
	np, err := b.loadProject(ctx, p.ID)
	if err != nil {
		return Reply{}, err
	}
	notice := c.T("project.phase.changed", "from", c.T("phase."+string(p.Phase)), "to", c.T("phase."+string(to)))
	if override != "" {
		notice += "\n" + c.T("project.phase.overridden", "reason", override)
	}
	if extra := evaluationReminders(c, np, to); extra != "" {
		notice += "\n" + extra
	}
	return b.fullProjectCard(ctx, c, np, notice, true)
}

// evaluationReminders tell who moved a project into an evaluated phase what was sent and what
// is still theirs to do: at the close, the final values of the indicators that have none (the
// card's external section says how to ask evaluators when nobody was asked).
func evaluationReminders(c *Call, p Project, to Phase) string {
	id := strconv.FormatInt(p.ID, 10)
	var lines []string
	switch to {
	case PhaseMonitoraggio:
		lines = append(lines, c.T("evaluation.phase.milestone_sent"))
	case PhaseConcluso:
		lines = append(lines, c.T("evaluation.phase.close_sent"))
		if missing := missingFinals(p); len(missing) > 0 {
			lines = append(lines, c.T("evaluation.phase.finals_missing", "n", len(missing), "names", strings.Join(missing, ", "), "id", id))
		}
	}
	return strings.Join(lines, "\n")
}
