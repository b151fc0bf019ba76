package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// With KeepTextsIn, a notice's text waits in outbox_texts, not in River's args; the job
// posts it and deletes it, and a job whose text was deleted meanwhile (its recipient erased)
// sends nothing.
func TestOutboxKeepsTextsOutOfRiverArgs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := postgres.NewOutbound(pool)
	outbox, err := jobs.NewOutbox(pool)
	if err != nil {
		t.Fatal(err)
	}
	outbox.KeepTextsIn(store)
	notices := []bot.Notice{
		{Key: "team-invite:1", Channel: "U1", Reply: bot.Reply{Text: "Caro Mario, ti invito"}, Ref: bot.NoticeRef{People: []int64{11}}},
		{Key: "team-invite:2", Channel: "U2", Reply: bot.Reply{Text: "Cara Anna, ti invito"}, Ref: bot.NoticeRef{People: []int64{12}}},
	}
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return outbox.PostTx(ctx, tx, notices) }); err != nil {
		t.Fatal(err)
	}
	var args string
	if err := pool.QueryRow(ctx, `SELECT string_agg(args::text, ' ') FROM river_job`).Scan(&args); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(args, "invito") || !strings.Contains(args, `"stored_text": true`) {
		t.Fatalf("River args carry the text, or do not say it is stored: %s", args)
	}
	// Anna erases her data before her invitation goes out.
	if _, err := pool.Exec(ctx, `DELETE FROM outbox_texts WHERE people @> ARRAY[12::bigint]`); err != nil {
		t.Fatal(err)
	}

	poster := &fakePoster{}
	r := startRunner(t, pool, jobs.Config{Poster: poster, Outbound: store})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted)
	defer cancel()
	waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted)
	waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted)
	if _, posts := poster.snapshot(); len(posts) != 1 || posts[0].Channel != "U1" || posts[0].Reply.Text != "Caro Mario, ti invito" {
		t.Fatalf("posts %+v; want Mario's invitation with its stored text, and nothing to Anna", posts)
	}
	var left int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox_texts`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d texts left after posting (%v), want 0", left, err)
	}
	// The same notices again (a retried change): River keeps one job per key, and no text is
	// kept for a job that is not inserted.
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return outbox.PostTx(ctx, tx, notices) }); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox_texts`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d texts kept for duplicate notices (%v), want 0", left, err)
	}
}

// PostTx inserts in batches: across batches and within one, a key is enqueued once with its
// first text, and a key queued before keeps its own text; every person of a fan-out larger
// than a batch gets a job and a text.
func TestOutboxPostTxBatchesKeepFirstTexts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	outbox := textOutbox(t, pool)
	post := func(notices []bot.Notice) {
		t.Helper()
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return outbox.PostTx(ctx, tx, notices) }); err != nil {
			t.Fatal(err)
		}
	}
	note := func(key, text string, person int64) bot.Notice {
		return bot.Notice{Key: key, Channel: fmt.Sprintf("U%d", person), Reply: bot.Reply{Text: text},
			Ref: bot.NoticeRef{People: []int64{person}}}
	}
	post([]bot.Notice{note("early", "prima", 1)})
	var fanout []bot.Notice
	fanout = append(fanout, note("early", "seconda", 1), note("twice", "uno", 2), note("twice", "due", 2))
	for i := range 2500 {
		fanout = append(fanout, note(fmt.Sprintf("fan:%d", i), "ciao", int64(100+i)))
	}
	fanout = append(fanout, note("fan:7", "ancora", 107))
	post(fanout)

	var jobsN, textsN int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM river_job), (SELECT count(*) FROM outbox_texts)`).Scan(&jobsN, &textsN); err != nil {
		t.Fatal(err)
	}
	if jobsN != 2502 || textsN != 2502 {
		t.Fatalf("%d jobs and %d texts, want 2502 of each (early, twice, 2500 of the fan-out)", jobsN, textsN)
	}
	for key, want := range map[string]string{"early": "prima", "twice": "uno", "fan:7": "ciao"} {
		var text string
		var people []int64
		if err := pool.QueryRow(ctx, `SELECT reply->>'Text', people FROM outbox_texts WHERE idempotency_key = $1`, key).Scan(&text, &people); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if text != want || len(people) != 1 {
			t.Errorf("%s: text %q people %v, want %q and its person", key, text, people, want)
		}
	}
}
