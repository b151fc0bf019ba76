package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/comune-prato/cantieri/bot"
)

// Evaluators in the store: added once, refused for a cancelled project, not removable after the
// close; being an evaluator is in one's data export and goes with one's erasure.
func TestProjectEvaluatorsStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newProjectFixture(t)
	p := f.create(t, minimal("Valutato", "OB1"))
	res, err := f.store.AddEvaluators(ctx, p.ID, f.anna, []int64{f.bruno, f.carla}, nil, bot.SurveyOpening{})
	if err != nil || len(res.Added) != 2 || res.Added[0].Person.Name != "Bruno Neri" || res.Invited != 0 {
		t.Fatalf("add: %+v %v", res, err)
	}
	if res, err := f.store.AddEvaluators(ctx, p.ID, f.anna, []int64{f.carla}, nil, bot.SurveyOpening{}); err != nil || len(res.Added) != 0 {
		t.Fatalf("add again: %+v %v", res, err)
	}
	evs, err := f.store.Evaluators(ctx, p.ID)
	if err != nil || len(evs) != 2 {
		t.Fatalf("list: %+v %v", evs, err)
	}
	if _, err := f.store.RemoveEvaluator(ctx, p.ID, f.anna, f.anna, nil); !errIsKey(err, "evaluation.error.not_evaluator") {
		t.Fatalf("remove a non-evaluator: %v", err)
	}
	if ev, err := f.store.RemoveEvaluator(ctx, p.ID, f.anna, f.bruno, nil); err != nil || ev.Person.ID != f.bruno {
		t.Fatalf("remove: %+v %v", ev, err)
	}
	if _, err := f.store.AddEvaluators(ctx, 999, f.anna, []int64{f.bruno}, nil, bot.SurveyOpening{}); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("add to a missing project: %v", err)
	}

	data, err := f.store.PersonalData(ctx, f.carla)
	if err != nil || len(data.Evaluations) != 1 || data.Evaluations[0].ProjectTitle != "Valutato" {
		t.Fatalf("export: %+v %v", data.Evaluations, err)
	}
	if err := f.store.ErasePersonalData(ctx, f.carla, nil); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM project_evaluators`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("erasure left %d evaluator rows (%v)", left, err)
	}

	for _, to := range []bot.Phase{bot.PhaseProgettazione, bot.PhaseAnnullato} {
		from := bot.PhaseIdeazione
		if to == bot.PhaseAnnullato {
			from = bot.PhaseProgettazione
		}
		if err := f.store.ChangePhase(ctx, p.ID, f.anna, from, to, "", "", bot.SurveyOpening{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.AddEvaluators(ctx, p.ID, f.anna, []int64{f.bruno}, nil, bot.SurveyOpening{}); !errIsKey(err, "evaluation.error.cancelled") {
		t.Fatalf("add to a cancelled project: %v", err)
	}
	if _, err := f.store.RemoveEvaluator(ctx, p.ID, f.anna, f.bruno, nil); !errIsKey(err, "evaluation.error.remove_closed") {
		t.Fatalf("remove from a cancelled project: %v", err)
	}
}
