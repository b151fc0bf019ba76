package slack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/redis/redistest"
)

// memoryStore is a minimal bot.Store, so that the benchmark measures the transport's ack path
// rather than PostgreSQL.
type memoryStore struct {
	mu sync.Mutex
	m  map[string]bot.Employee
}

func (s *memoryStore) EnsureEmployee(_ context.Context, id bot.Identity) (bot.Employee, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id.ExternalID]
	if !ok {
		e = bot.Employee{ID: int64(len(s.m) + 1), Transport: id.Transport, ExternalID: id.ExternalID, Active: true}
		s.m[id.ExternalID] = e
	}
	return e, nil
}

func (s *memoryStore) UpdateProfile(_ context.Context, id int64, _ bot.ProfileUpdate) (bot.Employee, error) {
	return bot.Employee{ID: id, Active: true}, nil
}

// BenchmarkSlashCommandAck measures the HTTP ack of a signed slash command (read, verify,
// parse, dedup in Redis, start the worker) against a bare handler that returns 200.
func BenchmarkSlashCommandAck(b *testing.B) {
	api := newFakeSlack(b)
	c, prefix := redistest.New(b)
	tr, err := New(context.Background(), Config{
		BotToken: "xoxb-test", SigningSecret: testSecret, APIURL: api.apiURL(), Metrics: metrics.New(),
		Bot:   bot.New(bot.Config{Store: &memoryStore{m: map[string]bot.Employee{}}}),
		Dedup: redis.NewDedup(c, prefix, time.Hour), Now: func() time.Time { return fixedNow },
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = tr.Shutdown(context.Background()) })
	body := func(i int) string {
		return url.Values{"command": {"/cantieri"}, "text": {"aiuto"}, "user_id": {"U1"}, "channel_id": {"C1"},
			"response_url": {api.responseURL("bench")}, "trigger_id": {"trig-" + strconv.Itoa(i)}}.Encode()
	}
	run := func(b *testing.B, h http.Handler) {
		for i := 0; b.Loop(); i++ {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, signedRequest("/slack/commands", "application/x-www-form-urlencoded", body(i), testSecret, fixedNow))
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d", rec.Code)
			}
		}
	}
	b.Run("baseline", func(b *testing.B) {
		run(b, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	})
	b.Run("transport", func(b *testing.B) {
		run(b, tr.Handler())
		tr.Wait()
	})
}
