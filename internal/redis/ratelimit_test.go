package redis_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// minDuration is the least time n calls can take under l: Burst go at once, then one per
// emission interval. A little slack covers timer and clock granularity.
func minDuration(l redis.Limit, n int) time.Duration {
	d := time.Duration(n-l.Burst) * l.Per / time.Duration(l.Rate)
	return d - 20*time.Millisecond
}

// waitAll runs n concurrent Waits spread over the limiters and returns how long they took.
func waitAll(t *testing.T, limiters []*redis.Limiter, key string, n int) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := limiters[i%len(limiters)].Wait(ctx, key); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func TestLimiterConcurrentWaitersKeepTheRate(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.New(t)
	lim := redis.PerSecond(10, 2)
	l := redis.NewLimiter(c, prefix, map[string]redis.Limit{"chat.postMessage": lim}, redis.Limit{})

	const n = 20
	took := waitAll(t, []*redis.Limiter{l}, "chat.postMessage:C1", n)
	if low := minDuration(lim, n); took < low {
		t.Fatalf("%d waiters at %d/s took %v, want at least %v", n, lim.Rate, took, low)
	}
	// An upper bound, generous for slow CI machines, that still catches a limiter that
	// stalls or sleeps far longer than the rate requires.
	if high := 3*time.Duration(n)*lim.Per/time.Duration(lim.Rate) + 2*time.Second; took > high {
		t.Fatalf("%d waiters at %d/s took %v, want at most %v", n, lim.Rate, took, high)
	}
}

func TestLimiterReplicasShareTheBudget(t *testing.T) {
	t.Parallel()
	c1, prefix := redistest.New(t)
	c2, _ := redistest.New(t) // a second connection, as another replica would have
	lim := redis.PerSecond(10, 1)
	limits := map[string]redis.Limit{"users.info": lim}
	replicas := []*redis.Limiter{
		redis.NewLimiter(c1, prefix, limits, redis.Limit{}),
		redis.NewLimiter(c2, prefix, limits, redis.Limit{}),
	}
	const n = 16
	took := waitAll(t, replicas, "users.info", n)
	if low := minDuration(lim, n); took < low {
		t.Fatalf("%d waiters on two replicas at %d/s took %v, want at least %v (budget not shared?)", n, lim.Rate, took, low)
	}
}

func TestLimiterDefaultLimitAppliesToUnlistedMethods(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.New(t)
	def := redis.PerSecond(20, 1)
	l := redis.NewLimiter(c, prefix, nil, def)
	const n = 10
	if took, low := waitAll(t, []*redis.Limiter{l}, "conversations.open", n), minDuration(def, n); took < low {
		t.Fatalf("took %v, want at least %v", took, low)
	}
}

func TestLimiterPenalizePausesEveryReplica(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.New(t)
	limits := map[string]redis.Limit{"chat.postMessage": redis.PerSecond(100, 100)}
	a := redis.NewLimiter(c, prefix, limits, redis.Limit{})
	b := redis.NewLimiter(c, prefix, limits, redis.Limit{})
	ctx := context.Background()

	const retryAfter = 700 * time.Millisecond
	start := time.Now()
	if err := a.Penalize(ctx, "chat.postMessage:C9", retryAfter); err != nil {
		t.Fatal(err)
	}
	// A shorter penalty arriving later (another replica's 429) does not shorten the pause.
	if err := b.Penalize(ctx, "chat.postMessage:C9", time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(ctx, "chat.postMessage:C9"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < retryAfter-10*time.Millisecond {
		t.Fatalf("Wait after a %v penalty returned after %v", retryAfter, took)
	}
}

func TestLimiterWaitRespectsContext(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.New(t)
	l := redis.NewLimiter(c, prefix, nil, redis.PerMinute(1, 1))
	if err := l.Penalize(context.Background(), "views.open", time.Minute); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := l.Wait(ctx, "views.open"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait on a paused key with a short deadline = %v, want DeadlineExceeded", err)
	}
}

func TestLimiterZeroLimitIsUnlimited(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.New(t)
	l := redis.NewLimiter(c, prefix, map[string]redis.Limit{"auth.test": {}}, redis.PerMinute(1, 1))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// At one a minute, the second Wait would outlast the deadline if the key were limited.
	for range 100 {
		if err := l.Wait(ctx, "auth.test"); err != nil {
			t.Fatal(err)
		}
	}
}

// logRecorder is a slog handler keeping the messages logged, to count them.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, rec.Message)
	return nil
}
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *logRecorder) WithGroup(string) slog.Handler      { return r }

// count returns how many messages contain s.
func (r *logRecorder) count(s string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.msgs {
		if strings.Contains(m, s) {
			n++
		}
	}
	return n
}

// gaugeRecorder is a Gauge keeping its last value.
type gaugeRecorder struct {
	mu sync.Mutex
	v  float64
}

func (g *gaugeRecorder) Set(v float64) { g.mu.Lock(); g.v = v; g.mu.Unlock() }
func (g *gaugeRecorder) get() float64  { g.mu.Lock(); defer g.mu.Unlock(); return g.v }

// unreachableRedis returns a client for an address where nothing listens.
func unreachableRedis(t *testing.T) *goredis.Client {
	t.Helper()
	c, err := redis.Open("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestLimiterPacesLocallyWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	logs := &logRecorder{}
	gauge := &gaugeRecorder{}
	lim := redis.PerSecond(20, 2)
	l := redis.NewLimiter(unreachableRedis(t), "test:down:", map[string]redis.Limit{"chat.postMessage": lim}, redis.Limit{},
		redis.WithLogger(slog.New(logs)), redis.WithFallbackGauge(gauge))

	// The first call finds Redis down (go-redis's dial attempts take a while) and switches;
	// the calls timed below are paced locally. Before the fallback, Wait failed at once and
	// every call went through unpaced.
	if err := l.Wait(context.Background(), "chat.postMessage:C0"); err != nil {
		t.Fatalf("Wait with Redis down = %v, want local pacing", err)
	}
	const n = 12
	took := waitAll(t, []*redis.Limiter{l}, "chat.postMessage:C1", n)
	if low := minDuration(lim, n); took < low {
		t.Fatalf("%d waiters at %d/s with Redis down took %v, want at least %v (unpaced?)", n, lim.Rate, took, low)
	}
	if high := 2*time.Duration(n)*lim.Per/time.Duration(lim.Rate) + time.Second; took > high {
		t.Fatalf("%d waiters at %d/s with Redis down took %v, want at most %v", n, lim.Rate, took, high)
	}
	// Another key has its own bucket, as it has its own GCRA key in Redis.
	if took := waitAll(t, []*redis.Limiter{l}, "chat.postMessage:C2", 2); took > 200*time.Millisecond {
		t.Fatalf("the burst of another channel took %v", took)
	}
	if got := logs.count("Redis unavailable"); got != 1 {
		t.Fatalf("the switch to local pacing was logged %d times for %d calls, want once", got, n+3)
	}
	if gauge.get() != 1 {
		t.Fatalf("fallback gauge = %v while pacing locally, want 1", gauge.get())
	}
}

func TestLimiterPenalizeHoldsWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	l := redis.NewLimiter(unreachableRedis(t), "test:down:", map[string]redis.Limit{"conversations.open": redis.PerSecond(100, 100)}, redis.Limit{})
	ctx := context.Background()
	const retryAfter = 400 * time.Millisecond
	start := time.Now()
	if err := l.Penalize(ctx, "conversations.open", retryAfter); err != nil {
		t.Fatalf("Penalize with Redis down = %v, want the pause kept locally", err)
	}
	if err := l.Wait(ctx, "conversations.open"); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < retryAfter-10*time.Millisecond {
		t.Fatalf("Wait after a %v penalty with Redis down returned after %v", retryAfter, took)
	}
	// A deadline before the pause ends is the caller's error, not a limiter failure.
	if err := l.Penalize(ctx, "conversations.open", time.Minute); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := l.Wait(short, "conversations.open"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait on a paused key with a short deadline = %v, want DeadlineExceeded", err)
	}
}

// redisProxy forwards TCP connections to the test Redis until stopped, so that a test can take
// "Redis" down and bring it back at the same address.
type redisProxy struct {
	t      *testing.T
	addr   string
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newRedisProxy(t *testing.T) *redisProxy {
	t.Helper()
	opt, err := goredis.ParseURL(redistest.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &redisProxy{t: t, target: opt.Addr}
	p.start("127.0.0.1:0")
	t.Cleanup(p.stop)
	return p
}

func (p *redisProxy) start(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
}

// stop closes the listener and every connection: Redis is "down".
func (p *redisProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func TestLimiterReturnsToRedisWhenItIsBack(t *testing.T) {
	t.Parallel()
	rc, prefix := redistest.New(t)
	proxy := newRedisProxy(t)
	c, err := redis.Open("redis://" + proxy.addr + "/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	logs := &logRecorder{}
	gauge := &gaugeRecorder{}
	l := redis.NewLimiter(c, prefix, map[string]redis.Limit{"users.info": redis.PerSecond(50, 5)}, redis.Limit{},
		redis.WithLogger(slog.New(logs)), redis.WithFallbackGauge(gauge))
	redis.SetProbeInterval(l, 50*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if err := l.Wait(ctx, "users.info"); err != nil {
		t.Fatal(err)
	}
	proxy.stop()
	for range 5 {
		if err := l.Wait(ctx, "users.info"); err != nil {
			t.Fatalf("Wait with Redis down = %v, want local pacing", err)
		}
	}
	if logs.count("Redis unavailable") != 1 || gauge.get() != 1 {
		t.Fatalf("after Redis went down: %d switch logs (want 1), gauge %v (want 1)", logs.count("Redis unavailable"), gauge.get())
	}
	proxy.start(proxy.addr)
	// The shared GCRA key is written again once the Limiter is back on Redis.
	rk := "rate:" + prefix + "ratelimit:users.info"
	if err := rc.Del(ctx, rk).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for logs.count("Redis is back") == 0 && time.Now().Before(deadline) {
		if err := l.Wait(ctx, "users.info"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for range 5 {
		if err := l.Wait(ctx, "users.info"); err != nil {
			t.Fatal(err)
		}
	}
	if got := logs.count("Redis is back"); got != 1 {
		t.Fatalf("the return to Redis was logged %d times, want once", got)
	}
	if got := logs.count("Redis unavailable"); got != 1 {
		t.Fatalf("the switch to local pacing was logged %d times, want once", got)
	}
	if gauge.get() != 0 {
		t.Fatalf("fallback gauge = %v after Redis is back, want 0", gauge.get())
	}
	if n, err := rc.Exists(ctx, rk).Result(); err != nil || n != 1 {
		t.Fatalf("the shared GCRA key after Redis is back: exists=%d, %v; want the shared budget used again", n, err)
	}
}

func TestLimiterRefundGivesBackOneSlot(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.New(t)
	// One slot a minute: once spent, a Wait would outlast the deadline unless it is back (the
	// refund brings the TAT back to now, which a negative cost in redis_rate would not).
	l := redis.NewLimiter(c, prefix, map[string]redis.Limit{"chat.postMessage.workspace": redis.PerMinute(1, 1)}, redis.Limit{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	const key = "chat.postMessage.workspace"
	if err := l.Wait(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := l.Refund(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := l.Wait(ctx, key); err != nil {
		t.Fatalf("Wait after a refund = %v, want the slot given back", err)
	}
	// Refunds on an idle key give back nothing beyond the burst.
	if err := c.Del(ctx, "rate:"+prefix+"ratelimit:"+key).Err(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := l.Refund(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Wait(ctx, key); err != nil {
		t.Fatal(err)
	}
	short, cancelShort := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancelShort()
	if err := l.Wait(short, key); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second Wait after refunds on an idle key = %v, want DeadlineExceeded (more than the burst)", err)
	}
}
