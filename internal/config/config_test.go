package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != ":8080" || c.Locale != "it" || c.Location.String() != "Europe/Rome" ||
		!strings.Contains(c.DatabaseURL, "127.0.0.1") || !strings.Contains(c.RedisURL, "127.0.0.1") {
		t.Fatalf("defaults = %+v", c)
	}
	if c.SlackEnabled() {
		t.Fatal("Slack enabled without tokens")
	}
}

func TestErrorsNameTheVariable(t *testing.T) {
	t.Parallel()
	cases := map[string]map[string]string{
		"DATABASE_URL":    {"DATABASE_URL": "mysql://x"},
		"REDIS_URL":       {"REDIS_URL": "localhost:6379"},
		"SLACK_API_URL":   {"SLACK_API_URL": "not a url"},
		"HTTP_ADDR":       {"HTTP_ADDR": "8080"},
		"BOT_LOCALE":      {"BOT_LOCALE": "fr"},
		"BOT_TIMEZONE":    {"BOT_TIMEZONE": "Mars/Olympus"},
		"SLACK_BOT_TOKEN": {"SLACK_SIGNING_SECRET": "s"},
		"SLACK_APP_TOKEN": {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-wrong"},
		"LOG_LEVEL":       {"LOG_LEVEL": "loud"},
	}
	for name, vars := range cases {
		_, err := Load(env(vars))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: error %v does not name %s", vars, err, name)
		}
	}
}

func TestPasswordsNeverEchoed(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"DATABASE_URL": "mysql://u:hunter2@h/db"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error leaks the password or is nil: %v", err)
	}
}

func TestSlackModes(t *testing.T) {
	t.Parallel()
	c, err := Load(env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "http://127.0.0.1:9/api"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.SlackEnabled() || c.SlackAPIURL != "http://127.0.0.1:9/api/" {
		t.Fatalf("config = %+v", c)
	}
}

func TestDotEnvDoesNotOverrideEnvironment(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".env")
	if err := os.WriteFile(p, []byte("CANTIERI_TEST_A=fromfile\nCANTIERI_TEST_B=fromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CANTIERI_TEST_A", "fromenv")
	if err := LoadDotEnv(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Unsetenv("CANTIERI_TEST_B") })
	if os.Getenv("CANTIERI_TEST_A") != "fromenv" || os.Getenv("CANTIERI_TEST_B") != "fromfile" {
		t.Fatalf("A=%q B=%q", os.Getenv("CANTIERI_TEST_A"), os.Getenv("CANTIERI_TEST_B"))
	}
	if err := LoadDotEnv(filepath.Join(dir, "missing")); err != nil {
		t.Fatalf("missing .env should be fine: %v", err)
	}
}

// TestVariablesDocumentWhatLoadReads keeps the command line's help (built from Variables) and
// the code in step: a variable read but not documented, or documented but not read, fails.
func TestVariablesDocumentWhatLoadReads(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	if _, err := Load(func(k string) string { read[k] = true; return "" }); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, v := range Variables {
		documented[v.Name] = true
		if !read[v.Name] {
			t.Errorf("%s is documented but Load does not read it", v.Name)
		}
	}
	for k := range read {
		if !documented[k] {
			t.Errorf("Load reads %s but Variables does not document it", k)
		}
	}
}

func TestMetricsAddr(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9090" || c.MetricsAddr == c.HTTPAddr {
		t.Fatalf("MetricsAddr = %q, HTTPAddr = %q", c.MetricsAddr, c.HTTPAddr)
	}
	for _, vars := range []map[string]string{
		{"METRICS_ADDR": "9090"},
		{"METRICS_ADDR": ":8080"},                                   // the same as the default HTTP_ADDR
		{"METRICS_ADDR": "10.0.0.1:80", "HTTP_ADDR": "10.0.0.1:80"}, // the same as HTTP_ADDR
	} {
		if _, err := Load(env(vars)); err == nil || !strings.Contains(err.Error(), "METRICS_ADDR") {
			t.Errorf("%v: error %v does not name METRICS_ADDR", vars, err)
		}
	}
	// Ephemeral ports (tests) may be spelled the same.
	if _, err := Load(env(map[string]string{"METRICS_ADDR": "127.0.0.1:0", "HTTP_ADDR": "127.0.0.1:0"})); err != nil {
		t.Fatal(err)
	}
}

// TestSurveyVariables: k defaults to 5, may not go below 3 (nor above 50), and SURVEY_KEY must
// be long enough; without it the development key is used and said to be one.
func TestSurveyVariables(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.SurveyMinRespondents != 5 || !c.SurveyKeyIsDev || len(c.SurveyKeys) != 1 {
		t.Fatalf("defaults: k %d, dev %v, keys %d", c.SurveyMinRespondents, c.SurveyKeyIsDev, len(c.SurveyKeys))
	}
	for _, v := range []string{"2", "0", "-5", "51", "cinque"} {
		_, err := Load(env(map[string]string{"SURVEY_MIN_RESPONDENTS": v}))
		if err == nil || !strings.Contains(err.Error(), "SURVEY_MIN_RESPONDENTS") {
			t.Errorf("SURVEY_MIN_RESPONDENTS=%s: error %v", v, err)
		}
	}
	c, err = Load(env(map[string]string{"SURVEY_MIN_RESPONDENTS": "3"}))
	if err != nil || c.SurveyMinRespondents != 3 {
		t.Fatalf("k=3: %v, %d", err, c.SurveyMinRespondents)
	}
	_, err = Load(env(map[string]string{"SURVEY_KEY": "short"}))
	if err == nil || !strings.Contains(err.Error(), "SURVEY_KEY") || strings.Contains(err.Error(), "short") {
		t.Fatalf("short key: error %v (must name the variable, never echo the key)", err)
	}
	key, old := strings.Repeat("k", 40), strings.Repeat("o", 40)
	c, err = Load(env(map[string]string{"SURVEY_KEY": key + ", " + old}))
	if err != nil || c.SurveyKeyIsDev || len(c.SurveyKeys) != 2 || c.SurveyKeys[0] != key {
		t.Fatalf("two keys: %v %+v", err, c.SurveyKeys)
	}
}

// TestSurveyConflictMargin: 10 index points unless set; a whole number from 1 to 100, and the
// error names the variable.
func TestSurveyConflictMargin(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil || c.SurveyConflictMargin != 10 {
		t.Fatalf("default: %v, %d", err, c.SurveyConflictMargin)
	}
	for _, v := range []string{"0", "-3", "101", "7.5", "dieci"} {
		_, err := Load(env(map[string]string{"SURVEY_CONFLICT_MARGIN": v}))
		if err == nil || !strings.Contains(err.Error(), "SURVEY_CONFLICT_MARGIN") {
			t.Errorf("SURVEY_CONFLICT_MARGIN=%s: error %v", v, err)
		}
	}
	for v, want := range map[string]int{"1": 1, "15": 15, "100": 100} {
		c, err := Load(env(map[string]string{"SURVEY_CONFLICT_MARGIN": v}))
		if err != nil || c.SurveyConflictMargin != want {
			t.Errorf("SURVEY_CONFLICT_MARGIN=%s: %v, %d", v, err, c.SurveyConflictMargin)
		}
	}
}
