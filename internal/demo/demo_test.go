package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/comune-prato/cantieri/bot"
)

func generate(t testing.TB, n int, seed uint64) *Council {
	t.Helper()
	c, err := Generate(Options{Employees: n, Seed: seed})
	if err != nil {
		t.Fatalf("Generate(%d, %d): %v", n, seed, err)
	}
	return c
}

func TestSameSeedSameBytesOtherSeedOtherPeople(t *testing.T) {
	t.Parallel()
	a, b, other := generate(t, 0, 7), generate(t, 0, 7), generate(t, 0, 8)
	for _, k := range bot.ImportKinds {
		if !bytes.Equal(a.CSV(k), b.CSV(k)) {
			t.Errorf("%s: two councils from seed 7 differ", k)
		}
	}
	// The organisation is the same whatever the seed; the people are not.
	for _, k := range []bot.ImportKind{bot.ImportSites, bot.ImportUnits, bot.ImportSkills, bot.ImportObjectives} {
		if !bytes.Equal(a.CSV(k), other.CSV(k)) {
			t.Errorf("%s: differs between seeds 7 and 8", k)
		}
	}
	if bytes.Equal(a.CSV(bot.ImportEmployees), other.CSV(bot.ImportEmployees)) {
		t.Fatal("seeds 7 and 8 give the same employees")
	}
	same := 0
	for i := range a.Employees {
		if a.Employees[i].Email == other.Employees[i].Email {
			same++
		}
	}
	// Only the fixed demo people sit at the same row whatever the seed (and the odd namesake).
	if same > 10 {
		t.Errorf("%d of %d employees are the same person at the same row under seeds 7 and 8", same, len(a.Employees))
	}
}

func TestCounts(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, MinEmployees, 200, 5000} {
		c := generate(t, n, 1)
		types := map[string]int{}
		for _, u := range c.Units {
			types[u.Type]++
		}
		want := n
		if n == 0 {
			want = DefaultEmployees
		}
		if len(c.Employees) != want {
			t.Errorf("n=%d: %d employees, want %d", n, len(c.Employees), want)
		}
		if types[TypeArea] != 6 || types[TypeSettore] < 18 || types[TypeSettore] > 24 ||
			types[TypeServizio] < 60 || types[TypeServizio] > 80 || types[TypeUfficio] < 5 {
			t.Errorf("unit types = %v, want 6 Aree, ~20 Settori, ~70 Servizi, some Uffici", types)
		}
		if len(c.Sites) < 10 || len(c.Skills) < 35 || len(c.Objectives) < 15 {
			t.Errorf("%d sites, %d skills, %d objectives", len(c.Sites), len(c.Skills), len(c.Objectives))
		}
		if len(c.Managers()) != types[TypeSettore] {
			t.Errorf("%d managers for %d Settori", len(c.Managers()), types[TypeSettore])
		}
	}
}

func TestOptionsOutOfRangeAreRefused(t *testing.T) {
	t.Parallel()
	for _, n := range []int{-1, 1, MinEmployees - 1, MaxEmployees + 1} {
		if _, err := Generate(Options{Employees: n}); err == nil {
			t.Errorf("Generate(%d employees) accepted", n)
		}
	}
}

var (
	codeRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
	skillRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	emailRE = regexp.MustCompile(`^[a-z]+\.[a-z]+[0-9]*@comune\.prato\.it$`)
)

// TestEveryReferenceIsValid checks what the importer and the database will check: codes,
// references to earlier rows, a well-formed tree, unique e-mails and handles, skills from the
// catalogue at levels 1–3, and every Settore, Servizio and Ufficio staffed.
func TestEveryReferenceIsValid(t *testing.T) {
	t.Parallel()
	sizes := []int{MinEmployees, DefaultEmployees}
	if !testing.Short() {
		sizes = append(sizes, 20_000)
	}
	for _, n := range sizes {
		for _, seed := range []uint64{0, 1, 42} {
			t.Run(fmt.Sprintf("n=%d/seed=%d", n, seed), func(t *testing.T) {
				t.Parallel()
				checkCouncil(t, generate(t, n, seed))
			})
		}
	}
}

func checkCouncil(t *testing.T, c *Council) {
	t.Helper()
	sites := map[string]bool{}
	for _, s := range c.Sites {
		if !codeRE.MatchString(s.Code) || sites[s.Code] || s.Name == "" || s.Address == "" {
			t.Errorf("bad or duplicate site %+v", s)
		}
		for _, a := range s.Adjacent {
			if !sites[a] {
				t.Errorf("site %s: adjacent %q is not an earlier site", s.Code, a)
			}
		}
		sites[s.Code] = true
	}

	units := map[string]Unit{}
	names := map[string]bool{}
	parentType := map[string]string{TypeArea: "", TypeSettore: TypeArea, TypeServizio: TypeSettore, TypeUfficio: TypeServizio}
	for _, u := range c.Units {
		if !codeRE.MatchString(u.Code) || units[u.Code].Code != "" || names[u.Name] || u.Name == "" {
			t.Errorf("bad or duplicate unit %+v", u)
		}
		want, ok := parentType[u.Type]
		if !ok || units[u.Parent].Type != want || (want == "") != (u.Parent == "") {
			t.Errorf("unit %s (%s): parent %q is not an earlier %s", u.Code, u.Type, u.Parent, want)
		}
		if !sites[u.Site] {
			t.Errorf("unit %s: unknown site %q", u.Code, u.Site)
		}
		units[u.Code], names[u.Name] = u, true
	}
	settoreOf := func(code string) string {
		for u := units[code]; u.Code != ""; u = units[u.Parent] {
			if u.Type == TypeSettore {
				return u.Code
			}
		}
		return ""
	}

	skills := map[string]bool{}
	for _, s := range c.Skills {
		if !skillRE.MatchString(s.Code) || skills[s.Code] || s.NameIT == "" || s.NameEN == "" || s.Category == "" ||
			len(s.NameIT) > 120 || len(s.NameEN) > 120 {
			t.Errorf("bad or duplicate skill %+v", s)
		}
		skills[s.Code] = true
	}
	objectives := map[string]bool{}
	for _, o := range c.Objectives {
		if !codeRE.MatchString(o.Code) || objectives[o.Code] || o.Title == "" || (o.Parent != "" && !objectives[o.Parent]) {
			t.Errorf("bad or duplicate objective %+v", o)
		}
		objectives[o.Code] = true
	}

	emails, handles := map[string]bool{}, map[string]bool{}
	staffed := map[string]int{}
	for _, e := range c.Employees {
		local, _, _ := strings.Cut(e.Email, "@")
		if !emailRE.MatchString(e.Email) || emails[e.Email] || handles[e.Handle] || e.Handle != local || len(e.Handle) > 64 {
			t.Errorf("bad or duplicate e-mail or handle: %s %s", e.Email, e.Handle)
		}
		emails[e.Email], handles[e.Handle] = true, true
		if u := units[e.Unit]; u.Type != TypeServizio && u.Type != TypeUfficio {
			t.Errorf("%s: unit %q is not a Servizio or an Ufficio", e.Email, e.Unit)
		}
		for u := units[e.Unit]; u.Code != ""; u = units[u.Parent] {
			staffed[u.Code]++
		}
		if len(e.Skills) < 2 || len(e.Skills) > 6 {
			t.Errorf("%s: %d skills", e.Email, len(e.Skills))
		}
		held := map[string]bool{}
		for _, s := range e.Skills {
			if !skills[s.Code] || held[s.Code] || s.Level < bot.LevelBase || s.Level > bot.LevelExpert {
				t.Errorf("%s: bad or repeated skill %s:%d", e.Email, s.Code, s.Level)
			}
			held[s.Code] = true
		}
		if len(e.Interests) > 3 {
			t.Errorf("%s: %d interests", e.Email, len(e.Interests))
		}
		for _, i := range e.Interests {
			if i == "" || strings.ContainsAny(i, ";\n") {
				t.Errorf("%s: bad interest %q", e.Email, i)
			}
		}
		if e.Name == "" || e.Capacity < 1 || e.Capacity > 3 || (e.Locale != "it" && e.Locale != "en") ||
			e.Timezone != "Europe/Rome" || !e.Active {
			t.Errorf("bad employee %+v", e)
		}
	}
	for _, u := range c.Units {
		if staffed[u.Code] == 0 {
			t.Errorf("%s %s (%s) has nobody in it or below it", u.Type, u.Code, u.Name)
		}
	}

	heads := map[string]bool{}
	for _, m := range c.Managers() {
		if units[m.UnitCode].Type != TypeSettore || heads[m.UnitCode] || !emails[m.Email] {
			t.Errorf("bad manager %+v", m)
		}
		heads[m.UnitCode] = true
		e, _ := c.EmployeeByHandle(strings.TrimSuffix(m.Email, "@"+Domain))
		if settoreOf(e.Unit) != m.UnitCode {
			t.Errorf("manager %s works in %s, outside the Settore %s they head", m.Email, e.Unit, m.UnitCode)
		}
	}
	if !emails[c.AdminEmail()] {
		t.Errorf("admin %q is not an employee", c.AdminEmail())
	}
}

func TestDemoPeopleAreThereWhateverTheSeed(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{0, 1, 99} {
		c := generate(t, MinEmployees, seed)
		mario, ok := c.EmployeeByHandle(DemoHandle)
		if !ok || mario.Name != "Mario Rossi" || mario.Email != "mario.rossi@comune.prato.it" {
			t.Fatalf("seed %d: %s is missing or wrong: %+v", seed, DemoHandle, mario)
		}
		unit, _ := c.UnitByCode(mario.Unit)
		settore, _ := c.UnitByCode(unit.Parent)
		if settore.Name != "Settore Urbanistica" || !hasSkill(mario, "urbanistica", 3) {
			t.Errorf("seed %d: %s is in %s / %s with %v", seed, DemoHandle, unit.Name, settore.Name, mario.Skills)
		}
		if c.AdminEmail() != DemoAdminHandle+"@"+Domain {
			t.Errorf("seed %d: admin = %s", seed, c.AdminEmail())
		}
		found := false
		for _, m := range c.Managers() {
			found = found || (m.Email == DemoManagerHandle+"@"+Domain && m.UnitCode == settore.Code)
		}
		if !found {
			t.Errorf("seed %d: %s does not head %s: %v", seed, DemoManagerHandle, settore.Code, c.Managers())
		}
	}
}

func hasSkill(e Employee, code string, minLevel int) bool {
	for _, s := range e.Skills {
		if s.Code == code && s.Level >= minLevel {
			return true
		}
	}
	return false
}

// TestSkillsFollowTheUnit checks that a unit's people look like it: most Urbanistica staff
// plan, map or permit buildings at an intermediate level or better, and most of the
// Polizia Municipale know administrative policing.
func TestSkillsFollowTheUnit(t *testing.T) {
	t.Parallel()
	c := generate(t, DefaultEmployees, 3)
	under := func(prefix string, skills ...string) (n, with int) {
		for _, e := range c.Employees {
			if !strings.HasPrefix(e.Unit, prefix) {
				continue
			}
			n++
			for _, s := range skills {
				if hasSkill(e, s, 2) {
					with++
					break
				}
			}
		}
		return n, with
	}
	cases := []struct {
		settore string
		skills  []string
	}{
		{"Settore Urbanistica", []string{"urbanistica", "gis", "edilizia"}},
		{"Settore Bilancio e Finanze", []string{"bilancio", "controllo-gestione", "fondi-europei", "analisi-costi-benefici"}},
		{"Settore Sistemi Informativi e Transizione Digitale", []string{"transizione-digitale", "sicurezza-informatica", "sviluppo-software", "servizi-digitali", "open-data", "analisi-dati"}},
	}
	for _, tc := range cases {
		var code string
		for _, u := range c.Units {
			if u.Name == tc.settore {
				code = u.Code
			}
		}
		n, with := under(code+"-", tc.skills...)
		if n < 10 || with*10 < n*6 {
			t.Errorf("%s: %d of %d people have %v at level 2 or more", tc.settore, with, n, tc.skills)
		}
	}
}

// TestCSVRoundTrip parses every file back with encoding/csv, the way the importer will, and
// finds the council in it.
func TestCSVRoundTrip(t *testing.T) {
	t.Parallel()
	c := generate(t, 300, 5)
	read := func(kind bot.ImportKind) [][]string {
		t.Helper()
		r := csv.NewReader(bytes.NewReader(c.CSV(kind)))
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if strings.Join(recs[0], ",") != strings.Join(Header(kind), ",") {
			t.Fatalf("%s: header %v", kind, recs[0])
		}
		return recs[1:]
	}
	sites := read(bot.ImportSites)
	if len(sites) != len(c.Sites) {
		t.Fatalf("%d site rows", len(sites))
	}
	for i, row := range sites {
		s := c.Sites[i]
		if row[0] != s.Code || row[1] != s.Name || row[2] != s.Address || row[3] != strings.Join(s.Adjacent, ";") {
			t.Errorf("site row %v, want %+v", row, s)
		}
	}
	units := read(bot.ImportUnits)
	for i, row := range units {
		u := c.Units[i]
		if fmt.Sprint(row) != fmt.Sprint([]string{u.Code, u.Name, u.Type, u.Parent, u.Site}) {
			t.Errorf("unit row %v, want %+v", row, u)
		}
	}
	for i, row := range read(bot.ImportSkills) {
		s := c.Skills[i]
		if fmt.Sprint(row) != fmt.Sprint([]string{s.Code, s.NameIT, s.NameEN, s.Category}) {
			t.Errorf("skill row %v, want %+v", row, s)
		}
	}
	for i, row := range read(bot.ImportObjectives) {
		o := c.Objectives[i]
		if fmt.Sprint(row) != fmt.Sprint([]string{o.Code, o.Title, o.Parent}) {
			t.Errorf("objective row %v, want %+v", row, o)
		}
	}
	employees := read(bot.ImportEmployees)
	if len(employees) != len(c.Employees) {
		t.Fatalf("%d employee rows", len(employees))
	}
	for i, row := range employees {
		e := c.Employees[i]
		var skills []bot.SkillInput
		for _, part := range strings.Split(row[3], ";") {
			code, level, _ := strings.Cut(part, ":")
			l, err := strconv.Atoi(level)
			if err != nil {
				t.Fatalf("row %d: skill %q", i, part)
			}
			skills = append(skills, bot.SkillInput{Code: code, Level: l})
		}
		var interests []string
		if row[4] != "" {
			interests = strings.Split(row[4], ";")
		}
		got := Employee{Email: row[0], Name: row[1], Unit: row[2], Skills: skills, Interests: interests,
			Locale: row[6], Timezone: row[7], Handle: row[8], Active: row[10] == "true"}
		got.Capacity, _ = strconv.Atoi(row[5])
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", e) || row[9] != "" {
			t.Errorf("employee row %v, want %+v", row, e)
		}
	}
	if c.CSV("nonsense") != nil || Header("nonsense") != nil {
		t.Error("an unknown kind gives a file")
	}
}

func TestApportionGivesExactlyNAndOneEach(t *testing.T) {
	t.Parallel()
	for _, n := range []int{4, 5, 17, 1000} {
		q := apportion([]int{1, 10, 100, 3}, n)
		total := 0
		for _, x := range q {
			total += x
			if x < 1 {
				t.Errorf("n=%d: %v leaves a unit empty", n, q)
			}
		}
		if total != n {
			t.Errorf("n=%d: %v sums to %d", n, q, total)
		}
	}
}

func TestLocalPart(t *testing.T) {
	t.Parallel()
	for in, want := range map[[2]string]string{
		{"Niccolò", "D'Angelo"}:  "niccolo.dangelo",
		{"Gian Luca", "De Luca"}: "gianluca.deluca",
		{"Fatima", "El Amrani"}:  "fatima.elamrani",
		{"Anna", "Fantappiè"}:    "anna.fantappie",
	} {
		if got := localPart(in[0], in[1]); got != want {
			t.Errorf("localPart(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{1_500, 50_000} {
		b.Run(fmt.Sprintf("employees=%d", n), func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if _, err := Generate(Options{Employees: n, Seed: uint64(i)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEmployeesCSV(b *testing.B) {
	for _, n := range []int{1_500, 50_000} {
		b.Run(fmt.Sprintf("employees=%d", n), func(b *testing.B) {
			c := generate(b, n, 1)
			for b.Loop() {
				_ = c.CSV(bot.ImportEmployees)
			}
		})
	}
}
