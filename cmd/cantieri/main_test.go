package main

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// syncBuffer is a bytes.Buffer safe for concurrent use: serve logs from several goroutines,
// and go-redis's logger is process-wide, so another test's serve may write here too.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testEnv(vars map[string]string, stdin string) (env, *syncBuffer, *syncBuffer) {
	var out, errb syncBuffer
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
// response_url; a bad signature is refused; a cancelled context stops serve cleanly; and the
// logs hold no token, secret, response_url or message text.
func TestServeAnswersASignedSlashCommand(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	s := startServe(t, map[string]string{
		"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix,
	})
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		if code, body := s.get(path); code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, code, body)
		}
	}
	if code := s.command("aiuto", "v0=deadbeef"); code != http.StatusUnauthorized {
		t.Fatalf("bad signature: %d", code)
	}
	if a := s.ask("aiuto"); !strings.Contains(a, "Cantieri: lavorare per progetti") {
		t.Fatalf("answer = %s", a)
	}
	// A command carrying personal text: it is stored, but never logged.
	if a := s.ask(`profilo nome="Zebedeo Riservato"`); !strings.Contains(a, "Zebedeo Riservato") {
		t.Fatalf("answer = %s", a)
	}
	if _, body := s.get("/metrics"); !strings.Contains(body, `cantieri_slack_requests_total{endpoint="commands",outcome="acked"} 2`) ||
		!strings.Contains(body, `cantieri_slack_requests_total{endpoint="commands",outcome="unauthorized"} 1`) {
		t.Errorf("metrics do not count the requests:\n%s", body)
	}
	if code := s.stop(); code != 0 {
		t.Fatalf("serve exited with %d: %s", code, s.logs)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, `"msg":"command handled"`) {
		t.Fatalf("expected structured logs, got:\n%s", logs)
	}
	for _, secretThing := range []string{"xoxb-test", testSecret, "Zebedeo", s.responseURL} {
		if strings.Contains(logs, secretThing) {
			t.Errorf("the logs contain %q:\n%s", secretThing, logs)
		}
	}
}

func TestRoleCommandMakesTheFirstAdmin(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	vars := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix}
	// The console creates the employee; the CLI makes them admin; then admin works in chat.
	e, _, _ := testEnv(vars, "profilo\n")
	if code := e.run(context.Background(), []string{"console", "--as", "lucia"}); code != 0 {
		t.Fatal("console failed")
	}
	e, out, errb := testEnv(vars, "")
	if code := e.run(context.Background(), []string{"ruolo", "@lucia", "admin"}); code != 0 || !strings.Contains(out.String(), "admin") {
		t.Fatalf("ruolo: code %d, %s %s", code, out, errb)
	}
	e, _, errb = testEnv(vars, "")
	if code := e.run(context.Background(), []string{"ruolo", "@nessuno", "admin"}); code != 1 || !strings.Contains(errb.String(), "no employee @nessuno") {
		t.Fatalf("unknown person: code %d, %s", code, errb)
	}
	e, out, _ = testEnv(vars, "admin\n")
	if code := e.run(context.Background(), []string{"console", "--as", "lucia"}); code != 0 || !strings.Contains(out.String(), "admin importa") {
		t.Fatalf("admin help for an admin: %s", out)
	}
}
