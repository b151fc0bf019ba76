package collab

import (
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// The council at scale: 50,000 people in 300 departments, 1,000,000 links first seen over the
// two years up to 2026-W47, seven in ten inside a department; the summary's 12-week trend.
const (
	benchPeople = 50_000
	benchDepts  = 300
	benchEdges  = 1_000_000
	benchWeeks  = 12
)

var benchFixture = sync.OnceValues(func() ([]Person, []Edge) {
	rng := rand.New(rand.NewPCG(2026, 47))
	loc := Rome()
	ps := make([]Person, benchPeople)
	members := make([][]int64, benchDepts)
	for i := range ps {
		d := rng.IntN(benchDepts)
		ps[i] = Person{ID: int64(1 + 3*i), Department: int64(1000 + d), Unit: int64(5000 + rng.IntN(2000))}
		members[d] = append(members[d], ps[i].ID)
	}
	end := (Week{2026, 47}).End(loc)
	span := int64(end.Sub(end.AddDate(-2, 0, 0)))
	seen := make(map[[2]int64]bool, benchEdges)
	es := make([]Edge, 0, benchEdges)
	sources := []Source{SourceProject, SourceMeeting}
	for len(es) < benchEdges {
		a := ps[rng.IntN(benchPeople)]
		var b int64
		if rng.IntN(10) < 7 {
			m := members[a.Department-1000]
			b = m[rng.IntN(len(m))]
		} else {
			b = ps[rng.IntN(benchPeople)].ID
		}
		k := [2]int64{min(a.ID, b), max(a.ID, b)}
		if a.ID == b || seen[k] {
			continue
		}
		seen[k] = true
		es = append(es, Edge{A: a.ID, B: b, FirstSeen: end.Add(-time.Duration(rng.Int64N(span))), Source: sources[rng.IntN(2)]})
	}
	return ps, es
})

var benchGraph = sync.OnceValue(func() *Graph {
	ps, es := benchFixture()
	g, err := NewGraph(ps, es)
	if err != nil {
		panic(err)
	}
	return g
})

// The 12-week trend on the built graph: one sweep over the million links.
func BenchmarkSeries12Weeks(b *testing.B) {
	g := benchGraph()
	weeks := WeeksEnding(Week{2026, 47}, benchWeeks)
	loc := Rome()
	var pts []Point
	for b.Loop() {
		pts = g.Series(weeks, loc)
	}
	last := pts[len(pts)-1]
	b.ReportMetric(last.Share, "share")
	b.ReportMetric(last.Q, "Q")
}

// Building the graph from links in no particular order: sort and de-duplication included.
func BenchmarkNewGraphUnsorted(b *testing.B) {
	ps, es := benchFixture()
	for b.Loop() {
		if _, err := NewGraph(ps, es); err != nil {
			b.Fatal(err)
		}
	}
}

// Building the graph from links already in first-seen order (ORDER BY first_seen): the sort
// is skipped.
func BenchmarkNewGraphSorted(b *testing.B) {
	ps, es := benchFixture()
	sorted := slices.Clone(es)
	slices.SortFunc(sorted, func(x, y Edge) int { return x.FirstSeen.Compare(y.FirstSeen) })
	for b.Loop() {
		if _, err := NewGraph(ps, sorted); err != nil {
			b.Fatal(err)
		}
	}
}

// Everything the weekly summary asks of this package, from links in first-seen order: build,
// the 12-week trend, the week's new links (with a contiguity predicate) and the week's and the
// cumulative connectivity matrices.
func BenchmarkWeeklySummary(b *testing.B) {
	ps, es := benchFixture()
	sorted := slices.Clone(es)
	slices.SortFunc(sorted, func(x, y Edge) int { return x.FirstSeen.Compare(y.FirstSeen) })
	loc := Rome()
	week := Week{2026, 47}
	start, end := week.Bounds(loc)
	contiguous := func(a, b int64) bool { return a/100 == b/100 }
	for b.Loop() {
		g, err := NewGraph(ps, sorted)
		if err != nil {
			b.Fatal(err)
		}
		g.Series(WeeksEnding(week, benchWeeks), loc)
		g.NewLinks(start, end, contiguous)
		g.Connectivity(start, end)
		g.Connectivity(time.Time{}, end)
	}
}
