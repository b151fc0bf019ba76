package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// roleValues are the roles an admin assigns, in both languages.
var roleValues = []Words{
	W("coordinatore", "coordinator"), W("dirigente", "manager"),
	W("admin", "admin", "amministratore", "administrator"), W("dipendente", "employee"),
}

func (b *Bot) adminCommand() *Command {
	person := Param{Name: W("@persona", "@person"), Kind: KindPerson, Required: true}
	role := Param{Name: W("RUOLO", "ROLE"), Kind: KindChoice, Required: true, Values: roleValues, Invalid: "role.bad_role"}
	cmd := &Command{
		Name:    "admin",
		Summary: "admin.summary",
		Role:    RoleAdmin,
		Subs: []*Sub{
			// Rejected rows quote the file, personal data included.
			{Words: W("importa", "import"), Summary: "admin.sub.import", Private: true,
				Args: []Param{{Name: W("TIPO", "KIND"), Kind: KindChoice, Required: true,
					Missing: "import.kind_required", Invalid: "import.bad_kind", Values: []Words{
						W("sedi", "sites", "sede", "site"), W("unita", "units", "unità", "unit"), W("competenze", "skills"),
						W("obiettivi", "objectives"), W("dipendenti", "employees", "personale"), surveyWords}}},
				Examples: []string{"admin importa dipendenti", "admin importa questionari"},
				Handler:  b.adminImport},
			{Words: W("questionari", "surveys"), Summary: "admin.sub.surveys",
				Examples: []string{"admin questionari"},
				Handler:  b.adminSurveys},
			// The file is every released answer of the range: the admin's alone.
			{Words: W("esporta", "export"), Summary: "admin.sub.export", Private: true,
				Args: []Param{{Name: W("COSA", "WHAT"), Kind: KindChoice, Required: true, Values: []Words{W("risposte", "answers")},
					Missing: "feedback.export.what", Invalid: "feedback.export.what"}},
				Fields: []Param{
					{Name: W("dal", "from"), Kind: KindDate, Required: true, MaxLen: 10, Label: "feedback.export.field.from"},
					{Name: W("al", "to"), Kind: KindDate, Required: true, MaxLen: 10, Label: "feedback.export.field.to"},
				},
				Examples: []string{"admin esporta risposte dal=2026-01-01 al=2026-12-31"},
				Handler:  b.adminExportAnswers},
			{Words: W("ruolo", "role", "assegna", "grant"), Summary: "admin.sub.role",
				Args:     []Param{person, role, {Name: W("UNITÀ", "UNIT"), Kind: KindWord, Rest: true, MaxLen: 40}},
				Examples: []string{"admin ruolo @mario.rossi dirigente A01-S02", "admin ruolo @anna.bianchi coordinatore"},
				Handler:  func(ctx context.Context, c *Call) (Reply, error) { return b.adminRole(ctx, c, true) }},
			{Words: W("revoca", "revoke"), Summary: "admin.sub.revoke",
				Args:     []Param{person, role},
				Examples: []string{"admin revoca @anna.bianchi coordinatore"},
				Handler:  func(ctx context.Context, c *Call) (Reply, error) { return b.adminRole(ctx, c, false) }},
		},
	}
	// The subs acting on running surveys follow "admin questionari", so that help lists them
	// together.
	at := slices.IndexFunc(cmd.Subs, func(s *Sub) bool { return s.Summary == "admin.sub.surveys" }) + 1
	cmd.Subs = slices.Insert(cmd.Subs, at, b.adminSurveySubs()...)
	return cmd
}

// roleWords maps Italian and English role names onto roles.
var roleWords = map[string]Role{
	"dipendente": RoleEmployee, "employee": RoleEmployee,
	"coordinatore": RoleCoordinator, "coordinator": RoleCoordinator,
	"dirigente": RoleManager, "manager": RoleManager,
	"admin": RoleAdmin, "amministratore": RoleAdmin, "administrator": RoleAdmin,
}

// adminRole grants or revokes a role: admin ruolo @persona RUOLO [UNITÀ…]. The store refuses to
// take the admin role from the last active admin (role.last_admin).
func (b *Bot) adminRole(ctx context.Context, c *Call, grant bool) (Reply, error) {
	role := roleWords[c.Param("RUOLO")]
	units := c.Rest
	if grant && role == RoleManager && len(units) == 0 {
		return Reply{}, Errorf(EINVALID, "role.needs_units")
	}
	// Units go with dirigente only: kept with another role they would silently join the units
	// of a later dirigente grant.
	if grant && role != RoleManager && role != RoleEmployee && len(units) > 0 {
		return Reply{}, Errorf(EINVALID, "role.units_only_manager", "units", strings.Join(units, " "))
	}
	if role == RoleEmployee {
		return Reply{}, Errorf(EINVALID, "role.employee_implicit")
	}
	target, err := b.findPerson(ctx, c, c.Param("@persona"))
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
