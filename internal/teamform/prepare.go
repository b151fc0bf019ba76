package teamform

import "math/bits"

// prepared holds the eligible candidates and their coverage masks.
type prepared struct {
	in    *Input
	need  []int32 // per requirement
	elig  []int32 // indices into in.Candidates
	masks []uint64
	avail []int
}

// skillIndex maps a skill to the requirements that ask for it.
type skillIndex struct {
	dense  [][]int8 // when all required skills are in [0, len(dense))
	sparse map[SkillID][]int8
}

func newSkillIndex(req []Requirement) skillIndex {
	maxS := SkillID(-1)
	denseOK := true
	for _, r := range req {
		if r.Skill < 0 || r.Skill >= 1<<20 {
			denseOK = false
		}
		maxS = max(maxS, r.Skill)
	}
	var ix skillIndex
	if denseOK {
		ix.dense = make([][]int8, maxS+1)
		for i, r := range req {
			ix.dense[r.Skill] = append(ix.dense[r.Skill], int8(i))
		}
		return ix
	}
	ix.sparse = make(map[SkillID][]int8, len(req))
	for i, r := range req {
		ix.sparse[r.Skill] = append(ix.sparse[r.Skill], int8(i))
	}
	return ix
}

// mask returns the set of requirements that c meets.
func (ix *skillIndex) mask(req []Requirement, c *Candidate) uint64 {
	var m uint64
	for _, s := range c.Skills {
		var rs []int8
		if ix.dense != nil {
			if s.Skill < 0 || int64(s.Skill) >= int64(len(ix.dense)) {
				continue
			}
			rs = ix.dense[s.Skill]
		} else {
			rs = ix.sparse[s.Skill]
		}
		for _, r := range rs {
			if s.Level >= req[r].MinLevel {
				m |= 1 << uint(r)
			}
		}
	}
	return m
}

// prepare validates the input, filters eligible candidates and reports per-requirement
// shortfalls and a too-small pool.
func prepare(in *Input) (*prepared, *Infeasible, error) {
	if err := validate(in); err != nil {
		return nil, nil, err
	}
	p := &prepared{in: in, need: make([]int32, len(in.Required)), avail: make([]int, len(in.Required))}
	for i, r := range in.Required {
		p.need[i] = int32(r.Count)
	}
	var excl map[int64]bool
	if len(in.Exclude) > 0 {
		excl = make(map[int64]bool, len(in.Exclude))
		for _, id := range in.Exclude {
			excl[id] = true
		}
	}
	ix := newSkillIndex(in.Required)
	p.elig = make([]int32, 0, len(in.Candidates))
	p.masks = make([]uint64, 0, len(in.Candidates))
	for i := range in.Candidates {
		c := &in.Candidates[i]
		if c.Capacity < 1 || (excl != nil && excl[c.ID]) {
			continue
		}
		m := ix.mask(in.Required, c)
		p.elig = append(p.elig, int32(i))
		p.masks = append(p.masks, m)
		for mm := m; mm != 0; mm &= mm - 1 {
			p.avail[bits.TrailingZeros64(mm)]++
		}
	}
	inf := &Infeasible{Eligible: len(p.elig), K: in.K}
	bad := false
	for i, r := range in.Required {
		if p.avail[i] < r.Count {
			inf.Missing = append(inf.Missing, Shortfall{Skill: r.Skill, MinLevel: r.MinLevel, Needed: r.Count, Available: p.avail[i]})
			bad = true
		}
	}
	if len(p.elig) < in.K {
		inf.TooFewCandidates = true
		bad = true
	}
	for _, r := range in.Required {
		if r.Count > in.K && !bad {
			inf.Joint = true
			bad = true
		}
	}
	if bad {
		return p, inf, nil
	}
	return p, nil, nil
}

// contiguity answers site contiguity, memoised.
type contiguity struct {
	fn   func(a, b int64) bool
	adj  map[[2]int64]bool
	memo map[[2]int64]bool
}

func newContiguity(in *Input) *contiguity {
	c := &contiguity{fn: in.Contiguous, memo: map[[2]int64]bool{}}
	if c.fn == nil {
		c.adj = make(map[[2]int64]bool, len(in.AdjacentSites))
		for _, p := range in.AdjacentSites {
			c.adj[sitePair(p[0], p[1])] = true
		}
	}
	return c
}

func sitePair(a, b int64) [2]int64 {
	if a > b {
		a, b = b, a
	}
	return [2]int64{a, b}
}

func (c *contiguity) contiguous(a, b int64) bool {
	if a == 0 || b == 0 {
		return false
	}
	if a == b {
		return true
	}
	if c.fn == nil {
		return c.adj[sitePair(a, b)]
	}
	k := sitePair(a, b)
	v, ok := c.memo[k]
	if !ok {
		v = c.fn(k[0], k[1])
		c.memo[k] = v
	}
	return v
}
