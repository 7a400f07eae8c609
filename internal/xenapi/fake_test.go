package xenapi

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// fakeXAPI is a small xapi for unit tests, built on the wire codecs: it
// logs in, checks sessions and parameter counts against the data model,
// runs Async calls as tasks, and answers everything else with a value of
// the message's result type. handle overrides any method.
type fakeXAPI struct {
	t   testing.TB
	srv *httptest.Server

	// noJSON makes /jsonrpc answer like XenServer 6.x: not JSON.
	noJSON bool
	// handle, when set, answers a call (session already checked) before
	// the defaults; ok false falls through to them.
	handle func(c wire.Call) (r wire.Result, ok bool)
	// taskPending keeps Async tasks pending for this many get_status calls.
	taskPending int
	// dropBefore, when it returns true for a call, closes the connection
	// once the request is read, without serving it: xapi went away.
	dropBefore func(c wire.Call) bool
	// dropAfter, when it returns true for a call, serves it and closes
	// the connection instead of replying: the work is done, the reply
	// lost, as when the master's management interface moves.
	dropAfter func(c wire.Call) bool

	// delay holds every reply back, for timeout tests; set with setDelay.
	delay time.Duration

	mu       sync.Mutex
	calls    []wire.Call
	requests map[string]int // by path
	logins   int
	sessions map[string]bool
	tasks    map[string]*fakeTask
	nextID   int
}

type fakeTask struct {
	status    TaskStatus
	polls     int
	result    string
	errorInfo []string
	cancelled bool
	destroyed bool
}

const (
	fakeUser     = "root"
	fakePassword = "s3cret-Pa55"
)

func newFake(t testing.TB) *fakeXAPI {
	f := &fakeXAPI{t: t, requests: map[string]int{}, sessions: map[string]bool{}, tasks: map[string]*fakeTask{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeXAPI) client(t testing.TB, mutate ...func(*Config)) *Client {
	t.Helper()
	return clientAt(t, f.srv.URL, mutate...)
}

// clientAt builds a client of the fake at url, with pauses short enough
// for tests.
func clientAt(t testing.TB, url string, mutate ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{URL: url, Username: fakeUser, Password: fakePassword}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.pollMin, c.pollMax = time.Millisecond, 5*time.Millisecond
	c.retryPause = time.Millisecond
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// expireSessions forgets every session, as xapi does after a restart.
func (f *fakeXAPI) expireSessions() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions = map[string]bool{}
}

func (f *fakeXAPI) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

func (f *fakeXAPI) requestCount(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[path]
}

// methods returns the methods called so far, in order.
func (f *fakeXAPI) methods() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = c.Method
	}
	return out
}

func (f *fakeXAPI) recorded() []wire.Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wire.Call(nil), f.calls...)
}

func (f *fakeXAPI) task(ref string) fakeTask {
	f.mu.Lock()
	defer f.mu.Unlock()
	return *f.tasks[ref]
}

func (f *fakeXAPI) setDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

func (f *fakeXAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests[r.URL.Path]++
	delay := f.delay
	f.mu.Unlock()
	time.Sleep(delay)
	body, err := io.ReadAll(io.LimitReader(r.Body, wire.MaxBody+1))
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	switch r.URL.Path {
	case "/jsonrpc":
		if f.noJSON {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, "<html><body>Not found</body></html>")
			return
		}
		call, err := wire.DecodeJSONCall(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		res, ok := f.serveOrDrop(w, call)
		if !ok {
			return
		}
		out, err := wire.EncodeJSONResult(call, res)
		if err != nil {
			f.t.Errorf("fake: encoding reply to %s: %v", call.Method, err)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	case "/", "/RPC2":
		if ct := r.Header.Get("Content-Type"); ct != "text/xml" {
			f.t.Errorf("fake: XML-RPC request with Content-Type %q, want text/xml", ct)
		}
		call, err := wire.DecodeXMLCall(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		res, ok := f.serveOrDrop(w, call)
		if !ok {
			return
		}
		out, err := wire.EncodeXMLResult(res)
		if err != nil {
			f.t.Errorf("fake: encoding reply to %s: %v", call.Method, err)
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(out)
	default:
		http.NotFound(w, r)
	}
}

// serveOrDrop serves a call, unless dropBefore or dropAfter says to close
// the connection instead; ok false means it was closed.
func (f *fakeXAPI) serveOrDrop(w http.ResponseWriter, call wire.Call) (wire.Result, bool) {
	if f.dropBefore != nil && f.dropBefore(call) {
		f.mu.Lock()
		f.calls = append(f.calls, call)
		f.mu.Unlock()
		hangUp(f.t, w)
		return wire.Result{}, false
	}
	res := f.serve(call)
	if f.dropAfter != nil && f.dropAfter(call) {
		hangUp(f.t, w)
		return wire.Result{}, false
	}
	return res, true
}

// hangUp closes a request's connection without a reply.
func hangUp(t testing.TB, w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("fake: hijacking the connection: %v", err)
		return
	}
	_ = conn.Close()
}

// restartable serves a handler at an address that outlives each server:
// stop closes every connection and refuses new ones, start serves again,
// as a host does across a restart of xapi or a move of its management
// interface.
type restartable struct {
	t    testing.TB
	h    http.Handler
	addr string

	mu  sync.Mutex
	srv *http.Server
}

func newRestartable(t testing.TB, h http.Handler) *restartable {
	l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &restartable{t: t, h: h, addr: l.Addr().String()}
	r.serve(l)
	t.Cleanup(r.stop)
	return r
}

func (r *restartable) URL() string { return "http://" + r.addr }

func (r *restartable) serve(l net.Listener) {
	srv := &http.Server{Handler: r.h, ReadHeaderTimeout: 10 * time.Second}
	r.mu.Lock()
	r.srv = srv
	r.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

func (r *restartable) start() {
	l, err := new(net.ListenConfig).Listen(context.Background(), "tcp", r.addr)
	if err != nil {
		r.t.Errorf("listening again at %s: %v", r.addr, err)
		return
	}
	r.serve(l)
}

func (r *restartable) stop() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// count returns how many times method was called.
func (f *fakeXAPI) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c.Method == method {
			n++
		}
	}
	return n
}

func fail(code string, params ...string) wire.Result {
	return wire.Result{Failure: append([]string{code}, params...)}
}

func (f *fakeXAPI) serve(call wire.Call) wire.Result {
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()

	name := strings.TrimPrefix(call.Method, "Async.")
	_, msg, ok := datamodel.Load().Method(name)
	if !ok {
		return fail(ErrMessageMethodUnknown, call.Method)
	}
	if call.Method == "session.login_with_password" {
		if n := len(call.Params); n < 2 || n > 4 {
			return fail(ErrMessageParameterCount, call.Method, "4", fmt.Sprint(n))
		}
	} else if len(call.Params) != len(msg.Params) {
		return fail(ErrMessageParameterCount, call.Method, fmt.Sprint(len(msg.Params)), fmt.Sprint(len(call.Params)))
	}
	if len(msg.Params) > 0 && msg.Params[0].Type == "session ref" {
		s, _ := call.Params[0].(string)
		f.mu.Lock()
		valid := f.sessions[s]
		f.mu.Unlock()
		if !valid {
			return fail(ErrSessionInvalid, s)
		}
	}
	if f.handle != nil {
		if r, ok := f.handle(call); ok {
			return r
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch call.Method {
	case "session.login_with_password":
		if call.Params[0] != fakeUser || call.Params[1] != fakePassword {
			return fail(ErrSessionAuthenticationFailed, fmt.Sprint(call.Params[0]), "Authentication failure")
		}
		f.logins++
		f.nextID++
		ref := fmt.Sprintf("OpaqueRef:00000000-0000-0000-0000-%012d", f.nextID)
		f.sessions[ref] = true
		return wire.Result{Value: ref}
	case "session.logout":
		delete(f.sessions, call.Params[0].(string))
		return wire.Result{Value: ""}
	case "event.from":
		return wire.Result{Value: map[string]any{"events": []any{}, "valid_ref_counts": map[string]any{}, "token": "1"}}
	}
	if strings.HasPrefix(call.Method, "Async.") {
		f.nextID++
		ref := fmt.Sprintf("OpaqueRef:task-%d", f.nextID)
		result, err := wire.EncodeXMLValue(sample(datamodel.ParseType(msg.Result)))
		if err != nil {
			f.t.Errorf("fake: %v", err)
		}
		f.tasks[ref] = &fakeTask{status: TaskSuccess, result: result}
		return wire.Result{Value: ref}
	}
	if strings.HasPrefix(call.Method, "task.") && len(call.Params) == 2 {
		if task, ok := f.tasks[call.Params[1].(string)]; ok {
			return f.serveTask(call.Method, call.Params[1].(string), task)
		}
	}
	return wire.Result{Value: sample(datamodel.ParseType(msg.Result))}
}

func (f *fakeXAPI) serveTask(method, ref string, task *fakeTask) wire.Result {
	if task.destroyed {
		return fail(ErrHandleInvalid, "task", ref)
	}
	switch method {
	case "task.get_status":
		task.polls++
		if task.cancelled {
			return wire.Result{Value: string(TaskCancelled)}
		}
		if task.polls <= f.taskPending {
			return wire.Result{Value: string(TaskPending)}
		}
		return wire.Result{Value: string(task.status)}
	case "task.get_result":
		return wire.Result{Value: task.result}
	case "task.get_error_info":
		out := make([]any, len(task.errorInfo))
		for i, s := range task.errorInfo {
			out[i] = s
		}
		return wire.Result{Value: out}
	case "task.cancel":
		task.cancelled = true
		return wire.Result{Value: ""}
	case "task.destroy":
		task.destroyed = true
		return wire.Result{Value: ""}
	}
	return fail(ErrInternalError, "fake: "+method)
}

// sample is a value of a model type, as xapi would send it.
func sample(t datamodel.Type) any {
	switch t.Kind {
	case datamodel.String:
		return "text"
	case datamodel.Int:
		return int64(1500)
	case datamodel.Float:
		return 0.5
	case datamodel.Bool:
		return true
	case datamodel.DateTime:
		return time.Date(2026, 3, 19, 4, 16, 24, 0, time.UTC)
	case datamodel.Ref:
		return "OpaqueRef:" + t.Name + "-1"
	case datamodel.Enum:
		return datamodel.Load().Enums[t.Name][0]
	case datamodel.Set:
		return []any{sample(*t.Elem)}
	case datamodel.Map:
		return map[string]any{fmt.Sprint(sample(*t.Key)): sample(*t.Elem)}
	case datamodel.Record:
		rec := map[string]any{}
		class, ok := datamodel.Load().Class(t.Name)
		if !ok {
			return rec
		}
		for _, f := range class.Fields {
			if ft := datamodel.ParseType(f.Type); ft.Kind != datamodel.Other {
				rec[f.Name] = sample(ft)
			}
		}
		return rec
	case datamodel.Void:
		return ""
	}
	return ""
}
