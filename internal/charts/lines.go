package charts

import (
	"errors"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one weekly trend: Values[i] is the figure of LinesOptions.Weeks[i];
// math.NaN() marks a week without a figure (hidden by the k rule), drawn as
// a gap in the line — never as zero.
type Series struct {
	Name   string
	Values []float64
}

// LinesOptions are the line chart's words, its x labels (ISO weeks such as
// "2026-W47", in order) and, optionally, a fixed y range (YMin == YMax means
// automatic: from 0 — or from the smallest value when some are negative —
// to just above the largest).
type LinesOptions struct {
	Labels     Labels
	Weeks      []string
	YMin, YMax float64
	// Format writes a value (y ticks and text alternative); nil writes it
	// with at most two decimals and Labels.Decimal.
	Format func(v float64) string
}

func (o LinesOptions) format(v float64) string {
	if o.Format != nil {
		return o.Format(v)
	}
	return formatNumber(v, o.Labels.Decimal)
}

// MaxSeries is how many series one chart can hold and keep each one's
// colour, marker and dash pattern distinct.
const MaxSeries = len(okabeIto)

// Each series differs by colour (Okabe–Ito) AND by marker AND by dash
// pattern, so the chart reads in greyscale and for any colour vision.
var (
	seriesGlyphs = [...]draw.GlyphDrawer{
		draw.CircleGlyph{}, draw.PyramidGlyph{}, draw.BoxGlyph{}, draw.RingGlyph{},
		draw.CrossGlyph{}, draw.TriangleGlyph{}, draw.SquareGlyph{},
	}
	seriesDashes = [...][]float64{
		nil, {12, 6}, {3, 5}, {14, 5, 3, 5}, {6, 6}, {2, 3}, {20, 6},
	}
)

func seriesStyle(i int) (draw.LineStyle, draw.GlyphStyle) {
	c := okabeIto[i%len(okabeIto)]
	ls := draw.LineStyle{Color: c, Width: px(3)}
	for _, d := range seriesDashes[i%len(seriesDashes)] {
		ls.Dashes = append(ls.Dashes, px(d))
	}
	gs := draw.GlyphStyle{Color: c, Radius: px(6), Shape: seriesGlyphs[i%len(seriesGlyphs)]}
	return ls, gs
}

func (o LinesOptions) validate(series []Series) error {
	if len(series) > MaxSeries {
		return fmt.Errorf("charts: %d series in one chart, at most %d", len(series), MaxSeries)
	}
	for _, s := range series {
		if s.Name == "" {
			return errors.New("charts: a series has no name")
		}
		if len(s.Values) != len(o.Weeks) {
			return fmt.Errorf("charts: series %q has %d values for %d weeks", s.Name, len(s.Values), len(o.Weeks))
		}
		for i, v := range s.Values {
			if math.IsInf(v, 0) {
				return fmt.Errorf("charts: series %q is infinite at %s", s.Name, o.Weeks[i])
			}
		}
	}
	if o.YMin > o.YMax {
		return fmt.Errorf("charts: y range %v..%v is upside down", o.YMin, o.YMax)
	}
	return nil
}

// hasData tells whether any series has at least one figure.
func hasData(series []Series) bool {
	for _, s := range series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				return true
			}
		}
	}
	return false
}

// Lines draws the weekly trends as a LinesWidth×LinesHeight PNG: title,
// legend (colour, marker and dash of each series), the lines with their
// weekly markers — broken where a week has no figure — the weeks on the x
// axis and the values on the y axis, with light horizontal guides.
func Lines(series []Series, o LinesOptions) ([]byte, error) {
	if err := o.validate(series); err != nil {
		return nil, err
	}
	c, dc := newCanvas(LinesWidth, LinesHeight)
	const margin = 28.0
	y := float64(LinesHeight) - margin
	titleSty := sans(26, true, colInk)
	titleSty.XAlign, titleSty.YAlign = draw.XLeft, draw.YTop
	for _, s := range wrap(o.Labels.Title, titleSty, px(LinesWidth-2*margin), 2) {
		dc.FillText(titleSty, pt(margin, y), s)
		y -= 32
	}
	subSty := sans(17, false, colMuted)
	subSty.XAlign, subSty.YAlign = draw.XLeft, draw.YTop
	for _, s := range wrap(o.Labels.Subtitle, subSty, px(LinesWidth-2*margin), 2) {
		dc.FillText(subSty, pt(margin, y), s)
		y -= 22
	}
	noteSty := sans(14, false, colMuted)
	noteSty.XAlign, noteSty.YAlign = draw.XLeft, draw.YBottom
	note := wrap(o.Labels.Note, noteSty, px(LinesWidth-2*margin), 2)
	bottom := margin
	for i := len(note) - 1; i >= 0; i-- {
		dc.FillText(noteSty, pt(margin, bottom), note[i])
		bottom += 20
	}
	if len(note) > 0 {
		bottom += 8
	}

	if len(o.Weeks) == 0 || !hasData(series) {
		sty := sans(20, false, colMuted)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		dc.FillText(sty, pt(LinesWidth/2, (y+bottom)/2), o.Labels.NoData)
		return encode(c)
	}

	y = drawLegend(dc, series, margin+8, y-10, LinesWidth-2*margin) - 8

	p, err := linesPlot(series, o)
	if err != nil {
		return nil, err
	}
	area := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
		Min: pt(margin-8, bottom), Max: pt(LinesWidth-margin, y),
	}}
	p.Draw(area)
	return encode(c)
}

// drawLegend lays the series' keys out in rows from (x, y) down and
// returns the y under the last row.
func drawLegend(dc draw.Canvas, series []Series, x, y, width float64) float64 {
	sty := sans(16, false, colInk)
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	const thumb, rowH, gap = 56.0, 28.0, 36.0
	cx := x
	y -= rowH / 2
	for i, s := range series {
		name := ellipsis(s.Name, sty, px(width-thumb-10)) // the full name is in the text alternative
		w := thumb + 10 + float64(sty.Width(name)/px(1))
		if cx > x && cx+w > x+width {
			cx = x
			y -= rowH
		}
		ls, gs := seriesStyle(i)
		dc.StrokeLine2(ls, px(cx), px(y), px(cx+thumb), px(y))
		dc.DrawGlyph(gs, pt(cx+thumb/2, y))
		dc.FillText(sty, pt(cx+thumb+10, y), name)
		cx += w + gap
	}
	return y - rowH/2
}

// linesPlot builds the gonum plot: one Line per run of consecutive weeks
// with figures (so a hidden week leaves a gap) and one Scatter per series
// for the markers, so that a lone week between two gaps still shows.
func linesPlot(series []Series, o LinesOptions) (*plot.Plot, error) {
	p := plot.New()
	p.TextHandler = handler
	p.BackgroundColor = color.Transparent
	n := len(o.Weeks)

	axisSty := sans(16, false, colInk)
	tickSty := sans(15, false, colInk)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = axisSty
		a.Tick.Label = tickSty
		a.LineStyle = draw.LineStyle{Color: colMuted, Width: px(1)}
		a.Tick.LineStyle = draw.LineStyle{Color: colMuted, Width: px(1)}
		a.Tick.Length = px(6)
		a.Padding = 0
		a.Label.Padding = px(8)
	}
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XCenter, draw.YTop
	p.Y.Tick.Label.XAlign, p.Y.Tick.Label.YAlign = draw.XRight, draw.YCenter
	p.X.Label.Text = o.Labels.X
	p.Y.Label.Text = o.Labels.Y

	// x: one slot per week, labelled; every k-th week when they would
	// crowd (a year of weeks), always the last one.
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	plotW := float64(LinesWidth - 160)
	labelW := 0.0
	for _, w := range o.Weeks {
		labelW = math.Max(labelW, float64(tickSty.Width(w)/px(1)))
	}
	step := max(1, int(math.Ceil((labelW+16)*float64(n)/plotW)))
	var xt plot.ConstantTicks
	for i, w := range o.Weeks {
		if (n-1-i)%step == 0 {
			xt = append(xt, plot.Tick{Value: float64(i), Label: w})
		} else {
			xt = append(xt, plot.Tick{Value: float64(i)})
		}
	}
	p.X.Tick.Marker = xt

	lo, hi := o.YMin, o.YMax
	if lo == hi {
		lo, hi = yRange(series)
	}
	p.Y.Min, p.Y.Max = lo, hi
	p.Y.Tick.Marker = formattedTicks{o: o}

	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal = draw.LineStyle{Color: colGrid, Width: px(1)}
	p.Add(grid)

	for i, s := range series {
		ls, gs := seriesStyle(i)
		if n > 20 {
			gs.Radius = px(4) // a year of weeks: smaller markers, less clutter
		}
		var all plotter.XYs
		for _, r := range runs(s.Values) {
			var xys plotter.XYs
			for k := r[0]; k < r[1]; k++ {
				xys = append(xys, plotter.XY{X: float64(k), Y: s.Values[k]})
			}
			all = append(all, xys...)
			if len(xys) < 2 {
				continue // a lone week: its marker only
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("charts: line %q: %w", s.Name, err)
			}
			l.LineStyle = ls
			p.Add(l)
		}
		if len(all) > 0 {
			sc, err := plotter.NewScatter(all)
			if err != nil {
				return nil, fmt.Errorf("charts: markers %q: %w", s.Name, err)
			}
			sc.GlyphStyle = gs
			p.Add(sc)
		}
	}
	// plotter ranges would widen the axes; the ones set above win.
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min, p.Y.Max = lo, hi
	return p, nil
}

// runs are the half-open index ranges [from, to) of consecutive weeks with
// a figure: a NaN ends a run, so the line breaks there instead of falling
// to zero.
func runs(values []float64) [][2]int {
	var out [][2]int
	start := -1
	for k, v := range values {
		switch {
		case math.IsNaN(v) && start >= 0:
			out = append(out, [2]int{start, k})
			start = -1
		case !math.IsNaN(v) && start < 0:
			start = k
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(values)})
	}
	return out
}

// yRange is the automatic y range: from 0 (or the smallest value when
// some are negative) to 8% above the largest, so the top marker is never
// cut.
func yRange(series []Series) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for _, v := range s.Values {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if lo > 0 {
		lo = 0
	}
	if hi < 0 {
		hi = 0
	}
	if hi == lo {
		hi = lo + 1
	}
	span := hi - lo
	hi += span * 0.08
	if lo < 0 {
		lo -= span * 0.08
	}
	return lo, hi
}

// formattedTicks label the y axis every "nice" step (1, 2, 2.5 or 5 times
// a power of ten) giving five to eight guides, written with the caller's
// format (decimal comma in Italian). gonum's default gives only two or
// three labelled ticks on a 0–0.65 range, too few to read values off.
type formattedTicks struct{ o LinesOptions }

func (t formattedTicks) Ticks(lo, hi float64) []plot.Tick {
	step := niceStep((hi - lo) / 6)
	var ts []plot.Tick
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+1e-9; k++ {
		v := k * step
		if math.Abs(v) < step*1e-9 {
			v = 0 // no "-0"
		}
		ts = append(ts, plot.Tick{Value: v, Label: t.o.format(v)})
	}
	return ts
}

func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*pow >= raw {
			return m * pow
		}
	}
	return 10 * pow
}
