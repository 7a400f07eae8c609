package xapisim

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// rpcPaths are the paths xapi serves calls on (datamodel.ml's
// post_root, post_RPC2, post_json, post_jsonrpc): "/json" is the legacy
// path, and takes and answers XML-RPC too.
var rpcPaths = []string{"/", "/RPC2", "/json", "/jsonrpc"}

// longestPrefix is the path xapi's HTTP server (http_svr.ml) picks for a
// request: the registered one that is the longest prefix of its path, as
// strings, so that "/xmlrpc" is "/" and "/jsonrpc/" is "/jsonrpc".
func longestPrefix(path string, paths []string) string {
	best := ""
	for _, p := range paths {
		if strings.HasPrefix(path, p) && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// endpoint serves one host as xapi does: a POST goes by the longest prefix
// of its path to XML-RPC ("/", "/RPC2", "/json") or JSON-RPC ("/jsonrpc"),
// and OPTIONS answers a browser's preflight (api_server.ml). The
// simulator's own pages are under "/sim/".
func (s *Sim) endpoint(h *hostRT) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Headers", "X-Requested-With")
		if longestPrefix(r.URL.Path, rpcPaths) == "/jsonrpc" {
			s.serveJSON(h, w, r)
			return
		}
		s.serveXML(h, w, r)
	})
	mux.HandleFunc("OPTIONS /", func(w http.ResponseWriter, r *http.Request) {
		// http_svr.ml's respond_to_options, on "/", "/json" and "/jsonrpc",
		// which between them are a prefix of every path.
		headers := "X-Requested-With"
		if asked := r.Header.Get("Access-Control-Request-Headers"); asked != "" {
			headers = asked + ", X-Requested-With"
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Headers", headers)
		w.Header().Set("Access-Control-Allow-Methods", "PUT")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("GET /sim/calls", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Calls()) })
	mux.HandleFunc("GET /sim/trace", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.Trace()) })
	mux.HandleFunc("POST /sim/hosts/{host}/power-cycle", func(w http.ResponseWriter, r *http.Request) {
		simAction(w, s.PowerCycle(r.PathValue("host")))
	})
	mux.HandleFunc("POST /sim/hosts/{host}/emergency-network-reset", func(w http.ResponseWriter, r *http.Request) {
		simAction(w, s.EmergencyNetworkReset(r.PathValue("host")))
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	_ = enc.Encode(v)
}

func simAction(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// readBody reads a call's body as xapi does: it wants a Content-Length and
// refuses more than wire.MaxBody; either failure is an HTTP 500.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.ContentLength < 0 {
		http.Error(w, "We require a content-length: HTTP header", http.StatusInternalServerError)
		return nil, false
	}
	if r.ContentLength > wire.MaxBody {
		http.Error(w, "Client_requested_size_over_limit", http.StatusInternalServerError)
		return nil, false
	}
	body := make([]byte, r.ContentLength)
	if _, err := io.ReadFull(r.Body, body); err != nil {
		http.Error(w, "short body", http.StatusInternalServerError)
		return nil, false
	}
	return body, true
}

// hold keeps a call to a host that dropped out until the host comes back;
// false if the caller or the simulator gave up first.
func (s *Sim) hold(h *hostRT, r *http.Request) bool {
	s.mu.Lock()
	back := h.back
	s.mu.Unlock()
	if back == nil {
		return true
	}
	select {
	case <-back:
		return true
	case <-r.Context().Done():
	case <-s.closed:
	}
	return false
}

func (s *Sim) serveXML(h *hostRT, w http.ResponseWriter, r *http.Request) {
	if !s.hold(h, r) {
		panic(http.ErrAbortHandler)
	}
	r, replied := withReply(w, r)
	defer replied()
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	c, err := wire.DecodeXMLCall(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	res := s.serve(r.Context(), h, c)
	var out []byte
	if c.Method == "system.listMethods" && res.Failure == nil {
		// xapi answers this one bare, without Status and Value.
		var v string
		v, err = wire.EncodeXMLValue(res.Value)
		out = []byte(`<?xml version="1.0"?><methodResponse><params><param>` + v + `</param></params></methodResponse>`)
	} else {
		out, err = wire.EncodeXMLResult(res)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

func (s *Sim) serveJSON(h *hostRT, w http.ResponseWriter, r *http.Request) {
	if !s.hold(h, r) {
		panic(http.ErrAbortHandler)
	}
	r, replied := withReply(w, r)
	defer replied()
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	c, err := wire.DecodeJSONCall(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	out, err := wire.EncodeJSONResult(c, s.serve(r.Context(), h, c))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	_, _ = w.Write(out)
}

// replyKey marks the context of a call served over HTTP with a channel
// closed once its reply is written.
type replyKey struct{}

// withReply gives the request's context a channel that the returned
// function closes once the reply is on the wire. What a handler writes
// waits in net/http's buffer until flushed, so the function flushes it
// first: an Async call's work, which may reset the connection, begins only
// when the channel closes.
func withReply(w http.ResponseWriter, r *http.Request) (*http.Request, func()) {
	out := make(chan struct{})
	return r.WithContext(context.WithValue(r.Context(), replyKey{}, out)), func() {
		_ = http.NewResponseController(w).Flush()
		close(out)
	}
}

// replied returns the channel closed once the reply to the call on ctx is
// written, or nil for a call not served over HTTP.
func replied(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(replyKey{}).(chan struct{})
	return ch
}

// quietLog drops net/http's complaints about clients that hang up, which a
// pool whose hosts reboot provokes by design.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
