package bot

import (
	"context"
	"time"

	"github.com/comune-prato/cantieri/internal/pairing"
)

// MeetingFormat is how a programme's groups meet.
type MeetingFormat string

// Meeting formats.
const (
	FormatInPerson MeetingFormat = "in_presenza"
	FormatOnline   MeetingFormat = "online"
	FormatEither   MeetingFormat = "misto"
)

// MeetAnswer is a participant's answer to "did you meet?".
type MeetAnswer string

// MeetSurvey names the post-meeting survey that a "sì" joins: the programme's survey of a month.
//
// Why a programme and a month, not a group nor a round: a pair's or a trio's answers must never
// be shown per group (two or three people would be named by their group), and the answers of an
// instance with fewer than k respondents in all are discarded at its close. A round's few groups
// rarely reach k, so a survey per round would mostly be thrown away; a month of a programme's
// rounds gathers enough people, and its aggregate ("the meetings of May") still means something.
type MeetSurvey struct {
	// Month is the month of the answer in the council's zone, "2026-05"; empty: no survey.
	Month string
	// ClosesAt is when the month's survey closes: the end of the month plus SURVEY_OPEN_DAYS,
	// so that whoever met on the last day still has the whole window to answer.
	ClosesAt time.Time
}

// MeetAnswered is what recording an answer to "did you meet?" did.
type MeetAnswered struct {
	// Before is the answer recorded before this one ("" when none).
	Before MeetAnswer
	// Survey is the post-meeting survey the person was invited to now; nil when none was
	// (not a "sì", already invited this month, the month's survey closed, no surveys).
	Survey *SurveyInvite
}

// Answers to "did you meet?" ("" is no answer yet).
const (
	MeetYes    MeetAnswer = "met"
	MeetNotYet MeetAnswer = "not_yet"
	MeetNo     MeetAnswer = "not_met"
)

// ProgrammeSettings are what a coordinator chooses for an exchange programme.
type ProgrammeSettings struct {
	Name string
	// Cron is a robfig/cron expression read in Timezone; EveryNWeeks ≥ 1 keeps one week in N
	// (counted from the programme's creation week).
	Cron        string
	EveryNWeeks int
	Timezone    string
	GroupSize   int
	// AudienceChannel, when set, makes the programme's participants that channel's members
	// (synced before each round); otherwise anyone may join.
	AudienceChannel string
	MeetingMinutes  int
	Format          MeetingFormat
	// Starters are the conversation starters, in the order they rotate; empty means the
	// defaults shipped in the group's language.
	Starters []string
	// FollowUpDays is how long after a round "did you meet?" is asked.
	FollowUpDays int
	// Lookback is M, the rounds within which people should not meet again; 0 means as many
	// as feasible.
	Lookback int
}

// Programme is an exchange programme: recurring rounds that group people across departments.
type Programme struct {
	ProgrammeSettings
	ID          int64
	Coordinator *PersonRef
	Active      bool
	NextRoundAt *time.Time
	CreatedAt   time.Time
	// Participants counts the enrolled people who have not left (paused included).
	Participants int
}

// ProgrammeInput creates a programme (its settings validated by the core first).
type ProgrammeInput struct {
	ProgrammeSettings
	CoordinatorID int64
	// NextRoundAt is the first round's time, computed by the core from the schedule.
	NextRoundAt *time.Time
}

// Enrolment is one person's membership of a programme.
type Enrolment struct {
	ProgrammeID   int64
	ProgrammeName string
	JoinedAt      time.Time
	// PausedRounds is how many more rounds the person sits out (their own pausa N).
	PausedRounds int
	// AutoPaused is set after three rounds without any answer, until they join again.
	AutoPaused  bool
	NextRoundAt *time.Time
}

// RoundPlan is what pairing a round needs, loaded in one go: the programme, the pairing input
// (participants with department, unit, site and pause, recent rounds, never-with pairs among
// them, collaboration links, site adjacency) and the people's names and addresses.
type RoundPlan struct {
	Programme Programme
	Input     pairing.Input
	People    map[int64]PersonRef
	// Rounds is how many rounds the programme has run.
	Rounds int
}

// RoundRecord is a paired round to store.
type RoundRecord struct {
	ProgrammeID int64
	// ScheduledFor identifies the round: the schedule's firing time, or the minute of a
	// manual run. A second record for the same programme and time is refused (ran already).
	ScheduledFor time.Time
	Manual       bool
	Groups       []RoundGroup
	LeftOut      []pairing.LeftOut
	Report       pairing.Report
	// NextRoundAt moves the programme's next scheduled round (nil leaves it as it is).
	NextRoundAt *time.Time
	// NudgeAt, FollowUpAt are when the mid-round nudge and "did you meet?" are due.
	NudgeAt    time.Time
	FollowUpAt time.Time
}

// RoundGroup is one group of a round.
type RoundGroup struct {
	Number  int
	Members []int64
	Starter string
	Slot    time.Time
}

// Round is a stored round with its groups.
type Round struct {
	ID           int64
	ProgrammeID  int64
	Number       int
	ScheduledFor time.Time
	Manual       bool
	Groups       []StoredGroup
	LeftOut      []pairing.LeftOut
	Report       pairing.Report
	NudgeAt      time.Time
	FollowUpAt   time.Time
}

// StoredGroup is a group as stored, with its members' names and addresses.
type StoredGroup struct {
	ID      int64
	Number  int
	Members []PersonRef
	Starter string
	Slot    time.Time
	// Arranged is when a member said the group fixed its meeting (nil: not yet).
	Arranged *time.Time
}

// RoundStats are a round's participation counts (aggregates only).
type RoundStats struct {
	RoundID      int64
	Number       int
	ScheduledFor time.Time
	Groups       int
	Grouped      int
	LeftOut      int
	Met          int
	NotYet       int
	NotMet       int
	NoAnswer     int
}

// RoundRef names a round as people see it: its programme and its number there.
type RoundRef struct {
	RoundID       int64
	ProgrammeID   int64
	ProgrammeName string
	Number        int
}

// RoundPart is one person's part in a round, what the programme card shows a participant in
// place of the round's counts. The zero value is a round they had no part in (not enrolled yet).
type RoundPart struct {
	// Grouped is set when they were in a group: Answer is then their answer to "did you
	// meet?" ("" for none yet) and Arranged whether their group said it fixed its meeting.
	Grouped  bool
	Answer   MeetAnswer
	Arranged bool
	// LeftOut is set when the pairing left them out, for Reason (as stored: the core words a
	// "never with" like any impossible grouping).
	LeftOut bool
	Reason  pairing.Reason
}

// RoundStep is a due follow-up step of a round.
type RoundStep string

// Follow-up steps: the mid-round nudge to groups that have not arranged their meeting, the
// "did you meet?" question, and the one re-ask of those who answered "not yet".
const (
	StepNudge    RoundStep = "nudge"
	StepFollowUp RoundStep = "followup"
	StepReask    RoundStep = "reask"
)

// DueStep is a follow-up step to carry out for a round, with whom it concerns: for a nudge,
// the groups not arranged; for "did you meet?", everyone grouped who has not answered; for a
// re-ask, those who answered "not yet".
type DueStep struct {
	Step      RoundStep
	Round     Round
	Programme Programme
	// Groups are the groups concerned (nudge), People the participants (followup, reask).
	Groups []StoredGroup
	People []PersonRef
}

// MeetingStore is what exchange programmes need from the system of record. Changes that
// message people take a NoticeFunc-like callback and enqueue its notices in their transaction.
type MeetingStore interface {
	// ProgrammeFeedback aggregates the programme's post-meeting surveys over all its months
	// (the k rule applied by the store's survey aggregate); InstanceID 0 when there is none.
	ProgrammeFeedback(ctx context.Context, programmeID int64) (EvaluationSurvey, error)
	CreateProgramme(ctx context.Context, in ProgrammeInput) (Programme, error)
	// Programme loads one programme; ErrNotFound when there is none.
	Programme(ctx context.Context, id int64) (Programme, error)
	// Programmes lists the active programmes.
	Programmes(ctx context.Context) ([]Programme, error)
	// Enrolments lists employeeID's programmes (left ones excluded).
	Enrolments(ctx context.Context, employeeID int64) ([]Enrolment, error)
	// Join enrols (or re-enrols, clearing pauses) employeeID; it reports whether they were
	// already in and active.
	Join(ctx context.Context, programmeID, employeeID int64) (already bool, err error)
	// Pause makes employeeID sit out the next rounds; ErrNotFound when not enrolled.
	Pause(ctx context.Context, programmeID, employeeID int64, rounds int) error
	// Leave ends employeeID's enrolment; ErrNotFound when not enrolled.
	Leave(ctx context.Context, programmeID, employeeID int64) error
	// NeverWith records that employeeID is never to be grouped with otherID (private: only
	// the pairing reads it).
	NeverWith(ctx context.Context, employeeID, otherID int64) error

	// RoundPlan loads the pairing input of a programme's next round, with lookback rounds of
	// history (all when lookback is 0, up to a bound).
	RoundPlan(ctx context.Context, programmeID int64) (RoundPlan, error)
	// RecordRound stores a paired round: round, groups, participation rows (no answer yet),
	// pauses consumed, the previous round's silent participants counted (three in a row
	// auto-pause them), the programme's next round moved; then it enqueues the notices
	// returned by notices (called with the stored round and the people auto-paused now). It
	// returns ran=false, storing nothing, when the round for that time exists already.
	RecordRound(ctx context.Context, rec RoundRecord, notices func(r Round, autoPaused []PersonRef) ([]Notice, error)) (r Round, ran bool, err error)
	// DueProgrammes lists the active programmes whose next round is due at now.
	DueProgrammes(ctx context.Context, now time.Time) ([]Programme, error)
	// ClaimDueSteps claims the follow-up steps due at now (each step of each round once,
	// whatever the number of callers) and enqueues the notices returned by notices for each,
	// in the claim's transaction.
	ClaimDueSteps(ctx context.Context, now time.Time, notices func(DueStep) ([]Notice, error)) (int, error)
	// Answer records employeeID's answer to "did you meet?" for a round; ErrNotFound when they
	// were not grouped in it. A "sì" also invites them, in the same transaction, to the
	// programme's post-meeting survey of survey.Month (once per person and month: a second
	// "sì" that month, in another round, invites nobody); MeetAnswered.Survey is that
	// invitation when it was made now. No direct message is enqueued for it: the reply to the
	// "sì" offers the survey at once, and the reminders follow if it is not answered.
	Answer(ctx context.Context, roundID, employeeID int64, a MeetAnswer, survey MeetSurvey) (MeetAnswered, error)
	// Arranged records that employeeID's group in the round has fixed its meeting; it reports
	// whether it was already recorded. ErrNotFound when they were not grouped in it.
	Arranged(ctx context.Context, roundID, employeeID int64) (already bool, err error)
	// LastRounds returns the stats of the programme's last n rounds, newest first.
	LastRounds(ctx context.Context, programmeID int64, n int) ([]RoundStats, error)
	// RoundsNumbered lists the rounds numbered n (in their programmes) in which employeeID was
	// grouped, newest first: one per programme at most.
	RoundsNumbered(ctx context.Context, employeeID int64, n int) ([]RoundRef, error)
	// RoundPart tells employeeID's part in a round; ErrNotFound when the round does not exist.
	RoundPart(ctx context.Context, roundID, employeeID int64) (RoundPart, error)
	// SyncAudience makes the enrolments of a programme whose audience is a channel follow the
	// channel's members (Slack user ids); those who left by their own choice stay out.
	SyncAudience(ctx context.Context, programmeID int64, slackIDs []string) (joined, left int, err error)
	// FindPerson resolves a person named in a command: "@handle" (console or Slack user
	// name), "<@U123>" (a Slack mention), an e-mail, or "#ID"; ErrNotFound when nobody.
	FindPerson(ctx context.Context, ref string) (PersonRef, error)
}

// ChannelDirectory lists a channel's members as Slack user ids (the Slack client; nil in the
// console, where a channel audience is just whoever joined).
type ChannelDirectory interface {
	ChannelMembers(ctx context.Context, channel string) ([]string, error)
}
