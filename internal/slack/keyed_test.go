package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/metrics"
)

// historySlack is a minimal Web API fake of its own (the shared fake is being reworked): it
// keeps every chat.postMessage with its metadata and answers conversations.history from them,
// honouring include_all_metadata and oldest as Slack does.
type historySlack struct {
	mu    sync.Mutex
	posts []map[string]any // channel, ts, metadata
	calls []string
	query []url.Values
}

func (f *historySlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, method)
	f.query = append(f.query, r.Form)
	var resp any
	switch method {
	case "conversations.open":
		resp = map[string]any{"ok": true, "channel": map[string]any{"id": "D" + r.Form.Get("users")}}
	case "chat.postMessage":
		ts := fmt.Sprintf("%d.%06d", time.Now().Unix(), len(f.posts)+1)
		var md any
		_ = json.Unmarshal([]byte(r.Form.Get("metadata")), &md)
		f.posts = append(f.posts, map[string]any{"channel": r.Form.Get("channel"), "ts": ts, "metadata": md})
		resp = map[string]any{"ok": true, "channel": r.Form.Get("channel"), "ts": ts}
	case "conversations.history":
		var msgs []any
		for i := len(f.posts) - 1; i >= 0; i-- { // newest first, as Slack answers
			p := f.posts[i]
			want := strings.TrimPrefix(r.Form.Get("channel"), "D")
			if p["channel"] != want && p["channel"] != r.Form.Get("channel") {
				continue
			}
			if p["ts"].(string) < r.Form.Get("oldest") {
				continue
			}
			m := map[string]any{"type": "message", "ts": p["ts"], "text": "…"}
			if r.Form.Get("include_all_metadata") == "1" {
				m["metadata"] = p["metadata"]
			}
			msgs = append(msgs, m)
		}
		resp = map[string]any{"ok": true, "messages": msgs, "has_more": false}
	default:
		resp = map[string]any{"ok": true}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

// A keyed post carries its key in Slack message metadata, and FindPosted finds it again in
// the conversation's history (the DM's, for a user id; the group's, for a group address).
func TestKeyedPostIsFoundInHistory(t *testing.T) {
	t.Parallel()
	api := &historySlack{}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c := newClient(clientConfig{token: "xoxb-test", apiURL: srv.URL + "/api/", http: srv.Client(), metrics: metrics.New(),
		log: slog.New(slog.DiscardHandler), locale: "it"})
	ctx := context.Background()
	since := time.Now().Add(-time.Minute)

	if _, found, err := c.FindPosted(ctx, "U0MARIO", "team-invite:7", since); err != nil || found {
		t.Fatalf("before posting: found %v, err %v", found, err)
	}
	ts, err := c.PostKeyed(ctx, "U0MARIO", "team-invite:7", bot.Reply{Text: "Invito"})
	if err != nil {
		t.Fatal(err)
	}
	api.mu.Lock()
	md, _ := json.Marshal(api.posts[0]["metadata"])
	api.mu.Unlock()
	if string(md) != `{"event_payload":{"key":"team-invite:7"},"event_type":"cantieri_message"}` {
		t.Fatalf("metadata = %s", md)
	}
	got, found, err := c.FindPosted(ctx, "U0MARIO", "team-invite:7", since)
	if err != nil || !found || got != ts {
		t.Fatalf("FindPosted = %q, %v, %v; want %q", got, found, err, ts)
	}
	if _, found, _ := c.FindPosted(ctx, "U0MARIO", "team-invite:8", since); found {
		t.Error("another key was found")
	}
	if _, found, _ := c.FindPosted(ctx, "U0MARIO", "team-invite:7", time.Now().Add(time.Hour)); found {
		t.Error("a message older than the look-back was found")
	}
	api.mu.Lock()
	for i, m := range api.calls {
		if m == "conversations.history" && (api.query[i].Get("channel") != "DU0MARIO" || api.query[i].Get("include_all_metadata") != "1") {
			t.Errorf("conversations.history with %v; want the DM's id and include_all_metadata", api.query[i])
		}
	}
	api.mu.Unlock()
	if _, _, err := c.FindPosted(ctx, "console:mario", "k", since); err == nil {
		t.Error("a console address: no error")
	}
}
