package bot

import (
	"slices"
	"strings"
	"unicode"
)

// Localize rewrites a command text written with canonical (Italian) words into locale's words:
// the command, the sub-command, the fields' keys and choice values. Values typed by people
// (names, quoted text) are left as they are. A text that is not a known command comes back
// unchanged. Both languages' words are accepted on input, so a localized command runs the same.
func (b *Bot) Localize(text, locale string) string {
	toks := rawTokens(text)
	if len(toks) == 0 {
		return text
	}
	cmd := b.Lookup(toks[0])
	if cmd == nil {
		return text
	}
	toks[0] = cmd.Word(locale)
	// Positional words before the first key=value.
	npos := 0
	for npos < len(toks) && !isKeyValue(toks[npos]) {
		npos++
	}
	var sub *Sub
	argStart := 1
	if s, n := cmd.matchSub(toks[1:npos], false); s != nil {
		sub, argStart = s, 2
		toks = slices.Replace(toks, 1, 1+n, s.Words.In(locale))
		npos -= n - 1
	} else if _, ok := looksLikeID(at(toks, 1)); ok && npos > 1 && cmd.hasOnID() {
		if s, n := cmd.matchSub(toks[2:npos], true); s != nil {
			sub, argStart = s, 3
			toks = slices.Replace(toks, 2, 2+n, s.Words.In(locale))
			npos -= n - 1
		} else {
			sub, argStart = cmd.defaultSub(true), 2
		}
	} else {
		sub = cmd.defaultSub(false)
	}
	if sub == nil {
		return strings.Join(toks, " ")
	}
	var named *Command // the command a KindCommand argument names
	for i, a := range sub.Args {
		j := argStart + i
		if j >= npos || a.Rest {
			break
		}
		switch a.Kind {
		case KindChoice:
			toks[j] = localizeChoice(a, toks[j], locale)
		case KindCommand:
			if named = b.Lookup(toks[j]); named != nil {
				toks[j] = named.Word(locale)
			}
		case KindSub:
			if named == nil {
				break
			}
			if s := named.findSub(toks[j], false); s != nil {
				toks[j] = s.Words.In(locale)
			} else if s := named.findSub(toks[j], true); s != nil {
				toks[j] = s.Words.In(locale)
			}
		}
	}
	for i := npos; i < len(toks); i++ {
		key, value, ok := strings.Cut(toks[i], "=")
		if !ok {
			continue
		}
		f := sub.field(key)
		if f == nil {
			continue
		}
		if f.Kind == KindChoice {
			value = localizeChoice(*f, value, locale)
		}
		toks[i] = f.Name.In(locale) + "=" + value
	}
	return strings.Join(toks, " ")
}

func at(toks []string, i int) string {
	if i < len(toks) {
		return toks[i]
	}
	return ""
}

func localizeChoice(a Param, v, locale string) string {
	for _, c := range a.Values {
		if c.Match(v) {
			return c.In(locale)
		}
	}
	return v
}

func isKeyValue(tok string) bool {
	if tok == "" {
		return false
	}
	if _, quote := quotePairs[[]rune(tok)[0]]; quote {
		return false
	}
	return strings.Contains(tok, "=")
}

// rawTokens splits text on spaces outside quotes, keeping each word as written (quotes
// included), so that a command can be rewritten word by word.
func rawTokens(text string) []string {
	var (
		toks    []string
		cur     strings.Builder
		closing rune
	)
	for _, r := range text {
		switch {
		case closing != 0:
			cur.WriteRune(r)
			if r == closing {
				closing = 0
			}
		case unicode.IsSpace(r):
			if cur.Len() > 0 {
				toks = append(toks, cur.String())
				cur.Reset()
			}
		default:
			if c, ok := quotePairs[r]; ok {
				closing = c
			}
			cur.WriteRune(r)
		}
	}
	if cur.Len() > 0 {
		toks = append(toks, cur.String())
	}
	return toks
}

// localizeReply rewrites the commands a reply offers (buttons, a form's submission) into the
// reader's words.
func (b *Bot) localizeReply(r Reply, locale string) Reply {
	if len(r.Choices) > 0 {
		cs := make([]Choice, len(r.Choices))
		for i, c := range r.Choices {
			c.Command = b.Localize(c.Command, locale)
			cs[i] = c
		}
		r.Choices = cs
	}
	if r.Form != nil {
		f := *r.Form
		f.Submit = b.Localize(f.Submit, locale)
		r.Form = &f
	}
	return r
}
