package pairing

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// randomInput draws a seeded instance: n participants in nDept departments over 6 sites (1–2
// and 3–4 adjacent), some paused, some never-with pairs and collaboration links, and a history
// of rounds made by RandomRound.
func randomInput(seed uint64, n, nDept, size, rounds int, paused, never bool) Input {
	rng := rand.New(rand.NewPCG(seed, 7))
	in := Input{GroupSize: size, Seed: int64(seed), AdjacentSites: [][2]int64{{1, 2}, {3, 4}}}
	for i := 0; i < n; i++ {
		in.Participants = append(in.Participants, Participant{ID: int64(1000 + 13*i), Department: int64(1 + rng.IntN(nDept)),
			Unit: int64(1 + rng.IntN(3*nDept)), Site: int64(rng.IntN(7)), Paused: paused && rng.IntN(8) == 0})
	}
	id := func() int64 { return in.Participants[rng.IntN(n)].ID }
	if n > 1 {
		for i := 0; i < n; i++ {
			in.Links = append(in.Links, [2]int64{id(), id()})
		}
		if never {
			for i := 0; i < n/3+1; i++ {
				in.NeverWith = append(in.NeverWith, [2]int64{id(), id()})
			}
		}
	}
	for r := 0; r < rounds; r++ {
		h := in
		h.Seed = int64(seed)*100 + int64(r)
		res, _ := RandomRound(h)
		in.History = append(in.History, res.Groups)
	}
	return in
}

// check verifies the hard constraints of res against in, independently of the engine, and
// that the report matches a recomputation. It returns a description of the first problem.
func check(in *Input, res *Result) error {
	byID := map[int64]Participant{}
	for _, p := range in.Participants {
		byID[p.ID] = p
	}
	never := map[[2]int64]bool{}
	for _, e := range in.NeverWith {
		never[[2]int64{e[0], e[1]}], never[[2]int64{e[1], e[0]}] = true, true
	}
	seen := map[int64]int{}
	for _, g := range res.Groups {
		if len(g) < 2 {
			return fmt.Errorf("group %v has fewer than 2 people", g)
		}
		if len(g) > in.GroupSize+1 && len(in.NeverWith) == 0 {
			return fmt.Errorf("group %v larger than %d", g, in.GroupSize+1)
		}
		for i, x := range g {
			p, ok := byID[x]
			if !ok {
				return fmt.Errorf("unknown id %d", x)
			}
			if p.Paused {
				return fmt.Errorf("paused %d grouped", x)
			}
			seen[x]++
			for _, y := range g[i+1:] {
				if never[[2]int64{x, y}] {
					return fmt.Errorf("never-with pair %d–%d grouped", x, y)
				}
			}
		}
	}
	for _, l := range res.LeftOut {
		seen[l.ID]++
		p := byID[l.ID]
		if p.Paused != (l.Reason == ReasonPaused) {
			return fmt.Errorf("left out %d with reason %q, paused=%v", l.ID, l.Reason, p.Paused)
		}
	}
	active := 0
	for _, p := range in.Participants {
		if seen[p.ID] != 1 {
			return fmt.Errorf("participant %d appears %d times", p.ID, seen[p.ID])
		}
		if !p.Paused {
			active++
		}
	}
	if active >= 2 && len(in.NeverWith) == 0 && len(res.LeftOut) != len(in.Participants)-active {
		return fmt.Errorf("%d active but %d left out (only paused expected)", active, len(res.LeftOut))
	}
	if res.Report.NeverWithViolations != 0 {
		return fmt.Errorf("report says %d never-with violations", res.Report.NeverWithViolations)
	}
	sc, err := NewScorer(*in)
	if err != nil {
		return err
	}
	if len(res.Groups) > 0 {
		if want := sc.Report(res.Groups); want != res.Report {
			return fmt.Errorf("report %+v, recomputed %+v", res.Report, want)
		}
	}
	return nil
}

// sizesOf returns the sorted group sizes.
func sizesOf(groups [][]int64) []int {
	var s []int
	for _, g := range groups {
		s = append(s, len(g))
	}
	slices.Sort(s)
	return s
}

// exactPairs is the exact maximum total pair weight over perfect matchings of ids (len ≤ 20,
// even) by dynamic programming over bitmasks: best[mask] pairs the lowest unpaired person with
// each other unpaired person in turn. O(2^n · n).
func exactPairs(sc *Scorer, ids []int64) int64 {
	n := len(ids)
	w := make([][]int64, n)
	for i := range w {
		w[i] = make([]int64, n)
		for j := range w[i] {
			if i != j {
				w[i][j] = sc.PairWeight(ids[i], ids[j])
			}
		}
	}
	const unset = int64(-1) << 62
	best := make([]int64, 1<<n)
	for i := range best {
		best[i] = unset
	}
	best[0] = 0
	full := 1<<n - 1
	var rec func(mask int) int64
	rec = func(mask int) int64 {
		if best[mask] != unset {
			return best[mask]
		}
		i := 0
		for mask&(1<<i) == 0 {
			i++
		}
		b := unset
		for j := i + 1; j < n; j++ {
			if mask&(1<<j) != 0 {
				if v := w[i][j] + rec(mask&^(1<<i|1<<j)); v > b {
					b = v
				}
			}
		}
		best[mask] = b
		return b
	}
	return rec(full)
}
