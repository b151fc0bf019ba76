package slack

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
)

// recordingLimiter records the keys it is asked to wait for, and the pauses it is given.
type recordingLimiter struct {
	mu        sync.Mutex
	keys      []string
	penalties []time.Duration
	err       error
}

func (l *recordingLimiter) Wait(_ context.Context, key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = append(l.keys, key)
	return l.err
}

func (l *recordingLimiter) Penalize(_ context.Context, _ string, d time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.penalties = append(l.penalties, d)
	return nil
}

func newTestClient(t *testing.T, api *fakeSlack, lim Limiter) (*Client, *metrics.Metrics) {
	t.Helper()
	m := metrics.New()
	return newClient(clientConfig{
		token: "xoxb-test", apiURL: api.apiURL(), http: &http.Client{Timeout: waitTimeout},
		metrics: m, limiter: lim, log: slog.New(slog.DiscardHandler), locale: "it",
	}), m
}

func TestRateLimitedPostWaitsRetryAfterThenPostsOnce(t *testing.T) {
	t.Parallel()
	api := newFakeSlack(t)
	api.setHook(func(w http.ResponseWriter, method string, n int) bool {
		if method == "chat.postMessage" && n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	})
	lim := &recordingLimiter{}
	c, m := newTestClient(t, api, lim)

	start := time.Now()
	ts, err := c.Post(context.Background(), "C1", bot.Reply{Text: "Promemoria"})
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("retried after %v, before Retry-After", waited)
	}
	if ts == "" {
		t.Error("no ts returned")
	}
	if calls := api.callsTo("chat.postMessage"); len(calls) != 2 {
		t.Fatalf("%d chat.postMessage calls, want 2 (the 429, then one post)", len(calls))
	}
	if got := metricValue(t, m.SlackRateLimited.WithLabelValues("chat.postMessage")); got != 1 {
		t.Errorf("429s counted %v, want 1", got)
	}
	if ok, limited := metricValue(t, m.SlackCalls.WithLabelValues("chat.postMessage", "ok")),
		metricValue(t, m.SlackCalls.WithLabelValues("chat.postMessage", "rate_limited")); ok != 1 || limited != 1 {
		t.Errorf("calls counted ok=%v rate_limited=%v, want 1 and 1", ok, limited)
	}
	if !slices.Equal(lim.keys, []string{"chat.postMessage:C1", "chat.postMessage.workspace", "chat.postMessage:C1", "chat.postMessage.workspace"}) {
		t.Errorf("limiter keys %v", lim.keys)
	}
	if !slices.Equal(lim.penalties, []time.Duration{time.Second}) {
		t.Errorf("penalties %v, want the Retry-After shared once", lim.penalties)
	}
}

func TestRateLimitWaitRespectsTheContext(t *testing.T) {
	t.Parallel()
	api := newFakeSlack(t)
	api.setHook(func(w http.ResponseWriter, method string, _ int) bool {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	})
	c, _ := newTestClient(t, api, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Post(ctx, "C1", bot.Reply{Text: "x"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want the context's deadline", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("waited past the context")
	}
}

func TestLimiterOutageDoesNotDropTheMessage(t *testing.T) {
	t.Parallel()
	api := newFakeSlack(t)
	c, m := newTestClient(t, api, &recordingLimiter{err: errors.New("redis down")})
	if _, err := c.Post(context.Background(), "C1", bot.Reply{Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := metricValue(t, m.SlackCalls.WithLabelValues("chat.postMessage", "ok")); got != 1 {
		t.Fatalf("posted %v times, want 1", got)
	}
}

func TestPostUploadsTheImage(t *testing.T) {
	t.Parallel()
	api := newFakeSlack(t)
	c, _ := newTestClient(t, api, nil)
	r := bot.Reply{Text: "Riepilogo", Image: &bot.Image{Name: "grafico.png", Title: "Connettività", AltText: "matrice", PNG: []byte("\x89PNG fake")}}
	if _, err := c.Post(context.Background(), "C1", r); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"chat.postMessage", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"} {
		if n := len(api.callsTo(m)); n != 1 {
			t.Errorf("%s called %d times, want 1", m, n)
		}
	}
	if ch := api.callsTo("files.completeUploadExternal")[0].form.Get("channel_id"); ch != "C1" {
		t.Errorf("image shared to %q, want C1", ch)
	}
}
