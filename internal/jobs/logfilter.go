package jobs

import (
	"context"
	"log/slog"
	"strings"
)

// quietNilPeriodic is the end of the line River logs at INFO each time a periodic job's
// constructor returns nil. Ours return nil by design when a leader starts and there is no
// firing to catch up (every schedule, at every start), so the line says nothing an operator
// needs; it is kept at DEBUG for whoever traces the enqueuer.
const quietNilPeriodic = "nil returned from periodic job constructor, skipping"

// riverLogHandler passes River's logs through to the Runner's handler, demoting the
// "nil returned" line to DEBUG.
type riverLogHandler struct{ slog.Handler }

func (h riverLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level > slog.LevelDebug && strings.HasSuffix(r.Message, quietNilPeriodic) {
		if !h.Handler.Enabled(ctx, slog.LevelDebug) {
			return nil
		}
		r.Level = slog.LevelDebug
	}
	return h.Handler.Handle(ctx, r)
}

func (h riverLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return riverLogHandler{h.Handler.WithAttrs(attrs)}
}

func (h riverLogHandler) WithGroup(name string) slog.Handler {
	return riverLogHandler{h.Handler.WithGroup(name)}
}
