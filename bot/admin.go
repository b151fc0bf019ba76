package bot

import (
	"context"
	"fmt"
	"strings"
)

func (b *Bot) adminCommand() *Command {
	return &Command{
		Name:    "admin",
		Summary: "admin.summary",
		Usage:   "admin.usage",
		Examples: []string{
			"admin importa dipendenti",
			"admin ruolo @mario.rossi dirigente A01-S02",
			"admin ruolo @anna.bianchi coordinatore",
			"admin revoca @anna.bianchi coordinatore",
		},
		Role:    RoleAdmin,
		Handler: b.admin,
	}
}

func (b *Bot) admin(ctx context.Context, c *Call) (Reply, error) {
	if len(c.Args.Positional) == 0 {
		return b.commandHelp(c, c.Command), nil
	}
	switch sub := strings.ToLower(c.Args.Positional[0]); sub {
	case "importa", "import":
		// Rejected rows quote the file, personal data included.
		return privately(b.adminImport)(ctx, c)
	case "ruolo", "role", "assegna", "grant":
		return b.adminRole(ctx, c, true)
	case "revoca", "revoke":
		return b.adminRole(ctx, c, false)
	default:
		return Reply{}, Errorf(EINVALID, "admin.bad_arg", "arg", c.Args.Positional[0])
	}
}

// roleWords maps Italian and English role names onto roles.
var roleWords = map[string]Role{
	"dipendente": RoleEmployee, "employee": RoleEmployee,
	"coordinatore": RoleCoordinator, "coordinator": RoleCoordinator,
	"dirigente": RoleManager, "manager": RoleManager,
	"admin": RoleAdmin, "amministratore": RoleAdmin, "administrator": RoleAdmin,
}

// adminRole grants or revokes a role: admin ruolo @persona RUOLO [UNITÀ…].
func (b *Bot) adminRole(ctx context.Context, c *Call, grant bool) (Reply, error) {
	args := c.Args.Positional[1:]
	if len(args) < 2 {
		return Reply{}, Errorf(EINVALID, "role.usage")
	}
	role, ok := roleWords[strings.ToLower(args[1])]
	if !ok {
		return Reply{}, Errorf(EINVALID, "role.bad_role", "role", args[1])
	}
	units := args[2:]
	if grant && role == RoleManager && len(units) == 0 {
		return Reply{}, Errorf(EINVALID, "role.needs_units")
	}
	if role == RoleEmployee {
		return Reply{}, Errorf(EINVALID, "role.employee_implicit")
	}
	target, err := b.findPerson(ctx, c, args[0])
	if err != nil {
		return Reply{}, err
	}
	name := orNone(c, target.DisplayName)
	if grant {
		if err := b.store.GrantRole(ctx, c.Caller.ID, target.ID, role, units); err != nil {
			return Reply{}, fmt.Errorf("grant role: %w", err)
		}
		return Reply{Text: c.T("role.granted", "name", name, "role", c.T("role."+string(role)))}, nil
	}
	if err := b.store.RevokeRole(ctx, c.Caller.ID, target.ID, role); err != nil {
		return Reply{}, fmt.Errorf("revoke role: %w", err)
	}
	return Reply{Text: c.T("role.revoked", "name", name, "role", c.T("role."+string(role)))}, nil
}
