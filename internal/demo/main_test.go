package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// make demo is what a newcomer runs first: it must work, twice in a row,
// and say what happened.
func TestDemoRunsTwiceAndTellsWhatHappened(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs go build and terraform; set TF_ACC=1")
	}
	t.Chdir("../..")
	for run := 1; run <= 2; run++ {
		var out bytes.Buffer
		if err := runDemo(t, &out); err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out.String())
		}
		for _, want := range []string{
			"==> 1/6  Building the provider",
			"Apply complete! Resources: 9 added, 0 changed, 0 destroyed.",
			"eth0+eth1 balance-slb  MTU 1500  \"Bond 0+1 (management)\"  ◀ management 192.0.2.11",
			"eth2+eth3 balance-slb  MTU 9000  \"Bond 2+3 (VM traffic)\"",
			"└ VLAN 103",
			"└ VLAN 20",
			"◀ Storage 10.0.20.11",
			"(xsnet guardrail management-mtu)",
			"(xsnet guardrail bond-mode)",
			"Destroy complete! Resources: 9 destroyed.",
			"nothing is left running",
		} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("run %d: the demo's output lacks %q:\n%s", run, want, out.String())
			}
		}
		installed := picture(out.String(), "The pool as installed:\n")
		after := picture(out.String(), "The pool is back as it was installed:\n")
		if installed == "" || installed != after {
			t.Errorf("run %d: after destroy the pool is not as installed:\n%s\nafter destroy:\n%s", run, installed, after)
		}
	}
}

// runDemo runs the demo with the CLI the acceptance tests run: terraform
// from PATH, or the one TF_ACC_TERRAFORM_PATH names, such as OpenTofu's.
func runDemo(t *testing.T, out *bytes.Buffer) error {
	t.Helper()
	terraform := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if terraform == "" {
		terraform = "terraform"
	}
	return run(context.Background(), out, terraform)
}

// picture returns the pool picture that follows the heading in the output.
func picture(out, heading string) string {
	_, rest, ok := strings.Cut(out, heading)
	if !ok {
		return ""
	}
	pic, _, _ := strings.Cut(rest, "\n\n")
	return pic
}
