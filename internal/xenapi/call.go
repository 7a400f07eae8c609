package xenapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// maxRedirects bounds how often one call follows HOST_IS_SLAVE, so that two
// hosts naming each other as master cannot keep it busy forever.
const maxRedirects = 3

// maxSessions bounds the sessions one call tries. Which SESSION_INVALID is
// answered with a new session is renewable's decision, and a host that
// refuses every new session ends the call after one re-login. Sessions that
// serve and expire may keep a call going longer, as ten callers can meet
// several expiries each; this bound only ends a call that keeps losing that
// race.
const maxSessions = 32

// Call invokes a XenAPI method such as "network.get_record". The shared
// session reference goes in front of params wherever the data model's
// message takes one; the caller passes the rest. The result is coerced to
// the message's result type (refs and strings as string, ints as int64,
// sets as []any, maps and records as map[string]any); void gives nil.
//
// A xapi failure comes back as *Error. SESSION_INVALID is answered by a new
// login, shared with every caller that saw the same session fail, and
// another try; HOST_IS_SLAVE by moving to the master it names.
//
// A call whose connection fails (refused, reset, closed, as when the
// master's management interface moves) is sent again, up to four tries
// with growing pauses, if it is idempotent or its request never left. A
// call that changes the pool and may have reached xapi is never sent
// again: if no reply comes, for whatever reason, the error is an
// *OutcomeUnknownError (see IsOutcomeUnknown).
func (c *Client) Call(ctx context.Context, method string, params ...any) (any, error) {
	return c.call(ctx, method, params, callOpts{})
}

type callOpts struct {
	// extra lengthens the request timeout, for event.from's long poll and
	// pool.join.
	extra time.Duration
	// secrets are parameter values to scrub from any error params.
	secrets []string
	// each, when set, takes the elements of an array in the result as
	// they are read, and the result comes without it.
	each *resultEach
}

// resultEach hands the elements of the array under a result's field to fn,
// one at a time.
type resultEach struct {
	field string
	// omit leaves fields out of the elements over JSON-RPC, unread.
	omit *wire.Omit
	fn   func(any) error
}

// message returns the data model's message for a wire method name, with
// "Async." stripped, and whether the model knows it.
func message(method string) (datamodel.Message, bool) {
	_, msg, ok := datamodel.Load().Method(strings.TrimPrefix(method, "Async."))
	return msg, ok
}

// takesSession reports whether a method's first parameter is the session.
// Methods the cut-down model does not know are assumed to take one, as all
// but a few login messages do.
func takesSession(method string) bool {
	msg, ok := message(method)
	if !ok {
		return true
	}
	return len(msg.Params) > 0 && msg.Params[0].Type == "session ref"
}

func (c *Client) call(ctx context.Context, method string, params []any, o callOpts) (any, error) {
	if !idempotent(method) {
		var leave func()
		ctx, leave = c.gate.enter(ctx)
		defer leave()
	}
	sent := make([]any, len(params))
	for i, p := range params {
		v, err := wireValue(reflect.ValueOf(p), 0)
		if err != nil {
			return nil, fmt.Errorf("xenapi: %s: parameter %d: %w", method, i+1, err)
		}
		sent[i] = v
	}
	v, err := c.invoke(ctx, method, sent, takesSession(method), o)
	if err != nil {
		return nil, err
	}
	return coerceResult(method, v)
}

// coerceResult gives a raw result the model's result type. An Async call's
// result is a task reference.
func coerceResult(method string, v any) (any, error) {
	msg, ok := message(method)
	if !ok {
		return v, nil
	}
	t := datamodel.ParseType(msg.Result)
	if strings.HasPrefix(method, "Async.") {
		t = datamodel.ParseType("task ref")
	}
	if t.Kind == datamodel.Void {
		return nil, nil
	}
	out, err := wire.Coerce(v, t)
	if err != nil {
		return nil, fmt.Errorf("xenapi: %s: result: %w", method, err)
	}
	return out, nil
}

// invoke sends a call, handling the session and the master's address. With
// withSession the current session goes in front of params, logging in first
// if there is none.
func (c *Client) invoke(ctx context.Context, method string, params []any, withSession bool, o callOpts) (any, error) {
	renewals, redirects, tries := 0, 0, 0
	// s is the session of the next try: the shared one at first, then the
	// one that replaced the session that failed.
	var s *session
	for {
		full := params
		if withSession {
			if s == nil {
				var err error
				if s, err = c.currentSession(ctx); err != nil {
					return nil, err
				}
			}
			full = append([]any{string(s.ref)}, params...)
			c.acquire(s)
		}
		var ref Ref
		if s != nil {
			ref = s.ref
		}
		res, err := c.roundTrip(ctx, method, full, ref, o)
		var le *linkError
		lost := errors.As(err, &le)
		if s != nil {
			// A reply lost on the way may have been a success: such a
			// session is not taken for one the host refused.
			c.release(s, err == nil && res.Failure == nil || lost && le.sent)
		}
		if lost {
			tries++
			again, err := c.afterLinkError(ctx, le, tries)
			if again {
				continue
			}
			return nil, err
		}
		if err != nil {
			return nil, err
		}
		if res.Failure == nil {
			return res.Value, nil
		}
		xerr := failure(res.Failure, o.secrets)
		switch xerr.Code {
		case ErrSessionInvalid:
			if withSession && renewals < maxSessions {
				ok, err := c.renewable(ctx, s)
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, xerr
				}
				renewals++
				next, err := c.relogin(ctx, s)
				if errors.Is(err, errRefusing) {
					return nil, xerr
				}
				if err != nil {
					return nil, err
				}
				s = next
				continue
			}
		case ErrHostIsSlave:
			if redirects < maxRedirects && len(xerr.Params) > 0 {
				redirects++
				if err := c.redirect(xerr.Params[0]); err != nil {
					return nil, err
				}
				continue
			}
		}
		return nil, xerr
	}
}

// failure turns an error description into an *Error, masking session
// references and scrubbing secrets the call carried.
func failure(desc []string, secrets []string) *Error {
	params := make([]string, len(desc)-1)
	copy(params, desc[1:])
	for i, p := range params {
		if desc[0] == ErrSessionInvalid && strings.HasPrefix(p, "OpaqueRef:") {
			params[i] = maskRef(Ref(p))
			continue
		}
		for _, s := range secrets {
			if s != "" {
				params[i] = strings.ReplaceAll(params[i], s, "(redacted)")
			}
		}
	}
	return &Error{Code: desc[0], Params: params}
}

// roundTrip sends one request to the current master with the per-request
// timeout, remembers the protocol auto-detection settled on, and logs it.
// A request that got no reply gives a *linkError.
func (c *Client) roundTrip(ctx context.Context, method string, params []any, session Ref, o callOpts) (wire.Result, error) {
	c.mu.Lock()
	base, proto := c.base, c.protocol
	c.mu.Unlock()

	rctx, cancel := context.WithTimeout(ctx, c.timeout+o.extra)
	defer cancel()
	start := time.Now()
	res, used, err := c.send(rctx, base, proto, method, params, idempotent(method), o.each)
	if used != ProtocolAuto && proto == ProtocolAuto {
		c.mu.Lock()
		if c.protocol == ProtocolAuto {
			c.protocol = used
		}
		c.mu.Unlock()
	}
	if c.logger != nil {
		fields := map[string]any{
			"method":      method,
			"protocol":    string(used),
			"host":        base.Host,
			"duration_ms": time.Since(start).Milliseconds(),
		}
		if session != "" {
			fields["session"] = maskRef(session)
		}
		switch {
		case err != nil:
			fields["error"] = err.Error()
		case res.Failure != nil:
			fields["error_code"] = res.Failure[0]
		}
		c.log(ctx, "XenAPI call", fields)
	}
	if err == nil {
		return res, nil
	}
	var pe *postError
	if !errors.As(err, &pe) {
		return wire.Result{}, fmt.Errorf("xenapi: %s to %s: %w", method, base.Host, err)
	}
	le := &linkError{method: method, host: base.Host, base: base.String(), sent: pe.sent, cause: pe.err}
	switch {
	case ctx.Err() != nil:
		// The caller's context ended: say so rather than "request
		// canceled", and keep the cause for errors.Is.
		le.host, le.callerGone, le.cause = "", true, context.Cause(ctx)
	case rctx.Err() != nil:
		le.noReply, le.broken = true, !pe.sent
		le.cause = fmt.Errorf("no reply within %s: %w", c.timeout+o.extra, rctx.Err())
	default:
		le.broken = connectionBroken(pe.err)
		le.dialFailed = dialFailed(pe.err)
	}
	return wire.Result{}, le
}

// redirect moves the client to the master a pool member named in
// HOST_IS_SLAVE. The scheme stays; the port is the address's if it has one,
// else the old URL's.
func (c *Client) redirect(master string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	next, err := masterURL(c.base, master)
	if err != nil {
		return err
	}
	c.base = next
	return nil
}

func masterURL(old *url.URL, master string) (*url.URL, error) {
	master = strings.TrimSpace(master)
	host, port := master, old.Port()
	if ip := net.ParseIP(strings.Trim(master, "[]")); ip != nil {
		host = ip.String()
	} else if h, p, err := net.SplitHostPort(master); err == nil {
		host, port = h, p
	}
	if host == "" || strings.ContainsAny(host, "/?#@ ") {
		return nil, fmt.Errorf("xenapi: HOST_IS_SLAVE named master %q, which is not a host address", master)
	}
	next := &url.URL{Scheme: old.Scheme, Host: host}
	if port != "" {
		next.Host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		next.Host = "[" + host + "]"
	}
	return next, nil
}

// wireValue turns a parameter into the plain values the wire codecs take:
// named strings such as Ref and BondMode become strings, ints int64, slices
// []any, string-keyed maps map[string]any, and record structs their wire
// form.
func wireValue(v reflect.Value, depth int) (any, error) {
	if depth > 32 {
		return nil, fmt.Errorf("value nested too deep")
	}
	if !v.IsValid() {
		return "", nil
	}
	if v.Type() == timeType {
		return v.Interface(), nil
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return "", nil
		}
		return wireValue(v.Elem(), depth+1)
	case reflect.String:
		return v.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int64(v.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return v.Float(), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Slice, reflect.Array:
		out := make([]any, v.Len())
		for i := range v.Len() {
			e, err := wireValue(v.Index(i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			break
		}
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			e, err := wireValue(it.Value(), depth+1)
			if err != nil {
				return nil, err
			}
			out[it.Key().String()] = e
		}
		return out, nil
	case reflect.Struct:
		if _, ok := RecordTypes()[recordClass(v)]; ok {
			return MarshalRecord(v.Interface()), nil
		}
	}
	return nil, fmt.Errorf("cannot send a %s", v.Type())
}

// recordClass returns the class of a record struct, or "".
func recordClass(v reflect.Value) string {
	if r, ok := v.Interface().(interface{ Class() string }); ok {
		return r.Class()
	}
	return ""
}
