package pairing

import (
	"fmt"
	"slices"
)

// RandomRound is the baseline: a seeded random shuffle cut into groups of the same sizes as Form
// uses. It honours pauses and group sizes only (not never-with, history or departments); its
// Report is computed exactly as Form's.
func RandomRound(in Input) (Result, error) {
	if err := validate(&in); err != nil {
		return Result{}, err
	}
	var res Result
	var active []Participant
	for _, p := range in.Participants {
		if p.Paused {
			res.LeftOut = append(res.LeftOut, LeftOut{ID: p.ID, Reason: ReasonPaused})
		} else {
			active = append(active, p)
		}
	}
	s, err := newState(&in, active)
	if err != nil {
		return Result{}, err
	}
	res.Report.RequestedLookback = s.lookback
	if len(active) == 1 {
		res.LeftOut = append(res.LeftOut, LeftOut{ID: active[0].ID, Reason: ReasonAlone})
	}
	order := make([]int32, len(active))
	for i := range order {
		order[i] = int32(i)
	}
	s.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	var groups [][]int32
	k := 0
	for _, sz := range groupSizes(len(active), in.GroupSize) {
		groups = append(groups, order[k:k+sz])
		k += sz
	}
	res.Groups, res.Report = s.finish(groups, res.Report)
	return res, nil
}

// Scorer evaluates pairs and groupings of an Input with the engine's own costs, so that other
// matchers (exact ones in tests, baselines) can be compared on the same scale.
type Scorer struct {
	s   *state
	idx map[int64]int32
}

// NewScorer indexes in (all participants, paused ones included).
func NewScorer(in Input) (*Scorer, error) {
	s, err := newState(&in, in.Participants)
	if err != nil {
		return nil, err
	}
	idx := make(map[int64]int32, len(in.Participants))
	for i, p := range in.Participants {
		if _, dup := idx[p.ID]; dup {
			return nil, fmt.Errorf("%w: duplicate participant id %d", ErrInvalid, p.ID)
		}
		idx[p.ID] = int32(i)
	}
	return &Scorer{s: s, idx: idx}, nil
}

// PairCost is the engine's cost of grouping a with b (see the package documentation); a
// never-with pair costs more than any grouping of allowed pairs. Unknown ids cost 0.
func (sc *Scorer) PairCost(a, b int64) int64 {
	i, ok1 := sc.idx[a]
	j, ok2 := sc.idx[b]
	if !ok1 || !ok2 || i == j {
		return 0
	}
	return sc.s.cost(i, j)
}

// PairWeight is MaxPairWeight − PairCost: 7 for a new, cross-department, non-contiguous pair,
// negative for a repeat within the lookback.
func (sc *Scorer) PairWeight(a, b int64) int64 { return MaxPairWeight - sc.PairCost(a, b) }

// Weight is the total pair weight of a grouping.
func (sc *Scorer) Weight(groups [][]int64) int64 {
	var w int64
	for _, g := range groups {
		for i := range g {
			for _, y := range g[i+1:] {
				w += sc.PairWeight(g[i], y)
			}
		}
	}
	return w
}

// Report recomputes the report of a grouping (Lookback and counts as Form computes them).
func (sc *Scorer) Report(groups [][]int64) Report {
	gs := make([][]int32, 0, len(groups))
	for _, g := range groups {
		x := make([]int32, 0, len(g))
		for _, id := range g {
			if i, ok := sc.idx[id]; ok {
				x = append(x, i)
			}
		}
		gs = append(gs, x)
	}
	_, r := sc.s.finish(slices.Clip(gs), Report{RequestedLookback: sc.s.lookback})
	return r
}
