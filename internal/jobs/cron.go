package jobs

import (
	"time"

	"github.com/comune-prato/cantieri/internal/cronspec"
)

// The cron parsing lives in internal/cronspec, shared with the packages that reason about dates
// without running jobs (internal/meetcal). These names keep the jobs API as it was.

// ErrInvalidCron is wrapped by ParseCron's errors, so that callers (a command that subscribes a
// channel to a digest, say) can tell a user's bad expression from an internal failure. It is
// cronspec.ErrInvalidCron.
var ErrInvalidCron = cronspec.ErrInvalidCron

// CronSchedule is a parsed cron expression evaluated in a time zone (see cronspec.Schedule). It
// satisfies river's PeriodicSchedule.
type CronSchedule = cronspec.Schedule

// ParseCron parses spec, a standard five-field cron expression or a descriptor (@daily,
// @weekly, @every 2h, …), to be evaluated in loc (UTC when nil); see cronspec.Parse, including
// what happens around daylight-saving changes. Errors wrap ErrInvalidCron.
func ParseCron(spec string, loc *time.Location) (*CronSchedule, error) {
	return cronspec.Parse(spec, loc)
}

// parseCron is ParseCron, or, when seconds is set (Config.CronSeconds, for tests), the parser
// that also accepts a leading seconds field and sub-minute schedules.
func parseCron(spec string, loc *time.Location, seconds bool) (*CronSchedule, error) {
	if seconds {
		return cronspec.ParseWithSeconds(spec, loc)
	}
	return cronspec.Parse(spec, loc)
}
