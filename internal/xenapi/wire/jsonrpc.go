package wire

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// EncodeJSONCall writes a JSON-RPC request; Version "2.0" writes a v2 one.
func EncodeJSONCall(c Call) ([]byte, error) {
	params := make([]any, len(c.Params))
	for i, p := range c.Params {
		v, err := jsonValue(p, 0)
		if err != nil {
			return nil, err
		}
		params[i] = v
	}
	req := map[string]any{"method": c.Method, "params": params, "id": c.ID}
	if c.Version != "" {
		req["jsonrpc"] = c.Version
	}
	return json.Marshal(req)
}

// DecodeJSONCall reads a JSON-RPC v1 or v2 request. Like xapi, it insists on
// a method, a params array and an id.
func DecodeJSONCall(body []byte) (Call, error) {
	var raw struct {
		Method  *string          `json:"method"`
		Params  *json.RawMessage `json:"params"`
		ID      *json.RawMessage `json:"id"`
		Version *string          `json:"jsonrpc"`
	}
	if err := strictJSON(body, &raw); err != nil {
		return Call{}, err
	}
	if raw.Method == nil || *raw.Method == "" {
		return Call{}, fmt.Errorf("%w: no method", ErrMalformed)
	}
	if raw.ID == nil {
		return Call{}, fmt.Errorf("%w: no id", ErrMalformed)
	}
	call := Call{Method: *raw.Method, Params: []any{}}
	if raw.Version != nil {
		if *raw.Version != "2.0" && *raw.Version != "1.0" {
			return Call{}, fmt.Errorf("%w: jsonrpc version %q", ErrMalformed, *raw.Version)
		}
		if *raw.Version == "2.0" {
			call.Version = "2.0"
		}
	}
	id, err := decodeJSON(*raw.ID)
	if err != nil {
		return Call{}, err
	}
	switch id.(type) {
	case map[string]any, []any:
		return Call{}, fmt.Errorf("%w: id must be a string, number or null", ErrMalformed)
	}
	call.ID = id
	if raw.Params != nil {
		v, err := decodeJSON(*raw.Params)
		if err != nil {
			return Call{}, err
		}
		params, ok := v.([]any)
		if !ok && v != nil {
			return Call{}, fmt.Errorf("%w: params must be an array", ErrMalformed)
		}
		if params != nil {
			call.Params = params
		}
	}
	return call, nil
}

// EncodeJSONResult writes the reply to c: v1 carries the error as xapi's
// string list, v2 as {code, message, data}.
func EncodeJSONResult(c Call, r Result) ([]byte, error) {
	reply := map[string]any{"id": c.ID}
	if c.Version == "2.0" {
		reply["jsonrpc"] = "2.0"
	}
	if r.Failure != nil {
		if c.Version == "2.0" {
			reply["error"] = map[string]any{"code": 1, "message": r.Failure[0], "data": r.Failure[1:]}
		} else {
			reply["result"] = nil
			reply["error"] = r.Failure
		}
		return json.Marshal(reply)
	}
	v, err := jsonValue(r.Value, 0)
	if err != nil {
		return nil, err
	}
	if v == nil {
		v = ""
	}
	reply["result"] = v
	if c.Version != "2.0" {
		reply["error"] = nil
	}
	return json.Marshal(reply)
}

// DecodeJSONResult reads a v1 or v2 reply. The reply is decoded in one
// pass, straight into values: a get_all_records or a first event.from of
// a large pool is tens of megabytes, and every copy of it counts.
func DecodeJSONResult(body []byte) (Result, error) {
	v, err := decodeJSON(body)
	if err != nil {
		return Result{}, err
	}
	reply, ok := v.(map[string]any)
	if !ok {
		return Result{}, fmt.Errorf("%w: reply is %T, not an object", ErrMalformed, v)
	}
	return jsonReply(reply)
}

// Omit leaves fields out of one object member of each element that
// DecodeJSONResultEach hands over, without decoding them: Fields says,
// from the element's members read before that member (an event's class
// comes before its snapshot), which of the member's fields to leave out.
type Omit struct {
	Member string
	Fields func(element map[string]any) map[string]bool
}

// DecodeJSONResultEach reads a reply as DecodeJSONResult does, but hands
// each element of the array under the result's field to each as it is
// read, and leaves the field out of the result. The first event.from of a
// pool of thousands of PIFs is one array of their records: read this way,
// no more than one is held at a time besides the reply's bytes. With omit,
// the fields it names are skipped rather than decoded.
func DecodeJSONResultEach(body []byte, field string, omit *Omit, each func(any) error) (Result, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	reply := map[string]any{}
	err := jsonObject(d, func(key string) error {
		if key != "result" {
			v, err := jsonNext(d, 1)
			reply[key] = v
			return err
		}
		v, err := jsonObjectOr(d, func(result map[string]any, key string) error {
			if key != field {
				v, err := jsonNext(d, 2)
				result[key] = v
				return err
			}
			return jsonArray(d, func() error {
				v, err := jsonElement(d, omit)
				if err != nil {
					return err
				}
				return each(v)
			})
		})
		reply[key] = v
		return err
	})
	if err != nil {
		return Result{}, err
	}
	if _, err := d.Token(); err != io.EOF {
		return Result{}, fmt.Errorf("%w: data after the reply", ErrMalformed)
	}
	return jsonReply(reply)
}

// jsonElement decodes one element of a streamed array, leaving out what
// omit names.
func jsonElement(d *json.Decoder, omit *Omit) (any, error) {
	if omit == nil {
		return jsonNext(d, 3)
	}
	return jsonObjectOr(d, func(element map[string]any, key string) error {
		var drop map[string]bool
		if key == omit.Member {
			drop = omit.Fields(element)
		}
		if len(drop) == 0 {
			v, err := jsonNext(d, 4)
			element[key] = v
			return err
		}
		v, err := jsonObjectOr(d, func(object map[string]any, field string) error {
			if drop[field] {
				var skipped json.RawMessage
				if err := d.Decode(&skipped); err != nil {
					return fmt.Errorf("%w: %w", ErrMalformed, err)
				}
				return nil
			}
			v, err := jsonNext(d, 5)
			object[field] = v
			return err
		})
		element[key] = v
		return err
	})
}

// jsonObjectOr reads the next value: an object a member at a time through
// member, which keeps what it reads in the object it is given, or
// anything else whole.
func jsonObjectOr(d *json.Decoder, member func(object map[string]any, key string) error) (any, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if tok != json.Delim('{') {
		return jsonRest(d, tok)
	}
	object := map[string]any{}
	return object, jsonObjectRest(d, func(key string) error { return member(object, key) })
}

// jsonReply reads a decoded reply: its error, else its result.
func jsonReply(reply map[string]any) (Result, error) {
	if errv := reply["error"]; errv != nil {
		switch e := errv.(type) {
		case []any:
			if len(e) == 0 {
				return Result{}, fmt.Errorf("%w: empty error", ErrMalformed)
			}
			return Result{Failure: stringsOf(e)}, nil
		case map[string]any:
			code, _ := e["message"].(string)
			if code == "" {
				return Result{}, fmt.Errorf("%w: error without message", ErrMalformed)
			}
			failure := []string{code}
			if data, ok := e["data"].([]any); ok {
				failure = append(failure, stringsOf(data)...)
			}
			return Result{Failure: failure}, nil
		}
		return Result{}, fmt.Errorf("%w: error is %T", ErrMalformed, errv)
	}
	result, ok := reply["result"]
	if !ok {
		return Result{}, fmt.Errorf("%w: neither result nor error", ErrMalformed)
	}
	return Result{Value: result}, nil
}

// jsonNext decodes the next value whole, numbers kept exact; depth is how
// deep in the reply it is.
func jsonNext(d *json.Decoder, depth int) (any, error) {
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return numbers(v, depth)
}

// jsonRest decodes the rest of a value whose first token was tok: a
// scalar whole, or an array's elements.
func jsonRest(d *json.Decoder, tok json.Token) (any, error) {
	switch tok {
	case json.Delim('['):
		elems := []any{}
		for d.More() {
			v, err := jsonNext(d, 2)
			if err != nil {
				return nil, err
			}
			elems = append(elems, v)
		}
		return elems, jsonDelim(d, ']')
	case json.Delim('{'), json.Delim(']'), json.Delim('}'):
		return nil, fmt.Errorf("%w: %v where a value belongs", ErrMalformed, tok)
	}
	return numbers(tok, 1)
}

// jsonObject reads an object, calling member for each key with the
// decoder at the key's value; member must read the value.
func jsonObject(d *json.Decoder, member func(key string) error) error {
	if err := jsonDelim(d, '{'); err != nil {
		return err
	}
	return jsonObjectRest(d, member)
}

// jsonObjectRest reads an object's members after its opening brace.
func jsonObjectRest(d *json.Decoder, member func(key string) error) error {
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("%w: object key %v", ErrMalformed, tok)
		}
		if err := member(key); err != nil {
			return err
		}
	}
	return jsonDelim(d, '}')
}

// jsonArray reads an array, calling element with the decoder at each
// element; element must read it.
func jsonArray(d *json.Decoder, element func() error) error {
	if err := jsonDelim(d, '['); err != nil {
		return err
	}
	for d.More() {
		if err := element(); err != nil {
			return err
		}
	}
	return jsonDelim(d, ']')
}

func jsonDelim(d *json.Decoder, want json.Delim) error {
	tok, err := d.Token()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if tok != want {
		return fmt.Errorf("%w: %v where %v belongs", ErrMalformed, tok, want)
	}
	return nil
}

func strictJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// decodeJSON decodes with numbers kept exact: integral numbers become int64,
// others float64.
func decodeJSON(raw []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the value", ErrMalformed)
	}
	return numbers(v, 0)
}

func numbers(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: value nested deeper than %d", ErrMalformed, maxDepth)
	}
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: number %s", ErrMalformed, v)
		}
		return f, nil
	case []any:
		for i, e := range v {
			n, err := numbers(e, depth+1)
			if err != nil {
				return nil, err
			}
			v[i] = n
		}
	case map[string]any:
		for k, e := range v {
			n, err := numbers(e, depth+1)
			if err != nil {
				return nil, err
			}
			v[k] = n
		}
	}
	return v, nil
}

// jsonValue converts a wire value for encoding/json: datetimes become xapi's
// string form; everything else is already JSON's.
func jsonValue(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: value nested deeper than %d", ErrMalformed, maxDepth)
	}
	switch v := v.(type) {
	case nil, string, int, int64, bool, []string, map[string]string:
		return v, nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("wire: cannot encode %v in JSON", v)
		}
		// A whole float keeps a fraction, 1.0 and not 1: decodeJSON reads
		// a number without one as an int.
		s := strconv.FormatFloat(v, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return json.Number(s), nil
	case time.Time:
		return formatTime(v), nil
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			n, err := jsonValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			n, err := jsonValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	}
	return nil, fmt.Errorf("wire: cannot encode %T", v)
}
