package teamform

import "testing"

// TestQualityAgainstExact compares the engine with exact enumeration on 200 seeded small
// instances (≤ 40 candidates, k 3–6) in the full sweep (fullSweep), the first 100 otherwise,
// and with the two baselines.
func TestQualityAgainstExact(t *testing.T) {
	t.Parallel()
	n := 200
	if !fullSweep() {
		n = 100
	}
	q := runQuality(n)
	t.Logf("instances %d, feasible %d, violations %d, missed infeasible %d, false infeasible %d",
		q.instances, q.feasible, q.violations, q.missedInfeasible, q.falseInfeasible)
	t.Logf("infeasible instances %d (of which joint: no k people cover all skills though each skill has holders: %d)",
		q.instances-q.feasible, q.joint)
	t.Logf("departments optimal %d/%d (%.1f%%), new links / optimum %.4f on average, lexicographic optimum %d/%d",
		q.deptOptimal, q.feasible, 100*q.deptOptimalShare(), q.linkRatio(), q.lexOptimal, q.feasible)
	t.Logf("at least as good on departments and new links: vs skill-only greedy %d/%d, vs random feasible %d/%d",
		q.vsGreedyOK, q.vsCount, q.vsRandomOK, q.vsCount)
	t.Logf("time: engine %v, exact %v", q.engineTime, q.exactTime)
	if q.violations != 0 {
		t.Errorf("%d constraint violations", q.violations)
	}
	if q.missedInfeasible != 0 || q.falseInfeasible != 0 {
		t.Errorf("infeasibility: %d missed, %d false", q.missedInfeasible, q.falseInfeasible)
	}
	if q.deptOptimalShare() < 0.95 {
		t.Errorf("departments optimal on %.1f%% < 95%%", 100*q.deptOptimalShare())
	}
	if q.linkRatio() < 0.95 {
		t.Errorf("new links %.4f of optimum < 0.95", q.linkRatio())
	}
	if q.feasible < n/2 {
		t.Errorf("only %d feasible instances: the generator is too harsh", q.feasible)
	}
	for name, ok := range map[string]int{"skill-only greedy": q.vsGreedyOK, "random feasible": q.vsRandomOK} {
		if float64(ok) < 0.9*float64(q.vsCount) {
			t.Errorf("vs %s: at least as good on only %d/%d", name, ok, q.vsCount)
		}
	}
}
