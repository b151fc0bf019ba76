// Package cronspec parses cron expressions and evaluates them on the wall clock of a time zone.
//
// It is pure (no I/O, no queue, no storage) so that both the job runner (internal/jobs, which
// hands a Schedule to River) and the algorithm packages that reason about dates (internal/meetcal,
// when exchange rounds happen) read an expression the same way: "0 9 * * 1" is 09:00 on Mondays
// in the schedule's zone, whatever the offset from UTC on that day.
package cronspec

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// ErrInvalidCron is wrapped by the errors of Parse and ParseWithSeconds, so that callers (a
// command that subscribes a channel to a digest, say) can tell a user's bad expression from an
// internal failure.
var ErrInvalidCron = errors.New("invalid cron expression")

// ErrSubMinute is wrapped, together with ErrInvalidCron, by Parse's error for an expression that
// fires more often than once a minute ("@every 10s"), for callers that want to say so.
var ErrSubMinute = errors.New("it fires more often than once a minute")

// standardParser reads the classic five fields (minute hour day-of-month month day-of-week) and
// descriptors such as @daily or @every 1h, like cron.ParseStandard.
var standardParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// secondsParser also accepts an optional leading seconds field. It is used only by
// ParseWithSeconds (tests of the job runner), because River advises against periodic jobs more
// frequent than a minute, and a six-field typo in production would fire every second.
var secondsParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Schedule is a parsed cron expression evaluated in a time zone: "0 9 * * 1" means 09:00 on
// Mondays on the wall clock of that zone, whatever the offset from UTC on the day, so that a
// schedule keeps its local hour across daylight-saving changes. It satisfies river's
// PeriodicSchedule.
type Schedule struct {
	spec  string
	sched cron.Schedule
	loc   *time.Location
}

// Parse parses spec, a standard five-field cron expression or a descriptor (@daily, @weekly,
// @every 2h, …), to be evaluated in loc (UTC when nil). A CRON_TZ=Zone/Name prefix in spec
// overrides loc. Errors wrap ErrInvalidCron; an expression that never fires (30 February) or
// fires more often than once a minute is refused too.
//
// Daylight saving: a firing keeps its wall-clock time on both sides of a change (09:00 stays
// 09:00). Only times inside the hour that the change skips or repeats (02:00-02:59 in
// Europe/Rome) are special, as robfig/cron computes them: a firing in the skipped hour does not
// happen that day, one in the repeated hour happens twice. Schedules should avoid that hour.
func Parse(spec string, loc *time.Location) (*Schedule, error) {
	return parse(spec, loc, false)
}

// ParseWithSeconds is Parse that also accepts an optional leading seconds field ("*/5 * * * * *")
// and allows sub-minute schedules. It exists for tests that cannot wait a minute for a firing;
// production schedules should use Parse.
func ParseWithSeconds(spec string, loc *time.Location) (*Schedule, error) {
	return parse(spec, loc, true)
}

func parse(spec string, loc *time.Location, seconds bool) (*Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	spec = strings.TrimSpace(spec)
	parser := standardParser
	if seconds {
		parser = secondsParser
	}
	sched, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrInvalidCron, spec, err)
	}
	s := &Schedule{spec: spec, sched: sched, loc: loc}
	// A spec like "0 0 30 2 *" (30 February) parses but never fires; say so now rather than
	// leave a schedule that silently does nothing.
	now := time.Now()
	first := s.Next(now)
	if first.IsZero() {
		return nil, fmt.Errorf("%w %q: it never fires", ErrInvalidCron, spec)
	}
	if !seconds {
		// "@every 10s" gets past the five-field parser; refuse sub-minute schedules there too.
		if second := s.Next(first); !second.IsZero() && second.Sub(first) < time.Minute {
			return nil, fmt.Errorf("%w %q: %w", ErrInvalidCron, spec, ErrSubMinute)
		}
	}
	return s, nil
}

// Next returns the first firing strictly after t, in the schedule's time zone, or the zero
// time if there is none within five years.
func (s *Schedule) Next(t time.Time) time.Time {
	// robfig evaluates a spec without CRON_TZ in the zone of the time it is given, so handing
	// it t in loc is what makes "09:00" mean 09:00 in loc.
	n := s.sched.Next(t.In(s.loc))
	if n.IsZero() {
		return n
	}
	return n.In(s.loc)
}

// NextN returns the next n firings after t (fewer if the schedule ends), for previews such as
// "the next three dates".
func (s *Schedule) NextN(t time.Time, n int) []time.Time {
	out := make([]time.Time, 0, max(n, 0))
	for range n {
		t = s.Next(t)
		if t.IsZero() {
			break
		}
		out = append(out, t)
	}
	return out
}

// Location returns the time zone the schedule is evaluated in (without a CRON_TZ override).
func (s *Schedule) Location() *time.Location { return s.loc }

// String returns the expression as given (without surrounding spaces).
func (s *Schedule) String() string { return s.spec }
