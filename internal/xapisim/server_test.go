package xapisim

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

func postRaw(t *testing.T, url, contentType string, body io.Reader) (int, string) {
	t.Helper()
	status, out := do(t, httpClient, http.MethodPost, url, contentType, body)
	return status, string(out)
}

// do makes one HTTP request, failing the test if it cannot, and returns
// the status and body of the response.
func do(t *testing.T, client *http.Client, method, url, contentType string, body io.Reader) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func TestMalformedRequestsAreHTTP500(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	for name, tc := range map[string]struct{ path, body string }{
		"XML that is not a call":   {"/", `<methodCall><methodName>pool.get_all</methodName><params><param>`},
		"JSON that is not a call":  {"/jsonrpc", `{"method": "pool.get_all", "params": [`},
		"JSON-RPC call without id": {"/jsonrpc", `{"method": "pool.get_all", "params": []}`},
		"JSON on the XML path":     {"/", `{"method": "pool.get_all", "params": [], "id": 1}`},
	} {
		t.Run(name, func(t *testing.T) {
			if status, body := postRaw(t, s.URL()+tc.path, "text/xml", strings.NewReader(tc.body)); status != 500 {
				t.Errorf("HTTP %d %s, want 500", status, body)
			}
		})
	}
}

func TestBodyLimitIs300KiB(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	c := newClient(t, s.URL(), "xmlrpc").login(s)
	call := func(size int) int {
		body, err := wire.EncodeXMLCall("session.get_uuid", []any{c.session, c.session})
		if err != nil {
			t.Fatal(err)
		}
		// Pad with a comment, which the decoder skips, to the size wanted.
		pad := size - len(body) - len("<!---->")
		body = append(body, []byte("<!--"+strings.Repeat("x", pad)+"-->")...)
		status, _ := postRaw(t, s.URL()+"/", "text/xml", bytes.NewReader(body))
		return status
	}
	equal(t, "status at the limit", call(wire.MaxBody), 200)
	equal(t, "status one byte over", call(wire.MaxBody+1), 500)
}

func TestContentLengthIsRequired(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	body, _ := wire.EncodeXMLCall("session.login_with_password", []any{"root", s.Password()})
	// A reader of unknown length makes the client send a chunked body.
	status, _ := do(t, httpClient, http.MethodPost, s.URL()+"/", "text/xml", io.MultiReader(bytes.NewReader(body)))
	equal(t, "status", status, 500)
}

func TestRPC2IsXMLRPCToo(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	body, _ := wire.EncodeXMLCall("session.login_with_password", []any{s.Username(), s.Password()})
	status, out := postRaw(t, s.URL()+"/RPC2", "text/xml", strings.NewReader(string(body)))
	equal(t, "status", status, 200)
	r, err := wire.DecodeXMLResult([]byte(out))
	if err != nil || r.Failure != nil {
		t.Fatalf("login on /RPC2: %v %v", err, r.Failure)
	}
}

func TestXMLRPCWritesIntsAndStringsBare(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	c := newClient(t, s.URL(), "xmlrpc").login(s)
	pif := c.pif("xs-host-1", "eth0")
	body, _ := wire.EncodeXMLCall("PIF.get_record", []any{c.session, pif})
	_, out := postRaw(t, s.URL()+"/", "text/xml", bytes.NewReader(body))
	for _, want := range []string{
		`<member><name>Status</name><value>Success</value></member>`,
		`<member><name>MTU</name><value>1500</value></member>`,
		`<member><name>device</name><value>eth0</value></member>`,
		`<member><name>management</name><value><boolean>1</boolean></value></member>`,
		`<member><name>VLAN</name><value>-1</value></member>`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("reply lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "<fault>") || strings.Contains(out, "<int>") || strings.Contains(out, "<string>") {
		t.Errorf("xapi writes no <fault>, <int> or <string>:\n%s", out)
	}
}

func TestJSONRPCv2Failure(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	c := newClient(t, s.URL(), "jsonrpc2").login(s)
	status, body, err := c.post("PIF.get_record", []any{c.session, "OpaqueRef:nothing"})
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		JSONRPC string `json:"jsonrpc"`
		ID      string `json:"id"`
		Error   struct {
			Code    int      `json:"code"`
			Message string   `json:"message"`
			Data    []string `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &reply); err != nil {
		t.Fatalf("HTTP %d %s: %v", status, body, err)
	}
	equal(t, "v2 reply", reply.JSONRPC+" "+reply.ID+" "+reply.Error.Message, "2.0 a HANDLE_INVALID")
	equal(t, "error data", reply.Error.Data, []string{"PIF", "OpaqueRef:nothing"})
}

func TestSessionWorksOverBothProtocols(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	x := newClient(t, s.URL(), "xmlrpc").login(s)
	j := newClient(t, s.URL(), "jsonrpc")
	j.session = x.session
	equal(t, "pools seen over JSON-RPC with an XML-RPC session", len(strs(j.call("pool.get_all"))), 1)
	j.login(s)
	x.session = j.session
	equal(t, "hosts seen over XML-RPC with a JSON-RPC session", len(strs(x.call("host.get_all"))), 1)
}

func TestSystemListMethods(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	// xapi answers this one without Status and Value over XML-RPC.
	body, _ := wire.EncodeXMLCall("system.listMethods", nil)
	_, out := postRaw(t, s.URL()+"/", "text/xml", bytes.NewReader(body))
	if strings.Contains(out, "Status") {
		t.Errorf("system.listMethods is wrapped in Status:\n%.300s", out)
	}
	j := newClient(t, s.URL(), "jsonrpc").raw("system.listMethods")
	names := strs(j.Value)
	for _, want := range []string{"Bond.create", "VLAN.destroy", "PIF.get_all_records", "event.from", "session.login_with_password"} {
		if !slices.Contains(names, want) {
			t.Errorf("system.listMethods lacks %s", want)
		}
	}
	if slices.Contains(names, "PIF.introduce") {
		t.Error("system.listMethods lists PIF.introduce, which the simulator does not serve")
	}
}

func TestCallsAndTraceOverHTTP(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	c := newClient(t, s.URL(), "xmlrpc").login(s)
	c.call("PIF.get_all")
	c.fails([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:x"}, "PIF.get_record", "OpaqueRef:x")

	var calls map[string]int
	getJSON(t, s.URL()+"/sim/calls", &calls)
	equal(t, "calls", calls, map[string]int{"session.login_with_password": 1, "PIF.get_all": 1, "PIF.get_record": 1})
	equal(t, "calls from Go", s.Calls(), calls)

	var trace []TraceEntry
	getJSON(t, s.URL()+"/sim/trace", &trace)
	if len(trace) != 3 {
		t.Fatalf("trace has %d entries, want 3: %+v", len(trace), trace)
	}
	equal(t, "login parameters", trace[0].Params, []any{"root", "******", "1.0", "xsnet-test"})
	equal(t, "failed call", trace[2].Method+" "+trace[2].Error, "PIF.get_record HANDLE_INVALID")
	equal(t, "host", trace[2].Host, "xs-host-1")
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	_, body := do(t, httpClient, http.MethodGet, url, "", nil)
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestTLSWithAFingerprintedCertificate(t *testing.T) {
	s := Run(t, Config{Hosts: 2, TLS: true})
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") || !strings.HasPrefix(s.HostURL("xs-host-2"), "https://") {
		t.Fatalf("URLs %s %s are not HTTPS", s.URL(), s.HostURL("xs-host-2"))
	}
	if !strings.Contains(s.CertificatePEM(), "BEGIN CERTIFICATE") {
		t.Fatalf("certificate %q", s.CertificatePEM())
	}
	// A client that pins the fingerprint, as the provider's may.
	var seen string
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			sum := sha256.Sum256(cs.PeerCertificates[0].Raw)
			seen = strings.ToUpper(strings.Join(hexBytes(sum[:]), ":"))
			return nil
		},
	}}}
	body, _ := wire.EncodeXMLCall("session.login_with_password", []any{s.Username(), s.Password()})
	do(t, client, http.MethodPost, s.URL()+"/", "text/xml", bytes.NewReader(body))
	equal(t, "fingerprint", seen, s.Fingerprint())
	if !strings.Contains(s.Fingerprint(), ":") || len(s.Fingerprint()) != 95 {
		t.Errorf("fingerprint %q is not 32 hex bytes joined by colons", s.Fingerprint())
	}
}

func hexBytes(b []byte) []string {
	out := make([]string, len(b))
	for i, x := range b {
		out[i] = fmt.Sprintf("%02x", x)
	}
	return out
}
