// Package redistest connects tests to the real Redis and gives each test its own key prefix,
// deleting the test's keys when it ends.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-prato/cantieri/internal/redis"
)

// DefaultURL is the Redis tests use unless TEST_REDIS_URL says otherwise.
const DefaultURL = "redis://127.0.0.1:6379/0"

// URL returns the Redis URL for tests.
func URL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// New returns a client on the test Redis and a prefix unique to t; keys under the prefix are
// deleted when t ends.
func New(t testing.TB) (*goredis.Client, string) {
	t.Helper()
	c, err := redis.Open(URL())
	if err != nil {
		t.Fatal(err)
	}
	if err := redis.Ping(context.Background(), c); err != nil {
		t.Fatalf("redistest: %v (start Redis or set TEST_REDIS_URL)", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		_ = c.Close()
	})
	return c, prefix
}
