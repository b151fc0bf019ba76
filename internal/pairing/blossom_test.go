package pairing

import (
	"fmt"
	"slices"
)

// This file is an exact maximum-weight matching for general (non-bipartite) graphs, used by the
// tests as the reference optimum: Edmonds' blossom algorithm with the primal-dual method, O(n³).
// It is a faithful port of Joris van Rantwijk's mwmatching.py ("Weighted maximum matching in
// general graphs", after Z. Galil, "Efficient Algorithms for Finding Maximum Matching in
// Graphs", ACM Computing Surveys 1986), the reference implementation NetworkX's
// max_weight_matching also derives from. Names, numbering and comments follow the original so
// that the two can be read side by side; the differences are:
//
//   - weights are int64 (the Scorer's pair weights are integers), so every dual variable stays
//     an integer (vertex duals are stored doubled, as in the original) and comparisons are exact;
//   - adjacency is a CSR array rather than a list of lists, and scratch buffers are reused;
//   - the original's final optimality check (CHECK_OPTIMUM, on by default there) always runs and
//     is returned as an error: when it passes, the dual solution is a certificate that the
//     matching is optimal, independently of any slip in the port.
//
// Vertices are 0..nvertex-1; non-trivial blossoms are nvertex..2·nvertex-1. Edges are
// 0..nedge-1; edge endpoints are 0..2·nedge-1, endpoints 2k and 2k+1 belonging to edge k.

// wedge is an undirected edge i–j of weight w (i ≠ j, at most one edge per pair).
type wedge struct {
	i, j int32
	w    int64
}

type blossomMatcher struct {
	nvertex, nedge int32
	edges          []wedge
	maxcard        bool
	// endpoint[p] is the vertex to which endpoint p is attached.
	endpoint []int32
	// neighbend[nbOff[v]:nbOff[v+1]] are the remote endpoints of the edges attached to v.
	nbOff, neighbend []int32
	// mate[v] is the remote endpoint of v's matched edge, or -1 if v is single.
	mate []int32
	// label[b] of a top-level blossom: 0 free, 1 S, 2 T (5: S with a breadcrumb, in
	// scanBlossom; -1: recycled blossom number). For a vertex v inside a T-blossom, label[v] is
	// 2 iff v is reachable from an S-vertex outside the blossom.
	label []int8
	// labelend[b] is the remote endpoint of the edge through which b got its label, or -1.
	labelend []int32
	// inblossom[v] is the top-level blossom containing vertex v.
	inblossom []int32
	// blossomparent[b] is b's immediate parent blossom, or -1 for a top-level blossom.
	blossomparent []int32
	// blossomchilds[b] lists b's sub-blossoms from the base round the blossom;
	// blossomendps[b][i] is the local endpoint of blossomchilds[b][i] on the edge that connects
	// it to blossomchilds[b][i+1] (cyclically).
	blossomchilds, blossomendps [][]int32
	// blossombase[b] is b's base vertex.
	blossombase []int32
	// bestedge[v] (free vertex, or unreached vertex in a T-blossom): least-slack edge to an
	// S-vertex; bestedge[b] (top-level S-blossom): least-slack edge to another S-blossom.
	bestedge []int32
	// blossombestedges[b] (non-trivial top-level S-blossom): least-slack edges to neighbouring
	// S-blossoms; hasBestEdges[b] distinguishes an empty list from "None" in the original.
	blossombestedges [][]int32
	hasBestEdges     []bool
	unusedblossoms   []int32
	// dualvar[v] = 2·u(v) for a vertex; dualvar[b] = z(b) for a non-trivial blossom.
	dualvar []int64
	// allowedge[k]: edge k is known to have zero slack.
	allowedge []bool
	queue     []int32
	// stats counts the blossom operations, so the tests can check they exercise them all.
	stats blossomStats
	// scratch
	bestedgeto []int32
	crumbs     []int32
	leafBuf    []int32
}

// blossomStats counts blossoms created, expanded as T-blossoms during a stage, expanded at the
// end of a stage, and augmented through.
type blossomStats struct{ added, expandedT, expandedEnd, augmented int }

// maxWeightMatching computes a maximum-weight matching of the graph with nvertex vertices and
// the given edges; with maxcard, a maximum-weight matching among those of maximum cardinality.
// It returns mate (mate[v] is v's partner or -1) and the matching's weight, or an error if the
// final dual certificate fails (which would mean a bug in the port).
func maxWeightMatching(nvertex int, edges []wedge, maxcard bool) ([]int32, int64, error) {
	mate, w, _, err := maxWeightMatchingStats(nvertex, edges, maxcard)
	return mate, w, err
}

func maxWeightMatchingStats(nvertex int, edges []wedge, maxcard bool) ([]int32, int64, blossomStats, error) {
	m := &blossomMatcher{nvertex: int32(nvertex), nedge: int32(len(edges)), edges: edges, maxcard: maxcard}
	n, ne := int32(nvertex), int32(len(edges))
	if n == 0 {
		return nil, 0, blossomStats{}, nil
	}
	maxweight := int64(0)
	for _, e := range edges {
		if e.i < 0 || e.j < 0 || e.i >= n || e.j >= n || e.i == e.j {
			return nil, 0, blossomStats{}, fmt.Errorf("bad edge %v", e)
		}
		maxweight = max(maxweight, e.w)
	}
	m.endpoint = make([]int32, 2*ne)
	m.nbOff = make([]int32, n+1)
	for k, e := range edges {
		m.endpoint[2*k], m.endpoint[2*k+1] = e.i, e.j
		m.nbOff[e.i+1]++
		m.nbOff[e.j+1]++
	}
	for v := int32(0); v < n; v++ {
		m.nbOff[v+1] += m.nbOff[v]
	}
	m.neighbend = make([]int32, 2*ne)
	pos := slices.Clone(m.nbOff[:n])
	for k, e := range edges {
		m.neighbend[pos[e.i]] = int32(2*k + 1)
		pos[e.i]++
		m.neighbend[pos[e.j]] = int32(2 * k)
		pos[e.j]++
	}
	fill := func(x []int32, v int32) []int32 {
		for i := range x {
			x[i] = v
		}
		return x
	}
	m.mate = fill(make([]int32, n), -1)
	m.label = make([]int8, 2*n)
	m.labelend = fill(make([]int32, 2*n), -1)
	m.inblossom = make([]int32, n)
	for v := range m.inblossom {
		m.inblossom[v] = int32(v)
	}
	m.blossomparent = fill(make([]int32, 2*n), -1)
	m.blossomchilds = make([][]int32, 2*n)
	m.blossomendps = make([][]int32, 2*n)
	m.blossombase = fill(make([]int32, 2*n), -1)
	for v := int32(0); v < n; v++ {
		m.blossombase[v] = v
	}
	m.bestedge = fill(make([]int32, 2*n), -1)
	m.blossombestedges = make([][]int32, 2*n)
	m.hasBestEdges = make([]bool, 2*n)
	for b := n; b < 2*n; b++ {
		m.unusedblossoms = append(m.unusedblossoms, b)
	}
	m.dualvar = make([]int64, 2*n)
	for v := int32(0); v < n; v++ {
		m.dualvar[v] = maxweight
	}
	m.allowedge = make([]bool, ne)
	m.bestedgeto = fill(make([]int32, 2*n), -1)

	m.run()
	if err := m.verifyOptimum(); err != nil {
		return nil, 0, m.stats, err
	}
	var weight int64
	out := make([]int32, n)
	for v := int32(0); v < n; v++ {
		out[v] = -1
		if p := m.mate[v]; p >= 0 {
			out[v] = m.endpoint[p]
			if v < out[v] {
				weight += edges[p/2].w
			}
		}
	}
	for v, w := range out {
		if w >= 0 && out[w] != int32(v) {
			return nil, 0, m.stats, fmt.Errorf("mate not symmetric at %d", v)
		}
	}
	return out, weight, m.stats, nil
}

// slack returns 2 × the slack of edge k (does not work inside blossoms).
func (m *blossomMatcher) slack(k int32) int64 {
	e := &m.edges[k]
	return m.dualvar[e.i] + m.dualvar[e.j] - 2*e.w
}

// blossomLeaves appends the leaf vertices of blossom b to out.
func (m *blossomMatcher) blossomLeaves(b int32, out []int32) []int32 {
	if b < m.nvertex {
		return append(out, b)
	}
	for _, t := range m.blossomchilds[b] {
		if t < m.nvertex {
			out = append(out, t)
		} else {
			out = m.blossomLeaves(t, out)
		}
	}
	return out
}

// wrap maps a Python-style index in [-len, len) into [0, len).
func wrap(j, n int) int {
	if j < 0 {
		return j + n
	}
	return j
}

// assignLabel assigns label t to the top-level blossom containing vertex w, reached through
// the edge with remote endpoint p.
func (m *blossomMatcher) assignLabel(w int32, t int8, p int32) {
	b := m.inblossom[w]
	if m.label[w] != 0 || m.label[b] != 0 {
		panic("assignLabel: already labelled")
	}
	m.label[w], m.label[b] = t, t
	m.labelend[w], m.labelend[b] = p, p
	m.bestedge[w], m.bestedge[b] = -1, -1
	if t == 1 {
		// b became an S-vertex/blossom; add its vertices to the queue.
		m.queue = m.blossomLeaves(b, m.queue)
	} else if t == 2 {
		// b became a T-vertex/blossom; assign label S to its mate (the base is the only vertex
		// of b with an external mate).
		base := m.blossombase[b]
		if m.mate[base] < 0 {
			panic("assignLabel: T-blossom base is single")
		}
		m.assignLabel(m.endpoint[m.mate[base]], 1, m.mate[base]^1)
	}
}

// scanBlossom traces back from v and w to discover either a new blossom or an augmenting path;
// it returns the base vertex of the new blossom, or -1.
func (m *blossomMatcher) scanBlossom(v, w int32) int32 {
	path := m.crumbs[:0]
	base := int32(-1)
	for v != -1 || w != -1 {
		// Look for a breadcrumb in v's blossom or put a new breadcrumb.
		b := m.inblossom[v]
		if m.label[b]&4 != 0 {
			base = m.blossombase[b]
			break
		}
		path = append(path, b)
		m.label[b] = 5
		// Trace one step back.
		if m.labelend[b] == -1 {
			// The base of blossom b is single; stop tracing this path.
			v = -1
		} else {
			v = m.endpoint[m.labelend[b]]
			b = m.inblossom[v]
			// b is a T-blossom; trace one more step back.
			v = m.endpoint[m.labelend[b]]
		}
		// Swap v and w so that we alternate between both paths.
		if w != -1 {
			v, w = w, v
		}
	}
	// Remove breadcrumbs.
	for _, b := range path {
		m.label[b] = 1
	}
	m.crumbs = path[:0]
	return base
}

// addBlossom constructs a new blossom with the given base, containing edge k which connects a
// pair of S vertices; labels it S, sets its dual to zero and relabels its T-vertices to S.
func (m *blossomMatcher) addBlossom(base, k int32) {
	v, w := m.edges[k].i, m.edges[k].j
	bb := m.inblossom[base]
	bv := m.inblossom[v]
	bw := m.inblossom[w]
	m.stats.added++
	// Create blossom.
	b := m.unusedblossoms[len(m.unusedblossoms)-1]
	m.unusedblossoms = m.unusedblossoms[:len(m.unusedblossoms)-1]
	m.blossombase[b] = base
	m.blossomparent[b] = -1
	m.blossomparent[bb] = b
	// Make list of sub-blossoms and their interconnecting edge endpoints.
	var path, endps []int32
	// Trace back from v to base.
	for bv != bb {
		m.blossomparent[bv] = b
		path = append(path, bv)
		endps = append(endps, m.labelend[bv])
		v = m.endpoint[m.labelend[bv]]
		bv = m.inblossom[v]
	}
	// Reverse lists, add endpoint that connects the pair of S vertices.
	path = append(path, bb)
	slices.Reverse(path)
	slices.Reverse(endps)
	endps = append(endps, 2*k)
	// Trace back from w to base.
	for bw != bb {
		m.blossomparent[bw] = b
		path = append(path, bw)
		endps = append(endps, m.labelend[bw]^1)
		w = m.endpoint[m.labelend[bw]]
		bw = m.inblossom[w]
	}
	m.blossomchilds[b] = path
	m.blossomendps[b] = endps
	// Set label to S.
	if m.label[bb] != 1 {
		panic("addBlossom: base blossom not S")
	}
	m.label[b] = 1
	m.labelend[b] = m.labelend[bb]
	// Set dual variable to zero.
	m.dualvar[b] = 0
	// Relabel vertices.
	m.leafBuf = m.blossomLeaves(b, m.leafBuf[:0])
	for _, v := range m.leafBuf {
		if m.label[m.inblossom[v]] == 2 {
			// This T-vertex now turns into an S-vertex because it becomes part of an
			// S-blossom; add it to the queue.
			m.queue = append(m.queue, v)
		}
		m.inblossom[v] = b
	}
	// Compute blossombestedges[b].
	bestedgeto := m.bestedgeto
	consider := func(k int32) {
		i, j := m.edges[k].i, m.edges[k].j
		if m.inblossom[j] == b {
			i, j = j, i
		}
		_ = i
		bj := m.inblossom[j]
		if bj != b && m.label[bj] == 1 && (bestedgeto[bj] == -1 || m.slack(k) < m.slack(bestedgeto[bj])) {
			bestedgeto[bj] = k
		}
	}
	for _, bv := range path {
		if !m.hasBestEdges[bv] {
			// This sub-blossom has no list of least-slack edges; get the information from
			// the vertices.
			m.leafBuf = m.blossomLeaves(bv, m.leafBuf[:0])
			for _, v := range m.leafBuf {
				for _, p := range m.neighbend[m.nbOff[v]:m.nbOff[v+1]] {
					consider(p / 2)
				}
			}
		} else {
			// Walk this sub-blossom's least-slack edges.
			for _, k := range m.blossombestedges[bv] {
				consider(k)
			}
		}
		// Forget about least-slack edges of the sub-blossom.
		m.blossombestedges[bv], m.hasBestEdges[bv] = nil, false
		m.bestedge[bv] = -1
	}
	var list []int32
	for j, k := range bestedgeto {
		if k != -1 {
			list = append(list, k)
			bestedgeto[j] = -1
		}
	}
	m.blossombestedges[b], m.hasBestEdges[b] = list, true
	// Select bestedge[b].
	m.bestedge[b] = -1
	for _, k := range list {
		if m.bestedge[b] == -1 || m.slack(k) < m.slack(m.bestedge[b]) {
			m.bestedge[b] = k
		}
	}
}

// expandBlossom expands the top-level blossom b.
func (m *blossomMatcher) expandBlossom(b int32, endstage bool) {
	n := m.nvertex
	// Convert sub-blossoms into top-level blossoms.
	for _, s := range m.blossomchilds[b] {
		m.blossomparent[s] = -1
		if s < n {
			m.inblossom[s] = s
		} else if endstage && m.dualvar[s] == 0 {
			// Recursively expand this sub-blossom.
			m.expandBlossom(s, endstage)
		} else {
			m.leafBuf = m.blossomLeaves(s, m.leafBuf[:0])
			for _, v := range m.leafBuf {
				m.inblossom[v] = s
			}
		}
	}
	// If we expand a T-blossom during a stage, its sub-blossoms must be relabeled.
	if endstage {
		m.stats.expandedEnd++
	} else if m.label[b] == 2 {
		m.stats.expandedT++
	}
	if !endstage && m.label[b] == 2 {
		childs, endps := m.blossomchilds[b], m.blossomendps[b]
		l := len(childs)
		// Start at the sub-blossom through which the expanding blossom obtained its label, and
		// relabel sub-blossoms until we reach the base.
		entrychild := m.inblossom[m.endpoint[m.labelend[b]^1]]
		// Decide in which direction we will go round the blossom.
		j := slices.Index(childs, entrychild)
		var jstep, endptrick int
		if j&1 != 0 {
			// Start index is odd; go forward and wrap.
			j -= l
			jstep, endptrick = 1, 0
		} else {
			// Start index is even; go backward.
			jstep, endptrick = -1, 1
		}
		// Move along the blossom until we get to the base.
		p := m.labelend[b]
		for j != 0 {
			// Relabel the T-sub-blossom.
			m.label[m.endpoint[p^1]] = 0
			m.label[m.endpoint[endps[wrap(j-endptrick, l)]^int32(endptrick)^1]] = 0
			m.assignLabel(m.endpoint[p^1], 2, p)
			// Step to the next S-sub-blossom and note its forward endpoint.
			m.allowedge[endps[wrap(j-endptrick, l)]/2] = true
			j += jstep
			p = endps[wrap(j-endptrick, l)] ^ int32(endptrick)
			// Step to the next T-sub-blossom.
			m.allowedge[p/2] = true
			j += jstep
		}
		// Relabel the base T-sub-blossom WITHOUT stepping through to its mate (so don't call
		// assignLabel).
		bv := childs[wrap(j, l)]
		m.label[m.endpoint[p^1]], m.label[bv] = 2, 2
		m.labelend[m.endpoint[p^1]], m.labelend[bv] = p, p
		m.bestedge[bv] = -1
		// Continue along the blossom until we get back to entrychild.
		j += jstep
		for childs[wrap(j, l)] != entrychild {
			// Examine the vertices of the sub-blossom to see whether it is reachable from a
			// neighbouring S-vertex outside the expanding blossom.
			bv := childs[wrap(j, l)]
			if m.label[bv] == 1 {
				// This sub-blossom just got label S through one of its neighbours; leave it.
				j += jstep
				continue
			}
			m.leafBuf = m.blossomLeaves(bv, m.leafBuf[:0])
			var v int32
			for _, v = range m.leafBuf {
				if m.label[v] != 0 {
					break
				}
			}
			// If the sub-blossom contains a reachable vertex, assign label T to the
			// sub-blossom.
			if m.label[v] != 0 {
				if m.label[v] != 2 || m.inblossom[v] != bv {
					panic("expandBlossom: inconsistent reachable vertex")
				}
				m.label[v] = 0
				m.label[m.endpoint[m.mate[m.blossombase[bv]]]] = 0
				m.assignLabel(v, 2, m.labelend[v])
			}
			j += jstep
		}
	}
	// Recycle the blossom number.
	m.label[b], m.labelend[b] = -1, -1
	m.blossomchilds[b], m.blossomendps[b] = nil, nil
	m.blossombase[b] = -1
	m.blossombestedges[b], m.hasBestEdges[b] = nil, false
	m.bestedge[b] = -1
	m.unusedblossoms = append(m.unusedblossoms, b)
}

// augmentBlossom swaps matched/unmatched edges over an alternating path through blossom b
// between vertex v and the base vertex, keeping the blossom bookkeeping consistent.
func (m *blossomMatcher) augmentBlossom(b, v int32) {
	m.stats.augmented++
	// Bubble up through the blossom tree from vertex v to an immediate sub-blossom of b.
	t := v
	for m.blossomparent[t] != b {
		t = m.blossomparent[t]
	}
	// Recursively deal with the first sub-blossom.
	if t >= m.nvertex {
		m.augmentBlossom(t, v)
	}
	childs, endps := m.blossomchilds[b], m.blossomendps[b]
	l := len(childs)
	// Decide in which direction we will go round the blossom.
	i := slices.Index(childs, t)
	j := i
	var jstep, endptrick int
	if i&1 != 0 {
		// Start index is odd; go forward and wrap.
		j -= l
		jstep, endptrick = 1, 0
	} else {
		// Start index is even; go backward.
		jstep, endptrick = -1, 1
	}
	// Move along the blossom until we get to the base.
	for j != 0 {
		// Step to the next sub-blossom and augment it recursively.
		j += jstep
		t = childs[wrap(j, l)]
		p := endps[wrap(j-endptrick, l)] ^ int32(endptrick)
		if t >= m.nvertex {
			m.augmentBlossom(t, m.endpoint[p])
		}
		// Step to the next sub-blossom and augment it recursively.
		j += jstep
		t = childs[wrap(j, l)]
		if t >= m.nvertex {
			m.augmentBlossom(t, m.endpoint[p^1])
		}
		// Match the edge connecting those sub-blossoms.
		m.mate[m.endpoint[p]] = p ^ 1
		m.mate[m.endpoint[p^1]] = p
	}
	// Rotate the list of sub-blossoms to put the new base at the front.
	m.blossomchilds[b] = append(slices.Clone(childs[i:]), childs[:i]...)
	m.blossomendps[b] = append(slices.Clone(endps[i:]), endps[:i]...)
	m.blossombase[b] = m.blossombase[m.blossomchilds[b][0]]
	if m.blossombase[b] != v {
		panic("augmentBlossom: wrong new base")
	}
}

// augmentMatching swaps matched/unmatched edges over an alternating path between two single
// vertices, running through edge k which connects a pair of S vertices.
func (m *blossomMatcher) augmentMatching(k int32) {
	v, w := m.edges[k].i, m.edges[k].j
	for _, sp := range [2][2]int32{{v, 2*k + 1}, {w, 2 * k}} {
		s, p := sp[0], sp[1]
		// Match vertex s to remote endpoint p. Then trace back from s until we find a single
		// vertex, swapping matched and unmatched edges as we go.
		for {
			bs := m.inblossom[s]
			// Augment through the S-blossom from s to base.
			if bs >= m.nvertex {
				m.augmentBlossom(bs, s)
			}
			// Update mate[s].
			m.mate[s] = p
			// Trace one step back.
			if m.labelend[bs] == -1 {
				// Reached single vertex; stop.
				break
			}
			t := m.endpoint[m.labelend[bs]]
			bt := m.inblossom[t]
			// Trace one step back.
			s = m.endpoint[m.labelend[bt]]
			j := m.endpoint[m.labelend[bt]^1]
			// Augment through the T-blossom from j to base.
			if bt >= m.nvertex {
				m.augmentBlossom(bt, j)
			}
			// Update mate[j].
			m.mate[j] = m.labelend[bt]
			// Keep the opposite endpoint; it will be assigned to mate[s] in the next step.
			p = m.labelend[bt] ^ 1
		}
	}
}

// run is the main loop: stages until no further improvement is possible.
func (m *blossomMatcher) run() {
	n := m.nvertex
	for t := int32(0); t < n; t++ {
		// Each iteration of this loop is a "stage". A stage finds an augmenting path and uses
		// that to improve the matching.

		// Remove labels from top-level blossoms/vertices.
		clear(m.label)
		// Forget all about least-slack edges.
		for i := range m.bestedge {
			m.bestedge[i] = -1
		}
		for b := n; b < 2*n; b++ {
			m.blossombestedges[b], m.hasBestEdges[b] = nil, false
		}
		// Loss of labeling means that we can not be sure that currently allowable edges remain
		// allowable throughout this stage.
		clear(m.allowedge)
		// Make queue empty.
		m.queue = m.queue[:0]
		// Label single blossoms/vertices with S and put them in the queue.
		for v := int32(0); v < n; v++ {
			if m.mate[v] == -1 && m.label[m.inblossom[v]] == 0 {
				m.assignLabel(v, 1, -1)
			}
		}

		// Loop until we succeed in augmenting the matching.
		augmented := false
		for {
			// Each iteration of this loop is a "substage". A substage tries to find an
			// augmenting path; if found, the path is used to improve the matching and the
			// stage ends. If there is no augmenting path, the primal-dual method is used to
			// pump some slack out of the dual variables.

			// Continue labeling until all vertices which are reachable through an
			// alternating path have got a label.
			for len(m.queue) > 0 && !augmented {
				// Take an S vertex from the queue.
				v := m.queue[len(m.queue)-1]
				m.queue = m.queue[:len(m.queue)-1]
				// Scan its neighbours.
				for _, p := range m.neighbend[m.nbOff[v]:m.nbOff[v+1]] {
					k := p / 2
					w := m.endpoint[p]
					// w is a neighbour to v.
					if m.inblossom[v] == m.inblossom[w] {
						// This edge is internal to a blossom; ignore it.
						continue
					}
					var kslack int64
					if !m.allowedge[k] {
						kslack = m.slack(k)
						if kslack <= 0 {
							// Edge k has zero slack => it is allowable.
							m.allowedge[k] = true
						}
					}
					if m.allowedge[k] {
						if m.label[m.inblossom[w]] == 0 {
							// (C1) w is a free vertex; label w with T and its mate with S
							// (R12).
							m.assignLabel(w, 2, p^1)
						} else if m.label[m.inblossom[w]] == 1 {
							// (C2) w is an S-vertex (not in the same blossom); follow
							// back-links to discover either an augmenting path or a new
							// blossom.
							if base := m.scanBlossom(v, w); base >= 0 {
								// Found a new blossom; add it to the blossom bookkeeping and
								// turn it into an S-blossom.
								m.addBlossom(base, k)
							} else {
								// Found an augmenting path; augment the matching and end
								// this stage.
								m.augmentMatching(k)
								augmented = true
								break
							}
						} else if m.label[w] == 0 {
							// w is inside a T-blossom, but w itself has not yet been reached
							// from outside the blossom; mark it as reached (we need this to
							// relabel during T-blossom expansion).
							m.label[w] = 2
							m.labelend[w] = p ^ 1
						}
					} else if m.label[m.inblossom[w]] == 1 {
						// Keep track of the least-slack non-allowable edge to a different
						// S-blossom.
						b := m.inblossom[v]
						if m.bestedge[b] == -1 || kslack < m.slack(m.bestedge[b]) {
							m.bestedge[b] = k
						}
					} else if m.label[w] == 0 {
						// w is a free vertex (or an unreached vertex inside a T-blossom) but
						// we can not reach it yet; keep track of the least-slack edge that
						// reaches w.
						if m.bestedge[w] == -1 || kslack < m.slack(m.bestedge[w]) {
							m.bestedge[w] = k
						}
					}
				}
			}
			if augmented {
				break
			}

			// There is no augmenting path under these constraints; compute delta and reduce
			// slack in the optimization problem. (Vertex duals, edge slacks and deltas are
			// pre-multiplied by two.)
			deltatype := -1
			var delta int64
			deltaedge, deltablossom := int32(-1), int32(-1)

			// Compute delta1: the minimum value of any vertex dual.
			if !m.maxcard {
				deltatype = 1
				delta = slices.Min(m.dualvar[:n])
			}
			// Compute delta2: the minimum slack on any edge between an S-vertex and a free
			// vertex.
			for v := int32(0); v < n; v++ {
				if m.label[m.inblossom[v]] == 0 && m.bestedge[v] != -1 {
					if d := m.slack(m.bestedge[v]); deltatype == -1 || d < delta {
						delta, deltatype, deltaedge = d, 2, m.bestedge[v]
					}
				}
			}
			// Compute delta3: half the minimum slack on any edge between a pair of
			// S-blossoms.
			for b := int32(0); b < 2*n; b++ {
				if m.blossomparent[b] == -1 && m.label[b] == 1 && m.bestedge[b] != -1 {
					kslack := m.slack(m.bestedge[b])
					if kslack%2 != 0 {
						panic("delta3: odd slack")
					}
					if d := kslack / 2; deltatype == -1 || d < delta {
						delta, deltatype, deltaedge = d, 3, m.bestedge[b]
					}
				}
			}
			// Compute delta4: minimum z variable of any T-blossom.
			for b := n; b < 2*n; b++ {
				if m.blossombase[b] >= 0 && m.blossomparent[b] == -1 && m.label[b] == 2 &&
					(deltatype == -1 || m.dualvar[b] < delta) {
					delta, deltatype, deltablossom = m.dualvar[b], 4, b
				}
			}
			if deltatype == -1 {
				// No further improvement possible; max-cardinality optimum reached. Do a
				// final delta update to make the optimum verifiable.
				if !m.maxcard {
					panic("no delta without maxcardinality")
				}
				deltatype = 1
				delta = max(0, slices.Min(m.dualvar[:n]))
			}

			// Update dual variables according to delta.
			for v := int32(0); v < n; v++ {
				switch m.label[m.inblossom[v]] {
				case 1:
					// S-vertex: 2*u = 2*u - 2*delta
					m.dualvar[v] -= delta
				case 2:
					// T-vertex: 2*u = 2*u + 2*delta
					m.dualvar[v] += delta
				}
			}
			for b := n; b < 2*n; b++ {
				if m.blossombase[b] >= 0 && m.blossomparent[b] == -1 {
					switch m.label[b] {
					case 1:
						// top-level S-blossom: z = z + 2*delta
						m.dualvar[b] += delta
					case 2:
						// top-level T-blossom: z = z - 2*delta
						m.dualvar[b] -= delta
					}
				}
			}

			// Take action at the point where minimum delta occurred.
			if deltatype == 1 {
				// No further improvement possible; optimum reached.
				break
			} else if deltatype == 2 {
				// Use the least-slack edge to continue the search.
				m.allowedge[deltaedge] = true
				i, j := m.edges[deltaedge].i, m.edges[deltaedge].j
				if m.label[m.inblossom[i]] == 0 {
					i, j = j, i
				}
				_ = j
				m.queue = append(m.queue, i)
			} else if deltatype == 3 {
				// Use the least-slack edge to continue the search.
				m.allowedge[deltaedge] = true
				m.queue = append(m.queue, m.edges[deltaedge].i)
			} else if deltatype == 4 {
				// Expand the least-z blossom.
				m.expandBlossom(deltablossom, false)
			}
			// End of this substage.
		}

		// Stop when no more augmenting path can be found.
		if !augmented {
			break
		}
		// End of a stage; expand all S-blossoms which have dualvar = 0.
		for b := n; b < 2*n; b++ {
			if m.blossomparent[b] == -1 && m.blossombase[b] >= 0 && m.label[b] == 1 && m.dualvar[b] == 0 {
				m.expandBlossom(b, true)
			}
		}
	}
}

// verifyOptimum checks the complementary slackness conditions, which prove the matching
// optimal (for the max-cardinality variant, among the maximum-cardinality matchings).
func (m *blossomMatcher) verifyOptimum() error {
	n := m.nvertex
	var vdualoffset int64
	if m.maxcard {
		// Vertices may have negative dual; find a constant non-negative number to add to all
		// vertex duals.
		vdualoffset = max(0, -slices.Min(m.dualvar[:n]))
	}
	// 0. all dual variables are non-negative
	if slices.Min(m.dualvar[:n])+vdualoffset < 0 || slices.Min(m.dualvar[n:]) < 0 {
		return fmt.Errorf("negative dual variable")
	}
	// 0. all edges have non-negative slack and 1. all matched edges have zero slack
	var ib, jb []int32
	for k := int32(0); k < m.nedge; k++ {
		e := m.edges[k]
		s := m.dualvar[e.i] + m.dualvar[e.j] - 2*e.w
		ib = append(ib[:0], e.i)
		jb = append(jb[:0], e.j)
		for m.blossomparent[ib[len(ib)-1]] != -1 {
			ib = append(ib, m.blossomparent[ib[len(ib)-1]])
		}
		for m.blossomparent[jb[len(jb)-1]] != -1 {
			jb = append(jb, m.blossomparent[jb[len(jb)-1]])
		}
		slices.Reverse(ib)
		slices.Reverse(jb)
		for x := 0; x < min(len(ib), len(jb)); x++ {
			if ib[x] != jb[x] {
				break
			}
			s += 2 * m.dualvar[ib[x]]
		}
		if s < 0 {
			return fmt.Errorf("edge %d (%d–%d) has negative slack %d", k, e.i, e.j, s)
		}
		mi, mj := m.mate[e.i] >= 0 && m.mate[e.i]/2 == k, m.mate[e.j] >= 0 && m.mate[e.j]/2 == k
		if mi || mj {
			if !mi || !mj {
				return fmt.Errorf("edge %d matched on one side only", k)
			}
			if s != 0 {
				return fmt.Errorf("matched edge %d has slack %d", k, s)
			}
		}
	}
	// 2. all single vertices have zero dual value
	for v := int32(0); v < n; v++ {
		if m.mate[v] < 0 && m.dualvar[v]+vdualoffset != 0 {
			return fmt.Errorf("single vertex %d has dual %d", v, m.dualvar[v]+vdualoffset)
		}
	}
	// 3. all blossoms with positive dual value are full
	for b := n; b < 2*n; b++ {
		if m.blossombase[b] >= 0 && m.dualvar[b] > 0 {
			endps := m.blossomendps[b]
			if len(endps)%2 != 1 {
				return fmt.Errorf("blossom %d has an even number of sub-blossoms", b)
			}
			for x := 1; x < len(endps); x += 2 {
				p := endps[x]
				if m.mate[m.endpoint[p]] != p^1 || m.mate[m.endpoint[p^1]] != p {
					return fmt.Errorf("blossom %d with positive dual is not full", b)
				}
			}
		}
	}
	return nil
}

// exactPairsBlossom is the maximum total pair weight over perfect matchings of ids (even
// length), by the blossom algorithm on the complete graph weighted by sc.PairWeight. It returns
// the pairs too.
//
// maxcard = true: the engine always pairs everybody (with an even number of active people and
// no never-with pairs every one of them is in a pair), so its rounds are perfect matchings and
// the right optimum is the maximum weight among perfect matchings, i.e. among
// maximum-cardinality matchings of the complete graph. With maxcard = false the matcher could
// leave out people whose best pairs have negative weight (forced repeats), which the engine may
// not do, and the optimum would not be comparable.
func exactPairsBlossom(sc *Scorer, ids []int64) (int64, [][]int64, error) {
	n := len(ids)
	if n%2 != 0 {
		return 0, nil, fmt.Errorf("odd number of people %d", n)
	}
	edges := make([]wedge, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			edges = append(edges, wedge{int32(i), int32(j), sc.PairWeight(ids[i], ids[j])})
		}
	}
	mate, w, err := maxWeightMatching(n, edges, true)
	if err != nil {
		return 0, nil, err
	}
	var pairs [][]int64
	for i, j := range mate {
		if j < 0 {
			return 0, nil, fmt.Errorf("person %d unmatched in a complete graph", i)
		}
		if i < int(j) {
			pairs = append(pairs, []int64{ids[i], ids[j]})
		}
	}
	return w, pairs, nil
}
