// Package jobs runs Cantieri's durable work on River, on the same PostgreSQL as the rest of the
// data: cron schedules (exchange rounds, reminders, digests), idempotent posts to Slack, and
// the Slack user sync (at start and daily, once per hour at most across replicas).
//
// River gives at-least-once execution; this package turns that into "once in practice":
//
//   - a cron schedule becomes a River periodic job, enqueued only by the elected leader, with
//     the fire time in its args and a unique key on them, so that replicas never insert the
//     same firing twice; the worker records the firing in scheduled_runs in the same
//     transaction as the firing's own work, so a retried or duplicated job does nothing twice;
//   - a post carries an idempotency key; the worker records the posted message under it
//     (outbound_messages) and a job that finds the record does not post again.
//
// The package writes no SQL: the records are kept by a Store (internal/postgres implements
// it). It handles pgx types only because River's API is generic over the transaction type.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
	_ "time/tzdata" // the default zone (Europe/Rome) must load even on hosts without tzdata

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
)

// DefaultLocation is the zone cron schedules are read in when Config.Location is nil: the
// council's (BOT_TIMEZONE's default).
const DefaultLocation = "Europe/Rome"

// DefaultWorkers is how many jobs a Runner works at once when Config.Workers is 0.
const DefaultWorkers = 10

// River queues, one per transport, so that a process works only the jobs it can deliver: serve
// works QueueSlack, a console works QueueConsole (printing them), and both may work the
// transport-agnostic river.QueueDefault (scheduled runs, which only write to the database and
// enqueue posts to the other queues). A console on the server therefore never takes a Slack
// message off the queue and prints it instead.
const (
	QueueSlack   = "slack"
	QueueConsole = "console"
)

// Timing of stuck jobs. River rescues a job left "running" by a process that died (kill -9, an
// OOM, a lost node) only once it has been running for RescueStuckJobsAfter, which defaults to
// an hour: far too long for a chat message. A post takes seconds, so its own timeout is
// PostTimeout and a job is presumed dead after RescueAfter; River's rescuer looks every 30 s,
// so a crashed post is retried within about a minute and a half. Work that legitimately runs
// longer (the Slack user sync) declares its own Timeout, which the rescuer respects.
const (
	// JobTimeout bounds a job without a Timeout of its own (River's default is one minute).
	JobTimeout = 45 * time.Second
	// PostTimeout bounds one post_message or team_channel attempt: a few Slack calls, paced
	// by the rate limiter.
	PostTimeout = 30 * time.Second
	// RescueAfter is how long a job may stay "running" before River presumes its worker dead
	// and retries it. It must exceed JobTimeout (River refuses otherwise).
	RescueAfter = time.Minute
)

// Job outcomes, the "outcome" label of metrics.Jobs.
const (
	OutcomeOK      = "ok"
	OutcomeError   = "error"
	OutcomeSkipped = "skipped"
)

// Store keeps the idempotency records of jobs. It is declared here, where it is used, and
// implemented by internal/postgres (Outbound).
type Store interface {
	// OutboundTS returns the id of the message posted under key, and whether there is one.
	OutboundTS(ctx context.Context, key string) (ts string, found bool, err error)
	// RecordOutbound records that the message for key was posted to channel as ts.
	RecordOutbound(ctx context.Context, key, channel, ts string) error
	// RunOnce runs fn in a transaction that also records (schedule, fireAt), unless that
	// firing is already recorded; it reports whether fn ran and committed.
	RunOnce(ctx context.Context, schedule string, fireAt time.Time, fn func(ctx context.Context, tx pgx.Tx) error) (ran bool, err error)
}

// Config configures a Runner.
type Config struct {
	// Logger receives the Runner's and River's logs. Defaults to slog.Default().
	Logger *slog.Logger
	// Metrics, when set, counts jobs worked in Metrics.Jobs{kind,outcome}.
	Metrics *metrics.Metrics
	// Poster delivers post_message jobs. When nil, those jobs fail with ErrNoPoster (and are
	// retried, so that a replica that has a Poster can deliver them).
	Poster bot.Poster
	// UserSyncer runs slack_sync jobs. When nil, those jobs fail with ErrNoUserSyncer (and
	// are retried, so that a replica that has one can run them).
	UserSyncer UserSyncer
	// Channels and TeamChannels create formed teams' project channels (team_channel jobs);
	// without them those jobs fail with ErrNoChannels and are retried.
	Channels     bot.Channels
	TeamChannels TeamChannelPlanner
	// Due answers whether a post's message is still due right before it is sent (the store
	// implements it). When nil, every message is due.
	Due bot.MessageDue
	// Outbound keeps the idempotency records. Required.
	Outbound Store
	// Location is the zone cron schedules are read in (BOT_TIMEZONE). Defaults to
	// DefaultLocation.
	Location *time.Location
	// Schedules are the cron schedules to run. Every replica should have the same list: only
	// the leader enqueues, but any replica may work a firing.
	Schedules []Schedule
	// Workers is how many jobs run at once in this process. Defaults to DefaultWorkers.
	Workers int
	// Queues are the queues this Runner works: serve works river.QueueDefault and QueueSlack,
	// a console river.QueueDefault and QueueConsole. Nil means all three (tests). Every
	// Runner registers every worker all the same, because the elected leader (whichever
	// process it is) rescues stuck jobs of every kind and must know them.
	Queues []string

	// CronSeconds accepts six-field cron expressions with a leading seconds field. Meant for
	// tests, which cannot wait for minutes; River advises against sub-minute periodic jobs.
	CronSeconds bool
	// FetchPollInterval is how often River polls for jobs when LISTEN/NOTIFY says nothing
	// (River's default, 1 s, when 0). Tests shorten it.
	FetchPollInterval time.Duration
	// TestOnly sets River's TestOnly, which skips the random start-up delay of its
	// maintenance services (periodic enqueueing among them). Never set it in production.
	TestOnly bool
}

// Runner owns a River client with Cantieri's workers and schedules.
type Runner struct {
	client     *river.Client[pgx.Tx]
	pool       *pgxpool.Pool
	log        *slog.Logger
	metrics    *metrics.Metrics
	poster     bot.Poster
	userSyncer UserSyncer
	store      Store
	due        bot.MessageDue
	channels   bot.Channels
	planner    TeamChannelPlanner
	loc        *time.Location
	schedules  map[string]*schedule
	queues     []string
}

// New validates cfg and builds a Runner on pool; nothing runs until Start. An invalid schedule
// (bad cron expression, duplicate or malformed name, no Run) is refused here, so a
// misconfiguration stops the process at start rather than failing silently at 09:00.
func New(pool *pgxpool.Pool, cfg Config) (*Runner, error) {
	if pool == nil {
		return nil, errors.New("jobs: nil pool")
	}
	if cfg.Outbound == nil {
		return nil, errors.New("jobs: Config.Outbound is required")
	}
	r := &Runner{
		pool:       pool,
		log:        cfg.Logger,
		metrics:    cfg.Metrics,
		poster:     cfg.Poster,
		userSyncer: cfg.UserSyncer,
		store:      cfg.Outbound,
		due:        cfg.Due,
		channels:   cfg.Channels,
		planner:    cfg.TeamChannels,
		loc:        cfg.Location,
		schedules:  make(map[string]*schedule, len(cfg.Schedules)),
		queues:     cfg.Queues,
	}
	if len(r.queues) == 0 {
		r.queues = []string{river.QueueDefault, QueueSlack, QueueConsole}
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.loc == nil {
		loc, err := time.LoadLocation(DefaultLocation)
		if err != nil {
			return nil, fmt.Errorf("jobs: load %s: %w", DefaultLocation, err)
		}
		r.loc = loc
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = DefaultWorkers
	}

	periodic := make([]*river.PeriodicJob, 0, len(cfg.Schedules))
	for _, s := range cfg.Schedules {
		sch, err := newSchedule(s, r.loc, cfg.CronSeconds)
		if err != nil {
			return nil, err
		}
		if _, dup := r.schedules[s.Name]; dup {
			return nil, fmt.Errorf("jobs: schedule %q is configured twice", s.Name)
		}
		r.schedules[s.Name] = sch
		periodic = append(periodic, sch.periodicJob())
	}

	workerSet := river.NewWorkers()
	if err := river.AddWorkerSafely(workerSet, &scheduleWorker{r: r}); err != nil {
		return nil, fmt.Errorf("jobs: add schedule worker: %w", err)
	}
	if err := river.AddWorkerSafely(workerSet, &postWorker{r: r}); err != nil {
		return nil, fmt.Errorf("jobs: add post worker: %w", err)
	}
	if err := river.AddWorkerSafely(workerSet, &slackSyncWorker{r: r}); err != nil {
		return nil, fmt.Errorf("jobs: add slack sync worker: %w", err)
	}
	if err := river.AddWorkerSafely(workerSet, &teamChannelWorker{r: r}); err != nil {
		return nil, fmt.Errorf("jobs: add team channel worker: %w", err)
	}

	queues := make(map[string]river.QueueConfig, len(r.queues))
	for _, q := range r.queues {
		queues[q] = river.QueueConfig{MaxWorkers: workers}
	}
	rcfg := &river.Config{
		Logger:               slog.New(riverLogHandler{r.log.Handler()}),
		ErrorHandler:         &errorHandler{r: r},
		JobTimeout:           JobTimeout,
		PeriodicJobs:         periodic,
		Queues:               queues,
		RescueStuckJobsAfter: RescueAfter,
		TestOnly:             cfg.TestOnly,
		Workers:              workerSet,
	}
	if cfg.FetchPollInterval > 0 {
		rcfg.FetchPollInterval = cfg.FetchPollInterval
		// River requires the cooldown between fetches not to exceed the poll interval.
		rcfg.FetchCooldown = min(river.FetchCooldownDefault, cfg.FetchPollInterval)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), rcfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: river client: %w", err)
	}
	r.client = client
	return r, nil
}

// Client returns the River client, for inserting jobs (Insert, or InsertTx in the same
// transaction as the business writes that call for them) and for subscribing to job events.
func (r *Runner) Client() *river.Client[pgx.Tx] { return r.client }

// Location returns the zone schedules are read in.
func (r *Runner) Location() *time.Location { return r.loc }

// Start starts fetching and working jobs and, on the elected leader, enqueueing schedules.
// Cancelling ctx later does not stop the Runner: call Stop, which lets in-flight jobs finish
// (River would treat a cancelled start context as a hard stop and cut them off).
func (r *Runner) Start(ctx context.Context) error {
	if err := r.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	r.log.Info("jobs: started", "schedules", len(r.schedules), "location", r.loc.String())
	return nil
}

// Stop stops gracefully: no new jobs are fetched and in-flight jobs finish. If ctx ends
// first, the remaining jobs' contexts are cancelled (they are retried later, and their
// idempotency records keep the retry from repeating what they did) and Stop waits a few
// seconds more for them to return.
func (r *Runner) Stop(ctx context.Context) error {
	err := r.client.Stop(ctx)
	if err == nil {
		r.log.Info("jobs: stopped")
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	r.log.Warn("jobs: graceful stop timed out; cancelling in-flight jobs", "err", err)
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return errors.Join(fmt.Errorf("jobs: stop: %w", err), r.client.StopAndCancel(hard))
}

// count records a worked job in Metrics.Jobs.
func (r *Runner) count(kind, outcome string) {
	if r.metrics != nil {
		r.metrics.Jobs.WithLabelValues(kind, outcome).Inc()
	}
}

// errorHandler reports panics in workers, which bypass the workers' own logging and counting;
// River then retries the job as for an error.
type errorHandler struct{ r *Runner }

// HandleError leaves errors to River's retry policy.
func (h *errorHandler) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	return nil // already logged and counted by the worker
}

// HandlePanic logs and counts the panic; River retries the job.
func (h *errorHandler) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	h.r.count(job.Kind, OutcomeError)
	h.r.log.ErrorContext(ctx, "jobs: job panicked", "kind", job.Kind, "job_id", job.ID,
		"attempt", job.Attempt, "panic", fmt.Sprint(panicVal), "trace", trace)
	return nil
}

// WaitIdle waits until no job of this Runner's queues is due or running (jobs scheduled for
// later do not count, except those due within postOrderWait's reach: a post waiting its turn
// behind an earlier one to the same conversation), for at most max. The console calls it at the end of a script, so that
// the messages a script's last commands caused are printed before it exits; Slack's messages
// are serve's to deliver, and do not hold the console up.
func (r *Runner) WaitIdle(ctx context.Context, max time.Duration) error {
	deadline := time.Now().Add(max)
	for {
		var n int
		err := r.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE queue = ANY($1)
			AND (state = 'running' OR (state IN ('available', 'retryable', 'scheduled') AND scheduled_at <= now() + $2::interval))`,
			r.queues, (4 * postOrderWait).String()).Scan(&n)
		if err != nil {
			return fmt.Errorf("jobs: wait idle: %w", err)
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("jobs: %d jobs still due after %s", n, max)
		}
		if err := sleepCtx(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
