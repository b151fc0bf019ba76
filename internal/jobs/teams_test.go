package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/riverqueue/river"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/metrics"
	"github.com/comune-prato/cantieri/internal/postgres"
	"github.com/comune-prato/cantieri/internal/postgres/pgtest"
)

var errChannelsDown = errors.New("slack: internal_error")

// fakeChannels stands in for Slack's conversations API. Like Slack, creating a name that
// exists returns the existing channel (the Client does so through name_taken); the first
// inviteFailures invites and pinFailures pins fail.
type fakeChannels struct {
	mu             sync.Mutex
	byName         map[string]string
	creates        int
	invites        [][]string
	inviteFailures int
	pins           []string // "channel/ts" of each successful pin
	pinCalls       int
	pinFailures    int
}

func (c *fakeChannels) CreateChannel(_ context.Context, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.creates++
	if c.byName == nil {
		c.byName = map[string]string{}
	}
	if id, ok := c.byName[name]; ok {
		return id, nil
	}
	id := fmt.Sprintf("CPROJ%d", len(c.byName)+1)
	c.byName[name] = id
	return id, nil
}

func (c *fakeChannels) InviteToChannel(_ context.Context, channel string, users []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.invites = append(c.invites, append([]string{channel}, users...))
	if len(c.invites) <= c.inviteFailures {
		return errChannelsDown
	}
	return nil
}

func (c *fakeChannels) Pin(_ context.Context, channel, ts string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pinCalls++
	if c.pinCalls <= c.pinFailures {
		return errChannelsDown
	}
	c.pins = append(c.pins, channel+"/"+ts)
	return nil
}

func (c *fakeChannels) snapshot() (creates int, channels int, invites [][]string, pinCalls int, pins []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.creates, len(c.byName), slices.Clone(c.invites), c.pinCalls, slices.Clone(c.pins)
}

// fakePlanner plans one project's channel and records it as the store does (only the first
// channel recorded sticks).
type fakePlanner struct {
	mu      sync.Mutex
	channel map[int64]string
	sets    int
}

func (p *fakePlanner) TeamChannelPlan(_ context.Context, projectID int64) (bot.TeamChannelPlan, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bot.TeamChannelPlan{
		ProjectID: projectID,
		Name:      fmt.Sprintf("cantieri-%d-ciclovia-del-bisenzio", projectID),
		Channel:   p.channel[projectID],
		Members:   []string{"U10", "U11", bot.ConsoleAddressPrefix + "anna", "U12"},
		Card:      bot.Reply{Title: "Ciclovia del Bisenzio", Text: "Benvenuti nel canale del progetto!", Public: true},
	}, nil
}

func (p *fakePlanner) SetTeamChannel(_ context.Context, projectID int64, channel string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sets++
	if p.channel == nil {
		p.channel = map[int64]string{}
	}
	if p.channel[projectID] == "" {
		p.channel[projectID] = channel
	}
	return nil
}

func (p *fakePlanner) recorded(projectID int64) (string, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.channel[projectID], p.sets
}

// A team_channel job that fails part-way (after the channel is created) is retried by River,
// and the retry completes the work without a second channel, a second card or a lost pin.
func TestTeamChannelJobRetriedAfterAFailureDoesNothingTwice(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                      string
		inviteFailures, pinFailed int
	}{
		{"invite fails once", 1, 0},
		{"pin fails once, after the card is posted", 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			pool := pgtest.NewPool(t)
			store := postgres.NewOutbound(pool)
			poster := &fakePoster{}
			channels := &fakeChannels{inviteFailures: tc.inviteFailures, pinFailures: tc.pinFailed}
			planner := &fakePlanner{}
			m := metrics.New()
			r := startRunner(t, pool, jobs.Config{Poster: poster, Channels: channels, TeamChannels: planner, Metrics: m})
			events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
			defer cancel()

			const pid = 42
			res, err := r.Client().Insert(ctx, jobs.TeamChannelArgs{ProjectID: pid}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ev := waitEvent(t, events, jobs.KindTeamChannel, river.EventKindJobCompleted, river.EventKindJobFailed)
			if ev.Kind != river.EventKindJobFailed || ev.Job.ID != res.Job.ID {
				t.Fatalf("first attempt: %s for job %d, want a failure of job %d", ev.Kind, ev.Job.ID, res.Job.ID)
			}
			if len(ev.Job.Errors) != 1 || !strings.Contains(ev.Job.Errors[0].Error, errChannelsDown.Error()) {
				t.Fatalf("first attempt errors = %+v, want the Slack failure", ev.Job.Errors)
			}
			// The channel exists and is recorded before the failure.
			if ch, _ := planner.recorded(pid); ch != "CPROJ1" {
				t.Fatalf("channel recorded after the first attempt = %q, want CPROJ1", ch)
			}

			ev = waitEvent(t, events, jobs.KindTeamChannel, river.EventKindJobCompleted, river.EventKindJobFailed)
			if ev.Kind != river.EventKindJobCompleted || ev.Job.Attempt != 2 {
				t.Fatalf("second event: %s on attempt %d (errors %+v), want completion on attempt 2", ev.Kind, ev.Job.Attempt, ev.Job.Errors)
			}

			creates, nChannels, invites, pinCalls, pins := channels.snapshot()
			if creates != 1 || nChannels != 1 {
				t.Errorf("CreateChannel called %d times (%d channels), want once", creates, nChannels)
			}
			if ch, sets := planner.recorded(pid); ch != "CPROJ1" || sets != 1 {
				t.Errorf("channel recorded %q in %d calls, want CPROJ1 once", ch, sets)
			}
			wantInvite := []string{"CPROJ1", "U10", "U11", bot.ConsoleAddressPrefix + "anna", "U12"}
			// Both attempts invite (repeating an invite is harmless), the second one to the
			// recorded channel.
			if len(invites) != 2 {
				t.Errorf("invites = %q, want one per attempt", invites)
			}
			for _, inv := range invites {
				if !slices.Equal(inv, wantInvite) {
					t.Errorf("invite %q, want %q", inv, wantInvite)
				}
			}
			calls, posts := poster.snapshot()
			if calls != 1 || len(posts) != 1 {
				t.Fatalf("card posted %d times (%d calls), want once", len(posts), calls)
			}
			if posts[0].Channel != "CPROJ1" || !posts[0].Reply.Public || posts[0].Reply.Title != "Ciclovia del Bisenzio" {
				t.Errorf("card = %+v", posts[0])
			}
			ts, found, err := store.OutboundTS(ctx, fmt.Sprintf("team-card:%d", pid))
			if err != nil || !found || ts != posts[0].TS {
				t.Errorf("team-card record = %q, %v, %v; want %q", ts, found, err, posts[0].TS)
			}
			if pinCalls != 1+tc.pinFailed || !slices.Equal(pins, []string{"CPROJ1/" + posts[0].TS}) {
				t.Errorf("pins = %q in %d calls, want the card's ts once after %d failures", pins, pinCalls, tc.pinFailed)
			}
			if e, ok := jobsCount(m, jobs.KindTeamChannel, jobs.OutcomeError), jobsCount(m, jobs.KindTeamChannel, jobs.OutcomeOK); e != 1 || ok != 1 {
				t.Errorf("jobs{team_channel}: error=%d ok=%d; want 1 and 1", e, ok)
			}
		})
	}
}

func TestTeamChannelJobWithoutChannelsFailsClearly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	r := startRunner(t, pool, jobs.Config{Poster: &fakePoster{}, TeamChannels: &fakePlanner{}}) // no Channels
	events, cancel := r.Client().Subscribe(river.EventKindJobFailed, river.EventKindJobCompleted)
	defer cancel()
	if _, err := r.Client().Insert(ctx, jobs.TeamChannelArgs{ProjectID: 1}, nil); err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, events, jobs.KindTeamChannel, river.EventKindJobFailed, river.EventKindJobCompleted)
	if ev.Kind != river.EventKindJobFailed || len(ev.Job.Errors) == 0 || !strings.Contains(ev.Job.Errors[0].Error, jobs.ErrNoChannels.Error()) {
		t.Fatalf("event %s, errors %+v; want a failure with ErrNoChannels", ev.Kind, ev.Job.Errors)
	}
}

// unreachablePoster refuses every address, as the Slack client does with a console address.
type unreachablePoster struct {
	mu    sync.Mutex
	calls int
}

func (p *unreachablePoster) Post(_ context.Context, channel string, _ bot.Reply) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	return "", fmt.Errorf("post to %s: %w", channel, bot.ErrUnreachable)
}

// A post to an address the transport cannot reach completes at once: no retry could deliver
// it. It is counted as skipped and leaves no record (another transport may still post it).
func TestPostToAnUnreachableAddressCompletesWithoutRetry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.NewPool(t)
	store := postgres.NewOutbound(pool)
	poster := &unreachablePoster{}
	m := metrics.New()
	r := startRunner(t, pool, jobs.Config{Poster: poster, Metrics: m})
	events, cancel := r.Client().Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	defer cancel()

	key := "team-invite:7"
	res, err := jobs.EnqueuePost(ctx, r.Client(), jobs.PostArgs{Key: key, Channel: bot.ConsoleAddressPrefix + "anna", Reply: bot.Reply{Text: "Invito"}})
	if err != nil {
		t.Fatal(err)
	}
	ev := waitEvent(t, events, jobs.KindPostMessage, river.EventKindJobCompleted, river.EventKindJobFailed)
	if ev.Kind != river.EventKindJobCompleted || ev.Job.ID != res.Job.ID || ev.Job.Attempt != 1 || len(ev.Job.Errors) != 0 {
		t.Fatalf("event %s for job %d on attempt %d (errors %+v); want job %d completed on its first attempt",
			ev.Kind, ev.Job.ID, ev.Job.Attempt, ev.Job.Errors, res.Job.ID)
	}
	poster.mu.Lock()
	calls := poster.calls
	poster.mu.Unlock()
	if calls != 1 {
		t.Errorf("poster called %d times, want 1", calls)
	}
	if _, found, err := store.OutboundTS(ctx, key); err != nil || found {
		t.Errorf("an undelivered message was recorded (found=%v, err=%v)", found, err)
	}
	if s, e, ok := jobsCount(m, jobs.KindPostMessage, jobs.OutcomeSkipped), jobsCount(m, jobs.KindPostMessage, jobs.OutcomeError),
		jobsCount(m, jobs.KindPostMessage, jobs.OutcomeOK); s != 1 || e != 0 || ok != 0 {
		t.Errorf("jobs{post_message}: skipped=%d error=%d ok=%d; want 1, 0, 0", s, e, ok)
	}
	var state string
	if err := pool.QueryRow(ctx, `SELECT state::text FROM river_job WHERE id = $1`, res.Job.ID).Scan(&state); err != nil {
		t.Fatal(err)
	}
	if state != "completed" {
		t.Errorf("job state = %s, want completed", state)
	}
}
