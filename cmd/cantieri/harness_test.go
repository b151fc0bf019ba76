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
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/slackfake"
)

const testSecret = "s3cr3t"

// servedBot is `cantieri serve` running in the test process against the fake Slack of
// internal/slackfake. Each command gets a response_url of its own (ResponseURL of its number),
// where ask and askAs wait for its answer.
type servedBot struct {
	t *testing.T
	// base is the Slack endpoints' address (HTTP_ADDR), ops health's and metrics'
	// (METRICS_ADDR).
	base  string
	ops   string
	slack *slackfake.Server
	// responseURL is the prefix of every command's response_url.
	responseURL string
	logs        *syncBuffer
	stop        func() int
	// answerWait bounds askAs's wait for an answer.
	answerWait time.Duration

	mu sync.Mutex
	n  int
}

// startServe runs serve with vars plus the Slack settings of a fake Slack, on a free port.
func startServe(t *testing.T, vars map[string]string) *servedBot {
	t.Helper()
	return startServeWithSlack(t, vars, slackfake.New(t))
}

// startServeWithSlack runs serve with vars and the Slack settings of api, on a free port.
func startServeWithSlack(t *testing.T, vars map[string]string, api *slackfake.Server) *servedBot {
	t.Helper()
	s := &servedBot{t: t, slack: api, responseURL: api.ResponseURL(""), answerWait: flowTimeout}

	all := map[string]string{"SLACK_BOT_TOKEN": slackfake.Token, "SLACK_SIGNING_SECRET": testSecret,
		"SLACK_API_URL": api.APIURL(), "HTTP_ADDR": "127.0.0.1:0", "METRICS_ADDR": "127.0.0.1:0"}
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

// send posts a slash command with text from user (named userName) in channel, signed with sig
// (or correctly when sig is ""), with a response_url of its own; it returns the HTTP status,
// after checking the 3 s ack promise, and the command's number (its response_url's id).
func (s *servedBot) send(user, userName, channel, text, sig string) (int, string) {
	s.t.Helper()
	id := s.nextCommand()
	return s.post(url.Values{"command": {"/cantieri"}, "text": {text}, "user_id": {user}, "user_name": {userName},
		"channel_id": {channel}, "team_id": {"T1"}, "trigger_id": {"t." + id},
		"response_url": {s.slack.ResponseURL(id)}}, sig), id
}

// command posts a slash command with text from U1 in C1, signed with sig (or correctly when
// sig is ""), and returns the HTTP status after checking the 3 s ack promise.
func (s *servedBot) command(text, sig string) int {
	s.t.Helper()
	code, _ := s.send("U1", "mario", "C1", text, sig)
	return code
}

// ask sends a signed command from U1, expects the ack, and returns the answer at its
// response_url.
func (s *servedBot) ask(text string) string {
	s.t.Helper()
	code, id := s.send("U1", "mario", "C1", text, "")
	if code != http.StatusOK {
		s.t.Fatalf("command %q: status %d", text, code)
	}
	return s.slack.Response(s.t, id, 15*time.Second)
}

// askAs sends a signed /cantieri text from the Slack user in the user's DM, checks the 3 s
// ack, and returns the answer posted to the command's own response_url, flattened to its
// strings.
func (s *servedBot) askAs(user, text string) string {
	s.t.Helper()
	code, id := s.send(user, strings.ToLower(user), "D"+user, text, "")
	if code != http.StatusOK {
		s.t.Fatalf("command %q as %s: status %d", text, user, code)
	}
	a := s.slack.Response(s.t, id, s.answerWait)
	var v any
	if err := json.Unmarshal([]byte(a), &v); err != nil {
		return a
	}
	return strings.Join(slackfake.Strings(v), "\n")
}
