package collab

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// The two triangles built week by week in Rome: A's triangle in 2026-W45, B's in W46, the
// bridge 3–4 on Sunday 22 November 2026 at 23:30 in Rome (22:30 UTC), the last moments of W47,
// nothing in W48. Cumulative figures at each week's end:
//
//	W45: A's triangle alone, one department: Q = 0, share 0.
//	W46: two separate triangles, m = 6, d_A = d_B = 6: Q = 2·(3/6 − (6/12)²) = 1/2, share 0.
//	W47: the bridge: Q = 5/14 (see twoTriangles), share 1/7; the week's share 1/1.
//	W48: unchanged, no new link.
func TestSeriesByHand(t *testing.T) {
	loc := romeZone(t)
	ps, _ := twoTriangles()
	w45 := time.Date(2026, 11, 2, 10, 0, 0, 0, loc)
	w46 := time.Date(2026, 11, 15, 23, 59, 0, 0, loc) // Sunday night, still W46
	bridge := time.Date(2026, 11, 22, 23, 30, 0, 0, loc)
	g := mustGraph(t, ps, []Edge{
		link(1, 2, w45), link(2, 3, w45), link(1, 3, w45.Add(time.Hour)),
		link(4, 5, w46), link(5, 6, w46), link(4, 6, time.Date(2026, 11, 9, 0, 0, 0, 0, loc)), // Monday 00:00 of W46
		link(3, 4, bridge),
	})
	type row struct {
		links, cross, newLinks, newCross int
		share, q                         float64
		ok                               bool
	}
	want := map[Week]row{
		{2026, 44}: {0, 0, 0, 0, 0, 0, false},
		{2026, 45}: {3, 0, 3, 0, 0, 0, true},
		{2026, 46}: {6, 0, 3, 0, 0, 0.5, true},
		{2026, 47}: {7, 1, 1, 1, 1.0 / 7, 5.0 / 14, true},
		{2026, 48}: {7, 1, 0, 0, 1.0 / 7, 5.0 / 14, true},
	}
	// weeks in any order, one twice
	weeks := []Week{{2026, 47}, {2026, 44}, {2026, 48}, {2026, 45}, {2026, 46}, {2026, 47}}
	pts := g.Series(weeks, loc)
	if len(pts) != len(weeks) {
		t.Fatalf("%d points for %d weeks", len(pts), len(weeks))
	}
	for i, p := range pts {
		w := want[weeks[i]]
		if p.Week != weeks[i] {
			t.Errorf("point %d is %v, want %v", i, p.Week, weeks[i])
		}
		if s, e := weeks[i].Bounds(loc); !p.Start.Equal(s) || !p.End.Equal(e) {
			t.Errorf("%v: bounds [%v, %v)", p.Week, p.Start, p.End)
		}
		if p.Links != w.links || p.Cross != w.cross || p.New != w.newLinks || p.NewCounted != w.newLinks ||
			p.NewCross != w.newCross || p.OK != w.ok || !near(p.Share, w.share) || !near(p.Q, w.q) {
			t.Errorf("%v: %+v, want %+v", p.Week, p, w)
		}
	}
	// In UTC the bridge (22:30 UTC Sunday) is still in W47 too, but W46's Monday-00:00 link
	// (8 Nov 23:00 UTC) falls in W45: the zone matters.
	if p := g.Series([]Week{{2026, 45}}, time.UTC)[0]; p.New != 4 {
		t.Errorf("W45 in UTC: %d new links, want 4", p.New)
	}
}

// randomGraph draws n people in nDept departments (about one in ten without a department) and
// about nEdges link occurrences over 2026-W30..W50, a tenth of them repeats of earlier pairs in
// either order and at an earlier or later instant, some to ids not among the people, some
// exactly on Monday 00:00 or at Sunday 23:30 in Rome.
func randomGraph(rng *rand.Rand, n, nDept, nEdges int) ([]Person, []Edge) {
	loc := Rome()
	ps := make([]Person, n)
	for i := range ps {
		ps[i] = Person{ID: int64(1000 + 7*i), Unit: int64(rng.IntN(20))}
		if rng.IntN(10) > 0 {
			ps[i].Department = int64(1 + rng.IntN(nDept))
		}
	}
	first, last := (Week{2026, 30}).Start(loc), (Week{2026, 51}).Start(loc)
	sources := []Source{SourceProject, SourceMeeting, SourceImport}
	es := make([]Edge, 0, nEdges)
	for len(es) < nEdges {
		var e Edge
		if len(es) > 0 && rng.IntN(10) == 0 {
			e = es[rng.IntN(len(es))]
			e.A, e.B = e.B, e.A
		} else {
			a, b := rng.IntN(n), rng.IntN(n)
			if a == b {
				continue
			}
			e.A, e.B = ps[a].ID, ps[b].ID
			if rng.IntN(50) == 0 {
				e.B = int64(-1 - rng.IntN(5)) // not among the people
			}
		}
		w := WeekOf(first.Add(time.Duration(rng.Int64N(int64(last.Sub(first))))), loc)
		switch rng.IntN(6) {
		case 0:
			e.FirstSeen = w.Start(loc)
		case 1:
			e.FirstSeen = w.End(loc).Add(-30 * time.Minute) // Sunday 23:30
		default:
			s, end := w.Bounds(loc)
			e.FirstSeen = s.Add(time.Duration(rng.Int64N(int64(end.Sub(s)))))
		}
		e.Source = sources[rng.IntN(len(sources))]
		es = append(es, e)
	}
	return ps, es
}

// naive is the figures recomputed from the definitions with maps, no cleverness.
type naive struct {
	dept  map[int64]int64
	first map[[2]int64]time.Time
}

func newNaive(ps []Person, es []Edge) naive {
	n := naive{dept: map[int64]int64{}, first: map[[2]int64]time.Time{}}
	for _, p := range ps {
		n.dept[p.ID] = p.Department
	}
	for _, e := range es {
		k := [2]int64{min(e.A, e.B), max(e.A, e.B)}
		if at, ok := n.first[k]; !ok || e.FirstSeen.Before(at) {
			n.first[k] = e.FirstSeen
		}
	}
	return n
}

func (n naive) barrier(from, until time.Time) (links, counted, cross int, share, q float64, ok bool) {
	inside := map[int64]float64{}
	degree := map[int64]float64{}
	for k, at := range n.first {
		if at.Before(from) || !at.Before(until) {
			continue
		}
		links++
		da, db := n.dept[k[0]], n.dept[k[1]]
		if da == 0 || db == 0 {
			continue
		}
		counted++
		if da != db {
			cross++
		} else {
			inside[da]++
		}
		degree[da]++
		degree[db]++
	}
	if counted == 0 {
		return links, 0, 0, 0, 0, false
	}
	m := float64(counted)
	for c, d := range degree {
		q += inside[c]/m - (d/(2*m))*(d/(2*m))
	}
	return links, counted, cross, float64(cross) / m, q, true
}

// The week sweep agrees with a naive recomputation of every week from scratch, on random graphs
// (fixed seeds), for weeks given out of order and overlapping the data's edges; and Barrier,
// Connectivity and the matrix's own figures agree with it at each week's end.
func TestSeriesMatchesNaive(t *testing.T) {
	loc := Rome()
	for seed := uint64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewPCG(seed, 2026))
		ps, es := randomGraph(rng, 80+int(seed)*40, int(seed)+2, 1500*int(seed))
		g := mustGraph(t, ps, es)
		nv := newNaive(ps, es)
		if g.Len() != len(nv.first) {
			t.Fatalf("seed %d: %d links, naive %d", seed, g.Len(), len(nv.first))
		}
		weeks := WeeksEnding(Week{2026, 52}, 26) // from before the first link to after the last
		rng.Shuffle(len(weeks), func(i, j int) { weeks[i], weeks[j] = weeks[j], weeks[i] })
		var before time.Time
		for _, p := range g.Series(weeks, loc) {
			links, counted, cross, share, q, ok := nv.barrier(before, p.End)
			if p.Links != links || p.Counted != counted || p.Cross != cross || p.OK != ok ||
				math.Abs(p.Share-share) > 1e-12 || math.Abs(p.Q-q) > 1e-12 {
				t.Fatalf("seed %d %v: %+v, naive links %d counted %d cross %d share %v Q %v ok %v",
					seed, p.Week, p.Barrier, links, counted, cross, share, q, ok)
			}
			nl, nc, nx, _, _, _ := nv.barrier(p.Start, p.End)
			if p.New != nl || p.NewCounted != nc || p.NewCross != nx {
				t.Fatalf("seed %d %v: new %d/%d/%d, naive %d/%d/%d", seed, p.Week, p.New, p.NewCounted, p.NewCross, nl, nc, nx)
			}
			if b := g.Barrier(p.End); b != p.Barrier {
				t.Fatalf("seed %d %v: Barrier %+v, series %+v", seed, p.Week, b, p.Barrier)
			}
			m := g.Connectivity(time.Time{}, p.End)
			if mb := m.Barrier(); mb.Counted != p.Counted || mb.Cross != p.Cross || mb.Excluded != p.Excluded ||
				mb.OK != p.OK || math.Abs(mb.Q-p.Q) > 1e-12 || math.Abs(mb.Share-p.Share) > 1e-12 {
				t.Fatalf("seed %d %v: matrix barrier %+v, series %+v", seed, p.Week, mb, p.Barrier)
			}
			if nlk := g.NewLinks(p.Start, p.End, nil); nlk.All != p.New || nlk.Cross != p.NewCross || nlk.Cumulative != p.Links {
				t.Fatalf("seed %d %v: NewLinks %+v, series %+v", seed, p.Week, nlk, p)
			}
		}
		// the whole graph: both the zero instant and the figures at the far end
		links, _, cross, _, q, _ := nv.barrier(before, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC))
		if b := g.Barrier(time.Time{}); b.Links != links || b.Cross != cross || math.Abs(b.Q-q) > 1e-12 {
			t.Fatalf("seed %d: whole graph %+v, naive links %d cross %d Q %v", seed, b, links, cross, q)
		}
	}
}

// A series whose weeks' boundaries coincide (consecutive weeks: one's end is the next one's
// start) or repeat gives each week its own figures, equal to the weeks computed alone.
func TestSeriesSharedBoundaries(t *testing.T) {
	ps, es := randomGraph(rand.New(rand.NewPCG(11, 11)), 100, 4, 2000)
	g := mustGraph(t, ps, es)
	weeks := WeeksEnding(Week{2026, 47}, 12)
	all := g.Series(weeks, nil)
	for i, w := range weeks {
		if one := g.Series([]Week{w}, nil); !reflect.DeepEqual(one[0], all[i]) {
			t.Errorf("%v alone %+v, in the series %+v", w, one[0], all[i])
		}
	}
}
