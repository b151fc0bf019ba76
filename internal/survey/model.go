// Package survey is the pure model of evaluation feedback: survey templates (their questions in
// Italian and English), the YAML file format HR uses to manage them, validation of templates and
// of answers, and aggregation with the k rule. It does no I/O: the store (internal/postgres)
// keeps templates, instances, invitations and answers, and the anonymity design lives there.
package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// Kind is a question's kind.
type Kind string

// Question kinds.
const (
	// KindLikert is a 1–5 scale with labelled ends.
	KindLikert Kind = "likert"
	// KindYesNo is yes or no.
	KindYesNo Kind = "yesno"
	// KindChoice is one of the question's options.
	KindChoice Kind = "choice"
	// KindText is a short free text of at most MaxLength characters.
	KindText Kind = "text"
)

// Kinds lists the question kinds, in the order the documentation gives them.
var Kinds = []Kind{KindLikert, KindYesNo, KindChoice, KindText}

// Purpose says what a template is for: the triggers pick the template of their purpose.
type Purpose string

// Purposes.
const (
	PurposeMeeting       Purpose = "meeting"        // after an exchange meeting
	PurposeMilestone     Purpose = "milestone"      // a project enters monitoraggio (team)
	PurposeCloseInternal Purpose = "close-internal" // a project closes (team)
	PurposeCloseExternal Purpose = "close-external" // a project closes (external evaluators)
	PurposePulse         Purpose = "pulse"          // the monthly pulse to every active employee
	PurposeOther         Purpose = "other"          // sent by hand
)

// Purposes lists the purposes.
var Purposes = []Purpose{PurposeMeeting, PurposeMilestone, PurposeCloseInternal, PurposeCloseExternal, PurposePulse, PurposeOther}

// Limits of a template (checked at import) and of an answer (checked before it is stored).
// They follow Slack's modal limits, so that every template can be shown as a modal: at most 10
// radio options, option labels of at most 75 characters, labels of at most 2,000.
const (
	MaxKeyLen       = 40
	MaxTitleLen     = 150
	MaxQuestions    = 20
	MaxQuestionText = 500
	// MaxLabelLen bounds a Likert end's label and an option's text (a Slack option's text).
	MaxLabelLen = 75
	MinOptions  = 2
	MaxOptions  = 10
	// MaxTextLength is the longest a free-text answer may be allowed to be; DefaultTextLength is
	// what a text question allows when its file says nothing.
	MaxTextLength     = 1000
	DefaultTextLength = 500
	MinTextLength     = 10
	// LikertMin and LikertMax are the scale's ends.
	LikertMin = 1
	LikertMax = 5
	// MinRespondents is the floor of k: no setting may show anything about fewer than three
	// people. DefaultMinRespondents is k unless configured (SURVEY_MIN_RESPONDENTS).
	MinRespondents        = 3
	DefaultMinRespondents = 5
	MaxMinRespondents     = 50
)

// Text is a sentence in Italian and English.
type Text struct {
	IT string `json:"it"`
	EN string `json:"en"`
}

// In returns the text in locale (Italian unless English is asked for and present).
func (t Text) In(locale string) string {
	if locale == i18n.EN && t.EN != "" {
		return t.EN
	}
	return t.IT
}

// Option is one answer of a choice question.
type Option struct {
	Key  string `json:"key"`
	Text Text   `json:"text"`
}

// Question is one question of a template.
type Question struct {
	Key      string `json:"key"`
	Kind     Kind   `json:"kind"`
	Text     Text   `json:"text"`
	Required bool   `json:"required"`
	// Low and High label the ends of a Likert scale (1 and 5).
	Low  Text `json:"low,omitzero"`
	High Text `json:"high,omitzero"`
	// Options are a choice question's answers.
	Options []Option `json:"options,omitempty"`
	// MaxLength bounds a text answer, in characters.
	MaxLength int `json:"max_length,omitempty"`
}

// Option returns the option with key k.
func (q Question) Option(k string) (Option, bool) {
	for _, o := range q.Options {
		if o.Key == k {
			return o, true
		}
	}
	return Option{}, false
}

// Template is one version of a survey: what is asked, in both languages.
type Template struct {
	Key       string     `json:"key"`
	Purpose   Purpose    `json:"purpose"`
	Title     Text       `json:"title"`
	Questions []Question `json:"questions"`
}

// Question returns the question with key k.
func (t Template) Question(k string) (Question, bool) {
	for _, q := range t.Questions {
		if q.Key == k {
			return q, true
		}
	}
	return Question{}, false
}

// Digest identifies a template's content: importing a file whose template has the digest of
// its latest version changes nothing; any other content makes a new version.
func (t Template) Digest() string {
	b, err := json.Marshal(t)
	if err != nil {
		panic("survey: marshal template: " + err.Error()) // plain structs: cannot fail
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
