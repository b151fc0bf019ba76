package slack

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/slack-go/slack"
)

// Handler serves Slack's HTTP endpoints: POST /slack/commands, /slack/events and
// /slack/interactions. Every request is verified against the signing secret on its raw body
// before anything is parsed, and acknowledged at once; the command runs afterwards.
func (t *Transport) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", t.serveCommands)
	mux.HandleFunc("POST /slack/events", t.serveEvents)
	mux.HandleFunc("POST /slack/interactions", t.serveInteractions)
	return mux
}

// readVerified reads the raw body (capped at 1 MiB) and checks its signature. On failure it
// has already answered (401, 413 or 400) and counted the request.
func (t *Transport) readVerified(w http.ResponseWriter, r *http.Request, endpoint string) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		status := http.StatusBadRequest
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status = http.StatusRequestEntityTooLarge
		}
		t.metrics.Requests.WithLabelValues(endpoint, verdictBadRequest.outcome()).Inc()
		http.Error(w, http.StatusText(status), status)
		return nil, false
	}
	if err := verifySignature(t.secret, r.Header, body, t.now()); err != nil {
		t.log.Warn("rejected an unverified request", "endpoint", endpoint, "reason", err.Error(),
			"remote", r.RemoteAddr)
		t.metrics.Requests.WithLabelValues(endpoint, "unauthorized").Inc()
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		return nil, false
	}
	return body, true
}

// respond answers Slack according to v, counting the request, and the ack and its latency
// for any 200. payload, if not nil, is sent as JSON (a modal's validation errors).
func (t *Transport) respond(w http.ResponseWriter, endpoint string, start time.Time, v verdict, payload any) {
	t.metrics.Requests.WithLabelValues(endpoint, v.outcome()).Inc()
	switch v {
	case verdictBadRequest:
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
		return
	case verdictClosing:
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	if payload != nil {
		b, err := json.Marshal(payload)
		if err == nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(b)
			t.acked(endpoint, start)
			return
		}
		t.log.Error("could not encode an ack payload", "endpoint", endpoint, "err", err)
	}
	w.WriteHeader(http.StatusOK)
	t.acked(endpoint, start)
}

// acked records an acknowledgement sent to Slack.
func (t *Transport) acked(endpoint string, start time.Time) {
	t.metrics.Acks.WithLabelValues(endpoint).Inc()
	t.metrics.AckLatency.WithLabelValues(endpoint).Observe(t.now().Sub(start).Seconds())
}

// bodyKey is a stable dedup key for a delivery that has no id of its own.
func bodyKey(kind string, body []byte) string {
	sum := sha256.Sum256(body)
	return kind + ":sha256:" + hex.EncodeToString(sum[:16])
}

func (t *Transport) serveCommands(w http.ResponseWriter, r *http.Request) {
	start := t.now()
	body, ok := t.readVerified(w, r, endpointCommands)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		t.respond(w, endpointCommands, start, verdictBadRequest, nil)
		return
	}
	cmd := slack.SlashCommand{
		TeamID:      form.Get("team_id"),
		ChannelID:   form.Get("channel_id"),
		UserID:      form.Get("user_id"),
		UserName:    form.Get("user_name"),
		Command:     form.Get("command"),
		Text:        form.Get("text"),
		ResponseURL: form.Get("response_url"),
		TriggerID:   form.Get("trigger_id"),
		APIAppID:    form.Get("api_app_id"),
	}
	// Slack does not retry slash commands, but one arriving twice (a proxy's retry) must
	// still run once: trigger_id is unique per invocation.
	key := "command:" + cmd.TriggerID
	if cmd.TriggerID == "" {
		key = bodyKey("command", body)
	}
	in, v := t.planCommand(endpointCommands, cmd, []string{key})
	if in != nil {
		v = t.accept(r.Context(), in)
	}
	t.respond(w, endpointCommands, start, v, nil)
}

func (t *Transport) serveInteractions(w http.ResponseWriter, r *http.Request) {
	start := t.now()
	body, ok := t.readVerified(w, r, endpointInteractions)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		t.respond(w, endpointInteractions, start, verdictBadRequest, nil)
		return
	}
	var cb slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		t.respond(w, endpointInteractions, start, verdictBadRequest, nil)
		return
	}
	key := "interaction:" + cb.TriggerID
	if cb.TriggerID == "" {
		key = bodyKey("interaction", body)
	}
	ack, in, v := t.planInteraction(endpointInteractions, &cb, []string{key})
	if in != nil {
		v = t.accept(r.Context(), in)
	}
	// An empty 200 closes a submitted modal; the answer follows as a message.
	t.respond(w, endpointInteractions, start, v, ack)
}

func (t *Transport) serveEvents(w http.ResponseWriter, r *http.Request) {
	start := t.now()
	body, ok := t.readVerified(w, r, endpointEvents)
	if !ok {
		return
	}
	var env eventCallback
	if err := json.Unmarshal(body, &env); err != nil {
		t.respond(w, endpointEvents, start, verdictBadRequest, nil)
		return
	}
	if env.Type == "url_verification" {
		t.metrics.Requests.WithLabelValues(endpointEvents, verdictAcked.outcome()).Inc()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, env.Challenge)
		t.acked(endpointEvents, start)
		return
	}
	// Slack retries a delivery it thinks failed (X-Slack-Retry-Num); event_id is the same on
	// every retry and across replicas, so it is the key.
	key := "event:" + env.EventID
	if env.EventID == "" {
		key = bodyKey("event", body)
	}
	in, v := t.planEvent(endpointEvents, env, []string{key})
	if in != nil {
		if n := r.Header.Get("X-Slack-Retry-Num"); n != "" {
			t.log.Info("event redelivered by Slack", "event_id", env.EventID, "retry", n,
				"reason", r.Header.Get("X-Slack-Retry-Reason"))
		}
		v = t.accept(r.Context(), in)
	}
	t.respond(w, endpointEvents, start, v, nil)
}
