package slack

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// Reconnection backoff for Socket Mode, on top of slack-go's own: slack-go reconnects after a
// "disconnect" message or a dropped connection, but gives up (returns) on errors it deems
// fatal, such as a revoked token. Such an error may be fixed by an operator without a restart.
const (
	socketMinBackoff = time.Second
	socketMaxBackoff = time.Minute
	// socketHealthy is how long a run must last for the backoff to start again from the minimum.
	socketHealthy = time.Minute
)

// RunSocketMode connects to Slack over Socket Mode (SLACK_APP_TOKEN) and serves slash
// commands, interactions and events until ctx is cancelled, reconnecting whenever the
// connection ends. Every envelope is acknowledged empty at once (an ack over 20 KB is dropped
// by Slack, so replies never travel in it), de-duplicated on envelope_id (and event_id), then
// dispatched exactly as over HTTP.
func (t *Transport) RunSocketMode(ctx context.Context) error {
	if t.appToken == "" {
		return errors.New("slack: socket mode needs SLACK_APP_TOKEN")
	}
	opts := []slack.Option{slack.OptionAppLevelToken(t.appToken), slack.OptionHTTPClient(t.http)}
	if t.apiURL != "" {
		opts = append(opts, slack.OptionAPIURL(t.apiURL))
	}
	smc := socketmode.New(slack.New(t.botToken, opts...))

	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		t.consumeSocket(ctx, smc)
	}()

	backoff := socketMinBackoff
	for {
		started := t.now()
		err := smc.RunContext(ctx)
		if ctx.Err() != nil {
			break
		}
		if t.now().Sub(started) > socketHealthy {
			backoff = socketMinBackoff
		}
		wait := backoff/2 + rand.N(backoff/2+1)
		t.log.Warn("socket mode stopped; reconnecting", "err", err, "backoff", wait)
		if sleep(ctx, wait) != nil {
			break
		}
		backoff = min(backoff*2, socketMaxBackoff)
	}
	<-consumed
	t.log.Info("socket mode stopped")
	return nil
}

// consumeSocket reads slack-go's event stream. It must never block for long: slack-go's
// reader waits on this channel, and so would every envelope behind it.
func (t *Transport) consumeSocket(ctx context.Context, smc *socketmode.Client) {
	for {
		select {
		case <-ctx.Done():
			return
		case evt := <-smc.Events:
			t.socketEvent(ctx, smc, evt)
		}
	}
}

// socketEvent handles one event from slack-go: connection news is logged; envelopes are
// acknowledged and dispatched.
func (t *Transport) socketEvent(ctx context.Context, smc *socketmode.Client, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		t.log.Debug("socket mode connecting")
	case socketmode.EventTypeConnected:
		t.log.Info("socket mode connected")
	case socketmode.EventTypeHello:
		t.log.Debug("socket mode hello")
	case socketmode.EventTypeConnectionError:
		t.log.Warn("socket mode connection error", "err", eventError(evt.Data))
	case socketmode.EventTypeInvalidAuth:
		t.log.Error("socket mode: invalid app token")
	case socketmode.EventTypeSlashCommand, socketmode.EventTypeInteractive, socketmode.EventTypeEventsAPI:
		if evt.Request != nil {
			t.socketEnvelope(ctx, smc, evt.Request)
		}
	case socketmode.EventTypeErrorBadMessage:
		// slack-go could not parse the envelope (e.g. an event type it does not know); our
		// own decoding is more lenient, and the envelope must be acknowledged regardless.
		if bad, ok := evt.Data.(*socketmode.ErrorBadMessage); ok {
			var req socketmode.Request
			if err := json.Unmarshal(bad.Message, &req); err == nil && req.EnvelopeID != "" {
				t.socketEnvelope(ctx, smc, &req)
				return
			}
			t.log.Warn("socket mode: unreadable message", "err", bad.Cause)
		}
	default:
		t.log.Debug("socket mode event", "type", string(evt.Type))
	}
}

// socketEnvelope acknowledges and dispatches one envelope, sharing the HTTP code paths.
func (t *Transport) socketEnvelope(ctx context.Context, smc *socketmode.Client, req *socketmode.Request) {
	// A replica that is shutting down leaves the envelope unacknowledged, so that Slack
	// redelivers it on another connection instead of it being acked and dropped here.
	if t.isClosing() {
		t.log.Info("shutting down: envelope left for redelivery", "envelope_id", req.EnvelopeID)
		t.metrics.Requests.WithLabelValues(endpointSocketMode, verdictClosing.outcome()).Inc()
		return
	}
	start := t.now()
	keys := []string{"envelope:" + req.EnvelopeID}
	var (
		in  *incoming
		ack any
		v   = verdictBadRequest
	)
	switch req.Type {
	case socketmode.RequestTypeSlashCommands:
		var cmd slack.SlashCommand
		if err := json.Unmarshal(req.Payload, &cmd); err == nil {
			in, v = t.planCommand(endpointSocketMode, cmd, keys)
		}
	case socketmode.RequestTypeInteractive:
		var cb slack.InteractionCallback
		if err := json.Unmarshal(req.Payload, &cb); err == nil {
			ack, in, v = t.planInteraction(endpointSocketMode, &cb, keys)
		}
	case socketmode.RequestTypeEventsAPI:
		var env eventCallback
		if err := json.Unmarshal(req.Payload, &env); err == nil {
			if env.EventID != "" {
				keys = append(keys, "event:"+env.EventID)
			}
			in, v = t.planEvent(endpointSocketMode, env, keys)
		}
	default:
		v = verdictIgnored
	}

	// Ack first: the work below only starts goroutines, but Slack's clock is running.
	if err := smc.AckCtx(ctx, req.EnvelopeID, ack); err != nil {
		t.log.Error("socket mode ack failed", "envelope_id", req.EnvelopeID, "err", err)
	} else {
		t.acked(endpointSocketMode, start)
	}
	if req.RetryAttempt > 0 {
		t.log.Info("envelope redelivered by Slack", "envelope_id", req.EnvelopeID, "retry", req.RetryAttempt,
			"reason", req.RetryReason)
	}
	if in == nil {
		t.metrics.Requests.WithLabelValues(endpointSocketMode, v.outcome()).Inc()
		return
	}
	// The dedup round trip happens off the reading loop: with Redis slow or down it takes up
	// to a second, and the envelopes queued behind this one must still be acked in time.
	started := t.spawn(t.log, func(ctx context.Context) {
		t.metrics.Requests.WithLabelValues(endpointSocketMode, t.accept(ctx, in).outcome()).Inc()
	})
	if !started {
		t.metrics.Requests.WithLabelValues(endpointSocketMode, verdictClosing.outcome()).Inc()
	}
}

// eventError extracts the error from slack-go's connection events, for the log.
func eventError(data any) error {
	switch d := data.(type) {
	case *slack.ConnectionErrorEvent:
		return d.ErrorObj
	case error:
		return d
	}
	return nil
}
