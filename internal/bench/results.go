package main

import (
	"cmp"
	"slices"
	"time"
)

// The pool cache's two modes: xsnet's event-fed cache, and a whole
// snapshot of the pool on every read, as before the cache.
const (
	cacheOn  = "on"
	cacheOff = "off"
)

// poolCacheEnv switches the provider's pool cache off when it is "off".
const poolCacheEnv = "XSNET_POOL_CACHE"

// The steps of a run, in order.
const (
	stepApply      = "apply"       // create the whole configuration
	stepPlan       = "plan"        // refresh everything, expecting no changes
	stepVLANCreate = "vlan-create" // add VLANs to the applied configuration
	stepDestroy    = "destroy"     // destroy everything
)

// waitMethods are the calls that wait for xapi rather than ask it
// something: how many a step makes depends on how long tasks take and how
// xapi batches events, not on what xsnet chooses to do.
var waitMethods = map[string]bool{
	"event.from":      true,
	"task.get_status": true,
}

// step is what one terraform command cost.
type step struct {
	Name string
	// Resources is how many resources the step plans, creates or destroys.
	Resources int
	Wall      time.Duration
	// Calls counts XenAPI calls by method; nil for the floors.
	Calls map[string]int
	// PeakRSS is the largest peak RSS, in bytes, of the provider processes
	// Terraform started; Providers is how many it started.
	PeakRSS   int64
	Providers int
	// ProviderCPU is the user and system CPU time of those provider
	// processes, summed; TerraformCPU is Terraform's own: the command's CPU
	// time less the providers' and their wrappers'. Together they tell
	// whose the wall time is when it is not spent waiting for the pool.
	ProviderCPU  time.Duration
	TerraformCPU time.Duration
}

// calls is the step's total XenAPI calls.
func (s step) calls() int {
	n := 0
	for _, c := range s.Calls {
		n += c
	}
	return n
}

// callsWithoutWaits is the step's calls less those that wait: the count
// that depends on xsnet alone.
func (s step) callsWithoutWaits() int {
	n := 0
	for m, c := range s.Calls {
		if !waitMethods[m] {
			n += c
		}
	}
	return n
}

// perResource divides n by the step's resources.
func (s step) perResource(n float64) float64 {
	if s.Resources == 0 {
		return 0
	}
	return n / float64(s.Resources)
}

// methodCount is one method's share of a step's calls.
type methodCount struct {
	Method string
	Calls  int
}

// topMethods returns the n methods called most, most first, ties by name.
func (s step) topMethods(n int) []methodCount {
	var out []methodCount
	for m, c := range s.Calls {
		out = append(out, methodCount{m, c})
	}
	slices.SortFunc(out, func(a, b methodCount) int {
		return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Method, b.Method))
	})
	return out[:min(n, len(out))]
}

// runKey names a run: a size, a latency per call and a pool cache mode.
type runKey struct {
	Size    size
	Latency time.Duration
	Mode    string
}

// result is a run: its steps, or why it was not made or not finished.
type result struct {
	runKey
	Steps []step
	// Skipped says why the run was not started; Stopped why it ended
	// before its last step. Both are about the wall-time budget.
	Skipped, Stopped string
}

// complete reports whether every step ran.
func (r result) complete() bool { return r.Skipped == "" && r.Stopped == "" }

// step returns the step with the name, if it ran.
func (r result) step(name string) (step, bool) {
	for _, s := range r.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return step{}, false
}

// wall is the time all the run's steps took.
func (r result) wall() time.Duration {
	var d time.Duration
	for _, s := range r.Steps {
		d += s.Wall
	}
	return d
}

// The floors: what a size costs with xsnet's own work taken out.
const (
	// floorTerraformData is Terraform alone: as many of its built-in
	// terraform_data resources as the size's configuration has, with no
	// provider process at all.
	floorTerraformData = "terraform_data"
	// floorInert is the size's configuration on the inert provider
	// (internal/provider/inert): xsnet's schemas through the plugin
	// framework, with no pool behind them.
	floorInert = "inert"
)

// floor is what a size costs Terraform, and the framework for the inert
// floor, without xsnet's work.
type floor struct {
	Kind    string
	Size    size
	Steps   []step
	Stopped string
}

func (f floor) step(name string) (step, bool) {
	for _, s := range f.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return step{}, false
}

// floorOf returns the floor of the kind at the size, if the bench ran it.
func floorOf(floors []floor, kind string, s size) (floor, bool) {
	for _, f := range floors {
		if f.Kind == kind && f.Size == s {
			return f, true
		}
	}
	return floor{}, false
}

// findFloor returns the step of the floor of the kind at the size, if it
// ran.
func findFloor(floors []floor, kind string, s size, name string) (step, bool) {
	f, ok := floorOf(floors, kind, s)
	if !ok {
		return step{}, false
	}
	return f.step(name)
}
