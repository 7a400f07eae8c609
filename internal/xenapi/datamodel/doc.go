// Package datamodel is xapi's published data model, cut to the classes xsnet
// uses: every field with its type and qualifier, every message with its
// parameters, every enum, and every error code with its parameter names.
//
// The table is data, generated from xapi's own files by `go generate` and
// committed, so that the client's records and the simulator's replies can be
// checked against xapi in a clone that has nothing else.
package datamodel

//go:generate go run ./internal/gen ../../../../shared/xenapi
