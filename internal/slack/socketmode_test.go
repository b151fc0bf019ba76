package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

// nextSocket waits for the transport to open a WebSocket on the fake.
func nextSocket(t *testing.T, api *slackfake.Server) *websocket.Conn {
	t.Helper()
	select {
	case conn := <-api.Sockets():
		t.Cleanup(func() { _ = conn.Close() })
		return conn
	case <-time.After(waitTimeout):
		t.Fatal("timed out waiting for a Socket Mode connection")
		return nil
	}
}

// readAck reads the next frame and checks that it acknowledges envelopeID with no payload.
func readAck(t *testing.T, conn *websocket.Conn, envelopeID string) {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	var ack map[string]any
	if err := conn.ReadJSON(&ack); err != nil {
		t.Fatalf("reading the ack of %s: %v", envelopeID, err)
	}
	if ack["envelope_id"] != envelopeID {
		t.Fatalf("ack %v, want envelope_id %s", ack, envelopeID)
	}
	if _, has := ack["payload"]; has {
		t.Errorf("ack of %s carries a payload: %v", envelopeID, ack["payload"])
	}
}

// waitMetric waits until a counter reaches want.
func waitMetric(t *testing.T, m prometheus.Metric, want float64) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for metricValue(t, m) < want {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for a counter to reach %v (at %v)", want, metricValue(t, m))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSocketModeAcksDedupsAndReconnects(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- h.tr.RunSocketMode(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-stopped:
			if err != nil {
				t.Errorf("RunSocketMode: %v", err)
			}
		case <-time.After(waitTimeout):
			t.Error("RunSocketMode did not return after its context was cancelled")
		}
	})

	conn := nextSocket(t, h.api)
	if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": "A1"}}); err != nil {
		t.Fatal(err)
	}
	envelope := map[string]any{
		"envelope_id": "env-1", "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{
			"command": "/cantieri", "text": "aiuto", "user_id": "U1", "user_name": "mario", "channel_id": "C1",
			"team_id": "T1", "response_url": h.api.ResponseURL("r-sm"), "trigger_id": "trig-sm",
		},
	}
	if err := conn.WriteJSON(envelope); err != nil {
		t.Fatal(err)
	}
	readAck(t, conn, "env-1")
	post := h.api.WaitCalls(t, "response_url", 1)[0].JSON(t)
	if text, _ := post["text"].(string); !strings.Contains(text, i18n.T("it", "help.intro")) {
		t.Errorf("Socket Mode answer lacks the help: %q", text)
	}

	// Slack redelivers the same envelope: acked again, handled once.
	if err := conn.WriteJSON(envelope); err != nil {
		t.Fatal(err)
	}
	readAck(t, conn, "env-1")
	waitMetric(t, h.metrics.Requests.WithLabelValues(endpointSocketMode, "duplicate"), 1)
	h.tr.Wait()
	if n := len(h.api.CallsTo("response_url")); n != 1 {
		t.Fatalf("%d answers to one envelope delivered twice, want 1", n)
	}

	// The same event id in a new envelope (a redelivery after a reconnect) is a duplicate too.
	event := func(envelopeID string) map[string]any {
		return map[string]any{"envelope_id": envelopeID, "type": "events_api", "payload": map[string]any{
			"type": "event_callback", "event_id": "Ev-sm",
			"event": map[string]any{"type": "message", "channel_type": "im", "user": "U1", "channel": "D1", "text": "aiuto", "ts": "1.1"},
		}}
	}
	for _, id := range []string{"env-2", "env-3"} {
		if err := conn.WriteJSON(event(id)); err != nil {
			t.Fatal(err)
		}
		readAck(t, conn, id)
	}
	h.api.WaitCalls(t, "chat.postMessage", 1)
	waitMetric(t, h.metrics.Requests.WithLabelValues(endpointSocketMode, "duplicate"), 2)
	h.tr.Wait()
	if n := len(h.api.CallsTo("chat.postMessage")); n != 1 {
		t.Fatalf("%d DMs for one event in two envelopes, want 1", n)
	}

	// Slack asks us to reconnect: a new connection is opened and works.
	if err := conn.WriteJSON(map[string]any{"type": "disconnect", "reason": "refresh_requested"}); err != nil {
		t.Fatal(err)
	}
	conn2 := nextSocket(t, h.api)
	if n := len(h.api.CallsTo("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
	envelope["envelope_id"] = "env-4"
	envelope["payload"].(map[string]any)["trigger_id"] = "trig-sm-2"
	envelope["payload"].(map[string]any)["response_url"] = h.api.ResponseURL("r-sm-2")
	if err := conn2.WriteJSON(envelope); err != nil {
		t.Fatal(err)
	}
	readAck(t, conn2, "env-4")
	h.api.WaitCalls(t, "response_url", 2)
	if got := metricValue(t, h.metrics.Acks.WithLabelValues(endpointSocketMode)); got != 5 {
		t.Errorf("socket mode acks %v, want 5", got)
	}

	// The connection drops without a word: the client connects again.
	_ = conn2.Close()
	nextSocket(t, h.api)
	if n := len(h.api.CallsTo("apps.connections.open")); n != 3 {
		t.Errorf("apps.connections.open called %d times, want 3", n)
	}
}

func TestSocketModeRetriesAfterSlackGoGivesUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// slack-go treats invalid_auth as fatal and returns; an operator may fix the token
	// without a restart, so the transport tries again after a backoff.
	h.api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method == "apps.connections.open" && n == 1 {
			_, _ = io.WriteString(w, `{"ok":false,"error":"invalid_auth"}`)
			return true
		}
		return false
	})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- h.tr.RunSocketMode(ctx) }()
	t.Cleanup(func() { cancel(); <-stopped })
	nextSocket(t, h.api)
	if n := len(h.api.CallsTo("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times, want 2", n)
	}
}

func TestSocketModeViewSubmissionErrorsTravelInTheAck(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- h.tr.RunSocketMode(ctx) }()
	t.Cleanup(func() { cancel(); <-stopped })

	conn := nextSocket(t, h.api)
	meta, err := formMeta{Submit: "profilo", Required: []string{"nome"}, Locale: "en"}.encode()
	if err != nil {
		t.Fatal(err)
	}
	submission := map[string]any{"envelope_id": "env-v", "type": "interactive", "payload": map[string]any{
		"type": "view_submission", "user": map[string]any{"id": "U1"},
		"view": map[string]any{"id": "V1", "type": "modal", "callback_id": callbackPrefix + "profile", "private_metadata": meta,
			"state": map[string]any{"values": map[string]any{"nome": map[string]any{"nome": map[string]any{"type": "plain_text_input", "value": ""}}}}},
	}}
	if err := conn.WriteJSON(submission); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	var ack struct {
		EnvelopeID string `json:"envelope_id"`
		Payload    struct {
			ResponseAction string            `json:"response_action"`
			Errors         map[string]string `json:"errors"`
		} `json:"payload"`
	}
	if err := conn.ReadJSON(&ack); err != nil {
		t.Fatal(err)
	}
	if ack.EnvelopeID != "env-v" || ack.Payload.ResponseAction != "errors" || ack.Payload.Errors["nome"] != i18n.T("en", "form.required") {
		t.Fatalf("ack %s", mustJSON(ack))
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
