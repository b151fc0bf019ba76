package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// tcpProxy stands between the bot and a real server so that a test can cut the service off
// (closing every connection and refusing new ones) and bring it back on the same address,
// without stopping the server other tests share.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
}

// down closes the listener and every connection through the proxy.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// up listens again on the same address.
func (p *tcpProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy up: %v", err)
	}
	p.serve(ln)
}

// viaProxy rewrites rawURL's host:port to the proxy's.
func viaProxy(t *testing.T, rawURL string, p *tcpProxy) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.addr
	return u.String()
}

func hostPort(t *testing.T, rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestServeSurvivesOutages cuts PostgreSQL, then Redis, off a running bot: /readyz names the
// one that is down, a slash command is still acknowledged and the user gets the polite
// "temporarily unavailable" answer; when the service is back the bot recovers by itself.
func TestServeSurvivesOutages(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.NewDatabase(t)
	pgProxy := newProxy(t, hostPort(t, dbURL))
	redisProxy := newProxy(t, hostPort(t, redistest.URL()))
	_, prefix := redistest.New(t)

	fakeSlack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/auth.test") {
			fmt.Fprint(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team_id":"T1"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	defer fakeSlack.Close()
	answers := make(chan string, 16)
	responseURL := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		answers <- string(b)
	}))
	defer responseURL.Close()

	const secret = "s3cr3t"
	vars := map[string]string{
		"DATABASE_URL": viaProxy(t, dbURL, pgProxy), "REDIS_URL": viaProxy(t, redistest.URL(), redisProxy),
		"REDIS_PREFIX": prefix, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": secret,
		"SLACK_API_URL": fakeSlack.URL + "/api/", "HTTP_ADDR": "127.0.0.1:0", "LOG_LEVEL": "error",
	}
	e, _, errb := testEnv(vars, "")
	addrc := make(chan string, 1)
	e.ready = func(addr string) { addrc <- addr }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- e.run(ctx, []string{"serve"}) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case code := <-done:
		t.Fatalf("serve exited early with %d: %s", code, errb)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}

	ready := func() (int, string) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	n := 0
	command := func() string {
		n++
		body := url.Values{"command": {"/cantieri"}, "text": {"aiuto"}, "user_id": {"U1"}, "channel_id": {"C1"},
			"trigger_id": {"t" + strconv.Itoa(n)}, "response_url": {responseURL.URL}}.Encode()
		req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || time.Since(start) > 3*time.Second {
			t.Fatalf("command not acked in time: %d after %v", resp.StatusCode, time.Since(start))
		}
		select {
		case a := <-answers:
			return a
		case <-time.After(15 * time.Second):
			t.Fatal("no answer at the response_url")
			return ""
		}
	}
	// eventually polls until the bot is healthy again: recovery must need no restart.
	eventually := func(what string) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			code, _ := ready()
			if code == http.StatusOK {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz still %d", what, code)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	unavailable := i18n.T("it", "error.unavailable")
	help := i18n.T("it", "help.title")

	if a := command(); !strings.Contains(a, help) {
		t.Fatalf("before outages: %s", a)
	}

	for _, svc := range []struct {
		name  string
		proxy *tcpProxy
	}{{"postgres", pgProxy}, {"redis", redisProxy}} {
		svc.proxy.down()
		code, body := ready()
		if code != http.StatusServiceUnavailable || !strings.Contains(body, `"`+svc.name+`":"unavailable"`) {
			t.Fatalf("%s down: /readyz %d %s", svc.name, code, body)
		}
		if a := command(); !strings.Contains(a, unavailable) {
			t.Fatalf("%s down: answer %s\n%s", svc.name, a, errb)
		}
		svc.proxy.up()
		eventually(svc.name + " back")
		if a := command(); !strings.Contains(a, help) {
			t.Fatalf("%s back: answer %s", svc.name, a)
		}
	}
}
