// Package meetcal decides when the rounds of an exchange programme happen.
//
// The seed asks for a "culture of meeting" (cultura dell'incontro): institutional, recurring
// moments in which colleagues of different departments meet. A round that lands on a public
// holiday meets nobody and teaches people to ignore the bot, so a round that falls on an Italian
// national holiday, or on a configured local patron day, is skipped (not moved: the programme's
// rhythm stays the one people know). Rounds follow a cron expression evaluated on the wall clock
// of the programme's time zone (Europe/Rome by default), so "Monday at 10:00" stays 10:00 on
// both sides of the daylight-saving changes in March and October, and an optional "every N
// weeks" counts weeks from the programme's creation, so that alternation survives the turn of
// the year (ISO week 52 or 53 → week 1).
//
// The package is pure: no I/O and no clock except where documented; it gives the same answer
// for the same inputs.
package meetcal
