// Package teamform is the team-formation engine: given required skills, a team size and a pool
// of candidates, it proposes a team that covers every required skill and then spreads across as
// many departments as possible, creates as many new collaboration links as possible and prefers
// links between non-contiguous sites.
//
// It is pure (no I/O), takes plain ids rather than an org.Tree so that it stays decoupled from
// the organisation model, and is deterministic for a given input and seed.
//
// # Objective
//
// Teams are compared lexicographically:
//
//  1. Coverage (hard constraint). For each Requirement {Skill, MinLevel, Count}, at least Count
//     members must hold Skill at a level ≥ MinLevel. One person may count for several
//     requirements (every one they meet), but counts once per requirement.
//  2. Distinct departments among the members (more is better).
//  3. New links: pairs of members who have never collaborated (more is better).
//  4. Non-contiguous new links: new links whose two members sit at non-contiguous sites
//     (more is better). Two sites are contiguous when they are equal (and non-zero) or adjacent;
//     site 0 (unknown) is never contiguous with anything, as in package org.
//
// Capacity is never exceeded: only candidates with Capacity ≥ 1 that are not in Exclude can be
// picked. Ties are broken by candidate id (smaller first) and, across randomised restarts, by a
// pseudo-random order drawn from Input.Seed.
//
// # Method
//
// A constructive greedy (cover the scarcest requirement first with the candidate that adds a new
// department, then the most new links, then the most non-contiguous links; then fill the
// remaining slots the same way), a few seeded randomised restarts, and a best-improvement local
// search over swaps (one member out, one non-member in) that keep coverage. When the greedy
// cannot cover the requirements within k people an exact search over coverage signatures finds
// a cover or proves there is none. On large pools candidates are pre-filtered: for each
// coverage signature (the set of requirements a candidate meets) only the best few per
// department, and at most 3k overall, are kept, round-robin across departments; this keeps the
// signature multiset (capped at k) intact, so feasibility is never lost by the filter.
package teamform

import (
	"errors"
	"fmt"
	"strings"
)

// SkillID identifies a skill.
type SkillID int64

// Requirement asks for Count members holding Skill at level MinLevel or above.
type Requirement struct {
	Skill    SkillID
	MinLevel int
	Count    int
}

// SkillLevel is one skill a candidate holds, with its level.
type SkillLevel struct {
	Skill SkillID
	Level int
}

// Candidate is one person who could join the team. IDs must be unique within an Input.
type Candidate struct {
	ID         int64
	Department int64
	Unit       int64
	Site       int64
	Skills     []SkillLevel
	// Capacity is how many more projects the person can take; only Capacity ≥ 1 can be picked.
	Capacity int
}

// Input is one team-formation request.
type Input struct {
	Required   []Requirement
	K          int // team size, 3–15
	Candidates []Candidate
	// Links are pairs of candidate ids who have already collaborated (worked or met); order and
	// duplicates do not matter, ids not among the candidates are ignored.
	Links [][2]int64
	// Contiguous reports whether two distinct, non-zero sites are contiguous; contiguity is
	// symmetric and the engine calls it once per pair with siteA < siteB. When nil,
	// AdjacentSites is used. The same non-zero site is always contiguous.
	Contiguous    func(siteA, siteB int64) bool
	AdjacentSites [][2]int64
	// Exclude lists candidate ids that must not be picked (declined, or swapped out).
	Exclude []int64
	// Seed drives the randomised restarts; the same input and seed give the same team.
	Seed int64
	// Restarts is the number of randomised restarts after the deterministic one: 0 means the
	// default (7 on small pools, 1 on large ones), a negative value means none.
	Restarts int
}

// MinK and MaxK bound the team size.
const (
	MinK = 3
	MaxK = 15
	// MaxRequirements bounds len(Input.Required) (coverage is tracked in a 64-bit mask).
	MaxRequirements = 64
)

// Score is the lexicographic objective after coverage.
type Score struct {
	Departments        int
	NewLinks           int
	NonContiguousLinks int
}

// Compare returns -1, 0 or +1 as s is worse than, equal to or better than o.
func (s Score) Compare(o Score) int {
	switch {
	case s.Departments != o.Departments:
		return sign(s.Departments - o.Departments)
	case s.NewLinks != o.NewLinks:
		return sign(s.NewLinks - o.NewLinks)
	default:
		return sign(s.NonContiguousLinks - o.NonContiguousLinks)
	}
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// Explanation says why a member was picked, relative to the members listed before it.
type Explanation struct {
	Skills             []SkillID // required skills the member meets (at ≥ MinLevel), in requirement order
	NewDepartment      bool      // no earlier member is from the same department
	NewLinks           int       // earlier members this one has never collaborated with
	NonContiguousLinks int       // of those, how many sit at a non-contiguous site
}

// Pick is one member of a proposed team.
type Pick struct {
	Candidate   Candidate
	Explanation Explanation
}

// Summary describes a whole team.
type Summary struct {
	Departments        int
	NewLinks           int
	NonContiguousLinks int
	Pairs              int // k(k-1)/2
}

// Score returns the summary's objective.
func (s Summary) Score() Score {
	return Score{Departments: s.Departments, NewLinks: s.NewLinks, NonContiguousLinks: s.NonContiguousLinks}
}

// Team is a feasible proposal; Members are in pick order, each explained against the earlier ones.
type Team struct {
	Members []Pick
	Summary Summary
}

// IDs returns the members' candidate ids in order.
func (t *Team) IDs() []int64 {
	out := make([]int64, len(t.Members))
	for i, m := range t.Members {
		out[i] = m.Candidate.ID
	}
	return out
}

// Shortfall is one requirement that the pool cannot meet.
type Shortfall struct {
	Skill     SkillID
	MinLevel  int
	Needed    int // the requirement's Count
	Available int // eligible candidates (capacity ≥ 1, not excluded) holding Skill at ≥ MinLevel
}

// Infeasible explains why no team exists. It implements error.
type Infeasible struct {
	// Missing lists the requirements with fewer qualified eligible candidates than needed.
	Missing []Shortfall
	// TooFewCandidates is set when fewer than K candidates are eligible.
	TooFewCandidates bool
	Eligible         int
	K                int
	// Joint is set when every requirement can be met on its own but no K people meet them all
	// together (too many distinct people are needed).
	Joint bool
	// Inconclusive is set with Joint when the exact coverage search ran out of its node budget
	// (not observed in practice: the search works on distinct coverage signatures).
	Inconclusive bool
}

// Error describes the reasons in plain text.
func (e *Infeasible) Error() string {
	var parts []string
	for _, m := range e.Missing {
		parts = append(parts, fmt.Sprintf("skill %d at level ≥%d: need %d, %d available (short by %d)",
			m.Skill, m.MinLevel, m.Needed, m.Available, m.Needed-m.Available))
	}
	if e.TooFewCandidates {
		parts = append(parts, fmt.Sprintf("only %d candidates with capacity left for a team of %d", e.Eligible, e.K))
	}
	if e.Joint {
		parts = append(parts, fmt.Sprintf("no %d people cover all required skills together", e.K))
		if e.Inconclusive {
			parts = append(parts, "search budget exhausted")
		}
	}
	return "teamform: infeasible: " + strings.Join(parts, "; ")
}

// Result is either a Team or the reason none exists.
type Result struct {
	Team       *Team
	Infeasible *Infeasible
}

// ErrInvalid is wrapped by every input-validation error.
var ErrInvalid = errors.New("teamform: invalid input")

func validate(in *Input) error {
	if in.K < MinK || in.K > MaxK {
		return fmt.Errorf("%w: team size %d outside %d–%d", ErrInvalid, in.K, MinK, MaxK)
	}
	if len(in.Required) > MaxRequirements {
		return fmt.Errorf("%w: %d requirements, at most %d", ErrInvalid, len(in.Required), MaxRequirements)
	}
	for _, r := range in.Required {
		if r.Count < 1 {
			return fmt.Errorf("%w: requirement for skill %d has count %d", ErrInvalid, r.Skill, r.Count)
		}
	}
	return nil
}
