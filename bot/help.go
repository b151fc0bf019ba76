package bot

import (
	"context"
	"strconv"
	"strings"
)

func (b *Bot) helpCommand() *Command {
	return &Command{
		Name:    "aiuto",
		EN:      "help",
		Aliases: []string{"?"},
		Summary: "help.summary",
		Subs: []*Sub{{
			Args: []Param{
				{Name: W("COMANDO", "COMMAND"), Kind: KindCommand, MaxLen: 40},
				{Name: W("FORMA", "FORM"), Kind: KindSub, MaxLen: 40},
			},
			Summary:  "help.sub.main",
			Examples: []string{"aiuto", "aiuto profilo", "aiuto incontri nuovo"},
			Handler:  b.help,
		}},
	}
}

// help is generated from the command definitions: the list, one command in full, or one form.
func (b *Bot) help(_ context.Context, c *Call) (Reply, error) {
	if word := strings.ToLower(c.Param("COMANDO")); word != "" {
		cmd := b.Lookup(word)
		if cmd == nil {
			return b.unknownCommand(c.Locale, word), nil
		}
		if form := c.Param("FORMA"); form != "" {
			if s := cmd.findSub(form, false); s != nil {
				return b.subHelp(c, cmd, s), nil
			}
			if s := cmd.findSub(form, true); s != nil {
				return b.subHelp(c, cmd, s), nil
			}
			return Reply{}, cmd.unknownSub(form, false, c.Locale)
		}
		return b.commandHelp(c, cmd), nil
	}
	r := Reply{Title: c.T("help.title"), Text: c.T("help.intro")}
	for _, cmd := range b.commands {
		if !RoleAllows(c.Caller.Roles, cmd.Role) {
			continue
		}
		r.Sections = append(r.Sections, Section{Title: commandWords(cmd, c.Locale), Text: c.T(cmd.Summary)})
		if cmd != c.Command {
			r.Choices = append(r.Choices, Choice{Label: cmd.Word(c.Locale), Command: "aiuto " + cmd.Name})
		}
	}
	r.Sections = append(r.Sections, Section{Text: c.T("help.more")})
	return r, nil
}

// commandHelp lists the forms of cmd the caller may use, each with its fields, then examples.
func (b *Bot) commandHelp(c *Call, cmd *Command) Reply {
	r := Reply{Title: commandWords(cmd, c.Locale), Text: c.T(cmd.Summary)}
	var examples, runnable []string
	described := map[string]bool{}
	for _, s := range cmd.visibleSubs(nil) {
		r.Sections = append(r.Sections, Section{Text: subText(c, cmd, s, described)})
		examples = append(examples, s.Examples...)
		if RoleAllows(c.Caller.Roles, cmd.Role) && RoleAllows(c.Caller.Roles, s.Role) {
			runnable = append(runnable, s.Examples...)
		}
	}
	b.addExamples(c, &r, examples, runnable)
	if cmd.Role != "" && cmd.Role != RoleEmployee {
		r.Sections = append(r.Sections, Section{Text: c.T("help.requires_role", "role", c.T("role."+string(cmd.Role)))})
	}
	return r
}

// subHelp is the help of one form: its usage, what it does, its fields and examples.
func (b *Bot) subHelp(c *Call, cmd *Command, s *Sub) Reply {
	r := Reply{Title: commandWords(cmd, c.Locale), Sections: []Section{{Text: subText(c, cmd, s, map[string]bool{})}}}
	var runnable []string
	if RoleAllows(c.Caller.Roles, cmd.Role) && RoleAllows(c.Caller.Roles, s.Role) {
		runnable = s.Examples
	}
	b.addExamples(c, &r, s.Examples, runnable)
	if s.Role != "" && s.Role != RoleEmployee {
		r.Sections = append(r.Sections, Section{Text: c.T("help.requires_role", "role", c.T("role."+string(s.Role)))})
	}
	return r
}

// addExamples shows the examples in the reader's words, and offers as buttons the first few
// of those the reader may run (runnable) that make sense alone.
func (b *Bot) addExamples(c *Call, r *Reply, examples, runnable []string) {
	if len(examples) == 0 {
		return
	}
	ex := make([]string, len(examples))
	for i, e := range examples {
		ex[i] = "`" + b.Localize(e, c.Locale) + "`"
	}
	r.Sections = append(r.Sections, Section{Title: c.T("help.examples"), Text: strings.Join(ex, "\n")})
	for _, e := range runnable {
		if strings.HasPrefix(e, "aiuto") || strings.Contains(e, "=") {
			continue // a button runs a command as written: only the ones that make sense alone
		}
		r.Choices = append(r.Choices, Choice{Label: b.Localize(e, c.Locale), Command: e})
		if len(r.Choices) == 3 {
			break
		}
	}
}

// subText is one form in the reader's words: usage, what it does, and a line per field not
// already described by an earlier form (described collects them).
func subText(c *Call, cmd *Command, s *Sub, described map[string]bool) string {
	lines := []string{"`" + SubUsage(cmd, s, c.Locale) + "` — " + c.T(s.Summary)}
	if s.Role != "" && s.Role != RoleEmployee && s.Role != cmd.Role {
		lines[0] += " " + c.T("help.requires_role", "role", c.T("role."+string(s.Role)))
	}
	params := append(choiceArgs(s.Args), s.Fields...)
	if s.AnyField != nil {
		params = append(params, *s.AnyField)
	}
	for _, f := range params {
		if described[f.Name.IT] {
			continue
		}
		described[f.Name.IT] = true
		line := "• `" + f.Name.In(c.Locale) + "`"
		if isField(s, f) {
			line = "• `" + f.Name.In(c.Locale) + "=`"
		}
		var what []string
		if f.Label != "" {
			what = append(what, c.T(f.Label))
		}
		if k := kindText(c, f); k != "" {
			what = append(what, k)
		}
		if f.Required {
			what = append(what, c.T("help.required"))
		}
		if len(what) > 0 {
			line += " — " + strings.Join(what, "; ")
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// choiceArgs are the positional parameters worth a line of their own: choices with more values
// than the usage line shows.
func choiceArgs(args []Param) []Param {
	var out []Param
	for _, a := range args {
		if a.Kind == KindChoice && len(a.Values) > 4 {
			out = append(out, a)
		}
	}
	return out
}

func isField(s *Sub, f Param) bool {
	if s.AnyField != nil && s.AnyField.Name.IT == f.Name.IT {
		return true
	}
	for _, x := range s.Fields {
		if x.Name.IT == f.Name.IT {
			return true
		}
	}
	return false
}

// kindText describes what a parameter accepts, in the reader's language.
func kindText(c *Call, f Param) string {
	switch f.Kind {
	case KindInt:
		return c.T("help.kind.int", "min", f.Min, "max", f.Max)
	case KindBool:
		return c.T("help.kind.bool")
	case KindDate:
		return c.T("help.kind.date")
	case KindList:
		return c.T("help.kind.list")
	case KindNumber:
		return c.T("help.kind.number")
	case KindChoice:
		return c.T("help.kind.choice", "values", wordList(f.Values, c.Locale))
	case KindText:
		if f.MaxLen > 0 {
			return c.T("help.kind.text", "max", strconv.Itoa(f.MaxLen))
		}
	}
	return ""
}

// commandWords renders the command's words, the reader's first: "*meetings* (incontri)".
func commandWords(cmd *Command, locale string) string {
	first := cmd.Word(locale)
	var others []string
	for _, w := range append([]string{cmd.Name, cmd.EN}, cmd.Aliases...) {
		if w != first && w != "" {
			others = append(others, w)
		}
	}
	if len(others) == 0 {
		return "*" + first + "*"
	}
	return "*" + first + "* (" + strings.Join(others, ", ") + ")"
}
