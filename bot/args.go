package bot

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Args is a parsed command text: the words before the first key=value are positional; key=value
// pairs (values may be quoted) are named. Keys are lower-cased.
type Args struct {
	Positional []string
	Named      map[string]string
	// order keeps the named keys in the order given, for error messages.
	order []string
}

// maxCommandLength bounds the text of one command, in characters (not bytes: 1,460 Chinese
// characters are 4,380 bytes and not too long); longer input is refused with a clear reply
// rather than parsed.
const maxCommandLength = 4000

// quotePairs are the double quotes users type, including the "smart" ones that Slack and
// phones substitute for straight quotes. Apostrophes are deliberately not quotes: Italian
// writes "dell'ufficio".
var quotePairs = map[rune]rune{'"': '"', '“': '”', '«': '»', '„': '“'}

// ParseArgs splits text into words honouring quotes, then into positional and named
// arguments. It returns a user-facing *Error for unbalanced quotes, an empty key ("=x"), a
// repeated key, oversized text, or a control character.
func ParseArgs(text string) (Args, error) {
	a := Args{Named: map[string]string{}}
	if err := CheckText(text); err != nil {
		return a, err
	}
	if utf8.RuneCountInString(text) > maxCommandLength {
		return a, Errorf(EINVALID, "error.too_long", "max", maxCommandLength)
	}
	words, err := splitWords(text)
	if err != nil {
		return a, err
	}
	for _, w := range words {
		key, value, isKV := strings.Cut(w.text, "=")
		if !isKV || w.quotedFromStart {
			a.Positional = append(a.Positional, w.text)
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		if key == "" {
			return a, Errorf(EINVALID, "error.kv_empty_key", "arg", w.text)
		}
		if !validKey(key) {
			return a, Errorf(EINVALID, "error.kv_bad_key", "key", key)
		}
		if _, dup := a.Named[key]; dup {
			return a, Errorf(EINVALID, "error.kv_duplicate", "key", key)
		}
		a.Named[key] = strings.TrimSpace(value)
		a.order = append(a.order, key)
	}
	return a, nil
}

// Keys returns the named keys in the order they were typed.
func (a Args) Keys() []string { return a.order }

// AllKeys returns the typed keys in their order, then the keys that came only from form values
// (which have no order) sorted, so that validation reports problems deterministically.
func (a Args) AllKeys() []string {
	keys := append([]string(nil), a.order...)
	var extra []string
	for k := range a.Named {
		if !slices.Contains(keys, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return append(keys, extra...)
}

// CheckText refuses text that no command, field or name may hold: bytes that are not UTF-8 and
// control characters other than newline, carriage return and tab. A NUL byte would otherwise
// reach the database (which refuses it, an internal error for the user) and the others
// would reach messages and logs, where they can disguise what is shown.
func CheckText(text string) error {
	for i, r := range text {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(text[i:], "\uFFFD"):
			return Errorf(EINVALID, "error.bad_encoding", "position", utf8.RuneCountInString(text[:i])+1)
		case unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t':
			return Errorf(EINVALID, "error.control_char", "char", fmt.Sprintf("U+%04X", r),
				"position", utf8.RuneCountInString(text[:i])+1)
		}
	}
	return nil
}

func validKey(k string) bool {
	for _, r := range k {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' && r != '.' {
			return false
		}
	}
	return true
}

type word struct {
	text string
	// quotedFromStart is true for a word that began with a quote: "a=b" quoted whole is a
	// positional value, not a key.
	quotedFromStart bool
}

func splitWords(text string) ([]word, error) {
	var (
		words   []word
		cur     strings.Builder
		inWord  bool
		fromQ   bool
		closing rune
	)
	flush := func() {
		if inWord {
			words = append(words, word{text: cur.String(), quotedFromStart: fromQ})
		}
		cur.Reset()
		inWord, fromQ = false, false
	}
	for _, r := range text {
		switch {
		case closing != 0:
			if r == closing {
				closing = 0
				continue
			}
			cur.WriteRune(r)
		case unicode.IsSpace(r):
			flush()
		default:
			if c, ok := quotePairs[r]; ok {
				if !inWord {
					fromQ = true
				}
				inWord = true
				closing = c
				continue
			}
			inWord = true
			cur.WriteRune(r)
		}
	}
	if closing != 0 {
		return nil, Errorf(EINVALID, "error.unbalanced_quote", "quote", string(closing))
	}
	flush()
	return words, nil
}
