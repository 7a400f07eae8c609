package xenapi

import (
	"errors"
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
