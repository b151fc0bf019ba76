package survey

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// Value is the answer to one question: N for a Likert (1–5) or yes/no (1 yes, 0 no) question,
// S for a choice (the option's key) or a text question.
type Value struct {
	N int    `json:"n,omitempty"`
	S string `json:"s,omitempty"`
}

// Response is one person's answers to one instance, by question key; an unanswered optional
// question is absent. It carries nothing about who gave it.
type Response map[string]Value

// Yes and No are a yes/no question's values.
const (
	No  = 0
	Yes = 1
)

// AnswerProblem is one thing wrong with a response: the question and why (a code that
// i18n renders as "survey.answer.<code>").
type AnswerProblem struct {
	Question string
	Code     string
	// Max is the length limit for Code "too_long".
	Max int
}

// Answer problem codes.
const (
	AnswerMissing     = "missing"
	AnswerOutOfRange  = "out_of_range"
	AnswerUnknownOpt  = "unknown_option"
	AnswerTooLong     = "too_long"
	AnswerBadText     = "bad_text"
	AnswerUnknownQues = "unknown_question"
)

// CleanText trims a free-text answer and folds Windows line ends; an answer that is only blanks
// is no answer.
func CleanText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// Validate checks r against t: every required question answered, values in range, options
// known, texts within their length and free of control characters other than new lines and
// tabs. It returns every problem, in the template's question order (unknown questions last).
func Validate(t Template, r Response) []AnswerProblem {
	var out []AnswerProblem
	for _, q := range t.Questions {
		v, ok := r[q.Key]
		if q.Kind == KindText && ok && CleanText(v.S) == "" {
			ok = false
		}
		if !ok {
			if q.Required {
				out = append(out, AnswerProblem{Question: q.Key, Code: AnswerMissing})
			}
			continue
		}
		switch q.Kind {
		case KindLikert:
			if v.N < LikertMin || v.N > LikertMax || v.S != "" {
				out = append(out, AnswerProblem{Question: q.Key, Code: AnswerOutOfRange})
			}
		case KindYesNo:
			if (v.N != Yes && v.N != No) || v.S != "" {
				out = append(out, AnswerProblem{Question: q.Key, Code: AnswerOutOfRange})
			}
		case KindChoice:
			if _, known := q.Option(v.S); !known || v.N != 0 {
				out = append(out, AnswerProblem{Question: q.Key, Code: AnswerUnknownOpt})
			}
		case KindText:
			s := CleanText(v.S)
			switch {
			case v.N != 0 || !utf8.ValidString(s) || strings.ContainsFunc(s, badTextRune):
				out = append(out, AnswerProblem{Question: q.Key, Code: AnswerBadText})
			case utf8.RuneCountInString(s) > q.MaxLength:
				out = append(out, AnswerProblem{Question: q.Key, Code: AnswerTooLong, Max: q.MaxLength})
			}
		}
	}
	for k := range r {
		if _, ok := t.Question(k); !ok {
			out = append(out, AnswerProblem{Question: k, Code: AnswerUnknownQues})
		}
	}
	return out
}

// Normalize returns r as it is stored: texts cleaned, blank optional texts dropped. Call it
// after Validate found nothing.
func Normalize(t Template, r Response) Response {
	out := make(Response, len(r))
	for _, q := range t.Questions {
		v, ok := r[q.Key]
		if !ok {
			continue
		}
		if q.Kind == KindText {
			if v.S = CleanText(v.S); v.S == "" {
				continue
			}
		}
		out[q.Key] = v
	}
	return out
}

func badTextRune(r rune) bool {
	return unicode.IsControl(r) && r != '\n' && r != '\t'
}

// MaxEncodedSize bounds the JSON encoding of any valid response to t (HTML escaping off): the
// store pads every sealed pending answer of an instance to this one size, so that a ciphertext's
// length says nothing about how much someone wrote.
func MaxEncodedSize(t Template) int {
	n := 64
	for _, q := range t.Questions {
		// "key":{"n":N,"s":"…"}, with room for the longest option key; a text's rune is at
		// most 4 bytes in UTF-8, and its escapes (\n, \t, \", \\) take 2.
		n += len(q.Key) + 32 + MaxKeyLen
		if q.Kind == KindText {
			n += 4 * q.MaxLength
		}
	}
	return n
}

// Text renders p in locale, naming the question by its text in t.
func (p AnswerProblem) Text(locale string, t Template) string {
	name := p.Question
	if q, ok := t.Question(p.Question); ok {
		name = q.Text.In(locale)
	}
	return i18n.T(locale, "survey.answer."+p.Code, "question", name, "max", p.Max)
}

// Errors of answering, for the core to turn into replies.
var (
	// ErrNotInvited: the person was not invited to this instance (or it does not exist).
	ErrNotInvited = errors.New("survey: not invited")
	// ErrAlreadyAnswered: a second submission; the first is kept.
	ErrAlreadyAnswered = errors.New("survey: already answered")
	// ErrClosed: the instance is closed; late answers are not taken.
	ErrClosed = errors.New("survey: closed")
)

// InvalidError is a response that does not fit its template: every problem.
type InvalidError struct{ Problems []AnswerProblem }

func (e *InvalidError) Error() string {
	return fmt.Sprintf("survey: invalid response (%d problems, first %s: %s)", len(e.Problems), e.Problems[0].Question, e.Problems[0].Code)
}
