package meetcal

import (
	"errors"
	"fmt"
	"time"
	_ "time/tzdata" // the default zone (Europe/Rome) must load even on hosts without tzdata

	"github.com/comune-prato/cantieri/internal/cronspec"
)

// DefaultLocation is the time zone of a programme that names none: the council's.
const DefaultLocation = "Europe/Rome"

// MaxEveryNWeeks is the largest "every N weeks": a round a year.
const MaxEveryNWeeks = 52

// SearchLimit bounds how far ahead Plan.Next looks for a round before giving up.
const SearchLimit = 5 * 365 * 24 * time.Hour

// Errors of NewPlan, one per thing a coordinator can get wrong, so that the caller can translate
// them. Each error wraps exactly one of them.
var (
	// ErrInvalidCron: the expression does not parse, or never fires at all (30 February). It is
	// cronspec.ErrInvalidCron.
	ErrInvalidCron = cronspec.ErrInvalidCron
	// ErrEveryNWeeks: "every N weeks" is not between 1 and MaxEveryNWeeks.
	ErrEveryNWeeks = errors.New("every N weeks must be between 1 and 52")
	// ErrTooFrequent: the expression fires more often than once an hour; exchange rounds that
	// close together make no sense.
	ErrTooFrequent = errors.New("it fires more often than once an hour")
	// ErrNeverFires: every firing falls on a holiday (or in a skipped week), so no round would
	// ever happen, such as "0 10 25 12 *".
	ErrNeverFires = errors.New("every date it fires on is a public holiday")
)

// Plan is when the rounds of one exchange programme happen: the firings of a cron expression
// on the wall clock of the programme's time zone, only in every N-th week counted from the
// programme's creation, minus those on a holiday. A firing on a holiday is skipped, not moved.
// The zero Plan never fires. A Plan is a value, safe for concurrent use.
type Plan struct {
	sched  *cronspec.Schedule
	every  int
	loc    *time.Location
	anchor time.Time
	cal    *Calendar
}

// NewPlan validates and returns a programme's plan.
//
//   - spec is a five-field cron expression or a descriptor (see cronspec.Parse), read in loc
//     (DefaultLocation when nil) unless it starts with CRON_TZ=.
//   - everyNWeeks is 1 for every firing, or N (2..52) for firings only in the weeks whose
//     distance from anchor's week is a multiple of N. Weeks are ISO weeks (Monday to Sunday) in
//     loc, counted across years, so alternation does not slip at week 52 or 53.
//   - anchor is the programme's creation time. It is required when everyNWeeks > 1; it is also
//     where the search for a first round starts (the current time when anchor is zero), so the
//     result does not depend on the clock when anchor is given.
//   - cal gives the holidays to skip; nil means the national holidays only.
//
// Errors wrap ErrInvalidCron, ErrEveryNWeeks, ErrTooFrequent or ErrNeverFires.
func NewPlan(spec string, everyNWeeks int, loc *time.Location, anchor time.Time, cal *Calendar) (Plan, error) {
	if loc == nil {
		l, err := time.LoadLocation(DefaultLocation)
		if err != nil {
			return Plan{}, fmt.Errorf("meetcal: load %s: %w", DefaultLocation, err)
		}
		loc = l
	}
	sched, err := cronspec.Parse(spec, loc)
	switch {
	case errors.Is(err, cronspec.ErrSubMinute):
		return Plan{}, fmt.Errorf("meetcal: schedule %q: %w", spec, ErrTooFrequent)
	case err != nil:
		return Plan{}, fmt.Errorf("meetcal: schedule: %w", err)
	}
	if everyNWeeks < 1 || everyNWeeks > MaxEveryNWeeks {
		return Plan{}, fmt.Errorf("meetcal: %w (got %d)", ErrEveryNWeeks, everyNWeeks)
	}
	if everyNWeeks > 1 && anchor.IsZero() {
		return Plan{}, fmt.Errorf("meetcal: every %d weeks needs an anchor (the programme's creation time)", everyNWeeks)
	}
	start := anchor
	if start.IsZero() {
		start = time.Now()
	}
	// Holidays and skipped weeks remove whole days, never single firings within a day, so the
	// shortest gap is the cron expression's own. Two firings in the same hour (0,30 10 * * 1)
	// or an @every below an hour show within the first few firings.
	firings := sched.NextN(start, 50)
	for i := 1; i < len(firings); i++ {
		if firings[i].Sub(firings[i-1]) < time.Hour {
			return Plan{}, fmt.Errorf("meetcal: schedule %q: %w (%s then %s)", spec, ErrTooFrequent,
				firings[i-1].Format("15:04"), firings[i].Format("15:04"))
		}
	}
	p := Plan{sched: sched, every: everyNWeeks, loc: loc, anchor: anchor, cal: cal}
	if p.Next(start).IsZero() {
		return Plan{}, fmt.Errorf("meetcal: schedule %q: %w", spec, ErrNeverFires)
	}
	return p, nil
}

// Next returns the first round strictly after the instant after, in the plan's time zone, or the
// zero time if there is none within SearchLimit.
func (p Plan) Next(after time.Time) time.Time {
	if p.sched == nil {
		return time.Time{}
	}
	limit := after.Add(SearchLimit)
	t := after
	// Each turn either returns or moves t to at least the next day, so this is bounded by the
	// days in SearchLimit; the cap only guards against a mistake.
	for range 4 * 366 * 5 {
		n := p.sched.Next(t)
		if n.IsZero() || n.After(limit) {
			return time.Time{}
		}
		local := n.In(p.loc)
		if p.every > 1 {
			if k := floorMod(weeksBetween(p.anchor, local, p.loc), p.every); k != 0 {
				// Go straight to the Monday of the next week that counts.
				y, m, d := local.Date()
				monday := d - weekdayIndex(local) + 7*(p.every-k)
				t = advance(n, time.Date(y, m, monday, 0, 0, 0, 0, p.loc))
				continue
			}
		}
		if ok, _ := p.cal.IsHoliday(local); ok {
			y, m, d := local.Date()
			t = advance(n, time.Date(y, m, d+1, 0, 0, 0, 0, p.loc))
			continue
		}
		return local
	}
	return time.Time{}
}

// NextN returns the next n rounds after the instant after (fewer if the plan ends within
// SearchLimit), for previews such as "the next three rounds".
func (p Plan) NextN(after time.Time, n int) []time.Time {
	out := make([]time.Time, 0, max(n, 0))
	for range n {
		after = p.Next(after)
		if after.IsZero() {
			break
		}
		out = append(out, after)
	}
	return out
}

// Spec returns the cron expression, or "" for the zero Plan.
func (p Plan) Spec() string {
	if p.sched == nil {
		return ""
	}
	return p.sched.String()
}

// EveryNWeeks returns N of "every N weeks" (1: every firing).
func (p Plan) EveryNWeeks() int { return p.every }

// Location returns the time zone the plan is read in.
func (p Plan) Location() *time.Location { return p.loc }

// Anchor returns the instant weeks are counted from.
func (p Plan) Anchor() time.Time { return p.anchor }

// Calendar returns the holidays the plan skips (nil: the national ones).
func (p Plan) Calendar() *Calendar { return p.cal }

// advance returns the instant just before start, from which the cron schedule's Next (strictly
// after, to the second) finds a firing at start or later; never earlier than from, so the
// search always moves on.
func advance(from, start time.Time) time.Time {
	t := start.Add(-time.Nanosecond)
	if !t.After(from) {
		return from
	}
	return t
}

// weekdayIndex is 0 for Monday to 6 for Sunday.
func weekdayIndex(t time.Time) int { return (int(t.Weekday()) + 6) % 7 }

// mondayDay returns the day number (days since 1970-01-01) of the Monday of t's ISO week, with
// t's date read in loc.
func mondayDay(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	civil := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // exact multiple of a day: no DST here
	return civil.Unix()/86400 - int64(weekdayIndex(civil))
}

// weeksBetween returns how many weeks b's ISO week is after a's (negative if before).
func weeksBetween(a, b time.Time, loc *time.Location) int {
	return int((mondayDay(b, loc) - mondayDay(a, loc)) / 7)
}

func floorMod(a, n int) int {
	r := a % n
	if r < 0 {
		r += n
	}
	return r
}
