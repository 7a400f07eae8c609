package xapisim

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// TestPathsGoByLongestPrefix follows http_svr.ml, which picks the handler
// whose path is the longest prefix of the request's, and the paths
// datamodel.ml registers: "/", "/RPC2" and the legacy "/json" take
// XML-RPC, "/jsonrpc" JSON-RPC. Replies allow any origin (api_server.ml).
func TestPathsGoByLongestPrefix(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	login := func(path, body string) (string, http.Header) {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL()+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		out, _ := io.ReadAll(resp.Body)
		return string(out), resp.Header
	}
	xml, _ := wire.EncodeXMLCall("session.login_with_password", []any{s.Username(), s.Password()})
	json, _ := wire.EncodeJSONCall(wire.Call{Method: "session.login_with_password", Params: []any{s.Username(), s.Password()}, ID: int64(1)})
	for path, proto := range map[string]string{
		"/": "xml", "/xmlrpc": "xml", "/RPC2": "xml", "/RPC2/": "xml", "/json": "xml", "/jsonx": "xml",
		"/jsonrpc": "json", "/jsonrpc/": "json",
	} {
		body := string(xml)
		if proto == "json" {
			body = string(json)
		}
		out, hdr := login(path, body)
		var ok bool
		if proto == "xml" {
			r, err := wire.DecodeXMLResult([]byte(out))
			ok = err == nil && r.Failure == nil
		} else {
			r, err := wire.DecodeJSONResult([]byte(out))
			ok = err == nil && r.Failure == nil
		}
		if !ok {
			t.Errorf("POST %s with %s-RPC: %s", path, proto, out)
		}
		equal(t, "Access-Control-Allow-Origin on "+path, hdr.Get("Access-Control-Allow-Origin"), "*")
	}
}

// TestOptionsAnswersPreflight follows http_svr.ml's respond_to_options,
// registered on "/", "/json" and "/jsonrpc".
func TestOptionsAnswersPreflight(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	for _, path := range []string{"/", "/json", "/jsonrpc"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodOptions, s.URL()+path, bytes.NewReader(nil))
		req.Header.Set("Access-Control-Request-Headers", "Content-Type")
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		equal(t, "OPTIONS "+path, []string{resp.Status, resp.Header.Get("Access-Control-Allow-Origin"),
			resp.Header.Get("Access-Control-Allow-Headers"), resp.Header.Get("Access-Control-Allow-Methods")},
			[]string{"200 OK", "*", "Content-Type, X-Requested-With", "PUT"})
	}
}
