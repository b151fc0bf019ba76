package meetcal_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/meetcal"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

func TestEaster(t *testing.T) {
	t.Parallel()
	tests := []struct {
		year int
		want string
	}{
		{2024, "2024-03-31"},
		{2025, "2025-04-20"},
		{2026, "2026-04-05"},
		{2027, "2027-03-28"},
		{2028, "2028-04-16"},
		{2029, "2029-04-01"},
		{2030, "2030-04-21"},
		{2000, "2000-04-23"},
		{2019, "2019-04-21"},
		{2038, "2038-04-25"}, // the latest possible date
		{1818, "1818-03-22"}, // the earliest possible date
		{2285, "2285-03-22"},
		{1943, "1943-04-25"},
	}
	for _, tt := range tests {
		got := meetcal.Easter(tt.year)
		if s := got.Format(time.DateOnly); s != tt.want || got.Weekday() != time.Sunday || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("Easter(%d) = %v, want %s (a Sunday, midnight UTC)", tt.year, got, tt.want)
		}
	}
}

func TestNationalHolidays(t *testing.T) {
	t.Parallel()
	cal, err := meetcal.NewCalendar()
	if err != nil {
		t.Fatal(err)
	}
	fixed := []struct {
		m      time.Month
		d      int
		it, en string
	}{
		{time.January, 1, "Capodanno", "New Year's Day"},
		{time.January, 6, "Epifania", "Epiphany"},
		{time.April, 25, "Festa della Liberazione", "Liberation Day"},
		{time.May, 1, "Festa del Lavoro", "Labour Day"},
		{time.June, 2, "Festa della Repubblica", "Republic Day"},
		{time.August, 15, "Ferragosto (Assunzione)", "Assumption Day (Ferragosto)"},
		{time.November, 1, "Ognissanti", "All Saints' Day"},
		{time.December, 8, "Immacolata Concezione", "Immaculate Conception"},
		{time.December, 25, "Natale", "Christmas Day"},
		{time.December, 26, "Santo Stefano", "St Stephen's Day"},
	}
	for y := 2024; y <= 2030; y++ {
		for _, h := range fixed {
			ok, name := cal.IsHoliday(day(y, h.m, h.d))
			if !ok || name.IT != h.it || name.EN != h.en {
				t.Errorf("%d-%02d-%02d: IsHoliday = %v, %+v; want %q / %q", y, h.m, h.d, ok, name, h.it, h.en)
			}
		}
		e := meetcal.Easter(y)
		if ok, name := cal.IsHoliday(e); !ok || name.EN != "Easter Sunday" || name.IT != "Pasqua" {
			t.Errorf("Easter %d: IsHoliday = %v, %+v", y, ok, name)
		}
		if ok, name := cal.IsHoliday(e.AddDate(0, 0, 1)); !ok || name.EN != "Easter Monday" || !strings.HasPrefix(name.IT, "Lunedì dell'Angelo") {
			t.Errorf("Easter Monday %d: IsHoliday = %v, %+v", y, ok, name)
		}
		for _, notHoliday := range []time.Time{e.AddDate(0, 0, -1), e.AddDate(0, 0, 2), e.AddDate(0, 0, 7), e.AddDate(0, 0, 8)} {
			if ok, name := cal.IsHoliday(notHoliday); ok {
				t.Errorf("%v around Easter: IsHoliday = true, %+v", notHoliday, name)
			}
		}
	}
	// Working days, including the neighbours of holidays and of Easter in other years.
	for _, d := range []time.Time{
		day(2026, 1, 2), day(2026, 1, 5), day(2026, 1, 7), day(2026, 3, 29), day(2026, 4, 7),
		day(2026, 4, 24), day(2026, 4, 26), day(2026, 5, 2), day(2026, 6, 1), day(2026, 6, 24),
		day(2026, 8, 14), day(2026, 8, 16), day(2026, 10, 3), day(2026, 10, 5), day(2026, 11, 2),
		day(2026, 12, 7), day(2026, 12, 24), day(2026, 12, 27), day(2026, 12, 31),
		day(2027, 4, 5), // Easter Monday 2026's date is an ordinary Monday in 2027
	} {
		if ok, name := cal.IsHoliday(d); ok {
			t.Errorf("%s: IsHoliday = true (%+v), want a working day", d.Format(time.DateOnly), name)
		}
	}
}

func TestSanFrancescoFrom2026(t *testing.T) {
	t.Parallel()
	var cal *meetcal.Calendar // nil is the national calendar
	for _, tt := range []struct {
		year int
		want bool
	}{{2024, false}, {2025, false}, {2026, true}, {2027, true}, {2040, true}} {
		ok, name := cal.IsHoliday(day(tt.year, time.October, 4))
		if ok != tt.want {
			t.Errorf("4 October %d: IsHoliday = %v, want %v", tt.year, ok, tt.want)
		}
		if ok && (!strings.Contains(name.IT, "San Francesco") || !strings.Contains(name.EN, "St Francis")) {
			t.Errorf("4 October %d: name %+v", tt.year, name)
		}
	}
}

// The date is read in the location of the time given: the first half hour of 1 January in Rome
// is still 31 December in UTC.
func TestIsHolidayUsesTheTimesLocation(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	cal, _ := meetcal.NewCalendar()
	local := time.Date(2027, 1, 1, 0, 30, 0, 0, loc)
	if ok, _ := cal.IsHoliday(local); !ok {
		t.Errorf("%v: want New Year's Day", local)
	}
	if ok, name := cal.IsHoliday(local.UTC()); ok {
		t.Errorf("%v: IsHoliday = true (%+v), want 31 December", local.UTC(), name)
	}
}

func TestPatronDays(t *testing.T) {
	t.Parallel()
	national, _ := meetcal.NewCalendar()
	firenze, err := meetcal.NewCalendar("06-24")
	if err != nil {
		t.Fatal(err)
	}
	prato, err := meetcal.NewCalendar(" 12-26 ", "") // already national; blanks ignored
	if err != nil {
		t.Fatal(err)
	}
	leap, err := meetcal.NewCalendar("2-29", "9-8")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		cal    *meetcal.Calendar
		d      time.Time
		want   bool
		wantEN string
	}{
		{"San Giovanni in Firenze", firenze, day(2026, 6, 24), true, "Patron saint's day"},
		{"not a holiday in the national calendar", national, day(2026, 6, 24), false, ""},
		{"every year", firenze, day(2031, 6, 24), true, "Patron saint's day"},
		{"the day after", firenze, day(2026, 6, 25), false, ""},
		{"national holidays still there", firenze, day(2026, 6, 2), true, "Republic Day"},
		{"Prato: Santo Stefano keeps its name", prato, day(2026, 12, 26), true, "St Stephen's Day"},
		{"Prato: no other extra day", prato, day(2026, 9, 8), false, ""},
		{"single digits", leap, day(2026, 9, 8), true, "Patron saint's day"},
		{"29 February in a leap year", leap, day(2028, 2, 29), true, "Patron saint's day"},
		{"1 March in a common year", leap, day(2027, 3, 1), false, ""},
	}
	for _, tt := range tests {
		ok, name := tt.cal.IsHoliday(tt.d)
		if ok != tt.want || name.EN != tt.wantEN {
			t.Errorf("%s: IsHoliday(%s) = %v, %q; want %v, %q", tt.name, tt.d.Format(time.DateOnly), ok, name.EN, tt.want, tt.wantEN)
		}
	}
}

func TestNewCalendarRejectsBadDays(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ value, why string }{
		{"13-40", "month 13"},
		{"00-10", "month 0"},
		{"06-31", "June has no day 31"},
		{"02-30", "February has no day 30"},
		{"04-00", "April has no day 0"},
		{"6/24", "MM-DD"},
		{"24-06-2026", "MM-DD"},
		{"june-24", "MM-DD"},
		{"-1-05", "MM-DD"},
		{"+6-24", "MM-DD"},
		{"006-24", "MM-DD"},
		{"06-", "MM-DD"},
	} {
		cal, err := meetcal.NewCalendar("06-24", tt.value)
		if err == nil {
			t.Errorf("NewCalendar(%q) = %v, want an error", tt.value, cal)
			continue
		}
		if !errors.Is(err, meetcal.ErrInvalidDay) {
			t.Errorf("NewCalendar(%q) error %v does not wrap ErrInvalidDay", tt.value, err)
		}
		if msg := err.Error(); !strings.Contains(msg, `"`+tt.value+`"`) || !strings.Contains(msg, tt.why) {
			t.Errorf("NewCalendar(%q) error %q: want the value and %q", tt.value, msg, tt.why)
		}
	}
}

func TestHolidaysOfAYear(t *testing.T) {
	t.Parallel()
	firenze, _ := meetcal.NewCalendar("06-24", "12-26")
	tests := []struct {
		year int
		cal  *meetcal.Calendar
		want []string // MM-DD in order; * marks a local day
	}{
		{2025, nil, []string{"01-01", "01-06", "04-20", "04-21", "04-25", "05-01", "06-02", "08-15", "11-01", "12-08", "12-25", "12-26"}},
		{2026, nil, []string{"01-01", "01-06", "04-05", "04-06", "04-25", "05-01", "06-02", "08-15", "10-04", "11-01", "12-08", "12-25", "12-26"}},
		{2027, firenze, []string{"01-01", "01-06", "03-28", "03-29", "04-25", "05-01", "06-02", "06-24*", "08-15", "10-04", "11-01", "12-08", "12-25", "12-26"}},
	}
	for _, tt := range tests {
		var got []string
		for _, h := range tt.cal.Holidays(tt.year) {
			s := time.Date(tt.year, h.Month, h.Day, 0, 0, 0, 0, time.UTC).Format("01-02")
			if h.Local {
				s += "*"
			}
			if h.Name.IT == "" || h.Name.EN == "" {
				t.Errorf("%d %s: unnamed", tt.year, s)
			}
			got = append(got, s)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("Holidays(%d) =\n%v, want\n%v", tt.year, got, tt.want)
		}
	}
}

func TestNameIn(t *testing.T) {
	t.Parallel()
	n := meetcal.Name{IT: "Natale", EN: "Christmas Day"}
	for locale, want := range map[string]string{"it": "Natale", "it-IT": "Natale", "en": "Christmas Day", "en-GB": "Christmas Day", "EN_us": "Christmas Day", "": "Natale", "fr": "Natale"} {
		if got := n.In(locale); got != want {
			t.Errorf("In(%q) = %q, want %q", locale, got, want)
		}
	}
}
