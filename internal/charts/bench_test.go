package charts

import "testing"

// go test -run '^$' -bench . ./internal/charts/
// Target (issue 13): each picture renders in <= 150 ms.

func BenchmarkHeatmap21(b *testing.B) {
	m, o := matrix21(), HeatmapOptions{Labels: labelsIT()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Heatmap(m, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLines3x12(b *testing.B) {
	s, o := series3(), LinesOptions{Labels: labelsIT(), Weeks: weeks12}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Lines(s, o); err != nil {
			b.Fatal(err)
		}
	}
}
