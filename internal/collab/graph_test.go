package collab

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// t0 is an instant all hand-made links are first seen at or after.
var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func day(n int) time.Time { return t0.AddDate(0, 0, n) }

const (
	deptA int64 = 10
	deptB int64 = 20
	deptC int64 = 30
)

// people gives ids 1..n to departments: depts[i] is person i+1's department.
func people(depts ...int64) []Person {
	ps := make([]Person, len(depts))
	for i, d := range depts {
		ps[i] = Person{ID: int64(i + 1), Department: d, Unit: 100 + int64(i+1)}
	}
	return ps
}

func link(a, b int64, at time.Time) Edge {
	return Edge{A: a, B: b, FirstSeen: at, Source: SourceProject}
}

func mustGraph(t testing.TB, ps []Person, es []Edge) *Graph {
	t.Helper()
	g, err := NewGraph(ps, es)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// twoTriangles: A = {1, 2, 3}, B = {4, 5, 6}, a triangle inside each and one link 3–4 across.
//
//	m = 7, L_A = 3, L_B = 3, every person has degree 2 except 3 and 4 (3), so d_A = d_B = 7;
//	Q = 2·(3/7 − (7/14)²) = 6/7 − 1/2 = 5/14 = 0.357142…; share = 1/7.
func twoTriangles() ([]Person, []Edge) {
	return people(deptA, deptA, deptA, deptB, deptB, deptB), []Edge{
		link(1, 2, day(0)), link(2, 3, day(0)), link(1, 3, day(0)),
		link(4, 5, day(1)), link(5, 6, day(1)), link(4, 6, day(1)),
		link(3, 4, day(2)),
	}
}

func checkBarrier(t *testing.T, name string, b Barrier, links, excluded, cross int, share, q float64) {
	t.Helper()
	counted := links - excluded
	if b.Links != links || b.Excluded != excluded || b.Counted != counted || b.Cross != cross ||
		b.Within != counted-cross || !b.OK || !near(b.Share, share) || !near(b.Q, q) {
		t.Errorf("%s: %+v, want links %d excluded %d cross %d share %v Q %v", name, b, links, excluded, cross, share, q)
	}
}

func TestTwoTriangles(t *testing.T) {
	ps, es := twoTriangles()
	g := mustGraph(t, ps, es)
	checkBarrier(t, "two triangles", g.Barrier(time.Time{}), 7, 0, 1, 1.0/7, 6.0/7-0.5)
	if q, ok := g.Modularity(time.Time{}); !ok || !near(q, 0.35714285714285715) {
		t.Errorf("Q = %v, %v; want 0.357142…", q, ok)
	}
	// Before the bridge (first seen on day 2): two separate triangles, m = 6, d_A = d_B = 6,
	// Q = 2·(3/6 − (6/12)²) = 1/2, share 0.
	checkBarrier(t, "before the bridge", g.Barrier(day(2)), 6, 0, 0, 0, 0.5)
	// Before B's triangle: only A's, a single department: Q = 3/3 − (6/6)² = 0.
	checkBarrier(t, "one triangle", g.Barrier(day(1)), 3, 0, 0, 0, 0)

	m := g.Connectivity(time.Time{}, time.Time{})
	if !reflect.DeepEqual(m.Departments, []int64{deptA, deptB}) ||
		!reflect.DeepEqual(m.Counts, [][]int{{3, 1}, {1, 3}}) || m.Excluded != 0 {
		t.Errorf("matrix = %+v", m)
	}
	if m.Cell(deptA, deptB) != 1 || m.Cell(deptB, deptA) != 1 || m.Cell(deptA, deptA) != 3 || m.Cell(deptC, deptA) != 0 {
		t.Errorf("cells: %+v", m)
	}
	// ties (3 and 3) by department id
	if p := m.Pairs(); !reflect.DeepEqual(p, []Cell{{deptA, deptA, 3}, {deptB, deptB, 3}, {deptA, deptB, 1}}) {
		t.Errorf("pairs = %v", p)
	}
	// The matrix alone gives the same headline (the path the rollups will take).
	if mb, gb := m.Barrier(), g.Barrier(time.Time{}); mb != gb {
		t.Errorf("matrix barrier %+v, graph %+v", mb, gb)
	}
	// The matrix of day 1 only: B's triangle.
	if d1 := g.Connectivity(day(1), day(2)); !reflect.DeepEqual(d1.Counts, [][]int{{0, 0}, {0, 3}}) {
		t.Errorf("day-1 matrix = %v", d1.Counts)
	}
}

// A complete bipartite graph K(3,3) between A and B: every link crosses, m = 9, L_A = L_B = 0,
// d_A = d_B = 9: Q = 2·(0 − (9/18)²) = −1/2, the least Q there is; share 1.
func TestCompleteBipartite(t *testing.T) {
	ps := people(deptA, deptA, deptA, deptB, deptB, deptB)
	var es []Edge
	for a := int64(1); a <= 3; a++ {
		for b := int64(4); b <= 6; b++ {
			es = append(es, link(a, b, day(int(a+b))))
		}
	}
	g := mustGraph(t, ps, es)
	checkBarrier(t, "K(3,3)", g.Barrier(time.Time{}), 9, 0, 9, 1, -0.5)
	if m := g.Connectivity(time.Time{}, time.Time{}); !reflect.DeepEqual(m.Counts, [][]int{{0, 9}, {9, 0}}) {
		t.Errorf("matrix = %v", m.Counts)
	}
}

// Everyone in one department: L = m, d = 2m, Q = m/m − (2m/2m)² = 0 whatever the links; share 0.
func TestSingleDepartment(t *testing.T) {
	ps := people(deptA, deptA, deptA, deptA)
	g := mustGraph(t, ps, []Edge{link(1, 2, day(0)), link(2, 3, day(0)), link(3, 4, day(0)), link(1, 4, day(3))})
	checkBarrier(t, "one department", g.Barrier(time.Time{}), 4, 0, 0, 0, 0)
}

// Three departments of different sizes: A = {1, 2}, B = {3, 4}, C = {5}; links 1–2 (A), 3–4
// (B), 1–3 (A–B), 2–5 (A–C), 4–5 (B–C). Everyone has degree 2, so d_A = 4, d_B = 4, d_C = 2,
// m = 5: Q = (1/5 − (4/10)²) + (1/5 − (4/10)²) + (0 − (2/10)²) = 0.04 + 0.04 − 0.04 = 0.04;
// share 3/5.
func TestThreeDepartments(t *testing.T) {
	ps := people(deptA, deptA, deptB, deptB, deptC)
	g := mustGraph(t, ps, []Edge{link(1, 2, day(0)), link(3, 4, day(0)), link(1, 3, day(0)), link(2, 5, day(0)), link(4, 5, day(0))})
	checkBarrier(t, "three departments", g.Barrier(time.Time{}), 5, 0, 3, 0.6, 0.04)
	m := g.Connectivity(time.Time{}, time.Time{})
	if !reflect.DeepEqual(m.Counts, [][]int{{1, 1, 1}, {1, 1, 1}, {1, 1, 0}}) {
		t.Errorf("matrix = %v", m.Counts)
	}
	if m.Barrier() != g.Barrier(time.Time{}) {
		t.Errorf("matrix barrier %+v", m.Barrier())
	}
}

// People without a department (7) and ids not among the people (99) are left out of the
// share, Q and the matrix, but their links still count as links and are reported as excluded.
func TestWithoutDepartment(t *testing.T) {
	ps, es := twoTriangles()
	ps = append(ps, Person{ID: 7, Unit: 107})
	es = append(es, link(7, 1, day(3)), link(4, 7, day(3)), link(99, 2, day(3)))
	g := mustGraph(t, ps, es)
	checkBarrier(t, "with excluded", g.Barrier(time.Time{}), 10, 3, 1, 1.0/7, 6.0/7-0.5)
	m := g.Connectivity(time.Time{}, time.Time{})
	if m.Excluded != 3 || !reflect.DeepEqual(m.Counts, [][]int{{3, 1}, {1, 3}}) {
		t.Errorf("matrix = %+v", m)
	}
	if n := g.NewLinks(day(3), day(4), nil); n.All != 3 || n.Excluded != 3 || n.Cross != 0 || n.Cumulative != 10 {
		t.Errorf("new links = %+v", n)
	}
	// Only excluded links: nothing to measure.
	only := mustGraph(t, []Person{{ID: 1}, {ID: 2, Department: deptA}}, []Edge{link(1, 2, day(0))})
	if b := only.Barrier(time.Time{}); b.OK || b.Links != 1 || b.Excluded != 1 || b.Share != 0 || b.Q != 0 {
		t.Errorf("only excluded: %+v", b)
	}
	if _, ok := only.Modularity(time.Time{}); ok {
		t.Error("Q defined with no counted link")
	}
}

// No links at all: Q undefined (ok false), share undefined, zero counts, an empty matrix over
// the departments; also a graph of nobody.
func TestNoLinks(t *testing.T) {
	g := mustGraph(t, people(deptB, deptA), nil)
	if b := g.Barrier(time.Time{}); b != (Barrier{}) {
		t.Errorf("barrier = %+v", b)
	}
	if q, ok := g.Modularity(day(5)); ok || q != 0 {
		t.Errorf("Q = %v, %v", q, ok)
	}
	m := g.Connectivity(time.Time{}, time.Time{})
	if !reflect.DeepEqual(m.Departments, []int64{deptA, deptB}) || len(m.Pairs()) != 0 || m.Barrier().OK {
		t.Errorf("matrix = %+v", m)
	}
	if n := g.NewLinks(time.Time{}, time.Time{}, nil); n.All != 0 || n.Cumulative != 0 || len(n.BySource) != 0 {
		t.Errorf("new links = %+v", n)
	}
	empty := mustGraph(t, nil, nil)
	if empty.Len() != 0 || len(empty.Series(WeeksEnding(Week{2026, 47}, 3), nil)) != 3 {
		t.Error("empty graph")
	}
	if p := empty.Series([]Week{{2026, 47}}, nil)[0]; p.OK || p.Links != 0 || p.New != 0 {
		t.Errorf("empty series point = %+v", p)
	}
}

// A pair given several times, in both orders, is one link, first seen at the earliest instant
// and with that occurrence's source; on a tie of instants, the source first alphabetically.
func TestDuplicatePairs(t *testing.T) {
	ps := people(deptA, deptB, deptB)
	g := mustGraph(t, ps, []Edge{
		{A: 1, B: 2, FirstSeen: day(5), Source: SourceProject},
		{A: 2, B: 1, FirstSeen: day(1), Source: SourceMeeting},
		{A: 1, B: 2, FirstSeen: day(3), Source: SourceImport},
		{A: 3, B: 2, FirstSeen: day(2), Source: SourceProject},
		{A: 2, B: 3, FirstSeen: day(2), Source: SourceMeeting},
	})
	if g.Len() != 2 {
		t.Fatalf("Len = %d, want 2", g.Len())
	}
	checkBarrier(t, "deduplicated", g.Barrier(time.Time{}), 2, 0, 1, 0.5,
		// m = 2, L_B = 1, d_A = 1, d_B = 3: Q = (0 − (1/4)²) + (1/2 − (3/4)²) = −1/16 − 1/16 = −1/8
		-0.125)
	if n := g.NewLinks(day(1), day(2), nil); n.All != 1 || !reflect.DeepEqual(n.BySource, map[Source]int{SourceMeeting: 1}) {
		t.Errorf("day 1: %+v (the pair 1–2 was first seen then, in a meeting)", n)
	}
	if n := g.NewLinks(day(2), day(3), nil); n.All != 1 || !reflect.DeepEqual(n.BySource, map[Source]int{SourceMeeting: 1}) {
		t.Errorf("day 2: %+v (the tie between project and meeting goes to meeting)", n)
	}
	if n := g.NewLinks(day(3), day(10), nil); n.All != 0 {
		t.Errorf("later occurrences counted as new: %+v", n)
	}
}

func TestNewGraphRefuses(t *testing.T) {
	if _, err := NewGraph(people(deptA, deptA), []Edge{link(1, 2, day(0)), link(2, 2, day(1))}); !errors.Is(err, ErrSelfLoop) {
		t.Errorf("self-loop: %v", err)
	}
	if _, err := NewGraph([]Person{{ID: 1, Department: deptA}, {ID: 1, Department: deptB}}, nil); !errors.Is(err, ErrDuplicatePerson) {
		t.Errorf("duplicate person: %v", err)
	}
}

// New links in [from, to): a link at from counts, one at to does not; by source; across
// departments; between units that the caller's predicate says are not contiguous; and the
// cumulative count up to to.
func TestNewLinks(t *testing.T) {
	// units: person i is in unit 100+i; units 101–103 share a site, 104–106 another,
	// 103 and 104 are adjacent.
	site := func(u int64) int64 { return (u - 101) / 3 }
	var calls int
	contiguous := func(a, b int64) bool {
		calls++
		if a >= b { // units are 100 + id: the lower id's unit comes first
			t.Errorf("predicate called with units %d, %d", a, b)
		}
		return site(a) == site(b) || (min(a, b) == 103 && max(a, b) == 104)
	}
	ps, es := twoTriangles()
	es = append(es,
		Edge{A: 1, B: 5, FirstSeen: day(2), Source: SourceMeeting},
		Edge{A: 6, B: 2, FirstSeen: day(3), Source: SourceMeeting},
	)
	g := mustGraph(t, ps, es)
	n := g.NewLinks(day(1), day(3), contiguous)
	// day 1: B's triangle (4–5, 5–6, 4–6: one site); day 2: 3–4 (adjacent sites), 1–5 (not).
	want := NewLinks{All: 5, Cross: 2, NonContiguous: 1, Cumulative: 8,
		BySource: map[Source]int{SourceProject: 4, SourceMeeting: 1}}
	if !reflect.DeepEqual(n, want) {
		t.Errorf("NewLinks = %+v, want %+v", n, want)
	}
	if calls != 5 {
		t.Errorf("predicate called %d times, want once per new link", calls)
	}
	if n := g.NewLinks(time.Time{}, time.Time{}, contiguous); n.All != 9 || n.NonContiguous != 2 || n.Cumulative != 9 {
		t.Errorf("all time: %+v", n)
	}
	if n := g.NewLinks(day(0), day(1), nil); n.All != 3 || n.NonContiguous != 0 {
		t.Errorf("nil predicate: %+v", n)
	}
	// an empty or reversed period
	if n := g.NewLinks(day(3), day(1), contiguous); n.All != 0 || n.Cumulative != 3 {
		t.Errorf("reversed period: %+v", n)
	}
	for until, want := range map[time.Time]int{day(0): 0, day(0).Add(time.Nanosecond): 3, day(2): 6, day(3): 8, {}: 9, day(9): 9} {
		if got := g.Cumulative(until); got != want {
			t.Errorf("Cumulative(%v) = %d, want %d", until, got, want)
		}
	}
}

// The figures do not depend on the order of people or links.
func TestOrderIndependent(t *testing.T) {
	ps, es := randomGraph(rand.New(rand.NewPCG(7, 7)), 60, 5, 400)
	g := mustGraph(t, ps, es)
	weeks := WeeksEnding(Week{2026, 47}, 12)
	want, wantM := g.Series(weeks, nil), g.Connectivity(time.Time{}, time.Time{})
	rng := rand.New(rand.NewPCG(8, 8))
	for range 5 {
		rng.Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
		rng.Shuffle(len(es), func(i, j int) { es[i], es[j] = es[j], es[i] })
		for i := range es {
			if rng.IntN(2) == 0 {
				es[i].A, es[i].B = es[i].B, es[i].A
			}
		}
		h := mustGraph(t, ps, es)
		if got := h.Series(weeks, nil); !reflect.DeepEqual(got, want) {
			t.Fatal("series changed with the input order")
		}
		if got := h.Connectivity(time.Time{}, time.Time{}); !reflect.DeepEqual(got, wantM) {
			t.Fatal("matrix changed with the input order")
		}
	}
}

func TestMatrixAdd(t *testing.T) {
	m := NewMatrix([]int64{deptB, 0, deptA, deptB})
	if !reflect.DeepEqual(m.Departments, []int64{deptA, deptB}) {
		t.Fatalf("departments = %v", m.Departments)
	}
	// the two triangles again, as rollups would give them
	m.Add(deptA, deptA, 3)
	m.Add(deptB, deptB, 3)
	m.Add(deptB, deptA, 1)
	m.Add(deptA, 0, 2)     // someone without a department
	m.Add(deptC, deptA, 1) // a department outside the matrix
	want := Barrier{Links: 10, Excluded: 3, Counted: 7, Cross: 1, Within: 6, Share: 1.0 / 7, Q: 6.0/7 - 0.5, OK: true}
	if b := m.Barrier(); b.Links != want.Links || b.Excluded != want.Excluded || b.Cross != want.Cross ||
		!near(b.Share, want.Share) || !near(b.Q, want.Q) || !b.OK {
		t.Errorf("barrier = %+v, want %+v", b, want)
	}
}

// Instants outside Unix nanoseconds' range (1678–2262) take the comparison sort; the figures
// are the same as for the same links at ordinary instants.
func TestFarInstants(t *testing.T) {
	ps, es := twoTriangles()
	far := make([]Edge, len(es))
	for i, e := range es {
		far[i] = e
		far[i].FirstSeen = e.FirstSeen.AddDate(-600, 0, 0) // 1426
	}
	far[6].FirstSeen = es[6].FirstSeen.AddDate(400, 0, 0) // the bridge in 2426
	slices.Reverse(far)
	g := mustGraph(t, ps, far)
	checkBarrier(t, "before 2426", g.Barrier(time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC)), 6, 0, 0, 0, 0.5)
	checkBarrier(t, "all", g.Barrier(time.Time{}), 7, 0, 1, 1.0/7, 5.0/14)
	if n := g.NewLinks(time.Date(1426, 11, 3, 0, 0, 0, 0, time.UTC), time.Date(1426, 11, 4, 0, 0, 0, 0, time.UTC), nil); n.All != 3 {
		t.Errorf("B's triangle in 1426: %+v", n)
	}
}
