package slack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
	"github.com/comune-prato/cantieri/internal/slackfake"
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

// Injected 429s (the GUIDE's "fan-out under injected 429s").
const (
	meetBench429Every = 100
	meetBench429Open  = 300
)

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
	// The fake answers conversations.open with a stable id per set of users and
	// chat.postMessage with a unique ts; the hook refuses every meetBench429Every-th
	// chat.postMessage and the meetBench429Open-th conversations.open once with Retry-After: 1
	// (the call numbers restart with each iteration's Reset).
	fake := slackfake.New(b)
	var injected atomic.Int64
	fake.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if (method == "conversations.open" && n == meetBench429Open) ||
			(method == "chat.postMessage" && n%meetBench429Every == meetBench429Every/2) {
			injected.Add(1)
			return slackfake.TooManyRequests(w)
		}
		return false
	})
	httpc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * meetBenchWorkers}}
	c := newClient(clientConfig{
		token: slackfake.Token, apiURL: fake.APIURL(), http: httpc, metrics: metrics.New(),
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
		fake.Reset()
		injected.Store(0)
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

		posts := map[string]int{}
		for _, p := range fake.Posts() {
			posts[p.Channel]++
		}
		for _, n := range posts {
			delivered += n
			if n > 1 {
				dups += n - 1
			}
		}
		opened := len(fake.Conversations())
		limited += int(injected.Load())
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
