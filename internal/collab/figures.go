package collab

import (
	"cmp"
	"slices"
	"time"
)

// Barrier is the barrier index of the graph at an instant: every link first seen before it.
//
// Share is the headline a manager reads: of the links between two people who both have a
// department, the share that joins two different departments (0..1, higher is better). Q is
// Newman's modularity of the department partition (−0.5..1, lower is better: around 0 the
// departments are no barrier, above 0 links stay inside them more than chance would have it).
// Links touching someone without a department are counted in Links and Excluded and left out
// of everything else. With no counted link (an empty graph, or only excluded links) neither
// figure is defined: OK is false and both are 0.
type Barrier struct {
	Links    int     // all links
	Excluded int     // links touching someone without a department, left out below
	Counted  int     // m: links whose two people both have a department
	Cross    int     // counted links joining two different departments
	Within   int     // counted links inside one department (Counted − Cross)
	Share    float64 // Cross / Counted
	Q        float64 // Σ_c [ L_c/m − (d_c/2m)² ]
	OK       bool    // Counted > 0
}

// state is what the figures need of a prefix of the links, kept up to date one link at a time.
// sumSq is Σ_c d_c², the squared total degrees of the departments: with it Q needs no pass over
// the departments, since Σ_c L_c = m − cross and Σ_c (d_c/2m)² = sumSq / 4m².
type state struct {
	links, counted, cross int
	sumSq                 int64
}

func (s state) barrier() Barrier {
	b := Barrier{Links: s.links, Excluded: s.links - s.counted, Counted: s.counted,
		Cross: s.cross, Within: s.counted - s.cross}
	if s.counted == 0 {
		return b
	}
	m := float64(s.counted)
	b.OK = true
	b.Share = float64(s.cross) / m
	b.Q = float64(b.Within)/m - float64(s.sumSq)/(4*m*m)
	return b
}

// sweep returns the state of the graph at each of cutoffs (ascending): one pass over the links
// in first-seen order, O(E + D + len(cutoffs)) — the department count D only to allocate.
func (g *Graph) sweep(cutoffs []instant) []state {
	out := make([]state, len(cutoffs))
	degree := make([]int64, len(g.depts))
	var s state
	i := 0
	for k, c := range cutoffs {
		for ; i < len(g.edges) && g.edges[i].at.before(c); i++ {
			e := &g.edges[i]
			s.links++
			da, db := g.dept[e.a], g.dept[e.b]
			if da < 0 || db < 0 {
				continue
			}
			s.counted++
			if da != db {
				s.cross++
			}
			// (d+1)² − d² = 2d + 1, for each end's department
			s.sumSq += 2*degree[da] + 1
			degree[da]++
			s.sumSq += 2*degree[db] + 1
			degree[db]++
		}
		out[k] = s
	}
	return out
}

// at is the state at t (all links when t is zero).
func (g *Graph) at(t time.Time) state {
	c := instant{sec: 1<<63 - 1}
	if !t.IsZero() {
		c = instantOf(t)
	}
	return g.sweep([]instant{c})[0]
}

// Barrier returns the barrier index of the links first seen before until (all links when until
// is zero). It reads the links once: O(E). For many instants use Series, which sweeps once.
func (g *Graph) Barrier(until time.Time) Barrier { return g.at(until).barrier() }

// Modularity returns Newman's modularity Q of the department partition on the links first seen
// before until (all when zero): Q = Σ_c [ L_c/m − (d_c/2m)² ], where m is the number of links
// between people who both have a department, L_c the links inside department c and d_c the
// sum of the degrees (links) of c's members. The graph is simple and unweighted (a pair linked
// again is still one link). Links touching someone without a department are left out, of m and
// of every d_c. With no such link Q is undefined and ok is false.
//
// In plain words: the share of links inside departments, minus the share there would be if
// everyone kept their number of links but chose whom at random. 0: departments are no barrier;
// positive: silos; negative (down to −0.5): more crossing than chance. Lower is better.
func (g *Graph) Modularity(until time.Time) (q float64, ok bool) {
	b := g.Barrier(until)
	return b.Q, b.OK
}

// Cumulative returns how many links were first seen before until (all when zero).
func (g *Graph) Cumulative(until time.Time) int { return g.prefix(until) }

// NewLinks counts the links first seen in a period.
type NewLinks struct {
	All           int            // links first seen in the period
	Cross         int            // of All, links joining two different departments
	Excluded      int            // of All, links touching someone without a department
	NonContiguous int            // of All, links between units that are not contiguous
	BySource      map[Source]int // All by source (only sources with at least one link)
	Cumulative    int            // all links first seen before the period's end
}

// NewLinks counts the links first seen in [from, to) (zero from: since the beginning; zero to:
// until the last link). contiguous reports whether two units are contiguous (at the same or at
// adjacent sites); it is called once per new link with the units of its two people (0 when
// unknown), the lower employee id's first, and should be symmetric; org.Tree.Contiguous fits.
// A link counts as non-contiguous when it returns false. With a nil contiguous, NonContiguous
// is 0 (not computed).
func (g *Graph) NewLinks(from, to time.Time, contiguous func(unitA, unitB int64) bool) NewLinks {
	lo, hi := g.span(from, to)
	n := NewLinks{All: hi - lo, Cumulative: hi, BySource: map[Source]int{}}
	bySrc := make([]int, len(g.sources))
	for _, e := range g.edges[lo:hi] {
		bySrc[e.src]++
		switch da, db := g.dept[e.a], g.dept[e.b]; {
		case da < 0 || db < 0:
			n.Excluded++
		case da != db:
			n.Cross++
		}
		if contiguous != nil && !contiguous(g.unit[e.a], g.unit[e.b]) {
			n.NonContiguous++
		}
	}
	for i, c := range bySrc {
		if c > 0 {
			n.BySource[g.sources[i]] = c
		}
	}
	return n
}

// Matrix is the department connectivity matrix: how many links join each pair of departments.
// Counts is symmetric, Counts[i][j] being the links between Departments[i] and Departments[j]
// and Counts[i][i] the links inside Departments[i]; departments are in ascending id order, so
// the matrix is the same whatever order the data came in. Links touching someone without a
// department are not in it; Excluded counts them.
type Matrix struct {
	Departments []int64
	Counts      [][]int
	Excluded    int
}

// Cell is one non-empty cell of the matrix: A ≤ B, A == B for links inside a department.
type Cell struct {
	A, B  int64
	Links int
}

// NewMatrix returns an empty matrix over depts (sorted and de-duplicated; 0, "no department",
// is dropped), e.g. to fill from rollups with Add.
func NewMatrix(depts []int64) Matrix {
	d := slices.Clone(depts)
	slices.Sort(d)
	d = slices.Compact(d)
	if len(d) > 0 && d[0] == 0 {
		d = d[1:]
	}
	cells := make([]int, len(d)*len(d))
	counts := make([][]int, len(d))
	for i := range counts {
		counts[i] = cells[i*len(d) : (i+1)*len(d) : (i+1)*len(d)]
	}
	return Matrix{Departments: d, Counts: counts}
}

// Index returns dept's row in the matrix.
func (m Matrix) Index(dept int64) (int, bool) { return slices.BinarySearch(m.Departments, dept) }

// Add adds n links between departments a and b (in either order). A department that is not in
// the matrix (0 included) makes them excluded links.
func (m *Matrix) Add(a, b int64, n int) {
	i, oki := m.Index(a)
	j, okj := m.Index(b)
	if !oki || !okj {
		m.Excluded += n
		return
	}
	m.Counts[i][j] += n
	if i != j {
		m.Counts[j][i] += n
	}
}

// Cell returns the links between departments a and b (inside a when a == b); 0 for a
// department not in the matrix.
func (m Matrix) Cell(a, b int64) int {
	i, oki := m.Index(a)
	j, okj := m.Index(b)
	if !oki || !okj {
		return 0
	}
	return m.Counts[i][j]
}

// Pairs lists the non-empty cells once each (A ≤ B), most links first, ties by A then B: the
// matrix as text, for screen readers and the console.
func (m Matrix) Pairs() []Cell {
	var out []Cell
	for i := range m.Departments {
		for j := i; j < len(m.Departments); j++ {
			if n := m.Counts[i][j]; n > 0 {
				out = append(out, Cell{A: m.Departments[i], B: m.Departments[j], Links: n})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y Cell) int { return cmp.Compare(y.Links, x.Links) })
	return out
}

// Barrier returns the barrier index of the links the matrix holds (the same figures as
// Graph.Barrier on the same links): the matrix is all Q needs, since L_c is the diagonal and
// d_c = 2·L_c + the rest of c's row. So rollups per pair of departments give the headline
// without the graph.
func (m Matrix) Barrier() Barrier {
	var s state
	for i := range m.Departments {
		var d int64
		for j, n := range m.Counts[i] {
			d += int64(n)
			if j == i {
				d += int64(n)
				s.counted += n
			} else if j > i {
				s.counted += n
				s.cross += n
			}
		}
		s.sumSq += d * d
	}
	s.links = s.counted + m.Excluded
	return s.barrier()
}

// Connectivity returns the department connectivity matrix of the links first seen in
// [from, to) (zero from: since the beginning; zero to: until the last link), over every
// department of the people given, also those without links.
func (g *Graph) Connectivity(from, to time.Time) Matrix {
	m := NewMatrix(g.depts)
	lo, hi := g.span(from, to)
	for _, e := range g.edges[lo:hi] {
		da, db := g.dept[e.a], g.dept[e.b]
		if da < 0 || db < 0 {
			m.Excluded++
			continue
		}
		m.Counts[da][db]++
		if da != db {
			m.Counts[db][da]++
		}
	}
	return m
}

// Point is one week of the barrier index's trend.
type Point struct {
	Week       Week
	Start, End time.Time // the week's [Start, End) in the zone asked for
	Barrier              // the graph as it stood at End: every link first seen before it
	// The week's own new links (first seen in [Start, End)): all, those between two people
	// who both have a department, and of these those that cross departments. NewCross /
	// NewCounted is the week's share, noisier than the cumulative one but quicker to move.
	New, NewCounted, NewCross int
}

// Series returns, for each of weeks (in the order given; duplicates allowed), the barrier index
// of the graph at the week's end in loc (Europe/Rome when nil) and the week's new links: the
// 12-week trend of the headline. It sorts the weeks' boundaries and sweeps the links once,
// O(E + W log W), instead of recomputing each week from scratch.
func (g *Graph) Series(weeks []Week, loc *time.Location) []Point {
	out := make([]Point, len(weeks))
	cutoffs := make([]instant, 0, 2*len(weeks))
	for i, w := range weeks {
		out[i].Week = w
		out[i].Start, out[i].End = w.Bounds(loc)
		cutoffs = append(cutoffs, instantOf(out[i].Start), instantOf(out[i].End))
	}
	slices.SortFunc(cutoffs, instant.compare)
	cutoffs = slices.Compact(cutoffs)
	states := g.sweep(cutoffs)
	find := func(t time.Time) state {
		k, _ := slices.BinarySearchFunc(cutoffs, instantOf(t), instant.compare)
		return states[k]
	}
	for i := range out {
		s, e := find(out[i].Start), find(out[i].End)
		out[i].Barrier = e.barrier()
		out[i].New = e.links - s.links
		out[i].NewCounted = e.counted - s.counted
		out[i].NewCross = e.cross - s.cross
	}
	return out
}
