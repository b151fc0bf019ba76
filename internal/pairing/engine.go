package pairing

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
)

const (
	// smallPool: pools up to this size get an exhaustive 2-opt polish.
	smallPool = 600
	// augmentPool: pair rounds up to this size get augmenting-path repair of repeats.
	augmentPool = 4000
	// repairTries is how many partner groups are sampled per bad member on large pools.
	repairTries = 64
	// restartPool: pools up to this size are built smallRestarts times from different shuffles,
	// keeping the cheapest. Not larger: on 20–40 people in pairs, optimising each round harder
	// for departments exhausted the cross-department pairs early and forced repeats sooner over
	// a sequence of rounds (TestRoundsBeforeRepeat, 4 departments), beyond what the lookahead sees.
	restartPool   = 16
	smallRestarts = 6
	// lookaheadPool and lookaheadTries bound the one-round lookahead for pairs.
	lookaheadPool   = 64
	lookaheadTries  = 60
	lookaheadDepth  = 4
	lookaheadBranch = 6
	// lookaheadBudget caps the random perfect matchings drawn by one lookahead (bounds its time
	// when the next rounds are infeasible whatever is chosen now).
	lookaheadBudget = 3000
	// polishTries is how many partner groups are sampled per person in the large-pool polish.
	polishTries = 3
)

// state is the indexed view of an Input restricted to active participants.
type state struct {
	p        []Participant
	lookback int
	// nextLookback is the lookback the next round will use (one more round of history).
	nextLookback int
	history      []Round
	maxLookback  int
	// CSR adjacency lists, per active index: met partners (with age), links, never-with.
	metOff, metTo, metAge []int32
	lnkOff, lnkTo         []int32
	nevOff, nevTo         []int32
	adj                   map[[2]int64]bool
	contigFn              func(a, b int64) bool
	rng                   *rand.Rand
}

func csr(n int, pairs [][2]int32, ages []int32) (off, to, age []int32) {
	off = make([]int32, n+1)
	for _, e := range pairs {
		off[e[0]+1]++
		off[e[1]+1]++
	}
	for i := 0; i < n; i++ {
		off[i+1] += off[i]
	}
	to = make([]int32, off[n])
	if ages != nil {
		age = make([]int32, off[n])
	}
	pos := slices.Clone(off[:n])
	for k, e := range pairs {
		for s := 0; s < 2; s++ {
			a, b := e[s], e[1-s]
			to[pos[a]] = b
			if ages != nil {
				age[pos[a]] = ages[k]
			}
			pos[a]++
		}
	}
	return off, to, age
}

func newState(in *Input, active []Participant) (*state, error) {
	n := len(active)
	s := &state{p: active, rng: rand.New(rand.NewPCG(uint64(in.Seed), 0x9e3779b97f4a7c15))}
	idx := make(map[int64]int32, n)
	for i, p := range active {
		idx[p.ID] = int32(i)
	}
	s.lookback = len(in.History)
	if in.MaxLookback > 0 && in.MaxLookback < s.lookback {
		s.lookback = in.MaxLookback
	}
	s.history, s.maxLookback = in.History, in.MaxLookback
	s.nextLookback = len(in.History) + 1
	if in.MaxLookback > 0 && in.MaxLookback < s.nextLookback {
		s.nextLookback = in.MaxLookback
	}
	var met [][2]int32
	var ages []int32
	for r, round := range in.History {
		age := int32(len(in.History) - r)
		for _, g := range round {
			for i := 0; i < len(g); i++ {
				a, ok := idx[g[i]]
				if !ok {
					continue
				}
				for j := i + 1; j < len(g); j++ {
					if b, ok := idx[g[j]]; ok && a != b {
						met = append(met, [2]int32{a, b})
						ages = append(ages, age)
					}
				}
			}
		}
	}
	s.metOff, s.metTo, s.metAge = csr(n, met, ages)
	conv := func(src [][2]int64) [][2]int32 {
		var out [][2]int32
		for _, e := range src {
			a, ok1 := idx[e[0]]
			b, ok2 := idx[e[1]]
			if ok1 && ok2 && a != b {
				out = append(out, [2]int32{a, b})
			}
		}
		return out
	}
	s.lnkOff, s.lnkTo, _ = csr(n, conv(in.Links), nil)
	for i := 0; i < n; i++ {
		slices.Sort(s.lnkTo[s.lnkOff[i]:s.lnkOff[i+1]])
	}
	s.nevOff, s.nevTo, _ = csr(n, conv(in.NeverWith), nil)
	s.contigFn = in.Contiguous
	if s.contigFn == nil && len(in.AdjacentSites) > 0 {
		s.adj = make(map[[2]int64]bool, len(in.AdjacentSites))
		for _, e := range in.AdjacentSites {
			a, b := min(e[0], e[1]), max(e[0], e[1])
			s.adj[[2]int64{a, b}] = true
		}
	}
	return s, nil
}

// age returns how many rounds ago i and j last met (1 = last round), or 0 if never.
func (s *state) age(i, j int32) int32 {
	best := int32(0)
	for k := s.metOff[i]; k < s.metOff[i+1]; k++ {
		if s.metTo[k] == j && (best == 0 || s.metAge[k] < best) {
			best = s.metAge[k]
		}
	}
	return best
}

func (s *state) never(i, j int32) bool {
	for k := s.nevOff[i]; k < s.nevOff[i+1]; k++ {
		if s.nevTo[k] == j {
			return true
		}
	}
	return false
}

func (s *state) linked(i, j int32) bool {
	_, ok := slices.BinarySearch(s.lnkTo[s.lnkOff[i]:s.lnkOff[i+1]], j)
	return ok
}

func (s *state) contiguous(i, j int32) bool {
	a, b := &s.p[i], &s.p[j]
	if a.Unit != 0 && a.Unit == b.Unit {
		return true
	}
	if a.Site == 0 || b.Site == 0 {
		return false
	}
	if a.Site == b.Site {
		return true
	}
	x, y := min(a.Site, b.Site), max(a.Site, b.Site)
	if s.contigFn != nil {
		return s.contigFn(x, y)
	}
	return s.adj[[2]int64{x, y}]
}

// cost is the pair cost of i and j (see the package documentation).
func (s *state) cost(i, j int32) int64 {
	if s.never(i, j) {
		return costNever
	}
	var c int64
	a := s.age(i, j)
	if a > 0 && int(a) <= s.lookback {
		c += CostRepeat * int64(s.lookback+1-int(a))
	}
	if s.p[i].Department == s.p[j].Department {
		c += CostSameDepartment
	}
	if a > 0 || s.linked(i, j) {
		c += CostKnown
	}
	if s.contiguous(i, j) {
		c += CostContiguous
	}
	return c
}

// contrib is the cost of x's pairs with the members of g other than skip.
func (s *state) contrib(x int32, g []int32, skip int32) int64 {
	var c int64
	for _, z := range g {
		if z != skip && z != x {
			c += s.cost(x, z)
		}
	}
	return c
}

// Form computes one round.
func Form(in Input) (Result, error) {
	if err := validate(&in); err != nil {
		return Result{}, err
	}
	var res Result
	active := make([]Participant, 0, len(in.Participants))
	seen := make(map[int64]bool, len(in.Participants))
	for _, p := range in.Participants {
		if seen[p.ID] {
			return Result{}, fmt.Errorf("%w: duplicate participant id %d", ErrInvalid, p.ID)
		}
		seen[p.ID] = true
		if p.Paused {
			res.LeftOut = append(res.LeftOut, LeftOut{ID: p.ID, Reason: ReasonPaused})
			continue
		}
		active = append(active, p)
	}
	s, err := newState(&in, active)
	if err != nil {
		return Result{}, err
	}
	res.Report.RequestedLookback = s.lookback
	n := len(active)
	if n == 1 {
		res.LeftOut = append(res.LeftOut, LeftOut{ID: active[0].ID, Reason: ReasonAlone})
	}
	var groups [][]int32
	if n >= 2 {
		restarts := 1
		if n <= restartPool {
			restarts = smallRestarts
		}
		bestCost := int64(-1)
		for r := 0; r < restarts; r++ {
			gs := s.construct(groupSizes(n, in.GroupSize))
			s.improve(gs)
			if in.GroupSize == 2 && n <= augmentPool {
				gs = s.augment(gs)
				s.improve(gs)
			}
			if c := s.total(gs); bestCost < 0 || c < bestCost {
				groups, bestCost = gs, c
			}
		}
		if in.GroupSize == 2 {
			groups = s.lookahead(groups)
		}
		var out []LeftOut
		groups, out = s.enforceNever(groups)
		res.LeftOut = append(res.LeftOut, out...)
	}
	res.Groups, res.Report = s.finish(groups, res.Report)
	slices.SortFunc(res.LeftOut, func(a, b LeftOut) int { return cmp.Compare(a.ID, b.ID) })
	return res, nil
}

// construct deals the shuffled, department-ordered people into groups slot by slot.
func (s *state) construct(sizes []int) [][]int32 {
	n := len(s.p)
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	s.rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	deptSize := map[int64]int{}
	deptKey := map[int64]uint64{}
	for _, p := range s.p {
		deptSize[p.Department]++
	}
	depts := make([]int64, 0, len(deptSize))
	for d := range deptSize {
		depts = append(depts, d)
	}
	slices.Sort(depts)
	for _, d := range depts {
		deptKey[d] = s.rng.Uint64()
	}
	slices.SortFunc(depts, func(a, b int64) int {
		if c := cmp.Compare(deptSize[b], deptSize[a]); c != 0 {
			return c
		}
		return cmp.Compare(deptKey[a], deptKey[b])
	})
	// stable counting sort of the shuffled order by department rank
	rank := make(map[int64]int, len(depts))
	start := make([]int, len(depts)+1)
	for r, d := range depts {
		rank[d] = r
		start[r+1] = start[r] + deptSize[d]
	}
	sorted := make([]int32, n)
	for _, x := range order {
		r := rank[s.p[x].Department]
		sorted[start[r]] = x
		start[r]++
	}
	order = sorted
	groups := make([][]int32, len(sizes))
	for i, sz := range sizes {
		groups[i] = make([]int32, 0, sz)
	}
	k := 0
	for slot := 0; k < n; slot++ {
		for g := range groups {
			if slot < sizes[g] {
				groups[g] = append(groups[g], order[k])
				k++
			}
		}
	}
	return groups
}

// total is the cost of a grouping.
func (s *state) total(groups [][]int32) int64 {
	var c int64
	for _, g := range groups {
		for i, x := range g {
			for _, y := range g[i+1:] {
				c += s.cost(x, y)
			}
		}
	}
	return c
}

// swapDelta is the change in total cost from swapping member gi of g with member hj of h.
func (s *state) swapDelta(g, h []int32, gi, hj int) int64 {
	x, y := g[gi], h[hj]
	return s.contrib(y, g, x) - s.contrib(x, g, x) + s.contrib(x, h, y) - s.contrib(y, h, y)
}

// improve runs the swap local search in place.
func (s *state) improve(groups [][]int32) {
	ng := len(groups)
	if ng < 2 {
		return
	}
	// Repair: groups with a repeat, a same-department pair or a never-with pair.
	for pass := 0; pass < 4; pass++ {
		changed := false
		for g := range groups {
			for gi := 0; gi < len(groups[g]); gi++ {
				x := groups[g][gi]
				if s.contrib(x, groups[g], x) < CostSameDepartment {
					continue
				}
				tries := repairTries
				if ng <= smallPool {
					tries = ng - 1
				}
				start := s.rng.IntN(ng)
				for t := 0; t < tries; t++ {
					h := (start + t) % ng
					if h == g {
						continue
					}
					if ng > smallPool {
						h = s.rng.IntN(ng)
						if h == g {
							continue
						}
					}
					best, bj := int64(0), -1
					for hj := range groups[h] {
						if d := s.swapDelta(groups[g], groups[h], gi, hj); d < best {
							best, bj = d, hj
						}
					}
					if bj >= 0 {
						groups[g][gi], groups[h][bj] = groups[h][bj], groups[g][gi]
						changed = true
						break
					}
				}
			}
		}
		if !changed {
			break
		}
	}
	// Polish.
	if ng <= smallPool {
		for pass := 0; pass < 20; pass++ {
			changed := false
			for g := 0; g < ng; g++ {
				for h := g + 1; h < ng; h++ {
					for gi := range groups[g] {
						for hj := range groups[h] {
							if s.swapDelta(groups[g], groups[h], gi, hj) < 0 {
								groups[g][gi], groups[h][hj] = groups[h][hj], groups[g][gi]
								changed = true
							}
						}
					}
				}
			}
			if !changed {
				break
			}
		}
		return
	}
	for g := range groups {
		for gi := range groups[g] {
			if s.contrib(groups[g][gi], groups[g], groups[g][gi]) == 0 {
				continue // nothing to gain for this member; others try from their side
			}
			for t := 0; t < polishTries; t++ {
				h := s.rng.IntN(ng)
				if h == g {
					continue
				}
				hj := s.rng.IntN(len(groups[h]))
				if s.swapDelta(groups[g], groups[h], gi, hj) < 0 {
					groups[g][gi], groups[h][hj] = groups[h][hj], groups[g][gi]
				}
			}
		}
	}
}

// augment removes repeats from pair rounds by augmenting paths over non-repeat pairs: pairs
// with a repeat are broken up, then each freed person looks for an alternating path to another
// free person (first over cross-department pairs, then over any non-repeat pair) by randomised
// DFS with restarts. Whoever stays free is paired greedily at the least cost. Groups of three
// (odd pools) are left as they are.
func (s *state) augment(groups [][]int32) [][]int32 {
	n := len(s.p)
	mate := make([]int32, n)
	for i := range mate {
		mate[i] = -2 // not in a pair
	}
	var keep [][]int32
	var free []int32
	for _, g := range groups {
		if len(g) != 2 {
			keep = append(keep, g)
			continue
		}
		if s.cost(g[0], g[1]) >= CostRepeat {
			mate[g[0]], mate[g[1]] = -1, -1
			free = append(free, g[0], g[1])
		} else {
			mate[g[0]], mate[g[1]] = g[1], g[0]
		}
	}
	if len(free) == 0 {
		return groups
	}
	s.matchFree(mate, free, func(u, v int32) bool {
		return s.cost(u, v) < CostRepeat && s.p[u].Department != s.p[v].Department
	})
	s.matchFree(mate, free, func(u, v int32) bool { return s.cost(u, v) < CostRepeat })
	out := keep
	var rest []int32
	for _, u := range free {
		if mate[u] == -1 {
			rest = append(rest, u)
		}
	}
	for i := int32(0); i < int32(n); i++ {
		if mate[i] >= 0 && i < mate[i] {
			out = append(out, []int32{i, mate[i]})
		}
	}
	// Greedy least-cost pairing of whoever is still free (forced repeats).
	for len(rest) >= 2 {
		u := rest[0]
		bj, best := 1, s.cost(u, rest[1])
		for j := 2; j < len(rest); j++ {
			if c := s.cost(u, rest[j]); c < best {
				bj, best = j, c
			}
		}
		out = append(out, []int32{u, rest[bj]})
		rest = slices.Delete(rest, bj, bj+1)[1:]
	}
	return out
}

// matchFree extends the matching mate (-2: not part of it, -1: free, else the partner) with
// augmenting paths over allowed pairs, starting from each free person in free: a randomised
// DFS, restarted a few times (there is no blossom shrinking, so a path can be missed; the
// restarts make that rare on the pools it is used on).
func (s *state) matchFree(mate []int32, free []int32, allowed func(u, v int32) bool) {
	n := len(mate)
	stamp := make([]int32, n)
	cur := int32(0)
	var dfs func(u int32) bool
	dfs = func(u int32) bool {
		off := s.rng.IntN(n)
		for k := 0; k < n; k++ {
			v := int32((off + k) % n)
			if v == u || stamp[v] == cur || mate[v] == -2 || !allowed(u, v) {
				continue
			}
			stamp[v] = cur
			w := mate[v]
			if w == -1 {
				mate[u], mate[v] = v, u
				return true
			}
			if stamp[w] == cur {
				continue
			}
			stamp[w] = cur
			if dfs(w) {
				mate[u], mate[v] = v, u
				return true
			}
		}
		return false
	}
	for _, u := range free {
		for attempt := 0; attempt < 8 && mate[u] == -1; attempt++ {
			cur++
			stamp[u] = cur
			dfs(u)
		}
	}
}

// lookahead: for pair rounds on pools up to lookaheadPool with no repeat, check that the next
// round (with this one added to the history) can still avoid repeats; if not, try other
// repeat-free perfect matchings (random augmenting) and keep the first that leaves the next
// round feasible. This avoids the dead ends of a greedy sequence of matchings, e.g. a final
// 2-regular "not met yet" graph with odd cycles.
func (s *state) lookahead(groups [][]int32) [][]int32 {
	n := len(s.p)
	if n%2 != 0 || n > lookaheadPool || s.lookback == 0 {
		return groups
	}
	for _, g := range groups {
		if s.cost(g[0], g[1]) >= CostRepeat {
			return groups
		}
	}
	// blocked pairs for the round d rounds ahead (d = 1 is the next one), before adding the
	// matchings chosen in between
	blockedAhead := func(d int) []bool {
		lb := len(s.history) + d
		if s.maxLookback > 0 {
			lb = min(lb, s.maxLookback)
		}
		blk := make([]bool, n*n)
		for u := int32(0); u < int32(n); u++ {
			for v := int32(0); v < int32(n); v++ {
				a := s.age(u, v)
				blk[int(u)*n+int(v)] = u == v || s.never(u, v) || (a > 0 && int(a)+d <= lb)
			}
		}
		return blk
	}
	budget := lookaheadBudget
	randomPerfect := func(blk []bool) []int32 {
		if budget <= 0 {
			return nil
		}
		budget--
		mate := make([]int32, n)
		all := make([]int32, n)
		for i := range mate {
			mate[i], all[i] = -1, int32(i)
		}
		s.rng.Shuffle(n, func(i, j int) { all[i], all[j] = all[j], all[i] })
		s.matchFree(mate, all, func(u, v int32) bool { return !blk[int(u)*n+int(v)] })
		if slices.Contains(mate, -1) {
			return nil
		}
		return mate
	}
	block := func(blk []bool, gs [][]int32) []bool {
		b := slices.Clone(blk)
		for _, g := range gs {
			b[int(g[0])*n+int(g[1])], b[int(g[1])*n+int(g[0])] = true, true
		}
		return b
	}
	// look no further than the rounds that can still be repeat-free: the fewest not-yet-met
	// partners anyone has, less this round's
	depth := lookaheadDepth
	for u := int32(0); u < int32(n); u++ {
		deg := 0
		for v := int32(0); v < int32(n); v++ {
			if v != u && s.cost(u, v) < CostRepeat {
				deg++
			}
		}
		depth = min(depth, deg-1)
	}
	if depth <= 0 {
		return groups
	}
	ahead := make([][]bool, depth+1)
	for d := 1; d <= depth; d++ {
		ahead[d] = blockedAhead(d)
	}
	// feasible reports whether rounds d..lookaheadDepth ahead can all avoid repeats, given the
	// matchings chosen for the rounds in between (chosen), by randomised search.
	var feasible func(d int, chosen [][]int32) bool
	feasible = func(d int, chosen [][]int32) bool {
		if d > depth {
			return true
		}
		for try := 0; try < lookaheadBranch; try++ {
			m := randomPerfect(block(ahead[d], chosen))
			if m == nil {
				continue
			}
			next := slices.Clone(chosen)
			for i := int32(0); i < int32(n); i++ {
				if i < m[i] {
					next = append(next, []int32{i, m[i]})
				}
			}
			if feasible(d+1, next) {
				return true
			}
		}
		return false
	}
	nextOK := func(gs [][]int32) bool { return feasible(1, gs) }
	if nextOK(groups) {
		return groups
	}
	for try := 0; try < lookaheadTries; try++ {
		mate := make([]int32, n)
		all := make([]int32, n)
		for i := range mate {
			mate[i], all[i] = -1, int32(i)
		}
		s.rng.Shuffle(n, func(i, j int) { all[i], all[j] = all[j], all[i] })
		s.matchFree(mate, all, func(u, v int32) bool { return s.cost(u, v) < CostRepeat })
		if slices.Contains(mate, -1) {
			continue
		}
		var alt [][]int32
		for i := int32(0); i < int32(n); i++ {
			if i < mate[i] {
				alt = append(alt, []int32{i, mate[i]})
			}
		}
		s.improve(alt)
		if nextOK(alt) {
			return alt
		}
	}
	return groups
}

// enforceNever removes people from groups that still hold a never-with pair: each is moved to a
// group where nobody is on their list, or left out. A group reduced to one person is handled the
// same way.
func (s *state) enforceNever(groups [][]int32) ([][]int32, []LeftOut) {
	var out []LeftOut
	var homeless []int32
	for g := range groups {
		for {
			worst, wi := 0, -1
			for i, x := range groups[g] {
				c := 0
				for _, z := range groups[g] {
					if z != x && s.never(x, z) {
						c++
					}
				}
				if c > worst {
					worst, wi = c, i
				}
			}
			if wi < 0 {
				break
			}
			homeless = append(homeless, groups[g][wi])
			groups[g] = slices.Delete(groups[g], wi, wi+1)
		}
	}
	if len(homeless) == 0 {
		return groups, nil
	}
	place := func(x int32) bool {
		best, bg := int64(-1), -1
		for g := range groups {
			if len(groups[g]) < 2 {
				continue
			}
			c := int64(0)
			for _, z := range groups[g] {
				c += s.cost(x, z)
			}
			if c < costNever && (bg < 0 || c < best || (c == best && len(groups[g]) < len(groups[bg]))) {
				best, bg = c, g
			}
		}
		if bg < 0 {
			return false
		}
		groups[bg] = append(groups[bg], x)
		return true
	}
	for len(homeless) > 0 {
		x := homeless[0]
		homeless = homeless[1:]
		if !place(x) {
			reason := ReasonAlone
			if s.nevOff[x+1] > s.nevOff[x] {
				reason = ReasonNeverWith
			}
			out = append(out, LeftOut{ID: s.p[x].ID, Reason: reason})
		}
		for g := range groups {
			if len(groups[g]) == 1 {
				homeless = append(homeless, groups[g][0])
				groups[g] = groups[g][:0]
			}
		}
	}
	kept := groups[:0]
	for _, g := range groups {
		if len(g) >= 2 {
			kept = append(kept, g)
		}
	}
	return kept, out
}

// finish converts groups to sorted id lists and fills the report.
func (s *state) finish(groups [][]int32, r Report) ([][]int64, Report) {
	minAge := int32(0)
	out := make([][]int64, 0, len(groups))
	for _, g := range groups {
		ids := make([]int64, len(g))
		sameDept := false
		for i, x := range g {
			ids[i] = s.p[x].ID
			for _, y := range g[i+1:] {
				r.Pairs++
				a := s.age(x, y)
				if a > 0 && int(a) <= s.lookback {
					r.RepeatPairs++
					if minAge == 0 || a < minAge {
						minAge = a
					}
				}
				if s.p[x].Department == s.p[y].Department {
					r.SameDepartmentPairs++
					sameDept = true
				}
				if s.never(x, y) {
					r.NeverWithViolations++
				}
				if a == 0 && !s.linked(x, y) {
					r.NewPairs++
				}
				if !s.contiguous(x, y) {
					r.NonContiguousPairs++
				}
				if c := s.cost(x, y); c < costNever {
					r.Weight += MaxPairWeight - c
				}
			}
		}
		if sameDept {
			r.SameDepartmentGroups++
		}
		slices.Sort(ids)
		out = append(out, ids)
	}
	slices.SortFunc(out, func(a, b []int64) int { return cmp.Compare(a[0], b[0]) })
	r.Lookback = r.RequestedLookback
	if minAge > 0 {
		r.Lookback = int(minAge) - 1
	}
	return out, r
}
