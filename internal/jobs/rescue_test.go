package jobs_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
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
