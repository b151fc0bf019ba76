package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/slackfake"
)

// withAttachmentEcho registers a command "allegati" that answers with the name and size of
// each attachment it received, so that tests see what reached the core.
func withAttachmentEcho(cfg *Config) {
	cfg.Bot.Register(&bot.Command{
		Name: "allegati",
		Subs: []*bot.Sub{{Handler: func(_ context.Context, c *bot.Call) (bot.Reply, error) {
			parts := []string{fmt.Sprintf("n=%d", len(c.Attachments))}
			for _, a := range c.Attachments {
				parts = append(parts, fmt.Sprintf("%s:%d:%s", a.Name, len(a.Data), strings.SplitN(string(a.Data), "\n", 2)[0]))
			}
			return bot.Reply{Text: strings.Join(parts, " ")}, nil
		}}},
	})
}

// fileShare is a DM carrying files, as Slack sends it.
func fileShare(text string, files ...map[string]any) map[string]any {
	list := make([]any, len(files))
	for i, f := range files {
		list[i] = f
	}
	return map[string]any{"type": "message", "subtype": "file_share", "channel_type": "im", "user": "U1",
		"channel": "D1", "text": text, "ts": "1700000000.000100", "files": list}
}

func TestFileSentInADMReachesTheCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withAttachmentEcho)
	csv := []byte("email,nome,unita\nanna@comune.prato.it,Anna Bianchi,SIT\n")
	f1 := h.api.AddFile("F1", "dipendenti.csv", "text/csv", "csv", csv)
	// The second file is described by id only: files.info fills in the rest.
	h.api.AddFile("F2", "note.txt", "text/plain", "text", []byte("prima riga\nseconda"))
	f2 := map[string]any{"id": "F2", "file_access": "check_file_info"}

	if rec := h.event(t, "Ev-file", fileShare("allegati", f1, f2), 0); rec.Code != http.StatusOK {
		t.Fatalf("ack: %d", rec.Code)
	}
	posts := h.api.WaitCalls(t, "chat.postMessage", 1)
	h.tr.Wait()
	want := fmt.Sprintf("n=2 dipendenti.csv:%d:email,nome,unita note.txt:18:prima riga", len(csv))
	if got := posts[0].Params.Get("text"); got != want {
		t.Errorf("the command saw %q, want %q", got, want)
	}
	if ch := posts[0].Params.Get("channel"); ch != "D1" {
		t.Errorf("answered in %q, want the DM", ch)
	}
	downloads := h.api.CallsTo("download")
	if len(downloads) != 2 {
		t.Fatalf("%d downloads, want 2", len(downloads))
	}
	for _, d := range downloads {
		if d.Params.Get("authorization") != "Bearer "+slackfake.Token {
			t.Errorf("download of %s without the bot token", d.Params.Get("name"))
		}
	}
	if n := len(h.api.CallsTo("files.info")); n != 1 {
		t.Errorf("files.info called %d times, want 1", n)
	}
}

func TestFilesThatCannotBeTakenRefuseTheCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t, withAttachmentEcho)
	pdf := h.api.AddFile("FPDF", "organigramma.pdf", "application/pdf", "pdf", []byte("%PDF-1.7"))
	big := h.api.AddFile("FBIG", "enorme.csv", "text/csv", "csv", []byte("a,b\n"))
	big["size"] = maxAttachmentBytes + 1
	// Slack says it is small, but the download runs past the cap.
	liar := h.api.AddFile("FLIAR", "bugiardo.csv", "text/csv", "csv", make([]byte, maxAttachmentBytes+10))
	liar["size"] = 10
	gone := map[string]any{"id": "FGONE", "name": "sparito.csv", "mimetype": "text/csv", "filetype": "csv", "size": 3,
		"url_private_download": h.api.URL() + "/files/sparito.csv"}

	cases := []struct {
		event string
		file  map[string]any
		key   string
		name  string
	}{
		{"Ev-pdf", pdf, "slack.file_not_text", "organigramma.pdf"},
		{"Ev-big", big, "slack.file_too_large", "enorme.csv"},
		{"Ev-liar", liar, "slack.file_too_large", "bugiardo.csv"},
		{"Ev-gone", gone, "slack.file_unreadable", "sparito.csv"},
	}
	for i, c := range cases {
		h.event(t, c.event, fileShare("allegati", c.file), 0)
		posts := h.api.WaitCalls(t, "chat.postMessage", i+1)
		want := i18n.T("it", c.key, "name", c.name, "max", 20)
		if got := posts[i].Params.Get("text"); got != want {
			t.Errorf("%s: answer %q, want %q", c.event, got, want)
		}
	}
	h.tr.Wait()
	for _, d := range h.api.CallsTo("download") {
		if n := d.Params.Get("name"); n == "organigramma.pdf" || n == "enorme.csv" {
			t.Errorf("%s was downloaded although refused up front", n)
		}
	}
	// Other subtypes are still not commands.
	edit := fileShare("allegati")
	edit["subtype"] = "message_changed"
	h.event(t, "Ev-edit", edit, 0)
	h.tr.Wait()
	if n := len(h.api.CallsTo("chat.postMessage")); n != len(cases) {
		t.Errorf("%d answers, want %d", n, len(cases))
	}
}

func TestReplyFileIsUploadedToTheUsersDM(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	// A slash command in a channel: the text answers there, the export goes to the DM.
	h.command(t, "U1", "privacy esporta", "r-export", "trig-export")
	h.api.WaitCalls(t, "files.completeUploadExternal", 1)
	h.tr.Wait()

	answers := h.api.CallsTo("response_url")
	if len(answers) != 1 || !strings.Contains(answers[0].JSON(t)["text"].(string), i18n.T("it", "privacy.export_title")) {
		t.Fatalf("answers %v", answers)
	}
	if open := h.api.CallsTo("conversations.open"); len(open) != 1 || open[0].Params.Get("users") != "U1" {
		t.Fatalf("conversations.open calls %v", open)
	}
	get := h.api.CallsTo("files.getUploadURLExternal")
	if len(get) != 1 || !strings.HasPrefix(get[0].Params.Get("filename"), "cantieri-dati-personali-") ||
		!strings.HasSuffix(get[0].Params.Get("filename"), ".json") {
		t.Fatalf("getUploadURLExternal %v", get)
	}
	uploads := h.api.CallsTo("upload")
	if len(uploads) != 1 {
		t.Fatalf("%d uploads", len(uploads))
	}
	// The upload is multipart; the export's JSON is in it.
	if !strings.Contains(string(uploads[0].Body), `"identities"`) {
		t.Errorf("uploaded body lacks the export")
	}
	done := h.api.CallsTo("files.completeUploadExternal")[0]
	if ch := done.Params.Get("channel_id"); ch != "DU1" {
		t.Errorf("export shared to %q, want the DM DU1", ch)
	}
	var files []map[string]any
	if err := json.Unmarshal([]byte(done.Params.Get("files")), &files); err != nil || len(files) != 1 ||
		files[0]["title"] != i18n.T("it", "privacy.export_file") {
		t.Errorf("completeUploadExternal files %q (%v)", done.Params.Get("files"), err)
	}
}

func TestPostSharesFilesInTheConversation(t *testing.T) {
	t.Parallel()
	api := slackfake.New(t)
	c, _ := newTestClient(t, api, nil)
	r := bot.Reply{Text: "Esito importazione", File: &bot.File{Name: "esito.csv", Title: "Esito", Data: []byte("riga,esito\n")}}
	if _, err := c.Post(context.Background(), "U1", r); err != nil {
		t.Fatal(err)
	}
	if ch := api.CallsTo("files.completeUploadExternal")[0].Params.Get("channel_id"); ch != "DU1" {
		t.Errorf("a file for user U1 shared to %q, want their DM", ch)
	}
	if _, err := c.Post(context.Background(), "C1", r); err != nil {
		t.Fatal(err)
	}
	if ch := api.CallsTo("files.completeUploadExternal")[1].Params.Get("channel_id"); ch != "C1" {
		t.Errorf("a file for channel C1 shared to %q", ch)
	}
	if n := len(api.CallsTo("conversations.open")); n != 1 {
		t.Errorf("conversations.open called %d times, want 1", n)
	}
}

// The bot token travels with a file download: it goes only to Slack's hosts or the configured
// API host, whatever URL an event names.
func TestFileDownloadsGoOnlyToSlack(t *testing.T) {
	t.Parallel()
	c := newClient(clientConfig{token: "xoxb-secret", apiURL: "http://127.0.0.1:9999/api/", http: http.DefaultClient, metrics: metrics.New()})
	for raw, want := range map[string]bool{
		"https://files.slack.com/files-pri/T1-F1/download/a.csv": true,
		"https://slack.com/x":                        true,
		"http://127.0.0.1:9999/files/a.csv":          true,
		"http://files.slack.com/a.csv":               false, // not https
		"https://files.slack.com.evil.example/a.csv": false,
		"https://evil.example/?slack.com":            false,
		"http://127.0.0.1:8888/a.csv":                false,
		"not a url":                                  false,
	} {
		if got := c.trustedFileURL(raw); got != want {
			t.Errorf("trustedFileURL(%q) = %v, want %v", raw, got, want)
		}
	}
	if _, err := c.download(context.Background(), "https://evil.example/a.csv", 100); err == nil || !strings.Contains(err.Error(), "not a Slack host") {
		t.Fatalf("download from another host: %v", err)
	}
}
