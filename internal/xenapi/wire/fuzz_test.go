package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
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

// The reader accepts what encoding/json accepts and makes the same values
// of it, numbers kept exact as decodeJSON always kept them; skipping a
// value accepts what json.Valid does.
func FuzzJSONReaderIsEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`{"result":{"events":[{"class":"pif","snapshot":{"MTU":1500,"VLAN":-1,"device":"eth0"}}],"token":"t"},"error":null}`,
		`["a\u00e9\n\"",1,-0,1.0,1e3,2.5E-3,12345678901234567890,true,false,null,{},[]]`,
		`"\ud83d\ude00 \ud800 caf` + "\xc3\xa9 \xff" + `"`,
		` {"a" : [ 1 , 2 ] } `, `01`, `1.`, `-`, `[1,]`, `{"a":1,}`, `"\x"`, `tru`, `[1] [2]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeJSON(body)
		want, wantErr := decodeWithEncodingJSON(body)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("%q: the reader says %v, encoding/json %v", body, err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: the reader reads\n %#v\nencoding/json\n %#v", body, got, want)
		}
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("%q: %v is not ErrMalformed", body, err)
		}
		r := &jsonReader{b: body}
		skipErr := r.skip(0)
		if skipErr == nil {
			skipErr = r.end()
		}
		if (skipErr == nil) != json.Valid(body) {
			t.Fatalf("%q: skipping says %v, json.Valid %v", body, skipErr, json.Valid(body))
		}
	})
}

// decodeWithEncodingJSON is how replies were read before the reader:
// encoding/json with exact numbers, then ints made int64 and the rest
// float64, no deeper than maxDepth.
func decodeWithEncodingJSON(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("data after the value")
	}
	return exactNumbers(v, 0)
}

func exactNumbers(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, errors.New("too deep")
	}
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("number %s", v)
		}
		return f, nil
	case []any:
		for i, e := range v {
			n, err := exactNumbers(e, depth+1)
			if err != nil {
				return nil, err
			}
			v[i] = n
		}
	case map[string]any:
		for k, e := range v {
			n, err := exactNumbers(e, depth+1)
			if err != nil {
				return nil, err
			}
			v[k] = n
		}
	}
	return v, nil
}
