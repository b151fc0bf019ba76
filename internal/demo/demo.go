// Package demo generates a realistic synthetic municipality — sites, org chart, skills
// catalogue, strategic objectives and staff — so that a newcomer can try Cantieri on a populated
// database (`cantieri seed demo`) and benchmarks have believable data.
//
// The council looks like the Comune di Prato: six Aree, about twenty Settori, about seventy
// Servizi and a few Uffici, offices across town, the competences a public administration needs
// and people with Italian names (and some of the other communities that live in Prato). It is
// pure: no I/O besides writing CSV to an io.Writer, and deterministic: the same Options give
// the same bytes, on any machine, because every random choice comes from one PCG stream seeded
// from Options.Seed and no map is ever iterated.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/comune-prato/cantieri/bot"
)

// Limits and defaults of Generate.
const (
	// DefaultEmployees is the staff of a comune of about 190,000 inhabitants.
	DefaultEmployees = 1500
	// MinEmployees is enough people for every Servizio and Ufficio to have someone, which
	// keeps every Settore populated and the dirigenti placed.
	MinEmployees = 100
	// MaxEmployees bounds the work (and memory) of one call; benchmarks use 50,000.
	MaxEmployees = 200_000
)

// Fixed values of the generated staff.
const (
	// Domain is the e-mail domain of every employee.
	Domain = "comune.prato.it"
	// Timezone is every employee's time zone.
	Timezone = "Europe/Rome"
)

// Demo people who exist whatever the seed, so that the README can name them.
const (
	// DemoHandle is an employee of the Settore Urbanistica with planning and GIS skills.
	DemoHandle = "mario.rossi"
	// DemoManagerHandle is the dirigente of the Settore Urbanistica (DemoHandle's Settore).
	DemoManagerHandle = "giulia.cecchi"
	// DemoAdminHandle is the administrator, in the Settore Sistemi Informativi.
	DemoAdminHandle = "laura.bardazzi"
)

// Unit types, from the top of the tree down. The bot's "department" level is the Settore.
const (
	TypeArea     = "Area"
	TypeSettore  = "Settore"
	TypeServizio = "Servizio"
	TypeUfficio  = "Ufficio"
)

// Options chooses the size and the randomness of a council.
type Options struct {
	// Employees is the staff size; 0 means DefaultEmployees.
	Employees int
	// Seed drives every random choice: the same seed gives the same council.
	Seed uint64
}

// Site is a building where units sit.
type Site struct {
	Code    string
	Name    string
	Address string
	// Adjacent lists the codes of the sites declared contiguous with this one. Each pair is
	// declared once, on the later site, so the list only names sites that come before.
	Adjacent []string
}

// Unit is an org unit: an Area, a Settore, a Servizio or an Ufficio.
type Unit struct {
	Code string
	Name string
	// Type is one of TypeArea, TypeSettore, TypeServizio, TypeUfficio.
	Type string
	// Parent is the parent unit's code, "" for an Area.
	Parent string
	// Site is the code of the site where the unit sits.
	Site string
}

// Objective is a strategic line (Parent "") or an operational objective under one.
type Objective struct {
	Code   string
	Title  string
	Parent string
}

// Employee is a member of staff as employees.csv describes them.
type Employee struct {
	Email string
	Name  string
	// Unit is the code of a Servizio or an Ufficio.
	Unit string
	// Skills are 2 to 6 skills with levels 1–3, sorted by code.
	Skills []bot.SkillInput
	// Interests are 0 to 3 free-text interests.
	Interests []string
	// Capacity is how many projects the employee takes on at once (1–3, mostly 2).
	Capacity int
	// Locale is "it", or "en" for a few.
	Locale   string
	Timezone string
	// Handle is the console identity: the e-mail's local part.
	Handle string
	Active bool
}

// Manager is a dirigente and the unit they head.
type Manager struct {
	Email    string
	UnitCode string
}

// Council is a generated municipality. Every slice is in the order its CSV file lists it, and
// parents (sites, units, objectives) come before what refers to them.
type Council struct {
	Sites      []Site
	Units      []Unit
	Skills     []bot.Skill
	Objectives []Objective
	Employees  []Employee

	managers []Manager
	admin    string
}

// Managers returns the natural dirigenti: one per Settore, heading it, in Settore order.
func (c *Council) Managers() []Manager { return slices.Clone(c.managers) }

// AdminEmail returns the e-mail of the employee who should be the bot's administrator.
func (c *Council) AdminEmail() string { return c.admin }

// UnitByCode returns the unit with code.
func (c *Council) UnitByCode(code string) (Unit, bool) {
	for _, u := range c.Units {
		if u.Code == code {
			return u, true
		}
	}
	return Unit{}, false
}

// EmployeeByHandle returns the employee with handle.
func (c *Council) EmployeeByHandle(handle string) (Employee, bool) {
	for _, e := range c.Employees {
		if e.Handle == handle {
			return e, true
		}
	}
	return Employee{}, false
}

// post is a unit where people are placed (a Servizio or an Ufficio) with what shapes them.
type post struct {
	unit   string
	area   int
	size   int
	female float64
	// profile lists the skills typical of the post, most typical first: the post's own
	// speciality (weightOwn), then the common ground of its Settore (or parent Servizio).
	profile []profileSkill
	// lead is the Settore's first core skill, the one its dirigente masters.
	lead string
}

// Profile weights: a post's speciality is drawn far more often than the common ground, so
// that an Urbanistica office is full of planners, not of generic clerks.
const (
	weightOwn    = 5
	weightCommon = 2
)

type profileSkill struct {
	code   string
	weight int
}

// settore remembers where a Settore's dirigente goes.
type settore struct {
	code      string
	name      string
	firstPost int
}

// Generate builds a council of opts.Employees people from opts.Seed.
func Generate(opts Options) (*Council, error) {
	n := opts.Employees
	if n == 0 {
		n = DefaultEmployees
	}
	if n < MinEmployees || n > MaxEmployees {
		return nil, fmt.Errorf("demo: %d employees: want between %d and %d", n, MinEmployees, MaxEmployees)
	}
	c := &Council{}
	posts, settori := c.organisation()
	// The second PCG word is a constant so that seed 0 is as good as any other.
	g := &generator{
		c: c, r: rand.New(rand.NewPCG(opts.Seed, 0x9e3779b97f4a7c15)),
		posts: posts, used: make(map[string]bool, n), next: map[string]int{},
	}
	if err := g.staff(n, settori); err != nil {
		return nil, err
	}
	return c, nil
}

// organisation fills the static part (sites, units, skills, objectives) and returns where
// people can be placed.
func (c *Council) organisation() ([]post, []settore) {
	for _, s := range siteDefs {
		c.Sites = append(c.Sites, Site{Code: s.code, Name: s.name, Address: s.address, Adjacent: slices.Clone(s.adjacent)})
	}
	for _, s := range skillDefs {
		c.Skills = append(c.Skills, bot.Skill{Code: s.code, NameIT: s.it, NameEN: s.en, Category: s.category})
	}
	for _, o := range objectiveDefs {
		c.Objectives = append(c.Objectives, Objective{Code: o.code, Title: o.title, Parent: o.parent})
	}
	var (
		posts   []post
		settori []settore
	)
	for ai, a := range areaDefs {
		aCode := fmt.Sprintf("A%02d", ai+1)
		c.Units = append(c.Units, Unit{Code: aCode, Name: a.name, Type: TypeArea, Site: a.site})
		for si, s := range a.settori {
			sCode := fmt.Sprintf("%s-S%02d", aCode, si+1)
			sSite := or(s.site, a.site)
			c.Units = append(c.Units, Unit{Code: sCode, Name: s.name, Type: TypeSettore, Parent: aCode, Site: sSite})
			settori = append(settori, settore{code: sCode, name: s.name, firstPost: len(posts)})
			for vi, v := range s.servizi {
				vCode := fmt.Sprintf("%s-V%02d", sCode, vi+1)
				vSite := or(v.site, sSite)
				c.Units = append(c.Units, Unit{Code: vCode, Name: v.name, Type: TypeServizio, Parent: sCode, Site: vSite})
				female := v.female
				if female == 0 {
					female = defaultFemale
				}
				posts = append(posts, post{unit: vCode, area: ai, size: v.size, female: female,
					profile: profile(v.skills, s.core), lead: s.core[0]})
				for ui, u := range v.uffici {
					uCode := fmt.Sprintf("%s-U%02d", vCode, ui+1)
					c.Units = append(c.Units, Unit{Code: uCode, Name: u.name, Type: TypeUfficio, Parent: vCode, Site: or(u.site, vSite)})
					posts = append(posts, post{unit: uCode, area: ai, size: u.size, female: female,
						profile: profile(u.skills, append(slices.Clone(v.skills), s.core...)), lead: s.core[0]})
				}
			}
		}
	}
	return posts, settori
}

// profile merges a unit's own skills with the common ground around it.
func profile(own, common []string) []profileSkill {
	var p []profileSkill
	for _, code := range own {
		if !slices.ContainsFunc(p, func(x profileSkill) bool { return x.code == code }) {
			p = append(p, profileSkill{code, weightOwn})
		}
	}
	for _, code := range common {
		if !slices.ContainsFunc(p, func(x profileSkill) bool { return x.code == code }) {
			p = append(p, profileSkill{code, weightCommon})
		}
	}
	return p
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// generator holds the random stream and the e-mail addresses taken so far.
type generator struct {
	c     *Council
	r     *rand.Rand
	posts []post
	// used holds the e-mail local parts already given, next the next suffix to try for a
	// name (both looked up, never iterated).
	used map[string]bool
	next map[string]int
}

// fixedPerson is a demo person who exists whatever the seed.
type fixedPerson struct {
	given, family string
	unitName      string
	skills        []bot.SkillInput
	interests     []string
}

var (
	fixedManager = fixedPerson{given: "Giulia", family: "Cecchi", unitName: "Settore Urbanistica",
		skills: []bot.SkillInput{{Code: "urbanistica", Level: 3}, {Code: "edilizia", Level: 3}, {Code: "diritto-amministrativo", Level: 3},
			{Code: "gestione-risorse-umane", Level: 2}, {Code: "project-management", Level: 2}, {Code: "valutazione-politiche", Level: 1}},
		interests: []string{"rigenerazione urbana", "cartografia storica"}}
	fixedEmployee = fixedPerson{given: "Mario", family: "Rossi", unitName: "Servizio Pianificazione Urbanistica",
		skills: []bot.SkillInput{{Code: "urbanistica", Level: 3}, {Code: "gis", Level: 2}, {Code: "project-management", Level: 2},
			{Code: "fondi-europei", Level: 1}, {Code: "comunicazione", Level: 1}},
		interests: []string{"rigenerazione urbana", "mobilità ciclabile", "storia di Prato"}}
	fixedAdmin = fixedPerson{given: "Laura", family: "Bardazzi", unitName: "Servizio Applicativi e Servizi Digitali",
		skills: []bot.SkillInput{{Code: "transizione-digitale", Level: 3}, {Code: "servizi-digitali", Level: 3}, {Code: "open-data", Level: 2},
			{Code: "privacy-gdpr", Level: 2}, {Code: "project-management", Level: 2}},
		interests: []string{"software libero", "linguaggio chiaro"}}
)

// staff places n people: first a dirigente per Settore, then the demo people, then everyone
// else in a shuffled order, each Servizio and Ufficio getting a share of n proportional to its
// size (at least one each).
func (g *generator) staff(n int, settori []settore) error {
	sizes := make([]int, len(g.posts))
	for i, p := range g.posts {
		sizes[i] = p.size
	}
	quota := apportion(sizes, n)
	g.c.Employees = make([]Employee, 0, n)
	postOf := func(name string) (int, error) {
		for i, p := range g.posts {
			if u, _ := g.c.UnitByCode(p.unit); u.Name == name {
				return i, nil
			}
		}
		return 0, fmt.Errorf("demo: no unit %q", name)
	}
	take := func(i int) {
		if quota[i] == 0 {
			i = slices.Index(quota, slices.Max(quota))
		}
		quota[i]--
	}
	for _, f := range []fixedPerson{fixedManager, fixedEmployee, fixedAdmin} {
		g.used[localPart(f.given, f.family)] = true
	}

	for _, s := range settori {
		take(s.firstPost)
		var e Employee
		if s.name == fixedManager.unitName {
			e = g.fixed(fixedManager, g.posts[s.firstPost].unit)
		} else {
			e = g.person(&g.posts[s.firstPost], true)
		}
		g.c.Employees = append(g.c.Employees, e)
		g.c.managers = append(g.c.managers, Manager{Email: e.Email, UnitCode: s.code})
	}
	for _, f := range []fixedPerson{fixedEmployee, fixedAdmin} {
		i, err := postOf(f.unitName)
		if err != nil {
			return err
		}
		take(i)
		g.c.Employees = append(g.c.Employees, g.fixed(f, g.posts[i].unit))
	}
	g.c.admin = localPart(fixedAdmin.given, fixedAdmin.family) + "@" + Domain

	slots := make([]int, 0, n)
	for i, q := range quota {
		for range q {
			slots = append(slots, i)
		}
	}
	g.r.Shuffle(len(slots), func(a, b int) { slots[a], slots[b] = slots[b], slots[a] })
	for _, i := range slots {
		g.c.Employees = append(g.c.Employees, g.person(&g.posts[i], false))
	}
	return nil
}

// apportion splits n among sizes proportionally (largest remainder), after one each when n
// allows it, so that no unit is left empty and the total is exactly n.
func apportion(sizes []int, n int) []int {
	q := make([]int, len(sizes))
	rest := n
	if n >= len(sizes) {
		for i := range q {
			q[i] = 1
		}
		rest -= len(sizes)
	}
	total := 0
	for _, s := range sizes {
		total += s
	}
	type remainder struct{ i, r int }
	rems := make([]remainder, len(sizes))
	given := 0
	for i, s := range sizes {
		q[i] += rest * s / total
		given += rest * s / total
		rems[i] = remainder{i, rest * s % total}
	}
	slices.SortStableFunc(rems, func(a, b remainder) int { return b.r - a.r })
	for k := 0; k < rest-given; k++ {
		q[rems[k].i]++
	}
	return q
}

func (g *generator) fixed(f fixedPerson, unit string) Employee {
	local := localPart(f.given, f.family)
	return Employee{
		Email: local + "@" + Domain, Name: f.given + " " + f.family, Unit: unit,
		Skills: sortedSkills(slices.Clone(f.skills)), Interests: slices.Clone(f.interests),
		Capacity: 2, Locale: "it", Timezone: Timezone, Handle: local, Active: true,
	}
}

// person draws one employee of post p; a dirigente has more and deeper skills in the Settore's
// field plus managerial ones.
func (g *generator) person(p *post, dirigente bool) Employee {
	r := g.r
	o := &origins[pickWeighted(r, originShares)]
	names := o.male
	if r.Float64() < p.female {
		names = o.female
	}
	given := names[pickNames(r, names)].name
	family := o.family[pickNames(r, o.family)].name
	local := g.unique(localPart(given, family))

	e := Employee{
		Email: local + "@" + Domain, Name: given + " " + family, Unit: p.unit,
		Skills: g.skills(p, dirigente), Interests: g.interests(p),
		Capacity: 2, Locale: "it", Timezone: Timezone, Handle: local, Active: true,
	}
	switch x := r.IntN(100); {
	case dirigente && x < 50, !dirigente && x < 12:
		e.Capacity = 1 // busy people, part-timers
	case !dirigente && x >= 87:
		e.Capacity = 3
	}
	if r.IntN(100) < 3 {
		e.Locale = "en"
	}
	return e
}

// unique returns local, or local2, local3… if taken: how mail systems disambiguate namesakes.
// next remembers where each name's count got to, so that the 300th Marco Rossi of a large
// council costs one lookup, not 300.
func (g *generator) unique(local string) string {
	if !g.used[local] {
		g.used[local] = true
		return local
	}
	for k := max(g.next[local], 2); ; k++ {
		candidate := local + strconv.Itoa(k)
		if !g.used[candidate] {
			g.used[candidate] = true
			g.next[local] = k + 1
			return candidate
		}
	}
}

// Level distributions (weights of levels 1, 2, 3): a unit's speciality is held deeper than the
// Settore's common ground, and transversal skills are mostly basic.
var (
	levelsOwn        = []int{15, 45, 40}
	levelsCommon     = []int{30, 45, 25}
	levelsDirigente  = []int{0, 35, 65}
	levelsTransverse = []int{60, 40, 0}
	levelsWildcard   = []int{65, 30, 5}
)

// How many skills of each kind a person has (weights of 0, 1, 2, 3…).
var (
	countCore       = []int{0, 30, 45, 25} // the speciality included
	countTransverse = []int{20, 40, 30, 10}
	countInterests  = []int{30, 35, 25, 10}
)

// skills draws 2–6 skills: the post's speciality first (a dirigente's is the Settore's lead
// skill, at expert level), more of the post's profile, then transversal ones, sometimes one
// from anywhere (a previous job, a hobby).
func (g *generator) skills(p *post, dirigente bool) []bot.SkillInput {
	r := g.r
	out := make([]bot.SkillInput, 0, 8)
	has := func(code string) bool {
		return slices.ContainsFunc(out, func(s bot.SkillInput) bool { return s.Code == code })
	}
	// pick draws a skill of the profile not yet held, among those of at least minWeight.
	pick := func(minWeight int) {
		total := 0
		for _, ps := range p.profile {
			if ps.weight >= minWeight && !has(ps.code) {
				total += ps.weight
			}
		}
		if total == 0 {
			return
		}
		x := r.IntN(total)
		for _, ps := range p.profile {
			if ps.weight < minWeight || has(ps.code) {
				continue
			}
			if x -= ps.weight; x < 0 {
				dist := levelsCommon
				switch {
				case dirigente:
					dist = levelsDirigente
				case ps.weight == weightOwn:
					dist = levelsOwn
				}
				out = append(out, bot.SkillInput{Code: ps.code, Level: pickWeighted(r, dist) + 1})
				return
			}
		}
	}
	nCore := pickWeighted(r, countCore)
	if dirigente {
		out = append(out, bot.SkillInput{Code: p.lead, Level: bot.LevelExpert})
		nCore = 1 + r.IntN(2)
	} else {
		pick(weightOwn)
		nCore--
	}
	for range nCore {
		pick(0)
	}
	if dirigente {
		for range 1 + r.IntN(2) {
			if code := managerial[r.IntN(len(managerial))]; !has(code) {
				out = append(out, bot.SkillInput{Code: code, Level: 2 + r.IntN(2)})
			}
		}
	}
	for range pickWeighted(r, countTransverse) {
		if code := transversal[r.IntN(len(transversal))]; !has(code) {
			out = append(out, bot.SkillInput{Code: code, Level: pickWeighted(r, levelsTransverse) + 1})
		}
	}
	if r.IntN(100) < 15 {
		if code := skillDefs[r.IntN(len(skillDefs))].code; !has(code) {
			out = append(out, bot.SkillInput{Code: code, Level: pickWeighted(r, levelsWildcard) + 1})
		}
	}
	for len(out) < 2 {
		if code := transversal[r.IntN(len(transversal))]; !has(code) {
			out = append(out, bot.SkillInput{Code: code, Level: 1})
		}
	}
	if len(out) > 6 {
		out = out[:6] // the profile's skills come first and are the ones worth keeping
	}
	return sortedSkills(out)
}

func sortedSkills(s []bot.SkillInput) []bot.SkillInput {
	slices.SortFunc(s, func(a, b bot.SkillInput) int { return strings.Compare(a.Code, b.Code) })
	return s
}

// interests draws 0–3 interests, half from the person's Area, half from anybody's.
func (g *generator) interests(p *post) []string {
	r := g.r
	n := pickWeighted(r, countInterests)
	if n == 0 {
		return nil
	}
	area := areaDefs[p.area].interests
	out := make([]string, 0, n)
	for tries := 0; len(out) < n && tries < 10; tries++ {
		list := generalInterests
		if r.IntN(2) == 0 {
			list = area
		}
		if s := list[r.IntN(len(list))]; !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

var originShares = func() []int {
	w := make([]int, len(origins))
	for i, o := range origins {
		w[i] = o.share
	}
	return w
}()

// pickWeighted returns an index drawn with the given weights.
func pickWeighted(r *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x -= w; x < 0 {
			return i
		}
	}
	return len(weights) - 1
}

func pickNames(r *rand.Rand, names []weighted) int {
	total := 0
	for _, n := range names {
		total += n.w
	}
	x := r.IntN(total)
	for i, n := range names {
		if x -= n.w; x < 0 {
			return i
		}
	}
	return len(names) - 1
}

// localPart turns a name into an e-mail local part: "Niccolò D'Angelo" → "niccolo.dangelo".
func localPart(given, family string) string {
	return slug(given) + "." + slug(family)
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'à', 'á':
			r = 'a'
		case 'è', 'é':
			r = 'e'
		case 'ì', 'í':
			r = 'i'
		case 'ò', 'ó':
			r = 'o'
		case 'ù', 'ú':
			r = 'u'
		}
		if r >= 'a' && r <= 'z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
