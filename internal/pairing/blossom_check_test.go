package pairing

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBlossomHandCases runs the unit tests of mwmatching.py (same graphs, same expected mates),
// which exercise S-blossoms, T-blossoms, nested blossoms and their expansion, plus a triangle
// with a pendant vertex.
func TestBlossomHandCases(t *testing.T) {
	t.Parallel()
	type e = [3]int64
	cases := []struct {
		name    string
		edges   []e
		maxcard bool
		want    []int32
	}{
		{"single edge", []e{{0, 1, 1}}, false, []int32{1, 0}},
		{"12", []e{{1, 2, 10}, {2, 3, 11}}, false, []int32{-1, -1, 3, 2}},
		{"13", []e{{1, 2, 5}, {2, 3, 11}, {3, 4, 5}}, false, []int32{-1, -1, 3, 2, -1}},
		{"14 maxcard", []e{{1, 2, 5}, {2, 3, 11}, {3, 4, 5}}, true, []int32{-1, 2, 1, 4, 3}},
		{"16 negative", []e{{1, 2, 2}, {1, 3, -2}, {2, 3, 1}, {2, 4, -1}, {3, 4, -6}}, false, []int32{-1, 2, 1, -1, -1}},
		{"16 negative maxcard", []e{{1, 2, 2}, {1, 3, -2}, {2, 3, 1}, {2, 4, -1}, {3, 4, -6}}, true, []int32{-1, 3, 4, 1, 2}},
		{"20 S-blossom", []e{{1, 2, 8}, {1, 3, 9}, {2, 3, 10}, {3, 4, 7}}, false, []int32{-1, 2, 1, 4, 3}},
		{"20 S-blossom augment", []e{{1, 2, 8}, {1, 3, 9}, {2, 3, 10}, {3, 4, 7}, {1, 6, 5}, {4, 5, 6}}, false, []int32{-1, 6, 3, 2, 5, 4, 1}},
		{"21 T-blossom a", []e{{1, 2, 9}, {1, 3, 8}, {2, 3, 10}, {1, 4, 5}, {4, 5, 4}, {1, 6, 3}}, false, []int32{-1, 6, 3, 2, 5, 4, 1}},
		{"21 T-blossom b", []e{{1, 2, 9}, {1, 3, 8}, {2, 3, 10}, {1, 4, 5}, {4, 5, 3}, {1, 6, 4}}, false, []int32{-1, 6, 3, 2, 5, 4, 1}},
		{"21 T-blossom c", []e{{1, 2, 9}, {1, 3, 8}, {2, 3, 10}, {1, 4, 5}, {4, 5, 3}, {3, 6, 4}}, false, []int32{-1, 2, 1, 6, 5, 4, 3}},
		{"22 nested S", []e{{1, 2, 9}, {1, 3, 9}, {2, 3, 10}, {2, 4, 8}, {3, 5, 8}, {4, 5, 10}, {5, 6, 6}}, false, []int32{-1, 3, 4, 1, 2, 6, 5}},
		{"23 S relabel nest", []e{{1, 2, 10}, {1, 7, 10}, {2, 3, 12}, {3, 4, 20}, {3, 5, 20}, {4, 5, 25}, {5, 6, 10}, {6, 7, 10}, {7, 8, 8}}, false, []int32{-1, 2, 1, 4, 3, 6, 5, 8, 7}},
		{"24 nested S expand", []e{{1, 2, 8}, {1, 3, 8}, {2, 3, 10}, {2, 4, 12}, {3, 5, 12}, {4, 5, 14}, {4, 6, 12}, {5, 7, 12}, {6, 7, 14}, {7, 8, 12}}, false, []int32{-1, 2, 1, 5, 6, 3, 4, 8, 7}},
		{"25 S to T expand", []e{{1, 2, 23}, {1, 5, 22}, {1, 6, 15}, {2, 3, 25}, {3, 4, 22}, {4, 5, 25}, {4, 8, 14}, {5, 7, 13}}, false, []int32{-1, 6, 3, 2, 8, 7, 1, 5, 4}},
		{"26 nested S to T expand", []e{{1, 2, 19}, {1, 3, 20}, {1, 8, 8}, {2, 3, 25}, {2, 4, 18}, {3, 5, 18}, {4, 5, 13}, {4, 7, 7}, {5, 6, 7}}, false, []int32{-1, 8, 3, 2, 7, 6, 5, 4, 1}},
		{"30 T nasty expand", []e{{1, 2, 45}, {1, 5, 45}, {2, 3, 50}, {3, 4, 45}, {4, 5, 50}, {1, 6, 30}, {3, 9, 35}, {4, 8, 35}, {5, 7, 26}, {9, 10, 5}}, false, []int32{-1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9}},
		{"31 T nasty expand 2", []e{{1, 2, 45}, {1, 5, 45}, {2, 3, 50}, {3, 4, 45}, {4, 5, 50}, {1, 6, 30}, {3, 9, 35}, {4, 8, 26}, {5, 7, 40}, {9, 10, 5}}, false, []int32{-1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9}},
		{"32 T expand least slack", []e{{1, 2, 45}, {1, 5, 45}, {2, 3, 50}, {3, 4, 45}, {4, 5, 50}, {1, 6, 30}, {3, 9, 35}, {4, 8, 28}, {5, 7, 26}, {9, 10, 5}}, false, []int32{-1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9}},
		{"33 nested T nasty expand", []e{{1, 2, 45}, {1, 7, 45}, {2, 3, 50}, {3, 4, 45}, {4, 5, 95}, {4, 6, 94}, {5, 6, 94}, {6, 7, 50}, {1, 8, 30}, {3, 11, 35}, {5, 9, 36}, {7, 10, 26}, {11, 12, 5}}, false, []int32{-1, 8, 3, 2, 6, 9, 4, 10, 1, 5, 7, 12, 11}},
		{"34 nested relabel expand", []e{{1, 2, 40}, {1, 3, 40}, {2, 3, 60}, {2, 4, 55}, {3, 5, 55}, {4, 5, 50}, {1, 8, 15}, {5, 7, 30}, {7, 6, 10}, {8, 10, 10}, {4, 9, 30}}, false, []int32{-1, 2, 1, 5, 9, 3, 7, 6, 10, 4, 8}},
		// Triangles with pendants: an odd cycle of tight edges becomes a blossom, and the
		// optimum leaves it through the right vertex (or, for a negative pendant, only with
		// maxcard).
		{"triangle two pendants", []e{{0, 1, 10}, {1, 2, 10}, {0, 2, 10}, {0, 3, 2}, {1, 4, 1}}, false, []int32{3, 2, 1, 0, -1}},
		{"triangle pendant", []e{{0, 1, 10}, {1, 2, 6}, {0, 2, 6}, {2, 3, 3}}, false, []int32{1, 0, 3, 2}},
		{"triangle pendant light", []e{{0, 1, 10}, {1, 2, 6}, {0, 2, 6}, {2, 3, -1}}, false, []int32{1, 0, -1, -1}},
		{"triangle pendant light maxcard", []e{{0, 1, 10}, {1, 2, 6}, {0, 2, 6}, {2, 3, -1}}, true, []int32{1, 0, 3, 2}},
		{"triangle pendant heavy", []e{{0, 1, 10}, {1, 2, 9}, {0, 2, 6}, {2, 3, 2}}, false, []int32{1, 0, 3, 2}},
	}
	for _, c := range cases {
		nv := 0
		var edges []wedge
		for _, x := range c.edges {
			edges = append(edges, wedge{int32(x[0]), int32(x[1]), x[2]})
			nv = max(nv, int(x[0])+1, int(x[1])+1)
		}
		mate, w, err := maxWeightMatching(nv, edges, c.maxcard)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(mate, c.want) {
			t.Errorf("%s: mate %v, want %v (weight %d)", c.name, mate, c.want, w)
		}
		bw, bcw := bruteMatching(nv, edges)
		want := bw
		if c.maxcard {
			want = bcw[1]
		}
		if w != want {
			t.Errorf("%s: weight %d, brute force %d", c.name, w, want)
		}
	}
}

// bruteMatching returns, by dynamic programming over subsets (n ≤ 16), the maximum weight of
// any matching and the best (cardinality, weight) pair over matchings, cardinality first.
func bruteMatching(n int, edges []wedge) (int64, [2]int64) {
	const none = int64(-1) << 62
	w := make([]int64, n*n)
	for i := range w {
		w[i] = none
	}
	for _, e := range edges {
		w[int(e.i)*n+int(e.j)], w[int(e.j)*n+int(e.i)] = e.w, e.w
	}
	best := make([]int64, 1<<n)
	bestCW := make([][2]int64, 1<<n)
	done := make([]bool, 1<<n)
	better := func(a, b [2]int64) bool { return a[0] > b[0] || (a[0] == b[0] && a[1] > b[1]) }
	var rec func(mask int)
	rec = func(mask int) {
		if done[mask] {
			return
		}
		done[mask] = true
		if mask == 0 {
			return
		}
		i := 0
		for mask&(1<<i) == 0 {
			i++
		}
		rest := mask &^ (1 << i)
		rec(rest)
		b, bcw := best[rest], bestCW[rest]
		for j := i + 1; j < n; j++ {
			if rest&(1<<j) == 0 || w[i*n+j] == none {
				continue
			}
			r := rest &^ (1 << j)
			rec(r)
			b = max(b, w[i*n+j]+best[r])
			if c := [2]int64{bestCW[r][0] + 1, bestCW[r][1] + w[i*n+j]}; better(c, bcw) {
				bcw = c
			}
		}
		best[mask], bestCW[mask] = b, bcw
	}
	rec(1<<n - 1)
	return best[1<<n-1], bestCW[1<<n-1]
}

// TestBlossomAgainstBruteForce: on 3,000 random graphs (1,000 outside the full sweep) of 1–14
// vertices, densities 0.2–1, weights from ranges including negative ones and many ties, the
// blossom matcher's weight equals the subset DP's, for both maximum weight and maximum weight
// among maximum-cardinality matchings, and its matching is valid and of the weight it reports.
// It also checks that every blossom operation (creation, T-expansion, end-of-stage expansion,
// augmentation through a blossom) was exercised.
func TestBlossomAgainstBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(42, 1))
	var total blossomStats
	nInst := 3000
	if !fullSweep() {
		nInst = 1000
	}
	for inst := 0; inst < nInst; inst++ {
		n := 1 + rng.IntN(14)
		density := []float64{0.2, 0.4, 0.7, 1}[inst%4]
		lo, hi := []int64{1, 0, -5, -20, 1}[inst%5], []int64{3, 10, 5, 20, 1000}[inst%5]
		var edges []wedge
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if rng.Float64() < density {
					a, b := int32(i), int32(j)
					if rng.IntN(2) == 0 {
						a, b = b, a
					}
					edges = append(edges, wedge{a, b, lo + rng.Int64N(hi-lo+1)})
				}
			}
		}
		rng.Shuffle(len(edges), func(i, j int) { edges[i], edges[j] = edges[j], edges[i] })
		bw, bcw := bruteMatching(n, edges)
		for _, maxcard := range []bool{false, true} {
			mate, w, st, err := maxWeightMatchingStats(n, edges, maxcard)
			if err != nil {
				t.Fatalf("instance %d (n %d, maxcard %v): %v", inst, n, maxcard, err)
			}
			total.added += st.added
			total.expandedT += st.expandedT
			total.expandedEnd += st.expandedEnd
			total.augmented += st.augmented
			want, card := bw, 0
			if maxcard {
				want = bcw[1]
			}
			// the matching itself: a valid matching over existing edges, of weight w
			ew := map[[2]int32]int64{}
			for _, e := range edges {
				ew[[2]int32{min(e.i, e.j), max(e.i, e.j)}] = e.w
			}
			var sum int64
			for v, u := range mate {
				if u >= 0 && int32(v) < u {
					x, ok := ew[[2]int32{int32(v), u}]
					if !ok {
						t.Fatalf("instance %d: matched non-edge %d–%d", inst, v, u)
					}
					sum += x
					card++
				}
			}
			if w != want || sum != w || (maxcard && int64(card) != bcw[0]) {
				t.Fatalf("instance %d (n %d, %d edges, maxcard %v): blossom weight %d (sum %d, %d pairs), brute force %d %v",
					inst, n, len(edges), maxcard, w, sum, card, want, bcw)
			}
		}
	}
	t.Logf("blossoms: %d created, %d T-blossoms expanded in a stage, %d expanded at a stage end, %d augmented through",
		total.added, total.expandedT, total.expandedEnd, total.augmented)
	if total.added == 0 || total.expandedT == 0 || total.expandedEnd == 0 || total.augmented == 0 {
		t.Errorf("some blossom operation never exercised: %+v", total)
	}
}

// TestBlossomAgainstExactPairs: on the quality test's instances (the Scorer's weights, even
// N = 4–14, random departments, links, sites and past rounds, so negative weights for repeats)
// the blossom matcher finds exactly the bitmask search's optimum, and its pairs score that
// weight on the Scorer.
func TestBlossomAgainstExactPairs(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 400; seed++ {
		n := 4 + 2*int(seed%6) // 4..14
		in := randomInput(seed, n, 1+int(seed%5), 2, int(seed%8), false, false)
		sc, err := NewScorer(in)
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, n)
		for i, p := range in.Participants {
			ids[i] = p.ID
		}
		want := exactPairs(sc, ids)
		got, pairs, err := exactPairsBlossom(sc, ids)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if got != want || sc.Weight(pairs) != got {
			t.Fatalf("seed %d (N %d): blossom %d (pairs score %d), bitmask %d", seed, n, got, sc.Weight(pairs), want)
		}
	}
}
