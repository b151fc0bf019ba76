package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// A post left "running" by a process killed mid-post is rescued after jobs.RescueAfter, not
// River's default hour: a job attempted 70 s ago by a dead worker is posted as soon as a
// Runner starts (River's rescuer runs at start, then every 30 s).
func TestPostOfADeadWorkerIsRescuedWithinAMinute(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	// An insert-only client, standing in for the process that enqueued the post and died.
	outbox, err := jobs.NewOutbox(pool)
	if err != nil {
		t.Fatal(err)
	}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		return outbox.PostTx(ctx, tx, []bot.Notice{{Key: "rescue:1", Channel: "U1", Reply: bot.Reply{Text: "Invito"}}})
	}); err != nil {
		t.Fatal(err)
	}
	// What a SIGKILL during the post leaves behind: the job running, attempted a while ago.
	if _, err := pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '70 seconds', attempted_by = '{dead-host}' WHERE kind = $1`, jobs.KindPostMessage); err != nil {
		t.Fatal(err)
	}

	poster := &fakePoster{}
	r := startRunner(t, pool, jobs.Config{Poster: poster})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted)
	defer cancel()
	ev := waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted)
	if ev.Job.Attempt != 2 {
		t.Errorf("rescued job completed at attempt %d, want 2", ev.Job.Attempt)
	}
	if calls, posts := poster.snapshot(); calls != 1 || len(posts) != 1 || posts[0].Channel != "U1" {
		t.Fatalf("poster saw %d calls, posts %+v; want the rescued invitation once", calls, posts)
	}
}

func TestQueueForRoutesByTransport(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]string{
		"U0MARIO":                   jobs.QueueSlack,
		"C123":                      jobs.QueueSlack,
		"console:mario.rossi":       jobs.QueueConsole,
		"group:console:a,console:b": jobs.QueueConsole,
		"group:console:a,U2":        jobs.QueueSlack,
		"group:U1,U2":               jobs.QueueSlack,
	} {
		if got := jobs.QueueFor(addr); got != want {
			t.Errorf("QueueFor(%q) = %q, want %q", addr, got, want)
		}
	}
}

// keyedPoster is a fakePoster that labels posts with their keys and searches them, as the
// Slack client does with message metadata and conversations.history.
type keyedPoster struct {
	fakePoster
	history map[string]string // key → ts, what "Slack" holds
	since   []time.Time
}

func (p *keyedPoster) PostKeyed(ctx context.Context, channel, key string, r bot.Reply) (string, error) {
	ts, err := p.Post(ctx, channel, r)
	if err == nil {
		p.mu.Lock()
		p.history[key] = ts
		p.mu.Unlock()
	}
	return ts, err
}

func (p *keyedPoster) FindPosted(_ context.Context, _, key string, since time.Time) (string, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.since = append(p.since, since)
	ts, ok := p.history[key]
	return ts, ok, nil
}

var _ jobs.KeyedPoster = (*keyedPoster)(nil)

// A post killed after Slack took the message but before the record was written is rescued;
// the retry finds the message by its key in the conversation and does not post it again.
func TestRescuedPostFoundInHistoryIsNotPostedAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	outbox, err := jobs.NewOutbox(pool)
	if err != nil {
		t.Fatal(err)
	}
	notices := []bot.Notice{
		{Key: "rescue:posted", Channel: "U1", Reply: bot.Reply{Text: "Invito 1"}},
		{Key: "rescue:lost", Channel: "U2", Reply: bot.Reply{Text: "Invito 2"}},
	}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return outbox.PostTx(ctx, tx, notices) }); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempt = 1,
		attempted_at = now() - interval '70 seconds', attempted_by = '{dead-host}' WHERE kind = $1`, jobs.KindPostMessage); err != nil {
		t.Fatal(err)
	}
	// The dead process had posted the first message, not the second.
	poster := &keyedPoster{history: map[string]string{"rescue:posted": "1700000000.000099"}}
	r := startRunner(t, pool, jobs.Config{Poster: poster})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted)
	defer cancel()
	waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted)
	waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted)

	if _, posts := poster.snapshot(); len(posts) != 1 || posts[0].Channel != "U2" {
		t.Fatalf("posts %+v; want only the message the dead process had not posted", posts)
	}
	ts, found, err := postgres.NewOutbound(pool).OutboundTS(ctx, "rescue:posted")
	if err != nil || !found || ts != "1700000000.000099" {
		t.Fatalf("record of the message found in history = %q, %v, %v", ts, found, err)
	}
	poster.mu.Lock()
	defer poster.mu.Unlock()
	for _, s := range poster.since {
		if time.Since(s) > 5*time.Minute {
			t.Errorf("history searched since %v: more than the job's life", s)
		}
	}
	if len(poster.since) != 2 {
		t.Errorf("history searched %d times, want once per rescued job", len(poster.since))
	}
}
