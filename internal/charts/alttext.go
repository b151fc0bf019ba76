package charts

import (
	"math"
	"sort"
	"strings"
)

// HeatmapAltText is the heatmap's numbers as plain text, for screen readers
// and the console: the title, then one line per pair of departments with
// their full names, "A — B: 12", most links first (ties in matrix order);
// withheld cells read Labels.Hidden; the diagonal (a department with
// itself) is listed only when it holds a count. With Labels.Rest set, the
// pairs with no link are summed up in that one line.
func HeatmapAltText(m Matrix, o HeatmapOptions) string {
	var b strings.Builder
	header(&b, o.Labels)
	type pair struct {
		i, j int
		v    float64
	}
	var pairs []pair
	zeros := 0
	for i := range m.Names {
		for j := i; j < len(m.Names); j++ {
			if i >= len(m.Counts) || j >= len(m.Counts[i]) {
				continue
			}
			v := m.Counts[i][j]
			if i == j && (math.IsNaN(v) || v == 0) {
				continue
			}
			if v == 0 && o.Labels.Rest != "" {
				zeros++
				continue
			}
			pairs = append(pairs, pair{i, j, v})
		}
	}
	if len(pairs) == 0 && zeros == 0 {
		b.WriteString(o.Labels.NoData + "\n")
		return b.String()
	}
	// Withheld cells sort after every count; equal counts keep matrix order.
	sort.SliceStable(pairs, func(a, c int) bool {
		va, vc := pairs[a].v, pairs[c].v
		if math.IsNaN(vc) {
			return !math.IsNaN(va)
		}
		return !math.IsNaN(va) && va > vc
	})
	for _, p := range pairs {
		b.WriteString(m.Names[p.i] + " — " + m.Names[p.j] + ": ")
		if math.IsNaN(p.v) {
			b.WriteString(o.Labels.Hidden)
		} else {
			b.WriteString(formatNumber(p.v, o.Labels.Decimal))
		}
		b.WriteString("\n")
	}
	if zeros > 0 {
		b.WriteString(o.Labels.Rest + "\n")
	}
	return b.String()
}

// LinesAltText is the line chart's numbers as plain text: the title, then
// for each series its name and one "week: value" line per week, a hidden
// week reading Labels.Hidden.
func LinesAltText(series []Series, o LinesOptions) string {
	var b strings.Builder
	header(&b, o.Labels)
	if len(o.Weeks) == 0 || !hasData(series) {
		b.WriteString(o.Labels.NoData + "\n")
		return b.String()
	}
	for _, s := range series {
		b.WriteString(s.Name + ":\n")
		for k, w := range o.Weeks {
			b.WriteString("  " + w + ": ")
			if k >= len(s.Values) || math.IsNaN(s.Values[k]) {
				b.WriteString(o.Labels.Hidden)
			} else {
				b.WriteString(o.format(s.Values[k]))
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

func header(b *strings.Builder, l Labels) {
	for _, s := range []string{l.Title, l.Subtitle} {
		if s != "" {
			b.WriteString(s + "\n")
		}
	}
}
