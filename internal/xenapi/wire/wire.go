// Package wire encodes and decodes XenAPI calls and results in the two
// protocols xapi serves: XML-RPC on "/" and JSON-RPC (v1 and v2) on
// "/jsonrpc". Both the client and the simulator use it, so that the two
// sides of every test speak through the same codec and its round trips are
// tested once.
//
// Values on the wire are plain Go values: string, int64, float64, bool,
// time.Time, []any and map[string]any. XML-RPC carries xapi's ints as bare
// strings, so decoded values are loose; Coerce gives them the type the data
// model declares.
package wire

import (
	"errors"
	"time"
)

// MaxBody is the largest request body xapi reads; a longer one is refused.
const MaxBody = 300 << 10

// maxDepth bounds the nesting of decoded values, so a hostile body cannot
// exhaust the stack. xapi's deepest values (event snapshots) nest four levels.
const maxDepth = 64

// DateTimeLayout is how xapi writes a datetime on either protocol.
const DateTimeLayout = "20060102T15:04:05Z"

// Call is one XenAPI method call.
type Call struct {
	Method string
	Params []any
	// ID and Version are JSON-RPC's: the request id, echoed in the reply, and
	// "2.0" for a v2 request or "" for v1.
	ID      any
	Version string
}

// Result is the outcome of a call: a value, or xapi's error description
// (the code followed by its parameters).
type Result struct {
	Value   any
	Failure []string
}

// ErrMalformed marks a body that is not a well-formed call or result.
var ErrMalformed = errors.New("malformed XenAPI message")

func formatTime(t time.Time) string { return t.UTC().Format(DateTimeLayout) }
