package postgres_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

func TestOutboundRecordAndLookUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := postgres.NewOutbound(pgtest.NewPool(t))

	if ts, found, err := o.OutboundTS(ctx, "round-1:U1"); err != nil || found || ts != "" {
		t.Fatalf("OutboundTS before recording = %q, %v, %v; want not found", ts, found, err)
	}
	if err := o.RecordOutbound(ctx, "round-1:U1", "D1", "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	// A second record (a duplicate that slipped through) keeps the first one.
	if err := o.RecordOutbound(ctx, "round-1:U1", "D1", "1700000000.000200"); err != nil {
		t.Fatalf("recording a key twice: %v", err)
	}
	ts, found, err := o.OutboundTS(ctx, "round-1:U1")
	if err != nil || !found || ts != "1700000000.000100" {
		t.Fatalf("OutboundTS = %q, %v, %v; want the first ts", ts, found, err)
	}
}

func TestRunOnceRunsAFiringOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := postgres.NewOutbound(pgtest.NewPool(t))
	fireAt := time.Date(2026, 3, 29, 9, 0, 0, 0, time.UTC)

	calls := 0
	fn := func(ctx context.Context, tx pgx.Tx) error { calls++; return nil }
	ran, err := o.RunOnce(ctx, "digest", fireAt, fn)
	if err != nil || !ran {
		t.Fatalf("first RunOnce = %v, %v; want ran", ran, err)
	}
	// The same instant in another zone is the same firing.
	ran, err = o.RunOnce(ctx, "digest", fireAt.In(time.FixedZone("CEST", 2*3600)), fn)
	if err != nil || ran {
		t.Fatalf("second RunOnce = %v, %v; want skipped", ran, err)
	}
	// Another schedule, or another fire time, is another firing.
	if ran, err := o.RunOnce(ctx, "reminder", fireAt, fn); err != nil || !ran {
		t.Fatalf("other schedule: %v, %v", ran, err)
	}
	if ran, err := o.RunOnce(ctx, "digest", fireAt.Add(24*time.Hour), fn); err != nil || !ran {
		t.Fatalf("next firing: %v, %v", ran, err)
	}
	if calls != 3 {
		t.Fatalf("fn called %d times, want 3", calls)
	}
	runs, err := o.ScheduledRuns(ctx, "digest")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || !runs[0].Equal(fireAt) || !runs[1].Equal(fireAt.Add(24*time.Hour)) {
		t.Fatalf("ScheduledRuns = %v", runs)
	}
}

func TestRunOnceRollsBackAFailedFiring(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	o := postgres.NewOutbound(pool)
	fireAt := time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC)
	boom := errors.New("boom")

	ran, err := o.RunOnce(ctx, "round", fireAt, func(ctx context.Context, tx pgx.Tx) error {
		// Work done in tx disappears with the claim.
		if err := o.RecordOutboundTx(ctx, tx, "k", "C1", "1.1"); err != nil {
			return err
		}
		return boom
	})
	if ran || !errors.Is(err, boom) {
		t.Fatalf("failed RunOnce = %v, %v; want not ran and the fn error", ran, err)
	}
	if _, found, _ := o.OutboundTS(ctx, "k"); found {
		t.Fatal("work done in the failed firing's transaction was committed")
	}
	if runs, _ := o.ScheduledRuns(ctx, "round"); len(runs) != 0 {
		t.Fatalf("a failed firing was recorded: %v", runs)
	}
	ran, err = o.RunOnce(ctx, "round", fireAt, func(ctx context.Context, tx pgx.Tx) error {
		return o.RecordOutboundTx(ctx, tx, "k", "C1", "1.2")
	})
	if err != nil || !ran {
		t.Fatalf("retry after failure = %v, %v; want ran", ran, err)
	}
	if ts, found, _ := o.OutboundTS(ctx, "k"); !found || ts != "1.2" {
		t.Fatalf("work of the retried firing: ts %q found %v", ts, found)
	}
}

func TestRunOnceConcurrentWorkersRunOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	o := postgres.NewOutbound(pgtest.NewPool(t))
	fireAt := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)

	var calls, ran atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := o.RunOnce(ctx, "round", fireAt, func(ctx context.Context, tx pgx.Tx) error {
				calls.Add(1)
				return nil
			})
			if err != nil {
				t.Error(err)
			}
			if ok {
				ran.Add(1)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 || ran.Load() != 1 {
		t.Fatalf("calls = %d, ran = %d; want 1 and 1", calls.Load(), ran.Load())
	}
}

func TestPruneOutboundKeepsRecentRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	_, err := pool.Exec(ctx, `INSERT INTO outbound_messages (idempotency_key, channel, ts, sent_at) VALUES
		('old', 'C1', '1.1', now() - interval '100 days'), ('new', 'C1', '1.2', now() - interval '1 day')`)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := postgres.PruneOutboundTx(ctx, tx, time.Now().Add(-90*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var left []string
	rows, _ := pool.Query(ctx, `SELECT idempotency_key FROM outbound_messages`)
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		left = append(left, k)
	}
	if n != 1 || len(left) != 1 || left[0] != "new" {
		t.Fatalf("pruned %d, left %v", n, left)
	}
}

// A record keeps a shared channel's id, never a person's address (a Slack user id, a DM, a
// console handle, a group of people): nothing reads it back, and it would outlive an erasure.
func TestOutboundRecordKeepsNoPersonalAddress(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	o := postgres.NewOutbound(pool)
	want := map[string]string{"C0PROJECT": "C0PROJECT", "G0PRIVATE": "G0PRIVATE", "U0MARIO": "", "D0DM": "",
		"console:mario": "", "group:U0MARIO,console:anna": ""}
	for channel := range want {
		if err := o.RecordOutbound(ctx, "k:"+channel, channel, "1.1"); err != nil {
			t.Fatal(err)
		}
	}
	for channel, kept := range want {
		var got string
		if err := pool.QueryRow(ctx, `SELECT channel FROM outbound_messages WHERE idempotency_key = $1`, "k:"+channel).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != kept {
			t.Errorf("a post to %q recorded channel %q, want %q", channel, got, kept)
		}
	}
}
