// Package config reads Cantieri's configuration from the environment (and a .env file when
// present) into one struct, and validates it: every error names the variable to fix.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/joho/godotenv"

	"github.com/comune-prato/cantieri/internal/i18n"
	"github.com/comune-prato/cantieri/internal/meetcal"
	"github.com/comune-prato/cantieri/internal/survey"
)

// Defaults point at the services on localhost, as on a developer's machine.
const (
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	DefaultRedisURL    = "redis://127.0.0.1:6379/0"
	DefaultHTTPAddr    = ":8080"
	// DefaultMetricsAddr keeps health and metrics on loopback: whoever can reach the Slack
	// endpoints (HTTP_ADDR) must not also read the bot's metrics.
	DefaultMetricsAddr = "127.0.0.1:9090"
	DefaultTimezone    = "Europe/Rome"
	DefaultSlackAPIURL = "https://slack.com/api/"
)

// Config is the whole configuration.
type Config struct {
	DatabaseURL        string
	RedisURL           string
	SlackBotToken      string
	SlackAppToken      string
	SlackSigningSecret string
	// SlackAPIURL is the base URL of the Slack Web API (tests point it at a fake).
	SlackAPIURL string
	// HTTPAddr serves the Slack endpoints (/slack/*) and nothing else.
	HTTPAddr string
	// MetricsAddr serves /healthz, /readyz and /metrics (METRICS_ADDR).
	MetricsAddr string
	Locale      string
	Timezone    string
	Location    *time.Location
	// RedisPrefix namespaces every Redis key (several bots, or tests, on one Redis).
	RedisPrefix string
	// LogLevel is debug, info, warn or error.
	LogLevel string
	// DepartmentType is the org unit type label that counts as "the department" for
	// diversity and connectivity (ORG_DEPARTMENT_TYPE, default Settore).
	DepartmentType string
	// IndicatorStaleDays is how long an indicator may go without a measurement, during
	// realizzazione or monitoraggio, before its coordinator is reminded
	// (PROJECT_INDICATOR_STALE_DAYS, default 30).
	IndicatorStaleDays int
	// LocalHolidays are the council's own holidays that exchange rounds skip, besides the
	// national ones (LOCAL_HOLIDAYS, comma-separated MM-DD; default 12-26, Prato's patron
	// Santo Stefano, which is also national). Holidays is the parsed calendar.
	LocalHolidays []string
	Holidays      *meetcal.Calendar
	// SurveyMinRespondents is k for evaluation feedback: nothing is shown about fewer than k
	// respondents (SURVEY_MIN_RESPONDENTS, default 5, never below 3).
	SurveyMinRespondents int
	// SurveyKeys seal survey answers while they wait for their batch (SURVEY_KEY,
	// comma-separated: the first seals, each opens, so a key can be rotated). Without
	// SURVEY_KEY it is DevSurveyKey and SurveyKeyIsDev is true: fine for a console or a
	// test, not against a database administrator (serve warns).
	SurveyKeys     []string
	SurveyKeyIsDev bool
	// SurveyConflictMargin is how many index points (0–100) a department's conflict index
	// must rise over two months for its dirigente to be told (SURVEY_CONFLICT_MARGIN, default
	// 10, from 1 to 100).
	SurveyConflictMargin int
}

// DevSurveyKey seals survey answers when SURVEY_KEY is not set. It is public (it is here), so
// it protects nothing: production sets SURVEY_KEY.
const DevSurveyKey = "cantieri-development-survey-key-not-a-secret"

// DefaultSurveyConflictMargin is SURVEY_CONFLICT_MARGIN unless set.
const DefaultSurveyConflictMargin = 10

// MinSurveyKeyLen is the shortest SURVEY_KEY accepted (e.g. openssl rand -base64 32 gives 44).
const MinSurveyKeyLen = 32

// SlackEnabled reports whether serve has a Slack transport to run: Socket Mode (app token) or
// HTTP (signing secret), each with the bot token.
func (c Config) SlackEnabled() bool {
	return c.SlackBotToken != "" && (c.SlackAppToken != "" || c.SlackSigningSecret != "")
}

// LoadDotEnv loads path (usually ".env") into the environment without overriding variables
// already set; a missing file is not an error.
func LoadDotEnv(path string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err := godotenv.Load(path); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// Load reads the configuration through getenv (os.Getenv in production) and validates it.
// All problems are reported together, each naming its variable.
func Load(getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		DatabaseURL:        get("DATABASE_URL", DefaultDatabaseURL),
		RedisURL:           get("REDIS_URL", DefaultRedisURL),
		SlackBotToken:      get("SLACK_BOT_TOKEN", ""),
		SlackAppToken:      get("SLACK_APP_TOKEN", ""),
		SlackSigningSecret: get("SLACK_SIGNING_SECRET", ""),
		SlackAPIURL:        get("SLACK_API_URL", DefaultSlackAPIURL),
		HTTPAddr:           get("HTTP_ADDR", DefaultHTTPAddr),
		MetricsAddr:        get("METRICS_ADDR", DefaultMetricsAddr),
		Locale:             get("BOT_LOCALE", i18n.Default),
		Timezone:           get("BOT_TIMEZONE", DefaultTimezone),
		RedisPrefix:        get("REDIS_PREFIX", "cantieri:"),
		LogLevel:           strings.ToLower(get("LOG_LEVEL", "info")),
		DepartmentType:     get("ORG_DEPARTMENT_TYPE", "Settore"),
	}
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{name}, a...)...))
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("DATABASE_URL", "want a URL like postgres://user@host:5432/db, got %q", redact(c.DatabaseURL))
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		bad("REDIS_URL", "want a URL like redis://host:6379/0, got %q", redact(c.RedisURL))
	}
	if u, err := url.Parse(c.SlackAPIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("SLACK_API_URL", "want an http(s) URL like https://slack.com/api/, got %q", c.SlackAPIURL)
	} else if !strings.HasSuffix(c.SlackAPIURL, "/") {
		c.SlackAPIURL += "/"
	}
	if c.SlackBotToken != "" && !strings.HasPrefix(c.SlackBotToken, "xoxb-") {
		bad("SLACK_BOT_TOKEN", "a bot token starts with xoxb- (OAuth & Permissions → Bot User OAuth Token)")
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		bad("SLACK_APP_TOKEN", "an app-level token starts with xapp- (Basic Information → App-Level Tokens, scope connections:write)")
	}
	if (c.SlackAppToken != "" || c.SlackSigningSecret != "") && c.SlackBotToken == "" {
		bad("SLACK_BOT_TOKEN", "is required when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set")
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		bad("HTTP_ADDR", "want host:port or :port, got %q", c.HTTPAddr)
	}
	if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil {
		bad("METRICS_ADDR", "want host:port or :port (e.g. 127.0.0.1:9090), got %q", c.MetricsAddr)
	} else if port != "0" && c.MetricsAddr == c.HTTPAddr {
		bad("METRICS_ADDR", "must differ from HTTP_ADDR (%s): metrics and health are served apart from the Slack endpoints", c.HTTPAddr)
	}
	if l := i18n.Normalize(c.Locale); l == "" {
		bad("BOT_LOCALE", "supported locales are %s, got %q", strings.Join(i18n.Locales(), ", "), c.Locale)
	} else {
		c.Locale = l
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		bad("BOT_TIMEZONE", "unknown time zone %q (use an IANA name such as Europe/Rome)", c.Timezone)
	}
	c.Location = loc
	c.IndicatorStaleDays = 30
	if v := get("PROJECT_INDICATOR_STALE_DAYS", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 365 {
			bad("PROJECT_INDICATOR_STALE_DAYS", "want a number of days from 1 to 365, got %q", v)
		}
		c.IndicatorStaleDays = n
	}
	for d := range strings.SplitSeq(get("LOCAL_HOLIDAYS", "12-26"), ",") {
		if d = strings.TrimSpace(d); d != "" {
			c.LocalHolidays = append(c.LocalHolidays, d)
		}
	}
	if cal, err := meetcal.NewCalendar(c.LocalHolidays...); err != nil {
		bad("LOCAL_HOLIDAYS", "want month-day dates like 06-24 (Firenze's San Giovanni), comma-separated: %v", err)
	} else {
		c.Holidays = cal
	}
	c.SurveyMinRespondents = survey.DefaultMinRespondents
	if v := get("SURVEY_MIN_RESPONDENTS", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < survey.MinRespondents || n > survey.MaxMinRespondents {
			bad("SURVEY_MIN_RESPONDENTS", "want a number of people from %d to %d (nothing is ever shown about fewer than %d), got %q",
				survey.MinRespondents, survey.MaxMinRespondents, survey.MinRespondents, v)
		}
		c.SurveyMinRespondents = n
	}
	for k := range strings.SplitSeq(get("SURVEY_KEY", ""), ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if len(k) < MinSurveyKeyLen {
			bad("SURVEY_KEY", "each key must be at least %d characters (e.g. the output of openssl rand -base64 32), got one of %d", MinSurveyKeyLen, len(k))
		}
		c.SurveyKeys = append(c.SurveyKeys, k)
	}
	if len(c.SurveyKeys) == 0 {
		c.SurveyKeys, c.SurveyKeyIsDev = []string{DevSurveyKey}, true
	}
	c.SurveyConflictMargin = DefaultSurveyConflictMargin
	if v := get("SURVEY_CONFLICT_MARGIN", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			bad("SURVEY_CONFLICT_MARGIN", "want a whole number of index points from 1 to 100 (the conflict index runs 0–100), got %q", v)
		}
		c.SurveyConflictMargin = n
	}
	if len(c.DepartmentType) > 40 {
		bad("ORG_DEPARTMENT_TYPE", "an org unit type label of at most 40 characters (e.g. Settore), got %q", c.DepartmentType)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "want debug, info, warn or error, got %q", c.LogLevel)
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}

// redact hides a password in a URL so that it never reaches a log or an error message.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Variable documents one environment variable for the command line's help.
type Variable struct {
	Name    string
	Default string
	// Help is one short line, Italian / English.
	Help string
}

// Variables lists every variable Load reads, in the order of README's configuration table.
// A test checks that Load reads exactly these, so that help cannot drift from the code.
var Variables = []Variable{
	{"DATABASE_URL", DefaultDatabaseURL, "PostgreSQL (dati e coda dei job / data and job queue)"},
	{"REDIS_URL", DefaultRedisURL, "Redis (deduplica e limiti Slack / de-duplication and Slack rate limits)"},
	{"SLACK_BOT_TOKEN", "", "xoxb-…: token del bot / bot token"},
	{"SLACK_APP_TOKEN", "", "xapp-…: attiva Socket Mode / turns on Socket Mode"},
	{"SLACK_SIGNING_SECRET", "", "attiva gli endpoint HTTP di Slack / turns on Slack's HTTP endpoints"},
	{"SLACK_API_URL", DefaultSlackAPIURL, "URL della Web API di Slack / Slack Web API base URL"},
	{"HTTP_ADDR", DefaultHTTPAddr, "endpoint Slack /slack/* (solo quelli) / Slack endpoints only"},
	{"METRICS_ADDR", DefaultMetricsAddr, "/healthz, /readyz, /metrics"},
	{"BOT_LOCALE", i18n.Default, "lingua predefinita it|en / default language"},
	{"BOT_TIMEZONE", DefaultTimezone, "fuso orario delle pianificazioni / time zone of schedules"},
	{"LOG_LEVEL", "info", "debug|info|warn|error (warn nei comandi da terminale / in terminal commands)"},
	{"REDIS_PREFIX", "cantieri:", "prefisso delle chiavi Redis / Redis key prefix"},
	{"ORG_DEPARTMENT_TYPE", "Settore", "tipo di unità che conta come dipartimento / unit type that is the department"},
	{"PROJECT_INDICATOR_STALE_DAYS", "30", "giorni senza misure prima del promemoria / days without a measurement before a reminder"},
	{"LOCAL_HOLIDAYS", "12-26", "festività locali MM-DD / local holidays MM-DD"},
	{"SURVEY_MIN_RESPONDENTS", "5", "k: nulla si mostra su meno di k risposte (minimo 3) / nothing shown below k respondents (at least 3)"},
	{"SURVEY_KEY", "", "chiave che sigilla le risposte in attesa (obbligatoria in produzione) / key sealing pending answers (required in production)"},
	{"SURVEY_CONFLICT_MARGIN", "10", "punti di aumento dell'indice di conflitto in due mesi che avvisano il dirigente / conflict index rise over two months that tells the dirigente"},
}

// Lookup returns the documentation of the variable name.
func Lookup(name string) (Variable, bool) {
	for _, v := range Variables {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}
