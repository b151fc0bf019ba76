package org

import (
	"reflect"
	"testing"
)

// A small council: two Aree, three Settori, Servizi and an Ufficio below them.
//
//	A1 (site 1)                      A2 (no site)
//	├── S1 Settore (site 1)          └── S3 Settore (site 3)
//	│   ├── V1 Servizio (site 2)         └── V3 Servizio (inherits 3)
//	│   │   └── U1 Ufficio (inherits 2)
//	│   └── V2 Servizio (inherits 1)
//	└── S2 Settore (site 4)
func council(t *testing.T) *Tree {
	t.Helper()
	units := []Unit{
		{ID: 1, Code: "A1", Type: "Area", SiteID: 1},
		{ID: 2, Code: "A2", Type: "Area"},
		{ID: 10, Code: "S1", Type: "Settore", ParentID: 1, SiteID: 1},
		{ID: 11, Code: "S2", Type: "Settore", ParentID: 1, SiteID: 4},
		{ID: 12, Code: "S3", Type: "Settore", ParentID: 2, SiteID: 3},
		{ID: 100, Code: "V1", Type: "Servizio", ParentID: 10, SiteID: 2},
		{ID: 101, Code: "V2", Type: "Servizio", ParentID: 10},
		{ID: 102, Code: "V3", Type: "Servizio", ParentID: 12},
		{ID: 1000, Code: "U1", Type: "Ufficio", ParentID: 100},
	}
	tree, err := NewTree(units, "Settore", [][2]int64{{2, 1}}) // sites 1 and 2 adjacent
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func TestDepartmentLevelResolution(t *testing.T) {
	t.Parallel()
	tree := council(t)
	for unit, want := range map[int64]int64{1000: 10, 100: 10, 101: 10, 10: 10, 11: 11, 102: 12, 1: 0, 2: 0} {
		if got := tree.Department(unit); got != want {
			t.Errorf("Department(%d) = %d, want %d", unit, got, want)
		}
	}
	if got := tree.Departments(); !reflect.DeepEqual(got, []int64{10, 11, 12}) {
		t.Errorf("Departments = %v", got)
	}
	// Another configured level: the Area is the department.
	units := []Unit{{ID: 1, Code: "A1", Type: "Area"}, {ID: 10, Code: "S1", Type: "Settore", ParentID: 1}}
	byArea, err := NewTree(units, "Area", nil)
	if err != nil {
		t.Fatal(err)
	}
	if byArea.Department(10) != 1 {
		t.Errorf("with Area as the level, S1's department = %d", byArea.Department(10))
	}
}

func TestSiteInheritanceAndContiguity(t *testing.T) {
	t.Parallel()
	tree := council(t)
	for unit, want := range map[int64]int64{1000: 2, 100: 2, 101: 1, 102: 3, 2: 0} {
		if got := tree.Site(unit); got != want {
			t.Errorf("Site(%d) = %d, want %d", unit, got, want)
		}
	}
	cases := []struct {
		a, b int64
		want bool
	}{
		{101, 10, true},   // same site (1)
		{1000, 100, true}, // same site (2, inherited)
		{1000, 101, true}, // sites 2 and 1 are declared adjacent
		{101, 1000, true}, // symmetric
		{101, 11, false},  // site 1 and 4: neither same nor adjacent
		{102, 100, false}, // 3 and 2
		{2, 2, false},     // no site: never contiguous
	}
	for _, c := range cases {
		if got := tree.Contiguous(c.a, c.b); got != c.want {
			t.Errorf("Contiguous(%d, %d) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestBelow(t *testing.T) {
	t.Parallel()
	tree := council(t)
	if !tree.Below(1000, 1) || !tree.Below(1000, 10) || !tree.Below(10, 10) || tree.Below(102, 1) || tree.Below(1, 10) {
		t.Fatal("Below is wrong")
	}
}

func TestBadTreesAreRefused(t *testing.T) {
	t.Parallel()
	if _, err := NewTree([]Unit{{ID: 1, Code: "X", ParentID: 9}}, "Settore", nil); err == nil {
		t.Error("unknown parent accepted")
	}
	cycle := []Unit{{ID: 1, Code: "X", ParentID: 2}, {ID: 2, Code: "Y", ParentID: 1}}
	if _, err := NewTree(cycle, "Settore", nil); err == nil {
		t.Error("cycle accepted")
	}
}
