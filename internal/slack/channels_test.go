package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

// answerJSON writes v as a Web API answer.
func answerJSON(w http.ResponseWriter, v any) bool {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
	return true
}

// lastCall returns the n-th (1-based) call to method, as the hook sees it.
func lastCall(t *testing.T, api *slackfake.Server, method string, n int) slackfake.Call {
	t.Helper()
	calls := api.CallsTo(method)
	if len(calls) < n {
		t.Fatalf("%d calls to %s, want at least %d", len(calls), method, n)
	}
	return calls[n-1]
}

func TestCreateChannelCreatesAPublicChannel(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method != "conversations.create" {
			return false
		}
		name := api.CallsTo(method)[n-1].Params.Get("name")
		return answerJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "CNEW", "name": name}})
	})
	c, m := newTestClient(t, api, nil)
	id, err := c.CreateChannel(context.Background(), "cantieri-7-ciclovia")
	if err != nil {
		t.Fatal(err)
	}
	if id != "CNEW" {
		t.Fatalf("id = %q, want CNEW", id)
	}
	calls := api.CallsTo("conversations.create")
	if len(calls) != 1 {
		t.Fatalf("%d conversations.create calls, want 1", len(calls))
	}
	if got := calls[0].Params.Get("name"); got != "cantieri-7-ciclovia" {
		t.Errorf("name = %q", got)
	}
	if got := calls[0].Params.Get("is_private"); got == "true" {
		t.Errorf("project channels are public, got is_private=%q", got)
	}
	if n := len(api.CallsTo("conversations.list")); n != 0 {
		t.Errorf("conversations.list called %d times for a free name", n)
	}
	if got := metricValue(t, m.SlackCalls.WithLabelValues("conversations.create", "ok")); got != 1 {
		t.Errorf("conversations.create ok counted %v, want 1", got)
	}
}

// A retried job finds the channel an earlier attempt created: name_taken, then the channel is
// looked up page by page.
func TestCreateChannelWithATakenNameFindsTheChannelAcrossPages(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		switch method {
		case "conversations.create":
			return answerJSON(w, map[string]any{"ok": false, "error": "name_taken"})
		case "conversations.list":
			var chans []map[string]any
			next := ""
			switch cursor := api.CallsTo(method)[n-1].Params.Get("cursor"); cursor {
			case "":
				chans = []map[string]any{{"id": "C1", "name": "generale"}, {"id": "C2", "name": "cantieri-7-ciclovia-bis"}}
				next = "page-2"
			case "page-2":
				chans = []map[string]any{{"id": "C3", "name": "random"}}
				next = "page-3"
			case "page-3":
				chans = []map[string]any{{"id": "C77", "name": "cantieri-7-ciclovia"}, {"id": "C78", "name": "altro"}}
			default:
				return answerJSON(w, map[string]any{"ok": false, "error": "invalid_cursor"})
			}
			return answerJSON(w, map[string]any{"ok": true, "channels": chans, "response_metadata": map[string]any{"next_cursor": next}})
		}
		return false
	})
	c, _ := newTestClient(t, api, nil)
	id, err := c.CreateChannel(context.Background(), "cantieri-7-ciclovia")
	if err != nil {
		t.Fatal(err)
	}
	if id != "C77" {
		t.Fatalf("id = %q, want the existing C77", id)
	}
	list := api.CallsTo("conversations.list")
	if len(list) != 3 {
		t.Fatalf("%d conversations.list calls, want 3 pages", len(list))
	}
	var cursors []string
	for _, l := range list {
		cursors = append(cursors, l.Params.Get("cursor"))
		if got := l.Params.Get("types"); got != "public_channel" {
			t.Errorf("types = %q, want public_channel", got)
		}
		if got := l.Params.Get("exclude_archived"); got != "true" {
			t.Errorf("exclude_archived = %q, want true", got)
		}
	}
	if !slices.Equal(cursors, []string{"", "page-2", "page-3"}) {
		t.Errorf("cursors = %q", cursors)
	}
	if n := len(api.CallsTo("conversations.create")); n != 1 {
		t.Errorf("conversations.create called %d times, want 1", n)
	}
}

func TestCreateChannelWithATakenNameNobodyListsFails(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	api.SetHook(func(w http.ResponseWriter, method string, _ int) bool {
		switch method {
		case "conversations.create":
			return answerJSON(w, map[string]any{"ok": false, "error": "name_taken"})
		case "conversations.list":
			return answerJSON(w, map[string]any{"ok": true, "channels": []any{map[string]any{"id": "C1", "name": "generale"}},
				"response_metadata": map[string]any{"next_cursor": ""}})
		}
		return false
	})
	c, _ := newTestClient(t, api, nil)
	id, err := c.CreateChannel(context.Background(), "cantieri-7-ciclovia")
	if err == nil || id != "" {
		t.Fatalf("CreateChannel = %q, %v; want an error (a private channel holds the name)", id, err)
	}
	if !strings.Contains(err.Error(), "cantieri-7-ciclovia") {
		t.Errorf("error does not name the channel: %v", err)
	}
}

func TestCreateChannelOtherErrorsAreReturned(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	api.SetHook(func(w http.ResponseWriter, method string, _ int) bool {
		if method == "conversations.create" {
			return answerJSON(w, map[string]any{"ok": false, "error": "restricted_action"})
		}
		return false
	})
	c, _ := newTestClient(t, api, nil)
	if _, err := c.CreateChannel(context.Background(), "cantieri-7-x"); err == nil || !strings.Contains(err.Error(), "restricted_action") {
		t.Fatalf("err = %v, want Slack's restricted_action", err)
	}
	if n := len(api.CallsTo("conversations.list")); n != 0 {
		t.Errorf("conversations.list called %d times after a non-name_taken error", n)
	}
}

func TestInviteToChannelSkipsConsoleAddresses(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	api.SetHook(func(w http.ResponseWriter, method string, _ int) bool {
		if method == "conversations.invite" {
			return answerJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "CPROJ"}})
		}
		return false
	})
	c, _ := newTestClient(t, api, nil)
	users := []string{"U1", bot.ConsoleAddressPrefix + "anna", "U2", "W3", bot.ConsoleAddressPrefix + "bruno"}
	if err := c.InviteToChannel(context.Background(), "CPROJ", users); err != nil {
		t.Fatal(err)
	}
	calls := api.CallsTo("conversations.invite")
	if len(calls) != 1 {
		t.Fatalf("%d conversations.invite calls, want 1 batch", len(calls))
	}
	if ch, got := calls[0].Params.Get("channel"), calls[0].Params.Get("users"); ch != "CPROJ" || got != "U1,U2,W3" {
		t.Errorf("invited %q to %q, want U1,U2,W3 to CPROJ", got, ch)
	}

	// Nobody on Slack: nothing to call.
	if err := c.InviteToChannel(context.Background(), "CPROJ", []string{bot.ConsoleAddressPrefix + "anna"}); err != nil {
		t.Fatal(err)
	}
	if n := len(api.CallsTo("conversations.invite")); n != 1 {
		t.Errorf("conversations.invite called for console addresses only (%d calls)", n)
	}
}

// A retry after a partial invite: Slack refuses the batch because someone is already in; the
// users are invited one by one and already_in_channel is ignored.
func TestInviteToChannelRetriesOneByOneWhenSomeoneIsAlreadyIn(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method != "conversations.invite" {
			return false
		}
		users := api.CallsTo(method)[n-1].Params.Get("users")
		if strings.Contains(users, ",") || users == "U1" || users == "U3" {
			return answerJSON(w, map[string]any{"ok": false, "error": "already_in_channel"})
		}
		return answerJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "CPROJ"}})
	})
	c, m := newTestClient(t, api, nil)
	if err := c.InviteToChannel(context.Background(), "CPROJ", []string{"U1", "U2", bot.ConsoleAddressPrefix + "x", "U3", "U4"}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, call := range api.CallsTo("conversations.invite") {
		got = append(got, call.Params.Get("users"))
		if ch := call.Params.Get("channel"); ch != "CPROJ" {
			t.Errorf("invite to %q", ch)
		}
	}
	if want := []string{"U1,U2,U3,U4", "U1", "U2", "U3", "U4"}; !slices.Equal(got, want) {
		t.Fatalf("invites = %q, want %q", got, want)
	}
	if ok := metricValue(t, m.SlackCalls.WithLabelValues("conversations.invite", "ok")); ok != 2 {
		t.Errorf("ok invites counted %v, want 2", ok)
	}
}

func TestInviteToChannelReportsOtherErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		fail func(users string) string // the error for a call, "" for ok
		want string
		n    int // the invite calls made
	}{
		{"batch", func(string) string { return "channel_not_found" }, "channel_not_found", 1},
		{"one by one", func(users string) string {
			switch {
			case strings.Contains(users, ","):
				return "already_in_channel"
			case users == "U2":
				return "user_is_restricted"
			}
			return ""
		}, "user_is_restricted", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			api := slackfake.New(t)
			api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
				if method != "conversations.invite" {
					return false
				}
				if e := tc.fail(api.CallsTo(method)[n-1].Params.Get("users")); e != "" {
					return answerJSON(w, map[string]any{"ok": false, "error": e})
				}
				return answerJSON(w, map[string]any{"ok": true, "channel": map[string]any{"id": "CPROJ"}})
			})
			c, _ := newTestClient(t, api, nil)
			err := c.InviteToChannel(context.Background(), "CPROJ", []string{"U1", "U2", "U3"})
			if err == nil {
				t.Fatal("InviteToChannel succeeded, want Slack's error")
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "CPROJ") {
				t.Errorf("err = %v, want %s about CPROJ", err, tc.want)
			}
			if n := len(api.CallsTo("conversations.invite")); n != tc.n {
				t.Errorf("%d invite calls, want %d (stop at the first real error)", n, tc.n)
			}
		})
	}
}

func TestPinPinsAndToleratesAlreadyPinned(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method != "pins.add" {
			return false
		}
		switch n {
		case 1:
			return answerJSON(w, map[string]any{"ok": true})
		case 2:
			return answerJSON(w, map[string]any{"ok": false, "error": "already_pinned"})
		}
		return answerJSON(w, map[string]any{"ok": false, "error": "message_not_found"})
	})
	c, _ := newTestClient(t, api, nil)
	ctx := context.Background()
	if err := c.Pin(ctx, "CPROJ", "1700000000.000042"); err != nil {
		t.Fatal(err)
	}
	call := lastCall(t, api, "pins.add", 1)
	if ch, ts := call.Params.Get("channel"), call.Params.Get("timestamp"); ch != "CPROJ" || ts != "1700000000.000042" {
		t.Errorf("pinned %q in %q", ts, ch)
	}
	if err := c.Pin(ctx, "CPROJ", "1700000000.000042"); err != nil {
		t.Errorf("already_pinned: %v, want nil", err)
	}
	if err := c.Pin(ctx, "CPROJ", "1700000000.000099"); err == nil || !strings.Contains(err.Error(), "message_not_found") {
		t.Errorf("message_not_found: %v, want the error", err)
	}
	if n := len(api.CallsTo("pins.add")); n != 3 {
		t.Errorf("pins.add called %d times, want 3", n)
	}
}

func TestPostToAConsoleAddressIsUnreachable(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	c, _ := newTestClient(t, api, nil)
	ts, err := c.Post(context.Background(), bot.ConsoleAddressPrefix+"x", bot.Reply{Text: "Ciao"})
	if !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("Post to console:x = %q, %v; want an error wrapping bot.ErrUnreachable", ts, err)
	}
	if ts != "" {
		t.Errorf("ts = %q, want none", ts)
	}
	if calls := api.Outbound(); len(calls) != 0 {
		t.Errorf("Slack was called: %+v", calls)
	}
}
