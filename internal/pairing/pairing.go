// Package pairing is the exchange-meeting engine: each round it partitions the participants of a
// programme into groups of the programme's size (2–4) spanning different departments, avoiding
// people who met in the last M rounds, and honouring "never with" preferences and pauses.
//
// It is pure (no I/O), takes plain ids rather than an org.Tree, and is deterministic for a given
// input and seed.
//
// # Constraints
//
// Hard (never violated): paused participants are left out; two participants listed in NeverWith
// are never in the same group (when that cannot be avoided someone is left out with
// ReasonNeverWith instead); nobody is grouped alone (a single active participant is left out with
// ReasonAlone; two or more are always grouped).
//
// Group sizes: with n active participants and size k, there are n/k groups and the n mod k
// leftovers each join a different group (groups of k+1). When there are more leftovers than
// groups (small pools, e.g. 7 people in groups of 4) the pool is split into ⌈n/k⌉ groups as
// equal as possible (sizes k−1 and k); fewer than k people form one group.
//
// Soft, most important first, as a pair cost (lower is better; a group costs the sum over its
// pairs):
//
//  1. No repeats: a pair that met a rounds ago (a = 1 is the last round) within the lookback M
//     costs CostRepeat·(M+1−a), so recent repeats are avoided first and, when repeats are forced,
//     the largest lookback that can be honoured is kept (Report.Lookback).
//  2. Different departments: a same-department pair costs CostSameDepartment.
//  3. New pairs: a pair who collaborated (Links) or met in any past round costs CostKnown.
//  4. Non-contiguous: a pair at contiguous sites costs CostContiguous. Two sites are contiguous
//     when equal and non-zero or adjacent (AdjacentSites or the Contiguous func); two people of
//     the same non-zero unit are contiguous; site 0 (unknown) is contiguous with nothing.
//
// The pair weight used for quality comparisons is MaxPairWeight − cost (see Scorer).
//
// # Method
//
// Shuffle by seed; order departments by size (largest first, ties by a seeded key); deal the
// people into the groups slot by slot (one person per group per pass), so that any department no
// larger than the number of groups lands in distinct groups. Then a local search of swaps between
// two groups: first targeted at members with a repeat or a same-department pair (sampled partner
// groups; "met" and "linked" are per-person adjacency lists, not an n×n structure), then a polish
// pass (exhaustive 2-opt on pools up to smallPool groups, sampled above, skipping members with
// nothing to gain). Pools up to restartPool are built from several shuffles, keeping the
// cheapest. For pairs on pools up to augmentPool, remaining repeats are removed by augmenting
// paths over non-repeat pairs (randomised DFS with restarts, first over cross-department pairs).
// For pairs on pools up to lookaheadPool, a lookahead checks by randomised search that the next
// few rounds can still be repeat-free, and otherwise picks another repeat-free matching: this
// avoids the dead ends a greedy sequence of rounds runs into (e.g. the last "not met yet" graph
// made of odd cycles). Large pools cost O(n·(h+t)) for h history partners and t sampled tries;
// nothing is O(n²) above a few thousand people.
//
// Form is the engine; RandomRound is the random-shuffle baseline; Scorer exposes the pair
// weights so that other matchers (the exact ones in the tests) are compared on the same scale.
package pairing

import (
	"errors"
	"fmt"
)

// Participant is one person enrolled in the programme. IDs must be unique within an Input.
type Participant struct {
	ID         int64
	Department int64
	Unit       int64
	Site       int64
	// Paused participants are left out of the round with ReasonPaused.
	Paused bool
}

// Round is one past round: its groups of participant ids.
type Round [][]int64

// Input is one round's request.
type Input struct {
	Participants []Participant
	// GroupSize is the programme's group size, 2–4.
	GroupSize int
	// History lists past rounds, most recent last. Ids not among the participants are ignored.
	History []Round
	// MaxLookback is M, how many recent rounds count for "met recently"; 0 means all of History.
	MaxLookback int
	// NeverWith pairs must never share a group (hard). Order and duplicates do not matter.
	NeverWith [][2]int64
	// Links are pairs who have already collaborated (not new pairs).
	Links [][2]int64
	// Contiguous reports whether two distinct, non-zero sites are contiguous; it is called with
	// siteA < siteB. When nil, AdjacentSites is used.
	Contiguous    func(siteA, siteB int64) bool
	AdjacentSites [][2]int64
	// Seed drives the shuffle and the local search; the same input and seed give the same round.
	Seed int64
}

// Group size bounds.
const (
	MinGroupSize = 2
	MaxGroupSize = 4
)

// Pair costs (see the package documentation). MaxPairWeight − cost is the pair weight.
const (
	CostRepeat         = 100
	CostSameDepartment = 4
	CostKnown          = 2
	CostContiguous     = 1
	// MaxPairWeight is the weight of the best possible pair (new, cross-department,
	// non-contiguous, not met recently).
	MaxPairWeight = CostSameDepartment + CostKnown + CostContiguous
	costNever     = int64(1) << 40
)

// Reason says why a participant was left out.
type Reason string

// Reasons for leaving someone out.
const (
	ReasonPaused    Reason = "paused"
	ReasonAlone     Reason = "alone-impossible"
	ReasonNeverWith Reason = "never-with-impossible"
)

// LeftOut is one participant not grouped this round.
type LeftOut struct {
	ID     int64
	Reason Reason
}

// Report describes a round and the relaxations it was forced into.
type Report struct {
	// RequestedLookback is M as asked (MaxLookback, or len(History) when 0, capped by it).
	RequestedLookback int
	// Lookback is the largest m ≤ RequestedLookback such that no grouped pair met in the last m
	// rounds.
	Lookback int
	// RepeatPairs counts grouped pairs who met within RequestedLookback rounds.
	RepeatPairs int
	// SameDepartmentPairs counts grouped pairs from the same department; SameDepartmentGroups
	// counts groups with at least one such pair.
	SameDepartmentPairs  int
	SameDepartmentGroups int
	// NeverWithViolations is always 0 (a hard constraint); it is reported for auditing.
	NeverWithViolations int
	// NewPairs counts pairs who never collaborated nor met; NonContiguousPairs pairs at
	// non-contiguous sites; Pairs all pairs within groups.
	NewPairs           int
	NonContiguousPairs int
	Pairs              int
	// Weight is the sum of pair weights (MaxPairWeight − cost) over all grouped pairs.
	Weight int64
}

// Result is one round: groups (each sorted by id, groups in a deterministic order), who was left
// out and why, and the report.
type Result struct {
	Groups  [][]int64
	LeftOut []LeftOut
	Report  Report
}

// ErrInvalid is wrapped by every input-validation error.
var ErrInvalid = errors.New("pairing: invalid input")

func validate(in *Input) error {
	if in.GroupSize < MinGroupSize || in.GroupSize > MaxGroupSize {
		return fmt.Errorf("%w: group size %d outside %d–%d", ErrInvalid, in.GroupSize, MinGroupSize, MaxGroupSize)
	}
	if in.MaxLookback < 0 {
		return fmt.Errorf("%w: negative lookback %d", ErrInvalid, in.MaxLookback)
	}
	return nil
}

// groupSizes returns the sizes of the groups for n ≥ 2 people and size k.
func groupSizes(n, k int) []int {
	if n < 2 {
		return nil
	}
	if n <= k {
		return []int{n}
	}
	g, r := n/k, n%k
	var out []int
	if r <= g {
		out = make([]int, g)
		for i := range out {
			out[i] = k
			if i < r {
				out[i]++
			}
		}
		return out
	}
	g++
	out = make([]int, g)
	for i := range out {
		out[i] = n / g
		if i < n%g {
			out[i]++
		}
	}
	return out
}
