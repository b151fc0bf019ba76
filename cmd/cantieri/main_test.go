package main

import (
	"bytes"
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

	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

func testEnv(vars map[string]string, stdin string) (env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return env{
		getenv: func(k string) string { return vars[k] },
		stdin:  strings.NewReader(stdin), stdout: &out, stderr: &errb,
	}, &out, &errb
}

func TestVersionAndUsage(t *testing.T) {
	t.Parallel()
	e, out, _ := testEnv(nil, "")
	if code := e.run(context.Background(), []string{"version"}); code != 0 || !strings.HasPrefix(out.String(), "cantieri ") {
		t.Fatalf("version: code %d, %q", code, out)
	}
	e, _, errb := testEnv(nil, "")
	if code := e.run(context.Background(), []string{"frobnicate"}); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("unknown subcommand: code %d, %q", code, errb)
	}
	e, _, errb = testEnv(nil, "")
	if code := e.run(context.Background(), []string{"console"}); code != 2 || !strings.Contains(errb.String(), "--as") {
		t.Fatalf("console without --as: code %d, %q", code, errb)
	}
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	t.Parallel()
	e, _, errb := testEnv(map[string]string{"BOT_TIMEZONE": "Nowhere/Land"}, "")
	if code := e.run(context.Background(), []string{"migrate"}); code != 1 || !strings.Contains(errb.String(), "BOT_TIMEZONE") {
		t.Fatalf("code %d, stderr %q", code, errb)
	}
}

func TestConsolePipedAnswersHelpAndProfile(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix}
	e, out, errb := testEnv(vars, "aiuto\nprofilo\n")
	if code := e.run(context.Background(), []string{"console", "--as", "mario"}); code != 0 {
		t.Fatalf("code %d, stderr %s", code, errb)
	}
	for _, want := range []string{"Cantieri: lavorare per progetti", "Profilo di mario", "Ruoli: dipendente"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

// TestServeAnswersASignedSlashCommand runs the real serve wiring against a fake Slack: health,
// readiness and metrics answer; a signed /cantieri aiuto is acked and answered through its
// response_url; a bad signature is refused; and a cancelled context stops serve cleanly.
func TestServeAnswersASignedSlashCommand(t *testing.T) {
	t.Parallel()
	fakeSlack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/auth.test") {
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer fakeSlack.Close()
	answers := make(chan string, 4)
	responseURL := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		answers <- string(b)
	}))
	defer responseURL.Close()

	_, prefix := redistest.New(t)
	const secret = "s3cr3t"
	vars := map[string]string{
		"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix,
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": secret, "SLACK_API_URL": fakeSlack.URL + "/api/",
		"HTTP_ADDR": "127.0.0.1:0",
	}
	e, _, errb := testEnv(vars, "")
	addrc := make(chan string, 1)
	e.ready = func(addr string) { addrc <- addr }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- e.run(ctx, []string{"serve"}) }()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case code := <-done:
		t.Fatalf("serve exited early with %d: %s", code, errb)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}

	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200} {
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != want {
			t.Fatalf("GET %s: %v %v", path, err, resp)
		}
		resp.Body.Close()
	}

	form := url.Values{"command": {"/cantieri"}, "text": {"aiuto"}, "user_id": {"U1"}, "user_name": {"mario"},
		"channel_id": {"C1"}, "team_id": {"T1"}, "trigger_id": {"1.2.3"}, "response_url": {responseURL.URL + "/r"}}
	body := form.Encode()
	post := func(sig string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		if sig == "" {
			mac := hmac.New(sha256.New, []byte(secret))
			fmt.Fprintf(mac, "v0:%s:%s", ts, body)
			sig = "v0=" + hex.EncodeToString(mac.Sum(nil))
		}
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := post("v0=deadbeef"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad signature: %d", resp.StatusCode)
	}
	start := time.Now()
	if resp := post(""); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed command: %d", resp.StatusCode)
	}
	if ack := time.Since(start); ack > 3*time.Second {
		t.Fatalf("ack took %v", ack)
	}
	select {
	case a := <-answers:
		if !strings.Contains(a, "Cantieri: lavorare per progetti") {
			t.Fatalf("answer = %s", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer reached the response_url")
	}

	// A command carrying personal text: it is stored, but never logged.
	form.Set("text", `profilo nome="Zebedeo Riservato"`)
	form.Set("trigger_id", "4.5.6")
	body = form.Encode()
	if resp := post(""); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed command: %d", resp.StatusCode)
	}
	select {
	case a := <-answers:
		if !strings.Contains(a, "Zebedeo Riservato") {
			t.Fatalf("answer = %s", a)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no answer reached the response_url")
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited with %d: %s", code, errb)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := errb.String()
	if !strings.Contains(logs, `"msg":"command handled"`) {
		t.Fatalf("expected structured logs, got:\n%s", logs)
	}
	for _, secretThing := range []string{"xoxb-test", secret, "Zebedeo", responseURL.URL} {
		if strings.Contains(logs, secretThing) {
			t.Errorf("the logs contain %q:\n%s", secretThing, logs)
		}
	}
}
