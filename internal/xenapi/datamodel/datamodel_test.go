package datamodel

import "testing"

func TestParseTypeRoundTrip(t *testing.T) {
	m := Load()
	seen := 0
	for _, c := range m.Classes {
		for _, f := range c.Fields {
			if got := ParseType(f.Type).String(); got != f.Type {
				t.Errorf("%s.%s: type %q parses back as %q", c.Name, f.Name, f.Type, got)
			}
			seen++
		}
		for _, msg := range c.Messages {
			for _, p := range msg.Params {
				if k := ParseType(p.Type).Kind; k == Other && p.Type != "<class> record" {
					t.Errorf("%s.%s: parameter %s has unparsed type %q", c.Name, msg.Name, p.Name, p.Type)
				}
			}
		}
	}
	if seen < 200 {
		t.Fatalf("only %d fields in the table; is datamodel.json cut too far?", seen)
	}
}

func TestParseTypeShapes(t *testing.T) {
	tests := []struct {
		in   string
		kind Kind
		name string
	}{
		{"int", Int, ""},
		{"PIF ref", Ref, "PIF"},
		{"enum bond_mode", Enum, "bond_mode"},
		{"PIF ref set", Set, ""},
		{"(string -> string) map", Map, ""},
		{"(VM ref -> (string -> string) map) map", Map, ""},
		{"network record", Record, "network"},
	}
	for _, tt := range tests {
		got := ParseType(tt.in)
		if got.Kind != tt.kind || got.Name != tt.name {
			t.Errorf("ParseType(%q) = kind %d name %q, want kind %d name %q", tt.in, got.Kind, got.Name, tt.kind, tt.name)
		}
	}
	nested := ParseType("(VM ref -> (string -> string) map) map")
	if nested.Key.Kind != Ref || nested.Elem.Kind != Map {
		t.Errorf("nested map parsed as key %v value %v", nested.Key, nested.Elem)
	}
}

func TestLookups(t *testing.T) {
	m := Load()
	_, msg, ok := m.Method("Bond.create")
	if !ok || len(msg.Params) != 6 {
		t.Fatalf("Bond.create: ok=%v params=%d, want 6 (session, network, members, MAC, mode, properties)", ok, len(msg.Params))
	}
	if got := m.Errors["PIF_ALREADY_BONDED"]; len(got) != 1 {
		t.Errorf("PIF_ALREADY_BONDED params = %v, want one", got)
	}
	if got := m.Enums["bond_mode"]; len(got) != 3 || got[0] != "balance-slb" {
		t.Errorf("bond_mode = %v", got)
	}
	if _, _, ok := m.Method("bond.create"); ok {
		t.Error("method names must be case-sensitive")
	}
}
