package wire

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// jsonReader reads JSON from a reply held whole, in one pass and straight
// into wire values. encoding/json's Decoder scans every value twice (once
// to find its end, once to decode it) and copies what it skips: an
// event.from in a pool of a thousand VLANs sends each host's list of its
// PIFs whole, which xsnet skips, and reading it that way cost more than
// anything else the provider did in an apply.
//
// It accepts exactly what encoding/json accepts, and gives the same values
// decodeJSON used to get from it (FuzzJSONReaderIsEncodingJSON holds it to
// that): strings that need unescaping or hold invalid UTF-8 are handed to
// encoding/json itself.
type jsonReader struct {
	b   []byte
	pos int
}

// maxSkipDepth is how many objects and arrays a skipped value may nest:
// encoding/json's limit, since a skipped value is never built.
const maxSkipDepth = 10000

func (r *jsonReader) malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d", ErrMalformed, fmt.Sprintf(format, args...), r.pos)
}

// peek skips whitespace and returns the next byte, or 0 at the end (a
// NUL in the input is no value either).
func (r *jsonReader) peek() byte {
	for r.pos < len(r.b) {
		switch c := r.b[r.pos]; c {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return c
		}
	}
	return 0
}

// expect consumes the byte c, after any whitespace.
func (r *jsonReader) expect(c byte) error {
	if got := r.peek(); got != c {
		if r.pos >= len(r.b) {
			return r.malformed("end of input where %q belongs", c)
		}
		return r.malformed("%q where %q belongs", got, c)
	}
	r.pos++
	return nil
}

// end checks that nothing but whitespace is left.
func (r *jsonReader) end() error {
	if r.peek(); r.pos < len(r.b) {
		return r.malformed("data after the value")
	}
	return nil
}

// value reads the next value whole; depth is how deep in the reply it is,
// and a value deeper than maxDepth is refused.
func (r *jsonReader) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: value nested deeper than %d", ErrMalformed, maxDepth)
	}
	switch r.peek() {
	case '{':
		object := map[string]any{}
		return object, r.object(func(key string) error {
			v, err := r.value(depth + 1)
			object[key] = v
			return err
		})
	case '[':
		array := []any{}
		err := r.array(func() error {
			v, err := r.value(depth + 1)
			array = append(array, v)
			return err
		})
		return array, err
	case '"':
		return r.string()
	case 't':
		return true, r.literal("true")
	case 'f':
		return false, r.literal("false")
	case 'n':
		return nil, r.literal("null")
	}
	return r.number()
}

// object reads an object, calling member for each key with the reader at
// the key's value; member must read the value.
func (r *jsonReader) object(member func(key string) error) error {
	if err := r.expect('{'); err != nil {
		return err
	}
	if r.peek() == '}' {
		r.pos++
		return nil
	}
	for {
		if r.peek() != '"' {
			return r.malformed("an object key that is not a string")
		}
		key, err := r.string()
		if err != nil {
			return err
		}
		if err := r.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return nil
		default:
			return r.malformed("no ',' or '}' after an object member")
		}
	}
}

// array reads an array, calling element with the reader at each element;
// element must read it.
func (r *jsonReader) array(element func() error) error {
	if err := r.expect('['); err != nil {
		return err
	}
	if r.peek() == ']' {
		r.pos++
		return nil
	}
	for {
		if err := element(); err != nil {
			return err
		}
		switch r.peek() {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return nil
		default:
			return r.malformed("no ',' or ']' after an array element")
		}
	}
}

// skip reads past the next value, checking it as it goes, without making
// anything of it.
func (r *jsonReader) skip(depth int) error {
	switch c := r.peek(); c {
	case '{', '[':
		if depth >= maxSkipDepth {
			return r.malformed("value nested deeper than %d", maxSkipDepth)
		}
		if c == '{' {
			return r.object(func(string) error { return r.skip(depth + 1) })
		}
		return r.array(func() error { return r.skip(depth + 1) })
	case '"':
		_, _, err := r.scanString()
		return err
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	case 'n':
		return r.literal("null")
	}
	_, err := r.scanNumber()
	return err
}

func (r *jsonReader) literal(word string) error {
	if len(r.b)-r.pos < len(word) || string(r.b[r.pos:r.pos+len(word)]) != word {
		return r.malformed("not a value")
	}
	r.pos += len(word)
	return nil
}

// string reads a string. One with no escapes and valid UTF-8, as nearly
// every string xapi sends is, is its bytes; any other is unquoted by
// encoding/json, so that escapes and invalid bytes read exactly as it
// reads them.
func (r *jsonReader) string() (string, error) {
	start := r.pos
	body, escaped, err := r.scanString()
	if err != nil {
		return "", err
	}
	if !escaped && utf8.Valid(body) {
		return string(body), nil
	}
	var s string
	if err := json.Unmarshal(r.b[start:r.pos], &s); err != nil {
		return "", fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return s, nil
}

// scanString reads past a string, checking its escapes, and returns what
// is between its quotes and whether that holds an escape.
func (r *jsonReader) scanString() (body []byte, escaped bool, err error) {
	r.pos++ // the opening quote
	start := r.pos
	for r.pos < len(r.b) {
		switch c := r.b[r.pos]; {
		case c == '"':
			body = r.b[start:r.pos]
			r.pos++
			return body, escaped, nil
		case c < 0x20:
			return nil, false, r.malformed("control character in a string")
		case c == '\\':
			escaped = true
			if err := r.escape(); err != nil {
				return nil, false, err
			}
		default:
			r.pos++
		}
	}
	return nil, false, r.malformed("unterminated string")
}

// escape reads past one escape sequence in a string.
func (r *jsonReader) escape() error {
	r.pos++ // the backslash
	if r.pos >= len(r.b) {
		return r.malformed("unterminated string")
	}
	switch r.b[r.pos] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		r.pos++
		return nil
	case 'u':
		r.pos++
		for range 4 {
			if r.pos >= len(r.b) || !isHex(r.b[r.pos]) {
				return r.malformed("bad \\u escape in a string")
			}
			r.pos++
		}
		return nil
	}
	return r.malformed("bad escape in a string")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number reads a number: an int64 if it is integral and fits, else a
// float64, as xapi's JSON-RPC means them.
func (r *jsonReader) number() (any, error) {
	text, err := r.scanNumber()
	if err != nil {
		return nil, err
	}
	if n, err := strconv.ParseInt(string(text), 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%w: number %s", ErrMalformed, text)
	}
	return f, nil
}

// scanNumber reads past a number as JSON's grammar has it, and returns
// its text.
func (r *jsonReader) scanNumber() ([]byte, error) {
	start := r.pos
	digits := func() int {
		n := 0
		for r.pos < len(r.b) && '0' <= r.b[r.pos] && r.b[r.pos] <= '9' {
			r.pos++
			n++
		}
		return n
	}
	if r.pos < len(r.b) && r.b[r.pos] == '-' {
		r.pos++
	}
	switch {
	case r.pos < len(r.b) && r.b[r.pos] == '0':
		r.pos++
	case r.pos >= len(r.b):
		return nil, r.malformed("end of input where a value belongs")
	case digits() == 0:
		return nil, r.malformed("not a value")
	}
	if r.pos < len(r.b) && r.b[r.pos] == '.' {
		r.pos++
		if digits() == 0 {
			return nil, r.malformed("no digit after a decimal point")
		}
	}
	if r.pos < len(r.b) && (r.b[r.pos] == 'e' || r.b[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.b) && (r.b[r.pos] == '+' || r.b[r.pos] == '-') {
			r.pos++
		}
		if digits() == 0 {
			return nil, r.malformed("no digit in an exponent")
		}
	}
	return r.b[start:r.pos], nil
}
