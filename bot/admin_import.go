package bot

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// importWords maps the words an admin may type after "admin importa", Italian and English,
// onto import kinds.
var importWords = map[string]ImportKind{
	"sedi": ImportSites, "sede": ImportSites, "sites": ImportSites, "site": ImportSites,
	"unita": ImportUnits, "unità": ImportUnits, "units": ImportUnits, "unit": ImportUnits,
	"competenze": ImportSkills, "skills": ImportSkills,
	"obiettivi": ImportObjectives, "objectives": ImportObjectives,
	"dipendenti": ImportEmployees, "personale": ImportEmployees, "employees": ImportEmployees,
}

// ParseImportKind returns the import kind a word names (sedi/sites, unita/units,
// competenze/skills, obiettivi/objectives, dipendenti/employees), case-insensitively.
func ParseImportKind(word string) (ImportKind, bool) {
	k, ok := importWords[strings.ToLower(strings.TrimSpace(word))]
	return k, ok
}

// adminImport runs "admin importa KIND": survey templates (YAML) go to adminImportSurveys;
// for the organisation the CSV comes as an uploaded file or, failing that,
// pasted on the lines below the command. The admin router has already checked the role.
func (b *Bot) adminImport(ctx context.Context, c *Call) (Reply, error) {
	word := c.Param("TIPO")
	if surveyWords.Match(word) {
		return b.adminImportSurveys(ctx, c)
	}
	if b.importer == nil {
		return Reply{Text: c.T("import.unavailable"), IsError: true}, nil
	}
	kind, ok := ParseImportKind(word)
	if !ok {
		return Reply{}, Errorf(EINVALID, "import.bad_kind", "kind", word)
	}
	data := importData(c.Request)
	if len(bytes.TrimSpace(data)) == 0 {
		return Reply{}, Errorf(EINVALID, "import.no_file", "kind", word)
	}
	actor := c.Caller.ID
	res, err := b.importer.Import(ctx, kind, bytes.NewReader(data), &actor)
	if err != nil {
		return Reply{}, fmt.Errorf("import %s: %w", kind, err)
	}
	return ImportReply(c.Locale, res), nil
}

// importData returns the CSV of a request: the first attached file, else the text pasted after
// the command's first line.
func importData(req Request) []byte {
	if len(req.Attachments) > 0 {
		return req.Attachments[0].Data
	}
	_, pasted, ok := strings.Cut(req.Text, "\n")
	if !ok {
		return nil
	}
	return []byte(cleanPasted(pasted))
}

var (
	// codeFence is the ``` a Slack user puts around pasted text to keep it as it is.
	codeFence = regexp.MustCompile("(?m)^\\s*```|```\\s*$")
	// slackLink is how Slack rewrites e-mails, URLs and mentions in a message:
	// <mailto:a@b.it|a@b.it>, <https://x|x>, <@U123|mario>.
	slackLink = regexp.MustCompile(`<(mailto:[^|<>]*|https?://[^|<>]*|@[UW][A-Z0-9]+)(?:\|([^<>]*))?>`)
)

// cleanPasted undoes what Slack does to pasted text: code fences go, and links become the
// text they show (a mention becomes the user id, which is what the slack_id column wants).
func cleanPasted(s string) string {
	s = codeFence.ReplaceAllString(s, "")
	return slackLink.ReplaceAllStringFunc(s, func(m string) string {
		sub := slackLink.FindStringSubmatch(m)
		target, label := sub[1], sub[2]
		switch {
		case strings.HasPrefix(target, "@"):
			return target[1:]
		case label != "":
			return label
		default:
			return strings.TrimPrefix(target, "mailto:")
		}
	})
}

// maxShownImportErrors bounds the problems listed in a reply: enough to fix a file in one go,
// few enough for a chat message. The rest are counted.
const maxShownImportErrors = 200

// ImportReply renders an import's result in locale: the counts, or the rows to fix. The chat
// command and the CLI (`cantieri import`) print the same text.
func ImportReply(locale string, res ImportResult) Reply {
	kind := i18n.T(locale, "import.kind."+string(res.Kind))
	if len(res.Errors) == 0 {
		return Reply{Locale: locale, Text: i18n.T(locale, "import.summary", "kind", kind,
			"rows", formatCount(locale, res.Rows), "inserted", formatCount(locale, res.Inserted),
			"updated", formatCount(locale, res.Updated), "unchanged", formatCount(locale, res.Unchanged))}
	}
	badLines := map[int]bool{}
	for _, e := range res.Errors {
		badLines[e.Line] = true
	}
	lines := make([]string, 0, min(len(res.Errors), maxShownImportErrors)+1)
	for i, e := range res.Errors {
		if i == maxShownImportErrors {
			lines = append(lines, i18n.T(locale, "import.more_errors", "n", formatCount(locale, len(res.Errors)-i)))
			break
		}
		lines = append(lines, RowErrorText(locale, e))
	}
	return Reply{
		Locale:   locale,
		IsError:  true,
		Text:     i18n.T(locale, "import.failed", "kind", kind, "count", formatCount(locale, len(badLines))),
		Sections: []Section{{Title: i18n.T(locale, "import.errors_title"), Text: strings.Join(lines, "\n")}},
	}
}

// RowErrorText is one problem of an import file as a sentence in locale, e.g.
// "riga 7: unità «XYZ» sconosciuta.". The bounds it quotes are the core's, the ones the
// importer applies.
func RowErrorText(locale string, e RowError) string {
	lo, hi := importBounds(e)
	return i18n.T(locale, "import.error."+e.Code, "line", strconv.Itoa(e.Line), "field", e.Field, "value", e.Value,
		"min", lo, "max", hi)
}

// importBounds are the limits a row error speaks of.
func importBounds(e RowError) (lo, hi int) {
	switch {
	case e.Code == "bad_capacity":
		return MinCapacity, MaxCapacity
	case e.Code == "too_many_values" && e.Field == "skills":
		return 0, MaxProfileSkills
	case e.Code == "too_many_values":
		return 0, MaxInterests
	}
	return 0, 0
}

// formatCount writes n with the locale's thousands separator: 50.000 in Italian, 50,000 in
// English.
func formatCount(locale string, n int) string {
	s := strconv.Itoa(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	sep := "."
	if locale == i18n.EN {
		sep = ","
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}
