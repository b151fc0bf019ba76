package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// recordingOutbox stands in for River's queue (internal/jobs has its own tests against River):
// it writes each notice into a table in the caller's transaction, so that a rolled-back change
// leaves no message, exactly as with River, and a repeated key is kept once, as River's unique
// jobs are.
type recordingOutbox struct{}

var _ postgres.Outbox = (*recordingOutbox)(nil)

const outboxTable = `CREATE TABLE IF NOT EXISTS test_outbox (
	n       bigint GENERATED ALWAYS AS IDENTITY,
	key     text PRIMARY KEY,
	channel text NOT NULL,
	body    text NOT NULL)`

func (*recordingOutbox) PostTx(ctx context.Context, tx pgx.Tx, notices []bot.Notice) error {
	if _, err := tx.Exec(ctx, outboxTable); err != nil {
		return err
	}
	for _, n := range notices {
		var cmds []string
		for _, c := range n.Reply.Choices {
			cmds = append(cmds, "["+c.Command+"]")
		}
		body := n.Reply.PlainText() + "\n" + strings.Join(cmds, " ")
		if _, err := tx.Exec(ctx, `INSERT INTO test_outbox (key, channel, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			n.Key, n.Channel, body); err != nil {
			return err
		}
	}
	return nil
}

func (*recordingOutbox) TeamChannelTx(ctx context.Context, tx pgx.Tx, projectID int64) error {
	if _, err := tx.Exec(ctx, outboxTable); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO test_outbox (key, channel, body) VALUES ($1, 'channel-job', '') ON CONFLICT DO NOTHING`,
		fmt.Sprintf("team-channel:%d", projectID))
	return err
}

// sent is a notice as recorded.
type sent struct{ key, channel, body string }

// notices returns the notices recorded so far, in order.
func notices(t *testing.T, store *postgres.Store) []sent {
	t.Helper()
	ctx := context.Background()
	if _, err := store.Pool().Exec(ctx, outboxTable); err != nil {
		t.Fatal(err)
	}
	rows, err := store.Pool().Query(ctx, `SELECT key, channel, body FROM test_outbox ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (sent, error) {
		var s sent
		return s, r.Scan(&s.key, &s.channel, &s.body)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
