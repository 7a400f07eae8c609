package xapisim

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// The tests speak to the simulator over real HTTP with nothing but the wire
// codecs, the way any client would.

// protocols are the wire protocols every behaviour is checked over.
var protocols = []string{"xmlrpc", "jsonrpc"}

// rawClient calls one endpoint over one protocol.
type rawClient struct {
	t       testing.TB
	url     string
	proto   string // "xmlrpc", "jsonrpc" (v1) or "jsonrpc2"
	session string
}

var httpClient = &http.Client{Timeout: 20 * time.Second}

func newClient(t testing.TB, url, proto string) *rawClient {
	return &rawClient{t: t, url: url, proto: proto}
}

// post sends one encoded call and returns the HTTP status and body.
func (c *rawClient) post(method string, params []any) (int, []byte, error) {
	var body []byte
	var err error
	path := "/"
	switch c.proto {
	case "xmlrpc":
		body, err = wire.EncodeXMLCall(method, params)
	case "jsonrpc":
		body, err = wire.EncodeJSONCall(wire.Call{Method: method, Params: params, ID: int64(1)})
		path = "/jsonrpc"
	case "jsonrpc2":
		body, err = wire.EncodeJSONCall(wire.Call{Method: method, Params: params, ID: "a", Version: "2.0"})
		path = "/jsonrpc"
	default:
		c.t.Fatalf("unknown protocol %q", c.proto)
	}
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodPost, c.url+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, errors.Join(err, resp.Body.Close())
}

// raw makes a call with exactly the given parameters.
func (c *rawClient) raw(method string, params ...any) wire.Result {
	c.t.Helper()
	r, err := c.try(method, params...)
	if err != nil {
		c.t.Fatalf("%s over %s: %v", method, c.proto, err)
	}
	return r
}

func (c *rawClient) try(method string, params ...any) (wire.Result, error) {
	status, body, err := c.post(method, params)
	if err != nil {
		return wire.Result{}, err
	}
	if status != http.StatusOK {
		return wire.Result{}, fmt.Errorf("HTTP %d: %s", status, body)
	}
	if c.proto == "xmlrpc" {
		return wire.DecodeXMLResult(body)
	}
	return wire.DecodeJSONResult(body)
}

// withSession puts the client's session first.
func (c *rawClient) withSession(params []any) []any {
	return append([]any{c.session}, params...)
}

// call makes a call with the session, fails the test on a XenAPI failure,
// and returns the value in the types the data model declares, so that both
// protocols give the same Go values.
func (c *rawClient) call(method string, params ...any) any {
	c.t.Helper()
	r := c.raw(method, c.withSession(params)...)
	if r.Failure != nil {
		c.t.Fatalf("%s%v over %s: %v", method, params, c.proto, r.Failure)
	}
	return coerceResult(c.t, method, r.Value)
}

// fails makes a call with the session and checks its error description.
func (c *rawClient) fails(want []string, method string, params ...any) {
	c.t.Helper()
	c.failsRaw(want, method, c.withSession(params)...)
}

// failsRaw makes a call with exactly the given parameters and checks its
// error description.
func (c *rawClient) failsRaw(want []string, method string, params ...any) {
	c.t.Helper()
	r := c.raw(method, params...)
	if r.Failure == nil {
		c.t.Fatalf("%s over %s succeeded with %v; want failure %v", method, c.proto, r.Value, want)
	}
	if !slices.Equal(r.Failure, want) {
		c.t.Fatalf("%s over %s failed with\n %v\nwant\n %v", method, c.proto, r.Failure, want)
	}
}

func coerceResult(t testing.TB, method string, v any) any {
	t.Helper()
	_, msg, ok := datamodel.Load().Method(strings.TrimPrefix(method, "Async."))
	if !ok || strings.HasPrefix(method, "Async.") {
		return v
	}
	out, err := wire.Coerce(v, datamodel.ParseType(msg.Result))
	if err != nil {
		t.Fatalf("%s: result %v does not have the declared type %s: %v", method, v, msg.Result, err)
	}
	return out
}

// login logs in as the simulator's user.
func (c *rawClient) login(s *Sim) *rawClient {
	c.t.Helper()
	r := c.raw("session.login_with_password", s.Username(), s.Password(), "1.0", "xsnet-test")
	if r.Failure != nil {
		c.t.Fatalf("login over %s: %v", c.proto, r.Failure)
	}
	c.session = r.Value.(string)
	return c
}

// eachProtocol runs a test over each protocol, each with a fresh pool.
func eachProtocol(t *testing.T, cfg Config, test func(t *testing.T, s *Sim, c *rawClient)) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			s := Run(t, cfg)
			test(t, s, newClient(t, s.URL(), proto).login(s))
		})
	}
}

// Lookups through the API.

func (c *rawClient) str(method string, params ...any) string {
	c.t.Helper()
	s, ok := c.call(method, params...).(string)
	if !ok {
		c.t.Fatalf("%s: not a string", method)
	}
	return s
}

func (c *rawClient) record(class, ref string) map[string]any {
	c.t.Helper()
	return c.call(class+".get_record", ref).(map[string]any)
}

func (c *rawClient) records(class string) map[string]map[string]any {
	c.t.Helper()
	out := map[string]map[string]any{}
	for ref, rec := range c.call(class + ".get_all_records").(map[string]any) {
		out[ref] = rec.(map[string]any)
	}
	return out
}

func (c *rawClient) host(name string) string {
	c.t.Helper()
	refs := c.call("host.get_by_name_label", name).([]any)
	if len(refs) != 1 {
		c.t.Fatalf("host %s: %d found", name, len(refs))
	}
	return refs[0].(string)
}

// pif is the PIF of device on the named host (the untagged PIF when vlan is
// given).
func (c *rawClient) pif(hostName, device string, vlan ...int64) string {
	c.t.Helper()
	host := c.host(hostName)
	want := int64(-1)
	if len(vlan) > 0 {
		want = vlan[0]
	}
	for ref, p := range c.records("PIF") {
		if p["host"] == host && p["device"] == device && p["VLAN"] == want {
			return ref
		}
	}
	c.t.Fatalf("no PIF %s (VLAN %d) on %s", device, want, hostName)
	return ""
}

// network returns the network of a PIF.
func (c *rawClient) networkOf(pif string) string {
	c.t.Helper()
	return c.str("PIF.get_network", pif)
}

// newNetwork makes a network.
func (c *rawClient) newNetwork(name string, mtu int64) string {
	c.t.Helper()
	return c.str("network.create", map[string]any{"name_label": name, "MTU": mtu, "other_config": map[string]any{}})
}

func (c *rawClient) field(class, ref, field string) any {
	c.t.Helper()
	return c.call(class+".get_"+field, ref)
}

// equal fails the test when got and want differ.
func equal[T any](t testing.TB, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s = %#v, want %#v", what, got, want)
	}
}

// eventually polls cond until it holds or a few seconds pass.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// refs turns a wire set into strings.
func strs(v any) []string {
	vs, _ := v.([]any)
	out := make([]string, len(vs))
	for i, e := range vs {
		out[i], _ = e.(string)
	}
	return out
}

// edit changes the main pool's database directly, for states no message
// reaches (an unmanaged network, say).
func edit(s *Sim, change func(d *db)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.mainMaster().db
	change(d)
	d.commit()
}
