package xenapi

import (
	"fmt"
	"reflect"
	"time"
)

var timeType = reflect.TypeFor[time.Time]()

// MarshalRecord turns a record struct into the wire form of a record:
// a map from data-model field names to wire values.
func MarshalRecord(rec any) map[string]any {
	v := reflect.Indirect(reflect.ValueOf(rec))
	out := make(map[string]any, v.NumField())
	for i := range v.NumField() {
		name := v.Type().Field(i).Tag.Get("xenapi")
		if name == "" {
			continue
		}
		out[name] = marshalValue(v.Field(i))
	}
	return out
}

func marshalValue(v reflect.Value) any {
	if v.Type() == timeType {
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.String:
		if v.Type() == reflect.TypeFor[Ref]() && v.String() == "" {
			return string(NullRef)
		}
		return v.String()
	case reflect.Int64, reflect.Int:
		return v.Int()
	case reflect.Float64:
		return v.Float()
	case reflect.Bool:
		return v.Bool()
	case reflect.Slice:
		out := make([]any, v.Len())
		for i := range v.Len() {
			out[i] = marshalValue(v.Index(i))
		}
		return out
	case reflect.Map:
		out := make(map[string]any, v.Len())
		for it := v.MapRange(); it.Next(); {
			out[it.Key().String()] = marshalValue(it.Value())
		}
		return out
	}
	panic(fmt.Sprintf("xenapi: record field of kind %s", v.Kind()))
}

// UnmarshalRecord fills the record struct rec points to from a wire record
// already coerced to the data model's types (see wire.Coerce). Fields the
// struct does not carry are ignored; fields the map lacks keep their zero
// value.
func UnmarshalRecord(m map[string]any, rec any) error {
	v := reflect.ValueOf(rec).Elem()
	for i := range v.NumField() {
		name := v.Type().Field(i).Tag.Get("xenapi")
		raw, ok := m[name]
		if name == "" || !ok {
			continue
		}
		if err := UnmarshalValue(raw, v.Field(i)); err != nil {
			return fmt.Errorf("field %s: %w", name, err)
		}
	}
	return nil
}

// UnmarshalValue stores one coerced wire value in a record field, as
// UnmarshalRecord does for each field; the simulator's setters use it to
// change one stored field.
func UnmarshalValue(raw any, dst reflect.Value) error {
	if dst.Type() == timeType {
		t, ok := raw.(time.Time)
		if !ok {
			return fmt.Errorf("%T is not a datetime", raw)
		}
		dst.Set(reflect.ValueOf(t))
		return nil
	}
	switch dst.Kind() {
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%T is not a string", raw)
		}
		dst.SetString(s)
	case reflect.Int64, reflect.Int:
		n, ok := raw.(int64)
		if !ok {
			return fmt.Errorf("%T is not an int", raw)
		}
		dst.SetInt(n)
	case reflect.Float64:
		f, ok := raw.(float64)
		if !ok {
			return fmt.Errorf("%T is not a float", raw)
		}
		dst.SetFloat(f)
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return fmt.Errorf("%T is not a bool", raw)
		}
		dst.SetBool(b)
	case reflect.Slice:
		vs, ok := raw.([]any)
		if !ok {
			return fmt.Errorf("%T is not a set", raw)
		}
		s := reflect.MakeSlice(dst.Type(), len(vs), len(vs))
		for i, e := range vs {
			if err := UnmarshalValue(e, s.Index(i)); err != nil {
				return err
			}
		}
		dst.Set(s)
	case reflect.Map:
		m, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("%T is not a map", raw)
		}
		out := reflect.MakeMapWithSize(dst.Type(), len(m))
		for k, e := range m {
			ev := reflect.New(dst.Type().Elem()).Elem()
			if err := UnmarshalValue(e, ev); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(dst.Type().Key()), ev)
		}
		dst.Set(out)
	default:
		return fmt.Errorf("unsupported field kind %s", dst.Kind())
	}
	return nil
}
