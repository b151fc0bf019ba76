package bot

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// Profile limits: generous for real names and units, small enough for a Slack section.
const (
	maxNameLen   = 80
	maxUnitLen   = 120
	maxSkillLen  = 60
	maxSkills    = 30
	localeAuto   = "auto"
	profileForm  = "profile"
	profileWords = "profilo"
)

// profileKeys maps every accepted key (Italian and English) to its canonical name.
var profileKeys = map[string]string{
	"nome": "nome", "name": "nome",
	"unita": "unita", "unità": "unita", "unit": "unita",
	"competenze": "competenze", "skills": "competenze",
	"lingua": "lingua", "language": "lingua", "locale": "lingua",
}

func (b *Bot) profileCommand() *Command {
	return &Command{
		Name:    profileWords,
		Aliases: []string{"profile"},
		Summary: "profile.summary",
		Usage:   "profile.usage",
		Examples: []string{
			"profilo",
			"profilo modifica",
			`profilo nome="Maria Rossi" unita="Servizio Urbanistica" competenze=gis,appalti`,
			"profilo lingua=en",
		},
		Handler: b.profile,
	}
}

func (b *Bot) profile(ctx context.Context, c *Call) (Reply, error) {
	if len(c.Args.Positional) > 0 {
		switch strings.ToLower(c.Args.Positional[0]) {
		case "modifica", "edit":
			if len(c.Args.Named) == 0 {
				return profileFormReply(c), nil
			}
		default:
			return Reply{}, Errorf(EINVALID, "profile.bad_arg", "arg", c.Args.Positional[0])
		}
	}
	if len(c.Args.Named) == 0 {
		return profileReply(c, c.Caller, ""), nil
	}
	u, err := parseProfileUpdate(c.Args)
	if err != nil {
		return Reply{}, err
	}
	emp, err := b.store.UpdateProfile(ctx, c.Caller.ID, u)
	if err != nil {
		return Reply{}, fmt.Errorf("update profile: %w", err)
	}
	// The reply speaks the language just chosen, if the user changed it.
	c.Locale = b.Locale(emp.Locale, c.From.Locale)
	r := profileReply(c, emp, c.T("profile.updated"))
	r.Locale = c.Locale
	return r, nil
}

// parseProfileUpdate validates key=value arguments; every problem names the field and how to
// fix it.
func parseProfileUpdate(a Args) (ProfileUpdate, error) {
	var u ProfileUpdate
	seen := map[string]bool{}
	keys := a.Keys()
	// Form values arrive in Named without an order; include them too.
	for k := range a.Named {
		if !containsString(keys, k) {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		v := a.Named[k]
		canon, ok := profileKeys[k]
		if !ok {
			return u, Errorf(EINVALID, "profile.unknown_key", "key", k)
		}
		if seen[canon] {
			return u, Errorf(EINVALID, "error.kv_duplicate", "key", k)
		}
		seen[canon] = true
		switch canon {
		case "nome":
			v = strings.Join(strings.Fields(v), " ")
			if v == "" {
				return u, Errorf(EINVALID, "profile.name_empty")
			}
			if utf8.RuneCountInString(v) > maxNameLen {
				return u, Errorf(EINVALID, "profile.too_long", "field", k, "max", maxNameLen)
			}
			u.DisplayName = &v
		case "unita":
			v = strings.Join(strings.Fields(v), " ")
			if utf8.RuneCountInString(v) > maxUnitLen {
				return u, Errorf(EINVALID, "profile.too_long", "field", k, "max", maxUnitLen)
			}
			u.Unit = &v
		case "competenze":
			skills, err := parseSkills(k, v)
			if err != nil {
				return u, err
			}
			u.Skills = &skills
		case "lingua":
			l := strings.ToLower(strings.TrimSpace(v))
			if l != localeAuto {
				l = i18n.Normalize(l)
				if l == "" {
					return u, Errorf(EINVALID, "profile.bad_locale", "value", v)
				}
			} else {
				l = ""
			}
			u.Locale = &l
		}
	}
	return u, nil
}

// parseSkills reads a comma-separated list: trimmed, lower-cased, de-duplicated, in order.
func parseSkills(key, v string) ([]string, error) {
	out := []string{}
	for _, s := range strings.Split(v, ",") {
		s = strings.ToLower(strings.Join(strings.Fields(s), " "))
		if s == "" || containsString(out, s) {
			continue
		}
		if utf8.RuneCountInString(s) > maxSkillLen {
			return nil, Errorf(EINVALID, "profile.skill_too_long", "skill", s, "max", maxSkillLen)
		}
		out = append(out, s)
	}
	if len(out) > maxSkills {
		return nil, Errorf(EINVALID, "profile.too_many_skills", "field", key, "max", maxSkills)
	}
	return out, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func profileReply(c *Call, e Employee, notice string) Reply {
	none := c.T("profile.none")
	orNone := func(s string) string {
		if s == "" {
			return none
		}
		return s
	}
	lang := c.T("profile.locale_auto")
	if e.Locale != "" {
		lang = c.T("locale." + e.Locale)
	}
	roles := make([]string, 0, len(e.Roles)+1)
	roles = append(roles, c.T("role."+string(RoleEmployee)))
	for _, r := range e.Roles {
		if r != RoleEmployee {
			roles = append(roles, c.T("role."+string(r)))
		}
	}
	return Reply{
		Title: c.T("profile.title", "name", orNone(e.DisplayName)),
		Text:  notice,
		Sections: []Section{{Fields: []Field{
			{Label: c.T("profile.field.name"), Value: orNone(e.DisplayName)},
			{Label: c.T("profile.field.unit"), Value: orNone(e.Unit)},
			{Label: c.T("profile.field.skills"), Value: orNone(strings.Join(e.Skills, ", "))},
			{Label: c.T("profile.field.locale"), Value: lang},
			{Label: c.T("profile.field.roles"), Value: strings.Join(roles, ", ")},
		}}},
		Choices: []Choice{
			{Label: c.T("profile.edit_button"), Command: profileWords + " modifica", Style: StylePrimary},
			{Label: c.T("help.button"), Command: "aiuto " + profileWords},
		},
	}
}

func profileFormReply(c *Call) Reply {
	e := c.Caller
	locale := e.Locale
	if locale == "" {
		locale = localeAuto
	}
	options := []Option{{Value: localeAuto, Label: c.T("profile.locale_auto")}}
	for _, l := range i18n.Locales() {
		options = append(options, Option{Value: l, Label: c.T("locale." + l)})
	}
	return Reply{
		Text: c.T("profile.form_intro"),
		Form: &Form{
			ID:          profileForm,
			Title:       c.T("profile.form_title"),
			SubmitLabel: c.T("form.save"),
			Submit:      profileWords,
			Fields: []FormField{
				{Name: "nome", Label: c.T("profile.field.name"), Kind: FieldText, Value: e.DisplayName, Required: true, MaxLength: maxNameLen},
				{Name: "unita", Label: c.T("profile.field.unit"), Hint: c.T("profile.hint.unit"), Kind: FieldText, Value: e.Unit, MaxLength: maxUnitLen},
				{Name: "competenze", Label: c.T("profile.field.skills"), Hint: c.T("profile.hint.skills"), Kind: FieldText, Value: strings.Join(e.Skills, ", "), MaxLength: 1000},
				{Name: "lingua", Label: c.T("profile.field.locale"), Kind: FieldSelect, Value: locale, Required: true, Options: options},
			},
		},
	}
}
