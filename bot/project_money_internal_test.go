package bot

import "testing"

func TestParseEuros(t *testing.T) {
	t.Parallel()
	good := map[string]int64{
		"12500": 1250000, "12500,50": 1250050, "12500.50": 1250050, "12500,5": 1250050, "0": 0, "0,01": 1,
		"12.500,50": 1250050, "12,500.50": 1250050, "€ 1.000.000": 100000000, "1,000,000": 100000000, "€12,500.50": 1250050, " 7 ": 700,
		"1.234,5": 123450, "1.234.567,89": 123456789, "1,234,567.89": 123456789, "999,99": 99999, "1.5": 150,
	}
	for in, want := range good {
		if got, ok := parseEuros(in); !ok || got != want {
			t.Errorf("parseEuros(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-5", "abc", "12,505", "1.234", "12,", "1.000,00,0", "1e5", "12 euro", ",5x", "99999999999999", "1.2.3,4,5",
		// Thousands groups that are not of three digits: "1.2,3" was read as € 12,30.
		"1.2,3", "1,2.5", "12.50,5", "1234.567,89", "1.000.00", "1,00,000.50", ".5", "1.,5", "1.234.5678,9"} {
		if got, ok := parseEuros(in); ok {
			t.Errorf("parseEuros(%q) = %d, want refusal", in, got)
		}
	}
}

func TestFormatEuros(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		cents  int64
		it, en string
	}{
		{1250050, "€ 12.500,50", "€12,500.50"},
		{5, "€ 0,05", "€0.05"},
		{100000000, "€ 1.000.000,00", "€1,000,000.00"},
		{99900, "€ 999,00", "€999.00"},
	} {
		if got := formatEuros("it", tc.cents); got != tc.it {
			t.Errorf("it %d = %q, want %q", tc.cents, got, tc.it)
		}
		if got := formatEuros("en", tc.cents); got != tc.en {
			t.Errorf("en %d = %q, want %q", tc.cents, got, tc.en)
		}
	}
}

func TestAllowedNextPhases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		p    Project
		want string
	}{
		{Project{Phase: PhaseIdeazione}, "progettazione,sospeso,annullato"},
		{Project{Phase: PhaseMonitoraggio}, "concluso,sospeso,annullato"},
		{Project{Phase: PhaseConcluso}, ""},
		{Project{Phase: PhaseAnnullato}, ""},
		{Project{Phase: PhaseSospeso, History: []PhaseChange{{From: PhaseIdeazione, To: PhaseProgettazione}, {From: PhaseProgettazione, To: PhaseSospeso}}}, "progettazione,annullato"},
	} {
		var got []string
		for _, p := range allowedNext(tc.p) {
			got = append(got, string(p))
		}
		if g := joinComma(got); g != tc.want {
			t.Errorf("%s: allowed = %q, want %q", tc.p.Phase, g, tc.want)
		}
	}
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}
