package pairing

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

func mustForm(t *testing.T, in Input) Result {
	t.Helper()
	res, err := Form(in)
	if err != nil {
		t.Fatalf("Form: %v", err)
	}
	if err := check(&in, &res); err != nil {
		t.Fatalf("%v\ngroups %v left out %v", err, res.Groups, res.LeftOut)
	}
	return res
}

func people(depts ...int64) []Participant {
	var ps []Participant
	for i, d := range depts {
		ps = append(ps, Participant{ID: int64(i + 1), Department: d})
	}
	return ps
}

func TestGroupSizes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n, k int
		want []int
	}{
		{0, 2, nil}, {1, 2, nil}, {2, 2, []int{2}}, {3, 2, []int{3}}, {5, 2, []int{3, 2}},
		{2, 3, []int{2}}, {3, 3, []int{3}}, {4, 3, []int{4}}, {5, 3, []int{3, 2}}, {7, 3, []int{4, 3}},
		{3, 4, []int{3}}, {5, 4, []int{5}}, {6, 4, []int{3, 3}}, {7, 4, []int{4, 3}}, {11, 4, []int{4, 4, 3}},
		{15, 4, []int{5, 5, 5}},
	}
	for _, c := range cases {
		if got := groupSizes(c.n, c.k); !reflect.DeepEqual(got, c.want) {
			t.Errorf("groupSizes(%d, %d) = %v, want %v", c.n, c.k, got, c.want)
		}
	}
}

func TestInvalid(t *testing.T) {
	t.Parallel()
	for _, in := range []Input{
		{GroupSize: 1}, {GroupSize: 5}, {GroupSize: 2, MaxLookback: -1},
		{GroupSize: 2, Participants: []Participant{{ID: 1}, {ID: 1}}},
	} {
		if _, err := Form(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: err %v, want ErrInvalid", in, err)
		}
	}
}

func TestTinyPools(t *testing.T) {
	t.Parallel()
	for size := 2; size <= 4; size++ {
		for n := 0; n <= 3; n++ {
			in := Input{GroupSize: size, Participants: people([]int64{1, 2, 1}[:n]...)}
			res := mustForm(t, in)
			switch n {
			case 0:
				if len(res.Groups)+len(res.LeftOut) != 0 {
					t.Errorf("size %d, 0 people: %v %v", size, res.Groups, res.LeftOut)
				}
			case 1:
				if len(res.Groups) != 0 || !reflect.DeepEqual(res.LeftOut, []LeftOut{{1, ReasonAlone}}) {
					t.Errorf("size %d, 1 person: %v %v", size, res.Groups, res.LeftOut)
				}
			default:
				if len(res.Groups) != 1 || len(res.Groups[0]) != n || len(res.LeftOut) != 0 {
					t.Errorf("size %d, %d people: %v %v", size, n, res.Groups, res.LeftOut)
				}
			}
		}
	}
}

func TestOddLeftoversJoinGroups(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n, size int
		want    []int
	}{{7, 2, []int{2, 2, 3}}, {11, 3, []int{3, 4, 4}}, {9, 4, []int{4, 5}}, {13, 4, []int{4, 4, 5}}} {
		in := randomInput(uint64(c.n), c.n, 3, c.size, 2, false, false)
		res := mustForm(t, in)
		if got := sizesOf(res.Groups); !reflect.DeepEqual(got, c.want) {
			t.Errorf("n %d size %d: sizes %v, want %v", c.n, c.size, got, c.want)
		}
	}
}

func TestHardConstraintsRandom(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 300; seed++ {
		n := int(seed % 37)
		size := 2 + int(seed%3)
		in := randomInput(seed, n, 1+int(seed%5), size, int(seed%4), true, true)
		res := mustForm(t, in)
		// never-with is the only reason besides pauses to leave someone out
		for _, l := range res.LeftOut {
			if l.Reason == ReasonNeverWith && len(in.NeverWith) == 0 {
				t.Fatalf("seed %d: %v left out for never-with without any", seed, l)
			}
		}
	}
}

func TestPausesAndNeverWith(t *testing.T) {
	t.Parallel()
	in := Input{GroupSize: 2, Participants: people(1, 2, 3, 4, 5, 6)}
	in.Participants[5].Paused = true
	in.NeverWith = [][2]int64{{1, 2}, {1, 3}, {1, 4}}
	res := mustForm(t, in)
	// 5 active: one pair and one triple; 1 must be with 5 only (its sole allowed partner) in a pair
	if !slices.ContainsFunc(res.Groups, func(g []int64) bool { return reflect.DeepEqual(g, []int64{1, 5}) }) {
		t.Errorf("groups %v: want {1,5}", res.Groups)
	}
	if !reflect.DeepEqual(res.LeftOut, []LeftOut{{6, ReasonPaused}}) {
		t.Errorf("left out %v", res.LeftOut)
	}
}

func TestNeverWithImpossible(t *testing.T) {
	t.Parallel()
	// Two people who must not meet: nobody can be grouped.
	res := mustForm(t, Input{GroupSize: 2, Participants: people(1, 2), NeverWith: [][2]int64{{2, 1}}})
	if len(res.Groups) != 0 || len(res.LeftOut) != 2 {
		t.Fatalf("groups %v left out %v", res.Groups, res.LeftOut)
	}
	for _, l := range res.LeftOut {
		if l.Reason != ReasonNeverWith && l.Reason != ReasonAlone {
			t.Errorf("reason %v", l)
		}
	}
	// 1 refuses everyone: 1 is left out, the others grouped.
	in := Input{GroupSize: 2, Participants: people(1, 2, 3), NeverWith: [][2]int64{{1, 2}, {1, 3}}}
	res = mustForm(t, in)
	if !reflect.DeepEqual(res.Groups, [][]int64{{2, 3}}) || !reflect.DeepEqual(res.LeftOut, []LeftOut{{1, ReasonNeverWith}}) {
		t.Fatalf("groups %v left out %v", res.Groups, res.LeftOut)
	}
}

func TestDominantDepartmentForcedPairsCounted(t *testing.T) {
	t.Parallel()
	// 10 people, 8 in department 1: 5 pairs, at most 2 can be mixed, so ≥ 3 same-department.
	in := Input{GroupSize: 2, Participants: people(1, 1, 1, 1, 1, 1, 1, 1, 2, 3)}
	for seed := int64(0); seed < 20; seed++ {
		in.Seed = seed
		res := mustForm(t, in)
		if r := res.Report; r.SameDepartmentPairs != 3 || r.SameDepartmentGroups != 3 {
			t.Fatalf("seed %d: report %+v, want exactly 3 same-department pairs", seed, r)
		}
	}
	// groups of 3 from 9 people, 7 in department 1: the best split of the 7 over 3 groups is
	// 3+2+2, i.e. 3+1+1 = 5 same-department pairs.
	in = Input{GroupSize: 3, Participants: people(1, 1, 1, 1, 1, 1, 1, 2, 3)}
	res := mustForm(t, in)
	if res.Report.SameDepartmentPairs != 5 || res.Report.SameDepartmentGroups != 3 {
		t.Fatalf("report %+v", res.Report)
	}
	t.Logf("9 people, 7 in one department, groups of 3: %d same-department pairs", res.Report.SameDepartmentPairs)
}

func TestLookbackRelaxedOnlyWhenForced(t *testing.T) {
	t.Parallel()
	// Four people have met in every possible pairing over three rounds: a repeat is forced, and
	// the engine should repeat the oldest round, honouring a lookback of 2.
	in := Input{GroupSize: 2, Participants: people(1, 2, 3, 4), History: []Round{
		{{1, 2}, {3, 4}}, {{1, 3}, {2, 4}}, {{1, 4}, {2, 3}},
	}}
	res := mustForm(t, in)
	if r := res.Report; r.RequestedLookback != 3 || r.Lookback != 2 || r.RepeatPairs != 2 {
		t.Fatalf("report %+v groups %v", r, res.Groups)
	}
	if !reflect.DeepEqual(res.Groups, [][]int64{{1, 2}, {3, 4}}) {
		t.Fatalf("groups %v, want the oldest round repeated", res.Groups)
	}
	// With MaxLookback 2 the oldest round does not count: no repeat within M.
	in.MaxLookback = 2
	res = mustForm(t, in)
	if r := res.Report; r.RequestedLookback != 2 || r.Lookback != 2 || r.RepeatPairs != 0 || r.NewPairs != 0 {
		t.Fatalf("report %+v", r)
	}
}

func TestDeterministicPerSeed(t *testing.T) {
	t.Parallel()
	for size := 2; size <= 4; size++ {
		in := randomInput(9, 300, 12, size, 5, true, true)
		a, b := mustForm(t, in), mustForm(t, in)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("size %d: same seed, different rounds", size)
		}
		in.Seed++
		if c := mustForm(t, in); reflect.DeepEqual(a.Groups, c.Groups) {
			t.Errorf("size %d: different seeds, same groups", size)
		}
	}
}

// TestCrossDepartmentWhenPossible: 200–220 people in 8 departments with 6 past rounds, in
// groups of 2, 3 and 4, always get a round with no same-department pair and no repeat; seeds
// 1–20 in the full sweep (fullSweep), 1–3 otherwise.
func TestCrossDepartmentWhenPossible(t *testing.T) {
	t.Parallel()
	seeds := uint64(20)
	if !fullSweep() {
		seeds = 3
	}
	for size := 2; size <= 4; size++ {
		for seed := uint64(1); seed <= seeds; seed++ {
			in := randomInput(seed, 200+int(seed), 8, size, 6, false, false)
			res := mustForm(t, in)
			if r := res.Report; r.SameDepartmentPairs != 0 || r.RepeatPairs != 0 {
				t.Fatalf("size %d seed %d: %+v", size, seed, r)
			}
		}
	}
}
