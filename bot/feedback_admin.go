package bot

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/survey"
)

// SurveyAdmin is what admins manage of evaluation feedback: the survey templates (imported
// from a YAML file, listed with their versions) and the analysts' export of released answers.
type SurveyAdmin interface {
	// ImportSurveyTemplates stores templates already parsed and validated (survey.Parse) in
	// one transaction: a new key makes version 1, a changed template a new version. actorID is
	// the admin, for the audit log.
	ImportSurveyTemplates(ctx context.Context, ts []survey.Template, actorID int64) (SurveyImportResult, error)
	// SurveyTemplateVersions lists every template, by key, with its versions (oldest first).
	SurveyTemplateVersions(ctx context.Context) ([]SurveyTemplateInfo, error)
	// ExportAnswers calls each, in a stable order that says nothing about who answered or
	// when, with every released answer of q's range that may leave the database (the
	// anonymity rules are the store's: see AnswerRow), up to q.Limit rows when set. It stops
	// at the first error each returns, and returns how many rows each accepted. A complete
	// export is recorded in the audit log.
	ExportAnswers(ctx context.Context, q AnswerExport, each func(AnswerRow) error) (int, error)
}

// SurveyImportResult counts what an import of templates did.
type SurveyImportResult struct {
	Templates, Created, Versioned, Unchanged int
}

// SurveyTemplateInfo describes a template for the admins' list.
type SurveyTemplateInfo struct {
	Key string
	// Purpose and Title are the latest version's.
	Purpose  survey.Purpose
	Title    survey.Text
	Versions []SurveyVersionInfo
}

// SurveyVersionInfo is one version of a template.
type SurveyVersionInfo struct {
	Version   int
	Created   time.Time
	Questions int
}

// AnswerExport chooses the answers to export: those released from From to To, both days
// included (dates only; the time of day is ignored).
type AnswerExport struct {
	From, To time.Time
	// ActorID is the admin who exports, for the audit log (0: the command line).
	ActorID int64
	// Limit, when above 0, stops the export after that many rows.
	Limit int
}

// AnswerRow is one exported answer. It never carries a person, and never the stored response
// id: Response is a pseudonym valid within one export only. A free-text answer (Kind text)
// carries no Response, no department and no day — only survey, version, instance, question
// and the text — and only when its question has at least k texts in the export, so that a text
// can be told apart from no other text of its group.
type AnswerRow struct {
	Survey   string
	Version  int
	Instance string
	Question string
	Kind     survey.Kind
	Response string
	// DepartmentCode and DepartmentName are empty when the release did not keep the
	// department (fewer than k invitees or respondents in it), and for text.
	DepartmentCode, DepartmentName string
	// Day is the day the answer's batch was released (zero for text).
	Day time.Time
	// N is a Likert (1–5) or yes/no (1 yes, 0 no) value; S a choice's key or a text.
	N int
	S string
}

// AnswerColumns are the export's columns, in order: stable codes, in English, whatever the
// locale, so that an analyst's script reads every export the same way (docs/surveys.md).
var AnswerColumns = []string{"survey", "version", "instance", "question", "kind", "response",
	"department_code", "department_name", "day", "value", "text"}

// AnswerCSV writes AnswerRows as CSV (UTF-8, comma-separated, a header line): a small
// buffer, never the whole export.
type AnswerCSV struct {
	w    *csv.Writer
	rows int
}

// NewAnswerCSV writes the header to w and returns the writer of the rows.
func NewAnswerCSV(w io.Writer) (*AnswerCSV, error) {
	a := &AnswerCSV{w: csv.NewWriter(w)}
	if err := a.w.Write(AnswerColumns); err != nil {
		return nil, fmt.Errorf("answers csv: %w", err)
	}
	return a, nil
}

// Write writes one row.
func (a *AnswerCSV) Write(r AnswerRow) error {
	var day, value, text string
	if !r.Day.IsZero() {
		day = r.Day.Format(time.DateOnly)
	}
	switch r.Kind {
	case survey.KindLikert, survey.KindYesNo:
		value = strconv.Itoa(r.N)
	case survey.KindChoice:
		value = r.S
	case survey.KindText:
		text = spreadsheetSafe(r.S)
	}
	rec := [...]string{r.Survey, strconv.Itoa(r.Version), r.Instance, r.Question, string(r.Kind), r.Response,
		r.DepartmentCode, spreadsheetSafe(r.DepartmentName), day, value, text}
	if err := a.w.Write(rec[:]); err != nil {
		return fmt.Errorf("answers csv: %w", err)
	}
	a.rows++
	return nil
}

// Rows counts the rows written (the header excluded).
func (a *AnswerCSV) Rows() int { return a.rows }

// Flush writes what is buffered and reports any error of the underlying writer.
func (a *AnswerCSV) Flush() error {
	a.w.Flush()
	if err := a.w.Error(); err != nil {
		return fmt.Errorf("answers csv: %w", err)
	}
	return nil
}

// spreadsheetSafe keeps a spreadsheet from reading a cell as a formula: free text is typed by
// employees, and the file is opened by analysts in Excel or LibreOffice, where "=HYPERLINK(…)"
// would run. A leading apostrophe is the spreadsheets' own "this is text" mark.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ParseDate reads a day as the commands accept it: 2026-01-15 or 15/01/2026 (also 15-01-2026,
// 15.01.2026).
func ParseDate(s string) (time.Time, bool) { return parseDate(s) }

// MaxChatExportRows bounds an export in chat. A reply's file is held in memory whole (Reply.File
// carries its bytes, and Slack's upload wants its size first), so chat takes at most this
// many rows — a few MB; a bigger export is for the command line, which streams any size to a
// file with flat memory.
const MaxChatExportRows = 50_000

// errTooManyRows stops a chat export at MaxChatExportRows.
var errTooManyRows = errors.New("export: more rows than a chat reply holds")

// surveyWords are the words naming survey templates after "admin importa".
var surveyWords = W("questionari", "surveys", "questionario", "survey")

// adminSurveys lists the templates with their versions: admin questionari.
func (b *Bot) adminSurveys(ctx context.Context, c *Call) (Reply, error) {
	if b.surveyAdmin == nil {
		return Reply{Text: c.T("feedback.admin.unavailable"), IsError: true}, nil
	}
	list, err := b.surveyAdmin.SurveyTemplateVersions(ctx)
	if err != nil {
		return Reply{}, fmt.Errorf("list survey templates: %w", err)
	}
	if len(list) == 0 {
		return Reply{Text: c.T("feedback.admin.list_empty")}, nil
	}
	lines := make([]string, 0, 2*len(list))
	for _, t := range list {
		if len(t.Versions) == 0 {
			continue
		}
		latest := t.Versions[len(t.Versions)-1]
		lines = append(lines, c.T("feedback.admin.list_item", "key", t.Key, "title", t.Title.In(c.Locale),
			"purpose", c.T("feedback.admin.purpose."+string(t.Purpose)), "n", len(t.Versions), "latest", latest.Version,
			"questions", latest.Questions))
		vs := make([]string, len(t.Versions))
		for i, v := range t.Versions {
			created := v.Created.In(b.loc)
			vs[i] = c.T("feedback.admin.list_version", "version", v.Version, "date", dateText(c, &created), "n", v.Questions)
		}
		lines = append(lines, "    "+strings.Join(vs, " · "))
	}
	return Reply{Title: c.T("feedback.admin.list_title"), Text: strings.Join(lines, "\n") + "\n" + c.T("feedback.admin.list_hint")}, nil
}

// adminImportSurveys runs "admin importa questionari": the YAML file comes attached or pasted
// below the command. It is checked whole first; with any problem nothing is stored and every
// problem is listed with its line and field, as the organisation import lists bad rows.
func (b *Bot) adminImportSurveys(ctx context.Context, c *Call) (Reply, error) {
	if b.surveyAdmin == nil {
		return Reply{Text: c.T("feedback.admin.unavailable"), IsError: true}, nil
	}
	data := importData(c.Request)
	if len(bytes.TrimSpace(data)) == 0 {
		return Reply{}, Errorf(EINVALID, "feedback.admin.no_file", "kind", c.Param("TIPO"))
	}
	templates, problems := survey.Parse(data)
	if len(problems) > 0 {
		return SurveyProblemsReply(c.Locale, problems), nil
	}
	res, err := b.surveyAdmin.ImportSurveyTemplates(ctx, templates, c.Caller.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("import survey templates: %w", err)
	}
	return Reply{Text: c.T("survey.import.summary", "templates", res.Templates, "created", res.Created,
		"versioned", res.Versioned, "unchanged", res.Unchanged)}, nil
}

// SurveyProblemsReply lists the problems of a templates file in locale: how many, then each
// with its line and field (at most maxShownImportErrors, the rest counted).
func SurveyProblemsReply(locale string, problems []survey.Problem) Reply {
	lines := make([]string, 0, min(len(problems), maxShownImportErrors)+1)
	for i, p := range problems {
		if i == maxShownImportErrors {
			lines = append(lines, i18n.T(locale, "import.more_errors", "n", formatCount(locale, len(problems)-i)))
			break
		}
		lines = append(lines, p.Text(locale))
	}
	return Reply{
		Locale:   locale,
		IsError:  true,
		Text:     i18n.T(locale, "survey.import.failed", "n", len(problems)),
		Sections: []Section{{Title: i18n.T(locale, "import.errors_title"), Text: strings.Join(lines, "\n")}},
	}
}

// adminExportAnswers runs "admin esporta risposte dal=… al=…": the anonymous released answers
// of the range as a CSV file, private to the admin, up to MaxChatExportRows.
func (b *Bot) adminExportAnswers(ctx context.Context, c *Call) (Reply, error) {
	if b.surveyAdmin == nil {
		return Reply{Text: c.T("feedback.admin.unavailable"), IsError: true}, nil
	}
	from, to, err := exportRange(c)
	if err != nil {
		return Reply{}, err
	}
	var buf bytes.Buffer
	w, err := NewAnswerCSV(&buf)
	if err != nil {
		return Reply{}, err
	}
	_, err = b.surveyAdmin.ExportAnswers(ctx, AnswerExport{From: from, To: to, ActorID: c.Caller.ID,
		Limit: MaxChatExportRows + 1}, func(r AnswerRow) error {
		if w.Rows() == MaxChatExportRows {
			return errTooManyRows
		}
		return w.Write(r)
	})
	if errors.Is(err, errTooManyRows) {
		return Reply{}, Errorf(EINVALID, "feedback.export.too_many", "max", formatCount(c.Locale, MaxChatExportRows),
			"from", from.Format(time.DateOnly), "to", to.Format(time.DateOnly))
	}
	if err != nil {
		return Reply{}, fmt.Errorf("export answers: %w", err)
	}
	if err := w.Flush(); err != nil {
		return Reply{}, err
	}
	fromText, toText := dateText(c, &from), dateText(c, &to)
	if w.Rows() == 0 {
		return Reply{Text: c.T("feedback.export.none", "from", fromText, "to", toText)}, nil
	}
	return Reply{
		Text: c.T("feedback.export.done", "n", formatCount(c.Locale, w.Rows()), "from", fromText, "to", toText),
		File: &File{
			Name:        fmt.Sprintf("cantieri-risposte-%s-%s.csv", from.Format(time.DateOnly), to.Format(time.DateOnly)),
			Title:       c.T("feedback.export.file", "from", fromText, "to", toText),
			ContentType: "text/csv",
			Data:        buf.Bytes(),
		},
	}, nil
}

// exportRange reads dal=… al=… (from=… to=…): two days, the first not after the second.
func exportRange(c *Call) (time.Time, time.Time, error) {
	var days [2]time.Time
	for i, key := range []string{"dal", "al"} {
		v := c.Args.Named[key]
		if strings.TrimSpace(v) == "" {
			return days[0], days[1], Errorf(EINVALID, "feedback.export.missing_date", "field", fieldWord(c, key))
		}
		d, ok := parseDate(v)
		if !ok {
			return days[0], days[1], Errorf(EINVALID, "feedback.export.bad_date", "field", fieldWord(c, key), "value", v)
		}
		days[i] = d
	}
	if days[1].Before(days[0]) {
		return days[0], days[1], Errorf(EINVALID, "feedback.export.bad_range", "from", dateText(c, &days[0]), "to", dateText(c, &days[1]))
	}
	return days[0], days[1], nil
}

// fieldWord is a field's key in the reader's language (dal/from).
func fieldWord(c *Call, key string) string {
	if c.Sub != nil {
		for _, f := range c.Sub.Fields {
			if f.Name.IT == key {
				return f.Name.In(c.Locale)
			}
		}
	}
	return key
}
