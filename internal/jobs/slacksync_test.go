package jobs_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// fakeSyncer counts syncs and can fail the first ones.
type fakeSyncer struct {
	mu       sync.Mutex
	calls    int
	failures int
}

func (s *fakeSyncer) SyncUsers(context.Context) (bot.UserSyncReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.calls <= s.failures {
		return bot.UserSyncReport{}, errors.New("users.list: ratelimited")
	}
	return bot.UserSyncReport{Seen: 3, Created: 1}, nil
}

func (s *fakeSyncer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Replicas starting together each enqueue a sync: one job runs.
func TestSlackSyncEnqueuedTwiceInAnHourRunsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	syncer := &fakeSyncer{}
	m := metrics.New()
	r := startRunner(t, pool, jobs.Config{UserSyncer: syncer, Metrics: m})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	first, err := jobs.EnqueueSlackSync(ctx, r.Client(), "start")
	if err != nil {
		t.Fatal(err)
	}
	second, err := jobs.EnqueueSlackSync(ctx, r.Client(), "start")
	if err != nil {
		t.Fatal(err)
	}
	if first.UniqueSkippedAsDuplicate || !second.UniqueSkippedAsDuplicate || second.Job.ID != first.Job.ID {
		t.Fatalf("enqueues: first skipped=%v, second skipped=%v (jobs %d, %d); want one job",
			first.UniqueSkippedAsDuplicate, second.UniqueSkippedAsDuplicate, first.Job.ID, second.Job.ID)
	}
	if ev := waitEvent(t, events, jobs.KindSlackSync, river.EventKindJobCompleted, river.EventKindJobFailed); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("sync job %s", ev.Kind)
	}
	// Even once done, the same hour's sync is not inserted again (a replica restarting).
	third, err := jobs.EnqueueSlackSync(ctx, r.Client(), "start")
	if err != nil {
		t.Fatal(err)
	}
	if !third.UniqueSkippedAsDuplicate {
		t.Error("a sync was enqueued again within the hour")
	}
	if n := syncer.count(); n != 1 {
		t.Errorf("synced %d times, want 1", n)
	}
	if got := jobsCount(m, jobs.KindSlackSync, jobs.OutcomeOK); got != 1 {
		t.Errorf("jobs{slack_sync,ok} = %d, want 1", got)
	}
}

func TestSlackSyncFailingIsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	syncer := &fakeSyncer{failures: 1}
	m := metrics.New()
	r := startRunner(t, pool, jobs.Config{UserSyncer: syncer, Metrics: m})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	res, err := jobs.EnqueueSlackSync(ctx, r.Client(), "start")
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, events, jobs.KindSlackSync, river.EventKindJobFailed)
	if len(ev.Job.Errors) != 1 || !strings.Contains(ev.Job.Errors[0].Error, "ratelimited") {
		t.Fatalf("first attempt errors %+v", ev.Job.Errors)
	}
	// Skip River's backoff: make the retry due now.
	if _, err := r.Client().JobRetry(ctx, res.Job.ID); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, events, jobs.KindSlackSync, river.EventKindJobCompleted); ev.Job.ID != res.Job.ID {
		t.Fatalf("completed job %d, want %d", ev.Job.ID, res.Job.ID)
	}
	if got := jobsCount(m, jobs.KindSlackSync, jobs.OutcomeError); got != 1 {
		t.Errorf("jobs{slack_sync,error} = %d, want 1", got)
	}
}

func TestSlackSyncWithoutASyncerFailsClearly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	r := startRunner(t, pool, jobs.Config{})
	events, cancel := r.Client().Subscribe(river.EventKindJobFailed)
	defer cancel()
	if _, err := jobs.EnqueueSlackSync(ctx, r.Client(), "start"); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, events, jobs.KindSlackSync, river.EventKindJobFailed)
	if len(ev.Job.Errors) != 1 || ev.Job.Errors[0].Error != jobs.ErrNoUserSyncer.Error() {
		t.Fatalf("errors %+v, want ErrNoUserSyncer", ev.Job.Errors)
	}
}

// The daily schedule only enqueues the job; firings within the same hour (here every
// second) make one sync.
func TestSlackSyncScheduleEnqueuesOneSyncPerHour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	syncer := &fakeSyncer{}
	r := startRunner(t, pool, jobs.Config{
		UserSyncer:  syncer,
		CronSeconds: true,
		Schedules:   []jobs.Schedule{jobs.SlackSyncSchedule("* * * * * *")},
	})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted)
	defer cancel()
	var firings, syncs int
	for firings < 3 || syncs < 1 {
		ev := waitEvent(t, events, jobs.KindScheduledRun, river.EventKindJobCompleted)
		if ev.Job.Kind == jobs.KindScheduledRun {
			firings++
		}
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state = 'completed'`, jobs.KindSlackSync).Scan(&n); err != nil {
			t.Fatal(err)
		}
		syncs = n
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = $1`, jobs.KindSlackSync).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 || syncer.count() != 1 {
		t.Errorf("%d firings made %d sync jobs and %d syncs, want 1", firings, n, syncer.count())
	}
	// The production schedule is valid (New refuses a bad cron expression).
	newRunner(t, pool, jobs.Config{Schedules: []jobs.Schedule{jobs.SlackSyncSchedule(jobs.DefaultSlackSyncCron)}})
}
