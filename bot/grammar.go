package bot

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hbollon/go-edlib"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// The command grammar is declared once, in each Command's Subs: sub-command words, positional
// parameters and key=value fields, each named in Italian and English, with its kind, limits and
// help. From that one declaration the core derives the parser (both languages' words accepted
// whatever the reader's locale, a field given twice refused, an unknown word answered with a
// suggestion), the help, the forms (Slack modals, console prompts) and the translation of
// command texts shown to a reader (examples, buttons) into the reader's language. Handlers
// then see canonical (Italian) words and keys only.

// Words names a sub-command, a field or a value in both languages. IT is canonical: it is what
// handlers see after parsing. Also lists further spellings accepted on input (accents, old
// synonyms), never shown.
type Words struct {
	IT   string
	EN   string
	Also []string
}

// W builds Words from the Italian and English words and further accepted spellings.
func W(it, en string, also ...string) Words { return Words{IT: it, EN: en, Also: also} }

// In returns the word in locale (Italian when the English one is missing).
func (w Words) In(locale string) string {
	if locale == i18n.EN && w.EN != "" {
		return w.EN
	}
	return w.IT
}

// Match reports whether s names w in any language or spelling.
func (w Words) Match(s string) bool {
	for _, x := range w.all() {
		if strings.EqualFold(s, x) {
			return true
		}
	}
	return false
}

func (w Words) all() []string {
	out := make([]string, 0, 2+len(w.Also))
	for _, x := range append([]string{w.IT, w.EN}, w.Also...) {
		if x != "" {
			out = append(out, x)
		}
	}
	return out
}

// ParamKind is the kind of value a parameter takes; it decides how the value is checked, how a
// form asks for it and how the help describes it.
type ParamKind int

// Parameter kinds.
const (
	// KindText is free text, bounded by MaxLen characters.
	KindText ParamKind = iota
	// KindWord is one word (a code, a command name), bounded by MaxLen.
	KindWord
	// KindInt is a whole number within Min..Max.
	KindInt
	// KindNumber is a decimal number (comma or point); the handler reads it.
	KindNumber
	// KindID is a positive id; "#12" is accepted for 12.
	KindID
	// KindPerson is a Slack mention, an @handle or an e-mail address.
	KindPerson
	// KindChoice is one of Values, in either language; handlers see the Italian word.
	KindChoice
	// KindBool is sì/no (yes/no); handlers see "sì" or "no".
	KindBool
	// KindDate is a date, read by the handler (YYYY-MM-DD or DD/MM/YYYY).
	KindDate
	// KindList is a comma-separated list, read by the handler.
	KindList
	// KindCommand is a command's word (in either language).
	KindCommand
	// KindSub is a sub-command word of the command named by the KindCommand before it.
	KindSub
)

// Param is a positional parameter or a key=value field of a sub-command.
type Param struct {
	// Name is the key of a field (nome/name), or the placeholder shown for a positional
	// parameter (ID, N, @persona/@person).
	Name     Words
	Kind     ParamKind
	Required bool
	// FormRequired makes a form insist on the field even where a typed command may leave it
	// out (a profile edit changes only what is typed, but its form must keep a name).
	FormRequired bool
	// Min and Max bound a KindInt value.
	Min, Max int
	// MaxLen bounds text, in characters (0: no bound beyond the command's own).
	MaxLen int
	// Values are the accepted values of a KindChoice.
	Values []Words
	// ValueLabel, when set, is the catalogue key prefix of the values' labels in forms
	// ("locale." gives "locale.it"); otherwise the value's word is its label.
	ValueLabel string
	// Label and Hint are catalogue keys: the form's label and help line.
	Label, Hint string
	// Multiline asks forms for a text area.
	Multiline bool
	// Rest makes the last positional parameter take every remaining word.
	Rest bool
	// Invalid, TooLong and Missing are optional catalogue keys for a message that explains
	// this parameter better than the generic one (filled with value, min, max, field and
	// question, the text of About).
	Invalid, TooLong, Missing string
	// About is a catalogue key naming what the parameter is about, for those messages.
	About string
}

// Sub is one form of a command: a sub-command word (empty for the command's own form), the
// positional parameters that follow it, and its fields.
type Sub struct {
	// Words is the sub-command word; empty Words is the command's own form ("profilo").
	Words Words
	// OnID puts the sub-command after an id: "progetto 12 fase". With empty Words it is the
	// form "progetto 12".
	OnID bool
	// Args are the positional parameters after the sub-command word.
	Args []Param
	// Fields are the key=value fields the sub-command accepts.
	Fields []Param
	// AnyField, when set, stands for fields whose keys are known only when the command runs
	// (a survey's questions, which differ from one template to another): any key that is not
	// one of Fields is accepted, lower-cased, with its value trimmed and unchecked, for the
	// handler to check against what it loads (and to answer an unknown key with a suggestion,
	// see SuggestKey). Its Name is the placeholder the help shows ("domanda=…").
	AnyField *Param
	// Summary is a catalogue key: one line saying what the form does.
	Summary string
	// Examples are command texts with the canonical (Italian) words; they are shown in the
	// reader's language.
	Examples []string
	// Role is the least role for this form, beyond the command's.
	Role Role
	// UnknownField is an optional catalogue key (with key) for a field this form does not
	// know, when the generic message would have to list too many.
	UnknownField string
	// Private marks a form whose replies are the reader's own business (see Command.Private).
	Private bool
	// Hidden forms (answers sent by buttons) are parsed but not listed in the help.
	Hidden  bool
	Handler HandlerFunc
}

// Parsed is what the grammar made of a command text.
type Parsed struct {
	Sub *Sub
	// ID is the id before an OnID sub-command ("progetto 12 fase" → 12), else 0.
	ID int64
	// Params holds the positional parameters by their canonical name; a Rest parameter's
	// words are joined with single spaces in Params and kept apart in Rest.
	Params map[string]string
	Rest   []string
	// Named holds the fields by canonical key, values normalised (choices in Italian).
	Named map[string]string
}

// sameWord is how close a typed word must be to a known one to be suggested: one edit for
// short words, two for longer ones. The distance counts a transposition as one edit, so "gsi"
// finds "gis".
func sameWord(typed, known string) int {
	d := edlib.OSADamerauLevenshteinDistance(strings.ToLower(typed), strings.ToLower(known))
	limit := 1
	if utf8.RuneCountInString(known) > 4 {
		limit = 2
	}
	if d > limit {
		return -1
	}
	return d
}

// suggestWord returns the candidate closest to typed within sameWord's limit, in locale.
func suggestWord(typed, locale string, candidates []Words) string {
	best, bestD := "", -1
	for _, w := range candidates {
		for _, x := range w.all() {
			if d := sameWord(typed, x); d >= 0 && (bestD < 0 || d < bestD) {
				best, bestD = w.In(locale), d
			}
		}
	}
	return best
}

// subs returns the forms of cmd visible to roles (all when roles is nil).
func (cmd *Command) visibleSubs(roles []Role) []*Sub {
	var out []*Sub
	for _, s := range cmd.Subs {
		if s.Hidden || (roles != nil && (!RoleAllows(roles, cmd.Role) || !RoleAllows(roles, s.Role))) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Word returns the command's word in locale.
func (cmd *Command) Word(locale string) string {
	if locale == i18n.EN && cmd.EN != "" {
		return cmd.EN
	}
	return cmd.Name
}

func (cmd *Command) findSub(word string, onID bool) *Sub {
	for _, s := range cmd.Subs {
		if s.OnID == onID && s.Words.IT != "" && s.Words.Match(word) {
			return s
		}
	}
	return nil
}

// matchSub finds the sub-command the first words name; a sub-command word may be several
// words ("indicatori nuovo"), the longest match wins. It returns the words it took.
func (cmd *Command) matchSub(words []string, onID bool) (*Sub, int) {
	for n := min(3, len(words)); n >= 1; n-- {
		if s := cmd.findSub(strings.Join(words[:n], " "), onID); s != nil {
			return s, n
		}
	}
	return nil, 0
}

func (cmd *Command) defaultSub(onID bool) *Sub {
	for _, s := range cmd.Subs {
		if s.OnID == onID && s.Words.IT == "" {
			return s
		}
	}
	return nil
}

func (cmd *Command) subWords(onID bool) []Words {
	var out []Words
	for _, s := range cmd.Subs {
		if s.OnID == onID && s.Words.IT != "" && !s.Hidden {
			out = append(out, s.Words)
		}
	}
	return out
}

// looksLikeID reports whether s is written as an id ("12" or "#12").
func looksLikeID(s string) (int64, bool) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	return id, err == nil && id > 0
}

// Parse matches args against cmd's declaration. Errors are user-facing and written for locale
// (the words they quote are the reader's).
func (cmd *Command) Parse(args Args, values map[string]string, locale string) (Parsed, error) {
	p := Parsed{Params: map[string]string{}, Named: map[string]string{}}
	pos := args.Positional
	var rest []string
	sub, n := cmd.matchSub(pos, false)
	switch {
	case sub != nil:
		p.Sub, rest = sub, pos[n:]
	case len(pos) > 0 && cmd.hasOnID():
		id, ok := looksLikeID(pos[0])
		if !ok {
			if d := cmd.defaultSub(false); d != nil && len(d.Args) > 0 {
				p.Sub, rest = d, pos
				break
			}
			return p, cmd.unknownSub(pos[0], false, locale)
		}
		p.ID = id
		if s, n := cmd.matchSub(pos[1:], true); s != nil {
			p.Sub, rest = s, pos[1+n:]
			break
		}
		p.Sub, rest = cmd.defaultSub(true), pos[1:]
		if p.Sub == nil || (len(rest) > 0 && len(p.Sub.Args) == 0) {
			return p, cmd.unknownSub(pos[1], true, locale)
		}
	default:
		p.Sub, rest = cmd.defaultSub(false), pos
		if p.Sub == nil {
			if d := cmd.defaultSub(true); len(pos) == 0 && d != nil {
				return p, Errorf(EINVALID, "grammar.arg_missing", "arg", "ID", "usage", "`"+SubUsage(cmd, d, locale)+"`")
			}
			if len(pos) == 0 {
				return p, Errorf(EINVALID, "grammar.sub_missing", "command", cmd.Word(locale), "subs", wordList(cmd.subWords(false), locale))
			}
			return p, cmd.unknownSub(pos[0], false, locale)
		}
		if len(rest) > 0 && len(p.Sub.Args) == 0 {
			return p, cmd.unknownSub(rest[0], false, locale)
		}
	}
	if err := p.bindArgs(cmd, rest, locale); err != nil {
		return p, err
	}
	return p, p.bindFields(cmd, args, values, locale)
}

func (cmd *Command) hasOnID() bool {
	for _, s := range cmd.Subs {
		if s.OnID {
			return true
		}
	}
	return false
}

func (cmd *Command) unknownSub(word string, onID bool, locale string) error {
	words := cmd.subWords(onID)
	if !onID && cmd.hasOnID() {
		words = append(words, W("ID", "ID"))
	}
	if s := suggestWord(word, locale, words); s != "" {
		return Errorf(EINVALID, "grammar.unknown_sub_suggest", "word", word, "command", cmd.Word(locale), "suggestion", s)
	}
	if len(words) == 0 {
		return Errorf(EINVALID, "grammar.unexpected", "word", word, "command", cmd.Word(locale))
	}
	return Errorf(EINVALID, "grammar.unknown_sub", "word", word, "command", cmd.Word(locale), "subs", wordList(words, locale))
}

func wordList(ws []Words, locale string) string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = "`" + w.In(locale) + "`"
	}
	return strings.Join(out, ", ")
}

// bindArgs gives the positional words to the sub-command's parameters, in order.
func (p *Parsed) bindArgs(cmd *Command, words []string, locale string) error {
	s := p.Sub
	usage := "`" + SubUsage(cmd, s, locale) + "`"
	i := 0
	for _, a := range s.Args {
		if i >= len(words) {
			if a.Required && a.Missing != "" {
				return Errorf(EINVALID, a.Missing, "usage", usage)
			}
			if a.Required {
				return Errorf(EINVALID, "grammar.arg_missing", "arg", a.Name.In(locale), "usage", usage)
			}
			continue
		}
		if a.Rest {
			for _, w := range words[i:] {
				if _, err := checkValue(a, w, locale); err != nil {
					return err
				}
			}
			p.Rest = append([]string(nil), words[i:]...)
			p.Params[a.Name.IT] = strings.Join(words[i:], " ")
			i = len(words)
			continue
		}
		v, err := checkValue(a, words[i], locale)
		if err != nil {
			if i == 0 && s.Words.IT == "" && !s.OnID {
				// "profilo modfica": a mistyped sub-command, not a bad parameter.
				if sug := suggestWord(words[0], locale, cmd.subWords(false)); sug != "" {
					return Errorf(EINVALID, "grammar.unknown_sub_suggest", "word", words[0], "command", cmd.Word(locale), "suggestion", sug)
				}
			}
			return err
		}
		p.Params[a.Name.IT] = v
		i++
	}
	if i < len(words) {
		return Errorf(EINVALID, "grammar.extra", "word", strings.Join(words[i:], " "), "usage", usage)
	}
	return nil
}

// bindFields maps the key=value fields, then a submitted form's values, onto the declared
// fields: a key in either language, never the same field typed twice. A form's value replaces
// the same field typed in the form's command.
func (p *Parsed) bindFields(cmd *Command, args Args, values map[string]string, locale string) error {
	s := p.Sub
	given := map[string]string{} // canonical key → the key as typed
	type kv struct{ k, v string }
	var all []kv
	for _, k := range args.AllKeys() {
		all = append(all, kv{k, args.Named[k]})
	}
	formKeys := make([]string, 0, len(values))
	for k := range values {
		formKeys = append(formKeys, k)
	}
	slices.Sort(formKeys)
	for _, k := range formKeys {
		all = append(all, kv{strings.ToLower(k), values[k]})
	}
	// Names first, so that a field given twice is said before any of its values is judged.
	fields := make([]*Param, len(all))
	for i, e := range all {
		fromForm := i >= len(all)-len(formKeys)
		f := s.field(e.k)
		if f == nil && s.AnyField != nil {
			// A key only the handler can judge. Typed twice is refused by ParseArgs; a form's
			// value comes after the typed ones and replaces them.
			p.Named[e.k] = strings.TrimSpace(e.v)
			continue
		}
		if f == nil {
			return unknownField(cmd, s, e.k, locale)
		}
		if prev, dup := given[f.Name.IT]; dup && !fromForm {
			return Errorf(EINVALID, "grammar.field_twice", "key", e.k, "other", prev, "field", f.Name.In(locale))
		}
		given[f.Name.IT] = e.k
		fields[i] = f
	}
	for i, e := range all {
		f := fields[i]
		if f == nil {
			continue // an AnyField key, kept above
		}
		if strings.TrimSpace(e.v) == "" {
			// An empty value is "not given" for an optional field (a form's empty input);
			// handlers decide whether it clears something.
			p.Named[f.Name.IT] = ""
			continue
		}
		nv, err := checkValue(*f, e.v, locale)
		if err != nil {
			return err
		}
		p.Named[f.Name.IT] = nv
	}
	return nil
}

func (s *Sub) field(key string) *Param {
	for i := range s.Fields {
		if s.Fields[i].Name.Match(key) {
			return &s.Fields[i]
		}
	}
	return nil
}

func unknownField(cmd *Command, s *Sub, key, locale string) error {
	if s.UnknownField != "" {
		return Errorf(EINVALID, s.UnknownField, "key", key, "question", key)
	}
	usage := SubUsage(cmd, s, locale)
	if len(s.Fields) == 0 {
		return Errorf(EINVALID, "grammar.no_fields", "key", key, "usage", "`"+usage+"`")
	}
	names := make([]Words, len(s.Fields))
	for i, f := range s.Fields {
		names[i] = f.Name
	}
	if sug := suggestWord(key, locale, names); sug != "" {
		return Errorf(EINVALID, "grammar.unknown_field_suggest", "key", key, "suggestion", sug, "usage", "`"+usage+"`")
	}
	return Errorf(EINVALID, "grammar.unknown_field", "key", key, "fields", wordList(names, locale), "usage", "`"+usage+"`")
}

// SuggestKey returns the key among known closest to a mistyped one (the same distance as
// every other suggestion of the grammar), or "" when none is close: for handlers of an
// AnyField sub-command, which know their keys only when they run.
func SuggestKey(typed string, known []string) string {
	ws := make([]Words, len(known))
	for i, k := range known {
		ws[i] = Words{IT: k}
	}
	return suggestWord(typed, "", ws)
}

// checkValue checks one value against its parameter and returns it normalised; a parameter
// with its own Invalid or TooLong message explains a bad value with it.
func checkValue(a Param, v, locale string) (string, error) {
	out, err := checkKind(a, v, locale)
	if err == nil || ErrorCode(err) != EINVALID {
		return out, err
	}
	v = strings.TrimSpace(v)
	about := ""
	if a.About != "" {
		about = i18n.T(locale, a.About)
	}
	limit := a.Max
	if a.Kind != KindInt {
		limit = a.MaxLen
	}
	args := []any{"value", v, "arg", v, "kind", v, "role", v, "min", a.Min, "max", limit, "field", a.Name.In(locale), "question", about}
	tooLong := errIs(err, "grammar.too_long")
	switch {
	case tooLong && a.TooLong != "":
		return "", Errorf(EINVALID, a.TooLong, args...)
	case !tooLong && a.Invalid != "":
		return "", Errorf(EINVALID, a.Invalid, args...)
	}
	return "", err
}

func checkKind(a Param, v, locale string) (string, error) {
	v = strings.TrimSpace(v)
	name := a.Name.In(locale)
	if a.MaxLen > 0 && utf8.RuneCountInString(v) > a.MaxLen {
		return "", Errorf(EINVALID, "grammar.too_long", "field", name, "max", a.MaxLen)
	}
	switch a.Kind {
	case KindInt:
		n, err := strconv.Atoi(v)
		if err != nil {
			return "", Errorf(EINVALID, "grammar.not_int", "field", name, "value", v, "min", a.Min, "max", a.Max)
		}
		if n < a.Min || n > a.Max {
			return "", Errorf(EINVALID, "grammar.out_of_range", "field", name, "value", v, "min", a.Min, "max", a.Max)
		}
		return strconv.Itoa(n), nil
	case KindID:
		id, ok := looksLikeID(v)
		if !ok {
			return "", Errorf(EINVALID, "grammar.not_id", "field", name, "value", v)
		}
		return strconv.FormatInt(id, 10), nil
	case KindPerson:
		if !looksLikePerson(v) {
			return "", Errorf(EINVALID, "grammar.not_person", "field", name, "value", v)
		}
	case KindChoice:
		for _, c := range a.Values {
			if c.Match(v) {
				return c.IT, nil
			}
		}
		if sug := suggestWord(v, locale, a.Values); sug != "" {
			return "", Errorf(EINVALID, "grammar.bad_choice_suggest", "field", name, "value", v, "suggestion", sug)
		}
		return "", Errorf(EINVALID, "grammar.bad_choice", "field", name, "value", v, "values", wordList(a.Values, locale))
	case KindBool:
		if yes, ok := parseYesNo(v); ok {
			if yes {
				return "sì", nil
			}
			return "no", nil
		}
		return "", Errorf(EINVALID, "grammar.bad_bool", "field", name, "value", v)
	}
	return v, nil
}

// SubUsage writes one form of a command as the reader types it: "meetings join [ID]",
// "progetto ID fase FASE [nota=…]".
func SubUsage(cmd *Command, s *Sub, locale string) string {
	parts := []string{cmd.Word(locale)}
	if s.OnID {
		parts = append(parts, "ID")
	}
	if s.Words.IT != "" {
		parts = append(parts, s.Words.In(locale))
	}
	for _, a := range s.Args {
		n := a.Name.In(locale)
		if a.Kind == KindChoice && len(a.Values) <= 4 {
			vs := make([]string, len(a.Values))
			for i, v := range a.Values {
				vs[i] = v.In(locale)
			}
			n = strings.Join(vs, "|")
		}
		if a.Rest {
			n += "…"
		}
		if !a.Required {
			n = "[" + n + "]"
		}
		parts = append(parts, n)
	}
	if len(s.Fields) > 10 {
		return strings.Join(append(parts, "["+W("campo", "field").In(locale)+"=…]…"), " ")
	}
	for _, f := range s.Fields {
		n := f.Name.In(locale) + "=…"
		if !f.Required {
			n = "[" + n + "]"
		}
		parts = append(parts, n)
	}
	if s.AnyField != nil {
		parts = append(parts, "["+s.AnyField.Name.In(locale)+"=…]…")
	}
	return strings.Join(parts, " ")
}
