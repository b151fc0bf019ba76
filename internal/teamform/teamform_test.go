package teamform

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"
)

func checkTeam(t *testing.T, in *Input, tm *Team) {
	t.Helper()
	o := newOracle(in)
	ids := tm.IDs()
	if v := o.violations(ids); len(v) > 0 {
		t.Fatalf("constraint violations: %v (team %v)", v, ids)
	}
	if got, want := tm.Summary, o.summary(ids); got != want {
		t.Fatalf("summary %+v, recomputed %+v", got, want)
	}
	for i, m := range tm.Members {
		if want := o.explanation(ids, i); !reflect.DeepEqual(m.Explanation, want) {
			t.Fatalf("member %d (%d) explanation %+v, recomputed %+v", i, m.Candidate.ID, m.Explanation, want)
		}
	}
}

func TestSmallTeamCoversAndExplains(t *testing.T) {
	t.Parallel()
	in := Input{
		K:        3,
		Required: []Requirement{{Skill: 1, MinLevel: 2, Count: 2}, {Skill: 2, MinLevel: 1, Count: 1}},
		Candidates: []Candidate{
			{ID: 1, Department: 10, Site: 1, Capacity: 1, Skills: []SkillLevel{{1, 3}, {2, 1}}},
			{ID: 2, Department: 10, Site: 1, Capacity: 1, Skills: []SkillLevel{{1, 2}}},
			{ID: 3, Department: 20, Site: 2, Capacity: 1, Skills: []SkillLevel{{1, 2}}},
			{ID: 4, Department: 30, Site: 3, Capacity: 0, Skills: []SkillLevel{{1, 3}}}, // no capacity
			{ID: 5, Department: 40, Site: 3, Capacity: 2},
			{ID: 6, Department: 20, Site: 1, Capacity: 1, Skills: []SkillLevel{{1, 1}}}, // level too low
		},
		Links: [][2]int64{{1, 3}},
	}
	res, err := Form(in)
	if err != nil || res.Team == nil {
		t.Fatalf("Form: %v %+v", err, res.Infeasible)
	}
	checkTeam(t, &in, res.Team)
	// Best: 1 (skills 1,2), 3 (skill 1), and 5 for a third department; 1–3 already linked.
	got := map[int64]bool{}
	for _, id := range res.Team.IDs() {
		got[id] = true
	}
	if !got[1] || !got[3] || !got[5] {
		t.Fatalf("team %v, want {1,3,5}", res.Team.IDs())
	}
	if s := res.Team.Summary; s.Departments != 3 || s.NewLinks != 2 || s.Pairs != 3 {
		t.Fatalf("summary %+v", s)
	}
}

func TestInfeasibleReasonsExact(t *testing.T) {
	t.Parallel()
	in := Input{
		K: 3,
		Required: []Requirement{
			{Skill: 7, MinLevel: 2, Count: 3},
			{Skill: 8, MinLevel: 1, Count: 1},
			{Skill: 9, MinLevel: 3, Count: 2},
		},
		Candidates: []Candidate{
			{ID: 1, Department: 1, Capacity: 1, Skills: []SkillLevel{{7, 2}, {8, 1}}},
			{ID: 2, Department: 1, Capacity: 0, Skills: []SkillLevel{{7, 3}}}, // no capacity
			{ID: 3, Department: 2, Capacity: 1, Skills: []SkillLevel{{7, 1}, {9, 3}}},
			{ID: 4, Department: 2, Capacity: 1, Skills: []SkillLevel{{7, 3}, {9, 2}}},
			{ID: 5, Department: 3, Capacity: 1, Skills: []SkillLevel{{7, 2}}},
		},
		Exclude: []int64{5},
	}
	res, err := Form(in)
	if err != nil {
		t.Fatal(err)
	}
	want := &Infeasible{
		Missing: []Shortfall{
			{Skill: 7, MinLevel: 2, Needed: 3, Available: 2},
			{Skill: 9, MinLevel: 3, Needed: 2, Available: 1},
		},
		Eligible: 3, K: 3,
	}
	if res.Team != nil || !reflect.DeepEqual(res.Infeasible, want) {
		t.Fatalf("got %+v, want %+v", res.Infeasible, want)
	}
	if msg := res.Infeasible.Error(); msg == "" {
		t.Fatal("empty message")
	}

	// Too few candidates with capacity.
	in2 := Input{K: 4, Candidates: in.Candidates[:3]}
	res, _ = Form(in2)
	if res.Infeasible == nil || !res.Infeasible.TooFewCandidates || res.Infeasible.Eligible != 2 {
		t.Fatalf("too few: %+v", res.Infeasible)
	}

	// Joint: each skill has holders, but disjoint ones exceed k.
	in3 := Input{K: 3, Required: []Requirement{{1, 1, 2}, {2, 1, 2}}}
	for i := int64(1); i <= 4; i++ {
		in3.Candidates = append(in3.Candidates, Candidate{ID: i, Department: i, Capacity: 1,
			Skills: []SkillLevel{{SkillID(1 + (i-1)/2), 1}}})
	}
	res, _ = Form(in3)
	if res.Infeasible == nil || !res.Infeasible.Joint || len(res.Infeasible.Missing) != 0 {
		t.Fatalf("joint: %+v", res.Infeasible)
	}
}

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	for _, in := range []Input{{K: 2}, {K: 16}, {K: 3, Required: []Requirement{{1, 1, 0}}}} {
		if _, err := Form(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("K=%d: err %v", in.K, err)
		}
	}
}

func TestExclusionAndDeterminism(t *testing.T) {
	t.Parallel()
	for seed := uint64(0); seed < 40; seed++ {
		in := randomSmall(seed)
		a, err := Form(in)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Form(in)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("seed %d: not deterministic", seed)
		}
		if a.Team == nil {
			continue
		}
		checkTeam(t, &in, a.Team)
		// Exclude the first member: recompute, they must be gone and constraints still hold.
		ex := in
		ex.Exclude = append(append([]int64(nil), in.Exclude...), a.Team.Members[0].Candidate.ID)
		c, _ := Form(ex)
		if c.Team != nil {
			checkTeam(t, &ex, c.Team)
		}
	}
}

// TestLargeFilteredPoolHardConstraints: on a large pool (50,000 candidates in the full sweep,
// fullSweep; 5,000 otherwise) the team meets every hard constraint, is deterministic and is at
// least as good as the skill-only greedy baseline.
func TestLargeFilteredPoolHardConstraints(t *testing.T) {
	t.Parallel()
	n := 50_000
	if !fullSweep() {
		n = 5000
	}
	in := largeInstance(n, 300, 1000, 15, 8)
	res, err := Form(in)
	if err != nil || res.Team == nil {
		t.Fatalf("%v %+v", err, res.Infeasible)
	}
	checkTeam(t, &in, res.Team)
	again, _ := Form(in)
	if !reflect.DeepEqual(res, again) {
		t.Fatal("not deterministic")
	}
	base, _ := SkillGreedy(in)
	checkTeam(t, &in, base.Team)
	if res.Team.Summary.Score().Compare(base.Team.Summary.Score()) < 0 {
		t.Fatalf("engine %+v worse than baseline %+v", res.Team.Summary, base.Team.Summary)
	}
}

func TestReplacements(t *testing.T) {
	t.Parallel()
	for seed := uint64(0); seed < 40; seed++ {
		in := randomSmall(seed)
		res, _ := Form(in)
		if res.Team == nil {
			continue
		}
		ids := res.Team.IDs()
		o := newOracle(&in)
		before := o.summary(ids).Score()
		for slot := range ids {
			reps, err := Replacements(in, ids, slot, 3)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range reps {
				swapped := append([]int64(nil), ids...)
				swapped[slot] = r.Candidate.ID
				if v := o.violations(swapped); len(v) > 0 {
					t.Fatalf("seed %d slot %d: replacement %d breaks %v", seed, slot, r.Candidate.ID, v)
				}
				after := o.summary(swapped)
				if after != r.Summary {
					t.Fatalf("summary %+v, recomputed %+v", r.Summary, after)
				}
				d := Score{after.Departments - before.Departments, after.NewLinks - before.NewLinks,
					after.NonContiguousLinks - before.NonContiguousLinks}
				if d != r.Delta {
					t.Fatalf("delta %+v, recomputed %+v", r.Delta, d)
				}
				if i > 0 && reps[i-1].Delta.Compare(r.Delta) < 0 {
					t.Fatal("not sorted")
				}
				// The engine's team is a local optimum: no replacement improves it.
				if r.Delta.Compare(Score{}) > 0 {
					t.Fatalf("seed %d: swap %d→%d improves %+v", seed, ids[slot], r.Candidate.ID, r.Delta)
				}
			}
		}
	}
}

// randomTight draws small instances with many requirements and a small k, where covering
// all skills jointly is the hard part.
func randomTight(seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 7))
	in := Input{K: 3 + rng.IntN(2), Seed: int64(seed)}
	n := 8 + rng.IntN(14)
	nSkills := 4 + rng.IntN(4)
	for i := 0; i < n; i++ {
		c := Candidate{ID: int64(i + 1), Department: int64(1 + rng.IntN(4)), Site: int64(rng.IntN(3)), Capacity: 1}
		for s := 0; s < nSkills; s++ {
			if rng.IntN(4) == 0 {
				c.Skills = append(c.Skills, SkillLevel{Skill: SkillID(s + 1), Level: 1 + rng.IntN(2)})
			}
		}
		in.Candidates = append(in.Candidates, c)
	}
	for s := 0; s < nSkills; s++ {
		in.Required = append(in.Required, Requirement{Skill: SkillID(s + 1), MinLevel: 1, Count: 1 + rng.IntN(2)})
	}
	return in
}

func TestTightCoverageMatchesExact(t *testing.T) {
	t.Parallel()
	var feasible, joint, viaExactCover, rescued int
	for seed := uint64(0); seed < 300; seed++ {
		in := randomTight(seed)
		_, _, want := exact(&in)
		res, err := Form(in)
		if err != nil {
			t.Fatal(err)
		}
		if (res.Team != nil) != want {
			t.Fatalf("seed %d: engine feasible=%v, exact %v (%+v)", seed, res.Team != nil, want, res.Infeasible)
		}
		if res.Team != nil {
			feasible++
			checkTeam(t, &in, res.Team)
		} else if res.Infeasible.Joint {
			joint++
			if res.Infeasible.Inconclusive {
				t.Fatalf("seed %d: inconclusive", seed)
			}
		}
		// The exact coverage search alone must agree as well.
		p, inf, _ := prepare(&in)
		if inf == nil {
			s, found, decided := buildPool(p).exactCover(exactBudget)
			if !decided || found != want {
				t.Fatalf("seed %d: exactCover found=%v decided=%v, exact %v", seed, found, decided, want)
			}
			pl := buildPool(p)
			_, ok1 := pl.construct(nil, false)
			_, ok2 := pl.construct(nil, true)
			if want && !ok1 && !ok2 {
				rescued++
			}
			if found {
				viaExactCover++
				ids := make([]int64, len(s.members))
				for i, m := range s.members {
					ids[i] = s.pl.id[m]
				}
				if v := newOracle(&in).violations(ids); len(v) > 0 {
					t.Fatalf("seed %d: exactCover team %v", seed, v)
				}
			}
		}
	}
	t.Logf("tight instances: %d feasible, %d jointly infeasible, %d covered by exactCover alone, %d where both deterministic greedies failed",
		feasible, joint, viaExactCover, rescued)
	if feasible == 0 || joint == 0 {
		t.Fatal("generator does not exercise both outcomes")
	}
}

func TestContiguityFuncMatchesPairs(t *testing.T) {
	t.Parallel()
	for seed := uint64(0); seed < 40; seed++ {
		pairs := randomSmall(seed)
		pairs.AdjacentSites = [][2]int64{{1, 2}, {3, 2}}
		fn := pairs
		fn.AdjacentSites = nil
		fn.Contiguous = func(a, b int64) bool { return (a == 1 && b == 2) || (a == 2 && b == 3) }
		ra, _ := Form(pairs)
		rb, _ := Form(fn)
		if !reflect.DeepEqual(ra, rb) {
			t.Fatalf("seed %d: adjacency pairs and func disagree", seed)
		}
		if rb.Team != nil {
			checkTeam(t, &fn, rb.Team)
		}
	}
}

// Explain reads a team exactly as Form explains its own, and refuses a stranger.
func TestExplainMatchesForm(t *testing.T) {
	t.Parallel()
	explained := 0
	for seed := uint64(1); seed <= 30; seed++ {
		in := randomSmall(seed)
		res, err := Form(in)
		if err != nil || res.Team == nil {
			continue
		}
		got, err := Explain(in, res.Team.IDs())
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, res.Team) {
			t.Fatalf("seed %d: Explain = %+v, Form = %+v", seed, got, res.Team)
		}
		explained++
	}
	if explained < 10 {
		t.Fatalf("only %d feasible instances explained", explained)
	}
	if _, err := Explain(randomSmall(1), []int64{-42}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a stranger: err = %v", err)
	}
}
