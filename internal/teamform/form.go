package teamform

import (
	"fmt"
	"math/bits"
	"slices"
)

// Form proposes a team for in. It returns an error only for invalid input; an impossible request
// yields Result.Infeasible with the exact reasons.
func Form(in Input) (Result, error) {
	p, inf, err := prepare(&in)
	if err != nil {
		return Result{}, err
	}
	if inf != nil {
		return Result{Infeasible: inf}, nil
	}
	pl := buildPool(p)
	s, ok, decided := pl.solve(in.Seed, in.Restarts)
	if !ok {
		return Result{Infeasible: &Infeasible{Eligible: len(p.elig), K: in.K, Joint: true, Inconclusive: !decided}}, nil
	}
	return Result{Team: pl.team(&in, s.members)}, nil
}

// team turns pool members into an explained Team.
func (pl *pool) team(in *Input, members []int32) *Team {
	cands := make([]*Candidate, len(members))
	masks := make([]uint64, len(members))
	for i, m := range members {
		cands[i] = &in.Candidates[pl.src[m]]
		masks[i] = pl.mask[m]
	}
	linked := func(i, j int) bool {
		_, ok := slices.BinarySearch(pl.nbr[members[i]], members[j])
		return ok
	}
	nonContig := func(i, j int) bool { return pl.nc[pl.site[members[i]]][pl.site[members[j]]] }
	return explainTeam(in.Required, cands, masks, linked, nonContig)
}

// explainTeam explains each member against the earlier ones and sums up.
func explainTeam(req []Requirement, cands []*Candidate, masks []uint64, linked, nonContig func(i, j int) bool) *Team {
	t := &Team{Members: make([]Pick, len(cands))}
	depts := map[int64]bool{}
	for i, c := range cands {
		var e Explanation
		for mm := masks[i]; mm != 0; mm &= mm - 1 {
			e.Skills = append(e.Skills, req[bits.TrailingZeros64(mm)].Skill)
		}
		e.NewDepartment = !depts[c.Department]
		depts[c.Department] = true
		for j := 0; j < i; j++ {
			if !linked(i, j) {
				e.NewLinks++
				if nonContig(i, j) {
					e.NonContiguousLinks++
				}
			}
		}
		t.Members[i] = Pick{Candidate: *c, Explanation: e}
		t.Summary.NewLinks += e.NewLinks
		t.Summary.NonContiguousLinks += e.NonContiguousLinks
	}
	t.Summary.Departments = len(depts)
	t.Summary.Pairs = len(cands) * (len(cands) - 1) / 2
	return t
}

// Replacement is one candidate who could take a member's slot.
type Replacement struct {
	Candidate   Candidate
	Explanation Explanation // as if the candidate were picked last
	Delta       Score       // change of the team's score
	Summary     Summary     // the team's summary after the swap
}

// Replacements returns the n best candidates to take the place of members[slot], keeping every
// required skill covered, best first by the change of score (then by id). The candidate at the
// slot, the other members, Exclude and anyone without capacity are never proposed. It is linear
// in the number of candidates and links. A negative n returns every valid replacement; an empty
// result means no single person can keep the skills covered.
func Replacements(in Input, members []int64, slot, n int) ([]Replacement, error) {
	if err := validate(&in); err != nil {
		return nil, err
	}
	if slot < 0 || slot >= len(members) {
		return nil, fmt.Errorf("%w: slot %d of a team of %d", ErrInvalid, slot, len(members))
	}
	excl := make(map[int64]bool, len(in.Exclude)+len(members))
	for _, id := range in.Exclude {
		excl[id] = true
	}
	pos := make(map[int64]int, len(members))
	for i, id := range members {
		pos[id] = i
		excl[id] = true
	}
	ix := newSkillIndex(in.Required)
	team := make([]*Candidate, len(members))
	for i := range in.Candidates {
		if j, ok := pos[in.Candidates[i].ID]; ok {
			team[j] = &in.Candidates[i]
		}
	}
	for i, c := range team {
		if c == nil {
			return nil, fmt.Errorf("%w: member %d is not a candidate", ErrInvalid, members[i])
		}
	}
	out := team[slot]
	rest := make([]*Candidate, 0, len(team)-1)
	restMask := make([]uint64, 0, len(team)-1)
	for i, c := range team {
		if i != slot {
			rest = append(rest, c)
			restMask = append(restMask, ix.mask(in.Required, c))
		}
	}
	// coverage of the rest, and which requirements a replacement must still meet
	cov := make([]int, len(in.Required))
	for _, m := range restMask {
		for mm := m; mm != 0; mm &= mm - 1 {
			cov[bits.TrailingZeros64(mm)]++
		}
	}
	var must uint64
	for r, q := range in.Required {
		switch {
		case cov[r] >= q.Count:
		case cov[r] == q.Count-1:
			must |= 1 << uint(r)
		default:
			return nil, nil // one person cannot restore coverage
		}
	}
	// links between any candidate and the rest of the team
	restPos := make(map[int64]int, len(rest))
	for i, c := range rest {
		restPos[c.ID] = i
	}
	linkedTo := map[int64][]int{} // candidate id → rest members it is linked with
	restLinked := map[[2]int]bool{}
	for _, e := range in.Links {
		a, aok := restPos[e[0]]
		b, bok := restPos[e[1]]
		switch {
		case aok && bok:
			restLinked[[2]int{min(a, b), max(a, b)}] = true
		case aok:
			linkedTo[e[1]] = append(linkedTo[e[1]], a)
		case bok:
			linkedTo[e[0]] = append(linkedTo[e[0]], b)
		}
	}
	cg := newContiguity(&in)
	restDepts := map[int64]int{}
	base := Summary{Pairs: len(team) * (len(team) - 1) / 2}
	for i, a := range rest {
		restDepts[a.Department]++
		for j := 0; j < i; j++ {
			if !restLinked[[2]int{j, i}] {
				base.NewLinks++
				if !cg.contiguous(a.Site, rest[j].Site) {
					base.NonContiguousLinks++
				}
			}
		}
	}
	base.Departments = len(restDepts)
	contribution := func(c *Candidate) Explanation {
		var e Explanation
		e.NewDepartment = restDepts[c.Department] == 0
		links := linkedTo[c.ID]
		for i, t := range rest {
			if slices.Contains(links, i) {
				continue
			}
			e.NewLinks++
			if !cg.contiguous(c.Site, t.Site) {
				e.NonContiguousLinks++
			}
		}
		return e
	}
	summaryWith := func(e Explanation) Summary {
		s := base
		if e.NewDepartment {
			s.Departments++
		}
		s.NewLinks += e.NewLinks
		s.NonContiguousLinks += e.NonContiguousLinks
		return s
	}
	before := summaryWith(contribution(out)).Score()
	var res []Replacement
	for i := range in.Candidates {
		c := &in.Candidates[i]
		if c.Capacity < 1 || excl[c.ID] {
			continue
		}
		m := ix.mask(in.Required, c)
		if m&must != must {
			continue
		}
		e := contribution(c)
		for mm := m; mm != 0; mm &= mm - 1 {
			e.Skills = append(e.Skills, in.Required[bits.TrailingZeros64(mm)].Skill)
		}
		s := summaryWith(e)
		after := s.Score()
		res = append(res, Replacement{Candidate: *c, Explanation: e, Summary: s, Delta: Score{
			Departments:        after.Departments - before.Departments,
			NewLinks:           after.NewLinks - before.NewLinks,
			NonContiguousLinks: after.NonContiguousLinks - before.NonContiguousLinks,
		}})
	}
	slices.SortFunc(res, func(a, b Replacement) int {
		if c := b.Delta.Compare(a.Delta); c != 0 {
			return c
		}
		return cmpInt64(a.Candidate.ID, b.Candidate.ID)
	})
	if n >= 0 && len(res) > n {
		res = res[:n]
	}
	return res, nil
}

// Explain explains a given team (for example one the coordinator changed by swapping a member)
// exactly as Form explains its own: each member against the earlier ones, and the summary. It
// checks only that every member is a candidate; coverage is the caller's to check (see
// Replacements).
func Explain(in Input, members []int64) (*Team, error) {
	if err := validate(&in); err != nil {
		return nil, err
	}
	byID := make(map[int64]*Candidate, len(in.Candidates))
	for i := range in.Candidates {
		byID[in.Candidates[i].ID] = &in.Candidates[i]
	}
	ix := newSkillIndex(in.Required)
	cands := make([]*Candidate, len(members))
	masks := make([]uint64, len(members))
	pos := make(map[int64]int, len(members))
	for i, id := range members {
		c, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("%w: member %d is not a candidate", ErrInvalid, id)
		}
		cands[i], masks[i], pos[id] = c, ix.mask(in.Required, c), i
	}
	linked := map[[2]int]bool{}
	for _, e := range in.Links {
		a, aok := pos[e[0]]
		b, bok := pos[e[1]]
		if aok && bok {
			linked[[2]int{min(a, b), max(a, b)}] = true
		}
	}
	cg := newContiguity(&in)
	return explainTeam(in.Required, cands, masks,
		func(i, j int) bool { return linked[[2]int{min(i, j), max(i, j)}] },
		func(i, j int) bool { return !cg.contiguous(cands[i].Site, cands[j].Site) }), nil
}
