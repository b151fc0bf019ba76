package redis_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

func TestDedupFirstSeenOnceAcrossConcurrentCallers(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.New(t)
	d := redis.NewDedup(c, prefix, time.Minute)
	var firsts atomic.Int32
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := d.FirstSeen(context.Background(), "Ev123")
			if err != nil {
				t.Error(err)
			}
			if ok {
				firsts.Add(1)
			}
		}()
	}
	wg.Wait()
	if firsts.Load() != 1 {
		t.Fatalf("first sightings = %d, want 1", firsts.Load())
	}
	if err := d.Forget(context.Background(), "Ev123"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := d.FirstSeen(context.Background(), "Ev123"); !ok {
		t.Fatal("a forgotten key should be new again")
	}
}

func TestDedupKeyExpires(t *testing.T) {
	t.Parallel()
	c, prefix := redistest.New(t)
	d := redis.NewDedup(c, prefix, time.Minute)
	if _, err := d.FirstSeen(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.TTL(context.Background(), prefix+"dedup:k").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("TTL = %v, %v; want a positive TTL up to a minute", ttl, err)
	}
}

func TestUnreachableRedisIsUnavailable(t *testing.T) {
	t.Parallel()
	c, err := redis.Open("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = redis.NewDedup(c, "x:", time.Minute).FirstSeen(context.Background(), "k")
	if bot.ErrorCode(err) != bot.EUNAVAILABLE {
		t.Fatalf("ErrorCode(%v) = %q, want unavailable", err, bot.ErrorCode(err))
	}
}
