package slack

import (
	"log/slog"
	"regexp"
	"testing"

	"github.com/comune-prato/cantieri/bot"
)

func TestPlanEventStripsOnlyTheBotMention(t *testing.T) {
	t.Parallel()
	tr := &Transport{botUserID: "UBOT", log: slog.New(slog.DiscardHandler),
		mention: regexp.MustCompile(`<@UBOT(\|[^>]*)?>`)}
	in, v := tr.planEvent(endpointEvents, eventCallback{Type: "event_callback", EventID: "Ev1", Event: innerEvent{
		Type: "app_mention", User: "U1", Channel: "C1", TS: "1.1", Text: "<@UBOT|cantieri> profilo <@U123|mario> &amp; co",
	}}, nil)
	if v != verdictAcked || in == nil {
		t.Fatalf("mention not planned: %v", v)
	}
	if in.req.Text != "profilo <@U123|mario> & co" {
		t.Errorf("text %q", in.req.Text)
	}
	if in.req.Source != bot.SourceMention || in.tgt.channel != "C1" || in.tgt.threadTS != "1.1" {
		t.Errorf("mention answered at %+v", in.tgt)
	}

	// A thread reply in a DM is answered in that thread.
	in, _ = tr.planEvent(endpointEvents, eventCallback{Type: "event_callback", Event: innerEvent{
		Type: "message", ChannelType: "im", User: "U1", Channel: "D1", TS: "2.2", ThreadTS: "2.0", Text: "aiuto",
	}}, nil)
	if in == nil || in.req.Source != bot.SourceDirectMessage || in.tgt.threadTS != "2.0" {
		t.Errorf("DM in a thread: %+v", in)
	}

	ignored := []innerEvent{
		{Type: "message", ChannelType: "channel", User: "U1", Channel: "C1", Text: "aiuto"},
		{Type: "message", ChannelType: "im", User: "UBOT", Channel: "D1", Text: "aiuto"},
		{Type: "message", ChannelType: "im", User: "U9", BotID: "B9", Channel: "D1", Text: "aiuto"},
		{Type: "message", Subtype: "message_deleted", ChannelType: "im", Channel: "D1"},
		{Type: "app_mention", User: "U1", Channel: "D1", Text: "<@UBOT> aiuto"},
		{Type: "reaction_added", User: "U1", Channel: "C1"},
	}
	for _, ev := range ignored {
		if in, v := tr.planEvent(endpointEvents, eventCallback{Type: "event_callback", Event: ev}, nil); v != verdictIgnored || in != nil {
			t.Errorf("%+v: %v, want ignored", ev, v)
		}
	}
}
