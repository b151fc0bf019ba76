// Package metrics holds the Prometheus collectors that every part of the bot reports to, on a
// registry of its own (so tests can build as many as they like), served at GET /metrics.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the bot's collectors.
type Metrics struct {
	Registry *prometheus.Registry

	// Requests counts incoming Slack requests by endpoint (commands, events, interactions,
	// socket_mode) and outcome (acked, unauthorized, duplicate, bad_request, ignored).
	Requests *prometheus.CounterVec
	// Acks counts acknowledgements sent to Slack, by endpoint.
	Acks *prometheus.CounterVec
	// AckLatency observes the time from receiving a Slack request to acknowledging it.
	AckLatency *prometheus.HistogramVec
	// Commands counts handled commands by command name and error code ("" for success).
	Commands *prometheus.CounterVec
	// CommandLatency observes the time to run a command through the core.
	CommandLatency *prometheus.HistogramVec
	// Jobs counts River jobs worked, by kind and outcome (ok, error, skipped).
	Jobs *prometheus.CounterVec
	// SlackCalls counts Slack Web API calls by method and outcome (ok, error, rate_limited).
	SlackCalls *prometheus.CounterVec
	// SlackRateLimited counts HTTP 429 answers from Slack, by method.
	SlackRateLimited *prometheus.CounterVec
	// RateLimiterLocal is 1 while this process paces Slack calls on its own because the shared
	// limiter's Redis is unavailable, 0 while the pace is shared through Redis.
	RateLimiterLocal prometheus.Gauge
}

// New registers the collectors (and the Go runtime and process collectors) on a new registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cantieri_slack_requests_total", Help: "Slack requests received, by endpoint and outcome.",
		}, []string{"endpoint", "outcome"}),
		Acks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cantieri_slack_acks_total", Help: "Acknowledgements sent to Slack, by endpoint.",
		}, []string{"endpoint"}),
		AckLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cantieri_slack_ack_seconds",
			Help:    "Time from receiving a Slack request to acknowledging it.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"endpoint"}),
		Commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cantieri_commands_total", Help: "Commands handled, by command and error code.",
		}, []string{"command", "error"}),
		CommandLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "cantieri_command_seconds", Help: "Time to run a command through the core.",
			Buckets: prometheus.DefBuckets,
		}, []string{"transport"}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cantieri_jobs_total", Help: "River jobs worked, by kind and outcome.",
		}, []string{"kind", "outcome"}),
		SlackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cantieri_slack_api_calls_total", Help: "Slack Web API calls, by method and outcome.",
		}, []string{"method", "outcome"}),
		SlackRateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cantieri_slack_api_429_total", Help: "HTTP 429 answers from the Slack Web API, by method.",
		}, []string{"method"}),
		RateLimiterLocal: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "cantieri_ratelimit_local", Help: "1 while Slack calls are paced in this process alone because Redis is unavailable.",
		}),
	}
	reg.MustRegister(m.Requests, m.Acks, m.AckLatency, m.Commands, m.CommandLatency, m.Jobs,
		m.SlackCalls, m.SlackRateLimited, m.RateLimiterLocal,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}
