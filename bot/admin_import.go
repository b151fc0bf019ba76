package bot

import "context"

// adminImport is being written (CSV import through the Importer); until it lands the command
// answers that imports are not available here.
func (b *Bot) adminImport(_ context.Context, _ *Call) (Reply, error) {
	return Reply{}, Errorf(EUNAVAILABLE, "error.unavailable")
}
