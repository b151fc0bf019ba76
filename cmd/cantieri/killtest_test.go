package main

// The kill test: a real `cantieri serve` process, killed with SIGKILL in the middle of sending
// messages and restarted at once, must end up having sent every message exactly once, within two
// minutes of the restart, and none that stopped being due while it was down. It takes minutes
// per run (River's rescue of the killed process's jobs takes a minute), so it runs only when
// CANTIERI_KILLTEST is set: `make killtest` runs it CANTIERI_KILLTEST_RUNS times per scenario
// with different kill points and prints the counts.
//
// It has its own fake Slack (killSlack), which must behave as Slack does where the test looks:
// a message is in the conversation once the request reached Slack, whether or not the
// answer made it back; conversations.history returns messages with their metadata when
// include_all_metadata is set.

import (
	"encoding/json"
	"fmt"
	"github.com/comune-prato/cantieri/internal/slackfake"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// killDeadline is how long after the restart every message must have been sent.
const killDeadline = 2 * time.Minute

// killPost is one chat.postMessage the fake Slack received.
type killPost struct {
	key, channel, ts string
	at               time.Time
}

// killSlack fakes the Web API calls serve makes while delivering messages.
type killSlack struct {
	mu    sync.Mutex
	posts []killPost
	seq   int
	slow  time.Duration // how long chat.postMessage takes to answer
}

func (f *killSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	p := slackParams(r)
	var resp any
	switch method {
	case "chat.postMessage":
		var md struct {
			Payload struct {
				Key string `json:"key"`
			} `json:"event_payload"`
		}
		_ = json.Unmarshal([]byte(p.Get("metadata")), &md)
		ch := p.Get("channel")
		if strings.HasPrefix(ch, "U") {
			ch = "D" + ch // a post to a user lands in their DM
		}
		f.mu.Lock()
		f.seq++
		now := time.Now()
		ts := fmt.Sprintf("%d.%06d", now.Unix(), f.seq%1_000_000)
		f.posts = append(f.posts, killPost{key: md.Payload.Key, channel: ch, ts: ts, at: now})
		slow := f.slow
		f.mu.Unlock()
		// The message is in Slack from here on; the answer takes slow to come back, and never
		// comes if serve is killed meanwhile.
		select {
		case <-time.After(slow):
		case <-r.Context().Done():
			return
		}
		resp = map[string]any{"ok": true, "channel": ch, "ts": ts}
	case "conversations.open":
		users := strings.Split(p.Get("users"), ",")
		slices.Sort(users)
		id := "D" + users[0]
		if len(users) > 1 {
			id = "G" + strings.Join(users, "-")
		}
		resp = map[string]any{"ok": true, "channel": map[string]any{"id": id}}
	case "conversations.history":
		ch, oldest, meta := p.Get("channel"), p.Get("oldest"), p.Get("include_all_metadata") == "1"
		var msgs []any
		f.mu.Lock()
		for i := len(f.posts) - 1; i >= 0; i-- {
			m := f.posts[i]
			if m.channel != ch || tsLess(m.ts, oldest) {
				continue
			}
			msg := map[string]any{"type": "message", "ts": m.ts, "text": "…"}
			if meta && m.key != "" {
				msg["metadata"] = map[string]any{"event_type": "cantieri_message", "event_payload": map[string]any{"key": m.key}}
			}
			msgs = append(msgs, msg)
		}
		f.mu.Unlock()
		resp = map[string]any{"ok": true, "messages": msgs, "has_more": false}
	default:
		resp = slackAnswer(method, p)
	}
	writeSlackJSON(w, resp)
}

// tsLess compares Slack timestamps ("seconds.micros").
func tsLess(a, b string) bool {
	fa, _ := strconv.ParseFloat(a, 64)
	fb, _ := strconv.ParseFloat(b, 64)
	return fa < fb
}

// counts returns how many posts each key received, among keys with prefix.
func (f *killSlack) counts(prefix string) map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, p := range f.posts {
		if strings.HasPrefix(p.key, prefix) {
			out[p.key]++
		}
	}
	return out
}

// serveProcess is `cantieri serve` running as a process of its own.
type serveProcess struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  string
}

// buildCantieri builds the binary once per test binary run.
var buildCantieri = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "cantieri-killtest-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "cantieri")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// startServeProcess starts serve with env and waits until it serves.
func startServeProcess(t *testing.T, bin string, env []string, logPath string) *serveProcess {
	t.Helper()
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Dir = t.TempDir() // no .env
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProcess{cmd: cmd, done: make(chan struct{}), log: logPath}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	t.Cleanup(p.kill)
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, _ := os.ReadFile(logPath)
		if strings.Contains(string(b), `"msg":"serving"`) {
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("serve exited at start:\n%s", b)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *serveProcess) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// killRun is one scenario run: a council, a fake Slack and a serve process to kill.
type killRun struct {
	t       *testing.T
	council *slackCouncil
	api     *killSlack
	bin     string
	env     []string
	logPath string
	serve   *serveProcess
}

func newKillRun(t *testing.T, employees int, slow time.Duration) *killRun {
	t.Helper()
	bin, err := buildCantieri()
	if err != nil {
		t.Fatal(err)
	}
	council := seedSlackCouncil(t, employees)
	api := &killSlack{slow: slow}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"),
		"SLACK_BOT_TOKEN=xoxb-test", "SLACK_SIGNING_SECRET=" + testSecret, "SLACK_API_URL=" + srv.URL + "/api/",
		"HTTP_ADDR=127.0.0.1:0", "METRICS_ADDR=127.0.0.1:0", "LOG_LEVEL=info"}
	for k, v := range council.vars {
		env = append(env, k+"="+v)
	}
	r := &killRun{t: t, council: council, api: api, bin: bin, env: env, logPath: filepath.Join(t.TempDir(), "serve-1.log")}
	r.serve = startServeProcess(t, bin, env, r.logPath)
	return r
}

// postJobs returns the post jobs whose key has prefix: key → reference.
func (r *killRun) postJobs(prefix string) map[string]bot.NoticeRef {
	r.t.Helper()
	rows, err := r.council.pool.Query(r.council.ctx, `SELECT args->>'key', coalesce(args->'ref', '{}') FROM river_job
		WHERE kind = 'post_message' AND starts_with(args->>'key', $1)`, prefix)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bot.NoticeRef{}
	for rows.Next() {
		var (
			key string
			raw []byte
			ref bot.NoticeRef
		)
		if err := rows.Scan(&key, &raw); err != nil {
			r.t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &ref); err != nil {
			r.t.Fatal(err)
		}
		out[key] = ref
	}
	return out
}

// unfinished counts post jobs with prefix not yet completed, cancelled or discarded.
func (r *killRun) unfinished(prefix string) int {
	return r.council.count(`SELECT count(*) FROM river_job WHERE kind = 'post_message'
		AND starts_with(args->>'key', $1) AND state NOT IN ('completed', 'cancelled', 'discarded')`, prefix)
}

// waitPosts waits until at least n posts with prefix reached Slack.
func (r *killRun) waitPosts(prefix string, n int, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for {
		total := 0
		for _, c := range r.api.counts(prefix) {
			total += c
		}
		if total >= n {
			return
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(r.logPath)
			r.t.Fatalf("%d posts of %s* after %v, want %d; serve log:\n%s", total, prefix, within, n, tail(string(b), 4000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// killOutcome is what a run measured.
type killOutcome struct {
	messages, sent, duplicates, stale, missing int
	complete                                   time.Duration
}

// killAndCheck kills serve (after wait, when positive, past the first post with prefix),
// applies change while it is down (facts that make some messages no longer due), restarts it
// and checks that every message with prefix is sent exactly once if it was sent before the
// kill or is still due, and never otherwise.
func (r *killRun) killAndCheck(prefix string, wait time.Duration, change func(sentBefore map[string]int, jobs map[string]bot.NoticeRef)) killOutcome {
	t := r.t
	t.Helper()
	if wait >= 0 {
		r.waitPosts(prefix, 1, killDeadline)
		time.Sleep(wait)
	} else {
		// Before any post: as soon as one of the jobs is running.
		deadline := time.Now().Add(killDeadline)
		for r.council.count(`SELECT count(*) FROM river_job WHERE kind = 'post_message' AND state = 'running'
			AND starts_with(args->>'key', $1)`, prefix) == 0 {
			if time.Now().After(deadline) {
				t.Fatal("no post job started")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	r.serve.kill()
	before := r.api.counts(prefix)
	jobs := r.postJobs(prefix)
	if change != nil {
		change(before, jobs)
	}
	restart := time.Now()
	r.logPath = strings.Replace(r.logPath, "serve-1.log", "serve-2.log", 1)
	r.serve = startServeProcess(t, r.bin, r.env, r.logPath)

	store := postgres.NewStore(r.council.pool)
	want := map[string]int{}
	for key, ref := range jobs {
		due, err := store.MessageDue(r.council.ctx, ref)
		if err != nil {
			t.Fatal(err)
		}
		if before[key] > 0 || due {
			want[key] = 1
		}
	}
	out := killOutcome{messages: len(jobs)}
	complete := func(got map[string]int) bool {
		for key := range jobs {
			if got[key] < want[key] {
				return false
			}
		}
		return true
	}
	deadline := restart.Add(killDeadline)
	for !complete(r.api.counts(prefix)) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	out.complete = time.Since(restart)
	// Then let every job finish (the rescued ones included) before counting what was sent.
	settle := time.Now().Add(killDeadline)
	for r.unfinished(prefix) > 0 && time.Now().Before(settle) {
		time.Sleep(200 * time.Millisecond)
	}
	if n := r.unfinished(prefix); n > 0 {
		t.Errorf("%d post jobs still unfinished %v after the restart", n, time.Since(restart).Round(time.Second))
	}
	got := r.api.counts(prefix)
	for key := range jobs {
		n := got[key]
		switch {
		case want[key] == 0 && n > 0:
			out.stale++
			t.Errorf("%s: sent %d times, though no longer due when serve restarted", key, n)
		case want[key] == 1 && n == 0:
			out.missing++
			t.Errorf("%s: never sent", key)
		case n > 1:
			out.duplicates += n - 1
			t.Errorf("%s: sent %d times", key, n)
		}
		if n > 0 {
			out.sent++
		}
	}
	if out.complete > killDeadline {
		t.Errorf("not every message was sent within %v of the restart", killDeadline)
	}
	return out
}

// notSent returns the employees (first of each reference's People) of jobs not yet sent.
func notSent(before map[string]int, jobs map[string]bot.NoticeRef) []int64 {
	keys := make([]string, 0, len(jobs))
	for k := range jobs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []int64
	for _, k := range keys {
		if before[k] == 0 && len(jobs[k].People) > 0 {
			out = append(out, jobs[k].People[0])
		}
	}
	return out
}

// erase erases an employee's personal data, as "privacy cancella" does.
func (r *killRun) erase(id int64) {
	r.t.Helper()
	if err := postgres.NewStore(r.council.pool).ErasePersonalData(r.council.ctx, id, nil); err != nil {
		r.t.Fatal(err)
	}
}

func (r *killRun) report(scenario string, wait time.Duration, o killOutcome) {
	// One line per run, for `make killtest` to collect.
	when := "after_first_post+" + wait.String()
	if wait < 0 {
		when = "before_first_post"
	}
	fmt.Printf("killtest: scenario=%s kill=%s messages=%d sent=%d duplicates=%d stale=%d missing=%d complete_after_restart=%v\n",
		scenario, when, o.messages, o.sent, o.duplicates, o.stale, o.missing, o.complete.Round(100*time.Millisecond))
}

// killPoints are the moments serve is killed at, run after run: before the first post reaches
// Slack (-1), then that long after it.
var killPoints = []time.Duration{-1, 0, time.Second, 3 * time.Second, 500 * time.Millisecond, 6 * time.Second, 2 * time.Second}

func TestKillServeWhileSending(t *testing.T) {
	if os.Getenv("CANTIERI_KILLTEST") == "" {
		t.Skip("set CANTIERI_KILLTEST=1 (make killtest): kills a real serve process, minutes per run")
	}
	runs := 1
	if n, err := strconv.Atoi(os.Getenv("CANTIERI_KILLTEST_RUNS")); err == nil && n > 0 {
		runs = n
	}
	for i := range runs {
		wait := killPoints[i%len(killPoints)]
		t.Run(fmt.Sprintf("team/%d", i), func(t *testing.T) { t.Parallel(); killTeamConfirmation(t, wait) })
		t.Run(fmt.Sprintf("round/%d", i), func(t *testing.T) { t.Parallel(); killRound(t, wait) })
		t.Run(fmt.Sprintf("reminders/%d", i), func(t *testing.T) { t.Parallel(); killReminders(t, wait) })
	}
}

// killTeamConfirmation: chat.postMessage takes 4 s; the coordinator confirms a team of 6 and
// serve is killed around the first invitation. While it is down two invitees whose invitation
// had not gone out decline (in person, say) and one erases their data.
func killTeamConfirmation(t *testing.T, wait time.Duration) {
	r := newKillRun(t, 300, 4*time.Second)
	first, _, _ := strings.Cut(exampleScript(t, "progetto.txt"), "\n")
	out := consoleScript(t, r.council.vars, "giulia.cecchi", first+"\nsquadra 1\nsquadra 1 conferma\n")
	if !strings.Contains(out, "Inviti inviati a 6 persone") {
		t.Fatalf("confirm:\n%s", out)
	}
	o := r.killAndCheck("team-invite:", wait, func(before map[string]int, jobs map[string]bot.NoticeRef) {
		pending := notSent(before, jobs)
		for i, id := range pending {
			switch {
			case i < 2:
				r.council.exec(`UPDATE team_invitations SET status = 'declined', answered_at = now()
					WHERE employee_id = $1 AND status = 'pending'`, id)
			case i == 2:
				r.erase(id)
			}
		}
	})
	if o.messages != 6 {
		t.Errorf("%d invitation jobs, want 6", o.messages)
	}
	r.report("team", wait, o)
}

// enrol enrols the first n active employees in programme 1.
func (r *killRun) enrol(n int) {
	r.council.exec(`INSERT INTO meeting_participants (programme_id, employee_id)
		SELECT 1, id FROM employees WHERE active ORDER BY id LIMIT $1 ON CONFLICT DO NOTHING`, n)
}

const killProgramme = `incontri nuovo nome="Caffè tra uffici" cron="0 10 * * 2" gruppo=2 durata=30 formato=misto`

// killRound: a round of 80 groups (chat.postMessage takes 1 s); serve is killed around the
// first group message, and a member of a group not yet messaged erases their data meanwhile.
func killRound(t *testing.T, wait time.Duration) {
	r := newKillRun(t, 300, time.Second)
	consoleScript(t, r.council.vars, "giulia.cecchi", killProgramme+"\n")
	r.enrol(160)
	out := consoleScript(t, r.council.vars, "giulia.cecchi", "incontri 1 round\n")
	if !strings.Contains(out, "80 gruppi") {
		t.Fatalf("round:\n%s", out)
	}
	o := r.killAndCheck("meet-", wait, func(before map[string]int, jobs map[string]bot.NoticeRef) {
		if pending := notSent(before, jobs); len(pending) > 0 {
			r.erase(pending[len(pending)/2])
		}
	})
	if o.messages < 81 {
		t.Errorf("%d round jobs, want 80 groups and the report", o.messages)
	}
	r.report("round", wait, o)
}

// killReminders: after a round of 40 groups has gone out, its "did you meet?" reminders fan
// out to 80 people (the follow-up step, brought forward); serve is killed around the first,
// and one person not yet reminded erases their data meanwhile.
func killReminders(t *testing.T, wait time.Duration) {
	r := newKillRun(t, 300, time.Second)
	consoleScript(t, r.council.vars, "giulia.cecchi", killProgramme+"\n")
	r.enrol(80)
	if out := consoleScript(t, r.council.vars, "giulia.cecchi", "incontri 1 round\n"); !strings.Contains(out, "40 gruppi") {
		t.Fatalf("round:\n%s", out)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for r.unfinished("meet-") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the round's messages did not go out")
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.council.exec(`UPDATE meeting_rounds SET followup_at = now() - interval '1 minute'`)
	o := r.killAndCheck("meet-ask:", wait, func(before map[string]int, jobs map[string]bot.NoticeRef) {
		if pending := notSent(before, jobs); len(pending) > 0 {
			r.erase(pending[len(pending)/2])
		}
	})
	if o.messages != 80 {
		t.Errorf("%d reminder jobs, want 80", o.messages)
	}
	r.report("reminders", wait, o)
}

// slackParams reads a Web API call's parameters, form-encoded or JSON.
func slackParams(r *http.Request) url.Values {
	body, _ := io.ReadAll(r.Body)
	return slackfake.Params(r, body)
}

// slackAnswer is the kill test fake's answer to everything but posts and history: auth.test as
// the bot, users.info with an Italian locale, an empty users.list, and ok to anything else.
func slackAnswer(method string, p url.Values) any {
	switch method {
	case "auth.test":
		return map[string]any{"ok": true, "user_id": "UBOT", "bot_id": "BBOT", "user": "cantieri", "team_id": "T1"}
	case "users.info":
		u := p.Get("user")
		return map[string]any{"ok": true, "user": map[string]any{"id": u, "name": strings.ToLower(u), "locale": "it-IT",
			"profile": map[string]any{}}}
	case "users.list":
		return map[string]any{"ok": true, "members": []any{}, "response_metadata": map[string]any{"next_cursor": ""}}
	default: // pins.add, views.publish, …
		return map[string]any{"ok": true}
	}
}

// writeSlackJSON writes resp as a Web API answer.
func writeSlackJSON(w http.ResponseWriter, resp any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}
