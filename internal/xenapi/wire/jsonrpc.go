package wire

import (
	"encoding/json"
	"fmt"
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
	r := &jsonReader{b: body}
	reply := map[string]any{}
	err := r.object(func(key string) error {
		if key != "result" {
			v, err := r.value(1)
			reply[key] = v
			return err
		}
		v, err := r.objectOr(1, func(result map[string]any, key string) error {
			if key != field {
				v, err := r.value(2)
				result[key] = v
				return err
			}
			return r.array(func() error {
				v, err := r.element(3, omit)
				if err != nil {
					return err
				}
				return each(v)
			})
		})
		reply[key] = v
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return Result{}, err
	}
	return jsonReply(reply)
}

// element reads one element of a streamed array, leaving out what omit
// names.
func (r *jsonReader) element(depth int, omit *Omit) (any, error) {
	if omit == nil {
		return r.value(depth)
	}
	return r.objectOr(depth, func(element map[string]any, key string) error {
		var drop map[string]bool
		if key == omit.Member {
			drop = omit.Fields(element)
		}
		if len(drop) == 0 {
			v, err := r.value(depth + 1)
			element[key] = v
			return err
		}
		v, err := r.objectOr(depth+1, func(object map[string]any, field string) error {
			if drop[field] {
				return r.skip(depth + 2)
			}
			v, err := r.value(depth + 2)
			object[field] = v
			return err
		})
		element[key] = v
		return err
	})
}

// objectOr reads the next value: an object a member at a time through
// member, which keeps what it reads in the object it is given, or
// anything else whole.
func (r *jsonReader) objectOr(depth int, member func(object map[string]any, key string) error) (any, error) {
	if r.peek() != '{' {
		return r.value(depth)
	}
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: value nested deeper than %d", ErrMalformed, maxDepth)
	}
	object := map[string]any{}
	return object, r.object(func(key string) error { return member(object, key) })
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

func strictJSON(body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return nil
}

// decodeJSON decodes with numbers kept exact: integral numbers become int64,
// others float64.
func decodeJSON(raw []byte) (any, error) {
	r := &jsonReader{b: raw}
	v, err := r.value(0)
	if err == nil {
		err = r.end()
	}
	if err != nil {
		return nil, err
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
