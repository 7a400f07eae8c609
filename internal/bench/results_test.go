package main

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestStepCounts(t *testing.T) {
	s := step{Resources: 4, Calls: map[string]int{
		"PIF.get_all_records": 7, "network.get_all_records": 7, "Async.VLAN.create": 3,
		"task.get_status": 9, "event.from": 2, "session.login_with_password": 1,
	}}
	if s.calls() != 29 || s.callsWithoutWaits() != 18 || s.perResource(float64(s.calls())) != 7.25 {
		t.Errorf("calls %d, without waits %d, per resource %g", s.calls(), s.callsWithoutWaits(), s.perResource(float64(s.calls())))
	}
	got := s.topMethods(3)
	want := []methodCount{{"task.get_status", 9}, {"PIF.get_all_records", 7}, {"network.get_all_records", 7}}
	if !slices.Equal(got, want) {
		t.Errorf("topMethods(3) = %v, want %v", got, want)
	}
	if n := len(s.topMethods(10)); n != 6 {
		t.Errorf("topMethods(10) has %d methods, want all 6", n)
	}
	if (step{}).perResource(5) != 0 {
		t.Error("a step of no resources has calls per resource")
	}
}

func TestDiffCalls(t *testing.T) {
	got := diffCalls(map[string]int{"a": 3, "b": 1}, map[string]int{"a": 5, "b": 1, "c": 2})
	if want := map[string]int{"a": 2, "c": 2}; !maps.Equal(got, want) {
		t.Errorf("diffCalls = %v, want %v", got, want)
	}
}

func TestParseOptions(t *testing.T) {
	o, err := parseOptions([]string{"-sizes", "16x200,4x50", "-latencies", "20ms,0,20ms", "-modes", "off", "-budget", "1m"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.sizes, []size{{4, 50}, {16, 200}}) || !slices.Equal(o.latencies, []time.Duration{0, ms20}) ||
		!slices.Equal(o.modes, []string{cacheOff}) || o.budget != time.Minute {
		t.Errorf("options %+v", o)
	}
	o, err = parseOptions(nil, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.sizes, []size{{4, 50}, {16, 200}, {16, 1000}}) || !slices.Equal(o.latencies, []time.Duration{0, ms20}) ||
		!slices.Equal(o.modes, []string{cacheOn, cacheOff}) || !o.floor || o.probeVLANs != 10 || o.total != 40*time.Minute {
		t.Errorf("default options %+v", o)
	}
	for _, args := range [][]string{
		{"-modes", "cached"}, {"-latencies", "20"}, {"-latencies", "-1ms"}, {"-sizes", "4"},
		{"-modes", ""}, {"-budget", "0s"}, {"-total", "-1m"}, {"-vlan-create", "0"}, {"extra"},
	} {
		if _, err := parseOptions(args, &bytes.Buffer{}); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

// The results table has a line per step, and says which runs were
// skipped or stopped, and why in the run's own heading. The floor has no
// provider, so only Terraform's CPU time.
func TestResultsTable(t *testing.T) {
	s := size{4, 50}
	results := []result{
		completed(s, 0, cacheOn, 8*time.Second, 53),
		{runKey: runKey{Size: size{16, 200}, Mode: cacheOff}, Skipped: "expected to take about 40m"},
	}
	results[0].Steps[0].PeakRSS = 52_400_000
	results[0].Steps[0].ProviderCPU = 1240 * time.Millisecond
	results[0].Steps[0].TerraformCPU = 860 * time.Millisecond
	floors := []floor{
		{Kind: floorTerraformData, Size: s, Steps: []step{{Name: stepPlan, Wall: 500 * time.Millisecond, TerraformCPU: 450 * time.Millisecond}}},
		{Kind: floorInert, Size: s, Steps: []step{{Name: stepPlan, Wall: 1500 * time.Millisecond, TerraformCPU: 700 * time.Millisecond,
			ProviderCPU: 900 * time.Millisecond, PeakRSS: 31_000_000, Providers: 2}}},
		{Kind: floorTerraformData, Size: size{16, 200}, Steps: []step{{Name: stepPlan, Wall: 900 * time.Millisecond, TerraformCPU: 1100 * time.Millisecond}}},
	}
	var out bytes.Buffer
	p := &printer{w: &out}
	p.markdown(results, floors)
	want := "| size | per call | pool cache | step | wall | provider CPU | terraform CPU | calls | calls/resource | peak RSS |\n" +
		"| ---- | -------: | ---------- | ---- | ---: | -----------: | ------------: | ----: | -------------: | -------: |\n" +
		"| 4x50 | - | terraform_data | plan | 0.5 s | - | 0.5 s | - | - | - |\n" +
		"| 4x50 | - | inert | plan | 1.5 s | 0.9 s | 0.7 s | - | - | 31 MB |\n" +
		"| 4x50 | 0 ms | on | apply | 2.0 s | 1.2 s | 0.9 s | 0 | 0.00 | 52 MB |\n" +
		"| 4x50 | 0 ms | on | plan | 2.0 s | 0.0 s | 0.0 s | 53 | 1.00 | 0 MB |\n" +
		"| 4x50 | 0 ms | on | vlan-create | 2.0 s | 0.0 s | 0.0 s | 0 | 0.00 | 0 MB |\n" +
		"| 4x50 | 0 ms | on | destroy | 2.0 s | 0.0 s | 0.0 s | 0 | 0.00 | 0 MB |\n" +
		"| 16x200 | - | terraform_data | plan | 0.9 s | - | 1.1 s | - | - | - |\n" +
		"| 16x200 | 0 ms | off | skipped: over the budget |  |  |  |  |  |  |\n"
	if out.String() != want {
		t.Errorf("the Markdown table is\n%s\nwant\n%s", out.String(), want)
	}

	out.Reset()
	p.table(results, floors)
	want = "" +
		"    size    per call  pool cache      step                      wall   provider CPU  terraform CPU  calls  calls/resource  peak RSS\n" +
		"    4x50    -         terraform_data  plan                      0.5 s  -             0.5 s          -      -               -\n" +
		"    4x50    -         inert           plan                      1.5 s  0.9 s         0.7 s          -      -               31 MB\n" +
		"    4x50    0 ms      on              apply                     2.0 s  1.2 s         0.9 s          0      0.00            52 MB\n" +
		"    4x50    0 ms      on              plan                      2.0 s  0.0 s         0.0 s          53     1.00            0 MB\n" +
		"    4x50    0 ms      on              vlan-create               2.0 s  0.0 s         0.0 s          0      0.00            0 MB\n" +
		"    4x50    0 ms      on              destroy                   2.0 s  0.0 s         0.0 s          0      0.00            0 MB\n" +
		"    16x200  -         terraform_data  plan                      0.9 s  -             1.1 s          -      -               -\n" +
		"    16x200  0 ms      off             skipped: over the budget\n"
	if out.String() != want {
		t.Errorf("the table is\n%s\nwant\n%s", out.String(), want)
	}
}

// A step's line, printed as it ends, shows the provider's CPU time and
// Terraform's own next to the wall time; the terraform_data floor's has no
// provider, and the inert floor's no calls.
func TestStepLine(t *testing.T) {
	var out bytes.Buffer
	p := &printer{w: &out, top: 1}
	p.stepHeader()
	p.stepLine(step{Name: stepPlan, Resources: 53, Wall: 1300 * time.Millisecond, Calls: map[string]int{"event.from": 7, "session.login_with_password": 1},
		PeakRSS: 41_000_000, Providers: 3, ProviderCPU: 550 * time.Millisecond, TerraformCPU: 640 * time.Millisecond})
	p.stepLine(step{Name: stepPlan, Resources: 53, Wall: 400 * time.Millisecond, TerraformCPU: 360 * time.Millisecond})
	p.stepLine(step{Name: stepPlan, Resources: 53, Wall: 900 * time.Millisecond, PeakRSS: 30_000_000, Providers: 2,
		ProviderCPU: 350 * time.Millisecond, TerraformCPU: 420 * time.Millisecond})
	want := "" +
		"    step              wall provider CPU terraform CPU    calls   per res  peak RSS procs  top methods\n" +
		"    plan             1.3 s        0.6 s         0.6 s        8      0.15     41 MB     3  event.from 7\n" +
		"    plan             0.4 s            -         0.4 s        -         -         -     -  \n" +
		"    plan             0.9 s        0.3 s         0.4 s        -         -     30 MB     2  \n"
	if out.String() != want {
		t.Errorf("the step lines are\n%s\nwant\n%s", out.String(), want)
	}
}

// A run's budget is -budget until what is left of -total is less.
func TestRunBudget(t *testing.T) {
	o := options{budget: 5 * time.Minute, total: 40 * time.Minute}
	if b, spent := o.runBudget(time.Now()); b != 5*time.Minute || spent != "" {
		t.Errorf("at the start: %s, %q", b, spent)
	}
	if b, spent := o.runBudget(time.Now().Add(-38 * time.Minute)); b > 2*time.Minute || b < time.Minute || spent != "" {
		t.Errorf("38 minutes in: %s, %q", b, spent)
	}
	if _, spent := o.runBudget(time.Now().Add(-41 * time.Minute)); !strings.Contains(spent, "total budget of 40m0s is spent") {
		t.Errorf("41 minutes in: %q", spent)
	}
}
