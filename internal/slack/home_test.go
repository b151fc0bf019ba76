package slack

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

// publishedHome decodes a views.publish call.
func publishedHome(t *testing.T, c slackfake.Call) (string, slack.HomeTabViewRequest) {
	t.Helper()
	var req struct {
		UserID string                   `json:"user_id"`
		View   slack.HomeTabViewRequest `json:"view"`
	}
	if err := json.Unmarshal(c.Body, &req); err != nil {
		t.Fatalf("views.publish body: %v (%s)", err, c.Body)
	}
	return req.UserID, req.View
}

// homeButton returns the value of the Home view's button whose value starts with command.
func homeButton(view slack.HomeTabViewRequest, command string) (actionID, value string) {
	for _, b := range view.Blocks.BlockSet {
		a, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, el := range a.Elements.ElementSet {
			if btn, ok := el.(*slack.ButtonBlockElement); ok && strings.HasPrefix(btn.Value, command) {
				return btn.ActionID, btn.Value
			}
		}
	}
	return "", ""
}

func TestAppHomeOpenedPublishesTheHomeView(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	opened := map[string]any{"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home", "event_ts": "1700000000.000100"}
	if rec := h.event(t, "Ev-home", opened, 0); rec.Code != 200 {
		t.Fatalf("ack: %d", rec.Code)
	}
	// The same opening redelivered, and the Messages tab opened: nothing more.
	h.event(t, "Ev-home", opened, 1)
	h.event(t, "Ev-messages", map[string]any{"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "messages"}, 0)

	calls := h.api.WaitCalls(t, "views.publish", 1)
	h.tr.Wait()
	if n := len(h.api.CallsTo("views.publish")); n != 1 {
		t.Fatalf("views.publish called %d times, want 1", n)
	}
	if n := len(h.api.CallsTo("chat.postMessage")); n != 0 {
		t.Errorf("%d messages posted for a Home opening", n)
	}
	user, view := publishedHome(t, calls[0])
	if user != "U1" || view.Type != slack.VTHomeTab {
		t.Fatalf("published to %q a view of type %q, want U1 and home", user, view.Type)
	}
	// The fake's users.info names U1 "Mario Rossi"; the core's home greets by name.
	wantTitle := i18n.T("it", "home.title", "name", "Mario Rossi")
	var header string
	for _, b := range view.Blocks.BlockSet {
		if hb, ok := b.(*slack.HeaderBlock); ok {
			header = hb.Text.Text
			break
		}
	}
	if header != wantTitle {
		t.Errorf("Home header %q, want the profile title %q", header, wantTitle)
	}
	if id, _ := homeButton(view, "aiuto"); !strings.HasPrefix(id, actionPrefix) {
		t.Errorf("Home view lacks the help button (blocks: %d)", len(view.Blocks.BlockSet))
	}
	if n := len(view.Blocks.BlockSet); n == 0 || n > maxModalBlocks {
		t.Errorf("Home view has %d blocks", n)
	}
}

// A button in the Home tab has no response_url: its answer comes by DM, and "home" refreshes
// the tab instead.
func TestHomeButtonsAnswerByDMOrRepublish(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	click := func(trigger, value string) {
		h.interaction(t, map[string]any{
			"type": "block_actions", "trigger_id": trigger, "user": map[string]any{"id": "U1", "name": "mario"},
			"container": map[string]any{"type": "view", "view_id": "VHOME"},
			"view":      map[string]any{"id": "VHOME", "type": "home"},
			"actions": []any{map[string]any{"action_id": actionPrefix + "0", "block_id": "b1", "value": value,
				"type": "button", "action_ts": "1.3"}},
		})
	}
	click("trig-h1", "aiuto")
	posts := h.api.WaitCalls(t, "chat.postMessage", 1)
	if ch := posts[0].Params.Get("channel"); ch != "U1" {
		t.Errorf("Home button answered in %q, want the user's DM (U1)", ch)
	}
	click("trig-h2", "home")
	calls := h.api.WaitCalls(t, "views.publish", 1)
	h.tr.Wait()
	if user, view := publishedHome(t, calls[0]); user != "U1" || view.Type != slack.VTHomeTab {
		t.Errorf("republished to %q a %q view", user, view.Type)
	}
	if n := len(h.api.CallsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d messages posted, want 1 (the help; home only republishes)", n)
	}
	if n := len(h.api.CallsTo("response_url")); n != 0 {
		t.Errorf("%d response_url posts from the Home tab", n)
	}
}

// Over Socket Mode the Home opening takes the same path.
func TestAppHomeOpenedOverSocketMode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	go func() { stopped <- h.tr.RunSocketMode(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-stopped
	})
	conn := nextSocket(t, h.api)
	if err := conn.WriteJSON(map[string]any{"type": "hello", "num_connections": 1}); err != nil {
		t.Fatal(err)
	}
	if err := conn.WriteJSON(map[string]any{"envelope_id": "env-home", "type": "events_api", "payload": map[string]any{
		"type": "event_callback", "event_id": "Ev-sm-home",
		"event": map[string]any{"type": "app_home_opened", "user": "U7", "channel": "DU7", "tab": "home", "event_ts": "1.1"},
	}}); err != nil {
		t.Fatal(err)
	}
	readAck(t, conn, "env-home")
	calls := h.api.WaitCalls(t, "views.publish", 1)
	if user, view := publishedHome(t, calls[0]); user != "U7" || view.Type != slack.VTHomeTab {
		t.Errorf("published to %q a %q view", user, view.Type)
	}
}

func TestPlanEventHomeAndFileShares(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	tr := h.tr
	plan := func(ev innerEvent) (*incoming, verdict) {
		return tr.planEvent(endpointEvents, eventCallback{Type: "event_callback", EventID: "Ev1", Event: ev}, nil)
	}
	in, v := plan(innerEvent{Type: "app_home_opened", User: "U1", Channel: "DU1", Tab: "home"})
	if v != verdictAcked || !in.tgt.home || in.tgt.user != "U1" || in.req.Text != homeCommand || in.req.Source != bot.SourceHome {
		t.Errorf("home opening planned as %+v, %v", in, v)
	}
	files := []eventFile{{ID: "F1", Name: "a.csv"}}
	in, v = plan(innerEvent{Type: "message", Subtype: subtypeFileShare, ChannelType: "im", User: "U1", Channel: "D1", Text: "admin importa dipendenti", Files: files})
	if v != verdictAcked || len(in.files) != 1 || in.req.Source != bot.SourceDirectMessage {
		t.Errorf("file share planned as %+v, %v", in, v)
	}
	ignored := []innerEvent{
		{Type: "app_home_opened", User: "U1", Tab: "messages"},
		{Type: "app_home_opened", User: "UBOT", Tab: "home"},
		// The bot's own upload into the DM comes back as a file share: never a command.
		{Type: "message", Subtype: subtypeFileShare, ChannelType: "im", User: "UBOT", Channel: "D1", Files: files},
		{Type: "message", Subtype: subtypeFileShare, ChannelType: "im", User: "U9", BotID: "B9", Channel: "D1", Files: files},
		{Type: "message", Subtype: subtypeFileShare, ChannelType: "channel", User: "U1", Channel: "C1", Files: files},
		{Type: "app_mention", Subtype: subtypeFileShare, User: "U1", Channel: "C1", Files: files},
	}
	for _, ev := range ignored {
		if in, v := plan(ev); v != verdictIgnored || in != nil {
			t.Errorf("%+v: %v, want ignored", ev, v)
		}
	}
	// A Home button leading home refreshes the Home tab (by name or alias); others do not.
	cases := map[string]bool{"home": true, "HOME": true, "aiuto": false, "": false}
	for _, alias := range tr.bot.Lookup(homeCommand).Aliases {
		cases[alias+" x"] = true
	}
	for text, want := range cases {
		if got := tr.isHomeCommand(text); got != want {
			t.Errorf("isHomeCommand(%q) = %v, want %v", text, got, want)
		}
	}
}
