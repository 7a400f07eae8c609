package xapisim

import (
	"maps"
	"reflect"
	"sync"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
)

// epoch is the datetime xapi writes for "never".
var epoch = time.Unix(0, 0).UTC()

// zeroOf is the value a field of type t holds when nothing was stored in
// it: strict clients fail on a missing field, so every field the data model
// declares is sent, with its type's zero value if need be.
func zeroOf(t datamodel.Type, enums map[string][]string) any {
	switch t.Kind {
	case datamodel.String:
		return ""
	case datamodel.Ref:
		return string(xenapi.NullRef)
	case datamodel.Int:
		return int64(0)
	case datamodel.Float:
		return float64(0)
	case datamodel.Bool:
		return false
	case datamodel.DateTime:
		return epoch
	case datamodel.Enum:
		if vs := enums[t.Name]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	case datamodel.Set:
		return []any{}
	case datamodel.Map:
		return map[string]any{}
	}
	return ""
}

// fixedFields are values the simulator gives fields it does not store,
// where a zero would mislead a client: XenAPI.py, for one, reads the
// master's API version at login.
var fixedFields = map[string]map[string]any{
	"host": {
		"API_version_major":  int64(2),
		"API_version_minor":  int64(21),
		"API_version_vendor": "XenSource",
	},
}

var templates = sync.OnceValue(func() map[string]map[string]any {
	model := datamodel.Load()
	out := map[string]map[string]any{}
	for _, c := range model.Classes {
		t := make(map[string]any, len(c.Fields))
		for _, f := range c.Fields {
			t[f.Name] = zeroOf(datamodel.ParseType(f.Type), model.Enums)
		}
		maps.Copy(t, fixedFields[c.Name])
		out[c.Name] = t
	}
	return out
})

// unstored are the fields of each class the simulator does not store,
// with the values a record carries for them.
var unstored = sync.OnceValue(func() map[string]map[string]any {
	out := map[string]map[string]any{}
	for class, t := range templates() {
		extra := map[string]any{}
		for k, v := range t {
			if _, ok := storedFields()[class][k]; !ok {
				extra[k] = v
			}
		}
		out[class] = extra
	}
	return out
})

// record is the wire form of a stored object as get_record returns it:
// every field of the class, stored ones with their values.
func (d *db) record(class string, ref xenapi.Ref) (map[string]any, bool) {
	rec, ok := d.peek(class, ref)
	if !ok {
		return nil, false
	}
	out := xenapi.MarshalRecord(d.derived(ref, rec))
	for k, v := range unstored()[class] {
		// Sets and maps are shared by the template; give each reply its own.
		switch v.(type) {
		case []any:
			v = []any{}
		case map[string]any:
			v = map[string]any{}
		}
		out[k] = v
	}
	if e := d.tables[class].rows[ref]; e != nil {
		maps.Copy(out, e.extra)
	}
	return out, true
}

// storedFields maps each stored class to its record's fields by data-model
// name, for the generic getters and setters.
var storedFields = sync.OnceValue(func() map[string]map[string]int {
	out := map[string]map[string]int{}
	types := xenapi.RecordTypes()
	types["session"] = sessionRecord{}
	for class, zero := range types {
		rt := reflect.TypeOf(zero)
		fields := map[string]int{}
		for i := range rt.NumField() {
			if name := rt.Field(i).Tag.Get("xenapi"); name != "" {
				fields[name] = i
			}
		}
		out[class] = fields
	}
	return out
})
