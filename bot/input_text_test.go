package bot_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestControlCharactersGetAClearReply: a NUL byte typed in a command (or a form's value) used
// to reach the database and come back as an internal error; now every command refuses it with
// a reply saying what is wrong, in the reader's language, and stores nothing.
func TestControlCharactersGetAClearReply(t *testing.T) {
	t.Parallel()
	f := newMeetFixture(t)
	for _, tc := range []struct{ locale, want string }{
		{"it", "carattere di controllo invisibile (U+0000"},
		{"en", "invisible control character (U+0000"},
	} {
		f.ask(t, "profilo lingua="+tc.locale)
		for _, text := range []string{
			"profilo nome=\"nul\x00byte\"",
			"progetto nuovo titolo=\"nul\x00byte\" obiettivi=DUP-1.2",
			fmt.Sprintf("progetto %d modifica descrizione=\"nul\x00byte\"", f.project),
			"incontri nuovo nome=\"nul\x00byte\" cron=\"0 10 * * 2\"",
			"incontri mai @nul\x00byte",
			"privacy\x00",
		} {
			r := ask(f.b, "carla", text)
			if !r.IsError || !strings.Contains(r.Text, tc.want) {
				t.Errorf("%s: %q: reply %q, want %q", tc.locale, text, r.Text, tc.want)
			}
		}
		r := askValues(f.b, "carla", "profilo modifica", map[string]string{"nome": "nul\x00byte"})
		if !r.IsError || !strings.Contains(r.Text, tc.want) {
			t.Errorf("%s: form value: reply %q", tc.locale, r.Text)
		}
	}
	if n := f.count(t, `SELECT (SELECT count(*) FROM employees WHERE display_name LIKE 'nul%')
		+ (SELECT count(*) FROM projects WHERE title LIKE 'nul%' OR description LIKE 'nul%')
		+ (SELECT count(*) FROM meeting_programmes)`); n != 0 {
		t.Errorf("%d rows stored with the NUL", n)
	}
}
