// Package org is the organisation model in memory: the tree of units, the configured
// "department" level, and contiguity between units (same site, or sites declared adjacent).
// It is pure (no I/O) so that the team-formation and pairing engines can ask "which department?"
// and "are these two contiguous?" millions of times cheaply.
package org

import (
	"fmt"
	"sort"
)

// Unit is one org unit as loaded from the database.
type Unit struct {
	ID       int64
	Code     string
	Type     string
	ParentID int64 // 0 for a root
	SiteID   int64 // 0 when the unit declares no site (it inherits its parent's)
}

// Tree is an org tree with its department level resolved and site inheritance applied.
type Tree struct {
	units      map[int64]Unit
	department map[int64]int64 // unit → its department (0: none, the unit is above that level)
	site       map[int64]int64 // unit → its effective site (0: none anywhere above)
	adjacent   map[[2]int64]bool
}

// NewTree builds a tree from units, with departmentType naming the department level ("Settore"
// by default) and adjacency listing pairs of adjacent sites. It refuses unknown parents and
// cycles, which the database also prevents.
func NewTree(units []Unit, departmentType string, adjacency [][2]int64) (*Tree, error) {
	t := &Tree{
		units:      make(map[int64]Unit, len(units)),
		department: make(map[int64]int64, len(units)),
		site:       make(map[int64]int64, len(units)),
		adjacent:   make(map[[2]int64]bool, len(adjacency)),
	}
	for _, u := range units {
		t.units[u.ID] = u
	}
	for _, u := range units {
		if u.ParentID != 0 {
			if _, ok := t.units[u.ParentID]; !ok {
				return nil, fmt.Errorf("org: unit %s has an unknown parent %d", u.Code, u.ParentID)
			}
		}
	}
	// Resolve each unit by walking up; the walk is bounded by the number of units, so a cycle
	// is detected rather than looping.
	for _, u := range units {
		dept, site := int64(0), int64(0)
		cur, steps := u, 0
		for {
			if dept == 0 && cur.Type == departmentType {
				dept = cur.ID
			}
			if site == 0 && cur.SiteID != 0 {
				site = cur.SiteID
			}
			if cur.ParentID == 0 {
				break
			}
			if steps++; steps > len(units) {
				return nil, fmt.Errorf("org: unit %s is in a cycle", u.Code)
			}
			cur = t.units[cur.ParentID]
		}
		t.department[u.ID], t.site[u.ID] = dept, site
	}
	for _, p := range adjacency {
		t.adjacent[pair(p[0], p[1])] = true
	}
	return t, nil
}

func pair(a, b int64) [2]int64 {
	if a > b {
		a, b = b, a
	}
	return [2]int64{a, b}
}

// Unit returns the unit with id.
func (t *Tree) Unit(id int64) (Unit, bool) {
	u, ok := t.units[id]
	return u, ok
}

// Department returns the id of the unit's department: the unit itself or its nearest ancestor
// of the department type; 0 when the unit sits above that level (an Area).
func (t *Tree) Department(unitID int64) int64 { return t.department[unitID] }

// Site returns the unit's effective site: its own, else the nearest ancestor's; 0 for none.
func (t *Tree) Site(unitID int64) int64 { return t.site[unitID] }

// Contiguous reports whether two units are contiguous: at the same site, or at sites declared
// adjacent. Units without a known site are never contiguous with anything, so links between
// them count as non-contiguous (the conservative choice for "links across distant offices").
func (t *Tree) Contiguous(unitA, unitB int64) bool {
	sa, sb := t.site[unitA], t.site[unitB]
	if sa == 0 || sb == 0 {
		return false
	}
	return sa == sb || t.adjacent[pair(sa, sb)]
}

// Departments lists the ids of the units at the department level, sorted.
func (t *Tree) Departments() []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, d := range t.department {
		if d != 0 && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Below reports whether unit is ancestor or one of its descendants (a dirigente's scope).
func (t *Tree) Below(unit, ancestor int64) bool {
	for steps := 0; unit != 0 && steps <= len(t.units); steps++ {
		if unit == ancestor {
			return true
		}
		unit = t.units[unit].ParentID
	}
	return false
}
