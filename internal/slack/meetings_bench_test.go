package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// Size and pace of BenchmarkRoundDelivery: a large council's round (1,500 people in pairs)
// with Slack's limits scaled up so that a run takes seconds rather than the quarter of an hour
// the real ones (conversations.open at 50 a minute) would.
const (
	meetBenchPeople  = 1500
	meetBenchGroups  = meetBenchPeople / 2
	meetBenchRate    = 50 // calls a second allowed, for each of conversations.open and chat.postMessage
	meetBenchBurst   = 5
	meetBenchWorkers = 10 // as many as a Runner works jobs at once (jobs.DefaultWorkers)
)

// meetBenchSlack answers conversations.open with a stable id per set of users and
// chat.postMessage with a unique ts, counting the messages per conversation.
type meetBenchSlack struct {
	mu    sync.Mutex
	convs map[string]string
	posts map[string]int
	opens int
	calls int
	// limited counts the injected 429s: every meetBench429Every-th chat.postMessage and the
	// meetBench429Open-th conversations.open are refused once with Retry-After: 1.
	limited int
}

// Injected 429s (the GUIDE's "fan-out under injected 429s").
const (
	meetBench429Every = 100
	meetBench429Open  = 300
)

func (f *meetBenchSlack) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.convs, f.posts, f.opens, f.calls, f.limited = map[string]string{}, map[string]int{}, 0, 0, 0
}

func (f *meetBenchSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	var resp any
	f.mu.Lock()
	switch method {
	case "conversations.open":
		f.opens++
		if f.opens == meetBench429Open {
			f.limited++
			f.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		users := strings.Split(r.Form.Get("users"), ",")
		sort.Strings(users)
		key := strings.Join(users, ",")
		id, ok := f.convs[key]
		if !ok {
			id = fmt.Sprintf("G%05d", len(f.convs)+1)
			f.convs[key] = id
		}
		resp = map[string]any{"ok": true, "channel": map[string]any{"id": id}}
	case "chat.postMessage":
		f.calls++
		if f.calls%meetBench429Every == meetBench429Every/2 {
			f.limited++
			f.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		ch := r.Form.Get("channel")
		f.posts[ch]++
		resp = map[string]any{"ok": true, "channel": ch, "ts": fmt.Sprintf("1700000000.%06d", f.calls)}
	default:
		resp = map[string]any{"ok": true}
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// BenchmarkRoundDelivery delivers a round's 750 group messages (1,500 people in pairs)
// through the real Client: each message opens its group conversation and posts to it, both
// paced by the Redis limiter shared by all workers, against a fake Slack. With the limits
// scaled to 50 calls a second per method, a run takes about 15 s; run it once:
//
//	go test -run '^$' -bench RoundDelivery -benchtime=1x ./internal/slack/
//
// Metrics: of-limit (chat.postMessage calls a second over the configured rate: 1 means the
// limiter lets the bot post exactly as fast as allowed, above 1 it let bursts through, far
// below it wastes the budget), calls/s (both methods), messages (delivered: must be 750) and
// duplicates (conversations posted to more than once: must be 0).
func BenchmarkRoundDelivery(b *testing.B) {
	rc, prefix := redistest.New(b)
	limits := map[string]redis.Limit{
		"conversations.open": redis.PerSecond(meetBenchRate, meetBenchBurst),
		"chat.postMessage":   redis.PerSecond(meetBenchRate, meetBenchBurst),
		// The workspace-wide allowance, scaled like the others (per channel, each group's
		// conversation gets one message, far below its own limit).
		PostMessageWorkspaceKey: redis.PerSecond(meetBenchRate, meetBenchBurst),
	}
	fake := &meetBenchSlack{}
	srv := httptest.NewServer(fake)
	b.Cleanup(srv.Close)
	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * meetBenchWorkers}}
	c := newClient(clientConfig{
		token: "xoxb-test", apiURL: srv.URL + "/api/", http: httpc, metrics: metrics.New(),
		limiter: redis.NewLimiter(rc, prefix, limits, redis.SlackTier3),
		log:     slog.New(slog.DiscardHandler), locale: "it",
	})
	addrs := make([]string, meetBenchGroups)
	for g := range addrs {
		addrs[g] = fmt.Sprintf("%sU%05d,U%05d", bot.GroupAddressPrefix, 2*g+1, 2*g+2)
	}
	ctx := context.Background()

	var (
		elapsed                        time.Duration
		delivered, dups, runs, limited int
		errs                           []error
	)
	for b.Loop() {
		fake.reset()
		// Each iteration starts with the limiter's budget refilled, as a round after a quiet
		// week does.
		b.StopTimer()
		time.Sleep(time.Second)
		b.StartTimer()
		start := time.Now()
		work := make(chan string)
		var (
			wg sync.WaitGroup
			mu sync.Mutex
		)
		for range meetBenchWorkers {
			wg.Go(func() {
				for a := range work {
					_, err := c.Post(ctx, a, bot.Reply{Text: "Ciao! Siete un gruppo del giro 1 di «Caffè tra uffici»."})
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			})
		}
		for _, a := range addrs {
			work <- a
		}
		close(work)
		wg.Wait()
		elapsed += time.Since(start)
		runs++

		fake.mu.Lock()
		for _, n := range fake.posts {
			delivered += n
			if n > 1 {
				dups += n - 1
			}
		}
		opened := len(fake.convs)
		limited += fake.limited
		fake.mu.Unlock()
		if opened != meetBenchGroups {
			b.Fatalf("%d conversations opened, want %d", opened, meetBenchGroups)
		}
	}
	if len(errs) > 0 {
		b.Fatalf("%d posts failed, e.g. %v", len(errs), errs[0])
	}
	secs := elapsed.Seconds()
	postsPerSec := float64(delivered) / secs
	b.ReportMetric(postsPerSec/meetBenchRate, "of-limit")
	b.ReportMetric(2*float64(delivered)/secs, "calls/s")
	b.ReportMetric(float64(delivered)/float64(runs), "messages")
	b.ReportMetric(float64(dups), "duplicates")
	b.ReportMetric(float64(limited)/float64(runs), "429s")
	b.Logf("%d runs: %d messages in %v, %.1f posts/s for a limit of %d/s (burst %d), %d duplicates, %d injected 429s",
		runs, delivered, elapsed.Round(time.Millisecond), postsPerSec, meetBenchRate, meetBenchBurst, dups, limited)
	if delivered != meetBenchGroups*runs || dups != 0 {
		b.Fatalf("delivered %d messages with %d duplicates, want %d and 0", delivered, dups, meetBenchGroups*runs)
	}
}
