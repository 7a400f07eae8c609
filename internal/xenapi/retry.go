package xenapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
)

// maxTries bounds the requests one call sends when connections fail: with
// firstRetryPause the pauses between them come to 7 seconds, about as
// long as a master takes to answer again after its management interface
// moved.
const maxTries = 4

// firstRetryPause is the pause before the second try of a call whose
// connection failed; it doubles before each further try.
const firstRetryPause = time.Second

// repeatable lists the messages, beyond the getters and setters the data
// model generates, that leave the pool as they found it however often
// they are sent.
var repeatable = map[string]bool{
	// A repeated login makes a second session; the first one, unknown to
	// the client, expires unused.
	"session.login_with_password": true,
	// A repeated logout answers SESSION_INVALID, which Logout takes as
	// done.
	"session.logout":                      true,
	"event.from":                          true,
	"event.get_current_id":                true,
	"host.get_management_interface":       true,
	"host.get_servertime":                 true,
	"host.get_server_localtime":           true,
	"host.get_system_status_capabilities": true,
}

// idempotent reports whether a method may be sent again when no reply
// came: sending it twice leaves the pool as sending it once. That holds for
// the getters of the data model (get_record, get_all_records, get_by_uuid,
// get_<field>, ...) and its setters of single fields (set_<field>), and for
// the messages in repeatable. Nothing else is: a repeated network.create
// makes a second network, and an Async call a second task.
func idempotent(method string) bool {
	if strings.HasPrefix(method, "Async.") {
		return false
	}
	if repeatable[method] {
		return true
	}
	class, msg, ok := datamodel.Load().Method(method)
	if !ok || !msg.Implicit {
		return false
	}
	if strings.HasPrefix(msg.Name, "get_") {
		return true
	}
	if field, ok := strings.CutPrefix(msg.Name, "set_"); ok {
		f, ok := class.Field(field)
		return ok && f.Writable()
	}
	return false
}

// linkError is a request that got no reply from xapi: the connection
// failed, the reply did not come in time, or the caller gave up.
type linkError struct {
	method string
	// host is where the request went; empty when the caller gave up, as
	// the host did nothing wrong.
	host string
	// base is the URL the request went to.
	base string
	// sent says the request was written out whole, after which xapi may
	// have carried it out.
	sent bool
	// broken says the connection failed (refused, reset, closed,
	// unreachable) rather than xapi or TLS refusing what was sent.
	broken bool
	// noReply says the request timeout passed first.
	noReply bool
	// dialFailed says no connection could be made at all: nothing
	// answers at the address any more.
	dialFailed bool
	// callerGone says the caller's context ended.
	callerGone bool
	// cause is what went wrong.
	cause error
}

func (e *linkError) Error() string {
	if e.host == "" {
		return "xenapi: " + e.method + ": " + e.cause.Error()
	}
	return "xenapi: " + e.method + " to " + e.host + ": " + e.cause.Error()
}

func (e *linkError) Unwrap() error { return e.cause }

// dialFailed reports whether err is a connection that could not be made.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// connectionBroken reports whether err is the connection failing, as when a
// host restarts xapi or moves its management interface, rather than TLS or
// HTTP refusing the request: a dial, read or write that failed (refused,
// reset, unreachable, timed out) or a connection closed early.
func connectionBroken(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary
	}
	var op *net.OpError
	if errors.As(err, &op) {
		// crypto/tls reports alerts as OpErrors too: "remote error",
		// "local error".
		return op.Op == "dial" || op.Op == "read" || op.Op == "write"
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	// net/http's own word for a pooled connection the host closed before
	// the request went out; its error value is not exported.
	return strings.Contains(err.Error(), "server closed idle connection")
}

// afterLinkError decides what a call does when its try got no reply: it
// returns whether to try again, and otherwise the error for the caller.
//
// A request that never left (the dial was refused) changed nothing, so any
// call may be sent again; so may an idempotent one that did leave. A call
// that is not idempotent and may have reached xapi is never sent again:
// xapi carries on with a call whose client has gone, so the caller gets an
// *OutcomeUnknownError and must read the pool before deciding anything.
func (c *Client) afterLinkError(ctx context.Context, le *linkError, tries int) (bool, error) {
	repeatable := !le.sent || idempotent(le.method)
	switch {
	case !repeatable:
		return false, &OutcomeUnknownError{Method: le.method, Err: le}
	case le.callerGone, !le.broken, le.noReply && le.sent, tries >= maxTries:
		// A host slow to answer is not sent the work again; a host that
		// refused the certificate would refuse it again.
		return false, le
	}
	c.reconnect(le.base, le.dialFailed)
	pause := c.retryPause << (tries - 1)
	t := time.NewTimer(pause)
	defer t.Stop()
	select {
	case <-t.C:
		return true, nil
	case <-ctx.Done():
		return false, fmt.Errorf("xenapi: %s: %w (the last try: %w)", le.method, context.Cause(ctx), le)
	}
}

// reconnect prepares the next try after a connection to base failed. The
// idle connections go, as after a management move they lead nowhere. A
// client told where the master's management moved (FollowMaster) goes
// there once nothing answers at base any more (dialFailed): a connection
// merely cut, as xapi cuts them when it rebuilds the management
// interface, is tried again where it was. Otherwise a client that
// followed HOST_IS_SLAVE to base goes back to the URL it was configured
// with: when the master's address changed (management moved to another
// PIF, perhaps to a bare IP), that host names the new one.
func (c *Client) reconnect(base string, dialFailed bool) {
	c.http.CloseIdleConnections()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.base.String() != base {
		return
	}
	if c.moved != nil && dialFailed && c.moved.String() != base {
		c.base = c.moved
		return
	}
	c.base = c.configured
}
