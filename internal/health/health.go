// Package health serves the liveness and readiness endpoints: /healthz says the process is up;
// /readyz checks each dependency (PostgreSQL, Redis) and says which one is down.
package health

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Check reports whether one dependency is reachable.
type Check func(ctx context.Context) error

// Live answers 200 while the process runs.
func Live() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
}

// Ready runs every check concurrently (each bounded by timeout) and answers 200 when all pass,
// 503 otherwise, with a JSON body naming each dependency's state. Error details are not
// echoed: they may contain hosts or user names.
func Ready(checks map[string]Check, timeout time.Duration) http.Handler {
	names := make([]string, 0, len(checks))
	for n := range checks {
		names = append(names, n)
	}
	sort.Strings(names)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		results := make(map[string]string, len(names))
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, n := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				state := "ok"
				if err := checks[n](ctx); err != nil {
					state = "unavailable"
				}
				mu.Lock()
				results[n] = state
				mu.Unlock()
			}()
		}
		wg.Wait()
		status, code := "ok", http.StatusOK
		for _, s := range results {
			if s != "ok" {
				status, code = "unavailable", http.StatusServiceUnavailable
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "checks": results})
	})
}
