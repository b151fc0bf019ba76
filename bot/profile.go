package bot

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hbollon/go-edlib"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// Profile words (the limits are in validate.go).
const (
	localeAuto  = "auto"
	profileForm = "profile"
	profileWord = "profilo"
)

// profileFields are the fields of "profilo": typed as key=value or entered in the form.
var profileFields = []Param{
	{Name: W("nome", "name"), Kind: KindText, MaxLen: MaxDisplayName, FormRequired: true, Label: "profile.field.name"},
	{Name: W("competenze", "skills"), Kind: KindList, MaxLen: MaxProfileSkillsText, Multiline: true, Label: "profile.field.skills", Hint: "profile.hint.skills"},
	{Name: W("interessi", "interests"), Kind: KindList, MaxLen: MaxInterestsText, Label: "profile.field.interests", Hint: "profile.hint.interests"},
	{Name: W("capacita", "capacity", "capacità"), Kind: KindInt, FormRequired: true, Min: MinCapacity, Max: MaxCapacity, Invalid: "profile.bad_capacity", Label: "profile.field.capacity", Hint: "profile.hint.capacity"},
	{Name: W("lingua", "language", "locale"), Kind: KindChoice, FormRequired: true, Invalid: "profile.bad_locale", ValueLabel: "locale.", Label: "profile.field.locale",
		Values: []Words{W(localeAuto, localeAuto), W("it", "it", "italiano", "italian"), W("en", "en", "english", "inglese")}},
}

func (b *Bot) profileCommand() *Command {
	return &Command{
		Name:    profileWord,
		EN:      "profile",
		Summary: "profile.summary",
		Subs: []*Sub{
			{Args: []Param{{Name: W("@persona", "@person"), Kind: KindPerson, Invalid: "profile.bad_arg"}}, Fields: profileFields,
				Summary: "profile.sub.main",
				Examples: []string{"profilo", "profilo competenze=gis:3,appalti:2 capacita=1",
					`profilo interessi="mobilità sostenibile, open data"`, "profilo @mario.rossi", "profilo lingua=en"},
				Handler: b.profile},
			{Words: W("modifica", "edit"), Fields: profileFields, Summary: "profile.sub.edit",
				Examples: []string{"profilo modifica"}, Handler: b.profile},
		},
	}
}

func (b *Bot) profile(ctx context.Context, c *Call) (Reply, error) {
	if who := c.Param("@persona"); who != "" {
		if len(c.Args.Named) > 0 {
			return Reply{}, Errorf(EINVALID, "profile.other_no_fields")
		}
		return b.otherProfile(ctx, c, who)
	}
	if len(c.Args.Named) == 0 {
		if c.Sub.Words.IT == "" {
			return profileReply(c, c.Caller, ""), nil
		}
		skills, err := b.store.Skills(ctx)
		if err != nil {
			return Reply{}, fmt.Errorf("skills catalogue: %w", err)
		}
		return profileFormReply(c, skills), nil
	}
	catalogue, err := b.store.Skills(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("skills catalogue: %w", err)
	}
	u, err := parseProfileUpdate(c.Args, catalogue)
	if err != nil {
		return Reply{}, err
	}
	if err := u.Validate(); err != nil {
		return Reply{}, err
	}
	emp, err := b.store.UpdateProfile(ctx, c.Caller.ID, u)
	if err != nil {
		return Reply{}, fmt.Errorf("update profile: %w", err)
	}
	// The reply speaks the language just chosen, if the user changed it.
	c.Locale = b.Locale(emp.Locale, c.From.Locale)
	notice := c.T("profile.updated")
	if u.Skills != nil {
		notice += "\n" + skillsDiffText(c, c.Caller.Skills, emp.Skills)
	}
	r := profileReply(c, emp, notice)
	r.Locale = c.Locale
	return r, nil
}

// skillsDiffText says what competenze= changed: it replaces the whole list, so a skill left out
// is removed, and nothing of that may happen silently.
func skillsDiffText(c *Call, before, after []SkillLevel) string {
	old := make(map[string]SkillLevel, len(before))
	for _, s := range before {
		old[s.Code] = s
	}
	var added, changed, removed []string
	kept := map[string]bool{}
	for _, s := range after {
		kept[s.Code] = true
		o, ok := old[s.Code]
		switch {
		case !ok:
			added = append(added, s.Name(c.Locale)+" ("+c.T("level."+strconv.Itoa(s.Level))+")")
		case o.Level != s.Level:
			changed = append(changed, c.T("profile.skills.level_change", "skill", s.Name(c.Locale),
				"from", c.T("level."+strconv.Itoa(o.Level)), "to", c.T("level."+strconv.Itoa(s.Level))))
		}
	}
	for _, s := range before {
		if !kept[s.Code] {
			removed = append(removed, s.Name(c.Locale)+" ("+c.T("level."+strconv.Itoa(s.Level))+")")
		}
	}
	var lines []string
	if len(added) > 0 {
		lines = append(lines, c.T("profile.skills.added", "skills", strings.Join(added, ", ")))
	}
	if len(changed) > 0 {
		lines = append(lines, c.T("profile.skills.changed", "skills", strings.Join(changed, ", ")))
	}
	if len(removed) > 0 {
		lines = append(lines, c.T("profile.skills.removed", "skills", strings.Join(removed, ", ")),
			c.T("profile.skills.replace_note"))
	}
	if len(lines) == 0 {
		return c.T("profile.skills.unchanged")
	}
	return strings.Join(lines, "\n")
}

// slackMention matches "<@U123>" and "<@U123|name>" as Slack writes a mention.
var slackMention = regexp.MustCompile(`^<@([A-Z0-9]+)(\|[^>]*)?>$`)

// looksLikePerson reports whether arg names a person: a Slack mention, @handle or an e-mail.
func looksLikePerson(arg string) bool {
	return slackMention.MatchString(arg) || strings.HasPrefix(arg, "@") || strings.Contains(arg, "@")
}

// personRef turns a mention, @handle or e-mail into a store reference. In the console, @handle
// is a console handle; in Slack a real mention arrives as <@U…>.
func personRef(c *Call, arg string) EmployeeRef {
	if m := slackMention.FindStringSubmatch(arg); m != nil {
		return EmployeeRef{Transport: TransportSlack, ExternalID: m[1]}
	}
	if h, ok := strings.CutPrefix(arg, "@"); ok {
		t := c.From.Transport
		if t == "" {
			t = TransportConsole
		}
		return EmployeeRef{Transport: t, ExternalID: h}
	}
	return EmployeeRef{Email: arg}
}

// findPerson resolves arg to an employee, with a clear reply when there is none.
func (b *Bot) findPerson(ctx context.Context, c *Call, arg string) (Employee, error) {
	e, err := b.store.FindEmployee(ctx, personRef(c, arg))
	if ErrorCode(err) == ENOTFOUND || (err == nil && !e.Active) {
		return Employee{}, Errorf(ENOTFOUND, "person.not_found", "person", arg)
	}
	return e, err
}

// otherProfile shows someone's public profile: unit, site and skills, never their feedback,
// e-mail, capacity or interests.
func (b *Bot) otherProfile(ctx context.Context, c *Call, arg string) (Reply, error) {
	e, err := b.findPerson(ctx, c, arg)
	if err != nil {
		return Reply{}, err
	}
	return Reply{
		Title: c.T("profile.title", "name", orNone(c, e.DisplayName)),
		Sections: []Section{{Fields: []Field{
			{Label: c.T("profile.field.unit"), Value: unitText(c, e.Unit)},
			{Label: c.T("profile.field.department"), Value: unitText(c, e.Department)},
			{Label: c.T("profile.field.site"), Value: siteText(c, e.Site)},
			{Label: c.T("profile.field.skills"), Value: skillsText(c, e.Skills)},
		}}},
	}, nil
}

// parseProfileUpdate validates key=value arguments against the catalogue; every problem names
// the field and how to fix it.
func parseProfileUpdate(a Args, catalogue []Skill) (ProfileUpdate, error) {
	var u ProfileUpdate
	// The grammar has checked the keys (canonical, each once), the capacity's bounds and the
	// language's value.
	for _, k := range a.AllKeys() {
		v := a.Named[k]
		switch k {
		case "nome":
			v = strings.Join(strings.Fields(v), " ")
			if v == "" {
				return u, Errorf(EINVALID, "profile.name_empty")
			}
			if utf8.RuneCountInString(v) > MaxDisplayName {
				return u, Errorf(EINVALID, "profile.too_long", "field", k, "max", MaxDisplayName)
			}
			u.DisplayName = &v
		case "competenze":
			skills, err := parseSkillLevels(v, catalogue)
			if err != nil {
				return u, err
			}
			u.Skills = &skills
		case "interessi":
			interests, err := parseInterests(k, v)
			if err != nil {
				return u, err
			}
			u.Interests = &interests
		case "capacita":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < MinCapacity || n > MaxCapacity {
				return u, Errorf(EINVALID, "profile.bad_capacity", "value", v, "max", MaxCapacity)
			}
			u.Capacity = &n
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

// parseSkillLevels reads "gis:3, appalti:2, bilancio" (level 1 when omitted). Codes are matched
// case-insensitively against the catalogue codes and names; an unknown one is refused with the
// closest catalogue entry as a suggestion.
func parseSkillLevels(v string, catalogue []Skill) ([]SkillInput, error) {
	out := []SkillInput{}
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, levelText, hasLevel := strings.Cut(item, ":")
		name = strings.ToLower(strings.Join(strings.Fields(name), " "))
		level := LevelBase
		if hasLevel {
			n, err := strconv.Atoi(strings.TrimSpace(levelText))
			if err != nil || n < LevelBase || n > LevelExpert {
				return nil, Errorf(EINVALID, "profile.bad_level", "skill", name, "value", strings.TrimSpace(levelText))
			}
			level = n
		}
		sk, err := catalogueSkill(catalogue, name, "profile.unknown_skill_suggest",
			Errorf(EINVALID, "profile.unknown_skill", "skill", name))
		if err != nil {
			return nil, err
		}
		dup := false
		for i := range out {
			if out[i].Code == sk.Code {
				out[i].Level, dup = level, true
			}
		}
		if !dup {
			out = append(out, SkillInput{Code: sk.Code, Level: level})
		}
	}
	if len(out) > MaxProfileSkills {
		return nil, Errorf(EINVALID, "profile.too_many_skills", "max", MaxProfileSkills)
	}
	return out, nil
}

// catalogueSkill finds name in the catalogue; when it is not there it answers with the closest
// entry under suggestKey (arguments skill and suggestion), or with unknown when nothing is close.
func catalogueSkill(catalogue []Skill, name, suggestKey string, unknown *Error) (Skill, error) {
	if sk, ok := findSkill(catalogue, name); ok {
		return sk, nil
	}
	if s := suggestSkill(catalogue, name); s != "" {
		return Skill{}, Errorf(EINVALID, suggestKey, "skill", name, "suggestion", s)
	}
	return Skill{}, unknown
}

func findSkill(catalogue []Skill, name string) (Skill, bool) {
	for _, s := range catalogue {
		if strings.EqualFold(s.Code, name) || strings.EqualFold(s.NameIT, name) || strings.EqualFold(s.NameEN, name) {
			return s, true
		}
	}
	return Skill{}, false
}

// suggestSkill returns the catalogue code closest to name: a code or name that starts with it
// or contains it, else the smallest edit distance within a third of the word's length.
func suggestSkill(catalogue []Skill, name string) string {
	best, bestD := "", utf8.RuneCountInString(name)/3+1
	for _, s := range catalogue {
		for _, w := range []string{s.Code, strings.ToLower(s.NameIT), strings.ToLower(s.NameEN)} {
			if len(name) >= 3 && (strings.HasPrefix(w, name) || strings.Contains(w, name)) {
				return s.Code
			}
			if d := edlib.OSADamerauLevenshteinDistance(name, w); d < bestD {
				best, bestD = s.Code, d
			}
		}
	}
	return best
}

// parseInterests reads a comma-separated list of free-text interests.
func parseInterests(key, v string) ([]string, error) {
	out := []string{}
	for _, s := range strings.Split(v, ",") {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" || slices.Contains(out, s) {
			continue
		}
		if utf8.RuneCountInString(s) > MaxInterestLen {
			return nil, Errorf(EINVALID, "profile.too_long", "field", key, "max", MaxInterestLen)
		}
		out = append(out, s)
	}
	if len(out) > MaxInterests {
		return nil, Errorf(EINVALID, "profile.too_many_interests", "max", MaxInterests)
	}
	return out, nil
}

func orNone(c *Call, s string) string {
	if s == "" {
		return c.T("profile.none")
	}
	return s
}

func unitText(c *Call, u *UnitRef) string {
	if u == nil {
		return c.T("profile.none")
	}
	return u.Name + " (" + u.Type + ")"
}

func siteText(c *Call, s *SiteRef) string {
	if s == nil {
		return c.T("profile.none")
	}
	return s.Name
}

// skillsText renders "GIS (esperto), Appalti (intermedio)".
func skillsText(c *Call, skills []SkillLevel) string {
	if len(skills) == 0 {
		return c.T("profile.none")
	}
	parts := make([]string, len(skills))
	for i, s := range skills {
		parts[i] = s.Name(c.Locale) + " (" + c.T("level."+strconv.Itoa(s.Level)) + ")"
	}
	return strings.Join(parts, ", ")
}

// skillsValue renders skills as the profile command takes them: "gis:3, appalti:2".
func skillsValue(skills []SkillLevel) string {
	parts := make([]string, len(skills))
	for i, s := range skills {
		parts[i] = s.Code + ":" + strconv.Itoa(s.Level)
	}
	return strings.Join(parts, ", ")
}

func rolesText(c *Call, e Employee) string {
	roles := []string{c.T("role." + string(RoleEmployee))}
	for _, r := range e.Roles {
		if r == RoleEmployee {
			continue
		}
		text := c.T("role." + string(r))
		if r == RoleManager && len(e.ManagedUnits) > 0 {
			names := make([]string, len(e.ManagedUnits))
			for i, u := range e.ManagedUnits {
				names[i] = u.Name
			}
			text += " (" + strings.Join(names, ", ") + ")"
		}
		roles = append(roles, text)
	}
	return strings.Join(roles, ", ")
}

func profileReply(c *Call, e Employee, notice string) Reply {
	lang := c.T("profile.locale_auto")
	if e.Locale != "" {
		lang = c.T("locale." + e.Locale)
	}
	interests := orNone(c, strings.Join(e.Interests, ", "))
	return Reply{
		// One's own profile shows capacity, interests and language, which others never see.
		Private: true,
		Title:   c.T("profile.title", "name", orNone(c, e.DisplayName)),
		Text:    notice,
		Sections: []Section{{Fields: []Field{
			{Label: c.T("profile.field.name"), Value: orNone(c, e.DisplayName)},
			{Label: c.T("profile.field.unit"), Value: unitText(c, e.Unit)},
			{Label: c.T("profile.field.department"), Value: unitText(c, e.Department)},
			{Label: c.T("profile.field.site"), Value: siteText(c, e.Site)},
			{Label: c.T("profile.field.skills"), Value: skillsText(c, e.Skills)},
			{Label: c.T("profile.field.interests"), Value: interests},
			{Label: c.T("profile.field.capacity"), Value: strconv.Itoa(e.Capacity)},
			{Label: c.T("profile.field.locale"), Value: lang},
			{Label: c.T("profile.field.roles"), Value: rolesText(c, e)},
		}}},
		Choices: []Choice{
			{Label: c.T("profile.edit_button"), Command: profileWord + " modifica", Style: StylePrimary},
			{Label: c.T("opportunities.button"), Command: "opportunita"},
			{Label: c.T("help.button"), Command: "aiuto " + profileWord},
		},
	}
}

func profileFormReply(c *Call, catalogue []Skill) Reply {
	e := c.Caller
	locale := e.Locale
	if locale == "" {
		locale = localeAuto
	}
	examples := make([]string, 0, 4)
	for _, s := range catalogue {
		if len(examples) == 4 {
			break
		}
		examples = append(examples, s.Code)
	}
	values := map[string]string{"nome": e.DisplayName, "competenze": skillsValue(e.Skills),
		"interessi": strings.Join(e.Interests, ", "), "capacita": strconv.Itoa(e.Capacity), "lingua": locale}
	return Reply{
		Text: c.T("profile.form_intro"),
		Form: &Form{ID: profileForm, Title: c.T("profile.form_title"), SubmitLabel: c.T("form.save"), Submit: profileWord + " modifica",
			Fields: formFields(c, profileFields, values, "examples", strings.Join(examples, ", "))},
	}
}
