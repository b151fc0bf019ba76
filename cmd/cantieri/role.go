package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/comune-prato/cantieri/bot"
)

// role assigns a role from the command line — the way to make the first admin, who can then
// assign roles in chat: cantieri ruolo EMAIL|@HANDLE|SLACK_ID ROLE [UNIT…].
func (e env) role(ctx context.Context, args []string) error {
	role := bot.Role(strings.ToLower(args[1]))
	if !bot.ValidRole(role) || role == bot.RoleEmployee {
		return usagef("unknown role %q: choose coordinatore, dirigente (with the unit codes it heads) or admin", args[1])
	}
	units := args[2:]
	if role == bot.RoleManager && len(units) == 0 {
		return usagef("a dirigente heads at least one unit: add the unit codes, e.g. cantieri ruolo anna@comune.it dirigente A01-S02")
	}
	if role != bot.RoleManager && len(units) > 0 {
		return usagef("only a dirigente heads units: give %s without unit codes, or make them dirigente of %s", role, strings.Join(units, " "))
	}
	cfg, log, d, err := e.openForTerminal(ctx)
	if err != nil {
		return err
	}
	defer d.Close()
	_, store, err := newCore(d, cfg, log)
	if err != nil {
		return err
	}

	ref := bot.EmployeeRef{Email: args[0]}
	if h, ok := strings.CutPrefix(args[0], "@"); ok {
		ref = bot.EmployeeRef{Transport: bot.TransportConsole, ExternalID: h}
	} else if !strings.Contains(args[0], "@") {
		ref = bot.EmployeeRef{Transport: bot.TransportSlack, ExternalID: args[0]}
	}
	target, err := store.FindEmployee(ctx, ref)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return fmt.Errorf("no employee %s (give an e-mail from the import, @console-handle, or a Slack user id)", args[0])
	}
	if err != nil {
		return err
	}
	if err := store.GrantRole(ctx, 0, target.ID, role, units); err != nil {
		var ue *bot.Error
		if errors.As(err, &ue) && ue.Key == "role.unknown_unit" {
			return fmt.Errorf("unknown unit code in %v", units)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "%s (%d) ora ha il ruolo / now has the role %s\n", target.DisplayName, target.ID, role)
	return nil
}
