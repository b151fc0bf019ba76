package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// healthTimeout bounds the check: Docker's own timeout is longer, so a hung serve is reported
// by this command rather than by Docker killing it.
const healthTimeout = 3 * time.Second

// health asks the serve on METRICS_ADDR for /healthz (or /readyz) and fails unless it answers
// 200. It needs no database: it is the container's healthcheck.
func (e env) health(ctx context.Context, ready bool) error {
	cfg, err := e.loadConfig()
	if err != nil {
		return err
	}
	path := "/healthz"
	if ready {
		path = "/readyz"
	}
	u := "http://" + dialable(cfg.MetricsAddr) + path
	ctx, cancel := context.WithTimeout(ctx, healthTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("nessuna risposta / no answer (METRICS_ADDR): %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s %s", u, resp.Status, body)
	}
	fmt.Fprintf(e.stdout, "ok (%s)\n", u)
	return nil
}

// dialable turns a listen address into one to connect to: a server listening on every
// interface (":9090", "0.0.0.0:9090", "[::]:9090") answers on loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return net.JoinHostPort(host, port)
}
