package slack

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestVerifySignature(t *testing.T) {
	t.Parallel()
	secret := []byte(testSecret)
	body := []byte("token=x&command=%2Fcantieri&text=aiuto")
	now := fixedNow
	header := func(ts time.Time, key []byte, b []byte) http.Header {
		stamp := strconv.FormatInt(ts.Unix(), 10)
		h := http.Header{}
		h.Set("X-Slack-Request-Timestamp", stamp)
		h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(sign(key, stamp, b)))
		return h
	}
	cases := []struct {
		name   string
		header http.Header
		body   []byte
		want   error
	}{
		{"valid", header(now, secret, body), body, nil},
		{"300 s ahead", header(now.Add(300*time.Second), secret, body), body, nil},
		{"300 s behind", header(now.Add(-300*time.Second), secret, body), body, nil},
		{"301 s ahead", header(now.Add(301*time.Second), secret, body), body, errStaleTimestamp},
		{"301 s behind", header(now.Add(-301*time.Second), secret, body), body, errStaleTimestamp},
		{"tampered body", header(now, secret, body), append([]byte("x"), body...), errBadSignature},
		{"wrong secret", header(now, []byte("other"), body), body, errBadSignature},
		{"missing headers", http.Header{}, body, errMissingHeaders},
		{"no v0 prefix", func() http.Header {
			h := header(now, secret, body)
			h.Set("X-Slack-Signature", h.Get("X-Slack-Signature")[3:])
			return h
		}(), body, errBadSignature},
		{"not hex", func() http.Header {
			h := header(now, secret, body)
			h.Set("X-Slack-Signature", "v0=zz")
			return h
		}(), body, errBadSignature},
		{"bad timestamp", func() http.Header {
			h := header(now, secret, body)
			h.Set("X-Slack-Request-Timestamp", "yesterday")
			return h
		}(), body, errBadTimestamp},
	}
	for _, c := range cases {
		if err := verifySignature(secret, c.header, c.body, now); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	if err := verifySignature(nil, header(now, nil, body), body, now); !errors.Is(err, errNoSecret) {
		t.Errorf("no secret configured: %v, want refusal", err)
	}
}
