package collab

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the default zone (Europe/Rome) must load even on hosts without tzdata
)

// DefaultLocation is the council's zone, in which weeks begin and end when no zone is given.
const DefaultLocation = "Europe/Rome"

// ErrInvalidWeek is wrapped by every error of ParseWeek and Week.Validate.
var ErrInvalidWeek = errors.New("invalid ISO week")

// rome loads DefaultLocation once. time/tzdata is linked in, so loading cannot fail unless the
// embedded database itself is broken, which is a build defect, not a condition to handle.
var rome = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(DefaultLocation)
	if err != nil {
		panic(fmt.Sprintf("collab: load %s: %v", DefaultLocation, err))
	}
	return loc
})

// Rome returns the council's default zone (DefaultLocation).
func Rome() *time.Location { return rome() }

func orRome(loc *time.Location) *time.Location {
	if loc == nil {
		return rome()
	}
	return loc
}

// Week is an ISO 8601 week: Year is the ISO week-numbering year (which differs from the
// calendar year for the few days around New Year that belong to the neighbouring year's
// week), Number is 1..52, or 53 in the years that have one. A week runs from Monday 00:00 to
// the next Monday 00:00 on the wall clock of a zone, so it lasts 168 hours except across a
// daylight-saving change (167 h in the last week of March, 169 h in the last of October, in
// Europe/Rome).
type Week struct {
	Year   int
	Number int
}

// WeeksInYear returns how many ISO weeks year has: 53 when it starts on a Thursday, or is a
// leap year starting on a Wednesday (e.g. 2020, 2026), else 52. 28 December always lies in the
// year's last week.
func WeeksInYear(year int) int {
	_, n := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return n
}

// Validate reports whether w names a week that exists.
func (w Week) Validate() error {
	if w.Year < 1 || w.Year > 9999 {
		return fmt.Errorf("%w: year %d is outside 1–9999", ErrInvalidWeek, w.Year)
	}
	if n := WeeksInYear(w.Year); w.Number < 1 || w.Number > n {
		return fmt.Errorf("%w: %d has weeks 1 to %d, not %d", ErrInvalidWeek, w.Year, n, w.Number)
	}
	return nil
}

// String formats w as "2026-W47" (ISO 8601, week always two digits).
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Number) }

// ParseWeek reads an ISO week such as "2026-W47". It also accepts a lower-case w and a
// one-digit week ("2026-w7"), since people type them; it refuses anything else, and weeks that
// do not exist (W00, W54, W53 in a 52-week year), with an error wrapping ErrInvalidWeek that
// says what was wrong and shows the expected form.
func ParseWeek(s string) (Week, error) {
	in := strings.TrimSpace(s)
	year, num, ok := strings.Cut(in, "-")
	if !ok || len(num) < 2 || (num[0] != 'W' && num[0] != 'w') {
		return Week{}, fmt.Errorf("%w: %q is not of the form 2026-W47 (year, dash, W, week number)", ErrInvalidWeek, s)
	}
	num = num[1:]
	if len(year) != 4 || !digits(year) {
		return Week{}, fmt.Errorf("%w: %q: the year must be four digits, as in 2026-W47", ErrInvalidWeek, s)
	}
	if len(num) > 2 || !digits(num) {
		return Week{}, fmt.Errorf("%w: %q: the week must be a number from 1 to 53, as in 2026-W47", ErrInvalidWeek, s)
	}
	y, _ := strconv.Atoi(year)
	n, _ := strconv.Atoi(num)
	w := Week{Year: y, Number: n}
	if err := w.Validate(); err != nil {
		return Week{}, err
	}
	return w, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// monday returns the civil date (at noon UTC, so no zone can shift its day) of w's Monday.
// 4 January is always in week 1, so week 1's Monday is the Monday on or before it.
func (w Week) monday() time.Time {
	jan4 := time.Date(w.Year, time.January, 4, 12, 0, 0, 0, time.UTC)
	back := (int(jan4.Weekday()) + 6) % 7 // days since Monday
	return jan4.AddDate(0, 0, -back+7*(w.Number-1))
}

// Start is the instant w begins in loc: its Monday at 00:00 local time (Europe/Rome when loc
// is nil). In a zone where that midnight does not exist, time.Date's normalisation applies.
func (w Week) Start(loc *time.Location) time.Time {
	d := w.monday()
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, orRome(loc))
}

// End is the instant w ends in loc (exclusive): the next Monday at 00:00 local time.
func (w Week) End(loc *time.Location) time.Time { return w.Add(1).Start(loc) }

// Bounds returns w's [start, end) in loc (Europe/Rome when nil).
func (w Week) Bounds(loc *time.Location) (start, end time.Time) {
	return w.Start(loc), w.End(loc)
}

// Contains reports whether t falls in w on loc's wall clock.
func (w Week) Contains(t time.Time, loc *time.Location) bool { return WeekOf(t, loc) == w }

// Add returns the week n weeks after w (before, when n is negative), across year ends.
func (w Week) Add(n int) Week {
	y, k := w.monday().AddDate(0, 0, 7*n).ISOWeek()
	return Week{Year: y, Number: k}
}

// Before reports whether w comes before v.
func (w Week) Before(v Week) bool {
	return w.Year < v.Year || (w.Year == v.Year && w.Number < v.Number)
}

// Compare returns −1, 0 or +1 as w is before, equal to or after v (for slices.SortFunc).
func (w Week) Compare(v Week) int {
	switch {
	case w.Before(v):
		return -1
	case v.Before(w):
		return 1
	}
	return 0
}

// WeekOf returns the week containing t on loc's wall clock (Europe/Rome when nil): Sunday
// 23:30 in Rome is still that week, though it is 22:30 UTC (21:30 in summer), and Monday 00:30
// in Rome is already the next one, though it is still Sunday in UTC.
func WeekOf(t time.Time, loc *time.Location) Week {
	y, n := t.In(orRome(loc)).ISOWeek()
	return Week{Year: y, Number: n}
}

// LastCompleteWeek returns the latest week that had ended by now in loc: the week before the
// one containing now (at Monday 00:00 sharp the week just ended is complete). It is the
// summary's default week.
func LastCompleteWeek(now time.Time, loc *time.Location) Week { return WeekOf(now, loc).Add(-1) }

// WeeksBefore returns the n weeks before w, oldest first, w excluded (nil when n ≤ 0): the
// baseline for "the change from the previous 4 weeks".
func WeeksBefore(w Week, n int) []Week {
	if n <= 0 {
		return nil
	}
	out := make([]Week, n)
	for i := range out {
		out[i] = w.Add(i - n)
	}
	return out
}

// WeeksEnding returns the n weeks ending with last, oldest first, last included (nil when
// n ≤ 0): the x axis of a 12-week trend.
func WeeksEnding(last Week, n int) []Week {
	if n <= 0 {
		return nil
	}
	return append(WeeksBefore(last, n-1), last)
}
