package health_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/health"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

func TestReadySaysWhichDependencyIsDown(t *testing.T) {
	t.Parallel()
	pool := pgtest.NewPool(t)
	rc, _ := redistest.New(t)
	deadRedis, _ := redis.Open("redis://127.0.0.1:1/0")
	defer deadRedis.Close()

	for _, tc := range []struct {
		name   string
		checks map[string]health.Check
		code   int
		want   map[string]string
	}{
		{"all up", map[string]health.Check{
			"postgres": func(ctx context.Context) error { return postgres.Ping(ctx, pool) },
			"redis":    func(ctx context.Context) error { return redis.Ping(ctx, rc) },
		}, 200, map[string]string{"postgres": "ok", "redis": "ok"}},
		{"redis down", map[string]health.Check{
			"postgres": func(ctx context.Context) error { return postgres.Ping(ctx, pool) },
			"redis":    func(ctx context.Context) error { return redis.Ping(ctx, deadRedis) },
		}, 503, map[string]string{"postgres": "ok", "redis": "unavailable"}},
		{"postgres hangs", map[string]health.Check{
			"postgres": func(ctx context.Context) error { <-ctx.Done(); return errors.New("timeout") },
		}, 503, map[string]string{"postgres": "unavailable"}},
	} {
		rec := httptest.NewRecorder()
		health.Ready(tc.checks, 500*time.Millisecond).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		var body struct {
			Checks map[string]string `json:"checks"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if rec.Code != tc.code || len(body.Checks) != len(tc.want) {
			t.Errorf("%s: code %d body %s", tc.name, rec.Code, rec.Body)
		}
		for k, v := range tc.want {
			if body.Checks[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.name, k, body.Checks[k], v)
			}
		}
	}
}
