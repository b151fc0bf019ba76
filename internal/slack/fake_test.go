package slack

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// waitTimeout bounds every wait in these tests: generous, because a wait that succeeds
// returns at once.
const waitTimeout = 10 * time.Second

// apiCall is one request the fake Slack received.
type apiCall struct {
	method string
	form   url.Values
	body   []byte
}

// json decodes the call's JSON body (views.open, response_url posts).
func (c apiCall) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.body, &m); err != nil {
		t.Fatalf("%s: body is not JSON: %v (%s)", c.method, err, c.body)
	}
	return m
}

// fakeSlack is a fake of the Web API (under /api/), of response_url endpoints (under
// /response/), of the file upload URL and of the Socket Mode WebSocket endpoint (/ws).
type fakeSlack struct {
	srv *httptest.Server

	mu      sync.Mutex
	calls   []apiCall
	changed chan struct{}
	// hook, if set, may answer a call itself (e.g. with a 429); n counts that method's calls.
	hook func(w http.ResponseWriter, method string, n int) bool

	// sockets receives every accepted Socket Mode connection.
	sockets chan *websocket.Conn

	// userPages are users.list's pages (JSON members); the cursor of page i is "page-i".
	userPages [][]map[string]any
	// files are served under /files/{name} to a request with the bot token, and described by
	// files.info under their id.
	files map[string]fakeFile
}

// fakeFile is a file the fake serves for download.
type fakeFile struct {
	id, name, mimetype, filetype string
	data                         []byte
}

// fakeToken is the bot token the harness and test clients use.
const fakeToken = "xoxb-test"

func newFakeSlack(t testing.TB) *fakeSlack {
	t.Helper()
	f := &fakeSlack{changed: make(chan struct{}), sockets: make(chan *websocket.Conn, 8)}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", f.serveAPI)
	mux.HandleFunc("/response/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.record(apiCall{method: "response_url", body: body, form: url.Values{"id": {r.PathValue("id")}}})
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.record(apiCall{method: "upload", body: body})
		_, _ = io.WriteString(w, "OK")
	})
	mux.HandleFunc("/files/{name}", func(w http.ResponseWriter, r *http.Request) {
		n := f.record(apiCall{method: "download", form: url.Values{
			"name": {r.PathValue("name")}, "authorization": {r.Header.Get("Authorization")},
		}})
		f.mu.Lock()
		hook, file, ok := f.hook, f.files[r.PathValue("name")], f.files != nil
		f.mu.Unlock()
		if hook != nil && hook(w, "download", n) {
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+fakeToken || !ok || file.data == nil {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(file.data)
	})
	// slack-go sends Origin: https://api.slack.com, which the default origin check refuses.
	upgrader := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := upgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		f.sockets <- conn
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// apiURL is the base URL to give slack-go (it must end with "/").
func (f *fakeSlack) apiURL() string { return f.srv.URL + "/api/" }

// responseURL is a response_url that the fake records under id.
func (f *fakeSlack) responseURL(id string) string { return f.srv.URL + "/response/" + id }

func (f *fakeSlack) setHook(h func(w http.ResponseWriter, method string, n int) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

func (f *fakeSlack) record(c apiCall) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	n := 0
	for _, x := range f.calls {
		if x.method == c.method {
			n++
		}
	}
	close(f.changed)
	f.changed = make(chan struct{})
	return n
}

func (f *fakeSlack) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	body, _ := io.ReadAll(r.Body)
	c := apiCall{method: method, body: body}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		c.form, _ = url.ParseQuery(string(body))
	}
	n := f.record(c)
	f.mu.Lock()
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, method, n) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	var resp any
	switch method {
	case "auth.test":
		resp = map[string]any{"ok": true, "user_id": "UBOT", "bot_id": "BBOT", "user": "cantieri", "team_id": "T1"}
	case "chat.postMessage":
		resp = map[string]any{"ok": true, "channel": c.form.Get("channel"), "ts": fmt.Sprintf("1700000000.%06d", n)}
	case "chat.postEphemeral":
		resp = map[string]any{"ok": true, "message_ts": fmt.Sprintf("1700000001.%06d", n)}
	case "views.open":
		resp = map[string]any{"ok": true, "view": map[string]any{"id": "V1"}}
	case "users.info":
		resp = map[string]any{"ok": true, "user": map[string]any{
			"id": c.form.Get("user"), "name": "mario", "real_name": "Mario Rossi", "locale": "it-IT",
		}}
	case "conversations.open":
		resp = map[string]any{"ok": true, "channel": map[string]any{"id": "D" + c.form.Get("users")}}
	case "apps.connections.open":
		resp = map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"}
	case "files.getUploadURLExternal":
		resp = map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload", "file_id": "F1"}
	case "files.completeUploadExternal":
		resp = map[string]any{"ok": true, "files": []any{map[string]any{"id": "F1", "title": "chart"}}}
	case "views.publish":
		resp = map[string]any{"ok": true, "view": map[string]any{"id": "VHOME", "type": "home"}}
	case "users.list":
		resp = f.usersPage(c.form.Get("cursor"))
	case "files.info":
		resp = f.fileInfo(c.form.Get("file"))
	default:
		resp = map[string]any{"ok": false, "error": "unknown_method"}
	}
	_ = json.NewEncoder(w).Encode(resp)
}

// setUserPages sets users.list's pages.
func (f *fakeSlack) setUserPages(pages ...[]map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.userPages = pages
}

// usersPage answers users.list for cursor ("" is the first page).
func (f *fakeSlack) usersPage(cursor string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := 0
	if cursor != "" {
		var err error
		if i, err = strconv.Atoi(strings.TrimPrefix(cursor, "page-")); err != nil || i >= len(f.userPages) {
			return map[string]any{"ok": false, "error": "invalid_cursor"}
		}
	}
	members := []map[string]any{}
	if i < len(f.userPages) {
		members = f.userPages[i]
	}
	next := ""
	if i+1 < len(f.userPages) {
		next = "page-" + strconv.Itoa(i+1)
	}
	return map[string]any{"ok": true, "members": members, "response_metadata": map[string]any{"next_cursor": next}}
}

// addFile makes the fake serve data as a file and returns its event description.
func (f *fakeSlack) addFile(id, name, mimetype, filetype string, data []byte) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = map[string]fakeFile{}
	}
	f.files[name] = fakeFile{id: id, name: name, mimetype: mimetype, filetype: filetype, data: data}
	return f.fileJSON(f.files[name])
}

func (f *fakeSlack) fileJSON(file fakeFile) map[string]any {
	return map[string]any{
		"id": file.id, "name": file.name, "title": file.name, "mimetype": file.mimetype, "filetype": file.filetype,
		"size": len(file.data), "mode": "hosted",
		"url_private":          f.srv.URL + "/files/" + file.name + "?view=1",
		"url_private_download": f.srv.URL + "/files/" + file.name,
	}
}

// fileInfo answers files.info.
func (f *fakeSlack) fileInfo(id string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, file := range f.files {
		if file.id == id {
			return map[string]any{"ok": true, "file": f.fileJSON(file)}
		}
	}
	return map[string]any{"ok": false, "error": "file_not_found"}
}

// callsTo returns the calls made so far to method.
func (f *fakeSlack) callsTo(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.method == method {
			out = append(out, c)
		}
	}
	return out
}

// outbound returns every call except auth.test (made once at start) and users.info (a
// cache fill, not an answer).
func (f *fakeSlack) outbound() []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.method != "auth.test" && c.method != "users.info" {
			out = append(out, c)
		}
	}
	return out
}

// waitCalls waits until method has been called at least n times and returns those calls.
func (f *fakeSlack) waitCalls(t *testing.T, method string, n int) []apiCall {
	t.Helper()
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if got := f.callsTo(method); len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %d call(s) to %s; got %d", n, method, len(f.callsTo(method)))
		}
	}
}

// fixedNow is the clock of the transports under test, so that signature windows are exact.
var fixedNow = time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)

const testSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// harness is a transport wired to a real PostgreSQL (through the core), a real Redis (dedup)
// and a fake Slack.
type harness struct {
	tr      *Transport
	api     *fakeSlack
	pool    *pgxpool.Pool
	metrics *metrics.Metrics
}

// newHarness builds a transport; edit may change the config (e.g. another Dedup).
func newHarness(t *testing.T, edit ...func(*Config)) *harness {
	t.Helper()
	api := newFakeSlack(t)
	pool := pgtest.NewPool(t)
	m := metrics.New()
	cfg := Config{
		BotToken:      fakeToken,
		AppToken:      "xapp-test",
		SigningSecret: testSecret,
		APIURL:        api.apiURL(),
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
		"channel_id": {"C1"}, "team_id": {"T1"}, "response_url": {h.api.responseURL(responseID)},
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
