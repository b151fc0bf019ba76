package bot

import (
	"context"
	"strings"
)

func (b *Bot) helpCommand() *Command {
	return &Command{
		Name:     "aiuto",
		Aliases:  []string{"help", "?"},
		Summary:  "help.summary",
		Usage:    "help.usage",
		Examples: []string{"aiuto", "aiuto profilo"},
		Handler:  b.help,
	}
}

// help is generated from the command definitions: the list, or one command in full.
func (b *Bot) help(_ context.Context, c *Call) (Reply, error) {
	if len(c.Args.Positional) > 0 {
		word := strings.ToLower(c.Args.Positional[0])
		cmd := b.Lookup(word)
		if cmd == nil {
			return b.unknownCommand(c.Locale, word), nil
		}
		return b.commandHelp(c, cmd), nil
	}
	r := Reply{Title: c.T("help.title"), Text: c.T("help.intro")}
	for _, cmd := range b.commands {
		if !RoleAllows(c.Caller.Roles, cmd.Role) {
			continue
		}
		r.Sections = append(r.Sections, Section{Title: commandWords(cmd), Text: c.T(cmd.Summary)})
		if cmd != c.Command {
			r.Choices = append(r.Choices, Choice{Label: cmd.Name, Command: "aiuto " + cmd.Name})
		}
	}
	r.Sections = append(r.Sections, Section{Text: c.T("help.more")})
	return r, nil
}

func (b *Bot) commandHelp(c *Call, cmd *Command) Reply {
	r := Reply{Title: commandWords(cmd), Text: c.T(cmd.Usage)}
	if len(cmd.Examples) > 0 {
		ex := make([]string, len(cmd.Examples))
		for i, e := range cmd.Examples {
			ex[i] = "`" + e + "`"
		}
		r.Sections = append(r.Sections, Section{Title: c.T("help.examples"), Text: strings.Join(ex, "\n")})
	}
	if cmd.Role != "" && cmd.Role != RoleEmployee {
		r.Sections = append(r.Sections, Section{Text: c.T("help.requires_role", "role", c.T("role."+string(cmd.Role)))})
	}
	for _, e := range cmd.Examples {
		if !RoleAllows(c.Caller.Roles, cmd.Role) {
			break // the examples stay readable, but no button runs what the reader may not
		}
		if e != "aiuto "+cmd.Name {
			r.Choices = append(r.Choices, Choice{Label: e, Command: e})
		}
		if len(r.Choices) == 3 {
			break
		}
	}
	return r
}

// commandWords renders "profilo (profile)".
func commandWords(cmd *Command) string {
	if len(cmd.Aliases) == 0 {
		return "*" + cmd.Name + "*"
	}
	return "*" + cmd.Name + "* (" + strings.Join(cmd.Aliases, ", ") + ")"
}
