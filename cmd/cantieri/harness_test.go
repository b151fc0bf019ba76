package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testSecret = "s3cr3t"

// servedBot is `cantieri serve` running in the test process against a fake Slack: answers
// posted to the response_url arrive on answers.
type servedBot struct {
	t           *testing.T
	base        string
	responseURL string
	answers     chan string
	logs        *syncBuffer
	stop        func() int
	n           int
}

// startServe runs serve with vars plus the Slack settings of the fake, on a free port.
func startServe(t *testing.T, vars map[string]string) *servedBot {
	t.Helper()
	fakeSlack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/auth.test") {
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(fakeSlack.Close)
	s := &servedBot{t: t, answers: make(chan string, 16)}
	rs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.answers <- string(b)
	}))
	t.Cleanup(rs.Close)
	s.responseURL = rs.URL + "/r"

	all := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": testSecret,
		"SLACK_API_URL": fakeSlack.URL + "/api/", "HTTP_ADDR": "127.0.0.1:0"}
	for k, v := range vars {
		all[k] = v
	}
	e, _, errb := testEnv(all, "")
	s.logs = errb
	addrc := make(chan string, 1)
	e.ready = func(addr string) { addrc <- addr }
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
		s.base = "http://" + a
	case c := <-done:
		t.Fatalf("serve exited early with %d: %s", c, errb)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return s
}

// get returns the status and body of GET path.
func (s *servedBot) get(path string) (int, string) {
	resp, err := http.Get(s.base + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// command posts a slash command with text, signed with sig (or correctly when sig is ""), and
// returns the HTTP status after checking the 3 s ack promise.
func (s *servedBot) command(text, sig string) int {
	s.n++
	body := url.Values{"command": {"/cantieri"}, "text": {text}, "user_id": {"U1"}, "user_name": {"mario"},
		"channel_id": {"C1"}, "team_id": {"T1"}, "trigger_id": {"t." + strconv.Itoa(s.n)},
		"response_url": {s.responseURL}}.Encode()
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
		s.t.Fatalf("ack took %v", took)
	}
	return resp.StatusCode
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
