package jobs

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
)

// DefaultCatchUp is how far back a newly elected leader looks for a firing it missed, when
// Schedule.CatchUp is 0. It covers a deploy or a leader crash around the fire time: River's
// periodic enqueuer keeps its plan in memory only, so without catch-up a firing that falls
// between the old leader's exit and the new one's election would simply not happen.
const DefaultCatchUp = 10 * time.Minute

// DefaultScheduleAttempts is how many times a failing firing is tried when
// Schedule.MaxAttempts is 0. River's backoff (attempt⁴ seconds) puts the tenth attempt about
// four hours after the first: late enough to ride out an outage, early enough that a 09:00
// reminder is not delivered the next week.
const DefaultScheduleAttempts = 10

// Schedule is a cron-driven piece of work: each firing runs Run once, across any number of
// replicas.
type Schedule struct {
	// Name identifies the schedule in scheduled_runs, logs and job args: letters, digits and
	// _ . : - (2 to 100 characters). Renaming a schedule makes its firings new ones.
	Name string
	// Cron is a five-field cron expression or a descriptor (@daily, @weekly, …), read in the
	// Runner's Location (see ParseCron).
	Cron string
	// Run does the firing's work. It runs in the transaction that records the firing, so its
	// database writes (f.Tx) and follow-up jobs (f.Client.InsertTx, EnqueuePostTx) commit
	// together with the record, or not at all. It should not post to Slack itself: posts go
	// through post jobs, which are idempotent on their own.
	Run func(ctx context.Context, f Firing) error
	// CatchUp is how far back to look for a missed firing when a leader takes over
	// (DefaultCatchUp when 0; negative disables catch-up). A missed firing runs late, once.
	CatchUp time.Duration
	// MaxAttempts bounds the tries of a failing firing (DefaultScheduleAttempts when 0).
	MaxAttempts int
	// Timeout bounds one run (DefaultScheduleTimeout when 0). A firing killed with its
	// process is retried once Timeout has passed (River's rescuer waits for it), and its
	// claim in scheduled_runs keeps a retry from doing twice what committed.
	Timeout time.Duration
}

// Firing is one occurrence of a schedule, handed to Schedule.Run.
type Firing struct {
	// Schedule is the schedule's name.
	Schedule string
	// FireAt is the time the firing was due, in the Runner's Location. It identifies the
	// firing: derive idempotency keys of follow-up posts from it.
	FireAt time.Time
	// Attempt is River's attempt number, from 1.
	Attempt int
	// Tx is the transaction that records the firing. Do the firing's writes in it.
	Tx pgx.Tx
	// Client inserts follow-up jobs, with InsertTx on Tx.
	Client *river.Client[pgx.Tx]
}

// ScheduleArgs are the args of a scheduled_run job: one firing of a schedule. Both fields are
// part of the job's unique key, so the same firing is inserted once however many clients try.
type ScheduleArgs struct {
	// Schedule is the schedule's name.
	Schedule string `json:"schedule"`
	// FireAt is the firing's time, in UTC so that the unique key does not depend on the zone
	// of the replica that inserted it.
	FireAt time.Time `json:"fire_at"`
}

// KindScheduledRun is the River kind of ScheduleArgs.
const KindScheduledRun = "scheduled_run"

// Kind implements river.JobArgs.
func (ScheduleArgs) Kind() string { return KindScheduledRun }

// InsertOpts implements river.JobArgsWithInsertOpts: unique by args (schedule and fire time)
// while the job exists (River's default states, completed included). ByPeriod would add
// nothing, since the fire time is in the args.
func (ScheduleArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

var scheduleNameRE = regexp.MustCompile(`\A[A-Za-z0-9_][A-Za-z0-9_.:\-]{1,99}\z`)

// schedule is a configured Schedule with its parsed cron expression. It is also the
// river.PeriodicSchedule handed to River, and remembers the last time it returned: River's
// periodic job constructor is not told which fire time it is building a job for, but it is
// called just before River asks for the time after that one, so the last value returned is
// the firing being built.
type schedule struct {
	Schedule
	cron *CronSchedule

	mu      sync.Mutex
	next    time.Time // the last Next returned to River: the firing River waits for
	atStart bool      // Next was last called from a (re)start of the enqueuer, not a firing
}

func newSchedule(s Schedule, loc *time.Location, seconds bool) (*schedule, error) {
	if !scheduleNameRE.MatchString(s.Name) {
		return nil, fmt.Errorf("jobs: schedule name %q: use 2-100 letters, digits, _ . : -", s.Name)
	}
	if s.Run == nil {
		return nil, fmt.Errorf("jobs: schedule %q has no Run", s.Name)
	}
	c, err := parseCron(s.Cron, loc, seconds)
	if err != nil {
		return nil, fmt.Errorf("jobs: schedule %q: %w", s.Name, err)
	}
	if s.CatchUp == 0 {
		s.CatchUp = DefaultCatchUp
	}
	if s.MaxAttempts <= 0 {
		s.MaxAttempts = DefaultScheduleAttempts
	}
	return &schedule{Schedule: s, cron: c}, nil
}

// Next implements river.PeriodicSchedule.
func (s *schedule) Next(t time.Time) time.Time {
	n := s.cron.Next(t)
	s.mu.Lock()
	// River calls Next with the previous firing when that firing has just been enqueued, and
	// with the current time when its enqueuer (re)starts on a newly elected leader.
	s.atStart = !t.Equal(s.next)
	s.next = n
	s.mu.Unlock()
	return n
}

// periodicJob returns the River periodic job that enqueues s's firings.
func (s *schedule) periodicJob() *river.PeriodicJob {
	return river.NewPeriodicJob(s, func() (river.JobArgs, *river.InsertOpts) {
		fireAt, ok := s.firing(time.Now())
		if !ok {
			return nil, nil // River reads nil args as "nothing to enqueue"
		}
		return ScheduleArgs{Schedule: s.Name, FireAt: fireAt.UTC()}, &river.InsertOpts{MaxAttempts: s.MaxAttempts}
	}, &river.PeriodicJobOpts{
		// RunOnStart makes River call the constructor when a leader starts enqueueing, which
		// is when a missed firing can be caught up.
		RunOnStart: true,
	})
}

// firing returns the fire time of the job River is building at now: the firing it was waiting
// for, or, at a leader's start, the latest firing within CatchUp (possibly already done
// elsewhere, in which case the unique key or scheduled_runs drop it).
func (s *schedule) firing(now time.Time) (time.Time, bool) {
	s.mu.Lock()
	next, atStart := s.next, s.atStart
	s.atStart = false
	s.mu.Unlock()
	if atStart {
		return s.latestFiring(now)
	}
	// River fires up to 100 ms early; anything further off means the bookkeeping above no
	// longer matches River's calls, and enqueueing nothing beats enqueueing a wrong firing.
	if next.IsZero() || next.After(now.Add(time.Second)) {
		return time.Time{}, false
	}
	return next, true
}

// maxCatchUpSteps bounds the walk in latestFiring (a seconds schedule with a long CatchUp).
const maxCatchUpSteps = 100_000

// latestFiring returns the latest firing in (now-CatchUp, now].
func (s *schedule) latestFiring(now time.Time) (time.Time, bool) {
	if s.CatchUp < 0 {
		return time.Time{}, false
	}
	var last time.Time
	t := now.Add(-s.CatchUp)
	for range maxCatchUpSteps {
		n := s.cron.Next(t)
		if n.IsZero() || n.After(now) {
			break
		}
		last, t = n, n
	}
	return last, !last.IsZero()
}

// scheduleWorker works scheduled_run jobs.
type scheduleWorker struct {
	river.WorkerDefaults[ScheduleArgs]
	r *Runner
}

// DefaultScheduleTimeout bounds a firing without a Timeout of its own: a round of a large
// programme is planned and recorded in the firing, so it keeps River's former default rather
// than the shorter JobTimeout sized for posts.
const DefaultScheduleTimeout = time.Minute

// Timeout applies the schedule's own timeout, or DefaultScheduleTimeout.
func (w *scheduleWorker) Timeout(job *river.Job[ScheduleArgs]) time.Duration {
	if s, ok := w.r.schedules[job.Args.Schedule]; ok && s.Timeout > 0 {
		return s.Timeout
	}
	return DefaultScheduleTimeout
}

// Work runs the firing once: the claim in scheduled_runs, the schedule's work and the job's
// completion share one transaction.
func (w *scheduleWorker) Work(ctx context.Context, job *river.Job[ScheduleArgs]) error {
	fireAt := job.Args.FireAt.In(w.r.loc)
	log := w.r.log.With("kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt,
		"schedule", job.Args.Schedule, "fire_at", fireAt)
	s, ok := w.r.schedules[job.Args.Schedule]
	if !ok {
		// Another replica (a newer or older release) may know it: fail and let River retry.
		w.r.count(job.Kind, OutcomeError)
		log.ErrorContext(ctx, "jobs: unknown schedule")
		return fmt.Errorf("jobs: unknown schedule %q", job.Args.Schedule)
	}
	start := time.Now()
	ran, err := w.r.store.RunOnce(ctx, s.Name, fireAt, func(ctx context.Context, tx pgx.Tx) error {
		err := s.Run(ctx, Firing{Schedule: s.Name, FireAt: fireAt, Attempt: job.Attempt, Tx: tx, Client: w.r.client})
		if err != nil {
			return err
		}
		// Completing the job in the same transaction closes the last gap: a crash after
		// commit cannot leave a running job to be rescued and worked again.
		if _, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job); err != nil {
			return fmt.Errorf("complete job: %w", err)
		}
		return nil
	})
	switch {
	case err != nil:
		w.r.count(job.Kind, OutcomeError)
		log.ErrorContext(ctx, "jobs: scheduled run failed", "err", err)
		return fmt.Errorf("jobs: schedule %s at %s: %w", s.Name, fireAt.Format(time.RFC3339), err)
	case !ran:
		w.r.count(job.Kind, OutcomeSkipped)
		log.InfoContext(ctx, "jobs: scheduled run already done; skipped")
	default:
		w.r.count(job.Kind, OutcomeOK)
		log.InfoContext(ctx, "jobs: scheduled run done", "duration_ms", time.Since(start).Milliseconds())
	}
	return nil
}
