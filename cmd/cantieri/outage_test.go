package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
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
	s := startServe(t, map[string]string{
		"DATABASE_URL": viaProxy(t, dbURL, pgProxy), "REDIS_URL": viaProxy(t, redistest.URL(), redisProxy),
		"REDIS_PREFIX": prefix, "LOG_LEVEL": "error",
	})
	// eventually polls until the bot is healthy again: recovery must need no restart.
	eventually := func(what string) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			code, _ := s.get("/readyz")
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

	if a := s.ask("aiuto"); !strings.Contains(a, help) {
		t.Fatalf("before outages: %s", a)
	}

	for _, svc := range []struct {
		name  string
		proxy *tcpProxy
	}{{"postgres", pgProxy}, {"redis", redisProxy}} {
		svc.proxy.down()
		code, body := s.get("/readyz")
		if code != http.StatusServiceUnavailable || !strings.Contains(body, `"`+svc.name+`":"unavailable"`) {
			t.Fatalf("%s down: /readyz %d %s", svc.name, code, body)
		}
		if a := s.ask("aiuto"); !strings.Contains(a, unavailable) {
			t.Fatalf("%s down: answer %s\n%s", svc.name, a, s.logs)
		}
		svc.proxy.up()
		eventually(svc.name + " back")
		if a := s.ask("aiuto"); !strings.Contains(a, help) {
			t.Fatalf("%s back: answer %s", svc.name, a)
		}
	}
}
