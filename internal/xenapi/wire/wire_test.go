package wire

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
)

func TestXMLResultAsXapiWritesIt(t *testing.T) {
	// A PIF record fragment exactly as xapi writes it: ints and strings bare.
	body := `<?xml version="1.0"?>
<methodResponse><params><param><value><struct>
 <member><name>Status</name><value>Success</value></member>
 <member><name>Value</name><value><struct>
  <member><name>device</name><value>eth0</value></member>
  <member><name>MTU</name><value>1500</value></member>
  <member><name>management</name><value><boolean>1</boolean></value></member>
  <member><name>VLAN_slave_of</name><value><array><data/></array></value></member>
  <member><name>other_config</name><value><struct/></value></member>
 </struct></value></member>
</struct></value></param></params></methodResponse>`
	r, err := DecodeXMLResult([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Coerce(r.Value, datamodel.ParseType("PIF record"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"device": "eth0", "MTU": int64(1500), "management": true,
		"VLAN_slave_of": []any{}, "other_config": map[string]any{},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v\nwant %#v", got, want)
	}
}

func TestXMLFailure(t *testing.T) {
	b, err := EncodeXMLResult(Result{Failure: []string{"PIF_ALREADY_BONDED", "OpaqueRef:1"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "<fault>") {
		t.Errorf("xapi never writes <fault>: %s", b)
	}
	r, err := DecodeXMLResult(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Failure, []string{"PIF_ALREADY_BONDED", "OpaqueRef:1"}) {
		t.Errorf("failure = %v", r.Failure)
	}
}

func TestXMLCallRoundTrip(t *testing.T) {
	when := time.Date(2025, 3, 19, 4, 16, 24, 0, time.UTC)
	params := []any{"OpaqueRef:s", int64(9000), true, 1.5, when,
		[]any{"a", "b"}, map[string]any{"k": "v", "n": map[string]any{}}, ""}
	b, err := EncodeXMLCall("network.set_MTU", params)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "<value>9000</value>") {
		t.Errorf("ints must travel bare, as xapi's clients send them: %s", b)
	}
	c, err := DecodeXMLCall(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"OpaqueRef:s", "9000", true, 1.5, when,
		[]any{"a", "b"}, map[string]any{"k": "v", "n": map[string]any{}}, ""}
	if c.Method != "network.set_MTU" || !reflect.DeepEqual(c.Params, want) {
		t.Errorf("got %s %#v", c.Method, c.Params)
	}
}

func TestXMLCallTypedScalars(t *testing.T) {
	body := `<?xml version="1.0"?><methodCall><methodName>VLAN.create</methodName><params>
<param><value><string>OpaqueRef:s</string></value></param>
<param><value><i4>100</i4></value></param>
<param><value><i8>-1</i8></value></param>
<param><value><int>7</int></value></param>
<param><value><dateTime.iso8601>20250319T04:16:24Z</dateTime.iso8601></value></param>
<param><value> <string> spaced </string> </value></param>
</params></methodCall>`
	c, err := DecodeXMLCall([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"OpaqueRef:s", int64(100), int64(-1), int64(7),
		time.Date(2025, 3, 19, 4, 16, 24, 0, time.UTC), " spaced "}
	if !reflect.DeepEqual(c.Params, want) {
		t.Errorf("got %#v", c.Params)
	}
}

func TestXMLMalformed(t *testing.T) {
	for _, body := range []string{
		"", "<methodCall>", "<methodCall><methodName></methodName></methodCall>",
		"<methodCall><methodName>a</methodName><params><param><value><i4>x</i4></value></param></params></methodCall>",
		"<methodCall><methodName>a</methodName><params><param><value><bogus/></value></param></params></methodCall>",
		"<methodCall><methodName>a</methodName></methodCall><extra/>",
		"<methodCall><methodName>a</methodName><params><param><value>x<string>y</string></value></param></params></methodCall>",
		"<methodCall><methodName>a</methodName><params><param><value>" + strings.Repeat("<array><data><value>", 100) + "</value></param></params></methodCall>",
	} {
		if _, err := DecodeXMLCall([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeXMLCall(%.60q) = %v, want ErrMalformed", body, err)
		}
	}
}

func TestJSONCallAndResult(t *testing.T) {
	for _, version := range []string{"", "2.0"} {
		c := Call{Method: "PIF.get_MTU", Params: []any{"OpaqueRef:s", "OpaqueRef:p"}, ID: int64(7), Version: version}
		b, err := EncodeJSONCall(c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeJSONCall(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c) {
			t.Errorf("v%q: call round trip = %#v", version, got)
		}
		for _, r := range []Result{{Value: int64(1500)}, {Failure: []string{"HANDLE_INVALID", "PIF", "OpaqueRef:p"}}} {
			b, err := EncodeJSONResult(c, r)
			if err != nil {
				t.Fatal(err)
			}
			back, err := DecodeJSONResult(b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, r) {
				t.Errorf("v%q: %s decodes as %#v", version, b, back)
			}
		}
	}
}

func TestJSONEncodingsAsXapiWritesThem(t *testing.T) {
	c := Call{Method: "x", ID: "a"}
	v1, _ := EncodeJSONResult(c, Result{Failure: []string{"SESSION_INVALID", "OpaqueRef:x"}})
	if string(v1) != `{"error":["SESSION_INVALID","OpaqueRef:x"],"id":"a","result":null}` {
		t.Errorf("v1 failure = %s", v1)
	}
	c.Version = "2.0"
	v2, _ := EncodeJSONResult(c, Result{Failure: []string{"SESSION_INVALID", "OpaqueRef:x"}})
	if string(v2) != `{"error":{"code":1,"data":["OpaqueRef:x"],"message":"SESSION_INVALID"},"id":"a","jsonrpc":"2.0"}` {
		t.Errorf("v2 failure = %s", v2)
	}
}

func TestJSONMalformed(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `{"params":[],"id":1}`, `{"method":"a","params":[]}`,
		`{"method":"a","params":{},"id":1}`, `{"method":"a","params":[],"id":[1]}`,
		`{"method":"a","params":[],"id":1,"jsonrpc":"3"}`,
		`{"method":"a","params":[` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `],"id":1}`,
	} {
		if _, err := DecodeJSONCall([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeJSONCall(%.60q) = %v, want ErrMalformed", body, err)
		}
	}
}

func TestJSONResultMalformed(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `"result"`, `{"id":1}`, `{"result":1}{"result":2}`, `{"result":1} x`,
		`{"error":[],"result":null}`, `{"error":{"code":1},"result":null}`, `{"error":true}`,
		`{"result":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
	} {
		if _, err := DecodeJSONResult([]byte(body)); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeJSONResult(%.60q) = %v, want ErrMalformed", body, err)
		}
	}
	for body, want := range map[string]Result{
		`{"result":null,"error":null}`:                {},
		`{"result":1.0,"id":1}` + "\t":                {Value: 1.0},
		`{"error":null,"result":{"MTU":1500}}` + "\n": {Value: map[string]any{"MTU": int64(1500)}},
	} {
		got, err := DecodeJSONResult([]byte(body))
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("DecodeJSONResult(%q) = %#v, %v; want %#v", body, got, err, want)
		}
	}
}

// Reading a reply an element at a time gives what reading it whole gives:
// the same result, the field's elements handed over in order.
func TestJSONResultEachIsTheWholeResult(t *testing.T) {
	for _, body := range []string{
		`{"id":1,"result":{"events":[{"id":1,"snapshot":{"MTU":1500,"VLAN":-1}},{"id":2.5},[],"x",null],"token":"t","valid_ref_counts":{"pif":2}},"error":null}`,
		`{"result":{"token":"t","events":[]},"jsonrpc":"2.0","id":"a"}`,
		`{"result":{"token":"t"}}`,
		`{"result":{"events":[{"a":[{"b":{}}]}]},"error":null}` + "\n",
		`{"result":null,"error":["SESSION_INVALID","OpaqueRef:x"]}`,
		`{"error":{"code":1,"data":["OpaqueRef:x"],"message":"SESSION_INVALID"},"jsonrpc":"2.0","id":"a"}`,
		`{"result":["a",1,2.0],"id":1}`,
		`{"result":"OpaqueRef:x","id":1}`,
		`{"result":7}`,
	} {
		whole, err := DecodeJSONResult([]byte(body))
		if err != nil {
			t.Fatalf("DecodeJSONResult(%s): %v", body, err)
		}
		var got []any
		each, err := DecodeJSONResultEach([]byte(body), "events", nil, func(v any) error {
			got = append(got, v)
			return nil
		})
		if err != nil {
			t.Fatalf("DecodeJSONResultEach(%s): %v", body, err)
		}
		var want []any
		if m, ok := whole.Value.(map[string]any); ok {
			want, _ = m["events"].([]any)
			delete(m, "events")
		}
		if !reflect.DeepEqual(each, whole) || len(got)+len(want) > 0 && !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n each  %#v, elements %#v\n whole %#v, elements %#v", body, each, got, whole, want)
		}
	}
}

// Fields left out of an element's member are skipped, whatever they hold,
// and only in the elements Fields names them for.
func TestJSONResultEachOmitsFields(t *testing.T) {
	body := `{"result":{"events":[` +
		`{"class":"host","snapshot":{"uuid":"h","PIFs":["OpaqueRef:a",{"deep":[1,2]}],"address":"10.0.0.1"}},` +
		`{"class":"network","snapshot":{"uuid":"n","PIFs":["OpaqueRef:a"]}},` +
		`{"snapshot":{"uuid":"x","PIFs":[]},"class":"host"},` +
		`{"class":"host","snapshot":null},"x"]}}`
	omit := &Omit{Member: "snapshot", Fields: func(element map[string]any) map[string]bool {
		if element["class"] == "host" {
			return map[string]bool{"PIFs": true}
		}
		return nil
	}}
	var got []any
	if _, err := DecodeJSONResultEach([]byte(body), "events", omit, func(v any) error {
		got = append(got, v)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []any{
		map[string]any{"class": "host", "snapshot": map[string]any{"uuid": "h", "address": "10.0.0.1"}},
		map[string]any{"class": "network", "snapshot": map[string]any{"uuid": "n", "PIFs": []any{"OpaqueRef:a"}}},
		// The class comes after the snapshot: nothing is known to leave out.
		map[string]any{"snapshot": map[string]any{"uuid": "x", "PIFs": []any{}}, "class": "host"},
		map[string]any{"class": "host", "snapshot": nil},
		"x",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("elements\n %#v\nwant\n %#v", got, want)
	}
	if _, err := DecodeJSONResultEach([]byte(`{"result":{"events":[{"class":"host","snapshot":{"PIFs":[}}]}}`), "events", omit,
		func(any) error { return nil }); !errors.Is(err, ErrMalformed) {
		t.Errorf("a malformed field left out: %v, want ErrMalformed", err)
	}
}

func TestJSONResultEachMalformed(t *testing.T) {
	for _, body := range []string{
		``, `[]`, `"result"`, `{"id":1}`, `{"result":{"events":[1]}}{}`, `{"result":{"events":[1,]}}`,
		`{"result":{"events":{}}}`, `{"result":{"events":[` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `]}}`,
		`{"result":{"events":[1]`, `{"error":true}`, `{"error":[],"result":null}`,
	} {
		if _, err := DecodeJSONResultEach([]byte(body), "events", nil, func(any) error { return nil }); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeJSONResultEach(%.60q) = %v, want ErrMalformed", body, err)
		}
	}
	stop := errors.New("stop")
	if _, err := DecodeJSONResultEach([]byte(`{"result":{"events":[1,2]}}`), "events", nil, func(any) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("an element refused: %v, want the refusal", err)
	}
}

func TestCoerce(t *testing.T) {
	tests := []struct {
		in   any
		typ  string
		want any
	}{
		{"1500", "int", int64(1500)},
		{int64(9000), "int", int64(9000)},
		{1.0, "int", int64(1)},
		{"true", "bool", true},
		{"0", "bool", false},
		{"20250319T04:16:24Z", "datetime", time.Date(2025, 3, 19, 4, 16, 24, 0, time.UTC)},
		{[]any{"1", "2"}, "int set", []any{int64(1), int64(2)}},
		{map[string]any{"a": "b"}, "(string -> string) map", map[string]any{"a": "b"}},
		{"", "void", ""},
	}
	for _, tt := range tests {
		got, err := Coerce(tt.in, datamodel.ParseType(tt.typ))
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Coerce(%#v, %s) = %#v, %v; want %#v", tt.in, tt.typ, got, err, tt.want)
		}
	}
	for _, bad := range []struct {
		in  any
		typ string
	}{{"x", "int"}, {"maybe", "bool"}, {[]any{}, "string"}, {"a", "PIF ref set"}, {1.5, "int"}} {
		if _, err := Coerce(bad.in, datamodel.ParseType(bad.typ)); err == nil {
			t.Errorf("Coerce(%#v, %s) succeeded", bad.in, bad.typ)
		}
	}
}

// The client reads each reply into a buffer that later replies reuse: a
// decoded value must share no byte with the reply it came from. Each
// reply is decoded, then its bytes overwritten, and the values compared
// with those of a copy no one touched.
func TestDecodedRepliesShareNoBytesWithTheReply(t *testing.T) {
	replies := []struct {
		name   string
		body   string
		decode func([]byte) (any, error)
	}{
		{"JSON", `{"result":{"uuid":"8d2f5c1e","name_label":"VLAN \"100\" \u00e9","MTU":9000,"other_config":{"xsnet_managed":"vlan"},"PIFs":["OpaqueRef:a","OpaqueRef:b"]},"id":1}`,
			func(b []byte) (any, error) { r, err := DecodeJSONResult(b); return r, err }},
		{"JSON a record at a time", `{"result":{"token":"12,34","events":[{"class":"network","ref":"OpaqueRef:n","snapshot":{"uuid":"8d2f5c1e","name_label":"VLAN 100","MTU":1500}}]},"id":2}`,
			func(b []byte) (any, error) {
				var got []any
				r, err := DecodeJSONResultEach(b, "events", nil, func(v any) error { got = append(got, v); return nil })
				return []any{r, got}, err
			}},
		{"JSON failure", `{"error":{"code":1,"message":"PIF_IS_MANAGEMENT_INTERFACE","data":["OpaqueRef:p"]},"id":3}`,
			func(b []byte) (any, error) { r, err := DecodeJSONResult(b); return r, err }},
		{"XML", `<?xml version="1.0"?><methodResponse><params><param><value><struct>` +
			`<member><name>Status</name><value>Success</value></member>` +
			`<member><name>Value</name><value><struct><member><name>name_label</name><value>VLAN &amp; 100</value></member>` +
			`<member><name>MTU</name><value><string>1500</string></value></member></struct></value></member>` +
			`</struct></value></param></params></methodResponse>`,
			func(b []byte) (any, error) { r, err := DecodeXMLResult(b); return r, err }},
	}
	for _, r := range replies {
		want, err := r.decode([]byte(r.body))
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		reply := []byte(r.body)
		got, err := r.decode(reply)
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		for i := range reply {
			reply[i] = 'x'
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: once the reply's bytes were overwritten, its values read\n%#v\nwant %#v", r.name, got, want)
		}
	}
}
