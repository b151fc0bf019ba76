package teamform

import (
	"math/bits"
	"math/rand/v2"
)

// SkillGreedy is the comparison baseline: it covers the requirements greedily (the candidate
// meeting the most unmet need first, ties by smaller id) and fills the team with the smallest
// ids, ignoring departments, links and sites. It reports the same Result as Form (with the
// team explained), but may call an instance infeasible when its greedy fails.
func SkillGreedy(in Input) (Result, error) {
	p, inf, err := prepare(&in)
	if err != nil {
		return Result{}, err
	}
	if inf != nil {
		return Result{Infeasible: inf}, nil
	}
	rem := make([]int32, len(p.need))
	copy(rem, p.need)
	taken := make([]bool, len(p.elig))
	var picks []int
	for {
		var unmet uint64
		for r, n := range rem {
			if n > 0 {
				unmet |= 1 << uint(r)
			}
		}
		if unmet == 0 {
			break
		}
		if len(picks) == in.K {
			return Result{Infeasible: &Infeasible{Eligible: len(p.elig), K: in.K, Joint: true}}, nil
		}
		best, bestGain := -1, 0
		for i, m := range p.masks {
			if taken[i] {
				continue
			}
			g := bits.OnesCount64(m & unmet)
			if g > bestGain || (g == bestGain && g > 0 && in.Candidates[p.elig[i]].ID < in.Candidates[p.elig[best]].ID) {
				best, bestGain = i, g
			}
		}
		taken[best] = true
		picks = append(picks, best)
		for mm := p.masks[best]; mm != 0; mm &= mm - 1 {
			rem[bits.TrailingZeros64(mm)]--
		}
	}
	for len(picks) < in.K {
		best := -1
		for i := range p.elig {
			if !taken[i] && (best < 0 || in.Candidates[p.elig[i]].ID < in.Candidates[p.elig[best]].ID) {
				best = i
			}
		}
		taken[best] = true
		picks = append(picks, best)
	}
	return Result{Team: p.teamOf(picks)}, nil
}

// RandomTeam is the second baseline: a uniformly shuffled pass that keeps candidates meeting
// unmet need until the requirements are covered, then fills at random; it retries up to 1,000
// shuffles and reports Joint infeasibility when none fits in K people.
func RandomTeam(in Input, seed int64) (Result, error) {
	p, inf, err := prepare(&in)
	if err != nil {
		return Result{}, err
	}
	if inf != nil {
		return Result{Infeasible: inf}, nil
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	perm := make([]int, len(p.elig))
	for i := range perm {
		perm[i] = i
	}
	rem := make([]int32, len(p.need))
	for try := 0; try < 1000; try++ {
		rng.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		copy(rem, p.need)
		var picks []int
		used := map[int]bool{}
		for _, i := range perm {
			useful := false
			for mm := p.masks[i]; mm != 0; mm &= mm - 1 {
				if rem[bits.TrailingZeros64(mm)] > 0 {
					useful = true
				}
			}
			if !useful {
				continue
			}
			picks = append(picks, i)
			used[i] = true
			for mm := p.masks[i]; mm != 0; mm &= mm - 1 {
				rem[bits.TrailingZeros64(mm)]--
			}
		}
		if len(picks) > in.K {
			continue
		}
		for _, i := range perm {
			if len(picks) == in.K {
				break
			}
			if !used[i] {
				picks = append(picks, i)
			}
		}
		return Result{Team: p.teamOf(picks)}, nil
	}
	return Result{Infeasible: &Infeasible{Eligible: len(p.elig), K: in.K, Joint: true}}, nil
}

// teamOf explains a team given positions in p.elig, scanning the links once.
func (p *prepared) teamOf(picks []int) *Team {
	in := p.in
	pos := make(map[int64]int, len(picks))
	cands := make([]*Candidate, len(picks))
	masks := make([]uint64, len(picks))
	for j, i := range picks {
		cands[j] = &in.Candidates[p.elig[i]]
		masks[j] = p.masks[i]
		pos[cands[j].ID] = j
	}
	linked := map[[2]int]bool{}
	for _, e := range in.Links {
		a, aok := pos[e[0]]
		b, bok := pos[e[1]]
		if aok && bok {
			linked[[2]int{a, b}], linked[[2]int{b, a}] = true, true
		}
	}
	cg := newContiguity(in)
	return explainTeam(in.Required, cands, masks,
		func(i, j int) bool { return linked[[2]int{i, j}] },
		func(i, j int) bool { return !cg.contiguous(cands[i].Site, cands[j].Site) })
}
