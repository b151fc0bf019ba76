package jobs_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

func TestPostPostsOnceAndRecordsTheMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := postgres.NewOutbound(pool)
	poster := &fakePoster{}
	m := metrics.New()
	r := startRunner(t, pool, jobs.Config{Poster: poster, Metrics: m})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	args := jobs.PostArgs{Key: "round:1:group:1", Channel: "G1", Reply: bot.Reply{Text: "Ciao! Vi presento…", Public: true}}
	res, err := jobs.EnqueuePost(ctx, r.Client(), args)
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted, river.EventKindJobFailed)
	if ev.Kind != river.EventKindJobCompleted || ev.Job.ID != res.Job.ID {
		t.Fatalf("event %s for job %d, want completion of job %d", ev.Kind, ev.Job.ID, res.Job.ID)
	}
	calls, posts := poster.snapshot()
	if calls != 1 || len(posts) != 1 || posts[0].Channel != "G1" || posts[0].Reply.Text != args.Reply.Text || !posts[0].Reply.Public {
		t.Fatalf("poster saw %d calls, posts %+v; want the one message", calls, posts)
	}
	ts, found, err := store.OutboundTS(ctx, args.Key)
	if err != nil || !found || ts != posts[0].TS {
		t.Fatalf("outbound record = %q, %v, %v; want %q", ts, found, err, posts[0].TS)
	}

	// The same key again: River's unique key refuses a second job while the first exists.
	again, err := jobs.EnqueuePost(ctx, r.Client(), args)
	if err != nil {
		t.Fatal(err)
	}
	if !again.UniqueSkippedAsDuplicate || again.Job.ID != res.Job.ID {
		t.Fatalf("second enqueue of the same key: skipped=%v job %d; want the first job back", again.UniqueSkippedAsDuplicate, again.Job.ID)
	}
	if got := jobsCount(m, jobs.KindPostMessage, jobs.OutcomeOK); got != 1 {
		t.Fatalf("jobs{post_message,ok} = %d, want 1", got)
	}
}

// A job whose key is already recorded (a retry after the post, or the same key enqueued again
// once River has cleaned the old job away) posts nothing.
func TestPostWithARecordedKeyPostsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := postgres.NewOutbound(pool)
	poster := &fakePoster{}
	m := metrics.New()
	r := startRunner(t, pool, jobs.Config{Poster: poster, Metrics: m})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	if err := store.RecordOutbound(ctx, "reminder:7:U1", "D1", "1699999999.000001"); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.EnqueuePost(ctx, r.Client(), jobs.PostArgs{Key: "reminder:7:U1", Channel: "D1", Reply: bot.Reply{Text: "Promemoria"}}); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted, river.EventKindJobFailed); ev.Kind != river.EventKindJobCompleted {
		t.Fatalf("event %s, want completed", ev.Kind)
	}
	if calls, _ := poster.snapshot(); calls != 0 {
		t.Fatalf("poster called %d times for an already posted key", calls)
	}
	if got := jobsCount(m, jobs.KindPostMessage, jobs.OutcomeSkipped); got != 1 {
		t.Fatalf("jobs{post_message,skipped} = %d, want 1", got)
	}
	if ts, _, _ := store.OutboundTS(ctx, "reminder:7:U1"); ts != "1699999999.000001" {
		t.Fatalf("record changed to %q", ts)
	}
}

func TestPostFailingOnceIsRetriedAndPostsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := postgres.NewOutbound(pool)
	poster := &fakePoster{failures: 1}
	m := metrics.New()
	r := startRunner(t, pool, jobs.Config{Poster: poster, Metrics: m})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	if _, err := jobs.EnqueuePost(ctx, r.Client(), jobs.PostArgs{Key: "digest:C1:2026-W14", Channel: "C1", Reply: bot.Reply{Text: "Riepilogo"}}); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobFailed)
	if len(ev.Job.Errors) != 1 || !strings.Contains(ev.Job.Errors[0].Error, errSlackDown.Error()) {
		t.Fatalf("first attempt errors = %+v, want Slack's failure", ev.Job.Errors)
	}
	// River retries after its backoff (about a second for the first retry).
	ev = waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted)
	if ev.Job.Attempt != 2 {
		t.Fatalf("completed on attempt %d, want 2", ev.Job.Attempt)
	}
	calls, posts := poster.snapshot()
	if calls != 2 || len(posts) != 1 {
		t.Fatalf("poster: %d calls, %d posts; want 2 calls and 1 post", calls, len(posts))
	}
	if ts, found, _ := store.OutboundTS(ctx, "digest:C1:2026-W14"); !found || ts != posts[0].TS {
		t.Fatalf("record = %q, %v; want %q", ts, found, posts[0].TS)
	}
	if e, ok := jobsCount(m, jobs.KindPostMessage, jobs.OutcomeError), jobsCount(m, jobs.KindPostMessage, jobs.OutcomeOK); e != 1 || ok != 1 {
		t.Fatalf("jobs{post_message}: error=%d ok=%d; want 1 and 1", e, ok)
	}
}

func TestPostWithoutPosterFailsClearly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	r := startRunner(t, pool, jobs.Config{}) // no Poster
	events, cancel := r.Client().Subscribe(river.EventKindJobFailed)
	defer cancel()

	if _, err := jobs.EnqueuePost(ctx, r.Client(), jobs.PostArgs{Key: "k", Channel: "C1", Reply: bot.Reply{Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobFailed)
	if len(ev.Job.Errors) == 0 || !strings.Contains(ev.Job.Errors[0].Error, jobs.ErrNoPoster.Error()) {
		t.Fatalf("errors = %+v, want ErrNoPoster", ev.Job.Errors)
	}
}

// Stop lets an in-flight post finish, record included, instead of cutting it off.
func TestStopFinishesInFlightPost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := postgres.NewOutbound(pool)
	poster := &fakePoster{entered: make(chan struct{}, 1), release: make(chan struct{})}
	r := newRunner(t, pool, jobs.Config{Poster: poster})
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := jobs.EnqueuePost(ctx, r.Client(), jobs.PostArgs{Key: "k", Channel: "C1", Reply: bot.Reply{Text: "x"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-poster.entered:
	case <-time.After(testTimeout):
		t.Fatal("the post job never started")
	}
	stopped := make(chan error, 1)
	go func() {
		sctx, cancel := context.WithTimeout(ctx, testTimeout)
		defer cancel()
		stopped <- r.Stop(sctx)
	}()
	close(poster.release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if _, found, _ := store.OutboundTS(ctx, "k"); !found {
		t.Fatal("the in-flight post was not recorded before Stop returned")
	}
}

func TestEnqueuePostValidates(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	r := newRunner(t, pool, jobs.Config{})
	for _, a := range []jobs.PostArgs{
		{Channel: "C1"},
		{Key: strings.Repeat("k", 201), Channel: "C1"},
		{Key: "k"},
	} {
		if _, err := jobs.EnqueuePost(context.Background(), r.Client(), a); err == nil {
			t.Errorf("EnqueuePost(%+v) succeeded, want an error", a)
		}
	}
}

// Messages to one conversation arrive in the order they were enqueued, though several workers
// post at once: "Mario accepted" never after "the team is complete".
func TestPostsToOneConversationKeepTheirOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	poster := &fakePoster{jitter: true}
	r := newRunner(t, pool, jobs.Config{Poster: poster, Workers: 8})
	const n = 8
	for i := range n {
		for _, ch := range []string{"U1", "U2"} {
			args := jobs.PostArgs{Key: fmt.Sprintf("order:%s:%d", ch, i), Channel: ch, Reply: bot.Reply{Text: strconv.Itoa(i)}}
			if _, err := jobs.EnqueuePost(ctx, r.Client(), args); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopRunner(t, r) })
	deadline := time.Now().Add(testTimeout)
	for {
		if _, posts := poster.snapshot(); len(posts) == 2*n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("not every message was posted in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
	_, posts := poster.snapshot()
	next := map[string]int{}
	for _, p := range posts {
		if p.Reply.Text != strconv.Itoa(next[p.Channel]) {
			t.Fatalf("%s got message %s while %d was next: %v", p.Channel, p.Reply.Text, next[p.Channel], posts)
		}
		next[p.Channel]++
	}
}
