// Command bench measures what xsnet costs as pools and configurations
// grow: for each size (hosts x VLANs) it starts a simulated pool in
// process, at no latency and with a latency per call, and runs terraform
// apply, a plan that must find nothing to change, an apply that adds VLANs,
// and destroy, with the provider's pool cache on and off. For every step it
// prints the wall time, the XenAPI calls (from the simulator's counters) in
// all, by method and per resource, and the provider's peak RSS. It also
// runs two floors: Terraform alone, with as many terraform_data resources,
// and the same configuration on the inert provider, xsnet's schemas with
// no work behind them, which shows what Terraform and the plugin framework
// cost for xsnet's resources. Then it says which of xsnet's targets are
// met.
//
// Every run has a wall-time budget, and the whole bench another: a run
// that the runs before it say would exceed its budget is skipped, with the
// reason, and a run that exceeds it is stopped.
//
// Like the demo, it touches nothing outside a temporary directory of its
// own: terraform runs with a CLI configuration written there, never the
// user's ~/.terraformrc or TF_CLI_CONFIG_FILE.
//
// Run it with `make bench`, and see docs/guides/performance.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	if os.Getenv(wrapProviderEnv) != "" {
		os.Exit(wrapMain())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := 0
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		code = 1
		if !errors.Is(err, errTargetsNotMet) {
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
		if errors.Is(err, flag.ErrHelp) {
			code = 2
		}
	}
	stop()
	os.Exit(code)
}

// options are the bench's flags.
type options struct {
	sizes       []size
	latencies   []time.Duration
	modes       []string
	budget      time.Duration
	total       time.Duration
	parallelism int
	probeVLANs  int
	top         int
	floor       bool
	markdown    bool
	strict      bool
}

// errTargetsNotMet is run's answer under -strict when a target is not met.
var errTargetsNotMet = errors.New("a target is not met")

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	sizes := fs.String("sizes", "4x50,16x200,16x1000", "pool sizes to measure, hosts x VLANs, comma-separated")
	latencies := fs.String("latencies", "0,20ms", "time the simulated pool adds to every call, comma-separated")
	modes := fs.String("modes", "on,off", "pool cache modes, comma-separated: on, off ("+poolCacheEnv+"=off)")
	fs.DurationVar(&o.budget, "budget", 5*time.Minute, "wall-time budget of one run (a size at a latency in a mode)")
	fs.DurationVar(&o.total, "total", 40*time.Minute, "wall-time budget of the whole bench")
	fs.IntVar(&o.parallelism, "parallelism", 10, "terraform -parallelism")
	fs.IntVar(&o.probeVLANs, "vlan-create", 10, "VLANs the vlan-create step adds")
	fs.IntVar(&o.top, "top", 5, "methods to show per step, most called first")
	fs.BoolVar(&o.floor, "floor", true, "also run the floors: terraform_data alone, and the configuration on the inert provider")
	fs.BoolVar(&o.markdown, "markdown", false, "print the results table in Markdown too")
	fs.BoolVar(&o.strict, "strict", false, "exit 1 when a target is not met")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.probeVLANs < 1 || o.parallelism < 1 || o.budget <= 0 || o.total <= 0 {
		return o, errors.New("-vlan-create and -parallelism must be at least 1, and -budget and -total positive")
	}
	var err error
	if o.sizes, err = parseSizes(*sizes, o.probeVLANs); err != nil {
		return o, err
	}
	slices.SortStableFunc(o.sizes, func(a, b size) int { return a.resources() - b.resources() })
	for field := range strings.SplitSeq(*latencies, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		if field == "0" {
			field = "0s"
		}
		d, err := time.ParseDuration(field)
		if err != nil || d < 0 {
			return o, fmt.Errorf("latency %q: write a duration such as 20ms", field)
		}
		if !slices.Contains(o.latencies, d) {
			o.latencies = append(o.latencies, d)
		}
	}
	slices.Sort(o.latencies)
	for field := range strings.SplitSeq(*modes, ",") {
		switch field = strings.TrimSpace(field); field {
		case cacheOn, cacheOff:
			if !slices.Contains(o.modes, field) {
				o.modes = append(o.modes, field)
			}
		case "":
		default:
			return o, fmt.Errorf("pool cache mode %q: want on or off", field)
		}
	}
	if len(o.latencies) == 0 || len(o.modes) == 0 {
		return o, errors.New("-latencies and -modes must each name at least one")
	}
	return o, nil
}

func run(ctx context.Context, args []string, out, stderr io.Writer) (err error) {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	dir, err := os.MkdirTemp("", "xsnet-bench-")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, os.RemoveAll(dir)) }()
	p := &printer{w: out, top: o.top}

	p.say("Building the provider from this tree\n")
	b, err := newBench(ctx, dir)
	if err != nil {
		return err
	}
	b.parallelism, b.probeVLANs = o.parallelism, o.probeVLANs
	b.stepDone = p.stepLine

	var (
		results []result
		floors  []floor
	)
	for _, s := range o.sizes {
		if o.floor {
			for _, kind := range []string{floorTerraformData, floorInert} {
				p.say("\n==> %s: %s\n", s, floorTitle(kind, s))
				budget, spent := o.runBudget(start)
				if spent != "" {
					p.say("    skipped: %s\n", spent)
					floors = append(floors, floor{Kind: kind, Size: s, Stopped: "skipped: " + spent})
					continue
				}
				p.stepHeader()
				f, err := b.floor(ctx, kind, s, budget)
				if err != nil {
					return err
				}
				for _, st := range f.Steps {
					p.stepLine(st)
				}
				if f.Stopped != "" {
					p.say("    %s\n", f.Stopped)
				}
				floors = append(floors, f)
			}
		}
		for _, l := range o.latencies {
			for _, m := range o.modes {
				k := runKey{Size: s, Latency: l, Mode: m}
				p.say("\n==> %s: %d hosts, %d VLANs (%d resources), %s per call, pool cache %s\n",
					s, s.Hosts, s.VLANs, s.resources(), latencyString(l), m)
				budget, spent := o.runBudget(start)
				if e := estimateRun(k, results, floors); spent == "" && (e.Over || e.Wall > budget) {
					spent = skipReason(e, budget)
				}
				if spent != "" {
					p.say("    skipped: %s\n", spent)
					results = append(results, result{runKey: k, Skipped: spent})
					continue
				}
				p.stepHeader()
				r, err := b.run(ctx, k, budget)
				if err != nil {
					return err
				}
				if r.Stopped != "" {
					p.say("    %s\n", r.Stopped)
				}
				results = append(results, r)
			}
		}
	}

	p.say("\n==> Results\n\n")
	p.table(results, floors)
	if o.markdown {
		p.say("\n")
		p.markdown(results, floors)
	}
	p.say("\n==> Targets, with the pool cache on\n\n")
	targets := evaluate(o.sizes, o.latencies, results, floors)
	allMet := true
	for _, t := range targets {
		p.say("%s", t.describe())
		allMet = allMet && t.Verdict == met
	}
	p.say("\ndone in %s\n", time.Since(start).Round(time.Second))
	if p.err != nil {
		return p.err
	}
	if o.strict && !allMet {
		return errTargetsNotMet
	}
	return nil
}

// floorTitle heads a floor's steps.
func floorTitle(kind string, s size) string {
	if kind == floorInert {
		return fmt.Sprintf("the inert provider: xsnet's configuration and schemas, no pool, %d resources", s.resources())
	}
	return fmt.Sprintf("Terraform alone, %d terraform_data resources", s.resources())
}

// runBudget is the budget of the next run: -budget, or what is left of
// -total when that is less. spent says why there is none left.
func (o options) runBudget(start time.Time) (budget time.Duration, spent string) {
	left := o.total - time.Since(start)
	if left <= 0 {
		return 0, fmt.Sprintf("the bench's total budget of %s is spent; raise -total to run it", o.total)
	}
	return min(o.budget, left), ""
}

func skipReason(e estimate, budget time.Duration) string {
	if e.Over {
		return e.Basis + "; raise -budget to run it"
	}
	return fmt.Sprintf("expected to take about %s (%s), over the budget of %s; raise -budget to run it",
		e.Wall.Round(time.Second), e.Basis, budget)
}
