package wire

import (
	"reflect"
	"testing"
)

// The request decoders face whatever a client sends, so they must never
// panic, and what they accept must survive a round trip unchanged.

func FuzzDecodeXMLCall(f *testing.F) {
	for _, seed := range []string{
		`<?xml version="1.0"?><methodCall><methodName>session.login_with_password</methodName><params><param><value>root</value></param><param><value><string>secret</string></value></param></params></methodCall>`,
		`<methodCall><methodName>Bond.create</methodName><params><param><value>OpaqueRef:s</value></param><param><value><array><data><value>OpaqueRef:a</value></data></array></value></param><param><value><struct><member><name>k</name><value><i4>1</i4></value></member></struct></value></param></params></methodCall>`,
		`<methodCall><methodName>x</methodName><params><param><value><boolean>1</boolean></value></param><param><value><double>1.5</double></value></param><param><value><dateTime.iso8601>20250319T04:16:24Z</dateTime.iso8601></value></param></params></methodCall>`,
		`<methodCall><methodName>x</methodName></methodCall>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := DecodeXMLCall(body)
		if err != nil {
			return
		}
		again, err := EncodeXMLCall(c.Method, c.Params)
		if err != nil {
			t.Fatalf("decoded call does not encode: %v", err)
		}
		c2, err := DecodeXMLCall(again)
		if err != nil {
			t.Fatalf("re-encoded call does not decode: %v\n%s", err, again)
		}
		if c2.Method != c.Method || len(c2.Params) != len(c.Params) {
			t.Fatalf("round trip changed the call: %#v -> %#v", c, c2)
		}
	})
}

func FuzzDecodeJSONCall(f *testing.F) {
	for _, seed := range []string{
		`{"method":"session.login_with_password","params":["root","secret"],"id":1}`,
		`{"jsonrpc":"2.0","method":"PIF.get_all_records","params":["OpaqueRef:s"],"id":"a"}`,
		`{"method":"network.create","params":["OpaqueRef:s",{"name_label":"n","MTU":9000,"other_config":{}}],"id":null}`,
		`{"method":"x","params":[1.5,true,[],{}],"id":2}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := DecodeJSONCall(body)
		if err != nil {
			return
		}
		again, err := EncodeJSONCall(c)
		if err != nil {
			t.Fatalf("decoded call does not encode: %v", err)
		}
		c2, err := DecodeJSONCall(again)
		if err != nil {
			t.Fatalf("re-encoded call does not decode: %v\n%s", err, again)
		}
		if !reflect.DeepEqual(c, c2) {
			t.Fatalf("round trip changed the call: %#v -> %#v", c, c2)
		}
	})
}
