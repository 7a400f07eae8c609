package xapisim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// FuzzServe posts any body to an endpoint's XML-RPC or JSON-RPC path: the
// simulator must never panic, and answer HTTP 200 with a well-formed result
// or HTTP 500 for a malformed call, as xapi does. Seeds are in
// testdata/fuzz/FuzzServe.
func FuzzServe(f *testing.F) {
	s := Run(f, Config{Hosts: 2, NICs: 2})
	s.mu.Lock()
	h := s.mainMaster()
	s.mu.Unlock()
	endpoint := s.endpoint(h)
	f.Add(false, []byte(`<?xml version="1.0"?><methodCall><methodName>session.login_with_password</methodName><params><param><value>root</value></param><param><value>xsnet-sim</value></param></params></methodCall>`))
	f.Add(true, []byte(`{"jsonrpc":"2.0","method":"PIF.get_all_records","params":["OpaqueRef:x"],"id":1}`))
	f.Fuzz(func(t *testing.T, jsonPath bool, body []byte) {
		path := "/"
		if jsonPath {
			path = "/jsonrpc"
		}
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, path, bytes.NewReader(body))
		rec := httptest.NewRecorder()
		endpoint.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusInternalServerError:
			return
		case http.StatusOK:
		default:
			t.Fatalf("HTTP %d for %q", rec.Code, body)
		}
		var err error
		if jsonPath {
			_, err = wire.DecodeJSONResult(rec.Body.Bytes())
		} else if !bytes.Contains(body, []byte("system.listMethods")) {
			_, err = wire.DecodeXMLResult(rec.Body.Bytes())
		}
		if err != nil {
			t.Fatalf("reply to %q does not decode: %v\n%s", body, err, rec.Body.Bytes())
		}
	})
}
