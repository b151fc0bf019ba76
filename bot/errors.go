package bot

import (
	"errors"
	"fmt"
)

// Code classifies errors so that the core can answer the user appropriately.
type Code string

// Error codes, after benbjohnson/wtf.
const (
	EINVALID   Code = "invalid"
	ENOTFOUND  Code = "not_found"
	EFORBIDDEN Code = "forbidden"
	// ECONFLICT is a write refused because of what is stored now: someone changed the row in
	// the meantime, or the name is taken. Only stores return it; limits are EINVALID.
	ECONFLICT    Code = "conflict"
	EUNAVAILABLE Code = "unavailable"
	EINTERNAL    Code = "internal"
)

// Error is an error that is safe to show to a user: it carries a message catalogue key and its
// arguments, translated at reply time into the user's language.
type Error struct {
	Code Code
	// Key is the message catalogue key; Args are name/value pairs for its placeholders.
	Key  string
	Args []any
	// Err is the underlying cause, logged but never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Key, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Key)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns a user-facing error with a catalogue key and name/value arguments.
func Errorf(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// ErrUnavailable is wrapped by stores and clients when a dependency (PostgreSQL, Redis) cannot
// be reached, so that the user gets a polite "temporarily unavailable" answer.
var ErrUnavailable = errors.New("dependency unavailable")

// ErrNotFound is wrapped by stores when a row does not exist.
var ErrNotFound = errors.New("not found")

// ErrorCode returns the code of err: the Code of a wrapped *Error, EUNAVAILABLE for
// ErrUnavailable, ENOTFOUND for ErrNotFound, EINTERNAL otherwise.
func ErrorCode(err error) Code {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, ErrUnavailable):
		return EUNAVAILABLE
	case errors.Is(err, ErrNotFound):
		return ENOTFOUND
	default:
		return EINTERNAL
	}
}
