package slack

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
)

// TestPrivateReplyToAChannelMentionIsEphemeral: "@cantieri profilo" written in a channel shows
// the profile (capacity, interests) to the asker alone, never in the thread; a public reply
// (help) still goes to the thread.
func TestPrivateReplyToAChannelMentionIsEphemeral(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.event(t, "Ev-priv", map[string]any{"type": "app_mention", "user": "U1", "channel": "C1",
		"text": "<@UBOT> profilo", "ts": "1700000000.000100"}, 0)
	eph := h.api.WaitCalls(t, "chat.postEphemeral", 1)[0]
	h.tr.Wait()
	if eph.Params.Get("channel") != "C1" || eph.Params.Get("user") != "U1" || eph.Params.Get("thread_ts") != "1700000000.000100" {
		t.Errorf("ephemeral answer to channel %q, user %q, thread %q", eph.Params.Get("channel"), eph.Params.Get("user"), eph.Params.Get("thread_ts"))
	}
	if !strings.Contains(eph.Params.Get("text"), i18n.T("it", "profile.field.capacity")) {
		t.Errorf("the ephemeral answer is not the profile: %q", eph.Params.Get("text"))
	}
	if n := len(h.api.CallsTo("chat.postMessage")); n != 0 {
		t.Fatalf("%d messages posted where the channel reads them", n)
	}

	// When Slack refuses the ephemeral message (the user left the channel), a DM answers.
	h.api.SetHook(func(w http.ResponseWriter, method string, n int) bool {
		if method != "chat.postEphemeral" {
			return false
		}
		_, _ = w.Write([]byte(`{"ok":false,"error":"user_not_in_channel"}`))
		return true
	})
	h.event(t, "Ev-priv2", map[string]any{"type": "app_mention", "user": "U1", "channel": "C1",
		"text": "<@UBOT> profilo", "ts": "1700000000.000200"}, 0)
	post := h.api.WaitCalls(t, "chat.postMessage", 1)[0]
	h.tr.Wait()
	if post.Params.Get("channel") != "U1" || post.Params.Get("thread_ts") != "" {
		t.Errorf("fallback posted to %q (thread %q), want the user's DM", post.Params.Get("channel"), post.Params.Get("thread_ts"))
	}
}

// TestPostRefusesAPrivateReplyToASharedChannel: a durable job cannot post a Private reply where
// others read it; a DM is fine.
func TestPostRefusesAPrivateReplyToASharedChannel(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	c := h.tr.Client()
	for _, ch := range []string{"C1", "G1", bot.GroupAddressPrefix + "U1,U2"} {
		if _, err := c.Post(context.Background(), ch, bot.Reply{Text: "Motivo: ferie", Private: true}); !errors.Is(err, bot.ErrUnreachable) {
			t.Errorf("private post to %s: err %v, want ErrUnreachable", ch, err)
		}
	}
	if n := len(h.api.CallsTo("chat.postMessage")); n != 0 {
		t.Fatalf("%d private messages posted to shared conversations", n)
	}
	if _, err := c.Post(context.Background(), "U1", bot.Reply{Text: "Motivo: ferie", Private: true}); err != nil {
		t.Errorf("private post to a DM: %v", err)
	}
}
