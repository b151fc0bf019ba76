package charts

import (
	"image/color"
	"math"
)

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

// viridisAnchors are matplotlib's viridis at 0, 1/8, …, 1 (van der Walt and
// Smith's published table). gonum ships no viridis; linear interpolation in
// sRGB between nine anchors stays within a few units of the 256-entry table,
// and keeps the two properties we need: lightness rises monotonically (so
// the scale reads in greyscale and for every kind of colour blindness) and
// the hue path avoids red–green contrasts.
var viridisAnchors = [...]color.RGBA{
	rgb(0x44, 0x01, 0x54),
	rgb(0x47, 0x2d, 0x7b),
	rgb(0x3b, 0x52, 0x8b),
	rgb(0x2c, 0x72, 0x8e),
	rgb(0x21, 0x91, 0x8c),
	rgb(0x28, 0xae, 0x80),
	rgb(0x5e, 0xc9, 0x62),
	rgb(0xad, 0xdc, 0x30),
	rgb(0xfd, 0xe7, 0x25),
}

// viridis returns the colour at t in [0, 1] (clamped).
func viridis(t float64) color.RGBA {
	if math.IsNaN(t) || t < 0 {
		t = 0
	}
	if t > 1 {
		t = 1
	}
	n := len(viridisAnchors) - 1
	pos := t * float64(n)
	i := int(math.Floor(pos))
	if i >= n {
		return viridisAnchors[n]
	}
	f := pos - float64(i)
	a, b := viridisAnchors[i], viridisAnchors[i+1]
	lerp := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return rgb(lerp(a.R, b.R), lerp(a.G, b.G), lerp(a.B, b.B))
}

// heatColour maps t in [0, 1] to the heatmap's colour: white at 0, then
// reversed viridis, so that no link is blank, few links are pale yellow and
// many are deep purple — "darker means more" on a white page, with lightness
// falling monotonically so the ramp reads without seeing hue.
func heatColour(t float64) color.RGBA {
	if math.IsNaN(t) || t <= 0 {
		return rgb(0xff, 0xff, 0xff)
	}
	const white = 1.0 / 9 // the white→yellow stretch, one anchor step
	if t < white {
		y := viridisAnchors[len(viridisAnchors)-1]
		f := t / white
		lerp := func(y uint8) uint8 { return uint8(math.Round(255 + f*(float64(y)-255))) }
		return rgb(lerp(y.R), lerp(y.G), lerp(y.B))
	}
	return viridis(1 - (t-white)/(1-white))
}

// okabeIto is Okabe and Ito's colour-universal-design palette, ordered for
// lines on white: the yellow (#F0E442) is left out, it is too pale on white.
var okabeIto = [...]color.RGBA{
	rgb(0x00, 0x72, 0xb2), // blue
	rgb(0xd5, 0x5e, 0x00), // vermillion
	rgb(0x00, 0x9e, 0x73), // bluish green
	rgb(0xcc, 0x79, 0xa7), // reddish purple
	rgb(0xe6, 0x9f, 0x00), // orange
	rgb(0x56, 0xb4, 0xe9), // sky blue
	rgb(0x00, 0x00, 0x00), // black
}

// relativeLuminance is WCAG 2's relative luminance of an sRGB colour.
func relativeLuminance(c color.RGBA) float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// textOn returns black or white, whichever contrasts more with bg (WCAG
// contrast ratio), so a cell's number is readable on dark and light cells.
func textOn(bg color.RGBA) color.RGBA {
	l := relativeLuminance(bg)
	if (l+0.05)/0.05 >= 1.05/(l+0.05) {
		return rgb(0, 0, 0)
	}
	return rgb(0xff, 0xff, 0xff)
}
