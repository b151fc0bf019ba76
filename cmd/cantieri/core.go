package main

import (
	"log/slog"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/config"
	"github.com/comune-prato/cantieri/internal/jobs"
	"github.com/comune-prato/cantieri/internal/postgres"
)

// newCore builds the store and the bot core the same way for every subcommand, so that the
// console behaves exactly like serve.
func newCore(d *deps, cfg config.Config, log *slog.Logger) (*bot.Bot, *postgres.Store, error) {
	// Changes that message people (team invitations) enqueue their messages in their own
	// transaction, through River.
	outbox, err := jobs.NewOutbox(d.pool)
	if err != nil {
		return nil, nil, err
	}
	// Messages' texts wait in outbox_texts, not in River's args: erasure can reach them.
	outbox.KeepTextsIn(postgres.NewOutbound(d.pool))
	if !cfg.SlackEnabled() {
		// No Slack: the console is the only transport, so it creates project channels too.
		outbox.ChannelsOnConsole()
	}
	// Surveys invite people in the transaction of the change that calls for them, with their
	// messages through the same outbox.
	surveys, err := postgres.NewSurveyStore(d.pool, postgres.SurveyConfig{MinRespondents: cfg.SurveyMinRespondents,
		Keys: cfg.SurveyKeys, DepartmentType: cfg.DepartmentType, Outbox: outbox})
	if err != nil {
		return nil, nil, err
	}
	store := postgres.NewStore(d.pool, postgres.WithDepartmentType(cfg.DepartmentType), postgres.WithOutbox(outbox),
		postgres.WithSurveys(surveys))
	core := bot.New(bot.Config{
		Store:          store,
		Importer:       postgres.NewImporter(d.pool),
		SurveyAdmin:    surveys,
		Projects:       store,
		Teams:          store,
		Meetings:       store,
		Surveys:        surveys,
		Indices:        surveys,
		Holidays:       cfg.Holidays,
		Location:       cfg.Location,
		Logger:         log,
		DefaultLocale:  cfg.Locale,
		SurveyOpenDays: cfg.SurveyOpenDays,
	})
	return core, store, nil
}
