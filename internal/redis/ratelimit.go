package redis

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"
)

// Limit is an allowed rate: Rate events per Per, with bursts of up to Burst events at once.
// The zero Limit (Rate 0) means "not limited".
type Limit struct {
	Rate  int
	Per   time.Duration
	Burst int
}

// PerSecond returns a limit of rate events a second with bursts of burst.
func PerSecond(rate, burst int) Limit { return Limit{Rate: rate, Per: time.Second, Burst: burst} }

// PerMinute returns a limit of rate events a minute with bursts of burst.
func PerMinute(rate, burst int) Limit { return Limit{Rate: rate, Per: time.Minute, Burst: burst} }

// Slack Web API rate-limit tiers (per method, per workspace, per app: so per bot, not per
// replica). Bursts are kept small because Slack counts per minute: a GCRA limit lets Burst
// events through at once and then Rate per Per, so a minute can see up to Rate+Burst calls.
var (
	// SlackTier1 is Slack's Tier 1 (≈ 1 call a minute).
	SlackTier1 = PerMinute(1, 1)
	// SlackTier2 is Slack's Tier 2 (≈ 20 calls a minute).
	SlackTier2 = PerMinute(20, 2)
	// SlackTier3 is Slack's Tier 3 (≈ 50 calls a minute).
	SlackTier3 = PerMinute(50, 5)
	// SlackTier4 is Slack's Tier 4 (≈ 100 calls a minute).
	SlackTier4 = PerMinute(100, 10)
	// SlackPostMessage is chat.postMessage's special limit: about one message a second per
	// channel, with short bursts tolerated.
	SlackPostMessage = PerSecond(1, 3)
	// SlackPostMessageWorkspace caps chat.postMessage across all channels: Slack allows bursts
	// of several hundred a minute per workspace; this stays well inside.
	SlackPostMessageWorkspace = PerMinute(300, 20)
)

// SlackLimits returns the limits of the Slack Web API methods the bot calls most, for
// NewLimiter; methods not listed get NewLimiter's default (SlackTier3 is a prudent one). The
// tiers follow Slack's method documentation; a 429 (see Limiter.Penalize) corrects any drift.
func SlackLimits() map[string]Limit {
	return map[string]Limit{
		"chat.postMessage":             SlackPostMessage,
		"chat.postMessage.workspace":   SlackPostMessageWorkspace,
		"chat.postEphemeral":           SlackTier4,
		"chat.update":                  SlackTier3,
		"conversations.open":           SlackTier3,
		"conversations.history":        SlackTier3,
		"conversations.create":         SlackTier2,
		"conversations.invite":         SlackTier3,
		"conversations.members":        SlackTier4,
		"users.info":                   SlackTier4,
		"users.list":                   SlackTier2,
		"views.open":                   SlackTier4,
		"views.update":                 SlackTier4,
		"views.publish":                SlackTier4,
		"files.info":                   SlackTier4,
		"pins.add":                     SlackTier2,
		"files.getUploadURLExternal":   SlackTier4,
		"files.completeUploadExternal": SlackTier4,
	}
}

// Limiter is one outbound rate limiter shared by every replica: its state lives in Redis, so
// that Slack's per-app limits hold however many processes call Slack. It uses GCRA
// (go-redis/redis_rate), whose clock is Redis's own, so replicas need not agree on the time.
//
// Keys are Slack Web API method names, optionally followed by ":" and a sub-key, so that a
// limit can be kept per method ("users.info") or per method and channel
// ("chat.postMessage:C123"); the limit is looked up by the method part. (redis_rate puts its
// own "rate:" in front of the prefix; those keys expire by themselves once idle.)
//
// When Redis fails, the Limiter paces each replica on its own at the same rates (see
// localLimiter) rather than letting calls through unpaced, and tries Redis again every
// probeInterval; it logs once when it switches and once when Redis is back.
type Limiter struct {
	rl     *redis_rate.Limiter
	c      *goredis.Client
	prefix string
	limits map[string]Limit
	def    Limit

	log   *slog.Logger
	gauge Gauge
	local localLimiter
	// probeInterval is how long the Limiter paces locally before trying Redis again.
	probeInterval time.Duration

	mu sync.Mutex
	// down is set while Redis is failing: calls are paced by local.
	down bool
	// probeAt is when the next call may try Redis again while down.
	probeAt time.Time
	// outages counts the switches to local pacing: a Wait that went to Redis before the
	// latest switch and succeeded says nothing about Redis now, and must not switch back
	// (calls in flight when Redis fails would otherwise make the log flap).
	outages uint64
}

// Gauge is the one method of a Prometheus gauge the Limiter uses (so that this package needs
// no Prometheus import).
type Gauge interface{ Set(float64) }

// LimiterOption configures a Limiter.
type LimiterOption func(*Limiter)

// WithLogger makes the Limiter log to log when it falls back to local pacing and when Redis is
// back (once each, not per call).
func WithLogger(log *slog.Logger) LimiterOption {
	return func(l *Limiter) {
		if log != nil {
			l.log = log
		}
	}
}

// WithFallbackGauge makes the Limiter set g to 1 while it paces locally and to 0 while it
// paces through Redis.
func WithFallbackGauge(g Gauge) LimiterOption {
	return func(l *Limiter) { l.gauge = g }
}

// defaultProbeInterval is how often a Limiter pacing locally tries Redis again: often enough
// that sharing resumes soon after Redis does, rarely enough that a Redis that times out (rather
// than refusing at once) delays few calls.
const defaultProbeInterval = 5 * time.Second

// NewLimiter returns a Limiter keeping its state under prefix, with a limit per method and def
// for the methods not in limits. A Burst below 1 counts as 1; a zero Rate means unlimited.
func NewLimiter(c *goredis.Client, prefix string, limits map[string]Limit, def Limit, opts ...LimiterOption) *Limiter {
	own := make(map[string]Limit, len(limits))
	for k, l := range limits {
		own[k] = l
	}
	l := &Limiter{
		rl: redis_rate.NewLimiter(c), c: c, prefix: prefix + "ratelimit:", limits: own, def: def,
		log: slog.New(slog.DiscardHandler), probeInterval: defaultProbeInterval,
	}
	for _, o := range opts {
		o(l)
	}
	return l
}

// limitFor returns the limit of key by its method part, and whether key is limited at all.
func (l *Limiter) limitFor(key string) (redis_rate.Limit, bool) {
	method, _, _ := strings.Cut(key, ":")
	lim, ok := l.limits[method]
	if !ok {
		lim = l.def
	}
	if lim.Rate <= 0 || lim.Per <= 0 {
		return redis_rate.Limit{}, false
	}
	return redis_rate.Limit{Rate: lim.Rate, Period: lim.Per, Burst: max(lim.Burst, 1)}, true
}

// pauseScript extends a key's pause to ARGV[1] ms unless a longer one is already running, so
// that replicas penalising the same key at once keep the longest Retry-After.
var pauseScript = goredis.NewScript(`
local left = redis.call("PTTL", KEYS[1])
if left < tonumber(ARGV[1]) then
  redis.call("SET", KEYS[1], "1", "PX", ARGV[1])
end
return 0
`)

// Wait blocks until one call under key is allowed, or ctx is done (then it returns ctx's
// error). It first honours a pause set by Penalize, then takes a slot from the GCRA budget.
// When Redis fails, the call is paced by this replica alone at the same rate (each replica
// then allows the full rate, but a replica outage is short and Slack's 429s remain the last
// line of defence): Wait returns an error only when ctx ends.
func (l *Limiter) Wait(ctx context.Context, key string) error {
	lim, ok := l.limitFor(key)
	if !ok {
		return ctx.Err()
	}
	if shared, outages := l.useRedis(ctx); shared {
		err := l.waitShared(ctx, key, lim)
		switch {
		case err == nil:
			l.redisAnswered(outages)
			return nil
		case ctx.Err() != nil:
			// The caller gave up (perhaps while Redis hung): that says nothing either way.
			return err
		}
		l.redisFailed(err)
	}
	return l.local.wait(ctx, key, lim)
}

// waitShared is Wait on the budget shared in Redis.
func (l *Limiter) waitShared(ctx context.Context, key string, lim redis_rate.Limit) error {
	rk := l.prefix + key
	pk := l.prefix + "pause:" + key
	for {
		pause, err := l.c.PTTL(ctx, pk).Result()
		if err != nil {
			return wrap("rate limit "+key+": pause", err)
		}
		var delay time.Duration
		if pause > 0 {
			delay = pause
		} else {
			res, err := l.rl.Allow(ctx, rk, lim)
			if err != nil {
				return wrap("rate limit "+key, err)
			}
			if res.Allowed > 0 {
				return nil
			}
			delay = res.RetryAfter
		}
		// A little jitter spreads the waiters of many goroutines and replicas, who would
		// otherwise all ask Redis in the same millisecond for the one slot that frees up.
		delay += time.Duration(rand.Int64N(int64(2*time.Millisecond) + 1))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("rate limit %s: %w", key, ctx.Err())
		case <-t.C:
		}
	}
}

// probeTimeout bounds the check of whether Redis is back, so that the call that makes it is
// not held up by a Redis that accepts connections but does not answer.
const probeTimeout = 500 * time.Millisecond

// useRedis reports whether this call should go to Redis: always while Redis works; while it
// is down, one call every probeInterval checks whether it is back (the others, and that one if
// it is not, are paced locally). It also returns the outages counted so far, for
// redisAnswered.
func (l *Limiter) useRedis(ctx context.Context) (bool, uint64) {
	l.mu.Lock()
	outages := l.outages
	if !l.down {
		l.mu.Unlock()
		return true, outages
	}
	now := time.Now()
	if now.Before(l.probeAt) {
		l.mu.Unlock()
		return false, outages
	}
	// This call probes; the others keep pacing locally meanwhile.
	l.probeAt = now.Add(l.probeInterval)
	l.mu.Unlock()
	pctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	if err := l.c.Ping(pctx).Err(); err != nil {
		if ctx.Err() == nil {
			l.redisFailed(err)
		}
		return false, outages
	}
	return true, outages
}

// redisFailed switches to local pacing (logging the first failure only) and puts the next
// try of Redis probeInterval away.
func (l *Limiter) redisFailed(err error) {
	l.mu.Lock()
	was := l.down
	l.down = true
	if !was {
		l.outages++
		if l.gauge != nil {
			l.gauge.Set(1)
		}
	}
	l.probeAt = time.Now().Add(l.probeInterval)
	l.mu.Unlock()
	if !was {
		l.log.Warn("rate limiter: Redis unavailable; pacing Slack calls in this process at the same rates until it is back",
			"err", err, "retry_every", l.probeInterval)
	}
}

// redisAnswered switches back to the shared budget after Redis answered a Wait that began
// when outages had been counted.
func (l *Limiter) redisAnswered(outages uint64) {
	l.mu.Lock()
	was := l.down
	if outages == l.outages {
		l.down = false
	}
	back := was && !l.down
	if back && l.gauge != nil {
		l.gauge.Set(0) // under the lock, so that the gauge follows the switches in order
	}
	l.mu.Unlock()
	if back {
		l.log.Info("rate limiter: Redis is back; Slack calls are paced across replicas again")
	}
}

// Penalize pauses key for every replica for retryAfter (Slack's Retry-After after a 429), so
// that no replica calls that method again before Slack allows it. A longer pause already in
// place is kept. The pause is also kept in this process, so that it holds when the Limiter
// paces locally (Redis down, now or before the pause ends); a Redis failure is then no error.
func (l *Limiter) Penalize(ctx context.Context, key string, retryAfter time.Duration) error {
	ms := retryAfter.Milliseconds()
	if ms <= 0 {
		return nil
	}
	l.local.pause(key, retryAfter)
	if shared, _ := l.useRedis(ctx); !shared {
		return nil
	}
	err := pauseScript.Run(ctx, l.c, []string{l.prefix + "pause:" + key}, ms).Err()
	if err != nil && ctx.Err() == nil {
		l.redisFailed(err)
		return nil
	}
	return wrap("rate limit "+key+": penalize", err)
}

// redisRatePrefix is what redis_rate puts in front of its keys.
const redisRatePrefix = "rate:"

// refundScript moves a GCRA key's theoretical arrival time (TAT) back by one emission interval
// (ARGV[1], in seconds), and drops the key when that leaves the TAT in the past, as an idle
// key is: a refund never gives more than a full burst. It reads and writes the TAT as
// redis_rate v10's own script does (seconds since 2017-01-01 by Redis's clock, under
// "rate:"+key); redis_rate has no refund (a negative cost is lost whenever it would bring the
// TAT back to now), and TestLimiterRefundGivesBackOneSlot pins the format.
var refundScript = goredis.NewScript(`
redis.replicate_commands()
local tat = tonumber(redis.call("GET", KEYS[1]))
if not tat then
  return 0
end
local t = redis.call("TIME")
local now = (t[1] - 1483228800) + (t[2] / 1000000)
local back = tat - tonumber(ARGV[1])
if back <= now then
  redis.call("DEL", KEYS[1])
else
  redis.call("SET", KEYS[1], back, "EX", math.ceil(back - now))
end
return 0
`)

// Refund gives back the slot that a call under key took, for a call that Slack refused because
// of another key's limit (a 429 on a post's channel gives back its slot of the workspace
// allowance): the refused call posted nothing, so it spends none of the allowance, and its
// retry takes a slot of its own when it goes. While pacing locally Refund does nothing (the
// fallback errs on the slow side).
func (l *Limiter) Refund(ctx context.Context, key string) error {
	lim, ok := l.limitFor(key)
	if !ok {
		return nil
	}
	l.mu.Lock()
	down := l.down
	l.mu.Unlock()
	if down {
		return nil
	}
	interval := lim.Period.Seconds() / float64(lim.Rate)
	err := refundScript.Run(ctx, l.c, []string{redisRatePrefix + l.prefix + key}, interval).Err()
	return wrap("rate limit "+key+": refund", err)
}

// maxLocalKeys bounds the keys the local limiter remembers (one per channel posted to): when
// full it starts afresh, which at worst lets one burst through per key.
const maxLocalKeys = 10_000

// localLimiter paces calls within this process with token buckets (golang.org/x/time/rate) of
// the same rates and bursts as the shared GCRA, and keeps the pauses of Penalize. It is the
// fallback while Redis is down; its state is lazily made, so it costs nothing until then.
type localLimiter struct {
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
	pauses  map[string]time.Time
}

// bucket returns key's token bucket, made with lim if new.
func (ll *localLimiter) bucket(key string, lim redis_rate.Limit) *rate.Limiter {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	b, ok := ll.buckets[key]
	if !ok {
		if ll.buckets == nil || len(ll.buckets) >= maxLocalKeys {
			ll.buckets = make(map[string]*rate.Limiter)
		}
		b = rate.NewLimiter(rate.Every(lim.Period/time.Duration(lim.Rate)), lim.Burst)
		ll.buckets[key] = b
	}
	return b
}

// pause holds key back for d from now, unless a longer pause is already running.
func (ll *localLimiter) pause(key string, d time.Duration) {
	until := time.Now().Add(d)
	ll.mu.Lock()
	defer ll.mu.Unlock()
	if ll.pauses == nil {
		ll.pauses = make(map[string]time.Time)
	}
	if len(ll.pauses) >= maxLocalKeys {
		now := time.Now()
		for k, t := range ll.pauses {
			if !t.After(now) {
				delete(ll.pauses, k)
			}
		}
	}
	if until.After(ll.pauses[key]) {
		ll.pauses[key] = until
	}
}

// pausedFor returns how long key is still paused.
func (ll *localLimiter) pausedFor(key string) time.Duration {
	ll.mu.Lock()
	defer ll.mu.Unlock()
	return time.Until(ll.pauses[key])
}

// wait is Limiter.Wait in this process alone: the pause first, then a token. A reservation is
// waited for with ctx (rate.Limiter.Wait would fail at once, with an error that is not ctx's,
// when the deadline falls before the token is due, and a caller would take that for a
// limiter failure).
func (ll *localLimiter) wait(ctx context.Context, key string, lim redis_rate.Limit) error {
	for {
		d := ll.pausedFor(key)
		if d <= 0 {
			break
		}
		if err := sleepCtx(ctx, d); err != nil {
			return fmt.Errorf("rate limit %s: %w", key, err)
		}
	}
	r := ll.bucket(key, lim).Reserve()
	if err := sleepCtx(ctx, r.Delay()); err != nil {
		r.Cancel()
		return fmt.Errorf("rate limit %s: %w", key, err)
	}
	return nil
}

// sleepCtx waits d or until ctx ends, and then returns ctx's error.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
