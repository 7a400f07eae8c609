package main

import (
	"fmt"
	"time"
)

// estimate is what the runs made so far say about how long the run k will
// take: an expected wall time and the reasoning behind it, or over set
// when a run it builds on did not fit the budget already. An empty basis
// means there is nothing to go on.
type estimate struct {
	Wall  time.Duration
	Basis string
	Over  bool
}

// estimateRun predicts run k from done, and from floors, Terraform's own
// time at each size.
//
// From the largest complete run with the same latency and mode and fewer
// resources, the time beyond Terraform's own is scaled by the resources,
// and also by the pool's PIFs when that run's plan made more than one call
// per resource: every read then takes a whole snapshot of the pool, whose
// size grows with the PIFs. A run with latency is expected to take at
// least as long as the same run without.
func estimateRun(k runKey, done []result, floors []floor) estimate {
	var prev *result
	for i := range done {
		r := &done[i]
		if r.Latency != k.Latency || r.Mode != k.Mode || r.Size.resources() >= k.Size.resources() {
			continue
		}
		if !r.complete() {
			return estimate{Over: true, Basis: fmt.Sprintf("%s at %s did not fit the budget, so this larger run would not either",
				r.Size, latencyString(r.Latency))}
		}
		if prev == nil || r.Size.resources() > prev.Size.resources() {
			prev = r
		}
	}
	var e estimate
	if prev != nil {
		factor := float64(k.Size.resources()) / float64(prev.Size.resources())
		e.Basis = fmt.Sprintf("%s took %s; %.1fx the resources", prev.Size, prev.wall().Round(time.Second), factor)
		if plan, ok := prev.step(stepPlan); ok && plan.perResource(float64(plan.calls())) > 1 {
			pifs := float64(k.Size.pifs()) / float64(prev.Size.pifs())
			factor *= pifs
			e.Basis += fmt.Sprintf(", each read a snapshot of %.1fx the PIFs", pifs)
		}
		own, next := floorWall(floors, prev.Size), floorWall(floors, k.Size)
		if own == 0 || next == 0 || own > prev.wall() {
			own, next = 0, 0
		}
		e.Wall = next + time.Duration(float64(prev.wall()-own)*factor)
	}
	if k.Latency > 0 {
		for _, r := range done {
			if r.Size != k.Size || r.Mode != k.Mode || r.Latency != 0 {
				continue
			}
			if !r.complete() {
				return estimate{Over: true, Basis: fmt.Sprintf("%s at 0 ms did not fit the budget, so it would not with latency either", r.Size)}
			}
			if r.wall() > e.Wall {
				e.Wall = r.wall()
				e.Basis = fmt.Sprintf("%s took %s at 0 ms per call", r.Size, r.wall().Round(time.Second))
			}
		}
	}
	return e
}

// latencyString writes a latency per call the way the results show it.
func latencyString(d time.Duration) string {
	return fmt.Sprintf("%g ms", float64(d)/float64(time.Millisecond))
}

// floorWall is Terraform's own time at a size, from the terraform_data
// floor, or 0 if it was not measured.
func floorWall(floors []floor, s size) time.Duration {
	f, ok := floorOf(floors, floorTerraformData, s)
	if !ok || f.Stopped != "" {
		return 0
	}
	var d time.Duration
	for _, st := range f.Steps {
		d += st.Wall
	}
	return d
}
