// Package redis holds what Cantieri keeps in Redis: de-duplication of Slack deliveries, the
// outbound rate limiter shared by replicas, and short-lived state. It is the only package that
// imports go-redis. Every key is under a prefix, so that tests (and several bots on one Redis)
// never see each other's keys.
package redis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/comune-prato/cantieri/bot"
)

// Open parses url (redis://host:port/db) and returns a client. Short timeouts keep a request
// from hanging when Redis is down; go-redis reconnects by itself when it is back.
func Open(url string) (*goredis.Client, error) {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parse REDIS_URL: %w", err)
	}
	opt.DialTimeout = 2 * time.Second
	opt.ReadTimeout = 2 * time.Second
	opt.WriteTimeout = 2 * time.Second
	opt.MaxRetries = 1
	return goredis.NewClient(opt), nil
}

// Reachable reports whether anything accepts a connection at url's address, without go-redis:
// its pool retries a refused dial five times and logs each failure, where a check at start
// wants to say once what to start.
func Reachable(ctx context.Context, url string) error {
	opt, err := goredis.ParseURL(url)
	if err != nil {
		return fmt.Errorf("parse REDIS_URL: %w", err)
	}
	d := net.Dialer{Timeout: 2 * time.Second}
	c, err := d.DialContext(ctx, opt.Network, opt.Addr)
	if err != nil {
		return wrap("redis dial", err)
	}
	return c.Close()
}

// Ping reports whether Redis answers.
func Ping(ctx context.Context, c *goredis.Client) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return wrap("redis ping", c.Ping(ctx).Err())
}

// wrap names the operation and marks connection failures as bot.ErrUnavailable.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, goredis.ErrClosed) || errors.Is(err, goredis.ErrPoolTimeout) {
		return fmt.Errorf("%s: %w", op, errors.Join(bot.ErrUnavailable, err))
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Dedup remembers keys for a while, so that a delivery seen again (an Events API retry, a Socket
// Mode redelivery, the same event reaching two replicas) is processed once.
type Dedup struct {
	c      *goredis.Client
	prefix string
	ttl    time.Duration
}

// NewDedup returns a Dedup keeping keys under prefix for ttl. Slack retries for about
// half an hour at most, so an hour is a safe TTL.
func NewDedup(c *goredis.Client, prefix string, ttl time.Duration) *Dedup {
	return &Dedup{c: c, prefix: prefix + "dedup:", ttl: ttl}
}

// FirstSeen records key and reports whether this is its first sighting. It is atomic across
// replicas (SET NX). An error means Redis could not say: the caller should not process.
func (d *Dedup) FirstSeen(ctx context.Context, key string) (bool, error) {
	ok, err := d.c.SetNX(ctx, d.prefix+key, 1, d.ttl).Result()
	if err != nil {
		return false, wrap("dedup", err)
	}
	return ok, nil
}

// Forget removes key, so that a delivery that could not be processed may be processed when
// Slack retries it.
func (d *Dedup) Forget(ctx context.Context, key string) error {
	return wrap("dedup forget", d.c.Del(ctx, d.prefix+key).Err())
}

// slogPrintf routes go-redis's own messages (dial failures, pool trouble) into our structured
// log instead of its default plain-text logger on stderr.
type slogPrintf struct{ log *slog.Logger }

func (l slogPrintf) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(format, v...), "component", "go-redis")
}

// SetLogger sends go-redis's internal messages to log. go-redis keeps one logger per process.
func SetLogger(log *slog.Logger) { goredis.SetLogger(slogPrintf{log: log}) }
