package slack

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

func TestRateLimitedPostGivesBackItsWorkspaceSlot(t *testing.T) {
	t.Parallel()
	// A Web API that refuses the first chat.postMessage for its channel (429, Retry-After: 1)
	// and accepts the next.
	var posts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/chat.postMessage" {
			http.NotFound(w, r)
			return
		}
		if posts.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C1", "ts": "1700000000.000001"})
	}))
	t.Cleanup(srv.Close)
	rc, prefix := redistest.New(t)
	// One post a minute for the workspace: the refused post's slot must come back for the
	// retry to go after Retry-After rather than a minute later.
	lim := redis.NewLimiter(rc, prefix, map[string]redis.Limit{
		"chat.postMessage":      redis.PerSecond(100, 10),
		PostMessageWorkspaceKey: redis.PerMinute(1, 1),
	}, redis.Limit{})
	c := newClient(clientConfig{
		token: "xoxb-test", apiURL: srv.URL + "/api/", http: &http.Client{Timeout: 5 * time.Second},
		metrics: metrics.New(), limiter: lim, log: slog.New(slog.DiscardHandler), locale: "it",
	})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := c.Post(ctx, "C1", bot.Reply{Text: "Promemoria"}); err != nil {
		t.Fatalf("post after a 429 on its channel: %v (the workspace slot of the refused call was not given back)", err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("retried after %v, before Retry-After", waited)
	}
	if n := posts.Load(); n != 2 {
		t.Fatalf("%d chat.postMessage calls, want 2", n)
	}
}
