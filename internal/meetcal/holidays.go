package meetcal

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidDay is wrapped by NewCalendar's error for an extra holiday that is not a valid
// "MM-DD" day (such as "13-40").
var ErrInvalidDay = errors.New("invalid holiday date")

// Name is the name of a holiday in the two languages the bot replies in.
type Name struct {
	IT string // Italian, e.g. "Lunedì dell'Angelo"
	EN string // English, e.g. "Easter Monday"
}

// In returns the name in the given locale: English for a locale starting with "en", Italian
// otherwise.
func (n Name) In(locale string) string {
	if strings.HasPrefix(strings.ToLower(locale), "en") {
		return n.EN
	}
	return n.IT
}

// Holiday is one holiday in a given year.
type Holiday struct {
	Month time.Month
	Day   int
	Name  Name
	Local bool // a configured extra day (patron day), not a national holiday
}

// SanFrancescoFrom is the first year in which 4 October (San Francesco d'Assisi, patron of Italy)
// is again a national holiday (law 151/2025).
const SanFrancescoFrom = 2026

type monthDay struct {
	month time.Month
	day   int
}

// The national holidays on a fixed date (Law 260/1949 as amended, and DPR 792/1985).
var fixedHolidays = map[monthDay]Name{
	{time.January, 1}:   {IT: "Capodanno", EN: "New Year's Day"},
	{time.January, 6}:   {IT: "Epifania", EN: "Epiphany"},
	{time.April, 25}:    {IT: "Festa della Liberazione", EN: "Liberation Day"},
	{time.May, 1}:       {IT: "Festa del Lavoro", EN: "Labour Day"},
	{time.June, 2}:      {IT: "Festa della Repubblica", EN: "Republic Day"},
	{time.August, 15}:   {IT: "Ferragosto (Assunzione)", EN: "Assumption Day (Ferragosto)"},
	{time.November, 1}:  {IT: "Ognissanti", EN: "All Saints' Day"},
	{time.December, 8}:  {IT: "Immacolata Concezione", EN: "Immaculate Conception"},
	{time.December, 25}: {IT: "Natale", EN: "Christmas Day"},
	{time.December, 26}: {IT: "Santo Stefano", EN: "St Stephen's Day"},
}

var (
	easterName       = Name{IT: "Pasqua", EN: "Easter Sunday"}
	easterMondayName = Name{IT: "Lunedì dell'Angelo (Pasquetta)", EN: "Easter Monday"}
	sanFrancescoName = Name{IT: "San Francesco d'Assisi, patrono d'Italia", EN: "St Francis of Assisi, patron saint of Italy"}
	patronName       = Name{IT: "Festa del santo patrono", EN: "Patron saint's day"}
)

// Calendar tells which days are public holidays: the Italian national holidays, which it
// computes for any year, and the extra local days it was built with (the patron day of the
// council). Its methods may be called on a nil *Calendar, which is the national calendar. A
// Calendar is immutable and safe for concurrent use.
type Calendar struct {
	extra map[monthDay]bool
}

// NewCalendar returns the calendar of the Italian national holidays plus the extra days given
// as "MM-DD" (such as "06-24", San Giovanni in Firenze). Blank strings are ignored, so that an
// unset setting gives the national calendar; an extra day that is already a national holiday
// (Prato's Santo Stefano, "12-26") changes nothing. "02-29" is allowed and counts in leap
// years. Errors wrap ErrInvalidDay and name the value.
func NewCalendar(extra ...string) (*Calendar, error) {
	c := &Calendar{extra: make(map[monthDay]bool, len(extra))}
	for _, s := range extra {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		md, err := parseMonthDay(s)
		if err != nil {
			return nil, err
		}
		c.extra[md] = true
	}
	return c, nil
}

func parseMonthDay(s string) (monthDay, error) {
	bad := func(why string, args ...any) error {
		return fmt.Errorf("meetcal: %w %q: %s", ErrInvalidDay, s, fmt.Sprintf(why, args...))
	}
	ms, ds, ok := strings.Cut(s, "-")
	if !ok || !isDigits(ms) || !isDigits(ds) || len(ms) > 2 || len(ds) > 2 {
		return monthDay{}, bad("use MM-DD, such as 06-24 for 24 June")
	}
	m, _ := strconv.Atoi(ms)
	d, _ := strconv.Atoi(ds)
	if m < 1 || m > 12 {
		return monthDay{}, bad("month %d is not between 01 and 12", m)
	}
	// Days in the month in a leap year, so that 02-29 is accepted.
	if last := time.Date(2024, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day(); d < 1 || d > last {
		return monthDay{}, bad("%s has no day %d (1 to %d)", time.Month(m), d, last)
	}
	return monthDay{time.Month(m), d}, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Easter returns Easter Sunday of the given (Gregorian) year, at midnight UTC, computed with the
// anonymous Gregorian algorithm (Meeus/Jones/Butcher).
func Easter(year int) time.Time {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	n := h + l - 7*m + 114
	return time.Date(year, time.Month(n/31), n%31+1, 0, 0, 0, 0, time.UTC)
}

// IsHoliday reports whether the date of d, read in d's own location, is a holiday, and its
// name. A national holiday's name wins over a local day on the same date.
func (c *Calendar) IsHoliday(d time.Time) (bool, Name) {
	y, m, day := d.Date()
	md := monthDay{m, day}
	if n, ok := fixedHolidays[md]; ok {
		return true, n
	}
	if m == time.October && day == 4 && y >= SanFrancescoFrom {
		return true, sanFrancescoName
	}
	if m == time.March || m == time.April { // Easter is between 22 March and 25 April
		e := Easter(y)
		if m == e.Month() && day == e.Day() {
			return true, easterName
		}
		if em := e.AddDate(0, 0, 1); m == em.Month() && day == em.Day() {
			return true, easterMondayName
		}
	}
	if c != nil && c.extra[md] {
		return true, patronName
	}
	return false, Name{}
}

// Holidays lists the holidays of a year in date order, national and local, one per date.
func (c *Calendar) Holidays(year int) []Holiday {
	var out []Holiday
	add := func(m time.Month, d int, local bool) {
		if m == time.February && d == 29 && time.Date(year, 2, 29, 0, 0, 0, 0, time.UTC).Day() != 29 {
			return // not a leap year
		}
		if ok, n := c.IsHoliday(time.Date(year, m, d, 12, 0, 0, 0, time.UTC)); ok {
			out = append(out, Holiday{Month: m, Day: d, Name: n, Local: local && n == patronName})
		}
	}
	for md := range fixedHolidays {
		add(md.month, md.day, false)
	}
	e := Easter(year)
	add(e.Month(), e.Day(), false)
	em := e.AddDate(0, 0, 1)
	add(em.Month(), em.Day(), false)
	add(time.October, 4, false)
	if c != nil {
		for md := range c.extra {
			add(md.month, md.day, true)
		}
	}
	slices.SortFunc(out, func(a, b Holiday) int {
		if a.Month != b.Month {
			return int(a.Month) - int(b.Month)
		}
		return a.Day - b.Day
	})
	// An extra day on a national holiday was added twice: keep one.
	return slices.CompactFunc(out, func(a, b Holiday) bool { return a.Month == b.Month && a.Day == b.Day })
}
