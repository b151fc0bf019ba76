package jobs_test

import (
	"context"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

// fakeDue answers MessageDue from a set of invitation ids still pending, and records the
// references it was asked about.
type fakeDue struct {
	mu      sync.Mutex
	pending map[int64]bool
	asked   []bot.NoticeRef
}

func (d *fakeDue) MessageDue(_ context.Context, ref bot.NoticeRef) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asked = append(d.asked, ref)
	return ref.Kind != bot.RefInvitation || d.pending[ref.ID], nil
}

// The worker asks, right before posting, whether the message is still due: an invitation
// answered since it was enqueued is not sent, and the job ends cleanly, counted as skipped.
func TestPostSkipsAMessageNoLongerDue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	poster := &fakePoster{}
	due := &fakeDue{pending: map[int64]bool{7: true}}
	m := metrics.New()
	r := startRunner(t, pool, jobs.Config{Poster: poster, Due: due, Metrics: m})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	for _, a := range []jobs.PostArgs{
		{Key: "team-invite:7", Channel: "U7", Reply: bot.Reply{Text: "Invito 7"}, Ref: bot.NoticeRef{Kind: bot.RefInvitation, ID: 7, People: []int64{70}}},
		{Key: "team-invite:8", Channel: "U8", Reply: bot.Reply{Text: "Invito 8"}, Ref: bot.NoticeRef{Kind: bot.RefInvitation, ID: 8, People: []int64{80}}},
	} {
		if _, err := jobs.EnqueuePost(ctx, r.Client(), a); err != nil {
			t.Fatal(err)
		}
		if ev := waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted, river.EventKindJobFailed); ev.Kind != river.EventKindJobCompleted {
			t.Fatalf("%s: event %s, want completed", a.Key, ev.Kind)
		}
	}
	if _, posts := poster.snapshot(); len(posts) != 1 || posts[0].Channel != "U7" {
		t.Fatalf("posts %+v; want only the pending invitation 7", posts)
	}
	if ok, skipped := jobsCount(m, jobs.KindPostMessage, jobs.OutcomeOK), jobsCount(m, jobs.KindPostMessage, jobs.OutcomeSkipped); ok != 1 || skipped != 1 {
		t.Fatalf("jobs ok=%d skipped=%d, want 1 and 1", ok, skipped)
	}
	due.mu.Lock()
	defer due.mu.Unlock()
	if len(due.asked) != 2 || due.asked[1].ID != 8 || len(due.asked[1].People) != 1 || due.asked[1].People[0] != 80 {
		t.Fatalf("asked %+v; want each job's reference, carried through River", due.asked)
	}
}
