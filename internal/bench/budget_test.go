package main

import (
	"strings"
	"testing"
	"time"
)

// completed is a complete run of four steps of wall/4 each, whose plan
// makes planCalls calls.
func completed(s size, latency time.Duration, mode string, wall time.Duration, planCalls int) result {
	r := result{runKey: runKey{Size: s, Latency: latency, Mode: mode}}
	for _, name := range []string{stepApply, stepPlan, stepVLANCreate, stepDestroy} {
		st := step{Name: name, Resources: s.resources(), Wall: wall / 4, Calls: map[string]int{}}
		if name == stepPlan {
			st.Calls["PIF.get_all_records"] = planCalls
		}
		r.Steps = append(r.Steps, st)
	}
	return r
}

func TestEstimateRun(t *testing.T) {
	small, large := size{4, 47}, size{8, 197} // 50 and 200 resources; 212 and 1624 PIFs
	next := runKey{Size: large, Mode: cacheOff}
	for _, tc := range []struct {
		name   string
		done   []result
		floors []floor
		want   time.Duration
		basis  string
	}{
		{
			name:  "nothing to go on",
			done:  []result{completed(small, ms20, cacheOff, 100*time.Second, 700), completed(small, 0, cacheOn, 100*time.Second, 700)},
			want:  0,
			basis: "",
		},
		{
			name:  "reads from a cache: in proportion to the resources",
			done:  []result{completed(small, 0, cacheOff, 100*time.Second, 50)},
			want:  400 * time.Second,
			basis: "4x47 took 1m40s; 4.0x the resources",
		},
		{
			name:  "a snapshot per read: to the resources times the PIFs",
			done:  []result{completed(small, 0, cacheOff, 100*time.Second, 51)},
			want:  scaled(400*time.Second, 1624.0/212.0),
			basis: "each read a snapshot of 7.7x the PIFs",
		},
		{
			name: "from the largest size run",
			done: []result{
				completed(size{2, 7}, 0, cacheOff, 10*time.Second, 10),
				completed(small, 0, cacheOff, 100*time.Second, 50),
			},
			want: 400 * time.Second,
		},
		{
			name: "Terraform's own time is not scaled",
			done: []result{completed(small, 0, cacheOff, 100*time.Second, 50)},
			floors: []floor{
				// The inert floor is not Terraform's own time.
				{Kind: floorInert, Size: small, Steps: []step{{Wall: 50 * time.Second}}},
				{Kind: floorInert, Size: large, Steps: []step{{Wall: 300 * time.Second}}},
				{Kind: floorTerraformData, Size: small, Steps: []step{{Wall: 10 * time.Second}, {Wall: 10 * time.Second}}},
				{Kind: floorTerraformData, Size: large, Steps: []step{{Wall: 30 * time.Second}}},
			},
			want: 30*time.Second + 4*80*time.Second,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := estimateRun(next, tc.done, tc.floors)
			if e.Over || e.Wall.Round(time.Millisecond) != tc.want.Round(time.Millisecond) || !strings.Contains(e.Basis, tc.basis) {
				t.Errorf("estimate %+v, want %s (%q)", e, tc.want, tc.basis)
			}
		})
	}
}

// A run that did not fit the budget says that larger ones will not, and a
// run with latency takes at least as long as the same one without.
func TestEstimateRunFromRunsOverBudget(t *testing.T) {
	small, large := size{4, 47}, size{8, 197}
	skipped := result{runKey: runKey{Size: small, Mode: cacheOff}, Skipped: "over"}
	stopped := result{runKey: runKey{Size: small, Mode: cacheOff}, Stopped: "stopped", Steps: []step{{Name: stepApply}}}
	for _, r := range []result{skipped, stopped} {
		if e := estimateRun(runKey{Size: large, Mode: cacheOff}, []result{r}, nil); !e.Over {
			t.Errorf("after %+v: %+v", r, e)
		}
	}
	if e := estimateRun(runKey{Size: small, Mode: cacheOff, Latency: ms20}, []result{stopped}, nil); !e.Over {
		t.Errorf("the same size at 20 ms after it stopped at 0 ms: %+v", e)
	}
	if e := estimateRun(runKey{Size: large, Mode: cacheOn}, []result{skipped}, nil); e.Over || e.Basis != "" {
		t.Errorf("cache on after cache off did not fit: %+v", e)
	}
	done := []result{completed(large, 0, cacheOff, 300*time.Second, 1)}
	if e := estimateRun(runKey{Size: large, Mode: cacheOff, Latency: ms20}, done, nil); e.Over || e.Wall != 300*time.Second {
		t.Errorf("the same size at 20 ms after 5m at 0 ms: %+v", e)
	}
}

func scaled(d time.Duration, f float64) time.Duration { return time.Duration(float64(d) * f) }
