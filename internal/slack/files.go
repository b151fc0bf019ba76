package slack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"path"
	"strings"

	"github.com/comune-prato/cantieri/bot"
	"github.com/comune-prato/cantieri/internal/i18n"
)

// Limits on files sent with a command (a CSV for "admin importa"). A municipality's staff
// list is a few hundred kilobytes; the cap keeps a stray video from filling the memory.
const (
	maxAttachmentBytes = 20 << 20
	// maxAttachments is Slack's own limit of files per message.
	maxAttachments = 10
)

// eventFile is a file as a message event describes it (subtype file_share).
type eventFile struct {
	ID                 string `json:"id"`
	Name               string `json:"name"`
	Title              string `json:"title"`
	Mimetype           string `json:"mimetype"`
	Filetype           string `json:"filetype"`
	Size               int64  `json:"size"`
	Mode               string `json:"mode"`
	URLPrivate         string `json:"url_private"`
	URLPrivateDownload string `json:"url_private_download"`
	// FileAccess "check_file_info" means the event carries the id only: files.info (the
	// files:read scope) tells the rest.
	FileAccess string `json:"file_access"`
}

// textFiletypes are Slack's filetype values for plain-text files the core can read.
var textFiletypes = map[string]bool{"csv": true, "tsv": true, "text": true}

// isText reports whether f looks like a text file: a text/* type, a CSV or TSV by Slack's
// filetype or by extension (spreadsheets export CSV as application/vnd.ms-excel at times).
func (f eventFile) isText() bool {
	if strings.HasPrefix(strings.ToLower(f.Mimetype), "text/") || textFiletypes[strings.ToLower(f.Filetype)] {
		return true
	}
	switch strings.ToLower(path.Ext(f.Name)) {
	case ".csv", ".tsv", ".txt":
		return true
	}
	return false
}

// displayName is how the user knows the file.
func (f eventFile) displayName() string {
	if f.Name != "" {
		return f.Name
	}
	if f.Title != "" {
		return f.Title
	}
	return f.ID
}

// errTooLarge stops a download past maxAttachmentBytes.
var errTooLarge = errors.New("file exceeds the size limit")

// cappedBuffer is a buffer that refuses to grow past max bytes. The buffer is a field, not
// embedded, so that io.Copy cannot bypass Write through bytes.Buffer's ReadFrom.
type cappedBuffer struct {
	buf bytes.Buffer
	max int
}

// Write implements io.Writer.
func (b *cappedBuffer) Write(p []byte) (int, error) {
	if b.buf.Len()+len(p) > b.max {
		return 0, errTooLarge
	}
	return b.buf.Write(p)
}

// fileInfo completes a file that the event described by id only.
func (c *Client) fileInfo(ctx context.Context, f eventFile) (eventFile, error) {
	err := c.do(ctx, "files.info", true, func(ctx context.Context) error {
		info, _, _, err := c.api.GetFileInfoContext(ctx, f.ID, 0, 0)
		if err != nil {
			return err
		}
		f = eventFile{
			ID: info.ID, Name: info.Name, Title: info.Title, Mimetype: info.Mimetype, Filetype: info.Filetype,
			Size: int64(info.Size), Mode: info.Mode, URLPrivate: info.URLPrivate, URLPrivateDownload: info.URLPrivateDownload,
		}
		return nil
	})
	return f, err
}

// download fetches a file's content with the bot token (slack-go sends it only to Slack's own
// hosts, or the configured API host), reading at most max bytes.
func (c *Client) download(ctx context.Context, url string, max int) ([]byte, error) {
	// The request carries the bot token: send it only to Slack (or the configured API host),
	// whatever URL a payload names.
	if !c.trustedFileURL(url) {
		return nil, fmt.Errorf("slack: refusing to download a file from %q: not a Slack host", hostOf(url))
	}
	var buf *cappedBuffer
	err := c.do(ctx, "files.download", false, func(ctx context.Context) error {
		buf = &cappedBuffer{max: max} // a retry after a 429 starts over
		return c.api.GetFileContext(ctx, url, buf)
	})
	if err != nil {
		return nil, err
	}
	return buf.buf.Bytes(), nil
}

// attachments downloads the files sent with a command. Any file that cannot be taken (not
// text, too large, unavailable) refuses the whole command, with a reply that names the file
// and says why: a half-read import would be worse than none.
func (t *Transport) attachments(ctx context.Context, log *slog.Logger, files []eventFile, locale string) ([]bot.Attachment, *bot.Reply) {
	refuse := func(key string, f eventFile) *bot.Reply {
		return &bot.Reply{Text: i18n.T(locale, key, "name", f.displayName(), "max", maxAttachmentBytes>>20), IsError: true, Locale: locale}
	}
	if len(files) > maxAttachments {
		files = files[:maxAttachments]
	}
	out := make([]bot.Attachment, 0, len(files))
	for _, f := range files {
		flog := log.With("file_id", f.ID)
		if f.Mode == "tombstone" || f.Mode == "hidden_by_limit" {
			return nil, refuse("slack.file_unreadable", f)
		}
		if f.FileAccess == "check_file_info" || f.URLPrivateDownload == "" && f.URLPrivate == "" {
			full, err := t.client.fileInfo(ctx, f)
			if err != nil {
				flog.Warn("files.info failed", "err", err)
				return nil, refuse("slack.file_unreadable", f)
			}
			f = full
		}
		if f.Size > maxAttachmentBytes {
			return nil, refuse("slack.file_too_large", f)
		}
		if !f.isText() {
			flog.Info("attachment refused: not text", "mimetype", f.Mimetype, "filetype", f.Filetype)
			return nil, refuse("slack.file_not_text", f)
		}
		url := f.URLPrivateDownload
		if url == "" {
			url = f.URLPrivate
		}
		data, err := t.client.download(ctx, url, maxAttachmentBytes)
		switch {
		case errors.Is(err, errTooLarge):
			return nil, refuse("slack.file_too_large", f)
		case err != nil:
			flog.Warn("attachment download failed", "err", err)
			return nil, refuse("slack.file_unreadable", f)
		}
		flog.Info("attachment downloaded", "bytes", len(data))
		out = append(out, bot.Attachment{Name: f.displayName(), Data: data})
	}
	return out, nil
}

// deliverFile shares a reply's document privately: into the user's DM with the bot, whatever
// the conversation the request came from, because a file (a personal data export, an import
// report) is for the caller only.
func (t *Transport) deliverFile(ctx context.Context, log *slog.Logger, user string, f *bot.File) {
	if f == nil || len(f.Data) == 0 {
		return
	}
	dm, err := t.client.openDM(ctx, user)
	if err != nil {
		log.Error("could not open a DM for the file", "err", err)
		return
	}
	if err := t.client.uploadFile(ctx, dm, "", fileUpload(f)); err != nil {
		log.Error("could not upload the file", "err", fmt.Errorf("upload %d bytes: %w", len(f.Data), err))
		return
	}
	log.Info("file delivered", "bytes", len(f.Data))
}

// trustedFileURL reports whether raw points at Slack over https (slack.com or a subdomain), or
// at the configured Web API host (a fake Slack in tests, or an enterprise proxy).
func (c *Client) trustedFileURL(raw string) bool {
	u, err := neturl.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	if u.Host == c.apiHost {
		return true
	}
	host := u.Hostname()
	return u.Scheme == "https" && (host == "slack.com" || strings.HasSuffix(host, ".slack.com"))
}

func hostOf(raw string) string {
	if u, err := neturl.Parse(raw); err == nil {
		return u.Host
	}
	return "?"
}
