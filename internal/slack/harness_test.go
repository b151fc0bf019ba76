package slack

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

// waitTimeout bounds every wait in these tests: generous, because a wait that succeeds
// returns at once.
const waitTimeout = slackfake.DefaultTimeout

// fixedNow is the clock of the transports under test, so that signature windows are exact.
var fixedNow = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// harness is a transport wired to a real PostgreSQL (through the core), a real Redis (dedup)
// and the fake Slack of internal/slackfake.
type harness struct {
	tr      *Transport
	api     *slackfake.Server
	pool    *pgxpool.Pool
	metrics *metrics.Metrics
}

// newHarness builds a transport; edit may change the config (e.g. another Dedup).
func newHarness(t *testing.T, edit ...func(*Config)) *harness {
	t.Helper()
	api := slackfake.New(t)
	pool := pgtest.NewPool(t)
	m := metrics.New()
	cfg := Config{
		BotToken:      slackfake.Token,
		AppToken:      "xapp-test",
		SigningSecret: testSecret,
		APIURL:        api.APIURL(),
		Metrics:       m,
		Bot:           bot.New(bot.Config{Store: postgres.NewStore(pool)}),
		Now:           func() time.Time { return fixedNow },
	}
	c, prefix := redistest.New(t)
	cfg.Dedup = redis.NewDedup(c, prefix, time.Hour)
	for _, e := range edit {
		e(&cfg)
	}
	tr, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := tr.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return &harness{tr: tr, api: api, pool: pool, metrics: m}
}

// signedRequest builds a request to path signed at ts with secret.
func signedRequest(path, contentType, body, secret string, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	stamp := strconv.FormatInt(ts.Unix(), 10)
	r.Header.Set("X-Slack-Request-Timestamp", stamp)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(sign([]byte(secret), stamp, []byte(body))))
	return r
}

// serve sends r to the transport's handler and returns the response and how long the ack took.
func (h *harness) serve(r *http.Request) (*httptest.ResponseRecorder, time.Duration) {
	rec := httptest.NewRecorder()
	start := time.Now()
	h.tr.Handler().ServeHTTP(rec, r)
	return rec, time.Since(start)
}

// command posts a signed slash command.
func (h *harness) command(t *testing.T, user, text, responseID, triggerID string) *httptest.ResponseRecorder {
	t.Helper()
	form := url.Values{
		"command": {"/cantieri"}, "text": {text}, "user_id": {user}, "user_name": {"mario.rossi"},
		"channel_id": {"C1"}, "team_id": {"T1"}, "response_url": {h.api.ResponseURL(responseID)},
		"trigger_id": {triggerID},
	}
	rec, took := h.serve(signedRequest("/slack/commands", "application/x-www-form-urlencoded", form.Encode(), testSecret, fixedNow))
	if took >= 3*time.Second {
		t.Errorf("slash command acked in %v, want under 3 s", took)
	}
	return rec
}

// event posts a signed Events API callback; retry > 0 marks it as Slack's retry.
func (h *harness) event(t *testing.T, eventID string, inner map[string]any, retry int) *httptest.ResponseRecorder {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"type": "event_callback", "event_id": eventID, "team_id": "T1", "api_app_id": "A1", "event": inner,
	})
	r := signedRequest("/slack/events", "application/json", string(body), testSecret, fixedNow)
	if retry > 0 {
		r.Header.Set("X-Slack-Retry-Num", strconv.Itoa(retry))
		r.Header.Set("X-Slack-Retry-Reason", "http_timeout")
	}
	rec, took := h.serve(r)
	if took >= 3*time.Second {
		t.Errorf("event acked in %v, want under 3 s", took)
	}
	return rec
}

// interaction posts a signed interaction payload.
func (h *harness) interaction(t *testing.T, payload any) *httptest.ResponseRecorder {
	t.Helper()
	js, _ := json.Marshal(payload)
	body := url.Values{"payload": {string(js)}}.Encode()
	rec, took := h.serve(signedRequest("/slack/interactions", "application/x-www-form-urlencoded", body, testSecret, fixedNow))
	if took >= 3*time.Second {
		t.Errorf("interaction acked in %v, want under 3 s", took)
	}
	return rec
}

// employees counts the employee rows: zero means the core never ran.
func (h *harness) employees(t *testing.T) int {
	t.Helper()
	var n int
	if err := h.pool.QueryRow(context.Background(), `SELECT count(*) FROM employees`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// metricValue reads a counter's value, or a histogram's sample count.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Histogram != nil:
		return float64(d.Histogram.GetSampleCount())
	}
	t.Fatalf("unsupported metric %v", &d)
	return 0
}
