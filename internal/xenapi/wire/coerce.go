package wire

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
)

// Coerce gives a decoded wire value the type the data model declares:
// "1500" becomes int64 1500 where the type is int, a datetime string becomes
// a time.Time, and sets, maps and records are coerced element by element.
// Record fields the model does not declare are kept as they are.
func Coerce(v any, t datamodel.Type) (any, error) {
	return coerce(v, t, 0)
}

func coerce(v any, t datamodel.Type, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%w: value nested deeper than %d", ErrMalformed, maxDepth)
	}
	switch t.Kind {
	case datamodel.String, datamodel.Ref, datamodel.Enum:
		switch v := v.(type) {
		case string:
			return v, nil
		case int64:
			// A JSON client may send a number where xapi wants a string.
			return strconv.FormatInt(v, 10), nil
		}
	case datamodel.Int:
		switch v := v.(type) {
		case int64:
			return v, nil
		case int:
			return int64(v), nil
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<63 {
				return int64(v), nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return n, nil
			}
		}
	case datamodel.Float:
		switch v := v.(type) {
		case float64:
			return v, nil
		case int64:
			return float64(v), nil
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
				return f, nil
			}
		}
	case datamodel.Bool:
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "true", "1":
				return true, nil
			case "false", "0":
				return false, nil
			}
		case int64:
			return v != 0, nil
		}
	case datamodel.DateTime:
		switch v := v.(type) {
		case time.Time:
			return v, nil
		case string:
			if tm, err := ParseDateTime(v); err == nil {
				return tm, nil
			}
		}
	case datamodel.Set:
		vs, ok := v.([]any)
		if !ok {
			break
		}
		out := make([]any, len(vs))
		for i, e := range vs {
			c, err := coerce(e, *t.Elem, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case datamodel.Map:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			c, err := coerce(e, *t.Elem, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case datamodel.Record:
		m, ok := v.(map[string]any)
		if !ok {
			break
		}
		class, ok := datamodel.Load().Class(t.Name)
		if !ok {
			return m, nil
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			f, ok := class.Field(k)
			if !ok {
				out[k] = e
				continue
			}
			c, err := coerce(e, datamodel.ParseType(f.Type), depth+1)
			if err != nil {
				return nil, fmt.Errorf("field %s: %w", k, err)
			}
			out[k] = c
		}
		return out, nil
	case datamodel.Void:
		return v, nil
	default:
		return v, nil
	}
	return nil, fmt.Errorf("value %v (%T) is not a %s", short(v), v, t)
}

func short(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
