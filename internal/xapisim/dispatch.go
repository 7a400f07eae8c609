package xapisim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// failure is a XenAPI error as a handler returns it.
func failure(code string, params ...string) error { return xenapi.NewError(code, params...) }

// handler is one message the simulator implements by hand; the class files
// (bond.go, vlan.go, ...) list theirs.
type handler struct {
	name string // "Bond.create"
	fn   func(c *call) (any, error)
	// write marks a message that changes the database, so that event.from
	// sees its effects.
	write bool
	// async marks a message xapi also serves as Async.<name>.
	async bool
	// unlocked marks a message that takes the lock itself because it waits
	// (event.from).
	unlocked bool
}

// method is a served message: its data-model declaration and how to run it.
type method struct {
	handler
	class    *datamodel.Class
	msg      datamodel.Message
	session  bool             // the first parameter is the caller's session
	params   []datamodel.Type // the parameters after the session
	optional int              // trailing parameters with a default value
}

// optionalParams are messages whose trailing parameters have default
// values in xapi's data model (the published table does not say so).
var optionalParams = map[string]int{
	"session.login_with_password": 2, // version, originator
	"Bond.create":                 2, // mode, properties (gen_server.ml)
}

// servedClasses are the classes whose messages the simulator serves.
var servedClasses = []string{
	"session", "task", "event", "pool", "host", "host_metrics",
	"network", "PIF", "PIF_metrics", "Bond", "VLAN",
}

// unservedSetters are RW fields the simulator stores but whose setters it
// does not serve: the endpoints, not the database, decide addresses.
var unservedSetters = map[string]bool{
	"host.set_address":  true,
	"host.set_hostname": true,
}

// methodTable is every served message, by wire name. It is built by init
// because the handlers it lists reach back to it through dispatch.
var methodTable map[string]*method

func init() { methodTable = buildMethods() }

func methods() map[string]*method { return methodTable }

func buildMethods() map[string]*method {
	model := datamodel.Load()
	explicit := map[string]handler{}
	for _, hs := range [][]handler{
		sessionHandlers, taskHandlers, eventHandlers, poolHandlers, hostHandlers,
		networkHandlers, pifHandlers, bondHandlers, vlanHandlers,
	} {
		for _, h := range hs {
			explicit[h.name] = h
		}
	}
	out := map[string]*method{}
	for _, cname := range servedClasses {
		c, ok := model.Class(cname)
		if !ok {
			panic("xapisim: class " + cname + " is not in the data model")
		}
		for _, msg := range c.Messages {
			name := cname + "." + msg.Name
			h, ok := explicit[name]
			if !ok {
				h, ok = generic(c, msg)
			}
			if !ok {
				continue
			}
			delete(explicit, name)
			m := &method{handler: h, class: c, msg: msg}
			params := msg.Params
			if len(params) > 0 && params[0].Name == "session_id" && params[0].Type == "session ref" {
				m.session = true
				params = params[1:]
			}
			for _, p := range params {
				m.params = append(m.params, datamodel.ParseType(p.Type))
			}
			m.optional = optionalParams[name]
			out[name] = m
		}
	}
	for name := range explicit {
		panic("xapisim: handler " + name + " is not a message of the data model")
	}
	return out
}

// call is one method call as a handler sees it.
type call struct {
	s       *Sim
	db      *db
	host    *hostRT // the host whose endpoint received the call
	m       *method
	session xenapi.Ref
	args    []any      // the coerced parameters after the session
	task    xenapi.Ref // the task of an Async call
	// ctx is the caller's request, for messages that wait on it.
	ctx context.Context
}

func (c *call) ref(i int) xenapi.Ref { return xenapi.Ref(c.str(i)) }

func (c *call) str(i int) string {
	if i >= len(c.args) {
		return ""
	}
	s, _ := c.args[i].(string)
	return s
}

func (c *call) int(i int) int64 {
	n, _ := c.args[i].(int64)
	return n
}

func (c *call) float(i int) float64 {
	f, _ := c.args[i].(float64)
	return f
}

func (c *call) strings(i int) []string {
	vs, _ := c.args[i].([]any)
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		s, _ := v.(string)
		out = append(out, s)
	}
	return out
}

func (c *call) refs(i int) []xenapi.Ref {
	ss := c.strings(i)
	out := make([]xenapi.Ref, len(ss))
	for j, s := range ss {
		out[j] = xenapi.Ref(s)
	}
	return out
}

func (c *call) stringMap(i int) map[string]string {
	if i >= len(c.args) {
		return map[string]string{}
	}
	m, _ := c.args[i].(map[string]any)
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, _ := v.(string)
		out[k] = s
	}
	return out
}

func (c *call) structure(i int) map[string]any {
	m, _ := c.args[i].(map[string]any)
	return m
}

// TraceEntry is one call as the simulator saw it.
type TraceEntry struct {
	Time     time.Time     `json:"time"`
	Host     string        `json:"host"` // name_label of the host whose endpoint answered
	Method   string        `json:"method"`
	Params   []any         `json:"params"` // passwords masked
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// secretParams are the positions of passwords, masked in the trace.
var secretParams = map[string]int{
	"session.login_with_password": 1,
	"pool.join":                   3,
}

// Calls returns how many calls each method received, by wire name
// ("Bond.create", "Async.Bond.create").
func (s *Sim) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// Trace returns every call so far (the last 50000), oldest first.
func (s *Sim) Trace() []TraceEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.trace)
}

func (s *Sim) record(h *hostRT, c wire.Call, r wire.Result, start time.Time) {
	params := slices.Clone(c.Params)
	if i, ok := secretParams[strings.TrimPrefix(c.Method, "Async.")]; ok && i < len(params) {
		params[i] = "******"
	}
	e := TraceEntry{Time: start, Host: h.name(), Method: c.Method, Params: params, Duration: time.Since(start)}
	if len(r.Failure) > 0 {
		e.Error = r.Failure[0]
	}
	s.calls[c.Method]++
	if len(s.trace) >= maxTrace {
		// Drop a tenth at a time, so that a long run does not copy the
		// whole trace on every call.
		s.trace = slices.Delete(s.trace, 0, maxTrace/10)
	}
	s.trace = append(s.trace, e)
}

// serve runs one decoded call on h's endpoint and records it.
func (s *Sim) serve(ctx context.Context, h *hostRT, wc wire.Call) wire.Result {
	start := time.Now()
	r := s.dispatch(ctx, h, wc)
	s.mu.Lock()
	s.record(h, wc, r, start)
	s.mu.Unlock()
	return r
}

func result(v any, err error) wire.Result {
	if err != nil {
		var xe *xenapi.Error
		if !errors.As(err, &xe) {
			xe = xenapi.NewError(xenapi.ErrInternalError, err.Error())
		}
		return wire.Result{Failure: append([]string{xe.Code}, xe.Params...)}
	}
	return wire.Result{Value: v}
}

// dispatch checks a call as xapi's generated server does, in its order:
// the method exists, the parameter count, the parameters' types, the
// session; then injected faults; then the message runs.
func (s *Sim) dispatch(ctx context.Context, h *hostRT, wc wire.Call) wire.Result {
	name := strings.TrimPrefix(wc.Method, "Async.")
	async := name != wc.Method

	s.mu.Lock()
	delay := s.delayFor(name)
	s.mu.Unlock()
	if !async {
		s.sleep(ctx, delay)
	}

	if name == "system.listMethods" {
		return wire.Result{Value: listMethods()}
	}
	m := methods()[name]
	if m == nil {
		// gen_server.ml takes an unknown call's first parameter for a
		// session, as for a host extension, and checks it first.
		if len(wc.Params) > 0 {
			if sess, ok := wc.Params[0].(string); ok {
				s.mu.Lock()
				valid := get[sessionRecord](h.db, xenapi.Ref(sess)) != nil
				s.mu.Unlock()
				if !valid {
					return result(nil, failure(xenapi.ErrSessionInvalid, sess))
				}
			}
		}
		return result(nil, failure(xenapi.ErrMessageMethodUnknown, name))
	}
	received := len(wc.Params)
	if m.session {
		received--
	}
	required := len(m.params) - m.optional
	if received < required || (m.optional == 0 && received != required) {
		return result(nil, failure(xenapi.ErrMessageParameterCount, name, strconv.Itoa(required), strconv.Itoa(received)))
	}
	if async && !m.async {
		// server_helpers.ml's do_dispatch: a fault, not an error code.
		return wire.Result{Failure: []string{"Fault", "No async mode for this operation (rpc: " + name + ")"}}
	}
	c := &call{s: s, host: h, m: m, ctx: ctx}
	params := wc.Params
	if m.session {
		sess, ok := params[0].(string)
		if !ok {
			return result(nil, failure(xenapi.ErrInternalError, fmt.Sprintf("session_id: %v is not a session reference", params[0])))
		}
		c.session = xenapi.Ref(sess)
		params = params[1:]
	}
	for i, p := range params {
		if i >= len(m.params) {
			break
		}
		v, err := coerceParam(p, m.params[i])
		if err != nil {
			return result(nil, failure(xenapi.ErrInternalError,
				fmt.Sprintf("%s: parameter %s: %v", name, m.msg.Params[i+len(m.msg.Params)-len(m.params)].Name, err)))
		}
		c.args = append(c.args, v)
	}

	return s.run(c, name, wc.Method, async, delay)
}

// run is the part of a call under the lock: the session check, injected
// faults, then the message, or its task for an Async call. A message that
// panics answers INTERNAL_ERROR and leaves the lock free, so that one bug
// does not hang the pool.
func (s *Sim) run(c *call, name, wireName string, async bool, delay time.Duration) (res wire.Result) {
	s.mu.Lock()
	locked := true
	defer func() {
		if p := recover(); p != nil {
			res = result(nil, failure(xenapi.ErrInternalError, fmt.Sprintf("xapisim: %s: %v", name, p)))
		}
		if locked {
			s.mu.Unlock()
		}
	}()
	c.db = c.host.db
	if c.m.session {
		if err := s.checkSession(c); err != nil {
			return result(nil, err)
		}
	}
	injected := s.errorFor(name)
	if async {
		task := s.newTask(c.db, wireName)
		c.db.commit()
		s.runTask(c, task, delay, injected)
		return wire.Result{Value: string(task)}
	}
	if injected != nil {
		return result(nil, injected)
	}
	if c.m.unlocked {
		s.mu.Unlock()
		locked = false
		return result(c.m.fn(c))
	}
	v, err := c.m.fn(c)
	if c.m.write {
		c.db.commit()
		s.settleManagementMoves(c.db)
	}
	return result(v, err)
}

// checkSession is xapi's session check: an unknown session is
// SESSION_INVALID; a good one on a pool member is HOST_IS_SLAVE, for only
// the master serves clients.
func (s *Sim) checkSession(c *call) error {
	sess := get[sessionRecord](c.db, c.session)
	if sess == nil {
		return failure(xenapi.ErrSessionInvalid, string(c.session))
	}
	now := time.Now().UTC()
	if now.Sub(sess.LastActive) > s.cfg.SessionIdleTimeout {
		// xapi's collector (db_gc_util.ml) destroys a session idle that
		// long; it runs every so often, the simulator at the next call.
		s.endSession(c.db, c.session)
		return failure(xenapi.ErrSessionInvalid, string(c.session))
	}
	sess.LastActive = now
	if !c.host.isMaster() {
		return failure(xenapi.ErrHostIsSlave, s.masterAddress(c.db))
	}
	if s.sessionLimit > 0 {
		s.sessionCalls[c.session]++
		if s.sessionCalls[c.session] > s.sessionLimit {
			delete(s.sessionCalls, c.session)
			c.db.remove("session", c.session)
			c.db.commit()
			return failure(xenapi.ErrSessionInvalid, string(c.session))
		}
	}
	return nil
}

// coerceParam gives a parameter its declared type, and checks enum values
// as xapi's unmarshalling does.
func coerceParam(v any, t datamodel.Type) (any, error) {
	out, err := wire.Coerce(v, t)
	if err != nil {
		return nil, err
	}
	if err := checkEnums(out, t); err != nil {
		return nil, err
	}
	return out, nil
}

func checkEnums(v any, t datamodel.Type) error {
	switch t.Kind {
	case datamodel.Enum:
		if s, _ := v.(string); !slices.Contains(datamodel.Load().Enums[t.Name], s) {
			return fmt.Errorf("%q is not a value of enum %s", s, t.Name)
		}
	case datamodel.Set:
		vs, _ := v.([]any)
		for _, e := range vs {
			if err := checkEnums(e, *t.Elem); err != nil {
				return err
			}
		}
	case datamodel.Map:
		m, _ := v.(map[string]any)
		for _, e := range m {
			if err := checkEnums(e, *t.Elem); err != nil {
				return err
			}
		}
	}
	return nil
}

// listMethods is system.listMethods: the messages the simulator serves.
func listMethods() []any {
	names := make([]string, 0, len(methods()))
	for name := range methods() {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}
