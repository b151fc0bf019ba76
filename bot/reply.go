package bot

import (
	"strings"
)

// Reply is what a handler answers: neutral data that every transport renders in its own way
// (Block Kit and modals in Slack, plain text and field-by-field prompts in the console).
// Every Reply has a plain-text form (see PlainText), which Slack needs for notifications and
// screen readers and which the console prints.
type Reply struct {
	// Title is an optional heading.
	Title string
	// Text is the main message, in a small markdown subset (*bold*, _italic_, `code`).
	Text string
	// Sections follow the text, each with an optional title, text and label/value fields.
	Sections []Section
	// Choices are buttons in Slack and numbered options in the console. Choosing one runs
	// its Command as if the user had typed it.
	Choices []Choice
	// Form asks for several fields at once: a modal in Slack, prompts in the console.
	Form *Form
	// Image is an optional picture (PNG), uploaded to Slack and saved to a file in the console.
	Image *Image
	// File is an optional document (a data export, a CSV), uploaded to Slack privately to the
	// caller and written to a file in the console.
	File *File
	// Public asks the transport to show the reply to the whole channel rather than only to
	// the caller. Replies are private (ephemeral) by default.
	Public bool
	// Private marks a reply that carries something meant only for its reader (a decline
	// reason, one's own invitations and answers, "never with", profile details, an export).
	// Transports never show it to others: asked in a channel (a mention's thread), it is
	// answered ephemerally or by direct message, and Private overrides Public.
	Private bool
	// IsError marks a reply that explains a failure (for styling and metrics only).
	IsError bool
	// Locale is the language the reply is written in, set by Bot.Handle, so that transports
	// write their own words (buttons, prompts) in the same language.
	Locale string
}

// Section is a block of a reply.
type Section struct {
	Title  string
	Text   string
	Fields []Field
}

// Field is a label and its value, shown side by side where the transport can.
type Field struct {
	Label string
	Value string
}

// ChoiceStyle hints how prominent a choice is.
type ChoiceStyle string

// Choice styles.
const (
	StyleDefault ChoiceStyle = ""
	StylePrimary ChoiceStyle = "primary"
	StyleDanger  ChoiceStyle = "danger"
)

// Choice is a button: choosing it runs Command (text after /cantieri) on behalf of the user.
type Choice struct {
	Label   string
	Command string
	Style   ChoiceStyle
}

// FieldKind is the kind of input a form field takes.
type FieldKind string

// Form field kinds.
const (
	FieldText     FieldKind = "text"
	FieldTextArea FieldKind = "textarea"
	FieldSelect   FieldKind = "select"
	FieldNumber   FieldKind = "number"
)

// Form asks the user for several values. When submitted, the transport runs Submit (a command
// text) with the entered values in Request.Values.
type Form struct {
	// ID identifies the form (used by transports to route the submission).
	ID          string
	Title       string
	SubmitLabel string
	// Submit is the command text to run with the values.
	Submit string
	Fields []FormField
}

// FormField is one input of a form.
type FormField struct {
	// Name is the key under which the value is submitted (same as the key=value argument).
	Name     string
	Label    string
	Hint     string
	Kind     FieldKind
	Value    string
	Required bool
	Options  []Option
	// MaxLength bounds the text the field accepts (0 means the transport's default).
	MaxLength int
}

// Option is one value of a select field.
type Option struct {
	Value string
	Label string
}

// Image is a PNG picture with its text alternative.
type Image struct {
	Name    string
	Title   string
	AltText string
	PNG     []byte
}

// File is a document attached to a reply.
type File struct {
	Name        string
	Title       string
	ContentType string
	Data        []byte
}

// PlainText renders the reply as plain text: title, text, sections with fields as
// "label: value" lines. Choices and forms are left to the transport, which knows how they
// can be answered.
func (r Reply) PlainText() string {
	var b strings.Builder
	line := func(s string) {
		if s == "" {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s)
	}
	line(r.Title)
	line(r.Text)
	for _, s := range r.Sections {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		line(s.Title)
		line(s.Text)
		for _, f := range s.Fields {
			line(f.Label + ": " + f.Value)
		}
	}
	if r.Image != nil {
		line("[" + r.Image.AltText + "]")
	}
	if r.File != nil {
		line("[" + r.File.Title + "]")
	}
	return b.String()
}
