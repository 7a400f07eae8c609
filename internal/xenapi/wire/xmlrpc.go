package wire

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// EncodeXMLCall writes a methodCall. Ints travel as bare strings, as xapi's
// own clients send them.
func EncodeXMLCall(method string, params []any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><methodCall><methodName>`)
	xmlEscape(&b, method)
	b.WriteString(`</methodName><params>`)
	for _, p := range params {
		b.WriteString(`<param>`)
		if err := encodeXMLValue(&b, p, 0); err != nil {
			return nil, err
		}
		b.WriteString(`</param>`)
	}
	b.WriteString(`</params></methodCall>`)
	return b.Bytes(), nil
}

// EncodeXMLResult writes a methodResponse the way xapi does: always a struct
// with Status, and Value or ErrorDescription; never a <fault>.
func EncodeXMLResult(r Result) ([]byte, error) {
	var v map[string]any
	if r.Failure != nil {
		desc := make([]any, len(r.Failure))
		for i, s := range r.Failure {
			desc[i] = s
		}
		v = map[string]any{"Status": "Failure", "ErrorDescription": desc}
	} else {
		value := r.Value
		if value == nil {
			value = ""
		}
		v = map[string]any{"Status": "Success", "Value": value}
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0"?><methodResponse><params><param>`)
	if err := encodeXMLValue(&b, v, 0); err != nil {
		return nil, err
	}
	b.WriteString(`</param></params></methodResponse>`)
	return b.Bytes(), nil
}

// EncodeXMLValue writes one value; task results travel in this form even over
// JSON-RPC.
func EncodeXMLValue(v any) (string, error) {
	var b bytes.Buffer
	err := encodeXMLValue(&b, v, 0)
	return b.String(), err
}

func encodeXMLValue(b *bytes.Buffer, v any, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("%w: value nested deeper than %d", ErrMalformed, maxDepth)
	}
	b.WriteString("<value>")
	switch v := v.(type) {
	case nil:
		// xapi has no nil; void is the empty string.
	case string:
		xmlEscape(b, v)
	case int:
		b.WriteString(strconv.Itoa(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case bool:
		if v {
			b.WriteString("<boolean>1</boolean>")
		} else {
			b.WriteString("<boolean>0</boolean>")
		}
	case float64:
		b.WriteString("<double>")
		b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		b.WriteString("</double>")
	case time.Time:
		b.WriteString("<dateTime.iso8601>")
		b.WriteString(formatTime(v))
		b.WriteString("</dateTime.iso8601>")
	case []any:
		b.WriteString("<array><data>")
		for _, e := range v {
			if err := encodeXMLValue(b, e, depth+1); err != nil {
				return err
			}
		}
		b.WriteString("</data></array>")
	case []string:
		b.WriteString("<array><data>")
		for _, e := range v {
			b.WriteString("<value>")
			xmlEscape(b, e)
			b.WriteString("</value>")
		}
		b.WriteString("</data></array>")
	case map[string]any:
		b.WriteString("<struct>")
		for _, k := range sortedKeys(v) {
			b.WriteString("<member><name>")
			xmlEscape(b, k)
			b.WriteString("</name>")
			if err := encodeXMLValue(b, v[k], depth+1); err != nil {
				return err
			}
			b.WriteString("</member>")
		}
		b.WriteString("</struct>")
	case map[string]string:
		b.WriteString("<struct>")
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b.WriteString("<member><name>")
			xmlEscape(b, k)
			b.WriteString("</name><value>")
			xmlEscape(b, v[k])
			b.WriteString("</value></member>")
		}
		b.WriteString("</struct>")
	default:
		return fmt.Errorf("wire: cannot encode %T", v)
	}
	b.WriteString("</value>")
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func xmlEscape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

// DecodeXMLCall reads a methodCall.
func DecodeXMLCall(body []byte) (Call, error) {
	d := newXMLDecoder(body)
	if err := d.open("methodCall"); err != nil {
		return Call{}, err
	}
	if err := d.open("methodName"); err != nil {
		return Call{}, err
	}
	name, err := d.text("methodName")
	if err != nil {
		return Call{}, err
	}
	call := Call{Method: strings.TrimSpace(name)}
	if call.Method == "" {
		return Call{}, fmt.Errorf("%w: empty methodName", ErrMalformed)
	}
	tok, err := d.next()
	if err != nil {
		return Call{}, err
	}
	switch t := tok.(type) {
	case xml.EndElement:
		if t.Name.Local != "methodCall" {
			return Call{}, d.unexpected(tok)
		}
		return call, d.end()
	case xml.StartElement:
		if t.Name.Local != "params" {
			return Call{}, d.unexpected(tok)
		}
	default:
		return Call{}, d.unexpected(tok)
	}
	call.Params = []any{}
	for {
		tok, err := d.next()
		if err != nil {
			return Call{}, err
		}
		if e, ok := tok.(xml.EndElement); ok && e.Name.Local == "params" {
			break
		}
		if s, ok := tok.(xml.StartElement); !ok || s.Name.Local != "param" {
			return Call{}, d.unexpected(tok)
		}
		if err := d.open("value"); err != nil {
			return Call{}, err
		}
		v, err := d.value(0)
		if err != nil {
			return Call{}, err
		}
		if err := d.close("param"); err != nil {
			return Call{}, err
		}
		call.Params = append(call.Params, v)
	}
	if err := d.close("methodCall"); err != nil {
		return Call{}, err
	}
	return call, d.end()
}

// DecodeXMLResult reads a methodResponse written the way xapi writes it.
func DecodeXMLResult(body []byte) (Result, error) {
	d := newXMLDecoder(body)
	for _, name := range []string{"methodResponse", "params", "param", "value"} {
		if err := d.open(name); err != nil {
			return Result{}, err
		}
	}
	v, err := d.value(0)
	if err != nil {
		return Result{}, err
	}
	for _, name := range []string{"param", "params", "methodResponse"} {
		if err := d.close(name); err != nil {
			return Result{}, err
		}
	}
	if err := d.end(); err != nil {
		return Result{}, err
	}
	return resultFromStatus(v)
}

func resultFromStatus(v any) (Result, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return Result{}, fmt.Errorf("%w: result is %T, not a struct with Status", ErrMalformed, v)
	}
	switch m["Status"] {
	case "Success":
		return Result{Value: m["Value"]}, nil
	case "Failure":
		desc, ok := m["ErrorDescription"].([]any)
		if !ok || len(desc) == 0 {
			return Result{}, fmt.Errorf("%w: Failure without ErrorDescription", ErrMalformed)
		}
		return Result{Failure: stringsOf(desc)}, nil
	}
	return Result{}, fmt.Errorf("%w: Status is %v", ErrMalformed, m["Status"])
}

func stringsOf(vs []any) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		if s, ok := v.(string); ok {
			out[i] = s
		} else {
			out[i] = fmt.Sprint(v)
		}
	}
	return out
}

// DecodeXMLValue reads one <value> element, as task.get_result returns it.
func DecodeXMLValue(s string) (any, error) {
	d := newXMLDecoder([]byte(s))
	if err := d.open("value"); err != nil {
		return nil, err
	}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	return v, d.end()
}

type xmlDecoder struct {
	d *xml.Decoder
}

func newXMLDecoder(body []byte) *xmlDecoder {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	return &xmlDecoder{d: d}
}

// next returns the next token that is not whitespace, a comment, a
// processing instruction or a directive.
func (d *xmlDecoder) next() (xml.Token, error) {
	for {
		tok, err := d.d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("%w: unexpected end", ErrMalformed)
			}
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) == 0 {
				continue
			}
			return t.Copy(), nil
		case xml.Comment, xml.ProcInst, xml.Directive:
			continue
		default:
			return xml.CopyToken(tok), nil
		}
	}
}

func (d *xmlDecoder) unexpected(tok xml.Token) error {
	switch t := tok.(type) {
	case xml.StartElement:
		return fmt.Errorf("%w: unexpected <%s>", ErrMalformed, t.Name.Local)
	case xml.EndElement:
		return fmt.Errorf("%w: unexpected </%s>", ErrMalformed, t.Name.Local)
	}
	return fmt.Errorf("%w: unexpected text", ErrMalformed)
}

func (d *xmlDecoder) open(name string) error {
	tok, err := d.next()
	if err != nil {
		return err
	}
	if s, ok := tok.(xml.StartElement); !ok || s.Name.Local != name {
		return fmt.Errorf("%w: want <%s>, got %s", ErrMalformed, name, describe(tok))
	}
	return nil
}

func (d *xmlDecoder) close(name string) error {
	tok, err := d.next()
	if err != nil {
		return err
	}
	if e, ok := tok.(xml.EndElement); !ok || e.Name.Local != name {
		return fmt.Errorf("%w: want </%s>, got %s", ErrMalformed, name, describe(tok))
	}
	return nil
}

func describe(tok xml.Token) string {
	switch t := tok.(type) {
	case xml.StartElement:
		return "<" + t.Name.Local + ">"
	case xml.EndElement:
		return "</" + t.Name.Local + ">"
	}
	return "text"
}

// end checks that nothing but whitespace follows the document.
func (d *xmlDecoder) end() error {
	for {
		tok, err := d.d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return fmt.Errorf("%w: text after the document", ErrMalformed)
			}
		case xml.Comment, xml.ProcInst:
		default:
			return fmt.Errorf("%w: content after the document", ErrMalformed)
		}
	}
}

// text reads character data up to the end of the named element; an empty
// element gives "". Whitespace is kept, as strings are data.
func (d *xmlDecoder) text(name string) (string, error) {
	var sb strings.Builder
	for {
		tok, err := d.d.Token()
		if err != nil {
			return "", fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.Comment:
		case xml.EndElement:
			if t.Name.Local != name {
				return "", fmt.Errorf("%w: want </%s>", ErrMalformed, name)
			}
			return sb.String(), nil
		default:
			return "", fmt.Errorf("%w: element inside <%s>", ErrMalformed, name)
		}
	}
}

// value reads the content of a <value> element whose start tag has been
// read, through its end tag.
func (d *xmlDecoder) value(depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: value nested deeper than %d", ErrMalformed, maxDepth)
	}
	// A bare value is character data straight inside <value>: xapi's strings
	// and ints. Whitespace around a typed element is not part of the value.
	var bare strings.Builder
	for {
		tok, err := d.d.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			bare.Write(t)
		case xml.Comment, xml.ProcInst:
		case xml.EndElement:
			if t.Name.Local != "value" {
				return nil, d.unexpected(t)
			}
			return bare.String(), nil
		case xml.StartElement:
			if strings.TrimSpace(bare.String()) != "" {
				return nil, fmt.Errorf("%w: text beside <%s>", ErrMalformed, t.Name.Local)
			}
			v, err := d.typed(t.Name.Local, depth)
			if err != nil {
				return nil, err
			}
			if err := d.close("value"); err != nil {
				return nil, err
			}
			return v, nil
		default:
			return nil, fmt.Errorf("%w: unexpected token in <value>", ErrMalformed)
		}
	}
}

func (d *xmlDecoder) typed(tag string, depth int) (any, error) {
	switch tag {
	case "string":
		return d.text(tag)
	case "int", "i4", "i8":
		s, err := d.text(tag)
		if err != nil {
			return nil, err
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: <%s>%s</%s> is not an integer", ErrMalformed, tag, s, tag)
		}
		return n, nil
	case "boolean":
		s, err := d.text(tag)
		if err != nil {
			return nil, err
		}
		switch strings.TrimSpace(s) {
		case "1", "true":
			return true, nil
		case "0", "false":
			return false, nil
		}
		return nil, fmt.Errorf("%w: <boolean>%s</boolean>", ErrMalformed, s)
	case "double":
		s, err := d.text(tag)
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: <double>%s</double>", ErrMalformed, s)
		}
		return f, nil
	case "dateTime.iso8601":
		s, err := d.text(tag)
		if err != nil {
			return nil, err
		}
		t, err := ParseDateTime(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		return t, nil
	case "nil":
		return nil, d.close("nil")
	case "array":
		return d.array(depth)
	case "struct":
		return d.structure(depth)
	}
	return nil, fmt.Errorf("%w: unknown value type <%s>", ErrMalformed, tag)
}

func (d *xmlDecoder) array(depth int) (any, error) {
	if err := d.open("data"); err != nil {
		return nil, err
	}
	out := []any{}
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		if e, ok := tok.(xml.EndElement); ok && e.Name.Local == "data" {
			break
		}
		if s, ok := tok.(xml.StartElement); !ok || s.Name.Local != "value" {
			return nil, d.unexpected(tok)
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, d.close("array")
}

func (d *xmlDecoder) structure(depth int) (any, error) {
	out := map[string]any{}
	for {
		tok, err := d.next()
		if err != nil {
			return nil, err
		}
		if e, ok := tok.(xml.EndElement); ok && e.Name.Local == "struct" {
			return out, nil
		}
		if s, ok := tok.(xml.StartElement); !ok || s.Name.Local != "member" {
			return nil, d.unexpected(tok)
		}
		if err := d.open("name"); err != nil {
			return nil, err
		}
		name, err := d.text("name")
		if err != nil {
			return nil, err
		}
		if err := d.open("value"); err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		if err := d.close("member"); err != nil {
			return nil, err
		}
		out[name] = v
	}
}

// ParseDateTime reads xapi's datetime forms: "20250319T04:16:24Z", with or
// without the Z, and RFC 3339.
func ParseDateTime(s string) (time.Time, error) {
	for _, layout := range []string{DateTimeLayout, "20060102T15:04:05", time.RFC3339, "2006-01-02T15:04:05Z"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("datetime %q is not in xapi's form %s", s, DateTimeLayout)
}
