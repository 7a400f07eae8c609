// Command gen cuts xapi's published data model and error list down to the
// table xsnet commits in datamodel.json: names, types and parameter lists,
// without the prose, so that the client and the simulator can be checked
// against xapi without a copy of xapi beside the project.
//
// Its input is committed in source/, pinned to xapi-project/xen-api at commit
// e2ee48d6 (August 2026):
//
//   - datamodel-networking.json is doc/data/xenapi.json, xapi's published
//     data model, cut to the classes xsnet touches (session, task, event,
//     pool, host, host_metrics, network, PIF, PIF_metrics, Bond, VLAN);
//   - errors.json is every error code xapi declares in
//     ocaml/idl/datamodel_errors.ml, with its parameter names.
//
// To follow a newer xapi, replace both files from one commit, name that
// commit here, and run `go generate ./internal/xenapi/datamodel`.
//
// Usage: go run ./internal/gen <source directory>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/datamodel"
)

type sourceClass struct {
	Name   string `json:"name"`
	Fields []struct {
		Name      string `json:"name"`
		Type      string `json:"type"`
		Qualifier string `json:"qualifier"`
	} `json:"fields"`
	Messages []struct {
		Name   string `json:"name"`
		Params []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"params"`
		Result   []string `json:"result"`
		Implicit bool     `json:"implicit"`
	} `json:"messages"`
	Enums []struct {
		Name   string `json:"name"`
		Values []struct {
			Name string `json:"name"`
		} `json:"values"`
	} `json:"enums"`
}

type sourceError struct {
	Code   string   `json:"code"`
	Params []string `json:"params"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen <xenapi data directory>")
		os.Exit(2)
	}
	table, err := generate(os.Args[1])
	if err == nil {
		err = os.WriteFile("datamodel.json", table, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate returns the table cut from the source files in dir. The same
// source gives the same bytes: classes, fields and messages keep xapi's
// order, and encoding/json writes map keys sorted.
func generate(dir string) ([]byte, error) {
	var classes []sourceClass
	if err := readJSON(filepath.Join(dir, "datamodel-networking.json"), &classes); err != nil {
		return nil, err
	}
	var errs []sourceError
	if err := readJSON(filepath.Join(dir, "errors.json"), &errs); err != nil {
		return nil, err
	}

	// The table is written with package datamodel's own types, so that it
	// has exactly the shape datamodel.Load reads.
	t := datamodel.Model{Enums: map[string][]string{}, Errors: map[string][]string{}}
	for _, sc := range classes {
		c := &datamodel.Class{Name: sc.Name}
		for _, f := range sc.Fields {
			c.Fields = append(c.Fields, datamodel.Field(f))
		}
		for _, sm := range sc.Messages {
			m := datamodel.Message{Name: sm.Name, Implicit: sm.Implicit}
			if len(sm.Result) > 0 {
				m.Result = sm.Result[0]
			}
			for _, p := range sm.Params {
				m.Params = append(m.Params, datamodel.Param(p))
			}
			c.Messages = append(c.Messages, m)
		}
		for _, e := range sc.Enums {
			values := make([]string, 0, len(e.Values))
			for _, v := range e.Values {
				values = append(values, v.Name)
			}
			t.Enums[e.Name] = values
		}
		t.Classes = append(t.Classes, c)
	}
	for _, e := range errs {
		if e.Params == nil {
			e.Params = []string{}
		}
		t.Errors[e.Code] = e.Params
	}

	b, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
