// Package charts renders the weekly summaries' pictures (issue 13,
// "Pictures") to PNG: the department connectivity matrix as a heatmap and the
// weekly trends as line charts, plus the same numbers as plain text for
// screen readers and the console.
//
// The package is pure: it returns bytes and strings and does no I/O, and it
// holds no catalogue strings — every word drawn or written comes from the
// Labels the caller passes, so Italian and English are the caller's business.
// Fonts are gonum's embedded Liberation faces, so rendering never depends on
// the fonts installed on the machine.
package charts

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"

	"git.sr.ht/~sbinet/gg"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/font/liberation"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DPI is the resolution of every picture. At 96 DPI one point is 4/3 pixel,
// and the sizes below are chosen in pixels so that Slack's preview (which
// scales the image down to the message width) still shows readable text.
const DPI = 96

// Sizes of the line chart, in pixels.
const (
	LinesWidth  = 1200
	LinesHeight = 800
)

// Labels are the words a picture needs. The package holds none of its own:
// the caller fills them from its catalogue in the reader's language.
type Labels struct {
	Title    string // drawn at the top and first line of the text alternative
	Subtitle string // optional second line under the title (e.g. the week, the unit)
	X, Y     string // axis names (line charts)
	Scale    string // caption of the heatmap's colour scale (e.g. "collegamenti")
	NoData   string // shown instead of a chart when there is nothing to draw ("nessun dato")
	// Rest, when set, ends the heatmap's text alternative in place of the
	// pairs with no link ("tutte le altre coppie: 0"); when empty every
	// pair is listed, zeros included.
	Rest   string
	Hidden string // a value withheld by the k rule ("nascosto (meno di 5 risposte)")
	Note   string // optional footnote drawn under the chart (e.g. what a gap means)
	// Decimal is the decimal separator ("," in Italian); "." when empty.
	Decimal string
}

// Colours of the text and the furniture.
var (
	colInk   = rgb(0x1a, 0x1a, 0x1a)
	colMuted = rgb(0x55, 0x55, 0x55)
	colGrid  = rgb(0xdd, 0xdd, 0xdd)
	colWhite = rgb(0xff, 0xff, 0xff)
)

// fonts is a private cache holding only the embedded Liberation collection,
// so that nothing another package adds to font.DefaultCache (or a missing
// system font) can change what we draw.
var fonts = font.NewCache(liberation.Collection())

// handler lays out plain text with the private font cache.
var handler = text.Plain{Fonts: fonts}

// px converts pixels to vg lengths at DPI.
func px(n float64) vg.Length { return vg.Length(n * 72 / DPI) }

// sans returns a Liberation Sans text style of the given pixel size.
func sans(sizePx float64, bold bool, c color.Color) text.Style {
	f := font.Font{Typeface: "Liberation", Variant: "Sans", Size: px(sizePx)}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{Color: c, Font: f, Handler: handler}
}

// newCanvas returns a white canvas of exactly w×h pixels. The graphic
// context is built on our own image so vgimg does not copy it (a copy of
// two megapixels was a sixth of the heatmap's time); vgimg then paints the
// background with a plain fill.
func newCanvas(w, h int) (*vgimg.Canvas, draw.Canvas) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	ctx := gg.NewContextForRGBA(img)
	// What vgimg.NewWith does to a context it creates itself.
	ctx.SetLineCapButt()
	ctx.InvertY()
	c := vgimg.NewWith(vgimg.UseImageWithContext(img, ctx), vgimg.UseDPI(DPI))
	return c, draw.New(c)
}

// encode writes the canvas as PNG. BestSpeed keeps a 1200×800 chart well
// under the render budget; the files stay small because the pictures are
// mostly flat colour.
func encode(c *vgimg.Canvas) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, c.Image()); err != nil {
		return nil, fmt.Errorf("charts: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

// formatNumber writes v as an integer when it is one, otherwise with at most
// two decimals (trailing zeros dropped), using the caller's separator.
func formatNumber(v float64, decimal string) string {
	if math.Abs(v-math.Round(v)) < 1e-9 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if decimal != "" && decimal != "." {
		s = strings.Replace(s, ".", decimal, 1)
	}
	return s
}

// wrap breaks s into lines no wider than maxW in style sty, at most maxLines
// of them; when the words do not fit, the last line ends with an ellipsis
// (the full text is always in the text alternative).
func wrap(s string, sty text.Style, maxW vg.Length, maxLines int) []string {
	words := strings.Fields(s)
	var lines []string
	cur := ""
	for i := 0; i < len(words); i++ {
		w := words[i]
		try := w
		if cur != "" {
			try = cur + " " + w
		}
		if sty.Width(try) <= maxW {
			cur = try
			continue
		}
		if cur == "" { // a single word wider than the line: cut it
			lines = append(lines, ellipsis(w, sty, maxW))
		} else {
			lines = append(lines, cur)
			cur = w
		}
		if len(lines) == maxLines {
			// No room for the rest: put it back on the last line and cut.
			rest := strings.Join(words[i:], " ")
			lines[maxLines-1] = ellipsis(lines[maxLines-1]+" "+rest, sty, maxW)
			return dropEmpty(lines)
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	for i, l := range lines {
		if sty.Width(l) > maxW {
			lines[i] = ellipsis(l, sty, maxW)
		}
	}
	return dropEmpty(lines)
}

func dropEmpty(lines []string) []string {
	out := lines[:0]
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// ellipsis shortens s, by whole runes, until s+"…" fits in maxW.
func ellipsis(s string, sty text.Style, maxW vg.Length) string {
	if sty.Width(s) <= maxW {
		return s
	}
	r := []rune(strings.TrimSpace(s))
	for len(r) > 0 {
		r = r[:len(r)-1]
		c := strings.TrimRight(string(r), " ,;.-–—") + "…"
		if sty.Width(c) <= maxW {
			return c
		}
	}
	return "…"
}
