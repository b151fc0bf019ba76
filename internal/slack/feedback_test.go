package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
	"github.com/comune-prato/cantieri/internal/survey"
)

// lockedLog collects log lines written from the transport's goroutines.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// modalView is the part of a views.open call these tests read.
type modalView struct {
	View struct {
		Title           struct{ Text string } `json:"title"`
		Submit          struct{ Text string } `json:"submit"`
		CallbackID      string                `json:"callback_id"`
		PrivateMetadata string                `json:"private_metadata"`
		Blocks          []struct {
			Type     string                 `json:"type"`
			BlockID  string                 `json:"block_id"`
			Optional bool                   `json:"optional"`
			Text     *struct{ Text string } `json:"text"`
			Label    *struct{ Text string } `json:"label"`
			Hint     *struct{ Text string } `json:"hint"`
			Element  *struct {
				Type      string `json:"type"`
				ActionID  string `json:"action_id"`
				Multiline bool   `json:"multiline"`
				MaxLength int    `json:"max_length"`
				Options   []struct {
					Text  struct{ Text string } `json:"text"`
					Value string                `json:"value"`
				} `json:"options"`
			} `json:"element"`
		} `json:"blocks"`
	} `json:"view"`
}

// Every shipped survey opens as a modal within Slack's limits with nothing cut (each question's
// text whole, each option's label whole), and a submission of the modal reaches "valuta ID"
// with its values: the answer is recorded, and neither the transport's logs nor the core's
// hold its text.
func TestSurveyModalsOfTheDefaultsFitSlackAndSubmit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 3, Keys: []string{strings.Repeat("k", 40)}})
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedLog{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, func(c *Config) {
		c.Bot = bot.New(bot.Config{Store: postgres.NewStore(pool), Surveys: surveys, Logger: logger})
		c.Logger = logger
	})
	var me int64
	if err := pool.QueryRow(ctx, `WITH e AS (INSERT INTO employees (display_name, email) VALUES ('Mario', 'mario@example.it') RETURNING id)
		INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'slack', 'U1', id FROM e RETURNING employee_id`).Scan(&me); err != nil {
		t.Fatal(err)
	}
	defaults, err := survey.Defaults()
	if err != nil {
		t.Fatal(err)
	}
	instances := map[string]int64{}
	for i, tpl := range defaults {
		o, err := surveys.Open(ctx, postgres.InstanceSpec{Template: tpl.Key, Subject: "test:" + tpl.Key, Audience: []int64{me}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		instances[tpl.Key] = o.ID
		h.command(t, "U1", fmt.Sprintf("valuta %d", o.ID), fmt.Sprintf("r-open-%d", i), fmt.Sprintf("trig-open-%d", i))
		var open modalView
		if err := json.Unmarshal(h.api.WaitCalls(t, "views.open", i+1)[i].Body, &open); err != nil {
			t.Fatal(err)
		}
		v := open.View
		if v.Title.Text != "Questionario" || utf8.RuneCountInString(v.Submit.Text) > maxModalTitle {
			t.Errorf("%s: title %q, submit %q", tpl.Key, v.Title.Text, v.Submit.Text)
		}
		if len(v.Blocks) != len(tpl.Questions)+1 || len(v.Blocks) > maxModalBlocks {
			t.Fatalf("%s: %d blocks for %d questions", tpl.Key, len(v.Blocks), len(tpl.Questions))
		}
		if intro := v.Blocks[0]; intro.Type != "section" || intro.Text == nil || !strings.Contains(intro.Text.Text, "*"+tpl.Title.IT+"*") ||
			!strings.Contains(intro.Text.Text, "Le risposte sono anonime") || utf8.RuneCountInString(intro.Text.Text) > maxSectionText {
			t.Errorf("%s: intro %+v", tpl.Key, intro.Text)
		}
		for j, q := range tpl.Questions {
			b := v.Blocks[j+1]
			if b.Type != "input" || b.Label == nil || b.Element == nil || b.Element.ActionID != q.Key || b.Optional == q.Required {
				t.Fatalf("%s %s: block %+v", tpl.Key, q.Key, b)
			}
			if want := fmt.Sprintf("%d. %s", j+1, q.Text.IT); b.Label.Text != want || utf8.RuneCountInString(b.Label.Text) > maxInputLabel {
				t.Errorf("%s %s: label %q, want %q", tpl.Key, q.Key, b.Label.Text, want)
			}
			if b.Hint != nil && utf8.RuneCountInString(b.Hint.Text) > maxInputLabel {
				t.Errorf("%s %s: hint of %d characters", tpl.Key, q.Key, utf8.RuneCountInString(b.Hint.Text))
			}
			el := b.Element
			switch q.Kind {
			case survey.KindText:
				if el.Type != "plain_text_input" || !el.Multiline || el.MaxLength != q.MaxLength {
					t.Errorf("%s %s: text input %+v", tpl.Key, q.Key, el)
				}
				continue
			case survey.KindLikert:
				if len(el.Options) != 5 || el.Options[0].Text.Text != "1 — "+q.Low.IT || el.Options[4].Text.Text != "5 — "+q.High.IT {
					t.Errorf("%s %s: scale %+v", tpl.Key, q.Key, el.Options)
				}
			case survey.KindYesNo:
				if len(el.Options) != 2 || el.Options[0].Value != "sì" || el.Options[0].Text.Text != "Sì" {
					t.Errorf("%s %s: yes/no %+v", tpl.Key, q.Key, el.Options)
				}
			case survey.KindChoice:
				if len(el.Options) != len(q.Options) {
					t.Errorf("%s %s: %d options, want %d", tpl.Key, q.Key, len(el.Options), len(q.Options))
				}
				for k, o := range el.Options {
					if o.Value != q.Options[k].Key || o.Text.Text != q.Options[k].Text.IT {
						t.Errorf("%s %s: option %+v, want %+v", tpl.Key, q.Key, o, q.Options[k])
					}
				}
			}
			if el.Type != "static_select" || len(el.Options) > maxSelectOptions {
				t.Errorf("%s %s: select %s with %d options", tpl.Key, q.Key, el.Type, len(el.Options))
			}
			for _, o := range el.Options {
				if utf8.RuneCountInString(o.Text.Text) > maxOptionText {
					t.Errorf("%s %s: option text %q over %d", tpl.Key, q.Key, o.Text.Text, maxOptionText)
				}
			}
		}
		if tpl.Key != "incontro" {
			continue
		}

		// The modal submitted: its values reach "valuta ID" and the answer is recorded.
		secret := "Uno sportello unico color zafferano"
		sel := func(v string) map[string]any {
			return map[string]any{"type": "static_select", "selected_option": map[string]any{"value": v, "text": map[string]any{"type": "plain_text", "text": v}}}
		}
		rec := h.interaction(t, map[string]any{
			"type": "view_submission", "user": map[string]any{"id": "U1", "name": "mario"}, "trigger_id": "trig-submit",
			"view": map[string]any{
				"id": "V1", "type": "modal", "callback_id": v.CallbackID, "private_metadata": v.PrivateMetadata,
				"state": map[string]any{"values": map[string]any{
					"utilita":        map[string]any{"utilita": sel("4")},
					"altro-ufficio":  map[string]any{"altro-ufficio": sel("sì")},
					"nuovo-contatto": map[string]any{"nuovo-contatto": sel("no")},
					"idea":           map[string]any{"idea": map[string]any{"type": "plain_text_input", "value": secret}},
				}},
			},
		})
		if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
			t.Fatalf("submission ack: %d %q", rec.Code, rec.Body.String())
		}
		post := h.api.WaitCalls(t, "response_url", 1)[0]
		if post.Params.Get("id") != fmt.Sprintf("r-open-%d", i) {
			t.Errorf("answer went to %q, want the slash command's response_url", post.Params.Get("id"))
		}
		if text, _ := post.JSON(t)["text"].(string); !strings.Contains(text, "Grazie! La tua risposta è registrata in forma anonima") ||
			strings.Contains(text, "zafferano") {
			t.Errorf("answer to the submission: %q", text)
		}
		h.tr.Wait()
		st, err := surveys.Status(ctx, o.ID)
		if err != nil || st.Answered != 1 || st.Pending != 1 {
			t.Fatalf("status %+v %v", st, err)
		}
		got := logs.String()
		if !strings.Contains(got, "command=valuta") {
			t.Fatalf("no log of the submission was captured:\n%s", got)
		}
		if strings.Contains(got, "zafferano") || strings.Contains(got, "sportello") {
			t.Errorf("the logs hold the free text:\n%s", got)
		}
	}
	if len(instances) != 5 {
		t.Fatalf("%d default templates, want 5", len(instances))
	}
}
