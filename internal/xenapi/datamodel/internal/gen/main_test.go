package main

import (
	"bytes"
	"os"
	"testing"
)

// committed is the table as the repository holds it, embedded by package
// datamodel.
const committed = "../../datamodel.json"

// The committed table is what the committed source gives: nobody edited it
// by hand, and nobody changed the source without regenerating it.
func TestCommittedTableIsCurrent(t *testing.T) {
	want, err := generate("source")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from what the generator writes from source/; run go generate ./internal/xenapi/datamodel", committed)
	}
}

// Generation is deterministic: two runs over the same source agree byte for
// byte, so a regenerated table shows in review only where xapi changed.
func TestGenerateIsDeterministic(t *testing.T) {
	first, err := generate("source")
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		again, err := generate("source")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, again) {
			t.Fatal("two runs over the same source wrote different tables")
		}
	}
}
