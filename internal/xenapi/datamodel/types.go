package datamodel

import "strings"

// Kind is the shape of a XenAPI type.
type Kind int

// The kinds of XenAPI types.
const (
	String Kind = iota
	Int
	Float
	Bool
	DateTime
	Ref
	Enum
	Set
	Map
	Record
	Void
	Other // types xsnet never decodes, such as "an event batch"
)

// Type is a parsed XenAPI type such as "(string -> string) map".
type Type struct {
	Kind Kind
	// Name is the class of a ref or record, or the name of an enum.
	Name string
	// Elem is the element of a set or the value of a map; Key is a map's key.
	Elem, Key *Type
}

// ParseType parses the type notation of xapi's data model.
func ParseType(s string) Type {
	s = strings.TrimSpace(s)
	switch s {
	case "string":
		return Type{Kind: String}
	case "int":
		return Type{Kind: Int}
	case "float":
		return Type{Kind: Float}
	case "bool":
		return Type{Kind: Bool}
	case "datetime":
		return Type{Kind: DateTime}
	case "void":
		return Type{Kind: Void}
	}
	switch {
	case strings.HasSuffix(s, " map") && strings.HasPrefix(s, "("):
		inner := strings.TrimSuffix(strings.TrimPrefix(s, "("), ") map")
		k, v, ok := splitArrow(inner)
		if !ok {
			return Type{Kind: Other, Name: s}
		}
		kt, vt := ParseType(k), ParseType(v)
		return Type{Kind: Map, Key: &kt, Elem: &vt}
	case strings.HasSuffix(s, " set"):
		e := ParseType(strings.TrimSuffix(s, " set"))
		return Type{Kind: Set, Elem: &e}
	case strings.HasPrefix(s, "enum "):
		return Type{Kind: Enum, Name: strings.TrimPrefix(s, "enum ")}
	case strings.HasSuffix(s, " ref"):
		return Type{Kind: Ref, Name: strings.TrimSuffix(s, " ref")}
	case strings.HasSuffix(s, " record"):
		return Type{Kind: Record, Name: strings.TrimSuffix(s, " record")}
	}
	return Type{Kind: Other, Name: s}
}

// splitArrow splits "K -> V" at the top-level arrow, so that nested maps such
// as "VM ref -> (string -> string) map" split at the first one.
func splitArrow(s string) (string, string, bool) {
	depth := 0
	for i := 0; i+4 <= len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		}
		if depth == 0 && s[i:i+4] == " -> " {
			return s[:i], s[i+4:], true
		}
	}
	return "", "", false
}

// String writes the type back in xapi's notation.
func (t Type) String() string {
	switch t.Kind {
	case String:
		return "string"
	case Int:
		return "int"
	case Float:
		return "float"
	case Bool:
		return "bool"
	case DateTime:
		return "datetime"
	case Void:
		return "void"
	case Ref:
		return t.Name + " ref"
	case Record:
		return t.Name + " record"
	case Enum:
		return "enum " + t.Name
	case Set:
		return t.Elem.String() + " set"
	case Map:
		return "(" + t.Key.String() + " -> " + t.Elem.String() + ") map"
	}
	return t.Name
}
