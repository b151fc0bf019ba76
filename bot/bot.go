// Package bot is the chat-agnostic core of Cantieri: command definitions, the router, the
// neutral request/reply/form model, and the handlers. It imports no Slack, PostgreSQL or Redis
// package: transports (internal/slack, internal/console) call Handle, and stores implement the
// interfaces declared here.
package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/meetcal"
)

// Config configures a Bot.
type Config struct {
	Store Store
	// Importer loads CSV files for "admin importa"; nil disables the command's imports.
	Importer Importer
	// SurveyAdmin manages survey templates and exports answers for "admin questionari",
	// "admin importa questionari" and "admin esporta risposte"; nil makes them say so.
	SurveyAdmin SurveyAdmin
	// Projects stores projects; nil leaves the project commands out.
	Projects ProjectStore
	// Teams proposes teams for projects; nil (or Projects nil) leaves the team command out.
	Teams TeamStore
	// Meetings stores exchange programmes; nil leaves the meeting commands out.
	Meetings MeetingStore
	// Surveys lists and takes survey answers ("valuta"); nil leaves the command out.
	Surveys FeedbackStore
	// Indices reads the conflict and awareness indices; nil leaves the indici command out.
	Indices IndicesStore
	// Directory lists channel members for programmes whose audience is a channel.
	Directory ChannelDirectory
	// Holidays are the days exchange rounds skip (national holidays when nil).
	Holidays *meetcal.Calendar
	// Location is the council's time zone (BOT_TIMEZONE), for dates shown and new programmes.
	Location *time.Location
	Logger   *slog.Logger
	// DefaultLocale is BOT_LOCALE: used when neither the employee nor the transport says.
	DefaultLocale string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SurveyOpenDays is how long a survey stays open (SURVEY_OPEN_DAYS); 0 means
	// DefaultSurveyOpenDays.
	SurveyOpenDays int
}

// DefaultSurveyOpenDays is SURVEY_OPEN_DAYS's default.
const DefaultSurveyOpenDays = 14

// Bot routes requests to command handlers and turns their results into replies.
type Bot struct {
	store         Store
	importer      Importer
	surveyAdmin   SurveyAdmin
	projects      ProjectStore
	teams         TeamStore
	meetings      MeetingStore
	surveys       FeedbackStore
	directory     ChannelDirectory
	indices       IndicesStore
	holidays      *meetcal.Calendar
	loc           *time.Location
	log           *slog.Logger
	defaultLocale string
	now           func() time.Time
	// surveyOpenDays is how long a survey stays open after its period (SURVEY_OPEN_DAYS).
	surveyOpenDays int
	commands       []*Command
	middleware     []Middleware
}

// New returns a Bot with the built-in commands registered.
func New(cfg Config) *Bot {
	b := &Bot{
		store:          cfg.Store,
		importer:       cfg.Importer,
		surveyAdmin:    cfg.SurveyAdmin,
		projects:       cfg.Projects,
		teams:          cfg.Teams,
		meetings:       cfg.Meetings,
		surveys:        cfg.Surveys,
		directory:      cfg.Directory,
		indices:        cfg.Indices,
		holidays:       cfg.Holidays,
		loc:            cfg.Location,
		log:            cfg.Logger,
		defaultLocale:  i18n.Normalize(cfg.DefaultLocale),
		now:            cfg.Now,
		surveyOpenDays: cfg.SurveyOpenDays,
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.defaultLocale == "" {
		b.defaultLocale = i18n.Default
	}
	if b.surveyOpenDays <= 0 {
		b.surveyOpenDays = DefaultSurveyOpenDays
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.loc == nil {
		if loc, err := time.LoadLocation(meetcal.DefaultLocation); err == nil {
			b.loc = loc
		} else {
			b.loc = time.UTC
		}
	}
	b.middleware = []Middleware{b.requireRole}
	b.Register(b.helpCommand())
	b.Register(b.homeCommand())
	b.Register(b.profileCommand())
	b.Register(b.opportunitiesCommand())
	b.Register(b.privacyCommand())
	b.Register(b.adminCommand())
	if b.projects != nil {
		b.Register(b.projectCommand())
		b.Register(b.projectsCommand())
	}
	if b.projects != nil && b.teams != nil {
		b.Register(b.teamCommand())
		b.Register(b.inviteCommand())
	}
	if b.meetings != nil {
		b.Register(b.meetingsCommand())
	}
	if b.surveys != nil {
		b.Register(b.feedbackCommand())
	}
	if b.indices != nil {
		b.Register(b.indicesCommand())
	}
	return b
}

// Register adds a command definition. Later capabilities register theirs the same way. A
// command must declare at least one form (Subs): the grammar is the only way in.
func (b *Bot) Register(cmd *Command) {
	if len(cmd.Subs) == 0 {
		panic("bot: command " + cmd.Name + " declares no forms (Subs)")
	}
	b.commands = append(b.commands, cmd)
}

// Use adds a middleware around every command handler (outermost first).
func (b *Bot) Use(m Middleware) { b.middleware = append(b.middleware, m) }

// Commands lists the registered command definitions in registration order.
func (b *Bot) Commands() []*Command { return b.commands }

// Lookup returns the command named (or aliased) word, or nil.
func (b *Bot) Lookup(word string) *Command {
	for _, c := range b.commands {
		if c.matches(word) {
			return c
		}
	}
	return nil
}

// Locale picks the reply language: the employee's choice, else the transport's hint (Slack's
// user locale), else BOT_LOCALE.
func (b *Bot) Locale(employeeLocale, hint string) string {
	if l := i18n.Normalize(employeeLocale); l != "" {
		return l
	}
	if l := i18n.Normalize(hint); l != "" {
		return l
	}
	return b.defaultLocale
}

// Unavailable is the polite reply given when a dependency is down, for transports that find
// out before the core runs (for example when Redis cannot de-duplicate a delivery).
func (b *Bot) Unavailable(localeHint string) Reply {
	l := b.Locale("", localeHint)
	return Reply{Text: i18n.T(l, "error.unavailable"), IsError: true, Locale: l}
}

// NewRequestID returns a short random id that correlates a reply with the logs.
func NewRequestID() string {
	var buf [6]byte
	_, _ = rand.Read(buf[:])
	return hex.EncodeToString(buf[:])
}

// Handle runs one request and always returns a reply: unknown commands, bad arguments,
// missing roles, unavailable dependencies, internal errors and even panics become a clear
// answer in the user's language. Internal errors are logged with the request id, which the
// reply quotes.
func (b *Bot) Handle(ctx context.Context, req Request) (reply Reply) {
	if req.ID == "" {
		req.ID = NewRequestID()
	}
	log := b.log.With("request_id", req.ID, "source", string(req.Source), "transport", req.From.Transport)
	locale := b.Locale("", req.From.Locale)
	start := b.now()
	defer func() {
		if p := recover(); p != nil {
			log.Error("handler panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			reply = Reply{Text: i18n.T(locale, "error.internal", "id", req.ID), IsError: true}
		}
		if reply.Locale == "" {
			reply.Locale = locale
		}
	}()

	// Only the first line is a command: what follows (a pasted CSV for "admin importa") is left
	// to the handler, in req.Text, unparsed.
	head, _, _ := strings.Cut(req.Text, "\n")
	args, perr := ParseArgs(head)
	if perr == nil {
		// The lines after the command (a pasted CSV) and a form's values are text a handler
		// stores too: the same characters are refused there.
		perr = CheckText(req.Text)
		for _, k := range slices.Sorted(maps.Keys(req.Values)) {
			if perr == nil {
				perr = CheckText(req.Values[k])
			}
		}
	}
	word := ""
	if len(args.Positional) > 0 {
		word = strings.ToLower(args.Positional[0])
		args.Positional = args.Positional[1:]
	}

	emp, err := b.store.EnsureEmployee(ctx, req.From)
	if err != nil {
		return b.errorReply(log, locale, req.ID, fmt.Errorf("ensure employee: %w", err))
	}
	locale = b.Locale(emp.Locale, firstNonEmpty(req.From.Locale, emp.SlackLocale))
	if !emp.Active {
		return Reply{Text: i18n.T(locale, "error.inactive"), IsError: true}
	}
	if perr != nil {
		return b.errorReply(log, locale, req.ID, perr)
	}

	if word == "" {
		word = "aiuto"
	}
	cmd := b.Lookup(word)
	if cmd == nil {
		return b.unknownCommand(locale, word)
	}
	if len(args.Positional) == 0 && len(args.Named) == 0 && len(req.Values) == 0 && cmd.defaultSub(false) == nil {
		// A command that needs more than its name ("admin", "progetto") shows its help.
		if !RoleAllows(emp.Roles, cmd.Role) {
			return b.errorReply(log, locale, req.ID, Errorf(EFORBIDDEN, "error.forbidden", "command", cmd.Word(locale),
				"role", i18n.T(locale, "role."+string(cmd.Role))))
		}
		c := &Call{Request: req, Caller: emp, Locale: locale, Args: args, Command: cmd}
		return b.localizeReply(b.commandHelp(c, cmd), locale)
	}
	parsed, err := cmd.Parse(args, req.Values, locale)
	if err != nil {
		return b.errorReply(log, locale, req.ID, err)
	}
	args.Named = parsed.Named
	call := &Call{Request: req, Caller: emp, Locale: locale, Args: args, Command: cmd, Sub: parsed.Sub,
		ID: parsed.ID, Params: parsed.Params, Rest: parsed.Rest}

	h := parsed.Sub.Handler
	for i := len(b.middleware) - 1; i >= 0; i-- {
		h = b.middleware[i](cmd, h)
	}
	reply, err = h(ctx, call)
	log.Info("command handled", "command", cmd.Name, "sub", parsed.Sub.Words.IT, "employee_id", emp.ID,
		"duration_ms", b.now().Sub(start).Milliseconds(), "error_code", string(ErrorCode(err)))
	if err != nil {
		return b.errorReply(log, locale, req.ID, err)
	}
	if reply.Locale != "" {
		locale = reply.Locale
	}
	if cmd.Private || parsed.Sub.Private {
		reply.Private = true
	}
	return b.localizeReply(reply, locale)
}

// requireRole refuses, politely, a command whose role the caller lacks.
func (b *Bot) requireRole(cmd *Command, next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, c *Call) (Reply, error) {
		if !RoleAllows(c.Caller.Roles, cmd.Role) {
			return Reply{}, Errorf(EFORBIDDEN, "error.forbidden", "command", cmd.Word(c.Locale), "role", c.T("role."+string(cmd.Role)))
		}
		if c.Sub != nil && !RoleAllows(c.Caller.Roles, c.Sub.Role) {
			return Reply{}, Errorf(EFORBIDDEN, "error.forbidden", "command", cmd.Word(c.Locale)+" "+c.Sub.Words.In(c.Locale),
				"role", c.T("role."+string(c.Sub.Role)))
		}
		return next(ctx, c)
	}
}

// errorReply turns err into a reply. User-facing errors show their own message with a hint;
// unavailable dependencies get the polite retry message; anything else is logged and answered
// with the request id.
func (b *Bot) errorReply(log *slog.Logger, locale, requestID string, err error) Reply {
	var ue *Error
	switch {
	case errors.As(err, &ue) && ue.Code != EINTERNAL && ue.Code != EUNAVAILABLE:
		return Reply{Text: i18n.T(locale, ue.Key, ue.Args...), IsError: true}
	case ErrorCode(err) == EUNAVAILABLE:
		log.Warn("dependency unavailable", "err", err)
		return Reply{Text: i18n.T(locale, "error.unavailable"), IsError: true}
	default:
		log.Error("command failed", "err", err)
		return Reply{Text: i18n.T(locale, "error.internal", "id", requestID), IsError: true}
	}
}

func (b *Bot) unknownCommand(locale, word string) Reply {
	text := i18n.T(locale, "error.unknown_command", "command", word)
	if s := b.suggest(word); s != "" {
		text += "\n" + i18n.T(locale, "error.did_you_mean", "command", s)
	}
	text += "\n" + i18n.T(locale, "error.see_help")
	return b.localizeReply(Reply{Text: text, IsError: true, Choices: []Choice{{Label: i18n.T(locale, "help.button"), Command: "aiuto"}}}, locale)
}

// suggest returns the command word closest to word, if it is close enough to be a typo (a
// transposition counts as one edit), or a command word it begins.
func (b *Bot) suggest(word string) string {
	best, bestD := "", -1
	for _, c := range b.commands {
		for _, w := range append([]string{c.Name, c.EN}, c.Aliases...) {
			if w == "" {
				continue
			}
			d := sameWord(word, w)
			if d < 0 && len(word) >= 3 && strings.HasPrefix(w, word) {
				d = 1
			}
			if d >= 0 && (bestD < 0 || d < bestD) {
				best, bestD = w, d
			}
		}
	}
	return best
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
