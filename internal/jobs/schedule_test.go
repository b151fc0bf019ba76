package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// firings counts Run invocations per fire time and signals each new one.
type firings struct {
	mu     sync.Mutex
	count  map[time.Time]int
	zones  map[string]bool
	signal chan time.Time
}

func newFirings() *firings {
	return &firings{count: map[time.Time]int{}, zones: map[string]bool{}, signal: make(chan time.Time, 1000)}
}

func (f *firings) run(ctx context.Context, fr jobs.Firing) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := fr.FireAt.UTC()
	f.count[key]++
	f.zones[fr.FireAt.Location().String()] = true
	f.signal <- key
	return nil
}

// waitDistinct waits until n distinct fire times after since have run.
func (f *firings) waitDistinct(t *testing.T, n int, since time.Time) {
	t.Helper()
	deadline := time.After(testTimeout)
	seen := map[time.Time]bool{}
	f.mu.Lock()
	for at := range f.count {
		if at.After(since) {
			seen[at] = true
		}
	}
	f.mu.Unlock()
	for len(seen) < n {
		select {
		case at := <-f.signal:
			if at.After(since) {
				seen[at] = true
			}
		case <-deadline:
			t.Fatalf("%d firings after %v within %v, want %d", len(seen), since, testTimeout, n)
		}
	}
}

func (f *firings) snapshot() map[time.Time]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[time.Time]int, len(f.count))
	for k, v := range f.count {
		out[k] = v
	}
	return out
}

func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Two replicas run the same every-second schedule on one database; the leader changes midway
// (the first replica stops and the second takes over, catching up the latest firing). Every
// fire time must be worked exactly once, and recorded once in scheduled_runs.
func TestScheduleRunsOncePerFiringAcrossTwoRunners(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	poolA, poolB := openPool(t, url), openPool(t, url)
	loc := time.FixedZone("test", 2*3600) // an offset other than UTC, to see fire times keep the zone
	f := newFirings()
	m := metrics.New()
	cfg := jobs.Config{
		Metrics:     m,
		Location:    loc,
		CronSeconds: true,
		Schedules:   []jobs.Schedule{{Name: "every-second", Cron: "* * * * * *", Run: f.run}},
	}

	// A starts alone, so it is the leader.
	a := startRunner(t, poolA, cfg)
	f.waitDistinct(t, 2, time.Time{})

	// B joins: both fetch and work jobs now.
	b := startRunner(t, poolB, cfg)
	f.waitDistinct(t, 3, time.Time{})

	// The leader leaves; B is elected and must carry on without repeating a firing.
	stopRunner(t, a)
	handover := time.Now()
	f.waitDistinct(t, 2, handover)
	// Stopping lets the firing in progress commit, so that what ran and what is recorded
	// can be compared. (Stopping again at cleanup is a no-op.)
	stopRunner(t, b)

	got := f.snapshot()
	if len(got) < 4 {
		t.Fatalf("%d distinct firings, want at least 4", len(got))
	}
	for at, n := range got {
		if n != 1 {
			t.Errorf("firing %v ran %d times, want once", at, n)
		}
		if at.Nanosecond() != 0 {
			t.Errorf("firing %v is not on a whole second", at)
		}
	}
	if f.zones[loc.String()] != true || len(f.zones) != 1 {
		t.Errorf("fire times were given in zones %v, want only %s", f.zones, loc)
	}

	// Every firing that ran is recorded, once (the primary key allows no more), and nothing
	// else is.
	runs, err := postgres.NewOutbound(poolB).ScheduledRuns(context.Background(), "every-second")
	if err != nil {
		t.Fatal(err)
	}
	for at := range got {
		if !slices.ContainsFunc(runs, at.Equal) {
			t.Errorf("firing %v ran but is not in scheduled_runs %v", at, runs)
		}
	}
	if len(runs) != len(got) {
		t.Errorf("scheduled_runs has %d rows, %d firings ran", len(runs), len(got))
	}
	if ok := jobsCount(m, jobs.KindScheduledRun, jobs.OutcomeOK); ok != len(got) {
		t.Errorf("jobs{scheduled_run,ok} = %d, want %d", ok, len(got))
	}
}

// A duplicate of a firing that gets past River's unique key (here: the same instant written in
// another zone, so the args differ) is stopped by scheduled_runs; an exact duplicate is
// stopped by the unique key.
func TestDuplicateFiringIsSkipped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	f := newFirings()
	m := metrics.New()
	r := startRunner(t, pool, jobs.Config{
		Metrics:   m,
		Schedules: []jobs.Schedule{{Name: "yearly", Cron: "0 9 1 1 *", CatchUp: -1, Run: f.run}},
	})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	fireAt := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	if _, err := r.Client().Insert(ctx, jobs.ScheduleArgs{Schedule: "yearly", FireAt: fireAt}, nil); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, events, jobs.KindScheduledRun, river.EventKindJobCompleted, river.EventKindJobFailed); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("first firing: %s", ev.Kind)
	}

	exact, err := r.Client().Insert(ctx, jobs.ScheduleArgs{Schedule: "yearly", FireAt: fireAt}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !exact.UniqueSkippedAsDuplicate {
		t.Fatal("an identical firing was inserted again")
	}

	sameInstant := fireAt.In(time.FixedZone("CET", 3600))
	res, err := r.Client().Insert(ctx, jobs.ScheduleArgs{Schedule: "yearly", FireAt: sameInstant}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.UniqueSkippedAsDuplicate {
		t.Fatal("test setup: expected the zone-shifted args to pass the unique key")
	}
	if ev := waitEvent(t, events, jobs.KindScheduledRun, river.EventKindJobCompleted, river.EventKindJobFailed); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("duplicate firing: %s", ev.Kind)
	}
	if got := f.snapshot(); len(got) != 1 || got[fireAt] != 1 {
		t.Fatalf("runs = %v, want one run of %v", got, fireAt)
	}
	if ok, skipped := jobsCount(m, jobs.KindScheduledRun, jobs.OutcomeOK), jobsCount(m, jobs.KindScheduledRun, jobs.OutcomeSkipped); ok != 1 || skipped != 1 {
		t.Fatalf("jobs{scheduled_run}: ok=%d skipped=%d; want 1 and 1", ok, skipped)
	}
}

// A firing whose Run fails leaves no trace (its writes and its record roll back), is retried,
// and its follow-up post, enqueued in the firing's transaction, goes out once.
func TestFailedFiringIsRetriedAndItsPostSentOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	poster := &fakePoster{}
	var (
		mu       sync.Mutex
		attempts int
	)
	run := func(ctx context.Context, fr jobs.Firing) error {
		key := fmt.Sprintf("reminder:%s", fr.FireAt.UTC().Format(time.RFC3339))
		if _, err := jobs.EnqueuePostTx(ctx, fr.Client, fr.Tx, jobs.PostArgs{Key: key, Channel: "D1", Reply: bot.Reply{Text: "Promemoria"}}); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		attempts++
		if attempts == 1 {
			return errors.New("the database of exchange rounds is busy")
		}
		return nil
	}
	r := startRunner(t, pool, jobs.Config{
		Poster:    poster,
		Schedules: []jobs.Schedule{{Name: "reminder", Cron: "0 9 * * 1", CatchUp: -1, Run: run}},
	})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	fireAt := time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)
	if _, err := r.Client().Insert(ctx, jobs.ScheduleArgs{Schedule: "reminder", FireAt: fireAt}, nil); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, events, jobs.KindScheduledRun, river.EventKindJobFailed); ev.Job.Attempt != 1 {
		t.Fatalf("failed attempt %d, want 1", ev.Job.Attempt)
	}
	if runs, _ := postgres.NewOutbound(pool).ScheduledRuns(ctx, "reminder"); len(runs) != 0 {
		t.Fatalf("a failed firing was recorded: %v", runs)
	}
	if ev := waitEvent(t, events, jobs.KindScheduledRun, river.EventKindJobCompleted); ev.Job.Attempt != 2 {
		t.Fatalf("completed on attempt %d, want 2", ev.Job.Attempt)
	}
	waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted)
	if calls, posts := poster.snapshot(); calls != 1 || len(posts) != 1 {
		t.Fatalf("poster: %d calls, %d posts; want the reminder once", calls, len(posts))
	}
	if runs, _ := postgres.NewOutbound(pool).ScheduledRuns(ctx, "reminder"); len(runs) != 1 || !runs[0].Equal(fireAt) {
		t.Fatalf("scheduled_runs = %v, want [%v]", runs, fireAt)
	}
}

func TestNewRefusesInvalidSchedules(t *testing.T) {
	t.Parallel()
	// New does not connect: a pool on a closed port is enough to check configuration.
	pool, err := pgxpool.New(context.Background(), "postgres://postgres@127.0.0.1:1/none?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	run := func(context.Context, jobs.Firing) error { return nil }
	out := postgres.NewOutbound(pool)
	tests := []struct {
		name      string
		schedules []jobs.Schedule
		cronErr   bool
	}{
		{"bad cron", []jobs.Schedule{{Name: "digest", Cron: "0 25 * * *", Run: run}}, true},
		{"seconds not enabled", []jobs.Schedule{{Name: "digest", Cron: "* * * * * *", Run: run}}, true},
		{"never fires", []jobs.Schedule{{Name: "digest", Cron: "0 9 31 4 *", Run: run}}, true},
		{"no name", []jobs.Schedule{{Cron: "@daily", Run: run}}, false},
		{"bad name", []jobs.Schedule{{Name: "weekly digest!", Cron: "@daily", Run: run}}, false},
		{"no run", []jobs.Schedule{{Name: "digest", Cron: "@daily"}}, false},
		{"duplicate", []jobs.Schedule{{Name: "digest", Cron: "@daily", Run: run}, {Name: "digest", Cron: "@weekly", Run: run}}, false},
	}
	for _, tt := range tests {
		_, err := jobs.New(pool, jobs.Config{Outbound: out, Schedules: tt.schedules})
		if err == nil {
			t.Errorf("%s: New accepted %+v", tt.name, tt.schedules)
			continue
		}
		if tt.cronErr != errors.Is(err, jobs.ErrInvalidCron) {
			t.Errorf("%s: error %v; wraps ErrInvalidCron = %v, want %v", tt.name, err, !tt.cronErr, tt.cronErr)
		}
	}
	if _, err := jobs.New(pool, jobs.Config{Schedules: []jobs.Schedule{{Name: "digest", Cron: "@daily", Run: run}}}); err == nil {
		t.Error("New accepted a Config without Outbound")
	}
	r, err := jobs.New(pool, jobs.Config{Outbound: out, Schedules: []jobs.Schedule{{Name: "digest:C1", Cron: "0 9 * * 1", Run: run}}})
	if err != nil {
		t.Fatalf("a valid schedule was refused: %v", err)
	}
	if r.Location().String() != jobs.DefaultLocation {
		t.Errorf("default location = %v, want %s", r.Location(), jobs.DefaultLocation)
	}
}
