package xenapi

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes callers branch on. Every other code is still an *Error.
const (
	ErrHandleInvalid               = "HANDLE_INVALID"
	ErrUUIDInvalid                 = "UUID_INVALID"
	ErrSessionInvalid              = "SESSION_INVALID"
	ErrSessionAuthenticationFailed = "SESSION_AUTHENTICATION_FAILED"
	ErrHostIsSlave                 = "HOST_IS_SLAVE"
	ErrMessageMethodUnknown        = "MESSAGE_METHOD_UNKNOWN"
	ErrMessageParameterCount       = "MESSAGE_PARAMETER_COUNT_MISMATCH"
	ErrInternalError               = "INTERNAL_ERROR"
)

// Error is a failure xapi reported: its error code and parameters, exactly
// as they travelled in ErrorDescription.
type Error struct {
	Code   string
	Params []string
}

func (e *Error) Error() string {
	if len(e.Params) == 0 {
		return "XenAPI error " + e.Code
	}
	return "XenAPI error " + e.Code + ": " + strings.Join(e.Params, ", ")
}

// NewError builds an *Error with the given code and parameters.
func NewError(code string, params ...string) *Error {
	if params == nil {
		params = []string{}
	}
	return &Error{Code: code, Params: params}
}

// ErrorCode returns the XenAPI error code in err's chain, or "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsCode reports whether err carries the XenAPI error code.
func IsCode(err error, code string) bool { return ErrorCode(err) == code }

// IsGone reports whether err says the object no longer exists: xapi answers
// HANDLE_INVALID for a stale reference and UUID_INVALID for an unknown UUID.
func IsGone(err error) bool {
	code := ErrorCode(err)
	return code == ErrHandleInvalid || code == ErrUUIDInvalid
}

// ConfigError says which setting of a Config is unusable, and why.
type ConfigError struct {
	// Setting names the setting at fault as the provider's configuration
	// does: url, username, protocol, ca_certificate, tls_fingerprint,
	// insecure, timeout, task_grace.
	Setting string
	// Conflicting names the settings given along with Setting where only
	// one of them may be.
	Conflicting []string
	// Reason says what is wrong with it.
	Reason string
}

func (e *ConfigError) Error() string {
	return "xenapi: " + strings.Join(append([]string{e.Setting}, e.Conflicting...), ", ") + ": " + e.Reason
}

func configError(setting, reason string) *ConfigError {
	return &ConfigError{Setting: setting, Reason: reason}
}

// ErrOutcomeUnknown is what errors.Is finds in every *OutcomeUnknownError.
var ErrOutcomeUnknown = errors.New("xenapi: outcome unknown")

// OutcomeUnknownError says that a call that changes the pool may or may
// not have taken effect: its request reached xapi, or may have, and no
// answer came back (the connection broke, the request timed out, the
// caller's context ended, or its task was still running when the wait for
// it ended). xapi carries on with a call whose client has gone, so sending
// it again could do the work twice (a second network, a second bond):
// read the pool to learn what happened before deciding anything.
type OutcomeUnknownError struct {
	// Method is the XenAPI method, such as "network.create" or
	// "Async.Bond.create".
	Method string
	// Task is the task xapi runs an Async call as, when one was made. It
	// is left in place, neither cancelled nor destroyed, so that its
	// status and result can still be read: xapi keeps a finished task for
	// about an hour.
	Task Ref
	// Err is why no answer came.
	Err error
}

func (e *OutcomeUnknownError) Error() string {
	if e.Task != "" {
		return fmt.Sprintf("%v; the outcome of %s is unknown: its task %s was still running, so read the task or the pool before repeating it", e.Err, e.Method, e.Task)
	}
	return fmt.Sprintf("%v; the outcome of %s is unknown: xapi may have carried it out, so read the pool before repeating it", e.Err, e.Method)
}

// Unwrap returns Err, so that errors.Is finds a context's cause in it.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is reports whether target is ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// IsOutcomeUnknown reports whether err says a call may or may not have
// taken effect (see OutcomeUnknownError).
func IsOutcomeUnknown(err error) bool { return errors.Is(err, ErrOutcomeUnknown) }
