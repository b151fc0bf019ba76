package demo

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/comune-prato/cantieri/bot"
)

// headers are the header rows of the import files, by kind: the contract with the importer.
var headers = map[bot.ImportKind][]string{
	bot.ImportSites:      {"code", "name", "address", "adjacent"},
	bot.ImportUnits:      {"code", "name", "type", "parent", "site"},
	bot.ImportSkills:     {"code", "name_it", "name_en", "category"},
	bot.ImportObjectives: {"code", "title", "parent"},
	bot.ImportEmployees:  {"email", "name", "unit", "skills", "interests", "capacity", "locale", "timezone", "handle", "slack_id", "active"},
}

// Header returns the header row of the import file of kind (nil for an unknown kind).
func Header(kind bot.ImportKind) []string { return slices.Clone(headers[kind]) }

// CSV returns the council's file of kind in the import format (nil for an unknown kind).
func (c *Council) CSV(kind bot.ImportKind) []byte {
	var b bytes.Buffer
	if err := c.WriteCSV(&b, kind); err != nil {
		return nil // only an unknown kind fails: a bytes.Buffer does not
	}
	return b.Bytes()
}

// WriteCSV writes the council's file of kind to w: a header row, then one row per record,
// comma-separated and quoted as encoding/csv does. Lists inside a field are separated by ";".
func (c *Council) WriteCSV(w io.Writer, kind bot.ImportKind) error {
	header, ok := headers[kind]
	if !ok {
		return fmt.Errorf("demo: unknown import kind %q", kind)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	var err error
	row := func(fields ...string) {
		if err == nil {
			err = cw.Write(fields)
		}
	}
	switch kind {
	case bot.ImportSites:
		for _, s := range c.Sites {
			row(s.Code, s.Name, s.Address, strings.Join(s.Adjacent, ";"))
		}
	case bot.ImportUnits:
		for _, u := range c.Units {
			row(u.Code, u.Name, u.Type, u.Parent, u.Site)
		}
	case bot.ImportSkills:
		for _, s := range c.Skills {
			row(s.Code, s.NameIT, s.NameEN, s.Category)
		}
	case bot.ImportObjectives:
		for _, o := range c.Objectives {
			row(o.Code, o.Title, o.Parent)
		}
	case bot.ImportEmployees:
		var skills strings.Builder
		for _, e := range c.Employees {
			skills.Reset()
			for i, s := range e.Skills {
				if i > 0 {
					skills.WriteByte(';')
				}
				skills.WriteString(s.Code)
				skills.WriteByte(':')
				skills.WriteString(strconv.Itoa(s.Level))
			}
			row(e.Email, e.Name, e.Unit, skills.String(), strings.Join(e.Interests, ";"), strconv.Itoa(e.Capacity),
				e.Locale, e.Timezone, e.Handle, "", strconv.FormatBool(e.Active))
		}
	}
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
