package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
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
)

const testSecret = "s3cr3t"

// servedBot is `cantieri serve` running in the test process against a fake Slack. Answers
// posted to responseURL arrive on answers; askAs gives each command a response_url of its own
// (below rs, keyed in pending) and returns that command's answer.
type servedBot struct {
	t *testing.T
	// base is the Slack endpoints' address (HTTP_ADDR), ops health's and metrics'
	// (METRICS_ADDR).
	base        string
	ops         string
	rs          *httptest.Server
	responseURL string
	answers     chan string
	logs        *syncBuffer
	stop        func() int
	// answerWait bounds askAs's wait for an answer.
	answerWait time.Duration

	mu      sync.Mutex
	n       int
	pending map[string]chan string
}

// startServe runs serve with vars plus the Slack settings of a trivial fake, on a free port.
func startServe(t *testing.T, vars map[string]string) *servedBot {
	t.Helper()
	return startServeWithSlack(t, vars, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/auth.test") {
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
}

// startServeWithSlack runs serve with vars and the Slack settings of api, a fake Slack Web API
// answering at /api/METHOD, on a free port.
func startServeWithSlack(t *testing.T, vars map[string]string, api http.Handler) *servedBot {
	t.Helper()
	fakeSlack := httptest.NewServer(api)
	t.Cleanup(fakeSlack.Close)
	s := &servedBot{t: t, answers: make(chan string, 16), answerWait: flowTimeout, pending: map[string]chan string{}}
	s.rs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		ch, own := s.pending[strings.TrimPrefix(r.URL.Path, "/r/")]
		s.mu.Unlock()
		if !own {
			s.answers <- string(b)
			return
		}
		select {
		case ch <- string(b):
		default: // a second answer to the same command is not expected; keep the first
		}
	}))
	t.Cleanup(s.rs.Close)
	s.responseURL = s.rs.URL + "/r"

	all := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": testSecret,
		"SLACK_API_URL": fakeSlack.URL + "/api/", "HTTP_ADDR": "127.0.0.1:0", "METRICS_ADDR": "127.0.0.1:0"}
	for k, v := range vars {
		all[k] = v
	}
	e, _, errb := testEnv(all, "")
	s.logs = errb
	addrc := make(chan [2]string, 1)
	e.ready = func(slackAddr, opsAddr string) { addrc <- [2]string{slackAddr, opsAddr} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- e.run(ctx, []string{"serve"}) }()
	stopped := false
	code := 0
	s.stop = func() int {
		if stopped {
			return code
		}
		stopped = true
		cancel()
		select {
		case code = <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
			code = -1
		}
		return code
	}
	t.Cleanup(func() { s.stop() })
	select {
	case a := <-addrc:
		s.base, s.ops = "http://"+a[0], "http://"+a[1]
	case c := <-done:
		t.Fatalf("serve exited early with %d: %s", c, errb)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return s
}

// get returns the status and body of GET path on the health and metrics listener.
func (s *servedBot) get(path string) (int, string) {
	resp, err := http.Get(s.ops + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// nextCommand numbers a new command, for its trigger_id and response_url.
func (s *servedBot) nextCommand() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return strconv.Itoa(s.n)
}

// post posts the slash command form, signed with sig (or correctly when sig is ""), and
// returns the HTTP status after checking the 3 s ack promise.
func (s *servedBot) post(form url.Values, sig string) int {
	s.t.Helper()
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/slack/commands", strings.NewReader(body))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	if sig == "" {
		mac := hmac.New(sha256.New, []byte(testSecret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		sig = "v0=" + hex.EncodeToString(mac.Sum(nil))
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(start); took > 3*time.Second {
		s.t.Fatalf("command %q: ack took %v", form.Get("text"), took)
	}
	return resp.StatusCode
}

// command posts a slash command with text from U1 in C1, signed with sig (or correctly when
// sig is ""), and returns the HTTP status after checking the 3 s ack promise.
func (s *servedBot) command(text, sig string) int {
	s.t.Helper()
	id := s.nextCommand()
	return s.post(url.Values{"command": {"/cantieri"}, "text": {text}, "user_id": {"U1"}, "user_name": {"mario"},
		"channel_id": {"C1"}, "team_id": {"T1"}, "trigger_id": {"t." + id},
		"response_url": {s.responseURL}}, sig)
}

// ask sends a signed command, expects the ack, and returns the answer at the response_url.
func (s *servedBot) ask(text string) string {
	s.t.Helper()
	if code := s.command(text, ""); code != http.StatusOK {
		s.t.Fatalf("command %q: status %d", text, code)
	}
	select {
	case a := <-s.answers:
		return a
	case <-time.After(15 * time.Second):
		s.t.Fatalf("command %q: no answer at the response_url", text)
		return ""
	}
}

// askAs sends a signed /cantieri text from the Slack user in the user's DM, checks the 3 s
// ack, and returns the answer posted to the command's own response_url, flattened to its
// strings.
func (s *servedBot) askAs(user, text string) string {
	s.t.Helper()
	id := s.nextCommand()
	answer := make(chan string, 1)
	s.mu.Lock()
	s.pending[id] = answer
	s.mu.Unlock()
	code := s.post(url.Values{"command": {"/cantieri"}, "text": {text}, "user_id": {user}, "user_name": {strings.ToLower(user)},
		"channel_id": {"D" + user}, "team_id": {"T1"}, "trigger_id": {"t." + id},
		"response_url": {s.rs.URL + "/r/" + id}}, "")
	if code != http.StatusOK {
		s.t.Fatalf("command %q as %s: status %d", text, user, code)
	}
	select {
	case a := <-answer:
		var v any
		if err := json.Unmarshal([]byte(a), &v); err != nil {
			return a
		}
		return strings.Join(strs(v), "\n")
	case <-time.After(s.answerWait):
		s.t.Fatalf("command %q as %s: no answer at the response_url", text, user)
		return ""
	}
}
