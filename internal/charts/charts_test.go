package charts

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("not a PNG: % x", b[:min(8, len(b))])
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode png: %v", err)
	}
	return img
}

func TestHeatmap21Departments(t *testing.T) {
	m := matrix21()
	o := HeatmapOptions{Labels: labelsIT()}
	b, err := Heatmap(m, o)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b)
	w, h := HeatmapSize(m, o)
	if got := img.Bounds().Size(); got.X != w || got.Y != h {
		t.Fatalf("size %v, HeatmapSize says %dx%d", got, w, h)
	}
	// 21 cells of 47 px plus labels and scale: wide but within the cap.
	if w < 1200 || w > 1800 || h < 1000 || h > 1400 {
		t.Fatalf("size %dx%d outside the expected 1200..1800 x 1000..1400", w, h)
	}
}

func TestHeatmapSizeGrowsUpToCap(t *testing.T) {
	sq := func(n int) Matrix {
		m := Matrix{Names: make([]string, n), Counts: make([][]float64, n)}
		for i := range n {
			m.Names[i] = "Settore " + strings.Repeat("x", i%7+1)
			m.Counts[i] = make([]float64, n)
		}
		return m
	}
	o := HeatmapOptions{Labels: labelsIT()}
	_, h4 := HeatmapSize(sq(4), o)
	_, h12 := HeatmapSize(sq(12), o)
	_, h21 := HeatmapSize(sq(21), o)
	w100, h100 := HeatmapSize(sq(MaxDepartments), o)
	if !(h4 < h12 && h12 < h21) {
		t.Fatalf("height does not grow with the departments: %d, %d, %d", h4, h12, h21)
	}
	if h100 > h21+100 || w100 > 2000 {
		t.Fatalf("%d departments: %dx%d, want the grid capped near 1000 px", MaxDepartments, w100, h100)
	}
	b, err := Heatmap(sq(MaxDepartments), o)
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, b).Bounds().Size(); got.X != w100 || got.Y != h100 {
		t.Fatalf("size %v, want %dx%d", got, w100, h100)
	}
	if _, err := Heatmap(sq(MaxDepartments+1), o); err == nil {
		t.Fatalf("%d departments accepted", MaxDepartments+1)
	}
}

// The fixture's long Italian names fit in the row labels whole (wrapped,
// never cut with an ellipsis).
func TestHeatmapLabelsNotCut(t *testing.T) {
	l := heatmapLayout(matrix21(), HeatmapOptions{Labels: labelsIT()})
	for i, name := range departments21 {
		got := strings.Join(l.rows[i], " ")
		if got != name {
			t.Errorf("row %d drawn as %q, want %q", i+1, got, name)
		}
		if len(l.rows[i]) > 2 {
			t.Errorf("row %d takes %d lines", i+1, len(l.rows[i]))
		}
	}
	// A name too long even for two lines is cut with an ellipsis, not
	// drawn past the label area.
	long := strings.Repeat("Settore Lunghissimo ", 12)
	lines := wrap(long, l.rowSty, px(hmLabelW-8), 2)
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "…") {
		t.Fatalf("overlong name wrapped as %q", lines)
	}
	for _, s := range lines {
		if l.rowSty.Width(s) > px(hmLabelW-8) {
			t.Fatalf("line %q wider than the label area", s)
		}
	}
}

func TestHeatmapRejectsBadMatrices(t *testing.T) {
	names := []string{"A", "B"}
	for name, m := range map[string]Matrix{
		"asymmetric":  {Names: names, Counts: [][]float64{{0, 1}, {2, 0}}},
		"short row":   {Names: names, Counts: [][]float64{{0, 1}, {1}}},
		"rows":        {Names: names, Counts: [][]float64{{0, 1}}},
		"negative":    {Names: names, Counts: [][]float64{{0, -1}, {-1, 0}}},
		"infinite":    {Names: names, Counts: [][]float64{{0, math.Inf(1)}, {math.Inf(1), 0}}},
		"nan one way": {Names: names, Counts: [][]float64{{0, math.NaN()}, {1, 0}}},
		"empty name":  {Names: []string{"A", ""}, Counts: [][]float64{{0, 1}, {1, 0}}},
	} {
		if _, err := Heatmap(m, HeatmapOptions{}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestHeatmapEmptyDrawsNoData(t *testing.T) {
	b, err := Heatmap(Matrix{}, HeatmapOptions{Labels: labelsIT()})
	if err != nil {
		t.Fatal(err)
	}
	if got := decode(t, b).Bounds().Dx(); got != hmMinWidth {
		t.Fatalf("width %d, want %d", got, hmMinWidth)
	}
}

func TestLinesPNG(t *testing.T) {
	o := LinesOptions{Labels: labelsIT(), Weeks: weeks12}
	for name, s := range map[string][]Series{
		"three series with gaps": series3(),
		"no series":              nil,
		"all hidden":             {{Name: "Indice di barriera", Values: nanSlice(12)}},
	} {
		b, err := Lines(s, o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := decode(t, b).Bounds().Size(); got.X != LinesWidth || got.Y != LinesHeight {
			t.Fatalf("%s: size %v, want %dx%d", name, got, LinesWidth, LinesHeight)
		}
	}
	// A year of weeks and the most series a chart takes.
	var weeks []string
	for w := 1; w <= 52; w++ {
		weeks = append(weeks, "2026-W"+twoDigits(w))
	}
	var many []Series
	for i := range MaxSeries {
		v := make([]float64, 52)
		for k := range v {
			v[k] = float64(i) + math.Sin(float64(k)/5)
		}
		many = append(many, Series{Name: "Serie " + twoDigits(i+1), Values: v})
	}
	if _, err := Lines(many, LinesOptions{Labels: labelsEN(), Weeks: weeks}); err != nil {
		t.Fatal(err)
	}
}

func nanSlice(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func TestLinesRejectsBadInput(t *testing.T) {
	o := LinesOptions{Weeks: []string{"2026-W01", "2026-W02"}}
	tooMany := make([]Series, MaxSeries+1)
	for i := range tooMany {
		tooMany[i] = Series{Name: "s" + twoDigits(i), Values: []float64{1, 2}}
	}
	for name, s := range map[string][]Series{
		"length":   {{Name: "a", Values: []float64{1}}},
		"infinite": {{Name: "a", Values: []float64{1, math.Inf(-1)}}},
		"no name":  {{Values: []float64{1, 2}}},
		"too many": tooMany,
	} {
		if _, err := Lines(s, o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := Lines(nil, LinesOptions{YMin: 2, YMax: 1}); err == nil {
		t.Error("upside-down y range accepted")
	}
}

// A hidden week breaks the line: the runs drawn skip it, and a lone week
// between two gaps is its own run (drawn as a marker only).
func TestLinesGaps(t *testing.T) {
	s := series3()
	for _, c := range []struct {
		values []float64
		want   [][2]int
	}{
		{s[0].Values, [][2]int{{0, 3}, {4, 12}}},
		{s[1].Values, [][2]int{{0, 12}}},
		{s[2].Values, [][2]int{{0, 2}, {3, 4}, {6, 12}}},
		{nanSlice(3), nil},
	} {
		got := runs(c.values)
		if len(got) != len(c.want) {
			t.Fatalf("runs(%v) = %v, want %v", c.values, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("runs(%v) = %v, want %v", c.values, got, c.want)
			}
		}
	}
	// Drawn: with the middle week hidden, the row of pixels through the
	// line holds two separate markers; with it present, one long stroke.
	longest := func(values []float64) int {
		b, err := Lines([]Series{{Name: "a", Values: values}},
			LinesOptions{Weeks: []string{"2026-W01", "2026-W02", "2026-W03"}, YMin: 0, YMax: 2})
		if err != nil {
			t.Fatal(err)
		}
		return longestBlueRun(decode(t, b))
	}
	gap, full := longest([]float64{1, math.NaN(), 1}), longest([]float64{1, 1, 1})
	t.Logf("longest stroke: %d px with the gap, %d px without", gap, full)
	if gap > 40 || full < 600 {
		t.Fatalf("longest stroke %d px with the gap (want only markers, < 40), %d px without (want > 600)", gap, full)
	}
	lo, _ := yRange(s)
	if lo != 0 {
		t.Fatalf("y starts at %v, want 0", lo)
	}
}

// longestBlueRun is the longest horizontal run of the first series' colour
// (Okabe–Ito blue) in the image, below the legend.
func longestBlueRun(img image.Image) int {
	blue := okabeIto[0]
	near := func(a uint32, b uint8) bool { d := int(a>>8) - int(b); return d > -12 && d < 12 }
	best := 0
	r := img.Bounds()
	for y := r.Min.Y + 160; y < r.Max.Y; y++ {
		run := 0
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if near(cr, blue.R) && near(cg, blue.G) && near(cb, blue.B) {
				run++
				best = max(best, run)
			} else {
				run = 0
			}
		}
	}
	return best
}

func TestDeterministic(t *testing.T) {
	h1, err := Heatmap(matrix21(), HeatmapOptions{Labels: labelsIT()})
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := Heatmap(matrix21(), HeatmapOptions{Labels: labelsIT()})
	if !bytes.Equal(h1, h2) {
		t.Error("heatmap bytes differ between two renderings of the same input")
	}
	o := LinesOptions{Labels: labelsIT(), Weeks: weeks12}
	l1, err := Lines(series3(), o)
	if err != nil {
		t.Fatal(err)
	}
	l2, _ := Lines(series3(), o)
	if !bytes.Equal(l1, l2) {
		t.Error("line chart bytes differ between two renderings of the same input")
	}
}

func TestHeatmapAltText(t *testing.T) {
	m := Matrix{
		Names: []string{"Settore Servizi Demografici e Cimiteriali", "Settore Pubblica Istruzione", "Avvocatura Comunale"},
		Counts: [][]float64{
			{math.NaN(), 12, 0},
			{12, 2, math.NaN()},
			{0, math.NaN(), 0},
		},
	}
	l := labelsIT()
	want := "Collaborazioni tra settori\n" +
		"Settimana 2026-W47 · collegamenti tra persone di settori diversi\n" +
		"Settore Servizi Demografici e Cimiteriali — Settore Pubblica Istruzione: 12\n" +
		"Settore Pubblica Istruzione — Settore Pubblica Istruzione: 2\n" +
		"Settore Servizi Demografici e Cimiteriali — Avvocatura Comunale: 0\n" +
		"Settore Pubblica Istruzione — Avvocatura Comunale: Nascosto: meno di 5 risposte\n"
	if got := HeatmapAltText(m, HeatmapOptions{Labels: l}); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	l.Rest = "Tutte le altre coppie: 0"
	got := HeatmapAltText(m, HeatmapOptions{Labels: l})
	if strings.Contains(got, "Avvocatura Comunale: 0") || !strings.HasSuffix(got, "Tutte le altre coppie: 0\n") {
		t.Errorf("with Rest, zeros still listed or not summed up:\n%s", got)
	}
	if got := HeatmapAltText(Matrix{}, HeatmapOptions{Labels: labelsEN()}); got != "Collaboration between departments\nNo data for this week\n" {
		t.Errorf("empty matrix: %q", got)
	}
	// Every name of the 21-department matrix appears whole.
	all := HeatmapAltText(matrix21(), HeatmapOptions{Labels: labelsIT()})
	for _, n := range departments21 {
		if !strings.Contains(all, n+" — ") && !strings.Contains(all, " — "+n+":") {
			t.Errorf("%q missing from the text alternative", n)
		}
	}
	if !strings.Contains(all, "Settore Risorse Umane e Organizzazione — Settore Sistemi Informativi e Transizione Digitale: 118\n") {
		t.Errorf("strongest pair missing or not first:\n%s", all[:300])
	}
}

func TestLinesAltText(t *testing.T) {
	nan := math.NaN()
	s := []Series{{Name: "Indice di barriera", Values: []float64{0.62, nan, 0.5}}}
	o := LinesOptions{Labels: Labels{Title: "Andamento", NoData: "nessun dato", Hidden: "nascosto", Decimal: ","},
		Weeks: []string{"2026-W45", "2026-W46", "2026-W47"}}
	want := "Andamento\nIndice di barriera:\n  2026-W45: 0,62\n  2026-W46: nascosto\n  2026-W47: 0,5\n"
	if got := LinesAltText(s, o); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	o.Labels.Decimal = ""
	o.Format = func(v float64) string { return formatNumber(v*100, "") + "%" }
	if got := LinesAltText(s, o); !strings.Contains(got, "2026-W45: 62%\n") {
		t.Errorf("Format not used: %q", got)
	}
	if got := LinesAltText(nil, o); got != "Andamento\nnessun dato\n" {
		t.Errorf("no series: %q", got)
	}
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		v    float64
		dec  string
		want string
	}{
		{12, ",", "12"}, {0.5, ",", "0,5"}, {0.4166, ",", "0,42"}, {0.4166, "", "0.42"}, {1e6, ",", "1000000"}, {-0.25, ",", "-0,25"},
	} {
		if got := formatNumber(c.v, c.dec); got != c.want {
			t.Errorf("formatNumber(%v, %q) = %q, want %q", c.v, c.dec, got, c.want)
		}
	}
}

// The heat scale gets darker as counts grow (readable in greyscale), and a
// cell's number is black on the light end, white on the dark end.
func TestHeatScaleReadable(t *testing.T) {
	prev := 2.0
	for k := 0; k <= 100; k++ {
		l := relativeLuminance(heatColour(float64(k) / 100))
		if l >= prev {
			t.Fatalf("luminance not falling at t=%v: %v after %v", float64(k)/100, l, prev)
		}
		prev = l
	}
	if c := textOn(heatColour(1)); c != rgb(0xff, 0xff, 0xff) {
		t.Errorf("text on the darkest cell is %v, want white", c)
	}
	if c := textOn(heatColour(0.15)); c != rgb(0, 0, 0) {
		t.Errorf("text on a light cell is %v, want black", c)
	}
	if viridis(0) != viridisAnchors[0] || viridis(1) != viridisAnchors[8] || viridis(0.5) != viridisAnchors[4] {
		t.Error("viridis does not pass through its anchors")
	}
}

// Series differ by colour, marker and dash pattern at once.
func TestSeriesStylesDistinct(t *testing.T) {
	for i := range MaxSeries {
		li, gi := seriesStyle(i)
		for j := range i {
			lj, gj := seriesStyle(j)
			if li.Color == lj.Color || gi.Shape == gj.Shape || dashKey(li.Dashes) == dashKey(lj.Dashes) {
				t.Errorf("series %d and %d share colour, marker or dashes", i, j)
			}
		}
	}
}

func dashKey(d []vg.Length) string {
	var b strings.Builder
	for _, x := range d {
		b.WriteString(formatNumber(float64(x), ".") + ",")
	}
	return b.String()
}

// Only the embedded Liberation faces are used: the private cache has them
// and nothing else is needed.
func TestFontsEmbedded(t *testing.T) {
	for _, bold := range []bool{false, true} {
		f := sans(14, bold, colInk).Font
		if !fonts.Has(f) {
			t.Errorf("font %v missing from the embedded cache", f.Name())
		}
	}
}

// The summaries of several channels may render at once: nothing shared
// (font cache, handler) may race. Meaningful under -race.
func TestConcurrentRendering(t *testing.T) {
	small := Matrix{Names: departments21[:3], Counts: [][]float64{{0, 1, 2}, {1, 0, 3}, {2, 3, 0}}}
	want, err := Heatmap(small, HeatmapOptions{Labels: labelsIT()})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 4 {
		go func() {
			b, err := Heatmap(small, HeatmapOptions{Labels: labelsIT()})
			if err == nil && !bytes.Equal(b, want) {
				err = errors.New("concurrent heatmap differs")
			}
			errs <- err
		}()
		go func() {
			_, err := Lines(series3(), LinesOptions{Labels: labelsEN(), Weeks: weeks12})
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
