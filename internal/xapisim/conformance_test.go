package xapisim

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// These tests hold the simulator to xapi's data model, the committed table
// in internal/xenapi/datamodel: strict clients fail on a missing field or a
// field of the wrong type.

func TestEveryRecordCarriesEveryFieldOfItsClass(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		// Give every class at least one object.
		bond, _ := c.bondOf(1500, "lacp", map[string]any{}, c.pif("xs-host-1", "eth2"), c.pif("xs-host-1", "eth3"))
		c.call("VLAN.create", c.str("Bond.get_master", bond), int64(5), c.newNetwork("vm", 1500))
		c.str("Async.PIF.plug", c.pif("xs-host-1", "eth1"))

		model := datamodel.Load()
		for _, class := range []string{"pool", "host", "host_metrics", "network", "PIF", "PIF_metrics", "Bond", "VLAN", "task"} {
			cl, _ := model.Class(class)
			r := c.raw(class+".get_all_records", c.session)
			recs, ok := r.Value.(map[string]any)
			if !ok || len(recs) == 0 {
				t.Fatalf("%s.get_all_records: %v %v", class, r.Value, r.Failure)
			}
			for ref, rec := range recs {
				checkRecord(t, cl, ref, rec.(map[string]any))
			}
		}
		sess, _ := model.Class("session")
		checkRecord(t, sess, c.session, c.raw("session.get_record", c.session, c.session).Value.(map[string]any))
		for _, e := range eventsOf(c.call("event.from", []any{"*"}, "", float64(0)).(map[string]any)) {
			cl, ok := classByLower(e["class"].(string))
			if !ok {
				t.Fatalf("event of unknown class %v", e["class"])
			}
			checkRecord(t, cl, e["ref"].(string), e["snapshot"].(map[string]any))
		}
	})
}

func classByLower(lower string) (*datamodel.Class, bool) {
	for _, c := range datamodel.Load().Classes {
		if strings.ToLower(c.Name) == lower {
			return c, true
		}
	}
	return nil, false
}

// checkRecord checks that a record as it came off the wire has exactly the
// class's fields, each of the declared type.
func checkRecord(t *testing.T, cl *datamodel.Class, ref string, rec map[string]any) {
	t.Helper()
	for _, f := range cl.Fields {
		v, ok := rec[f.Name]
		if !ok {
			t.Errorf("%s %s lacks field %s", cl.Name, ref, f.Name)
			continue
		}
		if _, err := wire.Coerce(v, datamodel.ParseType(f.Type)); err != nil {
			t.Errorf("%s %s field %s: %v", cl.Name, ref, f.Name, err)
		}
	}
	for name := range rec {
		if _, ok := cl.Field(name); !ok {
			t.Errorf("%s %s has field %s, which the data model does not declare", cl.Name, ref, name)
		}
	}
}

func TestEveryServedMessageChecksTheDataModelsParameterCount(t *testing.T) {
	s := Run(t, Config{Hosts: 1})
	c := newClient(t, s.URL(), "xmlrpc").login(s)
	model := datamodel.Load()
	// Over XML-RPC, xapi answers system.listMethods bare; JSON-RPC wraps it.
	served := strs(newClient(t, s.URL(), "jsonrpc").raw("system.listMethods").Value)
	if len(served) < 200 {
		t.Fatalf("only %d messages served", len(served))
	}
	for _, name := range served {
		_, msg, ok := model.Method(name)
		if !ok {
			t.Errorf("%s is served but not in the data model", name)
			continue
		}
		session := len(msg.Params) > 0 && msg.Params[0].Type == "session ref"
		declared := len(msg.Params)
		if session {
			declared--
		}
		required := declared - optionalParams[name]
		// One parameter too many is refused with the count the model gives.
		params := make([]any, declared+1)
		for i := range params {
			params[i] = "x"
		}
		if session {
			params = append([]any{c.session}, params...)
		}
		if optionalParams[name] > 0 {
			params = params[:required-1]
		}
		got := c.raw(name, params...).Failure
		received := len(params)
		if session {
			received--
		}
		want := []string{"MESSAGE_PARAMETER_COUNT_MISMATCH", name, strconv.Itoa(required), strconv.Itoa(received)}
		if !slices.Equal(got, want) {
			t.Errorf("%s with %d parameters: %v, want %v", name, received, got, want)
		}
	}
}

func TestSessionRecordMatchesTheDataModel(t *testing.T) {
	cl, _ := datamodel.Load().Class("session")
	rt := reflect.TypeFor[sessionRecord]()
	for i := range rt.NumField() {
		if _, ok := cl.Field(rt.Field(i).Tag.Get("xenapi")); !ok {
			t.Errorf("sessionRecord.%s is not a session field", rt.Field(i).Name)
		}
	}
}

// TestEveryErrorCodeIsXapis reads the simulator's source for the error
// codes it answers and checks each against xapi's error table.
func TestEveryErrorCodeIsXapis(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`failure\("([A-Z0-9_]+)"`)
	errs := datamodel.Load().Errors
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range code.FindAllSubmatch(src, -1) {
			seen++
			if _, ok := errs[string(m[1])]; !ok {
				t.Errorf("%s answers %s, which is not one of xapi's error codes", f, m[1])
			}
		}
	}
	if seen < 30 {
		t.Fatalf("found only %d error codes in the source; is the pattern stale?", seen)
	}
}

// TestEveryMessageIsServedOrLeftOut holds the simulator to the data model:
// every message of a class it serves is served, or listed in leftOut with
// why; and nothing listed is served.
func TestEveryMessageIsServedOrLeftOut(t *testing.T) {
	model := datamodel.Load()
	for _, cn := range servedClasses {
		c, _ := model.Class(cn)
		for _, m := range c.Messages {
			name := cn + "." + m.Name
			served := methods()[name] != nil
			reason := leftOutReason(name)
			switch {
			case !served && reason == "":
				t.Errorf("%s is neither served nor listed in leftOut with a reason", name)
			case served && reason != "" && leftOut[name]+leftOutNetworking[name] != "":
				t.Errorf("%s is served but listed in leftOut (%s)", name, reason)
			}
		}
	}
	for name := range leftOutNetworking {
		if _, _, ok := model.Method(name); !ok {
			t.Errorf("leftOutNetworking lists %s, which the data model does not have", name)
		}
	}
}
