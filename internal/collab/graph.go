package collab

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Source is where a link was first seen; the values are those of collaboration_edges.source.
type Source string

// The sources the store writes. Others are accepted and counted under their own name.
const (
	SourceProject Source = "project" // members of the same project team
	SourceMeeting Source = "meeting" // met in an exchange round
	SourceImport  Source = "import"  // loaded from a previous system
)

// Person is an employee as the graph needs them. Department is the id of their department
// unit, 0 for none (their links are left out of the department figures). Unit is the id of
// the unit they work in, 0 if unknown; it is only handed to the contiguity predicate of
// NewLinks.
type Person struct {
	ID         int64
	Department int64
	Unit       int64
}

// Edge is a collaboration link: an unordered pair of employees (A, B in either order), the
// instant it was first seen and its source.
type Edge struct {
	A, B      int64
	FirstSeen time.Time
	Source    Source
}

// Errors of NewGraph.
var (
	ErrSelfLoop        = errors.New("collab: a link joins an employee to themselves")
	ErrDuplicatePerson = errors.New("collab: the same employee is given twice")
)

// instant is a time.Time reduced to what ordering needs, over time.Time's whole range (Unix
// nanoseconds in one int64 would overflow outside 1678–2262).
type instant struct {
	sec  int64
	nsec int32
}

func instantOf(t time.Time) instant { return instant{t.Unix(), int32(t.Nanosecond())} }

func (a instant) before(b instant) bool {
	return a.sec < b.sec || (a.sec == b.sec && a.nsec < b.nsec)
}

func (a instant) compare(b instant) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	return cmp.Compare(a.nsec, b.nsec)
}

// edge is a link inside the graph: a and b are person indices with ids[a] < ids[b].
type edge struct {
	at   instant
	a, b int32
	src  uint8
}

// Graph is the collaboration graph, immutable once built: links sorted by first-seen instant,
// so that a figure at an instant reads a prefix and a series of weeks is one sweep.
type Graph struct {
	ids     []int64  // person index → employee id
	dept    []int32  // person index → department index, −1 for none
	unit    []int64  // person index → unit id
	depts   []int64  // department index → department id, ascending
	sources []Source // source code → name, ascending
	edges   []edge   // distinct pairs, by first-seen instant
}

// NewGraph builds the graph of people and edges. It copies what it needs; the caller may reuse
// the slices.
//
//   - An edge given more than once, in either order (A, B or B, A), is one link, first seen at
//     the earliest of its instants (and with that one's source; on a tie, the source first in
//     alphabetical order).
//   - A self-loop (A == B) is refused with ErrSelfLoop: the store cannot hold one
//     (CHECK employee_a < employee_b), so one means the caller built the edges wrong, and a
//     figure silently computed from wrong input is worse than an error.
//   - An employee id given twice among people is refused with ErrDuplicatePerson.
//   - An edge's end that is not among people counts as a person without a department (left
//     out of the department figures, like anyone without one).
//
// Building costs a sort of the edges by first-seen instant (a bucket sort, about linear;
// skipped when they already come in that order, as from ORDER BY first_seen) and a linear pass
// to drop duplicates: about 60–150 ms for a million links on the development machine.
func NewGraph(people []Person, edges []Edge) (*Graph, error) {
	g := &Graph{}
	index := newPersonIndex(people)
	deptSet := map[int64]struct{}{}
	for _, p := range people {
		if _, dup := index.get(p.ID); dup {
			return nil, fmt.Errorf("%w: id %d", ErrDuplicatePerson, p.ID)
		}
		index.put(p.ID, int32(len(g.ids)))
		g.ids = append(g.ids, p.ID)
		g.unit = append(g.unit, p.Unit)
		if p.Department != 0 {
			deptSet[p.Department] = struct{}{}
		}
	}
	for d := range deptSet {
		g.depts = append(g.depts, d)
	}
	slices.Sort(g.depts)
	deptIndex := make(map[int64]int32, len(g.depts))
	for i, d := range g.depts {
		deptIndex[d] = int32(i)
	}
	g.dept = make([]int32, len(people))
	for i, p := range people {
		g.dept[i] = -1
		if p.Department != 0 {
			g.dept[i] = deptIndex[p.Department]
		}
	}

	person := func(id int64) int32 {
		if i, ok := index.get(id); ok {
			return i
		}
		i := int32(len(g.ids))
		index.put(id, i)
		g.ids = append(g.ids, id)
		g.dept = append(g.dept, -1)
		g.unit = append(g.unit, 0)
		return i
	}
	// Sources are few: code them as they come (a short linear search, cheaper than hashing a
	// string per link), then renumber them in alphabetical order, so that comparing codes
	// compares names.
	es := make([]edge, 0, len(edges))
	var lastSrc Source
	var lastCode uint8
	for _, e := range edges {
		if e.A == e.B {
			return nil, fmt.Errorf("%w: id %d", ErrSelfLoop, e.A)
		}
		if e.Source != lastSrc || len(es) == 0 {
			k := slices.Index(g.sources, e.Source)
			if k < 0 {
				if len(g.sources) == 256 {
					return nil, fmt.Errorf("collab: more than 256 distinct link sources")
				}
				k = len(g.sources)
				g.sources = append(g.sources, e.Source)
			}
			lastSrc, lastCode = e.Source, uint8(k)
		}
		lo, hi := min(e.A, e.B), max(e.A, e.B)
		es = append(es, edge{at: instantOf(e.FirstSeen), a: person(lo), b: person(hi), src: lastCode})
	}
	if !slices.IsSorted(g.sources) {
		order := slices.Clone(g.sources)
		slices.Sort(order)
		var recode [256]uint8
		for i, s := range g.sources {
			recode[i] = uint8(slices.Index(order, s))
		}
		for i := range es {
			es[i].src = recode[es[i].src]
		}
		g.sources = order
	}
	// Order by first seen, then by the pair and the source, so that of a pair given more than
	// once the earliest occurrence comes first (on a tie, the source first alphabetically),
	// whatever the input's order. Distinct pairs first seen at the same instant may come in
	// either order: every figure takes all the links of an instant together.
	byTime := func(x, y edge) int {
		if c := x.at.compare(y.at); c != 0 {
			return c
		}
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		if c := cmp.Compare(x.b, y.b); c != 0 {
			return c
		}
		return cmp.Compare(x.src, y.src)
	}
	if !slices.IsSortedFunc(es, byTime) && !radixSortByTime(es) {
		slices.SortFunc(es, byTime)
	}
	g.edges = dedupe(es, len(g.ids))
	return g, nil
}

// personIndex maps employee ids to person indices. Employee ids are a database sequence, so
// usually dense: then a table indexed by id − base, much cheaper than a map for the two lookups
// per link; ids outside the table (or all of them, when sparse) go to a map.
type personIndex struct {
	base   int64
	dense  []int32 // id − base → index + 1; 0 for absent
	sparse map[int64]int32
}

func newPersonIndex(people []Person) *personIndex {
	x := &personIndex{sparse: map[int64]int32{}}
	if len(people) == 0 {
		return x
	}
	lo, hi := people[0].ID, people[0].ID
	for _, p := range people {
		lo, hi = min(lo, p.ID), max(lo, p.ID, hi)
	}
	// uint64: hi − lo may overflow int64 with ids at both ends of the range
	if span := uint64(hi) - uint64(lo); span < 4*uint64(len(people))+1024 {
		x.base, x.dense = lo, make([]int32, span+1)
	} else {
		x.sparse = make(map[int64]int32, len(people))
	}
	return x
}

func (x *personIndex) slot(id int64) (int, bool) {
	k := uint64(id) - uint64(x.base)
	return int(k), x.dense != nil && k < uint64(len(x.dense))
}

func (x *personIndex) get(id int64) (int32, bool) {
	if k, ok := x.slot(id); ok {
		return x.dense[k] - 1, x.dense[k] != 0
	}
	i, ok := x.sparse[id]
	return i, ok
}

func (x *personIndex) put(id int64, i int32) {
	if k, ok := x.slot(id); ok {
		x.dense[k] = i + 1
		return
	}
	x.sparse[id] = i
}

// dedupe keeps the first occurrence of each pair of es (sorted by time) and drops the rest,
// in place; of occurrences at the same instant it keeps the source first alphabetically. Rather than hashing a million pairs, it groups the occurrences by their lower end
// (a counting sort that keeps them in time order) and, within a group, marks each other end
// when first met: O(E + N), no hashing, no sorting.
func dedupe(es []edge, people int) []edge {
	start := make([]int32, people+1)
	for _, e := range es {
		start[e.a+1]++
	}
	for i := 1; i <= people; i++ {
		start[i] += start[i-1]
	}
	pos := make([]int32, len(es)) // positions in es, grouped by lower end, ascending in a group
	fill := slices.Clone(start[:people])
	for i, e := range es {
		pos[fill[e.a]] = int32(i)
		fill[e.a]++
	}
	seenIn := make([]int32, people) // b → 1 + the last group a in which b was met
	kept := make([]int32, people)   // b → position of the occurrence kept in that group
	dup := make([]bool, len(es))
	found := false
	for a := range people {
		for _, i := range pos[start[a]:start[a+1]] {
			b := es[i].b
			if seenIn[b] != int32(a)+1 {
				seenIn[b], kept[b] = int32(a)+1, i
				continue
			}
			dup[i], found = true, true
			// a tie of instants goes to the source first alphabetically, whichever order
			// the sort left them in
			if k := &es[kept[b]]; k.at == es[i].at && es[i].src < k.src {
				k.src = es[i].src
			}
		}
	}
	if !found {
		return es
	}
	out := es[:0]
	for i, e := range es {
		if !dup[i] {
			out = append(out, e)
		}
	}
	return slices.Clip(out)
}

// Len returns the number of distinct links.
func (g *Graph) Len() int { return len(g.edges) }

// Departments returns the ids of the departments of the people given, ascending: the rows and
// columns of the connectivity matrix.
func (g *Graph) Departments() []int64 { return slices.Clone(g.depts) }

// prefix returns how many links were first seen before t (all of them when t is zero).
func (g *Graph) prefix(t time.Time) int {
	if t.IsZero() {
		return len(g.edges)
	}
	c := instantOf(t)
	n, _ := slices.BinarySearchFunc(g.edges, c, func(e edge, c instant) int {
		if e.at.before(c) {
			return -1
		}
		return 1
	})
	return n
}

// span returns the index range of the links first seen in [from, to); a zero from means since
// the beginning, a zero to means until now (all links).
func (g *Graph) span(from, to time.Time) (lo, hi int) {
	lo, hi = 0, g.prefix(to)
	if !from.IsZero() {
		lo = min(g.prefix(from), hi)
	}
	return lo, hi
}

// radixSortByTime sorts es by first-seen instant: one counting pass spreads the links into
// about len(es)/4 buckets by the high bits of their instant (in Unix nanoseconds, relative to
// the earliest), then each small bucket is sorted on its own. Over a million links spread over
// months or years that is about linear, a few times faster than one comparison sort; links
// crowded into one instant (an import) only make a bucket a comparison sort again. Links at the
// same instant keep their input order (dedupe settles the source of a pair given twice at one
// instant). It reports false, sorting nothing, when an instant lies outside the nanosecond
// range (1678–2262).
func radixSortByTime(es []edge) bool {
	type keyed struct {
		key uint64
		i   int32
	}
	const minSec, maxSec = -9_223_372_035, 9_223_372_035 // whole seconds that fit in int64 ns
	ks := make([]keyed, len(es))
	lo, hi := uint64(1<<64-1), uint64(0)
	for i, e := range es {
		if e.at.sec < minSec || e.at.sec > maxSec {
			return false
		}
		// flipping the sign bit makes unsigned order the signed order
		k := uint64(e.at.sec*1_000_000_000+int64(e.at.nsec)) ^ (1 << 63)
		ks[i] = keyed{k, int32(i)}
		lo, hi = min(lo, k), max(hi, k)
	}
	// shift so that (hi − lo) >> shift < buckets
	buckets := uint64(max(len(es)/4, 1))
	shift := uint(0)
	for (hi-lo)>>shift >= buckets {
		shift++
	}
	start := make([]int32, buckets+1)
	for _, k := range ks {
		start[(k.key-lo)>>shift+1]++
	}
	for b := uint64(1); b <= buckets; b++ {
		start[b] += start[b-1]
	}
	out := make([]keyed, len(ks))
	fill := slices.Clone(start[:buckets])
	for _, k := range ks {
		b := (k.key - lo) >> shift
		out[fill[b]] = k
		fill[b]++
	}
	byKey := func(x, y keyed) int {
		if c := cmp.Compare(x.key, y.key); c != 0 {
			return c
		}
		return cmp.Compare(x.i, y.i)
	}
	for b := range buckets {
		if bucket := out[start[b]:start[b+1]]; len(bucket) > 1 {
			slices.SortFunc(bucket, byKey)
		}
	}
	sorted := make([]edge, len(es))
	for j, k := range out {
		sorted[j] = es[k.i]
	}
	copy(es, sorted)
	return true
}
