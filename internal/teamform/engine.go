package teamform

import (
	"math/bits"
	"math/rand/v2"
	"slices"
)

// smallPool is the eligible-pool size up to which no pre-filtering happens.
const smallPool = 400

// pool is the (possibly filtered) set of candidates the search works on, sorted by id.
type pool struct {
	k     int
	need  []int32
	full  uint64 // every requirement bit
	src   []int32
	id    []int64
	dept  []int32 // dense department index
	nDept int
	mask  []uint64
	nbr   [][]int32 // collaboration neighbours within the pool, sorted
	nc    [][]bool  // nc[siteA][siteB]: non-contiguous, by dense site index
	site  []int32
}

func buildPool(p *prepared) *pool {
	in := p.in
	k := in.K
	sel := p.elig
	selMasks := p.masks
	if len(p.elig) > smallPool {
		sel, selMasks = filterPool(p)
	}
	order := make([]int, len(sel))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmpInt64(in.Candidates[sel[a]].ID, in.Candidates[sel[b]].ID)
	})
	n := len(sel)
	pl := &pool{k: k, need: p.need, src: make([]int32, n), id: make([]int64, n), dept: make([]int32, n),
		mask: make([]uint64, n), nbr: make([][]int32, n), site: make([]int32, n)}
	for r := range p.need {
		pl.full |= 1 << uint(r)
	}
	deptIx := map[int64]int32{}
	siteIx := map[int64]int32{}
	var sites []int64
	idx := make(map[int64]int32, n)
	for j, o := range order {
		c := &in.Candidates[sel[o]]
		pl.src[j], pl.id[j], pl.mask[j] = sel[o], c.ID, selMasks[o]
		d, ok := deptIx[c.Department]
		if !ok {
			d = int32(len(deptIx))
			deptIx[c.Department] = d
		}
		pl.dept[j] = d
		s, ok := siteIx[c.Site]
		if !ok {
			s = int32(len(sites))
			siteIx[c.Site] = s
			sites = append(sites, c.Site)
		}
		pl.site[j] = s
		idx[c.ID] = int32(j)
	}
	pl.nDept = len(deptIx)
	for _, e := range in.Links {
		a, ok := idx[e[0]]
		if !ok {
			continue
		}
		b, ok := idx[e[1]]
		if !ok || a == b {
			continue
		}
		pl.nbr[a] = append(pl.nbr[a], b)
		pl.nbr[b] = append(pl.nbr[b], a)
	}
	for i := range pl.nbr {
		if len(pl.nbr[i]) > 1 {
			slices.Sort(pl.nbr[i])
			pl.nbr[i] = slices.Compact(pl.nbr[i])
		}
	}
	cg := newContiguity(in)
	pl.nc = make([][]bool, len(sites))
	for a := range sites {
		pl.nc[a] = make([]bool, len(sites))
		for b := range sites {
			pl.nc[a][b] = !cg.contiguous(sites[a], sites[b])
		}
	}
	return pl
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// filterPool keeps, for each coverage signature, up to 3k candidates taken round-robin across
// departments (departments ordered by their smallest candidate id, candidates by id). Every
// signature keeps min(its size, 3k) ≥ min(its size, k) candidates, so any cover that exists in
// the full pool exists in the filtered one.
func filterPool(p *prepared) ([]int32, []uint64) {
	in := p.in
	k := in.K
	type key struct {
		dept int64
		mask uint64
	}
	bucketOf := make(map[key]int32, 1024)
	var buckets [][]int32 // positions in p.elig, ascending id, at most k
	var bucketMask []uint64
	for pos, ci := range p.elig {
		c := &in.Candidates[ci]
		kk := key{c.Department, p.masks[pos]}
		b, ok := bucketOf[kk]
		if !ok {
			b = int32(len(buckets))
			bucketOf[kk] = b
			buckets = append(buckets, make([]int32, 0, 2))
			bucketMask = append(bucketMask, kk.mask)
		}
		bs := buckets[b]
		if len(bs) == k {
			if in.Candidates[p.elig[bs[k-1]]].ID <= c.ID {
				continue
			}
			bs = bs[:k-1]
		}
		bs = append(bs, int32(pos))
		for i := len(bs) - 1; i > 0 && in.Candidates[p.elig[bs[i]]].ID < in.Candidates[p.elig[bs[i-1]]].ID; i-- {
			bs[i], bs[i-1] = bs[i-1], bs[i]
		}
		buckets[b] = bs
	}
	byMask := map[uint64][]int32{}
	var maskOrder []uint64
	for b, m := range bucketMask {
		if _, ok := byMask[m]; !ok {
			maskOrder = append(maskOrder, m)
		}
		byMask[m] = append(byMask[m], int32(b))
	}
	slices.Sort(maskOrder)
	q := 3 * k
	var sel []int32
	var masks []uint64
	firstID := func(b int32) int64 { return in.Candidates[p.elig[buckets[b][0]]].ID }
	for _, m := range maskOrder {
		bs := byMask[m]
		slices.SortFunc(bs, func(a, b int32) int { return cmpInt64(firstID(a), firstID(b)) })
		taken := 0
		for round := 0; round < k && taken < q; round++ {
			any := false
			for _, b := range bs {
				if round < len(buckets[b]) {
					any = true
					sel = append(sel, p.elig[buckets[b][round]])
					masks = append(masks, m)
					if taken++; taken == q {
						break
					}
				}
			}
			if !any {
				break
			}
		}
	}
	return sel, masks
}

// state is a partial or complete team over a pool.
type state struct {
	pl      *pool
	members []int32
	in      []bool
	deptCnt []int32
	nbrIn   []int32 // collaboration neighbours already in the team
	cov     []int32
}

func newState(pl *pool) *state {
	n := len(pl.id)
	return &state{pl: pl, members: make([]int32, 0, pl.k), in: make([]bool, n),
		deptCnt: make([]int32, pl.nDept), nbrIn: make([]int32, n), cov: make([]int32, len(pl.need))}
}

func (s *state) add(c int32) {
	s.members = append(s.members, c)
	s.in[c] = true
	s.deptCnt[s.pl.dept[c]]++
	for _, x := range s.pl.nbr[c] {
		s.nbrIn[x]++
	}
	for m := s.pl.mask[c]; m != 0; m &= m - 1 {
		s.cov[bits.TrailingZeros64(m)]++
	}
}

func (s *state) replace(slot int, c int32) {
	o := s.members[slot]
	s.in[o] = false
	s.deptCnt[s.pl.dept[o]]--
	for _, x := range s.pl.nbr[o] {
		s.nbrIn[x]--
	}
	for m := s.pl.mask[o]; m != 0; m &= m - 1 {
		s.cov[bits.TrailingZeros64(m)]--
	}
	s.members[slot] = c
	s.in[c] = true
	s.deptCnt[s.pl.dept[c]]++
	for _, x := range s.pl.nbr[c] {
		s.nbrIn[x]++
	}
	for m := s.pl.mask[c]; m != 0; m &= m - 1 {
		s.cov[bits.TrailingZeros64(m)]++
	}
}

// uncovered returns the requirements not yet met.
func (s *state) uncovered() uint64 {
	var u uint64
	for r, n := range s.pl.need {
		if s.cov[r] < n {
			u |= 1 << uint(r)
		}
	}
	return u
}

// ncWith counts members (other than skip) at a site non-contiguous with c's, with whom c has
// no link.
func (s *state) ncWith(c int32, skip int32) int {
	pl := s.pl
	row := pl.nc[pl.site[c]]
	n := 0
	for _, t := range s.members {
		if t != skip && t != c && row[pl.site[t]] {
			n++
		}
	}
	for _, x := range pl.nbr[c] {
		if x != skip && s.in[x] && row[pl.site[x]] {
			n--
		}
	}
	return n
}

// score computes the team's objective from scratch.
func (s *state) score() Score {
	pl := s.pl
	var sc Score
	seen := map[int32]bool{}
	for i, a := range s.members {
		if !seen[pl.dept[a]] {
			seen[pl.dept[a]] = true
			sc.Departments++
		}
		for _, b := range s.members[:i] {
			if _, linked := slices.BinarySearch(pl.nbr[a], b); !linked {
				sc.NewLinks++
				if pl.nc[pl.site[a]][pl.site[b]] {
					sc.NonContiguousLinks++
				}
			}
		}
	}
	return sc
}

// addKey is the greedy preference for adding c: a new department, then the uncovered
// requirements it meets (when gainFirst, before the department), then new links, then
// non-contiguous links.
type addKey struct {
	a, b, links, nc int
	noise           uint32
}

func (x addKey) better(y addKey) bool {
	if x.a != y.a {
		return x.a > y.a
	}
	if x.b != y.b {
		return x.b > y.b
	}
	if x.links != y.links {
		return x.links > y.links
	}
	if x.nc != y.nc {
		return x.nc > y.nc
	}
	return x.noise < y.noise
}

// construct builds a team greedily; ok is false when the greedy could not cover the
// requirements within k people (a cover may still exist).
func (pl *pool) construct(rng *rand.Rand, gainFirst bool) (*state, bool) {
	s := newState(pl)
	n := len(pl.id)
	var noise []uint32
	if rng != nil {
		noise = make([]uint32, n)
		for i := range noise {
			noise[i] = rng.Uint32()
		}
	}
	supply := make([]int32, len(pl.need))
	for _, m := range pl.mask {
		for mm := m; mm != 0; mm &= mm - 1 {
			supply[bits.TrailingZeros64(mm)]++
		}
	}
	first := rng != nil
	for {
		unc := s.uncovered()
		if unc == 0 {
			break
		}
		slots := int32(pl.k - len(s.members))
		// scarcest requirement: least slack between supply and remaining need
		best, bestSlack := -1, int32(1<<30)
		for u := unc; u != 0; u &= u - 1 {
			r := bits.TrailingZeros64(u)
			rem := pl.need[r] - s.cov[r]
			if rem > slots {
				return s, false
			}
			if slack := supply[r] - rem; slack < bestSlack {
				best, bestSlack = r, slack
			}
		}
		bit := uint64(1) << uint(best)
		pick := int32(-1)
		var pk addKey
		for c := int32(0); c < int32(n); c++ {
			if s.in[c] || pl.mask[c]&bit == 0 {
				continue
			}
			if !s.coverableAfter(c, slots-1) {
				continue
			}
			if first {
				// a randomised restart starts from a random holder of the scarcest skill
				var k addKey
				k.noise = noise[c]
				if pick < 0 || k.better(pk) {
					pick, pk = c, k
				}
				continue
			}
			k := s.key(c, unc, gainFirst, noise)
			if pick < 0 || k.better(pk) {
				pick, pk = c, k
			}
		}
		first = false
		if pick < 0 {
			return s, false
		}
		s.add(pick)
		for mm := pl.mask[pick]; mm != 0; mm &= mm - 1 {
			supply[bits.TrailingZeros64(mm)]--
		}
	}
	s.fill(noise)
	return s, true
}

// coverableAfter reports whether, after adding c, every remaining need fits in slots people
// (a necessary condition).
func (s *state) coverableAfter(c int32, slots int32) bool {
	m := s.pl.mask[c]
	for r, n := range s.pl.need {
		rem := n - s.cov[r]
		if m&(1<<uint(r)) != 0 {
			rem--
		}
		if rem > slots {
			return false
		}
	}
	return true
}

func (s *state) key(c int32, unc uint64, gainFirst bool, noise []uint32) addKey {
	pl := s.pl
	var k addKey
	newDept := 0
	if s.deptCnt[pl.dept[c]] == 0 {
		newDept = 1
	}
	gain := bits.OnesCount64(pl.mask[c] & unc)
	if gainFirst {
		k.a, k.b = gain, newDept
	} else {
		k.a, k.b = newDept, gain
	}
	k.links = len(s.members) - int(s.nbrIn[c])
	k.nc = s.ncWith(c, -1)
	if noise != nil {
		k.noise = noise[c]
	}
	return k
}

// fill adds members until the team has k, by new department, new links, non-contiguous links.
func (s *state) fill(noise []uint32) {
	pl := s.pl
	for len(s.members) < pl.k {
		pick := int32(-1)
		var pk addKey
		for c := int32(0); c < int32(len(pl.id)); c++ {
			if s.in[c] {
				continue
			}
			k := s.key(c, 0, false, noise)
			if pick < 0 || k.better(pk) {
				pick, pk = c, k
			}
		}
		if pick < 0 {
			return
		}
		s.add(pick)
	}
}

// exactCover searches coverage signatures exhaustively for a multiset of at most k candidates
// meeting every requirement, then builds a team from it. decided is false when the node
// budget ran out.
func (pl *pool) exactCover(budget int) (s *state, found, decided bool) {
	count := map[uint64]int{}
	for _, m := range pl.mask {
		if m&pl.full != 0 {
			count[m]++
		}
	}
	sigs := make([]uint64, 0, len(count))
	for m := range count {
		sigs = append(sigs, m)
	}
	// richer signatures first: finds covers sooner
	slices.SortFunc(sigs, func(a, b uint64) int {
		if d := bits.OnesCount64(b) - bits.OnesCount64(a); d != 0 {
			return d
		}
		return cmpUint64(a, b)
	})
	mult := make([]int, len(sigs))
	for i, m := range sigs {
		mult[i] = min(count[m], pl.k)
	}
	// suffix supply per requirement, to prune
	R := len(pl.need)
	suffix := make([][]int32, len(sigs)+1)
	suffix[len(sigs)] = make([]int32, R)
	for i := len(sigs) - 1; i >= 0; i-- {
		suffix[i] = slices.Clone(suffix[i+1])
		for mm := sigs[i]; mm != 0; mm &= mm - 1 {
			suffix[i][bits.TrailingZeros64(mm)] += int32(mult[i])
		}
	}
	rem := slices.Clone(pl.need)
	take := make([]int, len(sigs))
	nodes := 0
	var dfs func(i, slots int) bool
	dfs = func(i, slots int) bool {
		nodes++
		if nodes > budget {
			return false
		}
		done := true
		for r := 0; r < R; r++ {
			if rem[r] > 0 {
				done = false
				if rem[r] > int32(slots) || rem[r] > suffix[i][r] {
					return false
				}
			}
		}
		if done {
			return true
		}
		if i == len(sigs) {
			return false
		}
		useful := false
		for mm := sigs[i]; mm != 0; mm &= mm - 1 {
			if rem[bits.TrailingZeros64(mm)] > 0 {
				useful = true
				break
			}
		}
		maxT := 0
		if useful {
			maxT = min(mult[i], slots)
		}
		for t := maxT; t >= 0; t-- {
			for mm := sigs[i]; mm != 0; mm &= mm - 1 {
				rem[bits.TrailingZeros64(mm)] -= int32(t)
			}
			take[i] = t
			ok := dfs(i+1, slots-t)
			for mm := sigs[i]; mm != 0; mm &= mm - 1 {
				rem[bits.TrailingZeros64(mm)] += int32(t)
			}
			if ok {
				return true
			}
			if nodes > budget {
				return false
			}
		}
		take[i] = 0
		return false
	}
	if !dfs(0, pl.k) {
		return nil, false, nodes <= budget
	}
	s = newState(pl)
	for i, t := range take {
		for ; t > 0; t-- {
			pick := int32(-1)
			var pk addKey
			for c := int32(0); c < int32(len(pl.id)); c++ {
				if s.in[c] || pl.mask[c] != sigs[i] {
					continue
				}
				k := s.key(c, 0, false, nil)
				if pick < 0 || k.better(pk) {
					pick, pk = c, k
				}
			}
			s.add(pick)
		}
	}
	s.fill(nil)
	return s, true, true
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// delta is the change of score for a swap.
type delta struct{ d, l, n int }

func (x delta) better(y delta) bool {
	if x.d != y.d {
		return x.d > y.d
	}
	if x.l != y.l {
		return x.l > y.l
	}
	return x.n > y.n
}

// localSearch applies best-improvement swaps (one member out, one non-member in) that keep
// coverage and strictly improve the score, until none is left.
func (s *state) localSearch(maxIter int) {
	pl := s.pl
	n := int32(len(pl.id))
	k := len(s.members)
	markO := make([]bool, n)
	for iter := 0; iter < maxIter; iter++ {
		bestSlot, bestC := -1, int32(-1)
		best := delta{}
		for slot, o := range s.members {
			// requirements o is critical for: any replacement must meet them
			var crit uint64
			for mm := pl.mask[o]; mm != 0; mm &= mm - 1 {
				r := bits.TrailingZeros64(mm)
				if s.cov[r] <= pl.need[r] {
					crit |= 1 << uint(r)
				}
			}
			lose := 0
			if s.deptCnt[pl.dept[o]] == 1 {
				lose = 1
			}
			outLinks := (k - 1) - int(s.nbrIn[o])
			outNC := -1 // computed lazily
			for _, x := range pl.nbr[o] {
				markO[x] = true
			}
			for c := int32(0); c < n; c++ {
				if s.in[c] || pl.mask[c]&crit != crit {
					continue
				}
				var dd delta
				cnt := s.deptCnt[pl.dept[c]]
				if pl.dept[c] == pl.dept[o] {
					cnt--
				}
				if cnt == 0 {
					dd.d = 1
				}
				dd.d -= lose
				if dd.d < best.d {
					continue
				}
				in := int(s.nbrIn[c])
				if markO[c] {
					in--
				}
				dd.l = ((k - 1) - in) - outLinks
				if dd.d == best.d && dd.l < best.l {
					continue
				}
				if dd.d == 0 && dd.l < 0 {
					continue
				}
				if outNC < 0 {
					outNC = s.ncWith(o, o)
				}
				dd.n = s.ncWith(c, o) - outNC
				if !dd.better(delta{}) || !dd.better(best) {
					continue
				}
				best, bestSlot, bestC = dd, slot, c
			}
			for _, x := range pl.nbr[o] {
				markO[x] = false
			}
		}
		if bestSlot < 0 {
			return
		}
		s.replace(bestSlot, bestC)
	}
}

// solve runs the greedy, restarts and local search on a pool.
func (pl *pool) solve(seed int64, restarts int) (s *state, ok, decided bool) {
	if restarts == 0 {
		restarts = 1
		if len(pl.id) <= smallPool {
			restarts = 7
		}
	} else if restarts < 0 {
		restarts = 0
	}
	var best *state
	var bestScore Score
	consider := func(s *state) {
		s.localSearch(200)
		sc := s.score()
		if best == nil || sc.Compare(bestScore) > 0 {
			best, bestScore = s, sc
		}
	}
	if s, ok := pl.construct(nil, false); ok {
		consider(s)
	}
	if s, ok := pl.construct(nil, true); ok {
		consider(s)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7ea3f0e1))
	for i := 0; i < restarts; i++ {
		if s, ok := pl.construct(rng, i%2 == 1); ok {
			consider(s)
		}
	}
	if best == nil {
		s, found, decided := pl.exactCover(exactBudget)
		if !found {
			return nil, false, decided
		}
		consider(s)
	}
	return best, true, true
}

// exactBudget bounds the nodes of the exact coverage search.
const exactBudget = 2_000_000
