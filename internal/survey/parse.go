package survey

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// Problem is one thing wrong in a templates file: where (line, and the field's path such as
// surveys[1].questions[2].text.en) and why (a code that i18n renders as "survey.error.<code>",
// with the offending value).
type Problem struct {
	Line  int
	Field string
	Code  string
	Value string
}

// Problem codes of a templates file.
const (
	ErrEmptyFile        = "empty_file"
	ErrBadYAML          = "bad_yaml"
	ErrWantMapping      = "want_mapping"
	ErrWantList         = "want_list"
	ErrWantText         = "want_text"
	ErrWantBool         = "want_bool"
	ErrWantNumber       = "want_number"
	ErrUnknownField     = "unknown_field"
	ErrDuplicateField   = "duplicate_field"
	ErrMissingField     = "missing_field"
	ErrBadKey           = "bad_key"
	ErrDuplicateKey     = "duplicate_key"
	ErrBadKind          = "bad_kind"
	ErrBadPurpose       = "bad_purpose"
	ErrTooLong          = "too_long"
	ErrNoQuestions      = "no_questions"
	ErrTooManyQuestions = "too_many_questions"
	ErrOptionsCount     = "options_count"
	ErrNotForKind       = "not_for_kind"
	ErrBadLength        = "bad_length"
)

// Text renders p in locale.
func (p Problem) Text(locale string) string {
	return i18n.T(locale, "survey.error."+p.Code, "line", p.Line, "field", p.Field, "value", p.Value)
}

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// Parse reads a templates file (the format is in docs/surveys.md) and validates every template
// in it. It returns the templates only when there is no problem at all; otherwise every problem
// it found, in file order, so that HR can fix the whole file in one go.
func Parse(data []byte) ([]Template, []Problem) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, []Problem{yamlProblem(err)}
	}
	if len(doc.Content) == 0 {
		return nil, []Problem{{Line: 1, Code: ErrEmptyFile}}
	}
	p := &parser{}
	root := p.mapping(doc.Content[0], "", []string{"surveys"}, []string{"surveys"})
	var out []Template
	if list := root["surveys"]; list != nil {
		items := p.list(list, "surveys")
		seen := map[string]int{}
		for i, n := range items {
			t := p.template(n, fmt.Sprintf("surveys[%d]", i+1))
			if t.Key != "" {
				if _, dup := seen[t.Key]; dup {
					p.add(n, fmt.Sprintf("surveys[%d].key", i+1), ErrDuplicateKey, t.Key)
				}
				seen[t.Key] = i
			}
			out = append(out, t)
		}
		if len(items) == 0 && list.Kind == yaml.SequenceNode {
			p.add(list, "surveys", ErrMissingField, "surveys")
		}
	}
	if len(p.problems) > 0 {
		slices.SortStableFunc(p.problems, func(a, b Problem) int { return a.Line - b.Line })
		return nil, p.problems
	}
	return out, nil
}

// yamlProblem turns a YAML syntax error into a problem with its line ("yaml: line 7: …").
func yamlProblem(err error) Problem {
	msg := err.Error()
	line := 1
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		if _, rest, ok := strings.Cut(msg, "line "); ok {
			if n, _, ok := strings.Cut(rest, ":"); ok {
				if v, err := strconv.Atoi(n); err == nil {
					line = v
				}
			}
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
		msg = rest
	}
	return Problem{Line: line, Code: ErrBadYAML, Value: msg}
}

type parser struct{ problems []Problem }

// deref follows an alias (*name) to its anchor (&name), so that a file may share a list of
// options between questions.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func (p *parser) add(n *yaml.Node, field, code, value string) {
	p.problems = append(p.problems, Problem{Line: n.Line, Field: field, Code: code, Value: value})
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

// mapping reads n as a mapping with the allowed fields, reporting unknown, repeated and missing
// (required) ones. It returns the values by field.
func (p *parser) mapping(n *yaml.Node, path string, allowed, required []string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		p.add(n, path, ErrWantMapping, n.Value)
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := k.Value
		switch {
		case !slices.Contains(allowed, name):
			p.add(k, join(path, name), ErrUnknownField, name)
		case out[name] != nil:
			p.add(k, join(path, name), ErrDuplicateField, name)
		default:
			out[name] = v
		}
	}
	for _, r := range required {
		if out[r] == nil {
			p.add(n, join(path, r), ErrMissingField, r)
		}
	}
	return out
}

func (p *parser) list(n *yaml.Node, path string) []*yaml.Node {
	n = deref(n)
	if n.Kind != yaml.SequenceNode {
		p.add(n, path, ErrWantList, n.Value)
		return nil
	}
	return n.Content
}

// text reads a scalar string of 1..max characters.
func (p *parser) text(n *yaml.Node, path string, max int) string {
	if n = deref(n); n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!int" && n.Tag != "!!float") {
		p.add(n, path, ErrWantText, n.Value)
		return ""
	}
	s := strings.TrimSpace(n.Value)
	if s == "" {
		p.add(n, path, ErrMissingField, path)
		return ""
	}
	if utf8.RuneCountInString(s) > max {
		p.add(n, path, ErrTooLong, strconv.Itoa(max))
	}
	return s
}

func (p *parser) key(n *yaml.Node, path string) string {
	if n == nil {
		return ""
	}
	s := p.text(n, path, MaxKeyLen)
	if s != "" && !keyPattern.MatchString(s) {
		p.add(n, path, ErrBadKey, s)
	}
	return s
}

// bilingual reads {it: …, en: …}, both required.
func (p *parser) bilingual(n *yaml.Node, path string, max int) Text {
	if n == nil {
		return Text{}
	}
	m := p.mapping(n, path, []string{"it", "en"}, []string{"it", "en"})
	return Text{IT: p.text(m["it"], join(path, "it"), max), EN: p.text(m["en"], join(path, "en"), max)}
}

func (p *parser) template(n *yaml.Node, path string) Template {
	m := p.mapping(n, path, []string{"key", "purpose", "title", "questions"}, []string{"key", "purpose", "title", "questions"})
	t := Template{
		Key:   p.key(m["key"], join(path, "key")),
		Title: p.bilingual(m["title"], join(path, "title"), MaxTitleLen),
	}
	if v := m["purpose"]; v != nil {
		s := p.text(v, join(path, "purpose"), MaxKeyLen)
		if s != "" && !slices.Contains(Purposes, Purpose(s)) {
			p.add(v, join(path, "purpose"), ErrBadPurpose, s)
		}
		t.Purpose = Purpose(s)
	}
	if v := m["questions"]; v != nil {
		qs := p.list(v, join(path, "questions"))
		switch {
		case len(qs) == 0 && deref(v).Kind == yaml.SequenceNode:
			p.add(v, join(path, "questions"), ErrNoQuestions, "")
		case len(qs) > MaxQuestions:
			p.add(v, join(path, "questions"), ErrTooManyQuestions, strconv.Itoa(MaxQuestions))
		}
		seen := map[string]bool{}
		for i, qn := range qs {
			qp := fmt.Sprintf("%s.questions[%d]", path, i+1)
			q := p.question(qn, qp)
			if q.Key != "" && seen[q.Key] {
				p.add(qn, join(qp, "key"), ErrDuplicateKey, q.Key)
			}
			seen[q.Key] = true
			t.Questions = append(t.Questions, q)
		}
	}
	return t
}

func (p *parser) question(n *yaml.Node, path string) Question {
	m := p.mapping(n, path, []string{"key", "kind", "text", "required", "low", "high", "options", "max_length"},
		[]string{"key", "kind", "text"})
	q := Question{
		Key:  p.key(m["key"], join(path, "key")),
		Text: p.bilingual(m["text"], join(path, "text"), MaxQuestionText),
	}
	if v := m["kind"]; v != nil {
		s := p.text(v, join(path, "kind"), MaxKeyLen)
		if s != "" && !slices.Contains(Kinds, Kind(s)) {
			p.add(v, join(path, "kind"), ErrBadKind, s)
		}
		q.Kind = Kind(s)
	}
	if v := m["required"]; v != nil {
		var b bool
		if v.Kind != yaml.ScalarNode || v.Tag != "!!bool" || v.Decode(&b) != nil {
			p.add(v, join(path, "required"), ErrWantBool, v.Value)
		}
		q.Required = b
	}
	// Fields that belong to one kind only are refused on the others, so that a misplaced
	// field is caught rather than silently ignored.
	only := func(field string, kind Kind) *yaml.Node {
		v := m[field]
		if v != nil && q.Kind != kind && slices.Contains(Kinds, q.Kind) {
			p.add(v, join(path, field), ErrNotForKind, string(q.Kind))
			return nil
		}
		return v
	}
	if q.Kind == KindLikert {
		for _, f := range []string{"low", "high"} {
			if m[f] == nil {
				p.add(n, join(path, f), ErrMissingField, f)
			}
		}
	}
	q.Low = p.bilingual(only("low", KindLikert), join(path, "low"), MaxLabelLen)
	q.High = p.bilingual(only("high", KindLikert), join(path, "high"), MaxLabelLen)
	if v := only("options", KindChoice); v != nil {
		opts := p.list(v, join(path, "options"))
		if deref(v).Kind == yaml.SequenceNode && (len(opts) < MinOptions || len(opts) > MaxOptions) {
			p.add(v, join(path, "options"), ErrOptionsCount, strconv.Itoa(len(opts)))
		}
		seen := map[string]bool{}
		for i, on := range opts {
			op := fmt.Sprintf("%s.options[%d]", path, i+1)
			om := p.mapping(on, op, []string{"key", "text"}, []string{"key", "text"})
			o := Option{Key: p.key(om["key"], join(op, "key")), Text: p.bilingual(om["text"], join(op, "text"), MaxLabelLen)}
			if o.Key != "" && seen[o.Key] {
				p.add(on, join(op, "key"), ErrDuplicateKey, o.Key)
			}
			seen[o.Key] = true
			q.Options = append(q.Options, o)
		}
	} else if q.Kind == KindChoice {
		p.add(n, join(path, "options"), ErrMissingField, "options")
	}
	if q.Kind == KindText {
		q.MaxLength = DefaultTextLength
	}
	if v := only("max_length", KindText); v != nil {
		n, err := strconv.Atoi(v.Value)
		switch {
		case v.Kind != yaml.ScalarNode || v.Tag != "!!int" || err != nil:
			p.add(v, join(path, "max_length"), ErrWantNumber, v.Value)
		case n < MinTextLength || n > MaxTextLength:
			p.add(v, join(path, "max_length"), ErrBadLength, v.Value)
		default:
			q.MaxLength = n
		}
	}
	return q
}
