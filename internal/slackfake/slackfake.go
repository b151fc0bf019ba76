// Package slackfake is the one fake Slack of the test suites: an httptest server speaking the
// Web API (under /api/), response_url endpoints (/response/{id}), the external file upload URL
// (/upload), file downloads (/files/{name}) and the Socket Mode WebSocket endpoint (/ws). It
// records every call, can answer any call itself through a hook (e.g. with a 429) and
// rate-limits chosen calls by number.
//
// It only speaks HTTP and JSON, so it needs no slack-go, and it is imported by tests only (a
// test in this package checks that the binary does not depend on it).
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Token is the bot token the fake expects on file downloads; give it to the client under test.
const Token = "xoxb-test"

// DefaultTimeout bounds WaitCalls and WaitFor unless Server.Timeout is changed: generous,
// because a wait that succeeds returns at once.
const DefaultTimeout = 10 * time.Second

// Call is one request the fake received.
type Call struct {
	// Method is the Web API method, or "response_url", "upload" or "download".
	Method string
	// Params holds the form fields and URL query of the call, or the top-level fields of a
	// JSON body (strings as they are, other values as JSON): slack-go sends most methods
	// form-encoded, a few as JSON. A response_url call has its id under "id"; a download its
	// file name under "name" and its Authorization header under "authorization".
	Params url.Values
	// Body is the raw request body.
	Body []byte
}

// JSON decodes the call's JSON body (views.open, views.publish, response_url posts).
func (c Call) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s: body is not JSON: %v (%s)", c.Method, err, c.Body)
	}
	return m
}

// Post is one chat.postMessage the fake accepted (answered itself, not through a hook or a
// 429): its channel, the ts it answered and everything it says (the text, then every string in
// its blocks, button values included, one a line).
type Post struct {
	Channel string
	TS      string
	Text    string
}

// Hook may answer a call itself: it returns true when it wrote the answer. method is the Web API
// method (or "download" for a file download) and n the 1-based number of that method's call.
type Hook func(w http.ResponseWriter, method string, n int) bool

// File is a file the fake serves for download.
type File struct {
	ID, Name, Mimetype, Filetype string
	Data                         []byte
}

// Server is the fake Slack. Its zero value is not usable: call New.
type Server struct {
	srv *httptest.Server
	// Timeout bounds WaitCalls (DefaultTimeout unless changed before the wait).
	Timeout time.Duration

	mu       sync.Mutex
	calls    []Call
	count    map[string]int // calls per method, rate-limited and hooked ones included
	changed  chan struct{}  // closed and replaced on every call
	hook     Hook
	limit429 map[string]map[int]bool // method → call numbers answered 429
	limited  map[string]int          // 429s answered per method

	posts   []Post
	convs   map[string]string // sorted users "U1,U2" → group conversation id
	created int               // conversations.create calls answered
	// users are users.info's answers by user id; others get defaultUser.
	users map[string]map[string]any
	// userPages are users.list's pages (JSON members); the cursor of page i is "page-i".
	userPages [][]map[string]any
	members   map[string][]string // conversations.members by channel
	files     map[string]File     // by name

	sockets chan *websocket.Conn
}

// New starts a fake Slack, closed when the test ends.
func New(t testing.TB) *Server {
	t.Helper()
	f := &Server{Timeout: DefaultTimeout, changed: make(chan struct{}), sockets: make(chan *websocket.Conn, 8)}
	f.reset()
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", f.serveAPI)
	mux.HandleFunc("/response/{id...}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.record(Call{Method: "response_url", Body: body, Params: url.Values{"id": {r.PathValue("id")}}})
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.record(Call{Method: "upload", Body: body})
		_, _ = io.WriteString(w, "OK")
	})
	mux.HandleFunc("/files/{name}", f.serveFile)
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

func (f *Server) reset() {
	f.calls, f.posts = nil, nil
	f.count, f.limited, f.convs = map[string]int{}, map[string]int{}, map[string]string{}
	f.created = 0
}

// Reset forgets the calls, posts, conversations and counts (not the hook, rate limits, users or
// files): for benchmarks that reuse one fake across iterations.
func (f *Server) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reset()
}

// URL is the server's base URL.
func (f *Server) URL() string { return f.srv.URL }

// APIURL is the base URL to give slack-go (it ends with "/").
func (f *Server) APIURL() string { return f.srv.URL + "/api/" }

// ResponseURL is a response_url whose posts the fake records as "response_url" calls under id.
func (f *Server) ResponseURL(id string) string { return f.srv.URL + "/response/" + id }

// Sockets receives every accepted Socket Mode connection.
func (f *Server) Sockets() <-chan *websocket.Conn { return f.sockets }

// SetHook sets (or, with nil, removes) the hook that may answer calls itself.
func (f *Server) SetHook(h Hook) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = h
}

// RateLimit makes the fake answer the given calls (1-based, per method) of method with HTTP 429
// and Retry-After: 1, before any hook.
func (f *Server) RateLimit(method string, calls ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limit429 == nil {
		f.limit429 = map[string]map[int]bool{}
	}
	if f.limit429[method] == nil {
		f.limit429[method] = map[int]bool{}
	}
	for _, n := range calls {
		f.limit429[method][n] = true
	}
}

// TooManyRequests answers HTTP 429 with Retry-After: 1; a hook may use it.
func TooManyRequests(w http.ResponseWriter) bool {
	w.Header().Set("Retry-After", "1")
	w.WriteHeader(http.StatusTooManyRequests)
	return true
}

// WriteJSON writes v as a Web API answer; a hook may use it.
func WriteJSON(w http.ResponseWriter, v any) bool {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
	return true
}

// SetUser sets users.info's answer for the user (the "user" object). Other users are
// "Mario Rossi" (name "mario") with an Italian locale.
func (f *Server) SetUser(id string, user map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.users == nil {
		f.users = map[string]map[string]any{}
	}
	f.users[id] = user
}

// SetUserPages sets users.list's pages (by default one empty page).
func (f *Server) SetUserPages(pages ...[]map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.userPages = pages
}

// SetMembers sets conversations.members' answer for channel (by default nobody).
func (f *Server) SetMembers(channel string, users ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.members == nil {
		f.members = map[string][]string{}
	}
	f.members[channel] = users
}

// AddFile makes the fake serve data as a file (to requests with Token, under /files/{name},
// and to files.info under its id) and returns its description as in an event.
func (f *Server) AddFile(id, name, mimetype, filetype string, data []byte) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = map[string]File{}
	}
	f.files[name] = File{ID: id, Name: name, Mimetype: mimetype, Filetype: filetype, Data: data}
	return f.fileJSON(f.files[name])
}

// record stores c, wakes the waiters and returns the number of c.Method's calls so far.
func (f *Server) record(c Call) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	f.count[c.Method]++
	close(f.changed)
	f.changed = make(chan struct{})
	return f.count[c.Method]
}

// Params reads a Web API call's parameters: the form and URL query, or a JSON body's fields
// (for a test's own small fake, such as the kill test's slow Slack).
func Params(r *http.Request, body []byte) url.Values {
	out := url.Values{}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				if s, ok := v.(string); ok {
					out.Set(k, s)
				} else {
					js, _ := json.Marshal(v)
					out.Set(k, string(js))
				}
			}
		}
		return out
	}
	if form, err := url.ParseQuery(string(body)); err == nil {
		out = form
	}
	for k, q := range r.URL.Query() {
		out[k] = append(out[k], q...)
	}
	return out
}

// intercept answers call n of method with a 429 or through the hook, if either applies.
func (f *Server) intercept(w http.ResponseWriter, method string, n int) bool {
	f.mu.Lock()
	limited := f.limit429[method][n]
	if limited {
		f.limited[method]++
	}
	hook := f.hook
	f.mu.Unlock()
	if limited {
		return TooManyRequests(w)
	}
	return hook != nil && hook(w, method, n)
}

func (f *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	body, _ := io.ReadAll(r.Body)
	p := Params(r, body)
	n := f.record(Call{Method: method, Params: p, Body: body})
	if f.intercept(w, method, n) {
		return
	}
	WriteJSON(w, f.answer(method, p, n))
}

// answer is the fake's own answer to call n of method.
func (f *Server) answer(method string, p url.Values, n int) any {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch method {
	case "auth.test":
		return map[string]any{"ok": true, "user_id": "UBOT", "bot_id": "BBOT", "user": "cantieri", "team_id": "T1"}
	case "chat.postEphemeral":
		return map[string]any{"ok": true, "message_ts": fmt.Sprintf("1700000001.%06d", n)}
	case "chat.postMessage":
		ts := fmt.Sprintf("1700000000.%06d", n)
		text := p.Get("text")
		if b := p.Get("blocks"); b != "" {
			var blocks any
			if json.Unmarshal([]byte(b), &blocks) == nil {
				text += "\n" + strings.Join(Strings(blocks), "\n")
			} else {
				text += "\n" + b
			}
		}
		f.posts = append(f.posts, Post{Channel: p.Get("channel"), TS: ts, Text: text})
		return map[string]any{"ok": true, "channel": p.Get("channel"), "ts": ts}
	case "views.open":
		return map[string]any{"ok": true, "view": map[string]any{"id": "V1"}}
	case "views.publish":
		return map[string]any{"ok": true, "view": map[string]any{"id": "VHOME", "type": "home"}}
	case "users.info":
		id := p.Get("user")
		if u, ok := f.users[id]; ok {
			return map[string]any{"ok": true, "user": u}
		}
		return map[string]any{"ok": true, "user": map[string]any{"id": id, "name": "mario", "real_name": "Mario Rossi",
			"locale": "it-IT", "profile": map[string]any{"real_name": "Mario Rossi"}}}
	case "users.list":
		return f.usersPage(p.Get("cursor"))
	case "conversations.open":
		// A DM is "D" + the user; a group conversation gets a stable id per set of users, "G1",
		// "G2", … in order of first opening.
		users := strings.Split(p.Get("users"), ",")
		if len(users) == 1 {
			return map[string]any{"ok": true, "channel": map[string]any{"id": "D" + users[0]}}
		}
		set := UserSet(users)
		id, ok := f.convs[set]
		if !ok {
			id = fmt.Sprintf("G%d", len(f.convs)+1)
			f.convs[set] = id
		}
		return map[string]any{"ok": true, "channel": map[string]any{"id": id}}
	case "conversations.create":
		f.created++
		return map[string]any{"ok": true, "channel": map[string]any{"id": fmt.Sprintf("CPROJ%d", f.created),
			"name": p.Get("name"), "is_channel": true}}
	case "conversations.invite":
		return map[string]any{"ok": true, "channel": map[string]any{"id": p.Get("channel")}}
	case "conversations.list":
		return map[string]any{"ok": true, "channels": []any{}, "response_metadata": map[string]any{"next_cursor": ""}}
	case "conversations.members":
		return map[string]any{"ok": true, "members": append([]string{}, f.members[p.Get("channel")]...),
			"response_metadata": map[string]any{"next_cursor": ""}}
	case "pins.add":
		return map[string]any{"ok": true}
	case "apps.connections.open":
		return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/ws"}
	case "files.getUploadURLExternal":
		return map[string]any{"ok": true, "upload_url": f.srv.URL + "/upload", "file_id": "F1"}
	case "files.completeUploadExternal":
		return map[string]any{"ok": true, "files": []any{map[string]any{"id": "F1", "title": "chart"}}}
	case "files.info":
		for _, file := range f.files {
			if file.ID == p.Get("file") {
				return map[string]any{"ok": true, "file": f.fileJSON(file)}
			}
		}
		return map[string]any{"ok": false, "error": "file_not_found"}
	}
	// A method nobody taught the fake fails loudly rather than passing for a success.
	return map[string]any{"ok": false, "error": "unknown_method"}
}

// usersPage answers users.list for cursor ("" is the first page); f.mu is held.
func (f *Server) usersPage(cursor string) map[string]any {
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

// serveFile serves a download to a request with the bot token.
func (f *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	n := f.record(Call{Method: "download", Params: url.Values{
		"name": {r.PathValue("name")}, "authorization": {r.Header.Get("Authorization")},
	}})
	if f.intercept(w, "download", n) {
		return
	}
	f.mu.Lock()
	file, ok := f.files[r.PathValue("name")]
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+Token || !ok || file.Data == nil {
		http.NotFound(w, r)
		return
	}
	_, _ = w.Write(file.Data)
}

// fileJSON describes file as Slack does; f.mu is held.
func (f *Server) fileJSON(file File) map[string]any {
	return map[string]any{
		"id": file.ID, "name": file.Name, "title": file.Name, "mimetype": file.Mimetype, "filetype": file.Filetype,
		"size": len(file.Data), "mode": "hosted",
		"url_private":          f.srv.URL + "/files/" + file.Name + "?view=1",
		"url_private_download": f.srv.URL + "/files/" + file.Name,
	}
}

// Calls returns every call so far, in order.
func (f *Server) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Call(nil), f.calls...)
}

// CallsTo returns the calls made so far to method.
func (f *Server) CallsTo(method string) []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// Outbound returns every call except auth.test (made once at start) and users.info (a cache
// fill, not an answer).
func (f *Server) Outbound() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Call
	for _, c := range f.calls {
		if c.Method != "auth.test" && c.Method != "users.info" {
			out = append(out, c)
		}
	}
	return out
}

// Counts returns the number of calls per method, 429s and hooked ones included.
func (f *Server) Counts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.count))
	for k, v := range f.count {
		out[k] = v
	}
	return out
}

// Limited returns the number of 429s RateLimit answered, per method.
func (f *Server) Limited() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.limited))
	for k, v := range f.limited {
		out[k] = v
	}
	return out
}

// Posts returns the accepted chat.postMessage calls, in order; to the given channels only, if
// any are given.
func (f *Server) Posts(channels ...string) []Post {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Post
	for _, p := range f.posts {
		if len(channels) == 0 || contains(channels, p.Channel) {
			out = append(out, p)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Conversations returns the group conversations opened so far: sorted users "U1,U2" (see
// UserSet) → conversation id.
func (f *Server) Conversations() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]string, len(f.convs))
	for k, v := range f.convs {
		out[k] = v
	}
	return out
}

// WaitCalls waits until method has been called at least n times and returns those calls,
// failing t after f.Timeout.
func (f *Server) WaitCalls(t testing.TB, method string, n int) []Call {
	t.Helper()
	var got []Call
	f.WaitFor(t, f.Timeout, fmt.Sprintf("%d call(s) to %s", n, method), func() bool {
		got = f.CallsTo(method)
		return len(got) >= n
	})
	return got
}

// WaitFor waits until cond holds, checking it after every call the fake receives, and fails t
// after timeout with what and a summary of the calls.
func (f *Server) WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		f.mu.Lock()
		ch := f.changed
		f.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("timed out after %v waiting for %s; Slack saw:\n%s", timeout, what, f.Summary())
		}
	}
}

// Response waits for the first post to ResponseURL(id) and returns its body, failing t after
// timeout.
func (f *Server) Response(t testing.TB, id string, timeout time.Duration) string {
	t.Helper()
	var body string
	f.WaitFor(t, timeout, "an answer at response_url "+id, func() bool {
		for _, c := range f.CallsTo("response_url") {
			if c.Params.Get("id") == id {
				body = string(c.Body)
				return true
			}
		}
		return false
	})
	return body
}

// Summary describes the calls so far, one a line, for a failure message: chat.postMessage by
// channel and text (cut to 100 bytes), other methods with their parameters, auth.test and
// users.info left out.
func (f *Server) Summary() string {
	var b strings.Builder
	for _, c := range f.Calls() {
		switch c.Method {
		case "chat.postMessage":
			text := c.Params.Get("text")
			if len(text) > 100 {
				text = text[:100] + "…"
			}
			fmt.Fprintf(&b, "%s %s: %q\n", c.Method, c.Params.Get("channel"), text)
		case "users.info", "auth.test":
		case "response_url", "upload":
			fmt.Fprintf(&b, "%s %v (%d bytes)\n", c.Method, c.Params, len(c.Body))
		default:
			fmt.Fprintf(&b, "%s %v\n", c.Method, c.Params)
		}
	}
	return b.String()
}

// UserSet normalises a users list as the fake keys group conversations: sorted,
// comma-separated.
func UserSet(users []string) string {
	s := append([]string(nil), users...)
	sort.Strings(s)
	return strings.Join(s, ",")
}

// Strings collects every string in a decoded JSON value, in document order (map keys sorted).
func Strings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, Strings(e)...)
		}
		return out
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var out []string
		for _, k := range keys {
			out = append(out, Strings(x[k])...)
		}
		return out
	}
	return nil
}
