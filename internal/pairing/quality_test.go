package pairing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// roundsBeforeRepeat simulates rounds of pairs with full lookback (each round's groups appended
// to the history) until one holds a repeat, and returns how many repeat-free rounds came first.
func roundsBeforeRepeat(t *testing.T, n, nDept int, seed int64) int {
	t.Helper()
	in := Input{GroupSize: 2, Seed: seed}
	for i := 0; i < n; i++ {
		in.Participants = append(in.Participants, Participant{ID: int64(i + 1), Department: int64(1 + i%nDept)})
	}
	for r := 0; r < n; r++ {
		res := mustForm(t, in)
		if res.Report.RepeatPairs > 0 {
			return r
		}
		in.History = append(in.History, res.Groups)
		in.Seed++
	}
	return n
}

// TestRoundsBeforeRepeat: for N ≤ 40 people in pairs, a repeat should not be forced before
// 90% of the N−1 rounds a perfect schedule (a 1-factorisation) allows; checked per run for a
// single department (only repeats matter) and for 4 equal departments. The full sweep
// (fullSweep) is N = 8, 12, 16, 20, 24, 30, 36, 40 on seeds 1–5; otherwise N = 8, 16, 40 on
// seed 1.
func TestRoundsBeforeRepeat(t *testing.T) {
	t.Parallel()
	ns, seeds := []int{8, 12, 16, 20, 24, 30, 36, 40}, int64(5)
	if !fullSweep() {
		ns, seeds = []int{8, 16, 40}, 1
	}
	for _, nDept := range []int{1, 4} {
		for _, n := range ns {
			var got []int
			sum := 0
			for seed := int64(1); seed <= seeds; seed++ {
				r := roundsBeforeRepeat(t, n, nDept, seed*1000)
				got = append(got, r)
				sum += r
				if float64(r) < 0.9*float64(n-1) {
					t.Errorf("N %d, %d departments, seed %d: repeat forced after %d rounds < 90%% of %d", n, nDept, seed, r, n-1)
				}
			}
			t.Logf("N %2d, %d dept(s): repeat-free rounds %v of %d possible (avg %.1f%%)", n, nDept, got, n-1,
				100*float64(sum)/float64(int(seeds)*(n-1)))
		}
	}
}

// TestQualityAgainstExactMatching compares the engine's pair rounds with an exact
// maximum-weight perfect matching (bitmask DP, so N ≤ 16: the exact side is exponential) on
// 300 seeded instances with random departments, sites, links and 0–6 past rounds (from the
// random baseline, so some pairs are repeats to avoid). Weight is MaxPairWeight − cost per pair
// (cross-department +4, new +2, non-contiguous +1, repeat −100·recency). Asserts the average
// ratio engine/optimum ≥ 0.98.
func TestQualityAgainstExactMatching(t *testing.T) {
	t.Parallel()
	avg, minRatio, optimal := qualityRatio(300)
	t.Logf("N 4–16, 300 instances: average weight ratio %.4f, minimum %.4f, exactly optimal %d/300", avg, minRatio, optimal)
	if avg < 0.98 {
		t.Errorf("average ratio %.4f < 0.98", avg)
	}
}

// qualityRatio runs the engine and the exact matcher on nInst seeded instances and returns the
// average and minimum weight ratio (over instances with a positive optimum) and how many were
// exactly optimal. It panics if the engine ever beats the optimum or breaks a hard constraint.
func qualityRatio(nInst int) (avg, minRatio float64, optimal int) {
	var sumRatio float64
	minRatio = math.Inf(1)
	count := 0
	for seed := uint64(1); seed <= uint64(nInst); seed++ {
		n := 4 + 2*int(seed%7) // 4..16, even
		in := randomInput(seed, n, 2+int(seed%5), 2, int(seed%7), false, false)
		res, err := Form(in)
		if err == nil {
			err = check(&in, &res)
		}
		if err != nil {
			panic(err)
		}
		sc, err := NewScorer(in)
		if err != nil {
			panic(err)
		}
		ids := make([]int64, n)
		for i, p := range in.Participants {
			ids[i] = p.ID
		}
		opt := exactPairs(sc, ids)
		got := sc.Weight(res.Groups)
		if got > opt {
			panic(fmt.Sprintf("seed %d: engine %d above the exact optimum %d", seed, got, opt))
		}
		if got == opt {
			optimal++
		}
		if opt <= 0 {
			continue
		}
		r := float64(got) / float64(opt)
		sumRatio += r
		minRatio = min(minRatio, r)
		count++
	}
	return sumRatio / float64(count), minRatio, optimal
}

// denseInput is a harder instance for the large quality test: 4 departments of 40/30/20/10%,
// 4 sites (1–2 and 3–4 adjacent, so half the pairs are contiguous), ~20 links per person and 15
// past random rounds with full lookback.
func denseInput(seed uint64, n int) Input {
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	in := Input{GroupSize: 2, Seed: int64(seed), AdjacentSites: [][2]int64{{1, 2}, {3, 4}}}
	for i := 0; i < n; i++ {
		d := []int64{1, 1, 1, 1, 2, 2, 2, 3, 3, 4}[i*10/n]
		in.Participants = append(in.Participants, Participant{ID: int64(10 + 3*i), Department: d,
			Unit: int64(1 + rng.IntN(12)), Site: int64(1 + rng.IntN(4))})
	}
	for i := 0; i < 10*n; i++ {
		in.Links = append(in.Links, [2]int64{in.Participants[rng.IntN(n)].ID, in.Participants[rng.IntN(n)].ID})
	}
	for r := 0; r < 15; r++ {
		h := in
		h.Seed = int64(seed)*1000 + int64(r)
		res, _ := RandomRound(h)
		in.History = append(in.History, res.Groups)
	}
	return in
}

// skewedInput is a large instance where cross-department pairs run out: one department holds
// ~70% of the people (so ~40% must pair within it and the optimum trades same-department pairs
// against links and sites), 6 sites (0 unknown; 1–2 and 3–4 adjacent), 20 units, ~6 links per
// person and 12 past random rounds with lookback M = 8.
func skewedInput(seed uint64, n int) Input {
	rng := rand.New(rand.NewPCG(seed, uint64(n)+99))
	in := Input{GroupSize: 2, Seed: int64(seed), AdjacentSites: [][2]int64{{1, 2}, {3, 4}}, MaxLookback: 8}
	for i := 0; i < n; i++ {
		d := int64(1)
		if x := rng.IntN(100); x >= 70 {
			d = 2 + int64(x%6)
		}
		in.Participants = append(in.Participants, Participant{ID: int64(7 + 5*i), Department: d,
			Unit: int64(1 + rng.IntN(20)), Site: int64(rng.IntN(6))})
	}
	for i := 0; i < 3*n; i++ {
		in.Links = append(in.Links, [2]int64{in.Participants[rng.IntN(n)].ID, in.Participants[rng.IntN(n)].ID})
	}
	for r := 0; r < 12; r++ {
		h := in
		h.Seed = int64(seed)*1000 + int64(r)
		res, _ := RandomRound(h)
		in.History = append(in.History, res.Groups)
	}
	return in
}

// largeFamilies are the instance generators of the large exact quality test.
var largeFamilies = []struct {
	name string
	gen  func(seed uint64, n int) Input
}{{"dense", denseInput}, {"skewed", skewedInput}}

// exactRatio runs the engine on in (pairs, even N, no never-with pairs) and the blossom matcher
// on the same Scorer weights, and returns the engine's weight, the optimum and their ratio. It
// fails tb if the engine breaks a hard constraint, leaves someone out, or beats the optimum
// (which would mean the exact matcher is wrong).
func exactRatio(tb testing.TB, in Input) (got, opt int64, ratio float64, res Result) {
	tb.Helper()
	res, err := Form(in)
	if err == nil {
		err = check(&in, &res)
	}
	if err != nil {
		tb.Fatal(err)
	}
	sc, err := NewScorer(in)
	if err != nil {
		tb.Fatal(err)
	}
	ids := make([]int64, len(in.Participants))
	for i, p := range in.Participants {
		ids[i] = p.ID
	}
	opt, pairs, err := exactPairsBlossom(sc, ids)
	if err != nil {
		tb.Fatal(err)
	}
	if sc.Weight(pairs) != opt {
		tb.Fatalf("exact pairs score %d, not the reported optimum %d", sc.Weight(pairs), opt)
	}
	got = sc.Weight(res.Groups)
	if len(res.LeftOut) != 0 || len(res.Groups) != len(ids)/2 {
		tb.Fatalf("engine left out %d people / made %d groups for %d people", len(res.LeftOut), len(res.Groups), len(ids))
	}
	if got > opt {
		tb.Fatalf("engine weight %d above the exact optimum %d", got, opt)
	}
	if opt <= 0 {
		tb.Fatalf("non-positive optimum %d", opt)
	}
	return got, opt, float64(got) / float64(opt), res
}

// TestQualityAgainstExactLarge covers N = 100–1,000 in pairs against an exact maximum-weight
// perfect matching (the blossom algorithm of blossom_test.go, O(N³), on the complete graph
// weighted by the Scorer: MaxPairWeight − cost per pair, the weight the engine optimises). Two
// instance families (denseInput: 4 departments of 40/30/20/10%, half the pairs contiguous, many
// links and 15 past rounds; skewedInput: a department of ~70%, so many forced same-department
// pairs) on several seeds per N; asserts the average ratio engine/optimum ≥ 0.98 per N and
// logs the minimum and average. The engine dominates the time (about 1 s per N = 1,000 round,
// 10× that under the race detector), so only the full sweep (fullSweep) runs every seed;
// otherwise 3, 2, 1 and 1 (dense only) instances per family at N = 100, 200, 500, 1,000.
func TestQualityAgainstExactLarge(t *testing.T) {
	t.Parallel()
	full := fullSweep()
	seeds := map[int]int{100: 8, 200: 6, 500: 4, 1000: 2}
	if !full {
		seeds = map[int]int{100: 3, 200: 2, 500: 1, 1000: 1}
	}
	for _, n := range []int{100, 200, 500, 1000} {
		t.Run(fmt.Sprintf("N=%d", n), func(t *testing.T) {
			t.Parallel()
			var all []float64
			for _, fam := range largeFamilies {
				if n == 1000 && fam.name == "skewed" && !full {
					continue // one instance at N = 1,000 outside the full sweep
				}
				var rs []float64
				for seed := uint64(1); seed <= uint64(seeds[n]); seed++ {
					got, opt, r, res := exactRatio(t, fam.gen(seed, n))
					t.Logf("N %4d %-6s seed %d: engine %5d, optimum %5d, ratio %.4f (repeats %d, same-department pairs %d)",
						n, fam.name, seed, got, opt, r, res.Report.RepeatPairs, res.Report.SameDepartmentPairs)
					rs = append(rs, r)
				}
				all = append(all, rs...)
				t.Logf("N %4d %-6s: %d instances, min ratio %.4f, average %.4f", n, fam.name, len(rs), slices.Min(rs), mean(rs))
			}
			t.Logf("N %4d all: %d instances, min ratio %.4f, average %.4f", n, len(all), slices.Min(all), mean(all))
			if mean(all) < 0.98 {
				t.Errorf("N %d: average ratio to the exact optimum %.4f < 0.98", n, mean(all))
			}
		})
	}
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}
