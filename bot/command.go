package bot

import (
	"context"
	"strings"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// Role is what a user may do; roles are cumulative (see RoleAllows).
type Role string

// Roles, from the spec's "People and roles".
const (
	RoleEmployee    Role = "dipendente"
	RoleCoordinator Role = "coordinatore"
	RoleManager     Role = "dirigente"
	RoleAdmin       Role = "admin"
)

// roleRank orders roles: a dirigente may do what a coordinatore may, an admin everything.
var roleRank = map[Role]int{RoleEmployee: 0, RoleCoordinator: 1, RoleManager: 2, RoleAdmin: 3}

// ValidRole reports whether r is one of the known roles.
func ValidRole(r Role) bool {
	_, ok := roleRank[r]
	return ok
}

// RoleAllows reports whether someone holding roles may run a command requiring need.
func RoleAllows(roles []Role, need Role) bool {
	if need == "" || need == RoleEmployee {
		return true
	}
	for _, r := range roles {
		if roleRank[r] >= roleRank[need] {
			return true
		}
	}
	return false
}

// HandlerFunc runs a command. It returns a reply, or an error that the core turns into a reply
// in the user's language (a *Error's message, or a generic one quoting the request id).
type HandlerFunc func(ctx context.Context, c *Call) (Reply, error)

// Middleware wraps a handler, in the manner of net/http middleware.
type Middleware func(cmd *Command, next HandlerFunc) HandlerFunc

// Command is a command definition: help is generated from these fields.
type Command struct {
	// Name is the Italian command word, e.g. "profilo".
	Name string
	// EN is the English command word, e.g. "profile"; empty when the Italian one serves both.
	EN string
	// Aliases are further accepted spellings, never shown first (e.g. "opportunità").
	Aliases []string
	// Summary is a catalogue key: one line for the list and the head of "aiuto NAME".
	Summary string
	// Subs declare the command's forms: sub-command words, parameters and fields in both
	// languages. The parser, the help, the forms and the translation of examples and buttons
	// are derived from them (see grammar.go).
	Subs []*Sub
	// Role is the least role required; empty means everyone.
	Role Role
	// Private marks a command whose every reply is its reader's own business (their profile,
	// invitations, programmes, data): the transports never show it to a channel.
	Private bool
}

// Call is the context a handler runs in: the request, the caller's employee row, the
// caller's locale and the parsed arguments.
type Call struct {
	Request
	Caller Employee
	Locale string
	// Args are the words after the command name; Args.Named holds the fields by canonical
	// (Italian) key, form values merged in.
	Args Args
	// Command and Sub are the definition being run.
	Command *Command
	Sub     *Sub
	// ID is the id written before an OnID sub-command ("progetto 12 fase" → 12).
	ID int64
	// Params are the positional parameters by canonical name; Rest the words of a Rest one.
	Params map[string]string
	Rest   []string
}

// Param returns a positional parameter by its canonical name ("" when not given).
func (c *Call) Param(name string) string { return c.Params[name] }

// Has reports whether the field named by its canonical key was given (possibly empty).
func (c *Call) Has(key string) bool {
	_, ok := c.Args.Named[key]
	return ok
}

// T translates a catalogue key into the caller's language.
func (c *Call) T(key string, args ...any) string { return i18n.T(c.Locale, key, args...) }

// matches reports whether word names this command.
func (cmd *Command) matches(word string) bool {
	if strings.EqualFold(word, cmd.Name) || (cmd.EN != "" && strings.EqualFold(word, cmd.EN)) {
		return true
	}
	for _, a := range cmd.Aliases {
		if strings.EqualFold(word, a) {
			return true
		}
	}
	return false
}
