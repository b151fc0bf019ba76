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
	// Aliases are other accepted words, English first, e.g. "profile".
	Aliases []string
	// Summary and Usage are catalogue keys: one line for the list, a paragraph for "aiuto NAME".
	Summary string
	Usage   string
	// Examples are command texts shown in the help (language-neutral: they are commands).
	Examples []string
	// Role is the least role required; empty means everyone.
	Role    Role
	Handler HandlerFunc
}

// Call is the context a handler runs in: the request, the caller's employee row, the
// caller's locale and the parsed arguments.
type Call struct {
	Request
	Caller Employee
	Locale string
	// Args are the words after the command name; form values are merged into Args.Named.
	Args Args
	// Command is the definition being run.
	Command *Command
}

// T translates a catalogue key into the caller's language.
func (c *Call) T(key string, args ...any) string { return i18n.T(c.Locale, key, args...) }

// matches reports whether word names this command.
func (cmd *Command) matches(word string) bool {
	if strings.EqualFold(word, cmd.Name) {
		return true
	}
	for _, a := range cmd.Aliases {
		if strings.EqualFold(word, a) {
			return true
		}
	}
	return false
}
