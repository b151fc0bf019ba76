package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	dto "github.com/prometheus/client_model/go"
	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 15 * time.Second

// startRunner builds and starts a Runner on pool with test-friendly River settings, and
// stops it when the test ends.
func startRunner(t *testing.T, pool *pgxpool.Pool, cfg jobs.Config) *jobs.Runner {
	t.Helper()
	r := newRunner(t, pool, cfg)
	if err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopRunner(t, r) })
	return r
}

func newRunner(t *testing.T, pool *pgxpool.Pool, cfg jobs.Config) *jobs.Runner {
	t.Helper()
	if cfg.Outbound == nil {
		cfg.Outbound = postgres.NewOutbound(pool)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	cfg.TestOnly = true
	cfg.FetchPollInterval = 50 * time.Millisecond
	r, err := jobs.New(pool, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func stopRunner(t *testing.T, r *jobs.Runner) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	if err := r.Stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
}

// waitEvent returns the next event of one of kinds for a job of kind jobKind, failing the test
// after testTimeout.
func waitEvent(t *testing.T, events <-chan *river.Event, jobKind string, kinds ...river.EventKind) *river.Event {
	t.Helper()
	deadline := time.After(testTimeout)
	for {
		select {
		case ev := <-events:
			if ev.Job.Kind != jobKind {
				continue
			}
			for _, k := range kinds {
				if ev.Kind == k {
					return ev
				}
			}
		case <-deadline:
			t.Fatalf("no %v event for a %s job within %v", kinds, jobKind, testTimeout)
		}
	}
}

// jobsCount reads metrics.Jobs{kind,outcome}.
func jobsCount(m *metrics.Metrics, kind, outcome string) int {
	var out dto.Metric
	if err := m.Jobs.WithLabelValues(kind, outcome).Write(&out); err != nil {
		panic(err)
	}
	return int(out.GetCounter().GetValue())
}

// post is one message a fakePoster delivered.
type post struct {
	Channel string
	Reply   bot.Reply
	TS      string
}

// fakePoster stands in for Slack (the Poster is Slack's side of the bot, which tests may fake):
// it records posts, can fail the first calls, and can hold a call until released.
type fakePoster struct {
	mu       sync.Mutex
	calls    int
	failures int // the first failures calls fail
	posts    []post
	entered  chan struct{} // when set, signalled as a call starts
	release  chan struct{} // when set, a call waits for it
	jitter   bool          // when set, a call takes a random 0–30 ms, so workers overtake each other
}

var errSlackDown = errors.New("slack: service_unavailable")

func (p *fakePoster) Post(ctx context.Context, channel string, r bot.Reply) (string, error) {
	if p.entered != nil {
		p.entered <- struct{}{}
	}
	if p.jitter {
		time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond)
	}
	if p.release != nil {
		select {
		case <-p.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	if p.calls <= p.failures {
		return "", errSlackDown
	}
	ts := fmt.Sprintf("1700000000.%06d", p.calls)
	p.posts = append(p.posts, post{Channel: channel, Reply: r, TS: ts})
	return ts, nil
}

func (p *fakePoster) snapshot() (calls int, posts []post) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls, append([]post(nil), p.posts...)
}

// textOutbox is the Outbox as serve builds it: keeping the notices' texts in outbox_texts.
func textOutbox(tb testing.TB, pool *pgxpool.Pool) *jobs.Outbox {
	tb.Helper()
	outbox, err := jobs.NewOutbox(pool)
	if err != nil {
		tb.Fatal(err)
	}
	outbox.KeepTextsIn(postgres.NewOutbound(pool))
	return outbox
}
