package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/redis"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

func TestUnverifiedRequestsAreRefusedAndNothingRuns(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	cmd := url.Values{"command": {"/cantieri"}, "text": {"aiuto"}, "user_id": {"U1"}, "channel_id": {"C1"},
		"response_url": {h.api.ResponseURL("r1")}, "trigger_id": {"trig-1"}}.Encode()
	event := `{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel_type":"im","user":"U1","channel":"D1","text":"aiuto","ts":"1.1"}}`
	form := "application/x-www-form-urlencoded"

	cases := []struct {
		name string
		req  func() *http.Request
	}{
		{"tampered body", func() *http.Request {
			good := signedRequest("/slack/commands", form, cmd, testSecret, fixedNow)
			bad := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(strings.Replace(cmd, "aiuto", "profilo", 1)))
			bad.Header = good.Header.Clone()
			return bad
		}},
		{"wrong secret", func() *http.Request {
			return signedRequest("/slack/commands", form, cmd, "not-the-secret", fixedNow)
		}},
		{"missing headers", func() *http.Request {
			r := signedRequest("/slack/commands", form, cmd, testSecret, fixedNow)
			r.Header.Del("X-Slack-Signature")
			r.Header.Del("X-Slack-Request-Timestamp")
			return r
		}},
		{"timestamp 301 s ahead", func() *http.Request {
			return signedRequest("/slack/commands", form, cmd, testSecret, fixedNow.Add(301*time.Second))
		}},
		{"timestamp 301 s behind", func() *http.Request {
			return signedRequest("/slack/commands", form, cmd, testSecret, fixedNow.Add(-301*time.Second))
		}},
		{"unsigned event", func() *http.Request {
			return signedRequest("/slack/events", "application/json", event, "not-the-secret", fixedNow)
		}},
		{"stale interaction", func() *http.Request {
			body := url.Values{"payload": {`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"cantieri:choice:0","value":"aiuto"}]}`}}.Encode()
			return signedRequest("/slack/interactions", form, body, testSecret, fixedNow.Add(-time.Hour))
		}},
	}
	for _, c := range cases {
		rec, _ := h.serve(c.req())
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", c.name, rec.Code)
		}
	}
	h.tr.Wait()
	if n := h.employees(t); n != 0 {
		t.Errorf("%d employee rows created: the core ran for an unverified request", n)
	}
	if out := h.api.Outbound(); len(out) != 0 {
		t.Errorf("outbound calls for unverified requests: %v", out[0].Method)
	}
	if got := metricValue(t, h.metrics.Requests.WithLabelValues(endpointCommands, "unauthorized")); got != 5 {
		t.Errorf("unauthorized commands counted %v, want 5", got)
	}

	// The window is ±300 s inclusive: the same command signed 300 s off is accepted.
	for i, off := range []time.Duration{300 * time.Second, -300 * time.Second} {
		body := strings.Replace(cmd, "trig-1", "trig-ok-"+string(rune('a'+i)), 1)
		rec, _ := h.serve(signedRequest("/slack/commands", form, body, testSecret, fixedNow.Add(off)))
		if rec.Code != http.StatusOK {
			t.Errorf("timestamp %v off: status %d, want 200", off, rec.Code)
		}
	}
}

func TestURLVerificationReturnsTheChallenge(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	body := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	rec, _ := h.serve(signedRequest("/slack/events", "application/json", body, testSecret, fixedNow))
	if rec.Code != http.StatusOK || rec.Body.String() != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("url_verification: %d %q", rec.Code, rec.Body.String())
	}
}

func TestSlashCommandIsAckedAndAnsweredAtResponseURL(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	rec := h.command(t, "U1", "aiuto", "r-help", "trig-help")
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("ack: %d %q, want an empty 200", rec.Code, rec.Body.String())
	}
	posts := h.api.WaitCalls(t, "response_url", 1)
	msg := posts[0].JSON(t)
	text, _ := msg["text"].(string)
	if !strings.Contains(text, i18n.T("it", "help.intro")) {
		t.Errorf("answer text lacks the help intro: %q", text)
	}
	if msg["response_type"] != "ephemeral" || msg["replace_original"] != false {
		t.Errorf("response_type %v, replace_original %v; want ephemeral, false", msg["response_type"], msg["replace_original"])
	}
	if blocks, _ := msg["blocks"].([]any); len(blocks) == 0 {
		t.Error("answer has no blocks")
	}
	if got := metricValue(t, h.metrics.Acks.WithLabelValues(endpointCommands)); got != 1 {
		t.Errorf("acks counted %v, want 1", got)
	}
	if got := metricValue(t, h.metrics.CommandLatency.WithLabelValues("slack").(prometheus.Metric)); got != 1 {
		t.Errorf("command latency observations %v, want 1", got)
	}
}

func TestSlashCommandWithAFormOpensAModal(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if rec := h.command(t, "U1", "profilo modifica", "r-form", "trig-form"); rec.Code != http.StatusOK {
		t.Fatalf("ack: %d", rec.Code)
	}
	calls := h.api.WaitCalls(t, "views.open", 1)
	var open struct {
		TriggerID string                 `json:"trigger_id"`
		View      slack.ModalViewRequest `json:"view"`
	}
	if err := json.Unmarshal(calls[0].Body, &open); err != nil {
		t.Fatal(err)
	}
	if open.TriggerID != "trig-form" || open.View.CallbackID != callbackPrefix+"profile" {
		t.Fatalf("views.open with trigger %q, callback %q", open.TriggerID, open.View.CallbackID)
	}
	var inputs []string
	for _, b := range open.View.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			inputs = append(inputs, in.BlockID)
		}
	}
	if !slices.Equal(inputs, []string{"nome", "competenze", "interessi", "capacita", "lingua"}) {
		t.Errorf("modal inputs %v", inputs)
	}
	meta, err := decodeFormMeta(open.View.PrivateMetadata)
	if err != nil || meta.Submit != "profilo modifica" || meta.ResponseURL != h.api.ResponseURL("r-form") {
		t.Errorf("metadata %+v, %v", meta, err)
	}
	h.tr.Wait()
	if n := len(h.api.CallsTo("response_url")); n != 0 {
		t.Errorf("%d response_url posts; the form should only open a modal", n)
	}
}

func TestEventDeliveredTwiceIsHandledOnce(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	mention := map[string]any{"type": "app_mention", "user": "U1", "channel": "C1", "text": "<@UBOT> aiuto", "ts": "1700000000.000100"}
	if rec := h.event(t, "Ev-dup", mention, 0); rec.Code != http.StatusOK {
		t.Fatalf("first delivery: %d", rec.Code)
	}
	if rec := h.event(t, "Ev-dup", mention, 1); rec.Code != http.StatusOK {
		t.Fatalf("retry: %d, want 200 so that Slack stops retrying", rec.Code)
	}
	h.api.WaitCalls(t, "chat.postMessage", 1)
	h.tr.Wait()
	if n := len(h.api.CallsTo("chat.postMessage")); n != 1 {
		t.Fatalf("%d messages posted for one event delivered twice, want 1", n)
	}
	if got := metricValue(t, h.metrics.Requests.WithLabelValues(endpointEvents, "duplicate")); got != 1 {
		t.Errorf("duplicates counted %v, want 1", got)
	}
}

func TestMentionsAndDirectMessagesRunCommandsInPlace(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.event(t, "Ev-m", map[string]any{"type": "app_mention", "user": "U1", "channel": "C1",
		"text": "<@UBOT> aiuto", "ts": "1700000000.000100"}, 0)
	h.event(t, "Ev-dm", map[string]any{"type": "message", "channel_type": "im", "user": "U2", "channel": "D2",
		"text": "profilo", "ts": "1700000000.000200"}, 0)
	// Not commands: the bot's own message, another bot's, an edit.
	h.event(t, "Ev-own", map[string]any{"type": "message", "channel_type": "im", "user": "UBOT", "channel": "D2",
		"text": "profilo", "ts": "1700000000.000300"}, 0)
	h.event(t, "Ev-bot", map[string]any{"type": "message", "subtype": "bot_message", "channel_type": "im",
		"bot_id": "B9", "user": "U9", "channel": "D2", "text": "aiuto", "ts": "1700000000.000400"}, 0)
	h.event(t, "Ev-edit", map[string]any{"type": "message", "subtype": "message_changed", "channel_type": "im",
		"channel": "D2", "message": map[string]any{"user": "U2", "text": "aiuto"}, "ts": "1700000000.000500"}, 0)

	posts := h.api.WaitCalls(t, "chat.postMessage", 2)
	h.tr.Wait()
	if n := len(h.api.CallsTo("chat.postMessage")); n != 2 {
		t.Fatalf("%d messages posted, want 2 (mention and DM only)", n)
	}
	byChannel := map[string]slackfake.Call{}
	for _, p := range posts {
		byChannel[p.Params.Get("channel")] = p
	}
	m, ok := byChannel["C1"]
	if !ok || m.Params.Get("thread_ts") != "1700000000.000100" || !strings.Contains(m.Params.Get("text"), i18n.T("it", "help.intro")) {
		t.Errorf("mention answer: ok=%v thread_ts=%q text=%q", ok, m.Params.Get("thread_ts"), m.Params.Get("text"))
	}
	d, ok := byChannel["D2"]
	if !ok || d.Params.Get("thread_ts") != "" || !strings.Contains(d.Params.Get("text"), i18n.T("it", "profile.field.skills")) {
		t.Errorf("DM answer: ok=%v thread_ts=%q text=%q", ok, d.Params.Get("thread_ts"), d.Params.Get("text"))
	}
	if got := metricValue(t, h.metrics.Requests.WithLabelValues(endpointEvents, "ignored")); got != 3 {
		t.Errorf("ignored events counted %v, want 3", got)
	}
}

func TestMentionWithAFormOffersAButtonThatOpensIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.event(t, "Ev-form", map[string]any{"type": "app_mention", "user": "U1", "channel": "C1",
		"text": "<@UBOT> profilo modifica", "ts": "1700000000.000100"}, 0)
	post := h.api.WaitCalls(t, "chat.postMessage", 1)[0]
	var blocks slack.Blocks
	if err := json.Unmarshal([]byte(post.Params.Get("blocks")), &blocks); err != nil {
		t.Fatal(err)
	}
	var values []string
	for _, b := range blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, e := range a.Elements.ElementSet {
				if btn, ok := e.(*slack.ButtonBlockElement); ok {
					values = append(values, btn.Value)
				}
			}
		}
	}
	if !slices.Contains(values, "profilo modifica") {
		t.Fatalf("no button re-running the form's command; buttons %v", values)
	}
	if n := len(h.api.CallsTo("views.open")); n != 0 {
		t.Errorf("views.open called without a trigger_id")
	}
}

func TestDirectMessageTextIsUnescaped(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.event(t, "Ev-amp", map[string]any{"type": "message", "channel_type": "im", "user": "U3", "channel": "D3",
		"text": `profilo interessi="R&amp;S &lt;Prato&gt;"`, "ts": "1700000000.000100"}, 0)
	h.api.WaitCalls(t, "chat.postMessage", 1)
	h.tr.Wait()
	var interests []string
	if err := h.pool.QueryRow(context.Background(), `SELECT e.interests FROM employees e
		JOIN employee_identities i ON i.employee_id = e.id WHERE i.external_id = 'U3'`).Scan(&interests); err != nil {
		t.Fatal(err)
	}
	if len(interests) != 1 || interests[0] != "R&S <Prato>" {
		t.Fatalf("interests %q, want the unescaped text", interests)
	}
}

func TestButtonClickRunsItsCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	click := func(actionID, value, trigger string) map[string]any {
		return map[string]any{
			"type": "block_actions", "user": map[string]any{"id": "U1", "name": "mario"}, "trigger_id": trigger,
			"response_url": h.api.ResponseURL("r-click"), "channel": map[string]any{"id": "C1"},
			"container": map[string]any{"type": "message", "channel_id": "C1", "message_ts": "1.2"},
			"actions":   []any{map[string]any{"type": "button", "action_id": actionID, "block_id": "b1", "value": value, "action_ts": "1.3"}},
		}
	}
	if rec := h.interaction(t, click(actionPrefix+"0", "aiuto profilo", "trig-c1")); rec.Code != http.StatusOK {
		t.Fatalf("ack: %d", rec.Code)
	}
	// A button that is not ours is ignored.
	if rec := h.interaction(t, click("someone-else", "aiuto", "trig-c2")); rec.Code != http.StatusOK {
		t.Fatalf("ack: %d", rec.Code)
	}
	post := h.api.WaitCalls(t, "response_url", 1)[0].JSON(t)
	if text, _ := post["text"].(string); !strings.Contains(text, i18n.T("it", "profile.sub.edit")) {
		t.Errorf("answer to the click lacks the profile help: %q", text)
	}
	h.tr.Wait()
	if n := len(h.api.CallsTo("response_url")); n != 1 {
		t.Errorf("%d answers, want 1", n)
	}
}

func TestModalSubmissionUpdatesTheProfile(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if _, err := h.pool.Exec(context.Background(),
		`INSERT INTO skills (code, name_it, name_en) VALUES ('gis', 'GIS', 'GIS'), ('appalti', 'Appalti', 'Procurement')`); err != nil {
		t.Fatal(err)
	}
	h.command(t, "U1", "profilo modifica", "r-form", "trig-form")
	var open struct {
		View slack.ModalViewRequest `json:"view"`
	}
	if err := json.Unmarshal(h.api.WaitCalls(t, "views.open", 1)[0].Body, &open); err != nil {
		t.Fatal(err)
	}
	submit := func(name, trigger string) map[string]any {
		text := func(v string) map[string]any { return map[string]any{"type": "plain_text_input", "value": v} }
		return map[string]any{
			"type": "view_submission", "user": map[string]any{"id": "U1", "name": "mario"}, "trigger_id": trigger,
			"view": map[string]any{
				"id": "V1", "type": "modal", "callback_id": open.View.CallbackID, "private_metadata": open.View.PrivateMetadata,
				"state": map[string]any{"values": map[string]any{
					"nome":       map[string]any{"nome": text(name)},
					"competenze": map[string]any{"competenze": text("GIS:3, appalti")},
					"interessi":  map[string]any{"interessi": text("open data")},
					"capacita":   map[string]any{"capacita": map[string]any{"type": "number_input", "value": "1"}},
					"lingua": map[string]any{"lingua": map[string]any{"type": "static_select",
						"selected_option": map[string]any{"value": "en", "text": map[string]any{"type": "plain_text", "text": "inglese"}}}},
				}},
			},
		}
	}

	// A required field left blank keeps the modal open with an error on that field.
	rec := h.interaction(t, submit("   ", "trig-s1"))
	var resp slack.ViewSubmissionResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("blank name: %d %q", rec.Code, rec.Body.String())
	}
	if resp.ResponseAction != slack.RAErrors || resp.Errors["nome"] != i18n.T("it", "form.required") {
		t.Fatalf("blank name: %+v", resp)
	}

	rec = h.interaction(t, submit("Maria Rossi", "trig-s2"))
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("submission ack: %d %q, want an empty 200 (closes the modal)", rec.Code, rec.Body.String())
	}
	post := h.api.WaitCalls(t, "response_url", 1)[0]
	if post.Params.Get("id") != "r-form" {
		t.Errorf("answer went to response_url %q, want the slash command's", post.Params.Get("id"))
	}
	h.tr.Wait()
	var (
		name, locale string
		interests    []string
		capacity     int
		skills       []string
	)
	err := h.pool.QueryRow(context.Background(),
		`SELECT e.display_name, e.interests, e.capacity, coalesce(e.locale, ''),
			(SELECT array_agg(s.code || ':' || es.level ORDER BY s.code) FROM employee_skills es JOIN skills s ON s.id = es.skill_id WHERE es.employee_id = e.id)
		FROM employees e JOIN employee_identities i ON i.employee_id = e.id WHERE i.external_id = 'U1'`).
		Scan(&name, &interests, &capacity, &locale, &skills)
	if err != nil {
		t.Fatal(err)
	}
	if name != "Maria Rossi" || !slices.Equal(interests, []string{"open data"}) || capacity != 1 ||
		!slices.Equal(skills, []string{"appalti:1", "gis:3"}) || locale != "en" {
		t.Fatalf("profile row: %q %v %d %v %q", name, interests, capacity, skills, locale)
	}
}

func TestRedisDownStillAcksAndSaysUnavailable(t *testing.T) {
	t.Parallel()
	down, err := redis.Open("redis://127.0.0.1:1/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = down.Close() })
	h := newHarness(t, func(c *Config) { c.Dedup = redis.NewDedup(down, "down:", time.Hour) })

	if rec := h.command(t, "U1", "aiuto", "r-down", "trig-down"); rec.Code != http.StatusOK {
		t.Fatalf("ack with Redis down: %d, want 200", rec.Code)
	}
	post := h.api.WaitCalls(t, "response_url", 1)[0].JSON(t)
	if text, _ := post["text"].(string); text != i18n.T("it", "error.unavailable") {
		t.Fatalf("answer %q, want the unavailable message", text)
	}
	rec := h.event(t, "Ev-down", map[string]any{"type": "message", "channel_type": "im", "user": "U1", "channel": "D1",
		"text": "aiuto", "ts": "1700000000.000100"}, 0)
	if rec.Code != http.StatusOK {
		t.Fatalf("event ack with Redis down: %d", rec.Code)
	}
	dm := h.api.WaitCalls(t, "chat.postMessage", 1)[0]
	if dm.Params.Get("channel") != "D1" || dm.Params.Get("text") != i18n.T("it", "error.unavailable") {
		t.Fatalf("DM answer %q in %q", dm.Params.Get("text"), dm.Params.Get("channel"))
	}
	h.tr.Wait()
	if n := h.employees(t); n != 0 {
		t.Errorf("the core ran (%d employee rows) although dedup was unavailable", n)
	}
	if got := metricValue(t, h.metrics.Requests.WithLabelValues(endpointCommands, "unavailable")); got != 1 {
		t.Errorf("unavailable commands counted %v, want 1", got)
	}
}

func TestShutdownRefusesNewWorkAndReleasesTheEvent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := h.tr.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	dm := map[string]any{"type": "message", "channel_type": "im", "user": "U1", "channel": "D1", "text": "aiuto", "ts": "1.1"}
	if rec := h.event(t, "Ev-late", dm, 0); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("event during shutdown: %d, want 503 so that Slack retries", rec.Code)
	}
	// Slack's retry reaches this (or another) replica and is not mistaken for a duplicate.
	first, err := h.tr.dedup.FirstSeen(ctx, "slack:event:Ev-late")
	if err != nil || !first {
		t.Fatalf("event key still held after a refused delivery: first=%v err=%v", first, err)
	}
}
