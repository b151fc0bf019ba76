package charts

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// departments21 are 21 departments of a comune with their long Italian names.
var departments21 = []string{
	"Settore Servizi Demografici e Cimiteriali",
	"Settore Pubblica Istruzione",
	"Settore Urbanistica, Edilizia Privata e Pianificazione del Territorio",
	"Settore Lavori Pubblici e Manutenzione del Patrimonio Comunale",
	"Settore Ambiente e Protezione Civile",
	"Settore Servizi Sociali e Politiche per la Casa",
	"Settore Cultura, Turismo e Promozione della Città",
	"Settore Sviluppo Economico e Attività Produttive",
	"Settore Risorse Umane e Organizzazione",
	"Settore Bilancio, Finanze e Tributi",
	"Settore Sistemi Informativi e Transizione Digitale",
	"Corpo di Polizia Municipale",
	"Gabinetto del Sindaco",
	"Segreteria Generale e Affari Istituzionali",
	"Avvocatura Comunale",
	"Settore Mobilità e Infrastrutture",
	"Settore Sport e Politiche Giovanili",
	"Settore Gare, Contratti e Provveditorato",
	"Settore Patrimonio e Servizi Cimiteriali",
	"Settore Comunicazione e Relazioni con il Pubblico",
	"Ufficio Europa, Progetti Speciali e Cooperazione Internazionale",
}

// matrix21 is a deterministic symmetric matrix over departments21: mostly
// small counts, a few strong pairs, a zero band, the diagonal withheld.
func matrix21() Matrix {
	n := len(departments21)
	c := make([][]float64, n)
	for i := range c {
		c[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := float64((i*7+j*13)%11) - 3
			if v < 0 {
				v = 0
			}
			if i == j {
				v = math.NaN()
			}
			c[i][j], c[j][i] = v, v
		}
	}
	set := func(i, j int, v float64) { c[i][j], c[j][i] = v, v }
	set(0, 18, 42)  // demografici e cimiteri — patrimonio e cimiteri
	set(2, 3, 37)   // urbanistica — lavori pubblici
	set(5, 1, 24)   // sociali — istruzione
	set(10, 8, 118) // sistemi informativi — risorse umane: a three-digit cell
	return Matrix{Names: departments21, Counts: c}
}

func labelsIT() Labels {
	return Labels{
		Title:    "Collaborazioni tra settori",
		Subtitle: "Settimana 2026-W47 · collegamenti tra persone di settori diversi",
		X:        "Settimana",
		Y:        "Valore",
		Scale:    "Collegamenti",
		NoData:   "Nessun dato per questa settimana",
		Hidden:   "Nascosto: meno di 5 risposte",
		Note:     "Le settimane senza dato (meno di 5 risposte) restano vuote.",
		Decimal:  ",",
	}
}

func labelsEN() Labels {
	return Labels{
		Title:  "Collaboration between departments",
		X:      "Week",
		Y:      "Value",
		Scale:  "Links",
		NoData: "No data for this week",
		Hidden: "Hidden: fewer than 5 answers",
	}
}

var weeks12 = []string{
	"2026-W36", "2026-W37", "2026-W38", "2026-W39", "2026-W40", "2026-W41",
	"2026-W42", "2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47",
}

// series3 are three weekly trends over weeks12, with gaps (NaN) where the k
// rule hid a week: one gap inside the barrier index, an isolated point in
// the conflict series.
func series3() []Series {
	nan := math.NaN()
	return []Series{
		{Name: "Indice di barriera", Values: []float64{0.62, 0.6, 0.58, nan, 0.55, 0.51, 0.49, 0.5, 0.46, 0.44, 0.43, 0.41}},
		{Name: "Partecipazione agli incontri", Values: []float64{0.35, 0.38, 0.41, 0.44, 0.43, 0.47, 0.5, 0.52, 0.55, 0.54, 0.58, 0.6}},
		{Name: "Conflitto percepito", Values: []float64{0.3, 0.28, nan, 0.25, nan, nan, 0.22, 0.24, 0.21, 0.2, 0.2, 0.18}},
	}
}

// TestWriteCharts writes the pictures of the test inputs to
// $CANTIERI_CHARTS_DIR so a person can look at them; skipped otherwise.
//
//	CANTIERI_CHARTS_DIR=/tmp/charts go test ./internal/charts -run TestWriteCharts -v
func TestWriteCharts(t *testing.T) {
	dir := os.Getenv("CANTIERI_CHARTS_DIR")
	if dir == "" {
		t.Skip("set CANTIERI_CHARTS_DIR to write the pictures")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log(p)
	}
	b, err := Heatmap(matrix21(), HeatmapOptions{Labels: labelsIT()})
	write("heatmap21.png", b, err)
	small := Matrix{Names: departments21[:4], Counts: [][]float64{{0, 3, 0, 1}, {3, 0, 7, 2}, {0, 7, 0, 0}, {1, 2, 0, 0}}}
	b, err = Heatmap(small, HeatmapOptions{Labels: labelsEN()})
	write("heatmap4.png", b, err)
	big := Matrix{Names: make([]string, 40), Counts: make([][]float64, 40)}
	for i := range 40 {
		big.Names[i] = departments21[i%21] + " " + twoDigits(i+1)
		big.Counts[i] = make([]float64, 40)
		for j := range 40 {
			big.Counts[i][j] = float64((i*j + i + j) % 23)
		}
	}
	b, err = Heatmap(big, HeatmapOptions{Labels: labelsEN()})
	write("heatmap40.png", b, err)
	b, err = Heatmap(Matrix{}, HeatmapOptions{Labels: labelsIT()})
	write("heatmap0.png", b, err)
	lo := LinesOptions{Labels: labelsIT(), Weeks: weeks12}
	lo.Labels.Title = "Andamento settimanale"
	lo.Labels.Y = "Quota (0–1)"
	b, err = Lines(series3(), lo)
	write("lines3.png", b, err)
	b, err = Lines(nil, lo)
	write("lines0.png", b, err)
	// A year of weeks (labels thinned) and the most series a chart takes.
	var weeks []string
	var many []Series
	for w := 1; w <= 52; w++ {
		weeks = append(weeks, "2026-W"+twoDigits(w))
	}
	for i := range MaxSeries {
		v := make([]float64, 52)
		for k := range v {
			v[k] = float64(i)*0.8 + math.Sin(float64(k+3*i)/5)
			if (k+i)%17 == 0 {
				v[k] = math.NaN()
			}
		}
		many = append(many, Series{Name: "Serie " + twoDigits(i+1), Values: v})
	}
	en := LinesOptions{Labels: labelsEN(), Weeks: weeks}
	en.Labels.Title = "Weekly trends, a year"
	b, err = Lines(many, en)
	write("lines7x52.png", b, err)
}
