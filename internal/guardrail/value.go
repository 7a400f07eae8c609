package guardrail

import "fmt"

// Value is an input that may be unknown or left out, in the three states a
// Terraform value has: known, null (the configuration leaves it out) and
// unknown (it will be known later, for example a module variable at
// validate or another resource's attribute at plan).
//
// The zero Value is unknown, so a field a caller forgets to fill makes the
// rules that need it undecided rather than letting them pass.
type Value[T any] struct {
	v     T
	state valueState
}

type valueState uint8

const (
	stateUnknown valueState = iota
	stateNull
	stateKnown
)

// Known returns a Value that holds v.
func Known[T any](v T) Value[T] { return Value[T]{v: v, state: stateKnown} }

// Unknown returns a Value that is not known yet.
func Unknown[T any]() Value[T] { return Value[T]{} }

// Null returns a Value the configuration leaves out; rules read it as
// XenServer's default for that attribute.
func Null[T any]() Value[T] { return Value[T]{state: stateNull} }

// IsKnown reports whether v holds a value.
func (v Value[T]) IsKnown() bool { return v.state == stateKnown }

// IsNull reports whether the configuration leaves v out.
func (v Value[T]) IsNull() bool { return v.state == stateNull }

// IsUnknown reports whether v is not known yet.
func (v Value[T]) IsUnknown() bool { return v.state == stateUnknown }

// Get returns the value and true when v is known, or the zero value and
// false when it is null or unknown.
func (v Value[T]) Get() (T, bool) { return v.v, v.state == stateKnown }

// GetOr returns the value when v is known and def when v is null; ok is
// false only when v is unknown.
func (v Value[T]) GetOr(def T) (value T, ok bool) {
	switch v.state {
	case stateKnown:
		return v.v, true
	case stateNull:
		return def, true
	}
	return def, false
}

// String renders v for messages and test failures.
func (v Value[T]) String() string {
	switch v.state {
	case stateKnown:
		return fmt.Sprint(v.v)
	case stateNull:
		return "null"
	}
	return "(known after apply)"
}
