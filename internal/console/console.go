// Package console is the terminal transport: the same commands as in Slack, typed one per line
// as after /cantieri; replies printed as text, choices as numbered options, forms asked field by
// field. It works the same with a terminal or with lines piped in (then it prints no prompts and
// exits at the end of input), so scripts and tests can drive it.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
)

// Config configures a console session.
type Config struct {
	Bot *bot.Bot
	// Handle is the local user (created as an employee row on first use).
	Handle string
	In     io.Reader
	Out    io.Writer
	// Interactive prints the welcome line and prompts (a terminal); false for piped input.
	Interactive bool
	// OutputDir is where pictures and files (a data export) are written (default: the
	// system temp dir).
	OutputDir string
	// Settle, when set, runs after each command and before the next line is read: the
	// messages the command caused (durable jobs) print before the next command, as they would
	// reach people before they could answer them.
	Settle func(ctx context.Context)
}

// Console is a running session. It also implements bot.Poster, so that durable jobs started by
// the console (reminders, digests) print into it.
type Console struct {
	cfg     Config
	mu      sync.Mutex // serialises writes: jobs may post while a reply prints
	lines   chan string
	choices []bot.Choice
	// lang is the language of the last reply: the console's own words follow the user's.
	lang string
	// shown counts the messages to other people printed since the last command started, and
	// hidden those not printed because MaxShownMessages were: a fan-out to the whole council
	// (the monthly pulse) would otherwise scroll thousands of messages past.
	shown, hidden int
}

// MaxShownMessages is how many messages to other people a command's effects print in full;
// the rest are counted in one line. Messages to the console's own person always print.
const MaxShownMessages = 12

// New returns a console for cfg.
func New(cfg Config) *Console {
	if cfg.OutputDir == "" {
		cfg.OutputDir = os.TempDir()
	}
	return &Console{cfg: cfg}
}

var _ bot.Poster = (*Console)(nil)

// Post prints a proactive message (a job's reminder, a digest) with the channel it was meant for.
func (c *Console) Post(_ context.Context, channel string, r bot.Reply) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if channel != bot.ConsoleAddressPrefix+c.cfg.Handle {
		if c.shown >= MaxShownMessages {
			c.hidden++
			return fmt.Sprintf("console-%s", bot.NewRequestID()), nil
		}
		c.shown++
	}
	fmt.Fprintf(c.cfg.Out, "\n[→ %s]\n", channel)
	c.printReply(r)
	return fmt.Sprintf("console-%s", bot.NewRequestID()), nil
}

func (c *Console) identity() bot.Identity {
	return bot.Identity{Transport: bot.TransportConsole, ExternalID: c.cfg.Handle, DisplayName: c.cfg.Handle}
}

// locale is the language for the console's own words; the caller holds c.mu or is the
// reading goroutine (the only writer of lang).
func (c *Console) locale() string {
	if c.lang != "" {
		return c.lang
	}
	return c.cfg.Bot.Locale("", "")
}

// Run reads commands until the end of input, "esci"/"exit", or ctx is cancelled.
func (c *Console) Run(ctx context.Context) error {
	c.lines = make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(c.cfg.In)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			select {
			case c.lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
		close(c.lines)
	}()

	if c.cfg.Interactive {
		c.println(i18n.T(c.locale(), "console.welcome", "handle", c.cfg.Handle))
	}
	for {
		line, ok := c.next(ctx, "> ")
		if !ok {
			if ctx.Err() != nil {
				return nil
			}
			if err := <-readErr; err != nil {
				return fmt.Errorf("console: read input: %w", err)
			}
			return nil
		}
		line = strings.TrimSpace(line)
		switch strings.ToLower(line) {
		case "":
			continue
		case "esci", "exit", "quit":
			c.println(i18n.T(c.locale(), "console.bye"))
			return nil
		}
		if handle, ok := switchTo(line); ok {
			// A console-only aid for demos and scripts: play another person (the console is a
			// local tool with the database's credentials; Slack has no such thing).
			c.cfg.Handle = handle
			c.choices = nil
			c.println(i18n.T(c.locale(), "console.switched", "handle", handle))
			continue
		}
		text := line
		if n, err := strconv.Atoi(line); err == nil {
			// A number is never a command: it picks one of the offered choices, or is a slip
			// to point out (not an unknown command "7" with a "did you mean «?»").
			if n < 1 || n > len(c.choices) {
				c.println(c.choiceOutOfRange())
				continue
			}
			text = c.choices[n-1].Command
		}
		c.mu.Lock()
		c.shown, c.hidden = 0, 0
		c.mu.Unlock()
		c.run(ctx, bot.Request{From: c.identity(), Source: bot.SourceConsole, Text: text})
		if c.cfg.Settle != nil {
			c.cfg.Settle(ctx)
		}
		c.mu.Lock()
		if c.hidden > 0 {
			fmt.Fprintf(c.cfg.Out, "\n%s\n", i18n.T(c.locale(), "console.hidden_messages", "n", c.hidden))
			c.hidden = 0
		}
		c.mu.Unlock()
	}
}

// choiceOutOfRange says which numbers may be typed now.
func (c *Console) choiceOutOfRange() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.choices) == 0 {
		return i18n.T(c.locale(), "console.no_choices")
	}
	return i18n.T(c.locale(), "console.choice_range", "max", len(c.choices))
}

// next returns the next input line, printing prompt first on a terminal.
func (c *Console) next(ctx context.Context, prompt string) (string, bool) {
	if c.cfg.Interactive {
		c.mu.Lock()
		fmt.Fprint(c.cfg.Out, prompt)
		c.mu.Unlock()
	}
	select {
	case l, ok := <-c.lines:
		return l, ok
	case <-ctx.Done():
		return "", false
	}
}

func (c *Console) run(ctx context.Context, req bot.Request) {
	reply := c.cfg.Bot.Handle(ctx, req)
	c.mu.Lock()
	c.lang = reply.Locale
	c.printReply(reply)
	c.mu.Unlock()
	c.choices = reply.Choices
	if reply.Form != nil {
		c.fillForm(ctx, reply.Form)
	}
}

// fillForm asks each field in turn and submits the form like a Slack modal would.
func (c *Console) fillForm(ctx context.Context, f *bot.Form) {
	loc := c.locale()
	c.println(i18n.T(loc, "console.form_start", "title", f.Title))
	values := map[string]string{}
	for _, field := range f.Fields {
		prompt := field.Label
		if field.Hint != "" {
			prompt += " (" + field.Hint + ")"
		}
		if len(field.Options) > 0 {
			prompt += " [" + i18n.T(loc, "console.options") + ": " + optionList(field.Options) + "]"
		}
		if field.Value != "" {
			prompt += " [" + i18n.T(loc, "console.current") + ": " + field.Value + "]"
		}
		for {
			if !c.cfg.Interactive {
				c.println(prompt + ":")
			}
			line, ok := c.next(ctx, prompt+": ")
			if !ok {
				return
			}
			line = strings.TrimSpace(line)
			switch strings.ToLower(line) {
			case "annulla", "cancel":
				c.println(i18n.T(loc, "console.form_cancel"))
				return
			case "":
				line = field.Value
			case "-":
				line = ""
			}
			if field.Required && line == "" {
				c.println(i18n.T(loc, "form.required"))
				continue
			}
			values[field.Name] = pickOption(field.Options, line)
			break
		}
	}
	c.run(ctx, bot.Request{From: c.identity(), Source: bot.SourceForm, Text: f.Submit, Values: values})
}

// optionList shows a select's options as they may be typed: the value, with its label when
// that says more ("auto (automatica)"), or the label alone when it begins with the value
// ("1 — Per niente", "Sì").
func optionList(opts []bot.Option) string {
	out := make([]string, len(opts))
	sep := ", "
	for i, o := range opts {
		switch {
		case o.Label == "" || o.Label == o.Value:
			out[i] = o.Value
		case labelShowsValue(o):
			out[i] = o.Label
		default:
			out[i] = o.Value + " (" + o.Label + ")"
		}
		if strings.Contains(out[i], ",") {
			sep = "; " // a label with a comma ("Sì, così com'è") needs a clearer separator
		}
	}
	return strings.Join(out, sep)
}

// labelShowsValue reports whether an option's label is its value, or begins with it as a word.
func labelShowsValue(o bot.Option) bool {
	label, value := strings.ToLower(o.Label), strings.ToLower(o.Value)
	if label == value {
		return true
	}
	rest, ok := strings.CutPrefix(label, value)
	if !ok || rest == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// pickOption reads what was typed for a select as Slack would send it, the option's value:
// typed as its value, as its label, or as its place in the list (1 for the first). Anything
// else is left for the command to explain.
func pickOption(opts []bot.Option, typed string) string {
	if len(opts) == 0 || typed == "" {
		return typed
	}
	for _, o := range opts {
		if strings.EqualFold(typed, o.Value) {
			return o.Value
		}
	}
	for _, o := range opts {
		if o.Label != "" && strings.EqualFold(typed, strings.TrimSpace(o.Label)) {
			return o.Value
		}
	}
	if n, err := strconv.Atoi(typed); err == nil && n >= 1 && n <= len(opts) {
		return opts[n-1].Value
	}
	return typed
}

func (c *Console) println(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.cfg.Out, s)
}

// printReply writes r as text; the caller holds c.mu.
func (c *Console) printReply(r bot.Reply) {
	w := c.cfg.Out
	if r.Image != nil {
		if path, err := writeNew(c.cfg.OutputDir, safeName(r.Image.Name, ".png"), r.Image.PNG); err == nil {
			r.Sections = append(r.Sections, bot.Section{Text: i18n.T(c.locale(), "console.image_saved", "path", path)})
		}
	}
	if r.File != nil {
		// Personal data: a new file readable by the owner only (see writeNew).
		if path, err := writeNew(c.cfg.OutputDir, safeName(r.File.Name, ""), r.File.Data); err == nil {
			r.File = nil // the section below replaces the "[title]" line
			r.Sections = append(r.Sections, bot.Section{Text: i18n.T(c.locale(), "console.file_saved", "path", path)})
		} else {
			r.Sections = append(r.Sections, bot.Section{Text: i18n.T(c.locale(), "console.file_failed",
				"path", filepath.Join(c.cfg.OutputDir, safeName(r.File.Name, "")))})
		}
	}
	fmt.Fprintln(w, r.PlainText())
	if len(r.Choices) > 0 {
		fmt.Fprintln(w, i18n.T(c.locale(), "console.choices"))
		for i, ch := range r.Choices {
			fmt.Fprintf(w, "  %d) %s  → %s\n", i+1, ch.Label, ch.Command)
		}
	}
	fmt.Fprintln(w)
}

// writeNew writes data to a new file in dir named after name with a random part before its
// extension ("cantieri-dati-personali-7-123456789.json"), and returns its path. The file is
// created exclusively (O_EXCL) with mode 0600: the output directory is often the shared
// temporary directory, where anyone could have put a file or a symbolic link at a name that
// can be guessed, and writing there would otherwise go through the link or keep the planted
// file's permissions, exposing personal data. A random name cannot be planted in advance, and
// O_EXCL never follows a link or reuses an existing file.
func writeNew(dir, name string, data []byte) (string, error) {
	ext := filepath.Ext(name)
	pattern := strings.ReplaceAll(strings.TrimSuffix(name, ext), "*", "_") + "-*" + strings.ReplaceAll(ext, "*", "_")
	f, err := os.CreateTemp(dir, pattern) // O_RDWR|O_CREATE|O_EXCL, 0600
	if err != nil {
		return "", fmt.Errorf("console: create file in %s: %w", dir, err)
	}
	path := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return "", fmt.Errorf("console: write %s: %w", path, err)
	}
	return path, nil
}

// safeName keeps a file name inside OutputDir, with ext when it has none.
func safeName(name, ext string) string {
	name = filepath.Base(name)
	if name == "." || name == "/" || name == "" {
		name = "cantieri" + ext
	}
	if ext != "" && !strings.HasSuffix(strings.ToLower(name), ext) {
		name += ext
	}
	return name
}

// switchTo reads ":come HANDLE" (":as HANDLE").
func switchTo(line string) (string, bool) {
	for _, p := range []string{":come ", ":as "} {
		if len(line) > len(p) && strings.EqualFold(line[:len(p)], p) {
			if h := strings.TrimSpace(line[len(p):]); h != "" && !strings.ContainsAny(h, " \t") {
				return h, true
			}
		}
	}
	return "", false
}

var _ bot.Channels = (*Console)(nil)

// CreateChannel stands in for a Slack channel: it prints what would be created and returns
// "#name" as the channel's id.
func (c *Console) CreateChannel(_ context.Context, name string) (string, error) {
	c.println(i18n.T(c.locale(), "console.channel_created", "name", name))
	return "#" + name, nil
}

// InviteToChannel prints who would be invited.
func (c *Console) InviteToChannel(_ context.Context, channel string, users []string) error {
	c.println(i18n.T(c.locale(), "console.channel_invited", "channel", channel, "users", strings.Join(users, ", ")))
	return nil
}

// Pin prints that the message would be pinned.
func (c *Console) Pin(_ context.Context, channel, ts string) error {
	c.println(i18n.T(c.locale(), "console.channel_pinned", "channel", channel))
	return nil
}
