package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/comune-prato/cantieri/bot"
)

// KindSlackSync is the River kind of SlackSyncArgs.
const KindSlackSync = "slack_sync"

// Slack user sync settings.
const (
	// SlackSyncScheduleName is the name of the daily schedule that enqueues a sync.
	SlackSyncScheduleName = "slack_sync"
	// DefaultSlackSyncCron is when the daily sync runs, in the Runner's Location: early, before
	// people start work, outside the DST-ambiguous night hours.
	DefaultSlackSyncCron = "15 6 * * *"
	// DefaultSlackSyncAttempts bounds the tries of a failing sync: with River's backoff
	// (attempt⁴ seconds) the last is about a quarter of an hour after the first, and the next
	// day's sync comes anyway.
	DefaultSlackSyncAttempts = 5
	// slackSyncTimeout bounds one sync: users.list is Tier 2 (about 20 pages a minute), so a
	// few thousand people take well under a minute even with some 429s.
	slackSyncTimeout = 10 * time.Minute
	// slackSyncPeriod is the uniqueness window: replicas starting together, or a start next
	// to the daily firing, sync once.
	slackSyncPeriod = time.Hour
)

// UserSyncer copies the chat workspace's people into the employees. The Slack transport's
// UserSync implements it; it is declared here, where it is used.
type UserSyncer interface {
	// SyncUsers lists the workspace's users and applies them, reporting what changed.
	SyncUsers(ctx context.Context) (bot.UserSyncReport, error)
}

// ErrNoUserSyncer is the error of a slack_sync job worked by a Runner without a UserSyncer
// (a replica started without Slack tokens). The job is retried, so that a replica with one
// can still do it.
var ErrNoUserSyncer = errors.New("jobs: no UserSyncer configured (Slack is not enabled on this replica): cannot sync users")

// SlackSyncArgs are the args of a slack_sync job.
type SlackSyncArgs struct {
	// Reason says what asked for the sync ("start", "daily"), for the logs only: it is not
	// part of the unique key, so a start and the daily firing in the same hour sync once.
	Reason string `json:"reason,omitempty"`
}

// Kind implements river.JobArgs.
func (SlackSyncArgs) Kind() string { return KindSlackSync }

// InsertOpts implements river.JobArgsWithInsertOpts: one sync per hour, whatever the args, in
// the Slack queue (only serve can sync).
func (SlackSyncArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       QueueSlack,
		MaxAttempts: DefaultSlackSyncAttempts,
		UniqueOpts:  river.UniqueOpts{ByPeriod: slackSyncPeriod},
	}
}

// EnqueueSlackSync inserts a sync job, unless one was inserted in the same hour (the result's
// UniqueSkippedAsDuplicate then says so). serve calls it at start.
func EnqueueSlackSync(ctx context.Context, client *river.Client[pgx.Tx], reason string) (*rivertype.JobInsertResult, error) {
	res, err := client.Insert(ctx, SlackSyncArgs{Reason: reason}, nil)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue slack sync (%s): %w", reason, err)
	}
	return res, nil
}

// EnqueueSlackSyncTx is EnqueueSlackSync inside tx (a schedule's Firing.Tx).
func EnqueueSlackSyncTx(ctx context.Context, client *river.Client[pgx.Tx], tx pgx.Tx, reason string) (*rivertype.JobInsertResult, error) {
	res, err := client.InsertTx(ctx, tx, SlackSyncArgs{Reason: reason}, nil)
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue slack sync (%s): %w", reason, err)
	}
	return res, nil
}

// SlackSyncSchedule is the daily schedule (cron, e.g. DefaultSlackSyncCron) that enqueues a
// sync. Its Run only inserts the job, in the firing's transaction: the sync itself calls
// Slack, which a schedule's Run must not do while it holds the firing's row lock.
func SlackSyncSchedule(cron string) Schedule {
	return Schedule{
		Name: SlackSyncScheduleName,
		Cron: cron,
		Run: func(ctx context.Context, f Firing) error {
			_, err := EnqueueSlackSyncTx(ctx, f.Client, f.Tx, "daily")
			return err
		},
	}
}

// slackSyncWorker works slack_sync jobs.
type slackSyncWorker struct {
	river.WorkerDefaults[SlackSyncArgs]
	r *Runner
}

// Timeout bounds one sync.
func (w *slackSyncWorker) Timeout(*river.Job[SlackSyncArgs]) time.Duration { return slackSyncTimeout }

// Work runs the sync. Running it twice is harmless (the sync is idempotent), so River's
// at-least-once execution needs no record here.
func (w *slackSyncWorker) Work(ctx context.Context, job *river.Job[SlackSyncArgs]) error {
	log := w.r.log.With("kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "reason", job.Args.Reason)
	if w.r.userSyncer == nil {
		w.r.count(job.Kind, OutcomeError)
		log.ErrorContext(ctx, "jobs: slack sync failed", "err", ErrNoUserSyncer)
		return ErrNoUserSyncer
	}
	start := time.Now()
	rep, err := w.r.userSyncer.SyncUsers(ctx)
	if err != nil {
		w.r.count(job.Kind, OutcomeError)
		log.ErrorContext(ctx, "jobs: slack sync failed", "err", err)
		return fmt.Errorf("jobs: slack sync: %w", err)
	}
	w.r.count(job.Kind, OutcomeOK)
	log.InfoContext(ctx, "jobs: slack sync done", "seen", rep.Seen, "created", rep.Created, "linked", rep.Linked,
		"merged", rep.Merged, "updated", rep.Updated, "deactivated", rep.Deactivated, "conflicts", rep.Conflicts,
		"duration_ms", time.Since(start).Milliseconds())
	return nil
}
