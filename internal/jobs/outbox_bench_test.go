package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// BenchmarkOutboxPostTx enqueues a fan-out of 5,000 direct messages (texts kept in
// outbox_texts, as in production) in one transaction, as the monthly pulse does for every
// active employee. ns/op is the whole fan-out; notices/s is reported too.
func BenchmarkOutboxPostTx(b *testing.B) {
	const n = 5000
	ctx := context.Background()
	pool := pgtest.NewPool(b)
	outbox := textOutbox(b, pool)
	round := 0
	for b.Loop() {
		round++
		notices := make([]bot.Notice, n)
		for i := range notices {
			notices[i] = bot.Notice{Key: fmt.Sprintf("bench:%d:%d", round, i), Channel: fmt.Sprintf("U%07d", i),
				Reply: bot.Reply{Text: "Ciao, rispondi al sondaggio del mese", Private: true},
				Ref:   bot.NoticeRef{Kind: bot.RefSurvey, ID: int64(round), People: []int64{int64(i + 1)}}}
		}
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return outbox.PostTx(ctx, tx, notices) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "notices/s")
}

// BenchmarkPulseOpen runs the monthly pulse's firing for a council of 20,000 active employees:
// the instance, 20,000 invitations and 20,000 DMs (Bot.SurveyNotice, texts in outbox_texts,
// post jobs) in one transaction, as SurveyPulseSchedule does. Each iteration is a new month.
func BenchmarkPulseOpen(b *testing.B) {
	const people = 20_000
	ctx := context.Background()
	pool := pgtest.NewPool(b)
	if _, err := pool.Exec(ctx, `INSERT INTO employees (display_name, email)
		SELECT 'Persona ' || n, 'p' || n || '@comune.example.it' FROM generate_series(1, $1::int) n`, people); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO employee_identities (transport, external_id, employee_id) SELECT 'slack', 'U' || id, id FROM employees`); err != nil {
		b.Fatal(err)
	}
	outbox := textOutbox(b, pool)
	surveys, err := postgres.NewSurveyStore(pool, postgres.SurveyConfig{MinRespondents: 5, Keys: []string{strings.Repeat("b", 40)}, Outbox: outbox})
	if err != nil {
		b.Fatal(err)
	}
	core := bot.New(bot.Config{Store: postgres.NewStore(pool), DefaultLocale: "it"})
	month := time.Date(2027, 1, 1, 9, 0, 0, 0, time.UTC)
	for b.Loop() {
		var n int
		err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var err error
			n, err = surveys.OpenPulseTx(ctx, tx, month.Format("2006-01"), month.AddDate(0, 0, 15), core.SurveyNotice)
			return err
		})
		if err != nil || n != people {
			b.Fatalf("pulse: %d invited, %v", n, err)
		}
		month = month.AddDate(0, 1, 0)
	}
	b.ReportMetric(float64(people*b.N)/b.Elapsed().Seconds(), "people/s")
}
