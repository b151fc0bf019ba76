package jobs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
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
	outbox, err := jobs.NewOutbox(pool)
	if err != nil {
		b.Fatal(err)
	}
	outbox.KeepTextsIn(postgres.NewOutbound(pool))
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
