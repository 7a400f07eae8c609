package datamodel

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

//go:embed datamodel.json
var table []byte

// Field is one field of a class, as xapi declares it.
type Field struct {
	Name      string `json:"name"`
	Type      string `json:"type"`
	Qualifier string `json:"qualifier"`
}

// Writable reports whether xapi serves a set_<field> message for the field.
func (f Field) Writable() bool { return f.Qualifier == "RW" }

// Param is one parameter of a message.
type Param struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Message is one message of a class. Params include the session reference
// where xapi expects one, so len(Params) is the count xapi checks.
type Message struct {
	Name     string  `json:"name"`
	Params   []Param `json:"params"`
	Result   string  `json:"result"`
	Implicit bool    `json:"implicit,omitempty"`
}

// Class is one XenAPI class.
type Class struct {
	Name     string    `json:"name"`
	Fields   []Field   `json:"fields"`
	Messages []Message `json:"messages"`
}

// Field returns the named field of the class.
func (c *Class) Field(name string) (Field, bool) {
	for _, f := range c.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Message returns the named message of the class.
func (c *Class) Message(name string) (Message, bool) {
	for _, m := range c.Messages {
		if m.Name == name {
			return m, true
		}
	}
	return Message{}, false
}

// Model is the whole table.
type Model struct {
	Classes []*Class            `json:"classes"`
	Enums   map[string][]string `json:"enums"`
	Errors  map[string][]string `json:"errors"`
}

// Class returns the named class; names are case-sensitive, as on the wire.
func (m *Model) Class(name string) (*Class, bool) {
	for _, c := range m.Classes {
		if c.Name == name {
			return c, true
		}
	}
	return nil, false
}

// Method returns the message a wire method name such as "Bond.create" names.
func (m *Model) Method(method string) (*Class, Message, bool) {
	class, message, ok := strings.Cut(method, ".")
	if !ok {
		return nil, Message{}, false
	}
	c, ok := m.Class(class)
	if !ok {
		return nil, Message{}, false
	}
	msg, ok := c.Message(message)
	return c, msg, ok
}

var load = sync.OnceValue(func() *Model {
	var m Model
	if err := json.Unmarshal(table, &m); err != nil {
		panic(fmt.Sprintf("datamodel: embedded table is corrupt: %v", err))
	}
	return &m
})

// Load returns the table. It is parsed once and shared: callers must not
// modify it.
func Load() *Model { return load() }
