package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
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
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}} {
		e, out, _ := testEnv(nil, "")
		if code := e.run(context.Background(), args); code != 0 || !strings.HasPrefix(out.String(), "cantieri ") {
			t.Fatalf("%v: code %d, %q", args, code, out)
		}
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

// TestHelpEverywhere asks every command for --help with DATABASE_URL pointing at a closed
// port: each prints its usage with the variables it reads on stdout and exits 0, and none
// starts (serve --help used to start the bot, migrate --help to migrate).
func TestHelpEverywhere(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"DATABASE_URL": "postgres://postgres@" + closedAddr(t) + "/postgres", "REDIS_URL": "redis://" + closedAddr(t) + "/0"}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"serve", "console", "migrate", "import", "ruolo", "seed", "health", "version", "2 uso sbagliato / usage mistake"}},
		{[]string{"help"}, []string{"serve", "console"}},
		{[]string{"serve", "--help"}, []string{"METRICS_ADDR=127.0.0.1:9090", "HTTP_ADDR=:8080", "SLACK_BOT_TOKEN", "LOCAL_HOLIDAYS"}},
		{[]string{"help", "serve"}, []string{"METRICS_ADDR"}},
		{[]string{"migrate", "--help"}, []string{"DATABASE_URL=postgres://", "LOG_LEVEL"}},
		{[]string{"console", "--help"}, []string{"--as string", "REDIS_URL", "esci"}},
		{[]string{"console", "-h"}, []string{"--as string"}},
		{[]string{"import", "--help"}, []string{"cantieri import TIPO FILE", "employees examples/import/employees.csv", "BOT_LOCALE"}},
		{[]string{"seed", "--help"}, []string{"demo"}},
		{[]string{"seed", "demo", "--help"}, []string{"--employees int", "--if-needed", "DATABASE_URL"}},
		{[]string{"ruolo", "--help"}, []string{"dirigente A01-S02", "Aliases", "role"}},
		{[]string{"health", "--help"}, []string{"--ready", "METRICS_ADDR"}},
	} {
		e, out, errb := testEnv(vars, "")
		if code := e.run(context.Background(), c.args); code != 0 || errb.String() != "" {
			t.Errorf("%v: code %d, stderr %q", c.args, code, errb)
			continue
		}
		for _, w := range append(c.want, "Uso / Usage:") {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: the help lacks %q:\n%s", c.args, w, out)
			}
		}
	}
}

// TestUsageMistakesExitTwo: every mistake in the command line prints the command's usage on
// stderr and exits 2, without touching the database.
func TestUsageMistakesExitTwo(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"DATABASE_URL": "postgres://postgres@" + closedAddr(t) + "/postgres"}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "missing command"},
		{[]string{"serv"}, "did you mean serve"},
		{[]string{"serve", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"serve", "now"}, "unexpected argument"},
		{[]string{"migrate", "now"}, "cantieri migrate"},
		{[]string{"console", "--as"}, "flag needs an argument"},
		{[]string{"ruolo", "@mario"}, "cantieri ruolo EMAIL|@HANDLE|SLACK_ID RUOLO"},
		{[]string{"ruolo", "@mario", "capo"}, "unknown role"},
		{[]string{"ruolo", "@mario", "dirigente"}, "at least one unit"},
		{[]string{"ruolo", "@mario", "coordinatore", "A02-S01"}, "only a dirigente heads units"},
		{[]string{"health", "--ready=maybe"}, "invalid argument"},
	} {
		e, out, errb := testEnv(vars, "")
		if code := e.run(context.Background(), c.args); code != 2 || !strings.Contains(errb.String(), c.want) ||
			!strings.Contains(errb.String(), "Uso / Usage:") || out.String() != "" {
			t.Errorf("%v: code %d, stdout %q, stderr %q", c.args, code, out, errb)
		}
	}
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestUnreachableServicesSayWhatToStart: when PostgreSQL or Redis does not answer at start,
// every command that needs it prints one line naming the service, its address and variable,
// and how to start it — never the password in the URL — and exits 1.
func TestUnreachableServicesSayWhatToStart(t *testing.T) {
	t.Parallel()
	pgAddr, redisAddr := closedAddr(t), closedAddr(t)
	noPG := map[string]string{"DATABASE_URL": "postgres://cantieri:hunter2@" + pgAddr + "/cantieri"}
	_, prefix := redistest.New(t)
	noRedis := map[string]string{"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": "redis://:hunter2@" + redisAddr + "/0", "REDIS_PREFIX": prefix}
	csv := filepath.Join("..", "..", "examples", "import", "sites.csv")
	for _, c := range []struct {
		vars          map[string]string
		args          []string
		service, addr string
		hint          string
	}{
		{noPG, []string{"migrate"}, "PostgreSQL", pgAddr + " (DATABASE_URL)", "docker compose up -d postgres"},
		{noPG, []string{"serve"}, "PostgreSQL", pgAddr + " (DATABASE_URL)", "apt-get install postgresql"},
		{noPG, []string{"console", "--as", "mario"}, "PostgreSQL", pgAddr, "docker compose up -d postgres"},
		{noPG, []string{"import", "sites", csv}, "PostgreSQL", pgAddr, "docker compose up -d postgres"},
		{noPG, []string{"seed", "demo"}, "PostgreSQL", pgAddr, "docker compose up -d postgres"},
		{noPG, []string{"ruolo", "@mario", "admin"}, "PostgreSQL", pgAddr, "docker compose up -d postgres"},
		{noRedis, []string{"console", "--as", "mario"}, "Redis", redisAddr + " (REDIS_URL)", "docker compose up -d redis"},
		{noRedis, []string{"serve"}, "Redis", redisAddr + " (REDIS_URL)", "redis-server"},
	} {
		e, _, errb := testEnv(c.vars, "")
		code := e.run(context.Background(), c.args)
		msg := errb.String()
		if code != 1 || strings.Count(msg, "\n") != 1 || !strings.HasSuffix(msg, "\n") {
			t.Errorf("%v: code %d, want 1 and one line, got:\n%s", c.args, code, msg)
			continue
		}
		for _, w := range []string{c.service + " non raggiungibile / unreachable at " + c.addr, c.hint} {
			if !strings.Contains(msg, w) {
				t.Errorf("%v: %q lacks %q", c.args, msg, w)
			}
		}
		if strings.Contains(msg, "hunter2") {
			t.Errorf("%v: the password is echoed: %s", c.args, msg)
		}
	}
}

// TestMetricsAreNotOnTheSlackListener: HTTP_ADDR serves /slack/* and nothing else; health,
// readiness and metrics are on METRICS_ADDR only, where `cantieri health` finds them.
func TestMetricsAreNotOnTheSlackListener(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	s := startServe(t, map[string]string{
		"DATABASE_URL": pgtest.NewDatabase(t), "REDIS_URL": redistest.URL(), "REDIS_PREFIX": prefix,
	})
	if s.base == s.ops {
		t.Fatalf("one listener for both: %s", s.base)
	}
	status := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, path := range []string{"/metrics", "/healthz", "/readyz", "/"} {
		if code := status(s.base + path); code != http.StatusNotFound {
			t.Errorf("GET %s on HTTP_ADDR: %d, want 404", path, code)
		}
		if path != "/" {
			if code := status(s.ops + path); code != http.StatusOK {
				t.Errorf("GET %s on METRICS_ADDR: %d, want 200", path, code)
			}
		}
	}
	if code := s.command("aiuto", "v0=deadbeef"); code != http.StatusUnauthorized {
		t.Errorf("the Slack endpoint on HTTP_ADDR: %d, want 401 for a bad signature", code)
	}
	if code := status(s.ops + "/slack/commands"); code != http.StatusNotFound {
		t.Errorf("/slack/commands on METRICS_ADDR: %d, want 404", code)
	}

	metricsAddr := strings.TrimPrefix(s.ops, "http://")
	for _, args := range [][]string{{"health"}, {"health", "--ready"}} {
		e, out, errb := testEnv(map[string]string{"METRICS_ADDR": metricsAddr}, "")
		if code := e.run(context.Background(), args); code != 0 || !strings.HasPrefix(out.String(), "ok") {
			t.Errorf("%v: code %d, %s %s", args, code, out, errb)
		}
	}
	e, _, errb := testEnv(map[string]string{"METRICS_ADDR": closedAddr(t)}, "")
	if code := e.run(context.Background(), []string{"health"}); code != 1 || !strings.Contains(errb.String(), "METRICS_ADDR") {
		t.Errorf("health with nothing listening: code %d, %s", code, errb)
	}
}

func TestDialable(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		":9090": "127.0.0.1:9090", "0.0.0.0:9090": "127.0.0.1:9090", "[::]:9090": "[::1]:9090",
		"127.0.0.1:9090": "127.0.0.1:9090", "metrics.local:1": "metrics.local:1",
	} {
		if got := dialable(in); got != want {
			t.Errorf("dialable(%q) = %q, want %q", in, got, want)
		}
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
