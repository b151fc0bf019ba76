package slack

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
)

// checkLimits fails t for any Block Kit limit msg breaks.
func checkLimits(t *testing.T, msg message) {
	t.Helper()
	if len(msg.blocks) > maxBlocks {
		t.Errorf("%d blocks, max %d", len(msg.blocks), maxBlocks)
	}
	ids := map[string]bool{}
	for i, b := range msg.blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if n := utf8.RuneCountInString(b.Text.Text); n > maxHeaderText {
				t.Errorf("block %d: header of %d characters", i, n)
			}
		case *slack.SectionBlock:
			if b.Text != nil && utf8.RuneCountInString(b.Text.Text) > maxSectionText {
				t.Errorf("block %d: section text of %d characters", i, utf8.RuneCountInString(b.Text.Text))
			}
			if b.Text == nil && len(b.Fields) == 0 {
				t.Errorf("block %d: empty section", i)
			}
			if len(b.Fields) > maxFields {
				t.Errorf("block %d: %d fields", i, len(b.Fields))
			}
			for _, f := range b.Fields {
				if utf8.RuneCountInString(f.Text) > maxFieldText {
					t.Errorf("block %d: field of %d characters", i, utf8.RuneCountInString(f.Text))
				}
			}
		case *slack.ActionBlock:
			if n := len(b.Elements.ElementSet); n > maxActionButtons || n == 0 {
				t.Errorf("block %d: %d buttons", i, n)
			}
			for _, e := range b.Elements.ElementSet {
				btn := e.(*slack.ButtonBlockElement)
				if ids[btn.ActionID] {
					t.Errorf("action_id %s repeated", btn.ActionID)
				}
				ids[btn.ActionID] = true
				if utf8.RuneCountInString(btn.Value) > maxButtonValue || utf8.RuneCountInString(btn.Text.Text) > maxButtonText {
					t.Errorf("button %s too long", btn.ActionID)
				}
			}
		}
	}
	if strings.TrimSpace(msg.text) == "" {
		t.Error("no plain text for notifications and screen readers")
	}
	if _, err := json.Marshal(slack.Blocks{BlockSet: msg.blocks}); err != nil {
		t.Errorf("blocks do not marshal: %v", err)
	}
}

func TestRenderKeepsAHugeReplyWithinSlackLimits(t *testing.T) {
	t.Parallel()
	r := bot.Reply{
		Title: strings.Repeat("Titolo lunghissimo ", 20),
		Text:  strings.Repeat("Una riga di testo abbastanza lunga da riempire. ", 200),
	}
	for i := range 80 {
		s := bot.Section{Title: "Sezione " + strconv.Itoa(i), Text: strings.Repeat("x", 3500)}
		for j := range 12 {
			s.Fields = append(s.Fields, bot.Field{Label: "Campo " + strconv.Itoa(j), Value: strings.Repeat("v", 2500)})
		}
		r.Sections = append(r.Sections, s)
	}
	for i := range 30 {
		r.Choices = append(r.Choices, bot.Choice{Label: strings.Repeat("Scelta ", 20), Command: "aiuto " + strconv.Itoa(i)})
	}
	msg := renderMessage(r, "it")
	checkLimits(t, msg)
	if len(msg.blocks) != maxBlocks {
		t.Errorf("%d blocks, want exactly %d (content cut to fit)", len(msg.blocks), maxBlocks)
	}
	// The buttons survive the cut, after a context line saying that something was left out.
	n := len(msg.blocks)
	if _, ok := msg.blocks[n-1].(*slack.ActionBlock); !ok {
		t.Error("last block is not the buttons")
	}
	if _, ok := msg.blocks[n-2].(*slack.ActionBlock); !ok {
		t.Error("30 buttons should take two actions blocks")
	}
	ctx, ok := msg.blocks[n-3].(*slack.ContextBlock)
	if !ok {
		t.Fatalf("block before the buttons is %T, want the truncation note", msg.blocks[n-3])
	}
	note := ctx.ContextElements.Elements[0].(*slack.TextBlockObject).Text
	if !strings.HasPrefix(note, strings.SplitN(i18n.T("it", "slack.truncated"), "{", 2)[0]) {
		t.Errorf("truncation note %q", note)
	}
	if !strings.HasPrefix(r.PlainText(), strings.TrimSuffix(msg.text, "…")) {
		t.Error("message text is not the reply's plain text")
	}
}

func TestRenderSplitsLongTextIntoSections(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("parola ", 1500) // 10,500 characters
	msg := renderMessage(bot.Reply{Text: text}, "it")
	checkLimits(t, msg)
	var joined []string
	for _, b := range msg.blocks {
		joined = append(joined, b.(*slack.SectionBlock).Text.Text)
	}
	if len(joined) != 4 {
		t.Errorf("%d sections for 10,500 characters, want 4", len(joined))
	}
	if strings.Join(joined, " ") != strings.TrimSpace(text) {
		t.Error("text lost or altered when split")
	}
}

func TestEscapingKeepsMentionsButNotBroadcasts(t *testing.T) {
	t.Parallel()
	got := escapeMrkdwn("R&S <!channel> <@U123|mario> <#C42> <https://evil.example|click> a<b")
	want := "R&amp;S &lt;!channel&gt; <@U123|mario> <#C42> &lt;https://evil.example|click&gt; a&lt;b"
	if got != want {
		t.Fatalf("escapeMrkdwn:\n got %s\nwant %s", got, want)
	}
	if unescapeSlack("R&amp;S &lt;b&gt;") != "R&S <b>" {
		t.Fatal("unescapeSlack")
	}
	if f := fit("abc&amp;def", 6); f != "abc…" {
		t.Fatalf("fit cut inside an entity: %q", f)
	}
}

func TestRenderModalFromAForm(t *testing.T) {
	t.Parallel()
	f := &bot.Form{ID: "x", Title: "Un titolo decisamente troppo lungo per Slack", Submit: "profilo", Fields: []bot.FormField{
		{Name: "nome", Label: "Nome", Kind: bot.FieldText, Value: "Maria", Required: true, MaxLength: 80},
		{Name: "note", Label: "Note", Kind: bot.FieldTextArea},
		{Name: "lingua", Label: "Lingua", Kind: bot.FieldSelect, Value: "en", Options: []bot.Option{{Value: "it", Label: "italiano"}, {Value: "en", Label: "inglese"}}},
		{Name: "capacita", Label: "Capacità", Kind: bot.FieldNumber, Value: "2"},
	}}
	v := renderModal(f, "Compila", "{}", "en")
	if n := utf8.RuneCountInString(v.Title.Text); n > maxModalTitle {
		t.Errorf("title of %d characters", n)
	}
	if v.Close.Text != i18n.T("en", "form.cancel") || v.Submit.Text != i18n.T("en", "form.save") {
		t.Errorf("labels %q %q", v.Submit.Text, v.Close.Text)
	}
	in := func(i int) *slack.InputBlock { return v.Blocks.BlockSet[i].(*slack.InputBlock) }
	if e := in(1).Element.(*slack.PlainTextInputBlockElement); e.InitialValue != "Maria" || e.MaxLength != 80 || in(1).Optional {
		t.Errorf("text input %+v optional=%v", e, in(1).Optional)
	}
	if e := in(2).Element.(*slack.PlainTextInputBlockElement); !e.Multiline || !in(2).Optional {
		t.Error("textarea should be a multiline, optional input")
	}
	if e := in(3).Element.(*slack.SelectBlockElement); e.Type != slack.OptTypeStatic || e.InitialOption == nil || e.InitialOption.Value != "en" {
		t.Errorf("select %+v", e)
	}
	if e := in(4).Element.(*slack.NumberInputBlockElement); e.InitialValue != "2" {
		t.Errorf("number input %+v", e)
	}
	if _, err := json.Marshal(v); err != nil {
		t.Fatal(err)
	}
}

func TestFormMetadataFitsOrDropsTheResponseURL(t *testing.T) {
	t.Parallel()
	m := formMeta{Submit: "profilo", ResponseURL: "https://hooks.slack.com/" + strings.Repeat("a", 3000)}
	enc, err := m.encode()
	if err != nil || len(enc) > maxMetadata {
		t.Fatalf("encode: %d characters, %v", len(enc), err)
	}
	back, err := decodeFormMeta(enc)
	if err != nil || back.Submit != "profilo" || back.ResponseURL != "" {
		t.Fatalf("decoded %+v, %v", back, err)
	}
	if _, err := (formMeta{Submit: strings.Repeat("x", 4000)}).encode(); err == nil {
		t.Fatal("oversized metadata accepted")
	}
}

// TestPrivateChannelLinksAreKept: the bot links a private project channel as <#G…>; it used to
// be escaped into literal text. Broadcasts and user-group pings stay escaped.
func TestPrivateChannelLinksAreKept(t *testing.T) {
	t.Parallel()
	got := escapeMrkdwn("Canale: <#G0123ABC> <#C42|progetti> <!here> <!subteam^S1|@tutti> <#Zoo>")
	want := "Canale: <#G0123ABC> <#C42|progetti> &lt;!here&gt; &lt;!subteam^S1|@tutti&gt; &lt;#Zoo&gt;"
	if got != want {
		t.Fatalf("escapeMrkdwn:\n got %s\nwant %s", got, want)
	}
}

// TestCutsCountUTF16AndKeepCharactersWhole: Slack counts UTF-16 units, so a title of emoji is
// cut to 150 units, not 150 runes (300 units, refused); no surrogate pair, skin tone or joined
// emoji is split.
func TestCutsCountUTF16AndKeepCharactersWhole(t *testing.T) {
	t.Parallel()
	title := strings.Repeat("🚲", 100) // 100 runes, 200 UTF-16 units
	h := fit(title, maxHeaderText)
	if n := utf16Len(h); n > maxHeaderText {
		t.Errorf("header of %d UTF-16 units, limit %d", n, maxHeaderText)
	}
	if !utf8.ValidString(h) || !strings.HasSuffix(h, "🚲…") {
		t.Errorf("header cut badly: %q", h)
	}
	// A thumbs-up with a skin tone and a family joined with ZWJ stay whole or go whole.
	for _, tail := range []string{"👍🏽", "👩‍👩‍👧"} {
		for n := 2; n < 12; n++ {
			s := fit("ab"+tail+"cd", n)
			if strings.Contains(s, tail) || !strings.ContainsAny(s, "\u200d\U0001F3FD") {
				continue
			}
			t.Errorf("fit(%q, %d) = %q splits %q", "ab"+tail+"cd", n, s, tail)
		}
	}
	label := fit(strings.Repeat("é🙂", 40), maxButtonText)
	if utf16Len(label) > maxButtonText {
		t.Errorf("button label of %d units", utf16Len(label))
	}
	chunks := splitText(strings.Repeat("🙂 ", 2000), maxSectionText)
	for _, c := range chunks {
		if utf16Len(c) > maxSectionText || !utf8.ValidString(c) {
			t.Errorf("section chunk of %d units", utf16Len(c))
		}
	}
	if len(chunks) != 2 || strings.Count(strings.Join(chunks, " "), "🙂") != 2000 {
		t.Errorf("%d chunks for 5,999 units, want 2 with every emoji", len(chunks))
	}
}
