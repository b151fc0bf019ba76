package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// External evaluators: people outside a project's team whom its coordinator asks to evaluate
// it at the close (`progetto ID valutatori @a @b`). They are told privately at once; when the
// project reaches concluso they get the external close survey.

// evaluatorsSubs are the project command's forms for evaluators.
func (b *Bot) evaluatorsSubs() []*Sub {
	people := Param{Name: W("@persona", "@person"), Kind: KindPerson, Rest: true, Invalid: "evaluation.error.bad_person"}
	one := Param{Name: W("@persona", "@person"), Kind: KindPerson, Required: true, Invalid: "evaluation.error.bad_person"}
	return []*Sub{
		{OnID: true, Words: W("valutatori", "evaluators", "valutatore", "evaluator"), Args: []Param{people},
			Summary: "evaluation.sub.evaluators", Private: true,
			Examples: []string{"progetto 12 valutatori", "progetto 12 valutatori @mario.rossi giulia.verdi@comune.prato.it"},
			Handler:  b.onProject(b.projectEvaluators)},
		{OnID: true, Words: W("valutatori togli", "evaluators remove", "valutatori rimuovi", "valutatore togli", "evaluator remove"),
			Args: []Param{one}, Summary: "evaluation.sub.evaluators_remove", Private: true,
			Examples: []string{"progetto 12 valutatori togli @mario.rossi"},
			Handler:  b.onProject(b.projectEvaluatorRemove)},
	}
}

// mayInviteEvaluators reports whether the reader may choose p's evaluators: its coordinator or
// an admin. Not a dirigente as such: who judges a project from outside is the coordinator's
// proposal, and an admin's when there is no coordinator to make it.
func mayInviteEvaluators(c *Call, p Project) bool {
	return isCoordinator(c, p) || c.Caller.HasRole(RoleAdmin)
}

func requireEvaluatorsManager(c *Call, p Project) error {
	if !mayInviteEvaluators(c, p) {
		return Errorf(EFORBIDDEN, "evaluation.error.forbidden", "id", p.ID, "title", p.Title)
	}
	return nil
}

// projectEvaluators lists the evaluators, or adds the people named.
func (b *Bot) projectEvaluators(ctx context.Context, c *Call, p Project) (Reply, error) {
	if err := requireEvaluatorsManager(c, p); err != nil {
		return Reply{}, err
	}
	if len(c.Rest) == 0 {
		return b.evaluatorsList(ctx, c, p, "")
	}
	if p.Phase == PhaseAnnullato {
		return Reply{}, Errorf(ECONFLICT, "evaluation.error.cancelled", "id", p.ID)
	}
	current, err := b.projects.Evaluators(ctx, p.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("evaluators: %w", err)
	}
	// Every name is checked before anything is written: one refusal refuses the command, with
	// every problem listed, so that nothing is half done.
	var (
		problems []string
		add      []int64
		already  []string
	)
	for _, arg := range c.Rest {
		e, err := b.findPerson(ctx, c, arg)
		if ErrorCode(err) == ENOTFOUND {
			problems = append(problems, c.T("evaluation.error.unknown_person", "person", arg))
			continue
		}
		if err != nil {
			return Reply{}, err
		}
		name := orNone(c, e.DisplayName)
		switch {
		case p.Coordinator != nil && p.Coordinator.ID == e.ID:
			problems = append(problems, c.T("evaluation.error.is_coordinator", "name", name))
		case inTeam(p.Team, e.ID):
			problems = append(problems, c.T("evaluation.error.is_member", "name", name))
		case isEvaluator(current, e.ID):
			already = append(already, name)
		case containsID(add, e.ID):
			// Named twice in one command: once is enough.
		default:
			add = append(add, e.ID)
		}
	}
	if len(problems) > 0 {
		return Reply{}, Errorf(EINVALID, "evaluation.error.refused", "problems", "• "+strings.Join(problems, "\n• "), "id", p.ID)
	}
	if n := len(current) + len(add); n > MaxEvaluators {
		return Reply{}, Errorf(EINVALID, "evaluation.error.too_many", "max", MaxEvaluators, "n", len(current))
	}
	var lines []string
	if len(add) > 0 {
		res, err := b.projects.AddEvaluators(ctx, p.ID, c.Caller.ID, add, b.evaluatorAddedNotices(c, p), b.surveyOpening())
		if err != nil {
			return Reply{}, fmt.Errorf("add evaluators: %w", err)
		}
		names := make([]string, len(res.Added))
		for i, ev := range res.Added {
			names[i] = ev.Person.Name
		}
		switch {
		case p.Phase != PhaseConcluso:
			lines = append(lines, c.T("evaluation.added", "n", len(names), "names", strings.Join(names, ", "), "id", p.ID))
		case res.SurveyClosed:
			lines = append(lines, c.T("evaluation.added_survey_closed", "n", len(names), "names", strings.Join(names, ", ")))
		default:
			lines = append(lines, c.T("evaluation.added_now", "n", len(names), "names", strings.Join(names, ", ")))
		}
	}
	if len(already) > 0 {
		lines = append(lines, c.T("evaluation.already", "n", len(already), "names", strings.Join(already, ", ")))
	}
	return b.evaluatorsList(ctx, c, p, strings.Join(lines, "\n"))
}

// evaluatorsList shows the evaluators (names and when they were asked; never whether they
// answered) and, below k of them, that their answers could never be shown.
func (b *Bot) evaluatorsList(ctx context.Context, c *Call, p Project, notice string) (Reply, error) {
	evs, err := b.projects.Evaluators(ctx, p.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("evaluators: %w", err)
	}
	ev, err := b.projects.ProjectEvaluation(ctx, p.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("project evaluation: %w", err)
	}
	id := strconv.FormatInt(p.ID, 10)
	var lines []string
	if notice != "" {
		lines = append(lines, notice, "")
	}
	if len(evs) == 0 {
		lines = append(lines, c.T("evaluation.list.none", "id", p.ID))
	} else {
		lines = append(lines, c.T("evaluation.list.head", "n", len(evs)))
		for _, e := range evs {
			lines = append(lines, c.T("evaluation.list.item", "name", e.Person.Name, "date", dateText(c, &e.InvitedAt)))
		}
	}
	if n := len(evs); n > 0 && n < ev.K {
		lines = append(lines, c.T("evaluation.list.below_k", "n", n, "k", ev.K))
	}
	switch p.Phase {
	case PhaseConcluso:
		lines = append(lines, c.T("evaluation.list.concluded"))
	case PhaseAnnullato:
	default:
		lines = append(lines, c.T("evaluation.list.howto", "id", p.ID))
	}
	return Reply{
		Title:   c.T("evaluation.list.title", "id", p.ID, "title", p.Title),
		Text:    strings.Join(lines, "\n"),
		Private: true,
		Choices: []Choice{{Label: c.T("project.button.show"), Command: projectWord + " " + id}},
	}, nil
}

// projectEvaluatorRemove removes one evaluator before the close.
func (b *Bot) projectEvaluatorRemove(ctx context.Context, c *Call, p Project) (Reply, error) {
	if err := requireEvaluatorsManager(c, p); err != nil {
		return Reply{}, err
	}
	if p.Phase == PhaseConcluso || p.Phase == PhaseAnnullato {
		return Reply{}, Errorf(ECONFLICT, "evaluation.error.remove_closed", "id", p.ID, "phase", c.T("phase."+string(p.Phase)))
	}
	arg := c.Param("@persona")
	e, err := b.findPerson(ctx, c, arg)
	if err != nil {
		return Reply{}, err
	}
	ev, err := b.projects.RemoveEvaluator(ctx, p.ID, c.Caller.ID, e.ID, b.evaluatorRemovedNotices(c, p))
	if err != nil {
		if errIs(err, "evaluation.error.not_evaluator") {
			return Reply{}, Errorf(ENOTFOUND, "evaluation.error.not_evaluator_named", "name", orNone(c, e.DisplayName), "id", p.ID)
		}
		return Reply{}, err
	}
	return b.evaluatorsList(ctx, c, p, c.T("evaluation.removed", "name", ev.Person.Name, "id", p.ID))
}

// inTeam reports whether employeeID holds a live place in the team: a member, or invited and
// not (yet) declined.
func inTeam(t ProjectTeam, employeeID int64) bool {
	inv, ok := t.SlotOf(employeeID)
	return ok && !inv.Open()
}

func isEvaluator(evs []Evaluator, employeeID int64) bool {
	for _, e := range evs {
		if e.Person.ID == employeeID {
			return true
		}
	}
	return false
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// surveyOpening is what the surveys a change opens need: the invitation message and when they
// close: at the end of the day SurveyOpenDays from today, like the pulse, so that "you can
// answer until the 20th" holds for the whole day.
func (b *Bot) surveyOpening() SurveyOpening {
	now := b.now().In(b.loc)
	closes := time.Date(now.Year(), now.Month(), now.Day()+b.surveyOpenDays+1, 0, 0, 0, 0, b.loc)
	return SurveyOpening{Notice: b.SurveyNotice, ClosesAt: closes}
}

// evaluatorAddedNotices tell each new evaluator, in their language, who asked them to evaluate
// which project and what will happen (after the close, that the survey comes apart; nothing
// when it has closed). Keyed by the evaluator row, and due only while that row exists: someone
// removed before the message went out is not told.
func (b *Bot) evaluatorAddedNotices(c *Call, p Project) EvaluatorNoticeFunc {
	from := PersonRef{ID: c.Caller.ID, Name: c.Caller.DisplayName}
	return func(evs []Evaluator, surveyOpen bool) []Notice {
		if p.Phase == PhaseConcluso && !surveyOpen {
			// Asked after the external survey closed: there is nothing left for them to do, and
			// the coordinator's reply says so.
			return nil
		}
		out := make([]Notice, 0, len(evs))
		for _, ev := range evs {
			rc := b.callFor(ev.Person)
			text := rc.T("evaluation.notice.asked", "from", orNone(rc, from.Name), "id", p.ID, "title", p.Title)
			if surveyOpen {
				text += "\n" + rc.T("evaluation.notice.asked_now")
			} else {
				text += "\n" + rc.T("evaluation.notice.asked_later")
			}
			text += "\n" + rc.T("evaluation.notice.anonymous")
			ref := refTo(ev.Person).naming(from)
			ref.Kind, ref.ID = RefEvaluator, ev.ID
			out = append(out, Notice{
				Key:     fmt.Sprintf("project-evaluator:%d", ev.ID),
				Channel: ev.Person.Address(),
				Ref:     ref,
				Reply: Reply{
					Title:   rc.T("evaluation.notice.title", "id", p.ID, "title", p.Title),
					Text:    text,
					Private: true,
					Locale:  rc.Locale,
					Choices: []Choice{{Label: rc.T("project.button.show"), Command: projectWord + " " + strconv.FormatInt(p.ID, 10)}},
				},
			})
		}
		return out
	}
}

// evaluatorRemovedNotices tell a removed evaluator they will not be asked after all.
func (b *Bot) evaluatorRemovedNotices(c *Call, p Project) EvaluatorNoticeFunc {
	from := PersonRef{ID: c.Caller.ID, Name: c.Caller.DisplayName}
	return func(evs []Evaluator, _ bool) []Notice {
		out := make([]Notice, 0, len(evs))
		for _, ev := range evs {
			rc := b.callFor(ev.Person)
			out = append(out, Notice{
				Key:     fmt.Sprintf("project-evaluator-removed:%d", ev.ID),
				Channel: ev.Person.Address(),
				Ref:     refTo(ev.Person).naming(from),
				Reply: Reply{
					Text:    rc.T("evaluation.notice.removed", "from", orNone(rc, from.Name), "id", p.ID, "title", p.Title),
					Private: true,
					Locale:  rc.Locale,
				},
			})
		}
		return out
	}
}
