package jobs

import (
	"context"
	"testing"
	"time"
)

// The periodic constructor learns the fire time from the schedule's bookkeeping. This replays
// the calls River's periodic enqueuer makes (see its Start): Next(now) when a leader starts,
// the RunOnStart constructor right after, then, each time the timer fires, the constructor
// followed by Next(the firing).
func TestScheduleBookkeepingFollowsRiversCalls(t *testing.T) {
	t.Parallel()
	s, err := newSchedule(Schedule{Name: "digest", Cron: "0 9 * * *", Run: func(context.Context, Firing) error { return nil }}, time.UTC, false)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 30, 9, 4, 30, 0, time.UTC) // a leader elected 4.5 minutes late

	first := s.Next(start)
	if want := time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC); !first.Equal(want) {
		t.Fatalf("first Next = %v, want %v", first, want)
	}
	// At start, the firing missed 4.5 minutes ago is within DefaultCatchUp: caught up.
	if got, ok := s.firing(start); !ok || !got.Equal(time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("start firing = %v, %v; want today's 09:00 caught up", got, ok)
	}
	// The timer fires (River allows 100 ms early): the job is for the firing River waited for.
	if got, ok := s.firing(first.Add(-50 * time.Millisecond)); !ok || !got.Equal(first) {
		t.Fatalf("timer firing = %v, %v; want %v", got, ok, first)
	}
	second := s.Next(first)
	if got, ok := s.firing(second.Add(3 * time.Millisecond)); !ok || !got.Equal(second) {
		t.Fatalf("next timer firing = %v, %v; want %v", got, ok, second)
	}
	s.Next(second)

	// A new leadership term: Next(now) again, and nothing to catch up this time.
	restart := time.Date(2026, 4, 2, 15, 0, 0, 0, time.UTC)
	s.Next(restart)
	if got, ok := s.firing(restart); ok {
		t.Fatalf("start firing with nothing missed = %v, want none", got)
	}
	// A constructor call far from the awaited firing enqueues nothing.
	if got, ok := s.firing(restart); ok {
		t.Fatalf("early firing = %v, want none", got)
	}
}

func TestScheduleCatchUpCanBeDisabled(t *testing.T) {
	t.Parallel()
	s, err := newSchedule(Schedule{Name: "digest", Cron: "0 9 * * *", CatchUp: -1, Run: func(context.Context, Firing) error { return nil }}, time.UTC, false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 30, 9, 0, 1, 0, time.UTC)
	s.Next(now)
	if got, ok := s.firing(now); ok {
		t.Fatalf("start firing with catch-up disabled = %v, want none", got)
	}
}
