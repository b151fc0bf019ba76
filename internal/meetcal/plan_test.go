package meetcal_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/meetcal"
)

func rome(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Rome")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func newPlan(t *testing.T, spec string, every int, anchor time.Time, cal *meetcal.Calendar) meetcal.Plan {
	t.Helper()
	p, err := meetcal.NewPlan(spec, every, rome(t), anchor, cal)
	if err != nil {
		t.Fatalf("NewPlan(%q, %d): %v", spec, every, err)
	}
	return p
}

func formatAll(ts []time.Time) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Format(time.RFC3339)
	}
	return out
}

// "Monday at 10:00" stays 10:00 on the wall clock in Rome, with the offset from UTC changing
// on the last Sunday of March (+01:00 → +02:00) and of October (+02:00 → +01:00), and skips the
// Mondays that are holidays (Easter Monday, All Saints' Day).
func TestNextNKeepsLocalHourAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	anchor := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	tests := []struct {
		name  string
		spec  string
		after time.Time
		want  []string
	}{
		{
			name: "March 2026 (change on the 29th; Easter Monday 6 April skipped)", spec: "0 10 * * 1",
			after: time.Date(2026, 3, 16, 12, 0, 0, 0, loc),
			want:  []string{"2026-03-23T10:00:00+01:00", "2026-03-30T10:00:00+02:00", "2026-04-13T10:00:00+02:00"},
		},
		{
			name: "October 2026 (change on the 25th)", spec: "0 10 * * 1",
			after: time.Date(2026, 10, 12, 12, 0, 0, 0, loc),
			want:  []string{"2026-10-19T10:00:00+02:00", "2026-10-26T10:00:00+01:00", "2026-11-02T10:00:00+01:00"},
		},
		{
			name: "March 2027 (change on Easter Sunday the 28th; Easter Monday 29 March skipped)", spec: "0 10 * * 1",
			after: time.Date(2027, 3, 15, 12, 0, 0, 0, loc),
			want:  []string{"2027-03-22T10:00:00+01:00", "2027-04-05T10:00:00+02:00", "2027-04-12T10:00:00+02:00"},
		},
		{
			name: "October 2027 (change on the 31st; All Saints' Monday 1 November skipped)", spec: "0 10 * * 1",
			after: time.Date(2027, 10, 18, 12, 0, 0, 0, loc),
			want:  []string{"2027-10-25T10:00:00+02:00", "2027-11-08T10:00:00+01:00"},
		},
		{
			name: "daily, through the day of the March 2026 change", spec: "0 10 * * *",
			after: time.Date(2026, 3, 27, 12, 0, 0, 0, loc),
			want:  []string{"2026-03-28T10:00:00+01:00", "2026-03-29T10:00:00+02:00", "2026-03-30T10:00:00+02:00"},
		},
		{
			name: "daily, through the day of the October 2027 change", spec: "0 10 * * *",
			after: time.Date(2027, 10, 30, 12, 0, 0, 0, loc),
			want:  []string{"2027-10-31T10:00:00+01:00", "2027-11-02T10:00:00+01:00"}, // 1 November skipped
		},
		{
			// The instant may be given in any zone: 09:00 UTC on 30 March is 11:00 in Rome.
			name: "asked in UTC", spec: "0 10 * * 1",
			after: time.Date(2026, 3, 30, 7, 59, 59, 0, time.UTC),
			want:  []string{"2026-03-30T10:00:00+02:00"},
		},
		{
			name: "asked in UTC, just after", spec: "0 10 * * 1",
			after: time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
			want:  []string{"2026-04-13T10:00:00+02:00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPlan(t, tt.spec, 1, anchor, nil)
			got := p.NextN(tt.after, len(tt.want))
			if !slices.Equal(formatAll(got), tt.want) {
				t.Fatalf("NextN =\n%v, want\n%v", formatAll(got), tt.want)
			}
			for _, g := range got {
				if g.Location() != p.Location() {
					t.Errorf("%v is not in the plan's zone", g)
				}
			}
			if n := p.Next(tt.after); !n.Equal(got[0]) {
				t.Errorf("Next = %v, want %v", n, got[0])
			}
		})
	}
}

// A daily plan over a whole year misses exactly the holidays of that year, national and local.
func TestDailyPlanSkipsExactlyTheHolidays(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	firenze, err := meetcal.NewCalendar("06-24")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		year int
		cal  *meetcal.Calendar
		want []string // the dates without a round
	}{
		{2025, nil, []string{"01-01", "01-06", "04-20", "04-21", "04-25", "05-01", "06-02", "08-15", "11-01", "12-08", "12-25", "12-26"}},
		{2026, nil, []string{"01-01", "01-06", "04-05", "04-06", "04-25", "05-01", "06-02", "08-15", "10-04", "11-01", "12-08", "12-25", "12-26"}},
		{2027, firenze, []string{"01-01", "01-06", "03-28", "03-29", "04-25", "05-01", "06-02", "06-24", "08-15", "10-04", "11-01", "12-08", "12-25", "12-26"}},
		{2028, nil, []string{"01-01", "01-06", "04-16", "04-17", "04-25", "05-01", "06-02", "08-15", "10-04", "11-01", "12-08", "12-25", "12-26"}},
	}
	for _, tt := range tests {
		start := time.Date(tt.year, 1, 1, 0, 0, 0, 0, loc)
		p := newPlan(t, "30 9 * * *", 1, start, tt.cal)
		held := map[string]bool{}
		for _, r := range p.NextN(start, 366) {
			if r.Year() == tt.year {
				held[r.Format("01-02")] = true
			}
			if r.Hour() != 9 || r.Minute() != 30 {
				t.Errorf("%d: round at %v, want 09:30", tt.year, r)
			}
		}
		var missed []string
		for d := start; d.Year() == tt.year; d = d.AddDate(0, 0, 1) {
			if !held[d.Format("01-02")] {
				missed = append(missed, d.Format("01-02"))
			}
		}
		if !slices.Equal(missed, tt.want) {
			t.Errorf("%d: no round on\n%v, want\n%v", tt.year, missed, tt.want)
		}
	}
}

// A weekly Monday plan never lands on Easter Monday: the round after Easter is a week later.
func TestEasterMondaySkipped(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	p := newPlan(t, "0 10 * * 1", 1, time.Date(2024, 1, 1, 0, 0, 0, 0, loc), nil)
	for year := 2024; year <= 2035; year++ {
		e := meetcal.Easter(year)
		sunday := time.Date(year, e.Month(), e.Day(), 12, 0, 0, 0, loc)
		want := time.Date(year, e.Month(), e.Day()+8, 10, 0, 0, 0, loc)
		if year == 2033 { // Easter 17 April: the next Monday is 25 April, Liberation Day
			want = want.AddDate(0, 0, 7)
		}
		if got := p.Next(sunday); !got.Equal(want) {
			t.Errorf("%d: round after Easter Sunday = %v, want %v", year, got, want)
		}
	}
}

func TestPatronDayHonoured(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	firenze, err := meetcal.NewCalendar("06-24")
	if err != nil {
		t.Fatal(err)
	}
	anchor := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	after := time.Date(2026, 6, 23, 12, 0, 0, 0, loc)
	if got, want := newPlan(t, "0 10 * * *", 1, anchor, nil).Next(after), time.Date(2026, 6, 24, 10, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("national calendar: Next = %v, want %v", got, want)
	}
	if got, want := newPlan(t, "0 10 * * *", 1, anchor, firenze).Next(after), time.Date(2026, 6, 25, 10, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("Firenze: Next = %v, want %v", got, want)
	}
}

// Every N weeks counts weeks (Monday to Sunday) from the programme's creation across the turn
// of the year: 2026 has 53 ISO weeks, so a parity of week numbers would slip in January 2027.
func TestEveryNWeeksAcrossTheYear(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	tests := []struct {
		name   string
		spec   string
		every  int
		anchor time.Time
		want   []string
	}{
		{
			name: "created in week 51 of 2026", spec: "0 10 * * 1", every: 2,
			anchor: time.Date(2026, 12, 14, 9, 0, 0, 0, loc), // Monday, before the first firing
			// weeks 51, 53, 2027-W02, W04, W06
			want: []string{"2026-12-14T10:00:00+01:00", "2026-12-28T10:00:00+01:00", "2027-01-11T10:00:00+01:00", "2027-01-25T10:00:00+01:00", "2027-02-08T10:00:00+01:00"},
		},
		{
			name: "created in week 52 of 2026, after that week's firing", spec: "0 10 * * 1", every: 2,
			anchor: time.Date(2026, 12, 23, 15, 0, 0, 0, loc), // Wednesday
			// weeks 2027-W01, W03, W05 (week 53 of 2026 is one week after 52)
			want: []string{"2027-01-04T10:00:00+01:00", "2027-01-18T10:00:00+01:00", "2027-02-01T10:00:00+01:00"},
		},
		{
			name: "Friday rounds; New Year's Day in a round week is skipped, not moved", spec: "0 10 * * 5", every: 2,
			anchor: time.Date(2026, 12, 16, 11, 0, 0, 0, loc), // Wednesday of week 51
			want:   []string{"2026-12-18T10:00:00+01:00", "2027-01-15T10:00:00+01:00", "2027-01-29T10:00:00+01:00"},
		},
		{
			name: "weeks start on Monday: Sunday and the next Monday are different weeks", spec: "0 10 * * 0,1", every: 2,
			anchor: time.Date(2026, 1, 7, 11, 0, 0, 0, loc), // Wednesday of week 2
			want:   []string{"2026-01-11T10:00:00+01:00", "2026-01-19T10:00:00+01:00", "2026-01-25T10:00:00+01:00", "2026-02-02T10:00:00+01:00"},
		},
		{
			name: "every 3 weeks", spec: "0 10 * * 3", every: 3,
			anchor: time.Date(2026, 12, 1, 11, 0, 0, 0, loc), // Tuesday of week 49
			want:   []string{"2026-12-02T10:00:00+01:00", "2026-12-23T10:00:00+01:00", "2027-01-13T10:00:00+01:00", "2027-02-03T10:00:00+01:00"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPlan(t, tt.spec, tt.every, tt.anchor, nil)
			if got := formatAll(p.NextN(tt.anchor, len(tt.want))); !slices.Equal(got, tt.want) {
				t.Fatalf("NextN =\n%v, want\n%v", got, tt.want)
			}
		})
	}
}

// Over a year and a half of fortnightly Monday rounds, every round is an even number of weeks
// from the creation week, at 10:00 local, and the gap is two weeks except where holiday Mondays
// in round weeks (All Saints' Day 2027; Easter Monday and Labour Day 2028) take rounds out.
func TestEveryTwoWeeksStaysInPhase(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	anchor := time.Date(2026, 12, 14, 9, 0, 0, 0, loc)
	p := newPlan(t, "0 10 * * 1", 2, anchor, nil)
	rounds := p.NextN(anchor, 40)
	if len(rounds) != 40 {
		t.Fatalf("NextN = %d rounds, want 40", len(rounds))
	}
	anchorMonday := time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC)
	var cal *meetcal.Calendar
	for i, r := range rounds {
		civil := time.Date(r.Year(), r.Month(), r.Day(), 0, 0, 0, 0, time.UTC)
		days := int(civil.Sub(anchorMonday).Hours() / 24)
		if r.Weekday() != time.Monday || days%14 != 0 || r.Hour() != 10 || r.Minute() != 0 {
			t.Errorf("round %d = %v: want a Monday at 10:00, a multiple of two weeks after 14 December 2026", i, r)
		}
		if ok, name := cal.IsHoliday(r); ok {
			t.Errorf("round %d = %v is %s", i, r, name.EN)
		}
		if i == 0 {
			continue
		}
		// Every round-week Monday between the previous round and this one is a holiday.
		for m := rounds[i-1].AddDate(0, 0, 14); m.Before(r); m = m.AddDate(0, 0, 14) {
			if ok, _ := cal.IsHoliday(m); !ok {
				t.Errorf("round %d = %v: no round on %v, which is not a holiday", i, r, m)
			}
		}
	}
	// Holiday round weeks in this stretch: All Saints' Day 2027, Easter Monday and Labour Day 2028.
	dates := make([]string, len(rounds))
	for i, r := range rounds {
		dates[i] = r.Format(time.DateOnly)
	}
	for _, d := range []string{"2027-10-18", "2027-11-15", "2028-04-03", "2028-05-15"} {
		if !slices.Contains(dates, d) {
			t.Errorf("no round on %s: %v", d, dates)
		}
	}
	for _, d := range []string{"2027-11-01", "2028-04-17", "2028-05-01"} {
		if slices.Contains(dates, d) {
			t.Errorf("a round on the holiday %s", d)
		}
	}
}

func TestNewPlanErrors(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	anchor := time.Date(2026, 3, 1, 12, 0, 0, 0, loc)
	firenze, _ := meetcal.NewCalendar("06-24")
	sentinels := []error{meetcal.ErrInvalidCron, meetcal.ErrEveryNWeeks, meetcal.ErrTooFrequent, meetcal.ErrNeverFires}
	tests := []struct {
		spec   string
		every  int
		anchor time.Time
		cal    *meetcal.Calendar
		want   error // nil: accepted
	}{
		{"0 10 * * 1", 1, anchor, nil, nil},
		{"0 10 * * 1", 52, anchor, nil, nil},
		{"0 * * * *", 1, anchor, nil, nil}, // hourly is the limit
		{"@hourly", 1, anchor, nil, nil},
		{"@every 1h", 1, anchor, nil, nil},
		{"0 9,10 * * 1-5", 1, anchor, nil, nil},
		{"0 10 4 10 *", 1, time.Date(2025, 3, 1, 0, 0, 0, 0, loc), nil, nil}, // 4 October 2025 was a working day
		{"0 10 24 6 *", 1, anchor, nil, nil},

		{"", 1, anchor, nil, meetcal.ErrInvalidCron},
		{"every monday", 1, anchor, nil, meetcal.ErrInvalidCron},
		{"61 10 * * 1", 1, anchor, nil, meetcal.ErrInvalidCron},
		{"0 10 30 2 *", 1, anchor, nil, meetcal.ErrInvalidCron}, // 30 February

		{"0 10 * * 1", 0, anchor, nil, meetcal.ErrEveryNWeeks},
		{"0 10 * * 1", -2, anchor, nil, meetcal.ErrEveryNWeeks},
		{"0 10 * * 1", 53, anchor, nil, meetcal.ErrEveryNWeeks},

		{"*/30 * * * *", 1, anchor, nil, meetcal.ErrTooFrequent},
		{"0,30 10 * * 1", 1, anchor, nil, meetcal.ErrTooFrequent},
		{"0,59 10 * * 1", 2, anchor, nil, meetcal.ErrTooFrequent},
		{"* 10 1 1 *", 1, anchor, nil, meetcal.ErrTooFrequent},
		{"@every 59m", 1, anchor, nil, meetcal.ErrTooFrequent},
		{"@every 10s", 1, anchor, nil, meetcal.ErrTooFrequent},

		{"0 10 25 12 *", 1, anchor, nil, meetcal.ErrNeverFires},
		{"0 10 1 1 *", 1, anchor, nil, meetcal.ErrNeverFires},
		{"0 9,15 15 8 *", 1, anchor, nil, meetcal.ErrNeverFires},
		{"0 10 4 10 *", 1, anchor, nil, meetcal.ErrNeverFires}, // a national holiday again from 2026
		{"0 10 24 6 *", 1, anchor, firenze, meetcal.ErrNeverFires},
		{"0 10 25,26 12 *", 2, anchor, nil, meetcal.ErrNeverFires},
	}
	for _, tt := range tests {
		_, err := meetcal.NewPlan(tt.spec, tt.every, loc, tt.anchor, tt.cal)
		name := fmt.Sprintf("NewPlan(%q, %d)", tt.spec, tt.every)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%s error %v, want %v", name, err, tt.want)
			continue
		}
		for _, s := range sentinels {
			if s != tt.want && errors.Is(err, s) {
				t.Errorf("%s error %v also wraps %v: the caller could not tell which", name, err, s)
			}
		}
		if !strings.HasPrefix(err.Error(), "meetcal: ") {
			t.Errorf("%s error %q: want the package name first", name, err)
		}
	}
}

func TestNewPlanDefaultsAndEdges(t *testing.T) {
	t.Parallel()
	anchor := time.Date(2026, 1, 7, 12, 0, 0, 0, time.UTC)
	p, err := meetcal.NewPlan(" 0 10 * * 1 ", 1, nil, anchor, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Location().String() != "Europe/Rome" || p.Spec() != "0 10 * * 1" || p.EveryNWeeks() != 1 || !p.Anchor().Equal(anchor) || p.Calendar() != nil {
		t.Errorf("plan = %q every %d in %v from %v, cal %v", p.Spec(), p.EveryNWeeks(), p.Location(), p.Anchor(), p.Calendar())
	}
	if got := p.Next(anchor).Format(time.RFC3339); got != "2026-01-12T10:00:00+01:00" {
		t.Errorf("Next = %s, want 10:00 in Rome", got)
	}

	// Weeks have to be counted from somewhere.
	if _, err := meetcal.NewPlan("0 10 * * 1", 2, nil, time.Time{}, nil); err == nil {
		t.Error("every 2 weeks without an anchor: want an error")
	}

	// The zero Plan never fires.
	var zero meetcal.Plan
	if n := zero.Next(anchor); !n.IsZero() {
		t.Errorf("zero Plan: Next = %v", n)
	}
	if ns := zero.NextN(anchor, 3); len(ns) != 0 || zero.Spec() != "" {
		t.Errorf("zero Plan: NextN = %v, Spec = %q", ns, zero.Spec())
	}
}

// The search is bounded: a plan whose remaining dates are all holidays gives the zero time.
func TestNextGivesUpWhenOnlyHolidaysRemain(t *testing.T) {
	t.Parallel()
	loc := rome(t)
	p := newPlan(t, "0 10 4 10 *", 1, time.Date(2025, 3, 1, 0, 0, 0, 0, loc), nil)
	if got := p.Next(time.Date(2025, 3, 1, 0, 0, 0, 0, loc)).Format(time.RFC3339); got != "2025-10-04T10:00:00+02:00" {
		t.Errorf("Next = %s, want 4 October 2025", got)
	}
	if got := p.Next(time.Date(2025, 10, 5, 0, 0, 0, 0, loc)); !got.IsZero() {
		t.Errorf("Next after 4 October 2025 = %v, want none: from 2026 it is a holiday", got)
	}
	if got := p.NextN(time.Date(2025, 1, 1, 0, 0, 0, 0, loc), 3); len(got) != 1 {
		t.Errorf("NextN = %v, want one round", formatAll(got))
	}
}
