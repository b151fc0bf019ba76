package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
)

// Block Kit limits (https://docs.slack.dev/reference/block-kit): exceeding any of them makes
// Slack refuse the whole message, so every string is fitted before it is sent.
const (
	maxBlocks        = 50
	maxModalBlocks   = 100
	maxHeaderText    = 150
	maxSectionText   = 3000
	maxFieldText     = 2000
	maxFields        = 10
	maxActionButtons = 25
	maxActionBlocks  = 5
	maxButtonText    = 75
	maxButtonValue   = 2000
	maxMessageText   = 4000
	maxModalTitle    = 24
	maxInputLabel    = 2000
	maxInputLength   = 3000
	maxSelectOptions = 100
	maxOptionText    = 75
	maxOptionValue   = 150
	maxMetadata      = 3000
)

// Ids that mark Block Kit elements as ours, so that interactions from anything else (another
// app's view, a stale message format) are ignored rather than run.
const (
	actionPrefix   = "cantieri:choice:"
	callbackPrefix = "cantieri:form:"
)

// message is a reply rendered for Slack: the blocks, and the plain text that Slack shows in
// notifications and reads to screen readers.
type message struct {
	text   string
	blocks []slack.Block
	// metadata labels a proactive post with its idempotency key (see Client.PostKeyed).
	metadata *slack.SlackMetadata
}

// renderMessage turns a reply into Block Kit: a header for the title, mrkdwn sections for the
// text (split at 3,000 characters), sections of at most 10 fields, and actions blocks for
// the choices. Past 50 blocks the content is cut and a context line says so; the buttons are
// kept, because they are how the user goes on. The form, the image and the file are
// delivered apart.
func renderMessage(r bot.Reply, locale string) message {
	blocks := renderBlocks(r, locale, maxBlocks)
	text := r.PlainText()
	if strings.TrimSpace(text) == "" {
		labels := make([]string, 0, len(r.Choices))
		for _, c := range r.Choices {
			labels = append(labels, c.Label)
		}
		text = strings.Join(labels, " · ")
	}
	return message{text: fit(escapeMrkdwn(text), maxMessageText), blocks: blocks}
}

// renderHome turns a reply into the user's App Home view: the same blocks as a message, with
// the Home tab's higher limit (100 blocks). Buttons in it arrive as block actions from the
// view, which have no response_url.
func renderHome(r bot.Reply, locale string) slack.HomeTabViewRequest {
	return slack.HomeTabViewRequest{
		Type:   slack.VTHomeTab,
		Blocks: slack.Blocks{BlockSet: renderBlocks(r, locale, maxModalBlocks)},
	}
}

// renderBlocks renders a reply's title, text, sections and choices in at most limit blocks.
func renderBlocks(r bot.Reply, locale string, limit int) []slack.Block {
	var content []slack.Block
	if title := strings.TrimSpace(strings.ReplaceAll(r.Title, "*", "")); title != "" {
		content = append(content, slack.NewHeaderBlock(plain(fit(title, maxHeaderText))))
	}
	for _, chunk := range splitText(escapeMrkdwn(r.Text), maxSectionText) {
		content = append(content, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	for _, s := range r.Sections {
		content = append(content, renderSection(s)...)
	}

	actions := renderChoices(r.Choices)
	if len(content)+len(actions) > limit {
		keep := limit - len(actions) - 1
		omitted := len(content) - keep
		content = append(content[:keep:keep], slack.NewContextBlock("",
			mrkdwn(escapeMrkdwn(i18n.T(locale, "slack.truncated", "n", omitted)))))
	}
	return append(content, actions...)
}

// renderSection renders one reply section: its title and text in one mrkdwn section (split if
// long), then its fields ten at a time.
func renderSection(s bot.Section) []slack.Block {
	var out []slack.Block
	text := escapeMrkdwn(s.Text)
	if t := escapeMrkdwn(strings.TrimSpace(s.Title)); t != "" {
		if !strings.Contains(t, "*") {
			t = "*" + t + "*"
		}
		text = strings.TrimSpace(t + "\n" + text)
	}
	for _, chunk := range splitText(text, maxSectionText) {
		out = append(out, slack.NewSectionBlock(mrkdwn(chunk), nil, nil))
	}
	for i := 0; i < len(s.Fields); i += maxFields {
		fields := make([]*slack.TextBlockObject, 0, maxFields)
		for _, f := range s.Fields[i:min(i+maxFields, len(s.Fields))] {
			v := f.Value
			if strings.TrimSpace(v) == "" {
				v = " "
			}
			fields = append(fields, mrkdwn(fit("*"+escapeMrkdwn(f.Label)+"*\n"+escapeMrkdwn(v), maxFieldText)))
		}
		out = append(out, slack.NewSectionBlock(nil, fields, nil))
	}
	return out
}

// renderChoices renders buttons, 25 to an actions block. The button's value is the command
// text it runs; a command too long for a value (2,000 characters) is left out rather than cut,
// since a cut command would run something else.
func renderChoices(choices []bot.Choice) []slack.Block {
	var (
		out     []slack.Block
		buttons []slack.BlockElement
	)
	flush := func() {
		if len(buttons) > 0 && len(out) < maxActionBlocks {
			out = append(out, slack.NewActionBlock("", buttons...))
		}
		buttons = nil
	}
	for i, c := range choices {
		if c.Command == "" || utf8.RuneCountInString(c.Command) > maxButtonValue {
			continue
		}
		label := strings.TrimSpace(c.Label)
		if label == "" {
			label = c.Command
		}
		b := slack.NewButtonBlockElement(actionPrefix+strconv.Itoa(i), c.Command, plain(fit(label, maxButtonText)))
		switch c.Style {
		case bot.StylePrimary:
			b.Style = slack.StylePrimary
		case bot.StyleDanger:
			b.Style = slack.StyleDanger
		}
		buttons = append(buttons, b)
		if len(buttons) == maxActionButtons {
			flush()
		}
	}
	flush()
	return out
}

// formFallback replaces a form that cannot be opened (no trigger_id: a mention or a DM, or the
// trigger expired) by a button that runs command again: the click arrives as a block action,
// which carries a fresh trigger_id, and the form then opens as a modal.
func formFallback(r bot.Reply, command, locale string) bot.Reply {
	f := r.Form
	r.Form = nil
	if strings.TrimSpace(command) == "" {
		return r
	}
	label := f.Title
	if label == "" {
		label = f.SubmitLabel
	}
	if label == "" {
		label = i18n.T(locale, "form.save")
	}
	open := bot.Choice{Label: label, Command: command, Style: bot.StylePrimary}
	r.Choices = append([]bot.Choice{open}, r.Choices...)
	return r
}

// formMeta is what a modal carries in private_metadata so that its submission can be routed:
// the command to run, where to answer, which fields are required, and the language of the
// validation messages. Short JSON keys keep it under Slack's 3,000 characters.
type formMeta struct {
	Submit      string   `json:"s"`
	FormID      string   `json:"f,omitempty"`
	Channel     string   `json:"c,omitempty"`
	ResponseURL string   `json:"r,omitempty"`
	Thread      string   `json:"t,omitempty"`
	Required    []string `json:"q,omitempty"`
	Locale      string   `json:"l,omitempty"`
}

// errMetadataTooLong means a form's routing data cannot fit in a modal.
var errMetadataTooLong = errors.New("form metadata exceeds 3000 characters")

// encode marshals m, dropping the response_url if that is what it takes to fit (the answer
// then goes to the channel or to a DM instead).
func (m formMeta) encode() (string, error) {
	for {
		b, err := json.Marshal(m)
		if err != nil {
			return "", fmt.Errorf("encode form metadata: %w", err)
		}
		if len(b) <= maxMetadata {
			return string(b), nil
		}
		if m.ResponseURL == "" {
			return "", errMetadataTooLong
		}
		m.ResponseURL = ""
	}
}

// decodeFormMeta reads the private_metadata of one of our modals.
func decodeFormMeta(s string) (formMeta, error) {
	var m formMeta
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return m, fmt.Errorf("decode form metadata: %w", err)
	}
	if m.Submit == "" {
		return m, errors.New("decode form metadata: no command to submit")
	}
	return m, nil
}

// renderModal turns a form into a modal: an intro section, then one input block per field,
// with block_id and action_id both the field's name so that the submission maps back.
func renderModal(f *bot.Form, intro, meta, locale string) slack.ModalViewRequest {
	var blocks []slack.Block
	if intro = strings.TrimSpace(intro); intro != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(fit(escapeMrkdwn(intro), maxSectionText)), nil, nil))
	}
	for _, field := range f.Fields {
		if len(blocks) == maxModalBlocks {
			break
		}
		var hint *slack.TextBlockObject
		if field.Hint != "" {
			hint = plain(fit(field.Hint, maxInputLabel))
		}
		label := field.Label
		if label == "" {
			label = field.Name
		}
		in := slack.NewInputBlock(field.Name, plain(fit(label, maxInputLabel)), hint, inputElement(field))
		in.Optional = !field.Required
		blocks = append(blocks, in)
	}
	title := f.Title
	if strings.TrimSpace(title) == "" {
		title = "Cantieri"
	}
	submit := f.SubmitLabel
	if submit == "" {
		submit = i18n.T(locale, "form.save")
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(fit(title, maxModalTitle)),
		Submit:          plain(fit(submit, maxModalTitle)),
		Close:           plain(fit(i18n.T(locale, "form.cancel"), maxModalTitle)),
		Blocks:          slack.Blocks{BlockSet: blocks},
		CallbackID:      callbackPrefix + f.ID,
		PrivateMetadata: meta,
	}
}

// inputElement picks the Block Kit element for a field kind.
func inputElement(f bot.FormField) slack.BlockElement {
	switch f.Kind {
	case bot.FieldSelect:
		if len(f.Options) > 0 {
			var initial *slack.OptionBlockObject
			opts := make([]*slack.OptionBlockObject, 0, min(len(f.Options), maxSelectOptions))
			for _, o := range f.Options[:min(len(f.Options), maxSelectOptions)] {
				label := o.Label
				if label == "" {
					label = o.Value
				}
				opt := slack.NewOptionBlockObject(fit(o.Value, maxOptionValue), plain(fit(label, maxOptionText)), nil)
				if o.Value == f.Value && initial == nil {
					initial = opt
				}
				opts = append(opts, opt)
			}
			sel := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, nil, f.Name, opts...)
			sel.InitialOption = initial
			return sel
		}
	case bot.FieldNumber:
		// Decimals are allowed: the core validates the range and kind of number it needs.
		n := slack.NewNumberInputBlockElement(nil, f.Name, true)
		if _, err := strconv.ParseFloat(strings.TrimSpace(f.Value), 64); err == nil {
			n.InitialValue = strings.TrimSpace(f.Value)
		}
		return n
	}
	max := f.MaxLength
	if max <= 0 || max > maxInputLength {
		max = maxInputLength
	}
	in := slack.NewPlainTextInputBlockElement(nil, f.Name)
	in.MaxLength = max
	in.Multiline = f.Kind == bot.FieldTextArea
	if f.Value != "" {
		in.InitialValue = fit(f.Value, max)
	}
	return in
}

// formValues reads a submitted modal's values by field name (the action_id).
func formValues(state *slack.ViewState) map[string]string {
	values := map[string]string{}
	if state == nil {
		return values
	}
	for _, actions := range state.Values {
		for name, a := range actions {
			switch a.Type {
			case slack.ActionType(slack.OptTypeStatic):
				values[name] = a.SelectedOption.Value
			default:
				values[name] = a.Value
			}
		}
	}
	return values
}

// formErrors reports the required fields left blank (Slack only checks that something was
// typed; spaces pass its check), keyed by block_id as response_action "errors" needs.
func formErrors(values map[string]string, required []string, locale string) map[string]string {
	errs := map[string]string{}
	for _, name := range required {
		if strings.TrimSpace(values[name]) == "" {
			errs[name] = i18n.T(locale, "form.required")
		}
	}
	return errs
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, true, false)
}

func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// keepToken matches what may stay unescaped in our output: user mentions and channel links,
// public (<#C…>) or private (<#G…>, as the bot writes a private project channel). A channel
// link notifies nobody. Anything else in angle brackets (<!channel>, <!here>, <!subteam^…>,
// links) is escaped, so that text a user typed into a profile cannot ping a whole channel when
// it is shown.
var keepToken = regexp.MustCompile(`<(?:@[UW]|#[CG])[A-Z0-9]+(?:\|[^<>]*)?>`)

// escapeMrkdwn escapes &, < and > as Slack requires in text, keeping user and channel mentions.
func escapeMrkdwn(s string) string {
	if !strings.ContainsAny(s, "&<>") {
		return s
	}
	esc := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	var b strings.Builder
	last := 0
	for _, m := range keepToken.FindAllStringIndex(s, -1) {
		b.WriteString(esc.Replace(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(esc.Replace(s[last:]))
	return b.String()
}

// unescapeSlack undoes the escaping Slack applies to message text, so that the core sees
// what the user typed ("R&S", "a<b"). Mentions stay as Slack wrote them.
func unescapeSlack(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(s)
}

// Slack counts the length of text in UTF-16 code units: an emoji outside the Basic
// Multilingual Plane counts two. The cuts below count the same way, and never split a
// surrogate pair (they cut between runes) nor, where it is easy to see, a grapheme: a cut is
// moved back before a combining mark, a variation selector, a skin tone or a zero-width joiner
// that belongs to the character before it.

// utf16Len is the length of s as Slack counts it.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// extendsPrevious reports whether r belongs to the character before it.
func extendsPrevious(r rune) bool {
	return unicode.In(r, unicode.Mn, unicode.Me) || r == '\u200d' || (r >= 0xfe00 && r <= 0xfe0f) ||
		(r >= 0x1f3fb && r <= 0x1f3ff) || (r >= 0xe0020 && r <= 0xe007f)
}

// runesWithin returns how many of r's leading runes fit in n UTF-16 units, ending at a
// character boundary when one is in reach.
func runesWithin(r []rune, n int) int {
	k, units := 0, 0
	for k < len(r) && units+utf16.RuneLen(r[k]) <= n {
		units += utf16.RuneLen(r[k])
		k++
	}
	for j := k; j > 0 && j < len(r); j-- {
		if !extendsPrevious(r[j]) && r[j-1] != '\u200d' {
			return j
		}
	}
	return k
}

// fit shortens s to at most n UTF-16 units, ending with "…" when cut, and never inside an
// escape sequence such as "&amp;" or a character.
func fit(s string, n int) string {
	if utf16Len(s) <= n {
		return s
	}
	r := []rune(s)
	return string(trimPartialEntity(r[:runesWithin(r, n-1)])) + "…"
}

// splitText cuts s into chunks of at most n UTF-16 units, preferring line breaks, then
// spaces, so that long text reads naturally across sections.
func splitText(s string, n int) []string {
	s = strings.TrimSpace(s)
	var out []string
	for s != "" {
		if utf16Len(s) <= n {
			out = append(out, s)
			break
		}
		r := []rune(s)
		limit := runesWithin(r, n)
		cut, skip := limit, 0
		if i := lastIndexRune(r[:min(limit+1, len(r))], '\n'); i > limit/2 {
			cut, skip = i, 1
		} else if i := lastIndexRune(r[:min(limit+1, len(r))], ' '); i > limit/2 {
			cut, skip = i, 1
		} else {
			cut = len(trimPartialEntity(r[:limit]))
		}
		if chunk := strings.TrimSpace(string(r[:cut])); chunk != "" {
			out = append(out, chunk)
		}
		s = strings.TrimSpace(string(r[cut+skip:]))
	}
	return out
}

func lastIndexRune(r []rune, c rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == c {
			return i
		}
	}
	return -1
}

// trimPartialEntity drops a trailing, unfinished "&…" (at most "&amp" long) left by a cut.
func trimPartialEntity(r []rune) []rune {
	for i := len(r) - 1; i >= 0 && i >= len(r)-4; i-- {
		if r[i] == ';' {
			return r
		}
		if r[i] == '&' {
			return r[:i]
		}
	}
	return r
}
