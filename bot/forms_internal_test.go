package bot

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/comune-prato/cantieri/internal/i18n"
)

// maxFormTitle is Slack's limit for a modal's title and buttons, in UTF-16 code units: a
// longer one is cut ("Nuovo programma di inco…").
const maxFormTitle = 24

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// TestFormTitlesFitAModal: every form every handler builds, in every language, has a title and
// a submit label that fit a Slack modal; and so does every catalogue entry that names itself a
// form title, so that a new form's title is checked before a handler uses it.
func TestFormTitlesFitAModal(t *testing.T) {
	t.Parallel()
	p := Project{ID: 1, Title: "Un progetto dal titolo lunghissimo che non entra in nessun titolo di modale"}
	for _, l := range i18n.Locales() {
		c := &Call{Locale: l}
		for _, r := range []Reply{
			profileFormReply(c, nil), programmeForm(c), declineForm(c, 1), projectFormReply(c, nil),
			projectFormReply(c, &p), robustnessFormReply(c, p), indicatorFormReply(c, p),
		} {
			f := r.Form
			if f == nil {
				t.Fatalf("%s: a form builder returned no form: %+v", l, r)
			}
			for what, s := range map[string]string{"title": f.Title, "submit": f.SubmitLabel} {
				if s == "" || utf16Len(s) > maxFormTitle {
					t.Errorf("%s: form %s %s %q is empty or over %d", l, f.ID, what, s, maxFormTitle)
				}
			}
		}
		for _, k := range i18n.Keys(l) {
			if (strings.Contains(k, "form_title") || strings.HasSuffix(k, "form.title")) && utf16Len(i18n.T(l, k)) > maxFormTitle {
				t.Errorf("%s: %s = %q is over %d", l, k, i18n.T(l, k), maxFormTitle)
			}
		}
	}
}
