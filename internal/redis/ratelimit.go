package redis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"
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
type Limiter struct {
	rl     *redis_rate.Limiter
	c      *goredis.Client
	prefix string
	limits map[string]Limit
	def    Limit
}

// NewLimiter returns a Limiter keeping its state under prefix, with a limit per method and def
// for the methods not in limits. A Burst below 1 counts as 1; a zero Rate means unlimited.
func NewLimiter(c *goredis.Client, prefix string, limits map[string]Limit, def Limit) *Limiter {
	own := make(map[string]Limit, len(limits))
	for k, l := range limits {
		own[k] = l
	}
	return &Limiter{rl: redis_rate.NewLimiter(c), c: c, prefix: prefix + "ratelimit:", limits: own, def: def}
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
// A Redis failure is returned (wrapped as unavailable): the caller decides whether to call
// Slack unthrottled or give up; Slack's own 429s remain the last line of defence.
func (l *Limiter) Wait(ctx context.Context, key string) error {
	lim, ok := l.limitFor(key)
	if !ok {
		return ctx.Err()
	}
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

// Penalize pauses key for every replica for retryAfter (Slack's Retry-After after a 429), so
// that no replica calls that method again before Slack allows it. A longer pause already in
// place is kept.
func (l *Limiter) Penalize(ctx context.Context, key string, retryAfter time.Duration) error {
	ms := retryAfter.Milliseconds()
	if ms <= 0 {
		return nil
	}
	err := pauseScript.Run(ctx, l.c, []string{l.prefix + "pause:" + key}, ms).Err()
	return wrap("rate limit "+key+": penalize", err)
}
