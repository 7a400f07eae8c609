package xenapi

import (
	"reflect"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// TestRecordsMatchDataModel holds every record field xsnet reads to xapi's
// data model: the name must exist in the class and the Go type must carry
// the model's type.
func TestRecordsMatchDataModel(t *testing.T) {
	model := datamodel.Load()
	for class, rec := range RecordTypes() {
		c, ok := model.Class(class)
		if !ok {
			t.Errorf("class %s is not in the data model", class)
			continue
		}
		rt := reflect.TypeOf(rec)
		for i := range rt.NumField() {
			sf := rt.Field(i)
			name := sf.Tag.Get("xenapi")
			f, ok := c.Field(name)
			if !ok {
				t.Errorf("%s.%s (Go field %s) is not a field of xapi's %s", class, name, sf.Name, class)
				continue
			}
			if err := goTypeCarries(sf.Type, datamodel.ParseType(f.Type)); err != "" {
				t.Errorf("%s.%s: Go type %s cannot carry %s: %s", class, name, sf.Type, f.Type, err)
			}
		}
	}
}

func goTypeCarries(gt reflect.Type, mt datamodel.Type) string {
	switch mt.Kind {
	case datamodel.String:
		if gt.Kind() == reflect.String && gt != reflect.TypeFor[Ref]() {
			return ""
		}
	case datamodel.Ref:
		if gt == reflect.TypeFor[Ref]() {
			return ""
		}
	case datamodel.Enum:
		if gt.Kind() == reflect.String && gt.Name() != "string" && gt != reflect.TypeFor[Ref]() {
			return ""
		}
		return "enums need a named string type"
	case datamodel.Int:
		if gt.Kind() == reflect.Int64 {
			return ""
		}
	case datamodel.Float:
		if gt.Kind() == reflect.Float64 {
			return ""
		}
	case datamodel.Bool:
		if gt.Kind() == reflect.Bool {
			return ""
		}
	case datamodel.DateTime:
		if gt == timeType {
			return ""
		}
	case datamodel.Set:
		if gt.Kind() == reflect.Slice {
			return goTypeCarries(gt.Elem(), *mt.Elem)
		}
	case datamodel.Map:
		if gt.Kind() == reflect.Map && mt.Key.Kind == datamodel.String {
			return goTypeCarries(gt.Elem(), *mt.Elem)
		}
	}
	return "kinds differ"
}

func TestRecordRoundTrip(t *testing.T) {
	pif := PIF{
		UUID: "u", Device: "bond0", Host: "OpaqueRef:h", MTU: 9000, VLAN: -1,
		Management: true, IPConfigurationMode: IPConfigurationStatic,
		BondMasterOf: []Ref{"OpaqueRef:b"}, VLANSlaveOf: []Ref{},
		OtherConfig: map[string]string{"k": "v"},
	}
	m := MarshalRecord(pif)
	if m["bond_slave_of"] != string(NullRef) {
		t.Errorf("an empty Ref must travel as %s, got %v", NullRef, m["bond_slave_of"])
	}
	// Through the XML-RPC codec, where ints and strings travel bare.
	enc, err := wire.EncodeXMLResult(wire.Result{Value: m})
	if err != nil {
		t.Fatal(err)
	}
	res, err := wire.DecodeXMLResult(enc)
	if err != nil {
		t.Fatal(err)
	}
	coerced, err := wire.Coerce(res.Value, datamodel.ParseType("PIF record"))
	if err != nil {
		t.Fatal(err)
	}
	var back PIF
	if err := UnmarshalRecord(coerced.(map[string]any), &back); err != nil {
		t.Fatal(err)
	}
	pif.BondSlaveOf, pif.VLANMasterOf, pif.Metrics, pif.Network = NullRef, NullRef, NullRef, NullRef
	if !reflect.DeepEqual(back, pif) {
		t.Errorf("round trip:\n got %#v\nwant %#v", back, pif)
	}

	task := Task{Status: TaskSuccess, Progress: 1, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), ErrorInfo: []string{}}
	var tback Task
	if err := UnmarshalRecord(MarshalRecord(task), &tback); err != nil {
		t.Fatal(err)
	}
	if !tback.Created.Equal(task.Created) || tback.Status != TaskSuccess {
		t.Errorf("task round trip: %#v", tback)
	}
}
