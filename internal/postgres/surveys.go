package postgres

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/survey"
)

// Anonymity of survey answers, against a database administrator who can read every table.
//
// The property: no answer can be linked to the person who gave it any more finely than "one of
// at least k people" — not by a join, an id, a time, the physical order of rows (ctid), nor the
// transaction that wrote a row (xmin, the id PostgreSQL stamps on every row version). The
// design, and why each part is needed:
//
//  1. Who was invited and who has answered (survey_invitations: instance, employee,
//     department, answered yes/no — not even the day) share no column with the answers but the
//     instance. Answers (survey_answers) carry no employee id, no chat id, no sequential id (a
//     response is a random UUID), and no time finer than the day — and that day is the day
//     their batch was released, not the day they were given.
//
//  2. A submission must mark the invitation answered (to stop reminders and refuse a second
//     answer) and keep the answer, atomically: a crash must lose neither. Whatever that
//     transaction writes carries its xmin, and so does the invitation's new row version: an
//     answer written there in clear would be linked to its author exactly (the naive design,
//     which the DBA test catches). Writing it in a second transaction does not help: the two
//     xids are adjacent, and the order of pending rows follows the order of answers. And no
//     order or time trick helps while fewer than k people have answered at all: an answer held
//     in clear is then linked to fewer than k people whatever is done. So the submission
//     writes the answer *sealed*: AES-256-GCM under SURVEY_KEY, a key held by the bot's
//     process and not by the database, with a fresh random nonce, every answer of an instance
//     padded to one size (so that the length says nothing about how much someone wrote). The
//     DBA sees that Mario's answer is this ciphertext, and cannot read it.
//
//  3. Release (a separate transaction, run by a job, never by a submission) opens the sealed
//     answers of an instance only when there are at least k of them, shuffles them with a
//     cryptographic random source, writes them to survey_answers in that order with fresh
//     UUIDs and the day of the release, deletes the sealed ones, and rewrites every answered
//     invitation of the instance (deleted and re-inserted in shuffled order) so that they all
//     carry the release's xmin and a random physical position: the xmin and ctid of an
//     invitation no longer say when someone answered relative to the batches. The clear
//     answers of a batch share one xmin with one another and with all those invitations:
//     "one of everyone who has answered so far", at least k people. Mapping a ciphertext to
//     its clear answer needs the key.
//
//  4. At close, answers still sealed are released if there are at least k of them; fewer than
//     k are discarded unread, even when earlier batches were released: a small last batch
//     would be linked to the few who answered last, and merged into the released answers it
//     would change the published figures by fewer than k answers, which the figures before
//     and after the close would tell apart. survey_instances.discarded counts them; the
//     reminders and the closing time are there to make the last batch reach k.
//
//  5. The respondent's department goes with an answer only when the department has at least k
//     invitees in the instance *and* the batch being released holds at least k answers from
//     it: k invitees alone are not enough, since the DBA knows who answered, and a department's
//     only respondent would be named by the department; and a batch adding fewer than k answers
//     to a department's figures would let the figures before and after tell them apart.
//
// What it does not defend against (the README's threat model says it plainly): someone who
// holds SURVEY_KEY as well as the database (the key opens pending answers, linked by xmin);
// someone who watches the server while it runs (statement logs, WAL, dead row versions before
// VACUUM, the bot's memory); free text that names its author.

// SurveyConfig configures a SurveyStore.
type SurveyConfig struct {
	// MinRespondents is k (SURVEY_MIN_RESPONDENTS): at least survey.MinRespondents.
	MinRespondents int
	// Keys seal pending answers (SURVEY_KEY): the first seals, each opens. At least one.
	Keys []string
	// DepartmentType is the org unit type that is "the department" (ORG_DEPARTMENT_TYPE).
	DepartmentType string
	// Outbox enqueues the messages that invite people (OpenTx), in the inviting transaction.
	Outbox Outbox
}

// SurveyStore keeps survey templates, instances, invitations and answers.
type SurveyStore struct {
	pool     *pgxpool.Pool
	k        int
	deptType string
	aeads    []cipher.AEAD
	outbox   Outbox
}

// NewSurveyStore returns a SurveyStore on pool.
func NewSurveyStore(pool *pgxpool.Pool, cfg SurveyConfig) (*SurveyStore, error) {
	if cfg.MinRespondents < survey.MinRespondents {
		return nil, fmt.Errorf("survey store: k = %d is below the floor of %d", cfg.MinRespondents, survey.MinRespondents)
	}
	if len(cfg.Keys) == 0 {
		return nil, errors.New("survey store: no key to seal pending answers")
	}
	s := &SurveyStore{pool: pool, k: cfg.MinRespondents, deptType: cfg.DepartmentType, outbox: cfg.Outbox}
	if s.deptType == "" {
		s.deptType = DefaultDepartmentType
	}
	for _, k := range cfg.Keys {
		// The key is a secret of at least 32 characters (checked by config); SHA-256 makes
		// it the 32 bytes AES-256 wants.
		sum := sha256.Sum256([]byte("cantieri survey pending v1\x00" + k))
		block, err := aes.NewCipher(sum[:])
		if err != nil {
			return nil, fmt.Errorf("survey store: cipher: %w", err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("survey store: gcm: %w", err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// K is the store's k.
func (s *SurveyStore) K() int { return s.k }

// --- Templates -------------------------------------------------------------------------------

// SurveyImport counts what an import did.
type SurveyImport struct {
	Templates, Created, Versioned, Unchanged int
}

// ImportTemplates stores ts (already parsed and validated by survey.Parse) in one transaction:
// a new key makes version 1, a changed template a new version, an unchanged one nothing. actor
// is the admin for the audit log (0: the command line).
func (s *SurveyStore) ImportTemplates(ctx context.Context, ts []survey.Template, actor int64) (SurveyImport, error) {
	var res SurveyImport
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		res, err = importTemplates(ctx, tx, ts, false)
		if err != nil || res.Created+res.Versioned == 0 {
			return err
		}
		details, _ := json.Marshal(res)
		_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor_id, action, details) VALUES ($1, 'import.surveys', $2)`,
			nullID(actor), details)
		return err
	})
	return res, wrap("import survey templates", err)
}

// installDefaultSurveys installs each shipped template whose key is not in the database:
// idempotent, and never over an HR version. Migrate runs it after the schema.
func installDefaultSurveys(ctx context.Context, pool *pgxpool.Pool) error {
	ts, err := survey.Defaults()
	if err != nil {
		return err
	}
	return wrap("install default surveys", pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		_, err := importTemplates(ctx, tx, ts, true)
		return err
	}))
}

func importTemplates(ctx context.Context, tx pgx.Tx, ts []survey.Template, onlyNew bool) (SurveyImport, error) {
	res := SurveyImport{Templates: len(ts)}
	for _, t := range ts {
		var (
			id      int64
			created bool
		)
		// The row lock serialises two imports of the same key (version numbers stay dense).
		err := tx.QueryRow(ctx, `
WITH ins AS (INSERT INTO survey_templates (key) VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING id)
SELECT id, true FROM ins
UNION ALL
SELECT id, false FROM survey_templates WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM ins)`, t.Key).Scan(&id, &created)
		if err != nil {
			return res, fmt.Errorf("template %s: %w", t.Key, err)
		}
		if !created {
			if _, err := tx.Exec(ctx, `SELECT 1 FROM survey_templates WHERE id = $1 FOR UPDATE`, id); err != nil {
				return res, fmt.Errorf("lock template %s: %w", t.Key, err)
			}
		}
		var (
			last   int
			digest string
		)
		err = tx.QueryRow(ctx, `SELECT coalesce(max(version), 0), coalesce((SELECT digest FROM survey_versions
WHERE template_id = $1 ORDER BY version DESC LIMIT 1), '') FROM survey_versions WHERE template_id = $1`, id).Scan(&last, &digest)
		if err != nil {
			return res, fmt.Errorf("template %s: latest version: %w", t.Key, err)
		}
		switch {
		case digest == t.Digest() || (onlyNew && last > 0):
			res.Unchanged++
			continue
		case last == 0:
			res.Created++
		default:
			res.Versioned++
		}
		if err := insertVersion(ctx, tx, id, last+1, t); err != nil {
			return res, fmt.Errorf("template %s: %w", t.Key, err)
		}
	}
	return res, nil
}

func insertVersion(ctx context.Context, tx pgx.Tx, templateID int64, version int, t survey.Template) error {
	var vid int64
	err := tx.QueryRow(ctx, `INSERT INTO survey_versions (template_id, version, purpose, title_it, title_en, digest)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, templateID, version, string(t.Purpose), t.Title.IT, t.Title.EN, t.Digest()).Scan(&vid)
	if err != nil {
		return fmt.Errorf("insert version: %w", err)
	}
	for i, q := range t.Questions {
		var low, high [2]*string
		if q.Kind == survey.KindLikert {
			low, high = [2]*string{&q.Low.IT, &q.Low.EN}, [2]*string{&q.High.IT, &q.High.EN}
		}
		var maxLen *int
		if q.Kind == survey.KindText {
			maxLen = &q.MaxLength
		}
		opts, err := json.Marshal(cmpOptions(q.Options))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO survey_questions (version_id, key, position, kind, required, text_it, text_en,
low_it, low_en, high_it, high_en, options, max_length) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			vid, q.Key, i+1, string(q.Kind), q.Required, q.Text.IT, q.Text.EN, low[0], low[1], high[0], high[1], opts, maxLen); err != nil {
			return fmt.Errorf("insert question %s: %w", q.Key, err)
		}
	}
	return nil
}

func cmpOptions(o []survey.Option) []survey.Option {
	if o == nil {
		return []survey.Option{}
	}
	return o
}

// Version returns the template of version id, as it was imported.
func (s *SurveyStore) Version(ctx context.Context, id int64) (survey.Template, error) {
	t, err := loadVersion(ctx, s.pool, id)
	return t, wrap("survey version", err)
}

// LatestVersion returns the id and template of key's latest version.
func (s *SurveyStore) LatestVersion(ctx context.Context, key string) (int64, survey.Template, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT v.id FROM survey_versions v JOIN survey_templates t ON t.id = v.template_id
WHERE t.key = $1 ORDER BY v.version DESC LIMIT 1`, key).Scan(&id)
	if err != nil {
		return 0, survey.Template{}, wrap("latest survey version "+key, err)
	}
	t, err := loadVersion(ctx, s.pool, id)
	return id, t, wrap("latest survey version "+key, err)
}

func loadVersion(ctx context.Context, q rowQuerier, id int64) (survey.Template, error) {
	var t survey.Template
	var purpose string
	err := q.QueryRow(ctx, `SELECT t.key, v.purpose, v.title_it, v.title_en FROM survey_versions v
JOIN survey_templates t ON t.id = v.template_id WHERE v.id = $1`, id).Scan(&t.Key, &purpose, &t.Title.IT, &t.Title.EN)
	if err != nil {
		return t, err
	}
	t.Purpose = survey.Purpose(purpose)
	rows, err := q.Query(ctx, `SELECT key, kind, required, text_it, text_en, coalesce(low_it, ''), coalesce(low_en, ''),
coalesce(high_it, ''), coalesce(high_en, ''), options, coalesce(max_length, 0)
FROM survey_questions WHERE version_id = $1 ORDER BY position`, id)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			qq   survey.Question
			kind string
			opts []byte
		)
		if err := rows.Scan(&qq.Key, &kind, &qq.Required, &qq.Text.IT, &qq.Text.EN, &qq.Low.IT, &qq.Low.EN,
			&qq.High.IT, &qq.High.EN, &opts, &qq.MaxLength); err != nil {
			return t, err
		}
		qq.Kind = survey.Kind(kind)
		if err := json.Unmarshal(opts, &qq.Options); err != nil {
			return t, fmt.Errorf("question %s options: %w", qq.Key, err)
		}
		if len(qq.Options) == 0 {
			qq.Options = nil
		}
		t.Questions = append(t.Questions, qq)
	}
	return t, rows.Err()
}

// TemplateSummary describes one template for a list.
type TemplateSummary struct {
	Key      string
	Purpose  survey.Purpose
	Title    survey.Text
	Versions int
	// LatestID is the latest version's id.
	LatestID int64
}

// Templates lists every template with its number of versions, by key.
func (s *SurveyStore) Templates(ctx context.Context) ([]TemplateSummary, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (t.key) t.key, v.purpose, v.title_it, v.title_en, v.version, v.id
FROM survey_templates t JOIN survey_versions v ON v.template_id = t.id ORDER BY t.key, v.version DESC`)
	if err != nil {
		return nil, wrap("list survey templates", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TemplateSummary, error) {
		var (
			ts      TemplateSummary
			purpose string
		)
		err := r.Scan(&ts.Key, &purpose, &ts.Title.IT, &ts.Title.EN, &ts.Versions, &ts.LatestID)
		ts.Purpose = survey.Purpose(purpose)
		return ts, err
	})
	return out, wrap("list survey templates", err)
}

// --- Instances and invitations ---------------------------------------------------------------

// InstanceSpec asks for a survey to be sent.
type InstanceSpec struct {
	// Template is the template's key; its latest version is sent.
	Template string
	// Subject names what the instance is about ("pulse:2026-05", "project:3:close-internal"):
	// one instance per subject.
	Subject string
	// Audience are the employees invited (inactive ones are skipped).
	Audience []int64
	// ClosesAt is when it closes (zero: when closed by hand).
	ClosesAt time.Time
	// About says what it is about, for the messages that ask and remind.
	About bot.SurveyAbout
}

// Instance is a created (or found) instance.
type Instance struct {
	ID, VersionID int64
	// Created is false when the subject already had an instance (nothing was changed).
	Created bool
	// ClosesAt is when it closes (zero: when closed by hand).
	ClosesAt time.Time
	// Invited counts the invitations created.
	Invited int
}

// CreateInstance creates the instance of spec.Subject with its invitations, once: asked again
// for the same subject it returns the existing instance and changes nothing, so that a trigger
// retried by River invites nobody twice. The instance's k is the store's, fixed at creation.
func (s *SurveyStore) CreateInstance(ctx context.Context, spec InstanceSpec) (Instance, error) {
	var inst Instance
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		if inst, _, err = s.findOrCreateInstance(ctx, tx, spec); err != nil || !inst.Created {
			return err
		}
		inst.Invited, err = invite(ctx, tx, inst.ID, spec.Audience, s.deptType)
		return err
	})
	return inst, wrap("create survey instance "+spec.Subject, err)
}

// Invite adds employees to an open instance (external evaluators, latecomers); those already
// invited are left as they are. It returns how many were added.
func (s *SurveyStore) Invite(ctx context.Context, instanceID int64, employees []int64) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var closed bool
		if err := tx.QueryRow(ctx, `SELECT closed_on IS NOT NULL FROM survey_instances WHERE id = $1 FOR SHARE`, instanceID).Scan(&closed); err != nil {
			return err
		}
		if closed {
			return survey.ErrClosed
		}
		var err error
		n, err = invite(ctx, tx, instanceID, employees, s.deptType)
		return err
	})
	return n, wrap("invite to survey", err)
}

func invite(ctx context.Context, tx pgx.Tx, instanceID int64, employees []int64, deptType string) (int, error) {
	ids, err := inviteReturning(ctx, tx, instanceID, employees, deptType)
	return len(ids), err
}

// InstanceStatus counts an instance's invitations and answers: never who.
type InstanceStatus struct {
	Invited, Answered, Pending, Released, Discarded int
	Closed                                          bool
}

// Status returns the counts of an instance.
func (s *SurveyStore) Status(ctx context.Context, instanceID int64) (InstanceStatus, error) {
	var st InstanceStatus
	err := s.pool.QueryRow(ctx, `SELECT
  (SELECT count(*) FROM survey_invitations WHERE instance_id = i.id),
  (SELECT count(*) FROM survey_invitations WHERE instance_id = i.id AND answered),
  (SELECT count(*) FROM survey_pending WHERE instance_id = i.id),
  (SELECT count(DISTINCT response) FROM survey_answers WHERE instance_id = i.id),
  i.discarded, i.closed_on IS NOT NULL
FROM survey_instances i WHERE i.id = $1`, instanceID).Scan(&st.Invited, &st.Answered, &st.Pending, &st.Released, &st.Discarded, &st.Closed)
	return st, wrap("survey status", err)
}

// --- Answering -------------------------------------------------------------------------------

// pendingAnswer is what is sealed: the response and the respondent's department (0: none),
// which the release keeps only if the department rule allows.
type pendingAnswer struct {
	Dept     int64           `json:"d"`
	Response survey.Response `json:"r"`
}

// Submit records employee's answer to an instance: in one transaction, the invitation is marked
// answered and the answer is stored sealed, with nothing that names the person. A second
// submission returns survey.ErrAlreadyAnswered and keeps the first; a closed instance (or one
// past its closes_at) survey.ErrClosed; an invalid response a *survey.InvalidError with every problem.
func (s *SurveyStore) Submit(ctx context.Context, instanceID, employeeID int64, r survey.Response) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var (
			versionID int64
			closed    bool
		)
		// FOR SHARE: a release or a close (FOR UPDATE) waits for submissions in flight, and a
		// submission after a close sees it closed. An instance past its closing time is closed
		// even before the job closes it: a late answer is refused the same way.
		err := tx.QueryRow(ctx, `SELECT version_id, closed_on IS NOT NULL OR coalesce(closes_at <= now(), false)
FROM survey_instances WHERE id = $1 FOR SHARE`, instanceID).Scan(&versionID, &closed)
		if errors.Is(err, pgx.ErrNoRows) {
			return survey.ErrNotInvited
		}
		if err != nil {
			return err
		}
		if closed {
			return survey.ErrClosed
		}
		t, err := loadVersion(ctx, tx, versionID)
		if err != nil {
			return err
		}
		if problems := survey.Validate(t, r); len(problems) > 0 {
			return &survey.InvalidError{Problems: problems}
		}
		var dept *int64
		err = tx.QueryRow(ctx, `UPDATE survey_invitations SET answered = true
WHERE instance_id = $1 AND employee_id = $2 AND NOT answered RETURNING department_id`, instanceID, employeeID).Scan(&dept)
		if errors.Is(err, pgx.ErrNoRows) {
			var answered bool
			if err := tx.QueryRow(ctx, `SELECT answered FROM survey_invitations WHERE instance_id = $1 AND employee_id = $2`,
				instanceID, employeeID).Scan(&answered); errors.Is(err, pgx.ErrNoRows) {
				return survey.ErrNotInvited
			} else if err != nil {
				return err
			}
			return survey.ErrAlreadyAnswered
		}
		if err != nil {
			return err
		}
		p := pendingAnswer{Response: survey.Normalize(t, r)}
		if dept != nil {
			p.Dept = *dept
		}
		sealed, err := s.seal(instanceID, p, survey.MaxEncodedSize(t))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO survey_pending (instance_id, sealed) VALUES ($1, $2)`, instanceID, sealed)
		return err
	})
	if errors.Is(err, survey.ErrNotInvited) || errors.Is(err, survey.ErrAlreadyAnswered) || errors.Is(err, survey.ErrClosed) {
		return err
	}
	var invalid *survey.InvalidError
	if errors.As(err, &invalid) {
		return err
	}
	return wrap("submit survey answer", err)
}

// sealedPad is added to a template's largest response for the department and the framing.
const sealedPad = 64

// seal encodes p, pads it to the instance's one size and encrypts it with the first key; the
// instance is authenticated data, so a sealed answer moved to another instance does not open.
func (s *SurveyStore) seal(instanceID int64, p pendingAnswer, maxResponse int) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("seal: encode: %w", err)
	}
	size := maxResponse + sealedPad
	if buf.Len() > size {
		return nil, fmt.Errorf("seal: %d bytes exceed the instance's %d", buf.Len(), size)
	}
	plain := make([]byte, 4+size)
	binary.BigEndian.PutUint32(plain, uint32(buf.Len()))
	copy(plain[4:], buf.Bytes())
	aead := s.aeads[0]
	nonce := make([]byte, aead.NonceSize())
	if _, err := crand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return aead.Seal(nonce, nonce, plain, aad(instanceID)), nil
}

func (s *SurveyStore) open(instanceID int64, sealed []byte) (pendingAnswer, error) {
	var p pendingAnswer
	for _, aead := range s.aeads {
		if len(sealed) < aead.NonceSize() {
			break
		}
		plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], aad(instanceID))
		if err != nil {
			continue
		}
		if len(plain) < 4 || int(binary.BigEndian.Uint32(plain)) > len(plain)-4 {
			return p, errors.New("open sealed answer: bad framing")
		}
		n := binary.BigEndian.Uint32(plain)
		if err := json.Unmarshal(plain[4:4+n], &p); err != nil {
			return p, fmt.Errorf("open sealed answer: %w", err)
		}
		return p, nil
	}
	return p, errors.New("open sealed answer: no SURVEY_KEY opens it (was the key changed while answers were pending? list the old key after the new one)")
}

func aad(instanceID int64) []byte {
	return fmt.Appendf(nil, "survey_pending:%d", instanceID)
}

// --- Release ---------------------------------------------------------------------------------

// Release opens and releases an instance's pending answers when there are at least k of them,
// in a shuffled batch (the design is at the top of this file). It returns how many responses it
// released (0: fewer than k waiting, and nothing was written). A job calls it; never the
// submission's transaction.
func (s *SurveyStore) Release(ctx context.Context, instanceID int64) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		inst, err := lockInstance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		var pending int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM survey_pending WHERE instance_id = $1`, instanceID).Scan(&pending); err != nil {
			return err
		}
		if pending < inst.k {
			return nil
		}
		n, err = s.releaseBatch(ctx, tx, inst)
		return err
	})
	return n, wrap("release survey answers", err)
}

// ReleaseDue releases every open instance with at least its k pending answers; for the
// periodic job. It returns how many responses it released.
func (s *SurveyStore) ReleaseDue(ctx context.Context) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT i.id FROM survey_instances i
WHERE i.closed_on IS NULL AND (SELECT count(*) FROM survey_pending p WHERE p.instance_id = i.id) >= i.min_respondents`)
	if err != nil {
		return 0, wrap("instances due for release", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, wrap("instances due for release", err)
	}
	total := 0
	for _, id := range ids {
		n, err := s.Release(ctx, id)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// CloseResult says what closing an instance did with the answers still pending.
type CloseResult struct {
	// Released responses at close (0 if there were none pending); Discarded ones (the
	// instance had fewer than k in all).
	Released, Discarded int
	// AlreadyClosed: nothing was done.
	AlreadyClosed bool
}

// Close closes an instance: late answers are refused from now on, and the answers still
// pending are released with the rest of the instance in one shuffled rewrite, or discarded
// unread when the instance has fewer than k answers in all. Closing twice does nothing.
func (s *SurveyStore) Close(ctx context.Context, instanceID int64) (CloseResult, error) {
	var res CloseResult
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		inst, err := lockInstance(ctx, tx, instanceID)
		if err != nil {
			return err
		}
		if inst.closed {
			res.AlreadyClosed = true
			return nil
		}
		var pending int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM survey_pending WHERE instance_id = $1`, instanceID).Scan(&pending); err != nil {
			return err
		}
		switch {
		case pending == 0:
		case pending < inst.k:
			// Fewer than k left: discarded unread, even when earlier batches were released.
			// Merged into the released answers they would change the published figures by
			// fewer than k answers, and the figures before and after the close would tell
			// those few apart.
			if _, err := tx.Exec(ctx, `DELETE FROM survey_pending WHERE instance_id = $1`, instanceID); err != nil {
				return err
			}
			res.Discarded = pending
		default:
			if res.Released, err = s.releaseBatch(ctx, tx, inst); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE survey_instances SET closed_on = current_date, discarded = discarded + $2 WHERE id = $1`,
			instanceID, res.Discarded)
		return err
	})
	return res, wrap("close survey instance", err)
}

type lockedInstance struct {
	id, versionID int64
	k             int
	closed        bool
}

func lockInstance(ctx context.Context, tx pgx.Tx, id int64) (lockedInstance, error) {
	inst := lockedInstance{id: id}
	err := tx.QueryRow(ctx, `SELECT version_id, min_respondents, closed_on IS NOT NULL FROM survey_instances WHERE id = $1 FOR UPDATE`,
		id).Scan(&inst.versionID, &inst.k, &inst.closed)
	return inst, err
}

// answerRow is one released answer, before it is written.
type answerRow struct {
	dept     *int64
	day      time.Time
	response survey.Response
}

// releaseBatch opens every pending answer of inst (at least k: the callers check) and writes
// them shuffled, with the day of the release. It also rewrites the answered invitations,
// shuffled (see the top of the file).
func (s *SurveyStore) releaseBatch(ctx context.Context, tx pgx.Tx, inst lockedInstance) (int, error) {
	rows, err := tx.Query(ctx, `DELETE FROM survey_pending WHERE instance_id = $1 RETURNING sealed`, inst.id)
	if err != nil {
		return 0, err
	}
	sealed, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return 0, err
	}
	t, err := loadVersion(ctx, tx, inst.versionID)
	if err != nil {
		return 0, err
	}
	eligible, err := eligibleDepartments(ctx, tx, inst)
	if err != nil {
		return 0, err
	}
	var today time.Time
	if err := tx.QueryRow(ctx, `SELECT current_date`).Scan(&today); err != nil {
		return 0, err
	}
	opened := make([]pendingAnswer, 0, len(sealed))
	inBatch := map[int64]int{}
	for _, b := range sealed {
		p, err := s.open(inst.id, b)
		if err != nil {
			return 0, err
		}
		opened = append(opened, p)
		inBatch[p.Dept]++
	}
	batch := make([]answerRow, 0, len(opened))
	for _, p := range opened {
		row := answerRow{day: today, response: p.Response}
		// A department is kept only where this batch alone has at least k of its answers:
		// were one batch to add a single answer to a department's earlier k, the department's
		// figures before and after would tell that one answer apart.
		if p.Dept != 0 && eligible[p.Dept] && inBatch[p.Dept] >= inst.k {
			dept := p.Dept
			row.dept = &dept
		}
		batch = append(batch, row)
	}
	rng := cryptoRand()
	rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
	var out [][]any
	for _, a := range batch {
		id := randomUUID()
		for _, q := range t.Questions {
			v, ok := a.response[q.Key]
			if !ok {
				continue
			}
			var (
				n    *int16
				text *string
			)
			switch q.Kind {
			case survey.KindLikert, survey.KindYesNo:
				x := int16(v.N)
				n = &x
			default:
				text = &v.S
			}
			out = append(out, []any{id, inst.id, inst.versionID, q.Key, a.dept, a.day, n, text})
		}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"survey_answers"},
		[]string{"response", "instance_id", "version_id", "question", "department_id", "released_on", "value_int", "value_text"},
		pgx.CopyFromRows(out)); err != nil {
		return 0, fmt.Errorf("write answers: %w", err)
	}
	if err := rewriteInvitations(ctx, tx, inst.id, rng); err != nil {
		return 0, err
	}
	return len(sealed), nil
}

// eligibleDepartments returns the departments that may be kept with an answer: at least k
// invitees in the instance and at least k of them answered.
func eligibleDepartments(ctx context.Context, tx pgx.Tx, inst lockedInstance) (map[int64]bool, error) {
	rows, err := tx.Query(ctx, `SELECT department_id FROM survey_invitations
WHERE instance_id = $1 AND department_id IS NOT NULL
GROUP BY department_id HAVING count(*) >= $2 AND count(*) FILTER (WHERE answered) >= $2`, inst.id, inst.k)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// rewriteInvitations deletes and re-inserts an instance's answered invitations in random
// order: afterwards they all carry this transaction's xmin and a random physical place, so
// neither says who answered before or after whom.
func rewriteInvitations(ctx context.Context, tx pgx.Tx, instanceID int64, rng *mrand.Rand) error {
	rows, err := tx.Query(ctx, `DELETE FROM survey_invitations WHERE instance_id = $1 AND answered
RETURNING employee_id, department_id, invited_on, reminders`, instanceID)
	if err != nil {
		return err
	}
	inv, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) {
		var (
			e      int64
			d      *int64
			on     time.Time
			remind int16
		)
		err := r.Scan(&e, &d, &on, &remind)
		return []any{instanceID, e, d, true, on, remind}, err
	})
	if err != nil {
		return err
	}
	rng.Shuffle(len(inv), func(i, j int) { inv[i], inv[j] = inv[j], inv[i] })
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"survey_invitations"},
		[]string{"instance_id", "employee_id", "department_id", "answered", "invited_on", "reminders"}, pgx.CopyFromRows(inv))
	if err != nil {
		return fmt.Errorf("rewrite invitations: %w", err)
	}
	return nil
}

// cryptoRand is a shuffling source seeded from the operating system's cryptographic generator:
// the order of a batch must not be predictable from anything the database holds.
func cryptoRand() *mrand.Rand {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		panic("survey: crypto/rand: " + err.Error()) // crypto/rand does not fail on supported systems
	}
	return mrand.New(mrand.NewChaCha8(seed))
}

// randomUUID is a version 4 UUID from crypto/rand.
func randomUUID() pgtype.UUID {
	var u pgtype.UUID
	if _, err := crand.Read(u.Bytes[:]); err != nil {
		panic("survey: crypto/rand: " + err.Error())
	}
	u.Bytes[6] = u.Bytes[6]&0x0f | 0x40
	u.Bytes[8] = u.Bytes[8]&0x3f | 0x80
	u.Valid = true
	return u
}

// --- Aggregates ------------------------------------------------------------------------------

// AggregateQuery chooses the answers to aggregate.
type AggregateQuery struct {
	// Instances are aggregated together (e.g. a programme's rounds, a year's pulses); they
	// must be of one template. The questions are those of the newest version among them.
	Instances []int64
	// Department, when not 0, keeps only the answers that carry it (the department rule
	// left it on them).
	Department int64
}

// Aggregate computes per-question aggregates over released answers with the k rule: fewer
// than k responses in all, or for a question, show nothing; free text only within a group of at
// least k. k is the store's, or an instance's if higher.
func (s *SurveyStore) Aggregate(ctx context.Context, q AggregateQuery) (survey.Report, error) {
	if len(q.Instances) == 0 {
		return survey.Report{}, errors.New("aggregate: no instances")
	}
	var (
		templates int
		versionID int64
		k         int
	)
	err := s.pool.QueryRow(ctx, `SELECT count(DISTINCT v.template_id), (array_agg(v.id ORDER BY v.version DESC))[1], max(i.min_respondents)
FROM survey_instances i JOIN survey_versions v ON v.id = i.version_id WHERE i.id = ANY($1)`, q.Instances).Scan(&templates, &versionID, &k)
	if err != nil {
		return survey.Report{}, wrap("aggregate", err)
	}
	if templates != 1 {
		return survey.Report{}, fmt.Errorf("aggregate: the instances are of %d templates, not one", templates)
	}
	t, err := loadVersion(ctx, s.pool, versionID)
	if err != nil {
		return survey.Report{}, wrap("aggregate", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT response, question, value_int, value_text FROM survey_answers
WHERE instance_id = ANY($1) AND ($2 = 0 OR department_id = $2) ORDER BY response`, q.Instances, q.Department)
	if err != nil {
		return survey.Report{}, wrap("aggregate", err)
	}
	defer rows.Close()
	var (
		responses []survey.Response
		last      pgtype.UUID
	)
	for rows.Next() {
		var (
			id    pgtype.UUID
			key   string
			n     *int16
			text  *string
			value survey.Value
		)
		if err := rows.Scan(&id, &key, &n, &text); err != nil {
			return survey.Report{}, wrap("aggregate", err)
		}
		if len(responses) == 0 || id != last {
			responses = append(responses, survey.Response{})
			last = id
		}
		if n != nil {
			value.N = int(*n)
		}
		if text != nil {
			value.S = *text
		}
		responses[len(responses)-1][key] = value
	}
	if err := rows.Err(); err != nil {
		return survey.Report{}, wrap("aggregate", err)
	}
	return survey.Aggregate(t, responses, max(k, s.k)), nil
}
