package xapisim

import (
	"reflect"
	"slices"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
)

// generic returns the handler of a message every class has in the same
// shape (xapi generates these from the data model too): get_all,
// get_all_records, get_record, get_by_uuid, get_by_name_label, get_<field>,
// and set_<field>, add_to_<map>, remove_from_<map>, add_<set>, remove_<set>
// for the read-write fields the simulator stores. It reports false for any
// other message, which the simulator then does not serve.
func generic(c *datamodel.Class, msg datamodel.Message) (handler, bool) {
	class := c.Name
	name := class + "." + msg.Name
	stored := storedFields()[class]
	rw := func(field string) bool {
		f, ok := c.Field(field)
		_, has := stored[field]
		return ok && has && f.Writable() && !unservedSetters[name]
	}
	switch msg.Name {
	case "get_all":
		return handler{name: name, fn: func(cl *call) (any, error) {
			return refList(cl.db.tables[class].refs()), nil
		}}, true
	case "get_all_records":
		return handler{name: name, fn: func(cl *call) (any, error) {
			out := map[string]any{}
			for _, ref := range cl.db.tables[class].refs() {
				out[string(ref)], _ = cl.db.record(class, ref)
			}
			return out, nil
		}}, true
	case "get_record":
		return handler{name: name, fn: func(cl *call) (any, error) {
			return cl.record(class, cl.ref(0))
		}}, true
	case "get_by_uuid":
		return handler{name: name, fn: func(cl *call) (any, error) {
			ref, ok := cl.db.byUUID(class, cl.str(0))
			if !ok {
				return nil, failure(xenapi.ErrUUIDInvalid, class, cl.str(0))
			}
			return string(ref), nil
		}}, true
	case "get_by_name_label":
		return handler{name: name, fn: func(cl *call) (any, error) {
			var out []xenapi.Ref
			t := cl.db.tables[class]
			for _, ref := range t.refs() {
				if f := reflect.ValueOf(t.rows[ref].rec).Elem().FieldByName("NameLabel"); f.IsValid() && f.String() == cl.str(0) {
					out = append(out, ref)
				}
			}
			return refList(out), nil
		}}, true
	}
	if field, ok := strings.CutPrefix(msg.Name, "get_"); ok {
		if _, ok := c.Field(field); ok {
			return handler{name: name, fn: func(cl *call) (any, error) {
				rec, err := cl.record(class, cl.ref(0))
				if err != nil {
					return nil, err
				}
				return rec[field], nil
			}}, true
		}
	}
	if field, ok := strings.CutPrefix(msg.Name, "set_"); ok && rw(field) {
		return handler{name: name, write: true, fn: func(cl *call) (any, error) {
			return nil, cl.setField(class, field, func(v reflect.Value) error { return xenapi.UnmarshalValue(cl.args[1], v) })
		}}, true
	}
	if field, ok := strings.CutPrefix(msg.Name, "add_to_"); ok && rw(field) {
		return handler{name: name, write: true, fn: func(cl *call) (any, error) {
			return nil, cl.setField(class, field, func(v reflect.Value) error {
				key := reflect.ValueOf(cl.str(1))
				if v.IsNil() {
					v.Set(reflect.MakeMap(v.Type()))
				}
				if v.MapIndex(key).IsValid() {
					rec, _ := cl.db.lookup(class, cl.ref(0))
					return failure("MAP_DUPLICATE_KEY", class, field, uuidOf(rec), cl.str(1))
				}
				v.SetMapIndex(key, reflect.ValueOf(cl.str(2)))
				return nil
			})
		}}, true
	}
	if field, ok := strings.CutPrefix(msg.Name, "remove_from_"); ok && rw(field) {
		return handler{name: name, write: true, fn: func(cl *call) (any, error) {
			return nil, cl.setField(class, field, func(v reflect.Value) error {
				if !v.IsNil() {
					v.SetMapIndex(reflect.ValueOf(cl.str(1)), reflect.Value{})
				}
				return nil
			})
		}}, true
	}
	for _, op := range []string{"add_", "remove_"} {
		if field, ok := strings.CutPrefix(msg.Name, op); ok && rw(field) {
			adding := op == "add_"
			return handler{name: name, write: true, fn: func(cl *call) (any, error) {
				return nil, cl.setField(class, field, func(v reflect.Value) error {
					set, ok := v.Interface().([]string)
					if !ok {
						return failure(xenapi.ErrInternalError, class+"."+field+" is a "+v.Type().String()+", not a set of strings")
					}
					value := cl.str(1)
					set = slices.DeleteFunc(slices.Clone(set), func(s string) bool { return s == value })
					if adding {
						set = append(set, value)
					}
					v.Set(reflect.ValueOf(set))
					return nil
				})
			}}, true
		}
	}
	return handler{}, false
}

// record is get_record: HANDLE_INVALID for a reference to nothing of class.
func (c *call) record(class string, ref xenapi.Ref) (map[string]any, error) {
	rec, ok := c.db.record(class, ref)
	if !ok {
		return nil, failure(xenapi.ErrHandleInvalid, class, string(ref))
	}
	return rec, nil
}

// setField changes one stored field of the object the call's first
// parameter names.
func (c *call) setField(class, field string, change func(reflect.Value) error) error {
	rec, ok := c.db.lookup(class, c.ref(0))
	if !ok {
		return failure(xenapi.ErrHandleInvalid, class, string(c.ref(0)))
	}
	return change(reflect.ValueOf(rec).Elem().Field(storedFields()[class][field]))
}

// refList is a set of references on the wire.
func refList(refs []xenapi.Ref) []any {
	out := make([]any, len(refs))
	for i, r := range refs {
		out[i] = string(r)
	}
	return out
}

// reflectField is field i of the record rec points to.
func reflectField(rec any, i int) reflect.Value { return reflect.ValueOf(rec).Elem().Field(i) }
