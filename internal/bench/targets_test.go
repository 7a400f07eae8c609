package main

import (
	"strings"
	"testing"
	"time"
)

const ms20 = 20 * time.Millisecond

// runOf is a complete cache-on run whose steps take the wall times and
// calls given, per resource.
func runOf(s size, latency time.Duration, steps ...step) result {
	r := result{runKey: runKey{Size: s, Latency: latency, Mode: cacheOn}}
	for _, st := range steps {
		if st.Resources == 0 {
			st.Resources = s.resources()
		}
		r.Steps = append(r.Steps, st)
	}
	return r
}

func planStep(calls int, wall time.Duration) step {
	return step{Name: stepPlan, Wall: wall, Calls: map[string]int{"PIF.get_all_records": calls}}
}

func TestPlanCallsTarget(t *testing.T) {
	sizes := []size{{4, 50}, {16, 200}}
	lats := []time.Duration{0}
	for _, tc := range []struct {
		name    string
		results []result
		want    verdict
	}{
		{"one call per resource", []result{runOf(size{4, 50}, 0, planStep(53, time.Second)), runOf(size{16, 200}, 0, planStep(203, time.Second))}, met},
		{"one call too many at one size", []result{runOf(size{4, 50}, 0, planStep(53, time.Second)), runOf(size{16, 200}, 0, planStep(204, time.Second))}, notMet},
		{"a size not run", []result{runOf(size{4, 50}, 0, planStep(10, time.Second))}, unmeasured},
		{"a size not run and one over", []result{runOf(size{4, 50}, 0, planStep(736, time.Second))}, notMet},
		{"the cache-off run does not count", []result{
			runOf(size{4, 50}, 0, planStep(53, time.Second)),
			{runKey: runKey{Size: size{16, 200}, Mode: cacheOff}, Steps: []step{{Name: stepPlan, Resources: 203, Calls: map[string]int{"x": 1}}}},
		}, unmeasured},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := planCallsTarget(sizes, lats, tc.results)
			if got.Verdict != tc.want {
				t.Errorf("%s, want %s", got.describe(), tc.want)
			}
		})
	}
}

func vlanCreate(calls map[string]int) step {
	return step{Name: stepVLANCreate, Resources: 10, Calls: calls}
}

func TestVLANCreateTarget(t *testing.T) {
	sizes := []size{{4, 50}, {16, 200}}
	lats := []time.Duration{0}
	// The same calls at 4 and 16 hosts, polled a different number of times.
	at4 := vlanCreate(map[string]int{"network.create": 10, "Async.pool.create_VLAN_from_PIF": 10, "task.get_status": 12, "event.from": 3})
	at16 := vlanCreate(map[string]int{"network.create": 10, "Async.pool.create_VLAN_from_PIF": 10, "task.get_status": 31, "event.from": 5})
	// VLAN.create on every host instead.
	perHost := vlanCreate(map[string]int{"network.create": 10, "Async.VLAN.create": 160})

	got := vlanCreateTarget(sizes, lats, []result{runOf(size{4, 50}, 0, at4), runOf(size{16, 200}, 0, at16)})
	if got.Verdict != met || !strings.Contains(got.describe(), "16x200 at 0 ms: 2.00 per VLAN") {
		t.Errorf("same calls, other polls: %s", got.describe())
	}
	got = vlanCreateTarget(sizes, lats, []result{runOf(size{4, 50}, 0, at4), runOf(size{16, 200}, 0, perHost)})
	if got.Verdict != notMet {
		t.Errorf("a VLAN per host: %s", got.describe())
	}
	got = vlanCreateTarget([]size{{16, 200}, {16, 1000}}, lats, []result{runOf(size{16, 200}, 0, at16), runOf(size{16, 1000}, 0, at16)})
	if got.Verdict != unmeasured {
		t.Errorf("one host count: %s", got.describe())
	}
}

func TestPlanFloorTarget(t *testing.T) {
	l := size{16, 1000}
	fl := []floor{{Kind: floorTerraformData, Size: l, Steps: []step{{Name: stepPlan, Wall: 10 * time.Second}}}}
	for _, tc := range []struct {
		plan time.Duration
		want verdict
	}{{30 * time.Second, met}, {31 * time.Second, notMet}} {
		got := planFloorTarget(l, []result{runOf(l, 0, planStep(1, tc.plan))}, fl)
		if got.Verdict != tc.want {
			t.Errorf("plan %s against a 10 s floor: %s", tc.plan, got.describe())
		}
	}
	if got := planFloorTarget(l, []result{runOf(l, 0, planStep(1, time.Second))}, nil); got.Verdict != unmeasured {
		t.Errorf("no floor: %s", got.describe())
	}
}

// Beside the wall times, the floor target shows whose the plan's time is:
// Terraform's own CPU time against the floor's, and the provider's, and
// the plan against the inert provider's. Only the wall time against
// terraform_data is judged.
func TestPlanFloorTargetShowsTerraformCPU(t *testing.T) {
	l := size{16, 1000}
	fl := []floor{
		{Kind: floorTerraformData, Size: l, Steps: []step{{Name: stepPlan, Wall: 10 * time.Second, TerraformCPU: 8 * time.Second}}},
		{Kind: floorInert, Size: l, Steps: []step{{Name: stepPlan, Wall: 25 * time.Second}}},
	}
	plan := planStep(1, 30*time.Second)
	plan.TerraformCPU, plan.ProviderCPU = 36*time.Second, 4*time.Second
	got := planFloorTarget(l, []result{runOf(l, 0, plan)}, fl)
	want := "[met] plan of 16x1000 at 0 ms within 3x of the terraform_data floor\n" +
		"      30.0 s against 10.0 s: 3.0x\n" +
		"      terraform CPU 36.0 s against 8.0 s: 4.5x; provider CPU 4.0 s\n" +
		"      the inert provider (xsnet's schemas, no work) 25.0 s: the plan is 1.20x of it, the floor's 2.5x\n"
	if got.describe() != want {
		t.Errorf("the target reads\n%s\nwant\n%s", got.describe(), want)
	}
	fl[0].Steps[0].TerraformCPU = 0
	if got := planFloorTarget(l, []result{runOf(l, 0, plan)}, fl); !strings.Contains(got.describe(), "terraform CPU 36.0 s against 0.0 s: -;") {
		t.Errorf("a floor of no measurable CPU time: %s", got.describe())
	}
}

func TestPlanLatencyTarget(t *testing.T) {
	l := size{16, 1000}
	lats := []time.Duration{0, ms20}
	for _, tc := range []struct {
		slow time.Duration
		want verdict
	}{{13 * time.Second, met}, {13100 * time.Millisecond, notMet}} {
		got := planLatencyTarget(l, lats, []result{runOf(l, 0, planStep(1, 10*time.Second)), runOf(l, ms20, planStep(1, tc.slow))})
		if got.Verdict != tc.want {
			t.Errorf("plan %s at 20 ms against 10 s: %s", tc.slow, got.describe())
		}
	}
	if got := planLatencyTarget(l, []time.Duration{0}, []result{runOf(l, 0, planStep(1, time.Second))}); got.Verdict != unmeasured {
		t.Errorf("no latency asked for: %s", got.describe())
	}
}

func TestLinearTarget(t *testing.T) {
	small, large := size{16, 47}, size{16, 497} // 50 and 500 resources
	// 4x47 is left out: it has fewer hosts.
	sizes := []size{{4, 47}, small, large}
	lats := []time.Duration{0}
	steps := func(perResourceWall time.Duration, perResourceCalls int, n int) []step {
		return []step{
			{Name: stepApply, Wall: perResourceWall * time.Duration(n), Calls: map[string]int{"m": perResourceCalls * n}},
			{Name: stepDestroy, Wall: perResourceWall * time.Duration(n), Calls: map[string]int{"m": perResourceCalls * n}},
		}
	}
	base := runOf(small, 0, steps(100*time.Millisecond, 10, 50)...)
	for _, tc := range []struct {
		name  string
		large result
		want  verdict
	}{
		{"the same per resource", runOf(large, 0, steps(100*time.Millisecond, 10, 500)...), met},
		{"half again the time per resource", runOf(large, 0, steps(150*time.Millisecond, 15, 500)...), met},
		{"more time per resource", runOf(large, 0, steps(151*time.Millisecond, 10, 500)...), notMet},
		{"more calls per resource", runOf(large, 0, steps(100*time.Millisecond, 16, 500)...), notMet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := linearTarget(sizes, lats, []result{base, tc.large}, nil)
			if got.Verdict != tc.want {
				t.Errorf("%s, want %s", got.describe(), tc.want)
			}
		})
	}
	if got := linearTarget(sizes, lats, []result{base}, nil); got.Verdict != unmeasured {
		t.Errorf("the large size not run: %s", got.describe())
	}
	// The CPU time per resource is shown beside the time, and not judged:
	// here the time grows by 1.2x, the provider's CPU time by 1.05x and
	// Terraform's by 3x. So are the floors' times per resource, where
	// they were measured: here, in apply, Terraform alone's grows 1.5x
	// and the inert provider's doubles.
	cpu := func(wall, providerCPU, terraformCPU time.Duration, n int) []step {
		var out []step
		for _, name := range []string{stepApply, stepDestroy} {
			out = append(out, step{Name: name, Wall: wall, ProviderCPU: providerCPU, TerraformCPU: terraformCPU,
				Calls: map[string]int{"m": 10 * n}})
		}
		return out
	}
	floors := []floor{
		{Kind: floorTerraformData, Size: small, Steps: []step{{Name: stepApply, Resources: 50, Wall: time.Second}}},
		{Kind: floorTerraformData, Size: large, Steps: []step{{Name: stepApply, Resources: 500, Wall: 15 * time.Second}}},
		{Kind: floorInert, Size: small, Steps: []step{{Name: stepApply, Resources: 50, Wall: 2 * time.Second}}},
		{Kind: floorInert, Size: large, Steps: []step{{Name: stepApply, Resources: 500, Wall: 40 * time.Second}}},
	}
	got := linearTarget(sizes, lats, []result{
		runOf(small, 0, cpu(5*time.Second, 2*time.Second, time.Second, 50)...),
		runOf(large, 0, cpu(60*time.Second, 21*time.Second, 30*time.Second, 500)...),
	}, floors)
	for _, want := range []string{
		"[met] apply and destroy grow linearly",
		"      apply 16x497 at 0 ms against 16x47: time 1.20x (provider CPU 1.05x, terraform CPU 3.00x), calls 1.00x per resource; Terraform alone (terraform_data): time 1.50x; the inert provider: time 2.00x\n",
		"      destroy 16x497 at 0 ms against 16x47: time 1.20x (provider CPU 1.05x, terraform CPU 3.00x), calls 1.00x per resource\n",
	} {
		if !strings.Contains(got.describe(), want) {
			t.Errorf("the target lacks %q:\n%s", want, got.describe())
		}
	}
	// A smaller size of no measurable CPU time is nothing to measure by.
	got = linearTarget(sizes, lats, []result{base, runOf(large, 0, cpu(50*time.Second, 2*time.Second, time.Second, 500)...)}, nil)
	if want := "time 1.00x (provider CPU -, terraform CPU -), calls 1.00x"; !strings.Contains(got.describe(), want) {
		t.Errorf("the target lacks %q:\n%s", want, got.describe())
	}

	// Per VLAN, destroy takes a VLAN.destroy on every host.
	fewHosts := runOf(size{4, 497}, 0, steps(100*time.Millisecond, 10, 500)...)
	manyHosts := runOf(size{16, 497}, 0, steps(100*time.Millisecond, 40, 500)...)
	got = linearTarget([]size{{4, 497}, {16, 497}}, lats, []result{fewHosts, manyHosts}, nil)
	if got.Verdict != unmeasured {
		t.Errorf("sizes of different host counts: %s", got.describe())
	}
}

func TestRSSTarget(t *testing.T) {
	l := size{16, 1000}
	lats := []time.Duration{0, ms20}
	rss := func(peak int64) step { return step{Name: stepApply, PeakRSS: peak, Calls: map[string]int{}} }
	for _, tc := range []struct {
		peak int64
		want verdict
	}{{149_999_999, met}, {150_000_000, notMet}} {
		got := rssTarget(l, lats, []result{runOf(l, 0, rss(40_000_000)), runOf(l, ms20, rss(tc.peak))})
		if got.Verdict != tc.want {
			t.Errorf("peak %d: %s", tc.peak, got.describe())
		}
	}
	if got := rssTarget(l, lats, []result{runOf(l, 0, rss(1))}); got.Verdict != unmeasured {
		t.Errorf("20 ms not run: %s", got.describe())
	}
}

// Every target names the largest size asked for, whatever the order.
func TestEvaluateNamesTheLargestSize(t *testing.T) {
	targets := evaluate([]size{{16, 1000}, {4, 50}, {16, 200}}, []time.Duration{0}, nil, nil)
	if len(targets) != 6 {
		t.Fatalf("%d targets, want 6", len(targets))
	}
	for _, i := range []int{2, 3, 5} {
		if !strings.Contains(targets[i].Name, "16x1000") {
			t.Errorf("target %q does not name 16x1000", targets[i].Name)
		}
	}
	for _, tg := range targets {
		if tg.Verdict != unmeasured {
			t.Errorf("with no runs: %s", tg.describe())
		}
	}
}
