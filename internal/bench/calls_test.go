package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// testBudget is a run's budget in the tests: the time left before the
// test binary's deadline, less a minute to report in. It guards against a
// hang; the tests assert call counts, never times.
func testBudget(t *testing.T) time.Duration {
	deadline, ok := t.Deadline()
	if !ok {
		return time.Hour
	}
	return time.Until(deadline) - time.Minute
}

func newTestBench(t *testing.T) *bench {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the provider and runs terraform; set TF_ACC=1")
	}
	b, err := newBench(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The regression check on call counts that `make bench` measures at
// scale: with the pool cache on, a plan that finds nothing to change makes
// at most one XenAPI call per resource, and adding VLANs to a pool takes
// as many calls at four hosts as at two. Twenty VLANs keep what every
// provider process costs once (its login, filling its cache) a small part
// of the plan's allowance.
func TestCallCounts_planAndVLANCreate(t *testing.T) {
	b := newTestBench(t)
	sizes := []size{{Hosts: 2, VLANs: 20}, {Hosts: 4, VLANs: 20}}
	latencies := []time.Duration{0}
	var results []result
	for _, s := range sizes {
		r, err := b.run(t.Context(), runKey{Size: s, Mode: cacheOn}, testBudget(t))
		if err != nil {
			t.Fatal(err)
		}
		if !r.complete() {
			t.Fatalf("%s: %s", s, r.Stopped)
		}
		for _, st := range r.Steps {
			t.Logf("%s %-11s %5d calls, %6.2f per resource, %5d without waits; %s",
				s, st.Name, st.calls(), st.perResource(float64(st.calls())), st.callsWithoutWaits(), methods(st))
		}
		results = append(results, r)
	}
	for _, tg := range []target{
		planCallsTarget(sizes, latencies, results),
		vlanCreateTarget(sizes, latencies, results),
	} {
		if tg.Verdict != met {
			t.Errorf("%s", tg.describe())
		}
	}
}

// methods lists a step's calls by method, most called first.
func methods(s step) string {
	var out []string
	for _, m := range s.topMethods(len(s.Calls)) {
		out = append(out, fmt.Sprintf("%s %d", m.Method, m.Calls))
	}
	return strings.Join(out, ", ")
}

// make bench from end to end at the smallest size: every step of the
// floors and of the run is measured and shown, with the targets after.
func TestBenchRunsEveryStepAndJudgesTheTargets(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("builds the provider and runs terraform; set TF_ACC=1")
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-sizes", "1x2", "-latencies", "0", "-modes", "off", "-vlan-create", "1", "-markdown"}, &out, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{
		"==> 1x2: Terraform alone, 5 terraform_data resources",
		"==> 1x2: the inert provider: xsnet's configuration and schemas, no pool, 5 resources",
		"==> 1x2: 1 hosts, 2 VLANs (5 resources), 0 ms per call, pool cache off",
		"| size | per call | pool cache | step | wall | provider CPU | terraform CPU | calls |",
		"| 1x2 | - | terraform_data | plan |",
		"| 1x2 | - | inert | plan |",
		"| 1x2 | 0 ms | off | vlan-create |",
		"| 1x2 | 0 ms | off | destroy |",
		"==> Targets, with the pool cache on",
		"[not measured] plan makes at most 1 XenAPI call per resource, at every size",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the output lacks %q:\n%s", want, out.String())
		}
	}
}
