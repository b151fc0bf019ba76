package slack

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

// benchSeq numbers the slash commands the benchmarks send, so that every trigger_id (the
// command's dedup key) is unique across sub-benchmarks, -count runs and load runs: a repeated
// one would measure the duplicate path instead of the ack.
var benchSeq atomic.Int64

// newBenchTransport is newHarness for benchmarks: a transport whose core runs on a real
// PostgreSQL database of its own, with dedup in the real Redis and Slack faked. Its clock is
// fixedNow, so requests are signed at fixedNow.
func newBenchTransport(b *testing.B) (*Transport, *slackfake.Server) {
	b.Helper()
	api := slackfake.New(b)
	c, prefix := redistest.New(b)
	tr, err := New(context.Background(), Config{
		BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: api.APIURL(), Metrics: metrics.New(),
		Bot:   bot.New(bot.Config{Store: postgres.NewStore(pgtest.NewPool(b))}),
		Dedup: redis.NewDedup(c, prefix, time.Hour), Now: func() time.Time { return fixedNow },
	})
	if err != nil {
		b.Fatal(err)
	}
	// Registered after the pool's cleanup, so it runs first: workers finish before the pool closes.
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := tr.Shutdown(ctx); err != nil {
			b.Errorf("shutdown: %v", err)
		}
	})
	return tr, api
}

// aiutoBody is the form of a `/cantieri aiuto` slash command with trigger_id trigger, from
// user, answered at responseURL.
func aiutoBody(user, responseURL, trigger string) string {
	return url.Values{
		"command": {"/cantieri"}, "text": {"aiuto"}, "user_id": {user}, "user_name": {"bench." + strings.ToLower(user)},
		"channel_id": {"C1"}, "team_id": {"T1"}, "response_url": {responseURL}, "trigger_id": {trigger},
	}.Encode()
}

// signedCommand is a slash command ready to send: its body and signature headers.
type signedCommand struct {
	body, stamp, sig string
}

// signCommands prepares n signed `/cantieri aiuto` commands answered at responseURL, each with
// a unique trigger_id, from a rotating set of users. They are signed at fixedNow (the
// transport's clock) and prepared before the load starts, so that the load generator spends its
// time sending.
func signCommands(n int, responseURL string) []signedCommand {
	const users = 100
	stamp := strconv.FormatInt(fixedNow.Unix(), 10)
	out := make([]signedCommand, n)
	for i := range out {
		body := aiutoBody(fmt.Sprintf("UB%03d", i%users), responseURL, "trig-bench-"+strconv.FormatInt(benchSeq.Add(1), 10))
		out[i] = signedCommand{body: body, stamp: stamp, sig: "v0=" + hex.EncodeToString(sign([]byte(testSecret), stamp, []byte(body)))}
	}
	return out
}

// newLoadClient is the load generator's HTTP client: enough idle connections per host that
// an open-loop burst reuses connections instead of dialling (and leaving TIME_WAIT sockets).
func newLoadClient(b *testing.B) *http.Client {
	b.Helper()
	c := &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        512,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
	b.Cleanup(c.CloseIdleConnections)
	return c
}

// loadResult is what one open-loop run observed.
type loadResult struct {
	// latencies, one per request, from the moment it was sent to the end of its response
	// (or its error).
	latencies []time.Duration
	// late, one per request, is how long after its scheduled time it was actually sent: a
	// generator that keeps up has it near zero.
	late []time.Duration
	// non200 counts responses with another status; errs counts requests without a response.
	non200, errs int
	// firstErr is an example, for the log.
	firstErr string
	// wall is from the first scheduled send to the last response.
	wall time.Duration
}

// send posts one signed slash command to url and reports its status (0 for an error).
func (c signedCommand) send(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(c.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", c.stamp)
	req.Header.Set("X-Slack-Signature", c.sig)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode, err
}

// openLoop sends cmds to url at a fixed rate, one every interval (command i is due at
// start + i·interval), whatever the server's latency: each command goes out on its own
// goroutine, so a slow response never delays the next send (no coordinated omission). It
// returns when every response is in.
func openLoop(ctx context.Context, client *http.Client, url string, cmds []signedCommand, interval time.Duration) loadResult {
	n := len(cmds)
	var (
		lat    = make([]time.Duration, n)
		late   = make([]time.Duration, n)
		status = make([]int, n)
		errs   = make([]error, n)
		doneAt = make([]time.Time, n)
		wg     sync.WaitGroup
	)
	start := time.Now().Add(5 * time.Millisecond)
	for i := range cmds {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		wg.Go(func() {
			sent := time.Now()
			late[i] = sent.Sub(due)
			status[i], errs[i] = cmds[i].send(ctx, client, url)
			doneAt[i] = time.Now()
			lat[i] = doneAt[i].Sub(sent)
		})
	}
	wg.Wait()
	res := loadResult{latencies: lat, late: late}
	last := start
	for i := range n {
		if doneAt[i].After(last) {
			last = doneAt[i]
		}
		switch {
		case errs[i] != nil:
			res.errs++
			if res.firstErr == "" {
				res.firstErr = errs[i].Error()
			}
		case status[i] != http.StatusOK:
			res.non200++
			if res.firstErr == "" {
				res.firstErr = "status " + strconv.Itoa(status[i])
			}
		}
	}
	res.wall = last.Sub(start)
	return res
}

// loadStats accumulates the runs of one benchmark.
type loadStats struct {
	latencies, late []time.Duration
	sent, non200    int
	errs            int
	firstErr        string
	wall            time.Duration
}

func (s *loadStats) add(r loadResult) {
	s.latencies = append(s.latencies, r.latencies...)
	s.late = append(s.late, r.late...)
	s.sent += len(r.latencies)
	s.non200 += r.non200
	s.errs += r.errs
	if s.firstErr == "" {
		s.firstErr = r.firstErr
	}
	s.wall += r.wall
}

// percentile is the nearest-rank q-th percentile (0 < q ≤ 1) of d, in milliseconds.
func percentile(d []time.Duration, q float64) float64 {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	k := max(int(math.Ceil(q*float64(len(s))))-1, 0)
	return float64(s[k]) / float64(time.Millisecond)
}

// report publishes the accumulated figures as benchmark metrics.
func (s *loadStats) report(b *testing.B) {
	b.ReportMetric(percentile(s.latencies, 0.50), "p50_ms")
	b.ReportMetric(percentile(s.latencies, 0.99), "p99_ms")
	b.ReportMetric(percentile(s.latencies, 1), "max_ms")
	b.ReportMetric(float64(s.errs+s.non200), "errors")
	b.ReportMetric(float64(s.sent)/s.wall.Seconds(), "req/s")
	b.ReportMetric(percentile(s.late, 0.99), "late_p99_ms")
}
