package bot

// Source says where a request came from; handlers rarely care, transports and logs do.
type Source string

// Request sources.
const (
	SourceSlashCommand  Source = "slash_command"
	SourceMention       Source = "app_mention"
	SourceDirectMessage Source = "direct_message"
	SourceInteraction   Source = "interaction"
	SourceForm          Source = "form"
	SourceConsole       Source = "console"
	// SourceHome is the Slack App Home being opened: the transport runs "home" and publishes
	// the reply as the user's Home tab.
	SourceHome Source = "app_home"
)

// Transport names, stored with each employee's external identity.
const (
	TransportSlack   = "slack"
	TransportConsole = "console"
)

// Identity is the caller as a transport knows them.
type Identity struct {
	// Transport is TransportSlack or TransportConsole.
	Transport string
	// ExternalID is the Slack user id (U…) or the console handle.
	ExternalID string
	// DisplayName is a hint used when the employee row is first created.
	DisplayName string
	// Locale is the transport's hint of the user's language (Slack's user locale), may be empty.
	Locale string
}

// Request is one command to run: the text a user would type after /cantieri, plus the
// values of a submitted form.
type Request struct {
	// ID correlates logs and error replies; transports set it, or Handle makes one.
	ID     string
	From   Identity
	Source Source
	// Text is the command text, e.g. "profilo competenze=gis,appalti".
	Text string
	// Values holds a submitted form's fields by name; they override key=value arguments.
	Values map[string]string
	// Channel is the conversation the request came from, if any.
	Channel string
	// Attachments are files sent with the request (a CSV uploaded to Slack with the command).
	Attachments []Attachment
}

// Attachment is a file that came with a request.
type Attachment struct {
	Name string
	Data []byte
}
