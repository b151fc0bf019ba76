package charts

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Matrix is a symmetric department connectivity matrix: Counts[i][j] is the
// number of links between Names[i] and Names[j]. math.NaN() marks a cell the
// caller withholds (drawn grey, written as Labels.Hidden).
type Matrix struct {
	Names  []string
	Counts [][]float64
}

// HeatmapOptions are the heatmap's words and, optionally, a fixed top of the
// colour scale (so that several weeks can be compared); 0 means the largest
// count.
type HeatmapOptions struct {
	Labels Labels
	Max    float64
}

// MaxDepartments is the largest matrix Heatmap draws: beyond it the cells
// would be too small to see, and the text alternative is the better reading.
const MaxDepartments = 100

// Heatmap layout, in pixels.
const (
	hmMargin   = 28
	hmLabelW   = 440 // room for the row labels (full names, wrapped)
	hmMaxGrid  = 1000
	hmMaxCell  = 56
	hmMinCell  = 10
	hmMinWidth = 900
	hmBarW     = 28
	hmBarMaxH  = 420
)

// HeatmapSize is the pixel size of the heatmap of n departments: it grows
// with n (56 px cells) until the grid reaches 1000 px, then the cells shrink.
// Besides n it depends on the words (wrapped title, note, scale caption),
// the width of the scale's top label and whether any cell is withheld.
func HeatmapSize(m Matrix, o HeatmapOptions) (w, h int) {
	l := heatmapLayout(m, o)
	return l.w, l.h
}

type hmLayout struct {
	n, cell, grid     int
	w, h              int
	title, subtitle   []string
	titleSty, subSty  text.Style
	rowSty, numSty    text.Style
	rows              [][]string // wrapped row labels
	numW              int
	labelW            int // row labels' width, at most hmLabelW
	left              int // left edge of the row labels (content centred when the title is wider)
	rightW            int
	scaleLines        []string
	tickSty           text.Style
	bottomH           int
	noteLines         []string
	noteSty           text.Style
	hidden            bool
	hiddenText        string
	titleH, subtitleH int
}

func heatmapLayout(m Matrix, o HeatmapOptions) hmLayout {
	var l hmLayout
	l.n = len(m.Names)
	if l.n > 0 {
		l.cell = hmMaxGrid / l.n
		l.cell = max(hmMinCell, min(hmMaxCell, l.cell))
	}
	l.grid = l.n * l.cell

	// Row labels: 15 px, two lines when the cell is tall enough; smaller
	// cells get smaller single-line labels (cut with an ellipsis, the full
	// name is in the text alternative).
	size := 15.0
	lines := 2
	if float64(l.cell) < 2*size+6 {
		lines = 1
		size = math.Max(8, math.Min(15, float64(l.cell)-4))
	}
	l.rowSty = sans(size, false, colInk)
	l.rowSty.XAlign, l.rowSty.YAlign = draw.XRight, draw.YCenter
	l.numSty = sans(math.Min(15, math.Max(8, float64(l.cell)*0.5)), true, colMuted)
	l.numSty.XAlign, l.numSty.YAlign = draw.XCenter, draw.YCenter
	l.numW = int(math.Ceil(float64(l.numSty.Width(fmt.Sprint(max(l.n, 10)))/px(1)))) + 14
	l.labelW = 0
	for _, name := range m.Names {
		r := wrap(name, l.rowSty, px(hmLabelW-8), lines)
		l.rows = append(l.rows, r)
		for _, s := range r {
			l.labelW = max(l.labelW, int(math.Ceil(float64(l.rowSty.Width(s)/px(1))))+8)
		}
	}

	// Colour scale on the right: caption above the bar, ticks beside it.
	l.tickSty = sans(14, false, colInk)
	l.tickSty.XAlign, l.tickSty.YAlign = draw.XLeft, draw.YCenter
	top := scaleMax(m, o)
	tickW := 0.0
	for _, t := range scaleTicks(top) {
		tickW = math.Max(tickW, float64(l.tickSty.Width(formatNumber(t, o.Labels.Decimal))/px(1)))
	}
	l.rightW = 32 + hmBarW + 8 + int(math.Ceil(tickW))
	capSty := sans(14, false, colInk)
	l.scaleLines = wrap(o.Labels.Scale, capSty, px(float64(max(l.rightW-32, 130))), 3)
	for _, s := range l.scaleLines {
		l.rightW = max(l.rightW, 32+int(math.Ceil(float64(capSty.Width(s)/px(1)))))
	}

	content := l.labelW + l.numW + l.grid + l.rightW
	l.w = max(hmMargin+content+hmMargin, hmMinWidth)
	l.left = hmMargin + (l.w-2*hmMargin-content)/2

	l.titleSty = sans(26, true, colInk)
	l.titleSty.XAlign, l.titleSty.YAlign = draw.XLeft, draw.YTop
	l.subSty = sans(17, false, colMuted)
	l.subSty.XAlign, l.subSty.YAlign = draw.XLeft, draw.YTop
	l.title = wrap(o.Labels.Title, l.titleSty, px(float64(l.w-2*hmMargin)), 2)
	l.subtitle = wrap(o.Labels.Subtitle, l.subSty, px(float64(l.w-2*hmMargin)), 2)
	l.titleH = len(l.title) * 32
	l.subtitleH = len(l.subtitle) * 22

	l.noteSty = sans(14, false, colMuted)
	l.noteSty.XAlign, l.noteSty.YAlign = draw.XLeft, draw.YTop
	l.noteLines = wrap(o.Labels.Note, l.noteSty, px(float64(l.w-2*hmMargin)), 3)
	for _, row := range m.Counts {
		for _, v := range row {
			l.hidden = l.hidden || math.IsNaN(v)
		}
	}
	l.hiddenText = o.Labels.Hidden
	l.bottomH = 16
	if l.hidden {
		l.bottomH += 28
	}
	l.bottomH += len(l.noteLines) * 20

	if l.n == 0 {
		l.h = hmMargin + l.titleH + l.subtitleH + 120 + l.bottomH + hmMargin
		return l
	}
	l.h = hmMargin + l.titleH + l.subtitleH + 16 + 30 + l.grid + l.bottomH + hmMargin
	return l
}

// scalePos places a count on the colour scale. The square root keeps small
// counts apart when one pair has many more links than the rest (the usual
// shape of a connectivity matrix); the bar's ticks use the same mapping, so
// the scale stays honest.
func scalePos(v, top float64) float64 {
	if v <= 0 {
		return 0
	}
	return math.Sqrt(math.Min(v, top) / top)
}

// scaleMax is the count at the dark end of the scale.
func scaleMax(m Matrix, o HeatmapOptions) float64 {
	if o.Max > 0 {
		return o.Max
	}
	top := 0.0
	for _, row := range m.Counts {
		for _, v := range row {
			if !math.IsNaN(v) && v > top {
				top = v
			}
		}
	}
	if top == 0 {
		top = 1
	}
	return top
}

// scaleTicks are the labelled ticks of the colour bar: gonum's nice numbers,
// whole ones only (counts), always including 0 and the top.
func scaleTicks(top float64) []float64 {
	out := []float64{0}
	// On a square-root scale the low end is stretched: offer 1, 2, 5 and
	// 10 there, the drawing drops those that would collide.
	for _, v := range []float64{1, 2, 5, 10} {
		if v < top/4 {
			out = append(out, v)
		}
	}
	for _, t := range (plot.DefaultTicks{}).Ticks(0, top) {
		if t.Label == "" || t.Value <= out[len(out)-1] || t.Value >= top || t.Value != math.Trunc(t.Value) {
			continue
		}
		out = append(out, t.Value)
	}
	// A round tick just under the top (100 under 118) would print on top of it: on the
	// square-root scale, keep a tenth of the bar between them.
	for len(out) > 1 && math.Sqrt(out[len(out)-1]/top) > 0.9 {
		out = out[:len(out)-1]
	}
	return append(out, top)
}

// validate checks the matrix is square, labelled, non-negative and symmetric.
func (m Matrix) validate() error {
	n := len(m.Names)
	if n > MaxDepartments {
		return fmt.Errorf("charts: heatmap of %d departments, at most %d", n, MaxDepartments)
	}
	if len(m.Counts) != n {
		return fmt.Errorf("charts: matrix has %d names and %d rows", n, len(m.Counts))
	}
	for i, row := range m.Counts {
		if len(row) != n {
			return fmt.Errorf("charts: matrix row %d (%s) has %d cells, want %d", i, m.Names[i], len(row), n)
		}
		for j, v := range row {
			if math.IsInf(v, 0) || v < 0 {
				return fmt.Errorf("charts: matrix cell %s/%s is %v, want a count >= 0 or NaN", m.Names[i], m.Names[j], v)
			}
			w := m.Counts[j][i]
			if math.IsNaN(v) != math.IsNaN(w) || (!math.IsNaN(v) && v != w) {
				return fmt.Errorf("charts: matrix not symmetric at %s/%s (%v vs %v)", m.Names[i], m.Names[j], v, w)
			}
		}
	}
	return nil
}

var errEmptyName = errors.New("charts: a department has an empty name")

// Heatmap draws the matrix as a PNG: a title, the departments' full names
// (wrapped) on the rows with their numbers, the same numbers over the
// columns, each cell's count written in black or white (whichever
// contrasts more), and the colour scale on the right.
func Heatmap(m Matrix, o HeatmapOptions) ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	for _, name := range m.Names {
		if name == "" {
			return nil, errEmptyName
		}
	}
	l := heatmapLayout(m, o)
	c, dc := newCanvas(l.w, l.h)

	// y grows upwards in vg: work from the top.
	y := float64(l.h - hmMargin)
	for _, s := range l.title {
		dc.FillText(l.titleSty, pt(hmMargin, y), s)
		y -= 32
	}
	for _, s := range l.subtitle {
		dc.FillText(l.subSty, pt(hmMargin, y), s)
		y -= 22
	}

	if l.n == 0 {
		sty := sans(20, false, colMuted)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		dc.FillText(sty, pt(float64(l.w)/2, y-60), o.Labels.NoData)
		drawFooter(dc, l, y-120)
		return encode(c)
	}

	y -= 16
	gridLeft := float64(l.left + l.labelW + l.numW)
	// Column numbers above the grid.
	for j := 0; j < l.n; j++ {
		dc.FillText(l.numSty, pt(gridLeft+float64(j*l.cell)+float64(l.cell)/2, y-15), fmt.Sprint(j+1))
	}
	y -= 30
	gridTop := y

	top := scaleMax(m, o)
	cellSize := math.Min(15, float64(l.cell)*0.42)
	for i := 0; i < l.n; i++ {
		rowMid := gridTop - float64(i*l.cell) - float64(l.cell)/2
		// Full name (wrapped), then the row's number next to the grid.
		dc.FillText(l.rowSty, pt(float64(l.left+l.labelW-8), rowMid), joinLines(l.rows[i]))
		dc.FillText(l.numSty, pt(gridLeft-float64(l.numW)/2, rowMid), fmt.Sprint(i+1))
		for j := 0; j < l.n; j++ {
			v := m.Counts[i][j]
			x0 := gridLeft + float64(j*l.cell)
			y1 := gridTop - float64(i*l.cell)
			var bg color.RGBA
			label := formatNumber(v, o.Labels.Decimal)
			if math.IsNaN(v) {
				bg = rgb(0xe4, 0xe4, 0xe4)
				label = "–"
			} else {
				bg = heatColour(scalePos(v, top))
				if v == 0 {
					bg = rgb(0xfa, 0xfa, 0xfa) // a hair off white, so the grid still shows
				}
			}
			// A 1 px white gutter separates the cells.
			fillRect(dc, bg, x0+1, y1-float64(l.cell)+1, x0+float64(l.cell)-1, y1-1)
			if cellSize < 7 {
				continue // too small to write in; the text alternative has it
			}
			sty := sans(cellSize, false, textOn(bg))
			if math.IsNaN(v) {
				sty.Color = colMuted
			}
			for sty.Width(label) > px(float64(l.cell)-4) && sty.Font.Size > px(7) {
				sty.Font.Size -= px(1)
			}
			sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
			dc.FillText(sty, pt(x0+float64(l.cell)/2, y1-float64(l.cell)/2), label)
		}
	}

	drawScale(dc, l, o, top, gridLeft+float64(l.grid)+32, gridTop)
	drawFooter(dc, l, gridTop-float64(l.grid)-16)
	return encode(c)
}

// drawScale draws the colour bar: caption, then the bar from 0 (bottom) to
// top, with labelled ticks.
func drawScale(dc draw.Canvas, l hmLayout, o HeatmapOptions, top, x, yTop float64) {
	capSty := sans(14, false, colInk)
	capSty.XAlign, capSty.YAlign = draw.XLeft, draw.YTop
	for _, s := range l.scaleLines {
		dc.FillText(capSty, pt(x, yTop), s)
		yTop -= 19
	}
	yTop -= 10
	barH := math.Min(float64(l.grid)-float64(len(l.scaleLines))*19-10, hmBarMaxH)
	barH = math.Max(barH, 80)
	const steps = 128
	for k := 0; k < steps; k++ {
		y0 := yTop - barH + barH*float64(k)/steps
		y1 := yTop - barH + barH*float64(k+1)/steps
		fillRect(dc, heatColour((float64(k)+0.5)/steps), x, y0, x+hmBarW, y1)
	}
	dc.StrokeLines(draw.LineStyle{Color: colMuted, Width: px(1)}, []vg.Point{
		pt(x, yTop), pt(x+hmBarW, yTop), pt(x+hmBarW, yTop-barH), pt(x, yTop-barH), pt(x, yTop),
	})
	lastY := math.Inf(-1)
	for _, t := range scaleTicks(top) {
		ty := yTop - barH + barH*scalePos(t, top)
		if ty-lastY < 18 || (t != top && yTop-ty < 18) {
			continue // too close to its neighbour or to the top's label
		}
		lastY = ty
		dc.StrokeLine2(draw.LineStyle{Color: colInk, Width: px(1)}, px(x+hmBarW), px(ty), px(x+hmBarW+5), px(ty))
		dc.FillText(l.tickSty, pt(x+hmBarW+8, ty), formatNumber(t, o.Labels.Decimal))
	}
}

// drawFooter writes the withheld-cell key and the note under the grid.
func drawFooter(dc draw.Canvas, l hmLayout, y float64) {
	if l.hidden {
		fillRect(dc, rgb(0xe4, 0xe4, 0xe4), hmMargin, y-20, hmMargin+20, y)
		sty := sans(14, false, colInk)
		sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
		dc.FillText(sty, pt(hmMargin+28, y-10), l.hiddenText)
		y -= 28
	}
	for _, s := range l.noteLines {
		dc.FillText(l.noteSty, pt(hmMargin, y), s)
		y -= 20
	}
}

func pt(x, y float64) vg.Point { return vg.Point{X: px(x), Y: px(y)} }

// fillRect fills the axis-aligned rectangle (pixel coordinates, y up). On
// an image canvas it copies the colour straight into the pixels: crisp
// edges, and 441 cells cost nothing instead of a rasterised polygon each.
func fillRect(dc draw.Canvas, c color.Color, x0, y0, x1, y1 float64) {
	if ic, ok := dc.Canvas.(*vgimg.Canvas); ok {
		img := ic.Image()
		h := img.Bounds().Dy()
		r := image.Rect(int(math.Round(x0)), h-int(math.Round(y1)), int(math.Round(x1)), h-int(math.Round(y0)))
		stddraw.Draw(img, r, image.NewUniform(c), image.Point{}, stddraw.Src)
		return
	}
	dc.FillPolygon(c, []vg.Point{pt(x0, y0), pt(x1, y0), pt(x1, y1), pt(x0, y1)})
}

func joinLines(lines []string) string { return strings.Join(lines, "\n") }
