package teamform

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// randomSmall draws a seeded small instance: ≤ 40 candidates, k 3–6, a dense-ish link graph.
// The candidate count is capped per k so that exact enumeration stays cheap.
func randomSmall(seed uint64) Input {
	rng := rand.New(rand.NewPCG(seed, 42))
	k := 3 + rng.IntN(4)
	maxN := map[int]int{3: 40, 4: 36, 5: 28, 6: 22}[k]
	n := k + 2 + rng.IntN(maxN-k-1)
	nSkills := 3 + rng.IntN(5)
	nDepts := 2 + rng.IntN(8)
	nSites := 1 + rng.IntN(5)
	in := Input{K: k, Seed: int64(seed)}
	for i := 0; i < n; i++ {
		c := Candidate{ID: int64(100 + i*7%97 + i*100), Department: int64(1 + rng.IntN(nDepts)),
			Unit: int64(rng.IntN(20)), Site: int64(rng.IntN(nSites + 1)), Capacity: 1 + rng.IntN(3)}
		if rng.IntN(6) == 0 {
			c.Capacity = 0
		}
		for s := 0; s < nSkills; s++ {
			if rng.IntN(2) == 0 {
				c.Skills = append(c.Skills, SkillLevel{Skill: SkillID(s + 1), Level: 1 + rng.IntN(3)})
			}
		}
		in.Candidates = append(in.Candidates, c)
	}
	nReq := 1 + rng.IntN(min(4, nSkills))
	for _, s := range rng.Perm(nSkills)[:nReq] {
		in.Required = append(in.Required, Requirement{Skill: SkillID(s + 1), MinLevel: 1 + rng.IntN(3), Count: 1 + rng.IntN(2)})
	}
	p := 0.1 + rng.Float64()*0.4
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if rng.Float64() < p {
				in.Links = append(in.Links, [2]int64{in.Candidates[i].ID, in.Candidates[j].ID})
			}
		}
	}
	if rng.IntN(2) == 0 {
		in.AdjacentSites = [][2]int64{{1, 2}}
	}
	if rng.IntN(4) == 0 {
		in.Exclude = []int64{in.Candidates[rng.IntN(n)].ID}
	}
	return in
}

// oracle recomputes everything about a team from the raw input, independently of the engine.
type oracle struct {
	in     *Input
	byID   map[int64]*Candidate
	linked map[[2]int64]bool
	excl   map[int64]bool
}

func newOracle(in *Input) *oracle {
	o := &oracle{in: in, byID: map[int64]*Candidate{}, linked: map[[2]int64]bool{}, excl: map[int64]bool{}}
	for i := range in.Candidates {
		o.byID[in.Candidates[i].ID] = &in.Candidates[i]
	}
	for _, e := range in.Links {
		o.linked[[2]int64{e[0], e[1]}], o.linked[[2]int64{e[1], e[0]}] = true, true
	}
	for _, id := range in.Exclude {
		o.excl[id] = true
	}
	return o
}

func (o *oracle) contiguous(a, b int64) bool {
	if a == 0 || b == 0 {
		return false
	}
	if a == b {
		return true
	}
	if o.in.Contiguous != nil {
		return o.in.Contiguous(min(a, b), max(a, b))
	}
	for _, p := range o.in.AdjacentSites {
		if (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a) {
			return true
		}
	}
	return false
}

func (o *oracle) meets(c *Candidate, r Requirement) bool {
	for _, s := range c.Skills {
		if s.Skill == r.Skill && s.Level >= r.MinLevel {
			return true
		}
	}
	return false
}

// violations lists every hard-constraint breach of a team given by ids.
func (o *oracle) violations(ids []int64) []string {
	var v []string
	if len(ids) != o.in.K {
		v = append(v, fmt.Sprintf("size %d, want %d", len(ids), o.in.K))
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		c := o.byID[id]
		switch {
		case c == nil:
			v = append(v, fmt.Sprintf("unknown id %d", id))
			continue
		case seen[id]:
			v = append(v, fmt.Sprintf("duplicate %d", id))
		case c.Capacity < 1:
			v = append(v, fmt.Sprintf("%d has no capacity", id))
		case o.excl[id]:
			v = append(v, fmt.Sprintf("%d is excluded", id))
		}
		seen[id] = true
	}
	for _, r := range o.in.Required {
		n := 0
		for _, id := range ids {
			if c := o.byID[id]; c != nil && o.meets(c, r) {
				n++
			}
		}
		if n < r.Count {
			v = append(v, fmt.Sprintf("skill %d≥%d covered %d/%d", r.Skill, r.MinLevel, n, r.Count))
		}
	}
	return v
}

func (o *oracle) summary(ids []int64) Summary {
	s := Summary{Pairs: len(ids) * (len(ids) - 1) / 2}
	depts := map[int64]bool{}
	for i, a := range ids {
		ca := o.byID[a]
		depts[ca.Department] = true
		for _, b := range ids[:i] {
			if !o.linked[[2]int64{a, b}] {
				s.NewLinks++
				if !o.contiguous(ca.Site, o.byID[b].Site) {
					s.NonContiguousLinks++
				}
			}
		}
	}
	s.Departments = len(depts)
	return s
}

// explanation recomputes member i's explanation against the earlier members.
func (o *oracle) explanation(ids []int64, i int) Explanation {
	var e Explanation
	c := o.byID[ids[i]]
	for _, r := range o.in.Required {
		if o.meets(c, r) {
			e.Skills = append(e.Skills, r.Skill)
		}
	}
	e.NewDepartment = true
	for _, b := range ids[:i] {
		cb := o.byID[b]
		if cb.Department == c.Department {
			e.NewDepartment = false
		}
		if !o.linked[[2]int64{c.ID, b}] {
			e.NewLinks++
			if !o.contiguous(c.Site, cb.Site) {
				e.NonContiguousLinks++
			}
		}
	}
	return e
}

// exact enumerates every k-subset of the eligible candidates and returns the lexicographic
// optimum (feasible false when no subset covers the requirements).
func exact(in *Input) (best Score, bestIDs []int64, feasible bool) {
	o := newOracle(in)
	var elig []*Candidate
	for i := range in.Candidates {
		c := &in.Candidates[i]
		if c.Capacity >= 1 && !o.excl[c.ID] {
			elig = append(elig, c)
		}
	}
	n, k := len(elig), in.K
	if n < k {
		return Score{}, nil, false
	}
	R := len(in.Required)
	meets := make([][]bool, n)
	for i, c := range elig {
		meets[i] = make([]bool, R)
		for r, q := range in.Required {
			meets[i][r] = o.meets(c, q)
		}
	}
	linked := make([][]bool, n)
	nc := make([][]bool, n)
	for i := range elig {
		linked[i], nc[i] = make([]bool, n), make([]bool, n)
		for j := range elig {
			linked[i][j] = o.linked[[2]int64{elig[i].ID, elig[j].ID}]
			nc[i][j] = !o.contiguous(elig[i].Site, elig[j].Site)
		}
	}
	idx := make([]int, k)
	cov := make([]int, R)
	var rec func(start, depth int)
	rec = func(start, depth int) {
		if depth == k {
			for r, q := range in.Required {
				if cov[r] < q.Count {
					return
				}
			}
			var s Score
			depts := map[int64]bool{}
			for a := 0; a < k; a++ {
				depts[elig[idx[a]].Department] = true
				for b := 0; b < a; b++ {
					if !linked[idx[a]][idx[b]] {
						s.NewLinks++
						if nc[idx[a]][idx[b]] {
							s.NonContiguousLinks++
						}
					}
				}
			}
			s.Departments = len(depts)
			if !feasible || s.Compare(best) > 0 {
				feasible, best = true, s
				bestIDs = bestIDs[:0]
				for _, x := range idx {
					bestIDs = append(bestIDs, elig[x].ID)
				}
			}
			return
		}
		for i := start; i <= n-(k-depth); i++ {
			idx[depth] = i
			for r := range cov {
				if meets[i][r] {
					cov[r]++
				}
			}
			rec(i+1, depth+1)
			for r := range cov {
				if meets[i][r] {
					cov[r]--
				}
			}
		}
	}
	rec(0, 0)
	return best, slices.Clone(bestIDs), feasible
}
