package redis_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

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
