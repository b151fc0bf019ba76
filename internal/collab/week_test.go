package collab

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func romeZone(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

// 2026-W47 is Monday 16 to Sunday 22 November 2026; Rome is at UTC+1 then, so the week is
// [15 Nov 23:00 UTC, 22 Nov 23:00 UTC).
func TestWeekBoundsWinter(t *testing.T) {
	w := Week{2026, 47}
	start, end := w.Bounds(romeZone(t))
	if !start.Equal(utc(2026, 11, 15, 23, 0)) || !end.Equal(utc(2026, 11, 22, 23, 0)) {
		t.Fatalf("2026-W47 = [%v, %v), want [15 Nov 23:00 UTC, 22 Nov 23:00 UTC)", start.UTC(), end.UTC())
	}
	if got := start.In(romeZone(t)); got.Weekday() != time.Monday || got.Hour() != 0 || got.Minute() != 0 || got.Day() != 16 {
		t.Errorf("start in Rome = %v, want Monday 16 Nov 00:00", got)
	}
	// nil means Europe/Rome
	if s, e := w.Bounds(nil); !s.Equal(start) || !e.Equal(end) {
		t.Errorf("Bounds(nil) = [%v, %v), want Rome's", s, e)
	}
	// in UTC the same week is an hour later
	if s := w.Start(time.UTC); !s.Equal(utc(2026, 11, 16, 0, 0)) {
		t.Errorf("Start(UTC) = %v", s)
	}
}

// Sunday 23:30 in Rome belongs to the week that ends that night, though in UTC it is 22:30
// (winter) or 21:30 (summer); Monday 00:30 in Rome is the next week, though in UTC it is still
// Sunday (23:30 in winter, 22:30 in summer) — a week computed in UTC would get both wrong.
func TestWeekOfSundayNight(t *testing.T) {
	loc := romeZone(t)
	cases := []struct {
		name string
		at   time.Time
		want Week
	}{
		{"winter Sunday 23:30 Rome = 22:30 UTC", utc(2026, 11, 22, 22, 30), Week{2026, 47}},
		{"winter Monday 00:30 Rome = Sunday 23:30 UTC", utc(2026, 11, 22, 23, 30), Week{2026, 48}},
		{"winter Monday 00:00 Rome sharp", utc(2026, 11, 22, 23, 0), Week{2026, 48}},
		{"winter Sunday 23:59:59.999 Rome", utc(2026, 11, 22, 23, 0).Add(-time.Millisecond), Week{2026, 47}},
		{"summer Sunday 23:30 Rome = 21:30 UTC", utc(2026, 7, 19, 21, 30), Week{2026, 29}},
		{"summer Monday 00:30 Rome = Sunday 22:30 UTC", utc(2026, 7, 19, 22, 30), Week{2026, 30}},
	}
	for _, c := range cases {
		wantDay := time.Sunday
		if strings.Contains(c.name, "Monday") {
			wantDay = time.Monday
		}
		if at := c.at.In(loc); at.Weekday() != wantDay {
			t.Fatalf("%s: the case is wrong, %v is a %v in Rome", c.name, at, at.Weekday())
		}
		if got := WeekOf(c.at, loc); got != c.want {
			t.Errorf("%s: WeekOf(%v) = %v, want %v", c.name, c.at, got, c.want)
		}
		if got := WeekOf(c.at, nil); got != c.want {
			t.Errorf("%s: WeekOf(nil zone) = %v, want %v", c.name, got, c.want)
		}
		if !c.want.Contains(c.at, loc) {
			t.Errorf("%s: %v does not contain it", c.name, c.want)
		}
		s, e := c.want.Bounds(loc)
		if c.at.Before(s) || !c.at.Before(e) {
			t.Errorf("%s: %v not in [%v, %v)", c.name, c.at, s, e)
		}
	}
	// the trap itself: in UTC, Monday 00:30 Rome is still the previous week
	if y, n := utc(2026, 11, 22, 23, 30).ISOWeek(); n != 47 || y != 2026 {
		t.Fatalf("UTC ISO week = %d-W%d, expected the UTC week to differ", y, n)
	}
}

// The weeks of the daylight-saving changes of 2026 (last Sunday of March, 29 March; of
// October, 25 October): 2026-W13 lasts 167 hours, 2026-W43 169; the weeks around them 168.
func TestDSTWeeks(t *testing.T) {
	loc := romeZone(t)
	for _, c := range []struct {
		w     Week
		hours float64
	}{{Week{2026, 12}, 168}, {Week{2026, 13}, 167}, {Week{2026, 14}, 168},
		{Week{2026, 42}, 168}, {Week{2026, 43}, 169}, {Week{2026, 44}, 168}} {
		s, e := c.w.Bounds(loc)
		if got := e.Sub(s).Hours(); got != c.hours {
			t.Errorf("%v lasts %v h, want %v", c.w, got, c.hours)
		}
		for _, x := range []time.Time{s, e} {
			if l := x.In(loc); l.Weekday() != time.Monday || l.Hour() != 0 || l.Minute() != 0 {
				t.Errorf("%v: boundary %v is not Monday 00:00 in Rome", c.w, l)
			}
		}
	}
	// W13 is 23–29 March, W43 19–25 October
	if s := (Week{2026, 13}).Start(loc); s.In(loc).Day() != 23 || s.Month() != time.March {
		t.Errorf("2026-W13 starts %v", s)
	}
	if s := (Week{2026, 43}).Start(loc); s.In(loc).Day() != 19 || s.Month() != time.October {
		t.Errorf("2026-W43 starts %v", s)
	}
	// Sunday 29 March 23:30 (summer time, 21:30 UTC) is still W13; Sunday 25 October 23:30
	// (winter time again, 22:30 UTC) still W43.
	if w := WeekOf(utc(2026, 3, 29, 21, 30), loc); w != (Week{2026, 13}) {
		t.Errorf("29 Mar 23:30 Rome in %v", w)
	}
	if w := WeekOf(utc(2026, 10, 25, 22, 30), loc); w != (Week{2026, 43}) {
		t.Errorf("25 Oct 23:30 Rome in %v", w)
	}
}

// 2026 begins and ends on a Thursday, so it has a week 53: Monday 28 December 2026 to Sunday
// 3 January 2027; 2027-W01 begins Monday 4 January 2027. 2025 (begins on a Wednesday, not a
// leap year) and 2027 (Friday) have 52; 2020 (leap, begins on a Wednesday) had 53.
func TestWeek53(t *testing.T) {
	for y, n := range map[int]int{2020: 53, 2021: 52, 2025: 52, 2026: 53, 2027: 52, 2032: 53} {
		if got := WeeksInYear(y); got != n {
			t.Errorf("WeeksInYear(%d) = %d, want %d", y, got, n)
		}
	}
	loc := romeZone(t)
	w53 := Week{2026, 53}
	if err := w53.Validate(); err != nil {
		t.Fatal(err)
	}
	s, e := w53.Bounds(loc)
	if !s.Equal(time.Date(2026, 12, 28, 0, 0, 0, 0, loc)) || !e.Equal(time.Date(2027, 1, 4, 0, 0, 0, 0, loc)) {
		t.Errorf("2026-W53 = [%v, %v)", s, e)
	}
	if next := w53.Add(1); next != (Week{2027, 1}) {
		t.Errorf("2026-W53 + 1 = %v, want 2027-W01", next)
	}
	if prev := (Week{2027, 1}).Add(-1); prev != w53 {
		t.Errorf("2027-W01 − 1 = %v", prev)
	}
	if !(Week{2027, 1}).Start(loc).Equal(e) {
		t.Error("2027-W01 does not start where 2026-W53 ends")
	}
	// New Year's Day 2027 and Sunday 3 January 23:30 are in 2026-W53
	for _, at := range []time.Time{time.Date(2027, 1, 1, 12, 0, 0, 0, loc), time.Date(2027, 1, 3, 23, 30, 0, 0, loc)} {
		if w := WeekOf(at, loc); w != w53 {
			t.Errorf("WeekOf(%v) = %v, want 2026-W53", at, w)
		}
	}
	if w := WeekOf(time.Date(2027, 1, 4, 0, 30, 0, 0, loc), loc); w != (Week{2027, 1}) {
		t.Errorf("4 Jan 2027 00:30 in %v", w)
	}
	// and 1 January 2026 (a Thursday) is in 2026-W01, which began on 29 December 2025
	if s := (Week{2026, 1}).Start(loc); !s.Equal(time.Date(2025, 12, 29, 0, 0, 0, 0, loc)) {
		t.Errorf("2026-W01 starts %v", s)
	}
	if (Week{2025, 52}).Add(1) != (Week{2026, 1}) {
		t.Error("2025-W52 + 1 is not 2026-W01")
	}
	if err := (Week{2025, 53}).Validate(); !errors.Is(err, ErrInvalidWeek) {
		t.Errorf("2025-W53 valid? %v", err)
	}
}

func TestParseWeek(t *testing.T) {
	for in, want := range map[string]Week{
		"2026-W47": {2026, 47}, "2026-W01": {2026, 1}, "2026-w07": {2026, 7}, "2026-W7": {2026, 7},
		" 2026-W53 ": {2026, 53}, "2020-W53": {2020, 53},
	} {
		got, err := ParseWeek(in)
		if err != nil || got != want {
			t.Errorf("ParseWeek(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, mention := range map[string]string{
		"":           "2026-W47",
		"2026W47":    "of the form",
		"2026-47":    "of the form",
		"2026-W":     "of the form",
		"26-W47":     "four digits",
		"+026-W47":   "four digits",
		"2026-W047":  "from 1 to 53",
		"2026-W4a":   "from 1 to 53",
		"2026-W-1":   "from 1 to 53",
		"2026-W00":   "weeks 1 to 53",
		"2026-W54":   "weeks 1 to 53",
		"2025-W53":   "2025 has weeks 1 to 52",
		"0000-W10":   "year 0",
		"2026-11-22": "of the form",
	} {
		_, err := ParseWeek(in)
		if !errors.Is(err, ErrInvalidWeek) {
			t.Errorf("ParseWeek(%q) error = %v, want ErrInvalidWeek", in, err)
			continue
		}
		if !strings.Contains(err.Error(), mention) {
			t.Errorf("ParseWeek(%q) error %q does not say %q", in, err, mention)
		}
	}
}

// Every week from 2019 to 2032: the string round-trips, weeks follow each other without gap or
// overlap, start on Monday 00:00 in Rome, contain their first and last instant and last 168 h
// except in the DST weeks.
func TestWeeksRoundTrip(t *testing.T) {
	loc := romeZone(t)
	w := Week{2019, 1}
	prevEnd := w.Start(loc)
	for w.Year < 2033 {
		if err := w.Validate(); err != nil {
			t.Fatal(err)
		}
		p, err := ParseWeek(w.String())
		if err != nil || p != w {
			t.Fatalf("ParseWeek(%q) = %v, %v", w.String(), p, err)
		}
		s, e := w.Bounds(loc)
		if !s.Equal(prevEnd) {
			t.Fatalf("%v starts %v, previous ended %v", w, s, prevEnd)
		}
		if l := s.In(loc); l.Weekday() != time.Monday || l.Hour() != 0 || l.Minute() != 0 {
			t.Fatalf("%v starts %v", w, l)
		}
		if WeekOf(s, loc) != w || WeekOf(e.Add(-time.Nanosecond), loc) != w || WeekOf(e, loc) == w {
			t.Fatalf("%v does not contain exactly [%v, %v)", w, s, e)
		}
		if h := e.Sub(s).Hours(); h != 168 {
			// only the weeks holding the last Sunday of March (167) or October (169)
			sunday := e.Add(-time.Hour * 12).In(loc)
			last := sunday.AddDate(0, 0, 7).Month() != sunday.Month()
			ok := last && ((sunday.Month() == time.March && h == 167) || (sunday.Month() == time.October && h == 169))
			if !ok {
				t.Fatalf("%v lasts %v h", w, h)
			}
		}
		if w.Add(1).Add(-1) != w || !w.Before(w.Add(1)) || w.Compare(w) != 0 || w.Add(1).Compare(w) != 1 {
			t.Fatalf("%v: Add/Before/Compare disagree", w)
		}
		prevEnd = e
		w = w.Add(1)
	}
}

func TestLastCompleteWeek(t *testing.T) {
	loc := romeZone(t)
	for _, c := range []struct {
		now  time.Time
		want Week
	}{
		{time.Date(2026, 11, 23, 0, 0, 0, 0, loc), Week{2026, 47}},   // Monday 00:00 sharp: W47 just ended
		{time.Date(2026, 11, 22, 23, 30, 0, 0, loc), Week{2026, 46}}, // Sunday 23:30: W47 not over yet
		{utc(2026, 12, 6, 17, 40), Week{2026, 48}},                   // Sunday 6 Dec: W49 under way
		{time.Date(2027, 1, 4, 9, 0, 0, 0, loc), Week{2026, 53}},
		{time.Date(2027, 1, 11, 9, 0, 0, 0, loc), Week{2027, 1}},
	} {
		if got := LastCompleteWeek(c.now, loc); got != c.want {
			t.Errorf("LastCompleteWeek(%v) = %v, want %v", c.now, got, c.want)
		}
		if _, end := c.want.Bounds(loc); end.After(c.now) {
			t.Errorf("%v ends %v, after now %v", c.want, end, c.now)
		}
	}
}

func TestWeeksBeforeAndEnding(t *testing.T) {
	got := WeeksEnding(Week{2027, 2}, 4)
	want := []Week{{2026, 52}, {2026, 53}, {2027, 1}, {2027, 2}}
	if len(got) != len(want) {
		t.Fatalf("WeeksEnding = %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("WeeksEnding(2027-W02, 4) = %v, want %v", got, want)
		}
	}
	b := WeeksBefore(Week{2026, 47}, 12)
	if len(b) != 12 || b[0] != (Week{2026, 35}) || b[11] != (Week{2026, 46}) {
		t.Errorf("WeeksBefore(2026-W47, 12) = %v", b)
	}
	for i := 1; i < len(b); i++ {
		if b[i-1].Add(1) != b[i] {
			t.Errorf("not consecutive: %v", b)
		}
	}
	if WeeksBefore(Week{2026, 1}, 0) != nil || WeeksEnding(Week{2026, 1}, -1) != nil {
		t.Error("n ≤ 0 must give nil")
	}
	if e := WeeksEnding(Week{2026, 1}, 1); len(e) != 1 || e[0] != (Week{2026, 1}) {
		t.Errorf("WeeksEnding(w, 1) = %v", e)
	}
}
