// Package slack is Cantieri's Slack transport and the only package that imports slack-go. It
// receives slash commands, interactions and events over HTTP (signed requests) or Socket Mode,
// acknowledges each within Slack's 3 s window before doing any work, runs the command text
// through the chat-agnostic core (bot.Bot.Handle), and renders the neutral reply as Block Kit:
// a message through response_url or the Web API, or a modal for a form.
//
// Both receiving modes share one dispatcher (dispatch.go), so that a command behaves the same
// whichever way it arrived, and both de-duplicate deliveries in Redis so that a Slack retry,
// a Socket Mode redelivery or the same event reaching two replicas has one side effect.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"sync"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
)

// Dedup remembers delivery keys so that a delivery seen again is processed once. It is
// implemented by *redis.Dedup and shared by all replicas.
type Dedup interface {
	// FirstSeen records key and reports whether this is its first sighting. An error means the
	// store could not say, and the delivery must not be processed.
	FirstSeen(ctx context.Context, key string) (bool, error)
	// Forget removes key, so that a delivery this replica could not take on (it is shutting
	// down) is processed when Slack retries it.
	Forget(ctx context.Context, key string) error
}

// Limiter paces outbound Web API calls. It is shared by all replicas because Slack's limits
// are per app, not per process. If it also has a method
// Penalize(ctx, key string, retryAfter time.Duration) error, it is called after a 429 so that
// every replica waits out Slack's Retry-After.
type Limiter interface {
	// Wait blocks until a call keyed by key (the Web API method name) may be made, or ctx ends.
	Wait(ctx context.Context, key string) error
}

// Config configures the Slack transport. Tokens and the signing secret are never logged.
type Config struct {
	// BotToken (SLACK_BOT_TOKEN, xoxb-…) authenticates Web API calls. Required.
	BotToken string
	// AppToken (SLACK_APP_TOKEN, xapp-…) enables Socket Mode. Optional in HTTP mode.
	AppToken string
	// SigningSecret (SLACK_SIGNING_SECRET) verifies HTTP requests. Required for HTTP mode:
	// without it every HTTP request is refused.
	SigningSecret string
	// APIURL is the base URL of the Web API, ending in "/" (a fake in tests). Empty means
	// Slack's.
	APIURL string

	// Logger receives structured logs (ids and command words, never message text); nil
	// discards them.
	Logger *slog.Logger
	// Metrics receives request, ack, latency and Web API counters; nil means a private set.
	Metrics *metrics.Metrics
	// Bot is the core that runs commands. Required.
	Bot *bot.Bot
	// Dedup de-duplicates deliveries. Required: without it an Events API retry would run a
	// command twice.
	Dedup Dedup
	// Limiter paces outbound calls; nil means no pacing beyond Slack's own 429s.
	Limiter Limiter
	// Now is the clock (signature timestamps, latencies); nil means time.Now.
	Now func() time.Time
	// HTTPClient posts to response_url and carries Web API calls; nil means a client with a
	// 15 s timeout.
	HTTPClient *http.Client
}

// Transport is the Slack transport: an HTTP handler, a Socket Mode runner and a Web API
// client, sharing one dispatcher and one set of in-flight workers.
type Transport struct {
	bot      *bot.Bot
	client   *Client
	dedup    Dedup
	log      *slog.Logger
	metrics  *metrics.Metrics
	now      func() time.Time
	http     *http.Client
	secret   []byte
	appToken string
	botToken string
	apiURL   string

	// botUserID is the bot's own user id: its messages are never commands.
	botUserID string
	// mention matches the bot's own mention (<@UBOT> or <@UBOT|name>) in message text.
	mention *regexp.Regexp

	users *userCache

	// Workers run after the ack; Shutdown stops new ones and waits for those in flight.
	mu      sync.Mutex
	closing bool
	wg      sync.WaitGroup
	// workCtx is the parent of every worker's context: a request's own context ends with the
	// ack, but the work must go on. Shutdown cancels it only if waiting takes too long.
	workCtx    context.Context
	cancelWork context.CancelFunc
}

// Timeouts that keep the 3 s ack promise and bound background work.
const (
	// dedupTimeout bounds the Redis round trip made before an HTTP ack.
	dedupTimeout = time.Second
	// workTimeout bounds one command, from the core to the delivery of its answer.
	workTimeout = 2 * time.Minute
	// maxBody caps the request bodies read before verification.
	maxBody = 1 << 20
)

// New checks cfg, asks Slack who the bot is (auth.test, so that the bot's own messages are
// ignored and its mention stripped), and returns the transport.
func New(ctx context.Context, cfg Config) (*Transport, error) {
	switch {
	case cfg.BotToken == "":
		return nil, errors.New("slack: SLACK_BOT_TOKEN is required")
	case cfg.Bot == nil:
		return nil, errors.New("slack: a bot core is required")
	case cfg.Dedup == nil:
		return nil, errors.New("slack: a dedup store (REDIS_URL) is required")
	}
	t := &Transport{
		bot:      cfg.Bot,
		dedup:    cfg.Dedup,
		log:      cfg.Logger,
		metrics:  cfg.Metrics,
		now:      cfg.Now,
		http:     cfg.HTTPClient,
		secret:   []byte(cfg.SigningSecret),
		appToken: cfg.AppToken,
		botToken: cfg.BotToken,
		apiURL:   cfg.APIURL,
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	t.log = t.log.With("transport", bot.TransportSlack)
	if t.metrics == nil {
		t.metrics = metrics.New()
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.http == nil {
		// Every answer goes to the same few Slack hosts; keep enough idle connections that a
		// burst of answers reuses them instead of dialling (Go's default keeps 2 per host).
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		t.http = &http.Client{Timeout: 15 * time.Second, Transport: tr}
	}
	t.client = newClient(clientConfig{
		token:   cfg.BotToken,
		apiURL:  cfg.APIURL,
		http:    t.http,
		metrics: t.metrics,
		limiter: cfg.Limiter,
		log:     t.log,
		locale:  t.bot.Locale("", ""),
	})
	t.users = newUserCache(t.client, t.now)
	t.workCtx, t.cancelWork = context.WithCancel(context.Background())

	who, err := t.client.authTest(ctx)
	if err != nil {
		t.cancelWork()
		return nil, fmt.Errorf("slack: learn the bot's identity: %w", err)
	}
	t.botUserID = who.UserID
	t.mention = regexp.MustCompile(`<@` + regexp.QuoteMeta(t.botUserID) + `(\|[^>]*)?>`)
	return t, nil
}

// Client returns the Web API client, which implements bot.Poster for proactive messages.
func (t *Transport) Client() *Client { return t.client }

// Shutdown stops taking new work (HTTP requests then get 503, so that Slack retries events on
// another replica) and waits for the commands in flight to deliver their answers. If ctx ends
// first, the remaining workers are cancelled and ctx's error is returned.
func (t *Transport) Shutdown(ctx context.Context) error {
	t.mu.Lock()
	t.closing = true
	t.mu.Unlock()
	done := make(chan struct{})
	go func() {
		t.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		t.cancelWork()
		return nil
	case <-ctx.Done():
		// Workers watch their context; cancelling it makes them give up promptly.
		t.cancelWork()
		return fmt.Errorf("slack: shutdown: %w", ctx.Err())
	}
}

// Wait blocks until every worker started so far has finished. Tests use it to know that all
// side effects of the deliveries they made have happened.
func (t *Transport) Wait() { t.wg.Wait() }

// spawn runs work in the background, tracked for Shutdown. It reports false, running nothing,
// once Shutdown has begun.
func (t *Transport) spawn(log *slog.Logger, work func(ctx context.Context)) bool {
	t.mu.Lock()
	if t.closing {
		t.mu.Unlock()
		return false
	}
	t.wg.Add(1)
	t.mu.Unlock()
	go func() {
		defer t.wg.Done()
		defer func() {
			// The core recovers its own panics; this guards the rendering and delivery code.
			if p := recover(); p != nil {
				log.Error("slack worker panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
		}()
		ctx, cancel := context.WithTimeout(t.workCtx, workTimeout)
		defer cancel()
		work(ctx)
	}()
	return true
}

// isClosing reports whether Shutdown has begun.
func (t *Transport) isClosing() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.closing
}
