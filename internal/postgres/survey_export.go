package postgres

import (
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/survey"
)

// The analysts' export of released answers (cantieri export risposte, admin esporta risposte).
//
// It reads survey_answers only: never survey_pending (sealed, and not yet one of k) nor
// survey_invitations (who was asked). What each row may carry, and why:
//
//   - Structured answers (Likert, yes/no, choice) carry the department where the release kept
//     it (at least k invitees and k respondents in it), the day of their batch, and a
//     response pseudonym. The pseudonym groups one person's answers within an instance, which
//     analysts need to relate questions (does perceived conflict go with workload?), and is
//     what the answers table already holds. It is not the stored response id: it is an HMAC
//     of it under a key drawn for this export and then forgotten, so rows of two exports, or
//     of an export and the database, cannot be joined through it. Its residual risk — one
//     person's answers together, with a department of at least k and a rare combination of
//     values, narrow who they are to those who would answer just so — is the same as the
//     answers table's and is stated in docs/surveys.md.
//   - Free text carries nothing but survey, version, instance and question: no pseudonym
//     (which would tie the text to the department and to the person's other answers), no
//     department, no day (which would split the group into the batches). And only when its
//     question has at least k texts in the export (k the instance's, never below the
//     store's), as the reports show free text only inside a group of at least k.
//   - Rows come in an order computed from what they say — instance, question, value,
//     department, day, then the pseudonymous response — never the physical order or the order
//     of release, which would tell which answers came together.
//
// The rows stream: one statement, read row by row from the connection and handed to the
// caller, so memory stays flat whatever the number of rows (BenchmarkExportAnswers). The
// sort is PostgreSQL's, which spills to disk past work_mem.
const exportAnswersSQL = `
WITH texts AS (
	SELECT a.instance_id, a.question
	FROM survey_answers a
	JOIN survey_questions q ON q.version_id = a.version_id AND q.key = a.question AND q.kind = 'text'
	JOIN survey_instances i ON i.id = a.instance_id
	WHERE a.released_on BETWEEN $1 AND $2 AND coalesce(a.value_text, '') <> ''
	GROUP BY a.instance_id, a.question
	HAVING count(*) >= greatest(max(i.min_respondents), $3)
)
SELECT t.key, v.version, i.subject, a.question, q.kind,
	CASE WHEN q.kind = 'text' THEN NULL ELSE a.response END,
	u.code, u.name,
	CASE WHEN q.kind = 'text' THEN NULL ELSE a.released_on END,
	a.value_int, a.value_text
FROM survey_answers a
JOIN survey_questions q ON q.version_id = a.version_id AND q.key = a.question
JOIN survey_instances i ON i.id = a.instance_id
JOIN survey_versions v ON v.id = a.version_id
JOIN survey_templates t ON t.id = v.template_id
LEFT JOIN org_units u ON u.id = a.department_id AND q.kind <> 'text'
LEFT JOIN texts x ON x.instance_id = a.instance_id AND x.question = a.question
WHERE a.released_on BETWEEN $1 AND $2
	AND (q.kind <> 'text' OR x.instance_id IS NOT NULL)
ORDER BY a.instance_id, q.position, a.value_int, a.value_text, u.code NULLS FIRST,
	CASE WHEN q.kind = 'text' THEN NULL ELSE a.released_on END,
	CASE WHEN q.kind = 'text' THEN NULL ELSE a.response END
LIMIT $4`

// ExportAnswers streams the released answers of q's range to each (see above for what a row
// may carry), and records the export in the audit log. It returns the rows each accepted; an
// error from each stops the export and writes nothing to the log.
func (s *SurveyStore) ExportAnswers(ctx context.Context, q bot.AnswerExport, each func(bot.AnswerRow) error) (int, error) {
	key := make([]byte, 32)
	if _, err := crand.Read(key); err != nil {
		return 0, fmt.Errorf("export answers: key: %w", err)
	}
	mac := hmac.New(sha256.New, key)
	var (
		n   int
		sum []byte
		buf [16]byte
	)
	pseudonym := func(id pgtype.UUID) string {
		mac.Reset()
		mac.Write(id.Bytes[:])
		sum = mac.Sum(sum[:0])
		// 64 bits: no collision to speak of among the responses of any council's export.
		hex.Encode(buf[:], sum[:8])
		return string(buf[:])
	}
	from, to := dateOnly(q.From), dateOnly(q.To)
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead}, func(tx pgx.Tx) error {
		// LIMIT NULL is no limit; a limit lets PostgreSQL keep only the first rows while it
		// sorts (a top-N sort) instead of sorting the whole range for a chat reply that stops
		// early.
		var limit *int
		if q.Limit > 0 {
			limit = &q.Limit
		}
		rows, err := tx.Query(ctx, exportAnswersSQL, from, to, s.k, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			r         bot.AnswerRow
			kind      string
			response  pgtype.UUID
			code      pgtype.Text
			name      pgtype.Text
			day       pgtype.Date
			valueInt  pgtype.Int2
			valueText pgtype.Text
		)
		for rows.Next() {
			if err := rows.Scan(&r.Survey, &r.Version, &r.Instance, &r.Question, &kind, &response, &code, &name, &day,
				&valueInt, &valueText); err != nil {
				return err
			}
			r.Kind = survey.Kind(kind)
			r.Response, r.DepartmentCode, r.DepartmentName, r.Day, r.N, r.S = "", code.String, name.String, time.Time{}, 0, valueText.String
			if response.Valid {
				r.Response = pseudonym(response)
			}
			if day.Valid {
				r.Day = day.Time
			}
			if valueInt.Valid {
				r.N = int(valueInt.Int16)
			}
			if err := each(r); err != nil {
				return err
			}
			n++
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return audit(ctx, tx, q.ActorID, "export.answers", "", map[string]any{
			"from": from.Format(time.DateOnly), "to": to.Format(time.DateOnly), "rows": n})
	})
	if err != nil {
		return n, wrap("export answers", err)
	}
	return n, nil
}

// dateOnly is t's calendar day, as a date at midnight UTC.
func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ImportSurveyTemplates is ImportTemplates for the chat command (bot.SurveyAdmin).
func (s *SurveyStore) ImportSurveyTemplates(ctx context.Context, ts []survey.Template, actorID int64) (bot.SurveyImportResult, error) {
	res, err := s.ImportTemplates(ctx, ts, actorID)
	return bot.SurveyImportResult{Templates: res.Templates, Created: res.Created, Versioned: res.Versioned,
		Unchanged: res.Unchanged}, err
}

// SurveyTemplateVersions lists every template by key with its versions, oldest first; the
// purpose and title are the latest version's.
func (s *SurveyStore) SurveyTemplateVersions(ctx context.Context) ([]bot.SurveyTemplateInfo, error) {
	rows, err := s.pool.Query(ctx, `SELECT t.key, v.purpose, v.title_it, v.title_en, v.version, v.created_at,
	(SELECT count(*) FROM survey_questions q WHERE q.version_id = v.id)
FROM survey_templates t JOIN survey_versions v ON v.template_id = t.id ORDER BY t.key, v.version`)
	if err != nil {
		return nil, wrap("survey template versions", err)
	}
	defer rows.Close()
	var out []bot.SurveyTemplateInfo
	for rows.Next() {
		var (
			key, purpose string
			title        survey.Text
			v            bot.SurveyVersionInfo
		)
		if err := rows.Scan(&key, &purpose, &title.IT, &title.EN, &v.Version, &v.Created, &v.Questions); err != nil {
			return nil, wrap("survey template versions", err)
		}
		if len(out) == 0 || out[len(out)-1].Key != key {
			out = append(out, bot.SurveyTemplateInfo{Key: key})
		}
		t := &out[len(out)-1]
		t.Purpose, t.Title = survey.Purpose(purpose), title
		t.Versions = append(t.Versions, v)
	}
	return out, wrap("survey template versions", rows.Err())
}
