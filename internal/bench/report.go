package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// printer writes the bench's output. A failure to write stops nothing
// and is reported when the bench ends.
type printer struct {
	w   io.Writer
	err error
	top int
}

func (p *printer) say(format string, args ...any) {
	if _, err := fmt.Fprintf(p.w, format, args...); err != nil && p.err == nil {
		p.err = err
	}
}

const stepFormat = "    %-12s %9s %12s %13s %8s %9s %9s %5s  %s\n"

func (p *printer) stepHeader() {
	p.say(stepFormat, "step", "wall", "provider CPU", "terraform CPU", "calls", "per res", "peak RSS", "procs", "top methods")
}

// stepLine prints a step as it ends.
func (p *printer) stepLine(s step) {
	providerCPU, rss := s.providerFigures()
	calls, per, procs := "-", "-", "-"
	if s.Providers > 0 {
		procs = fmt.Sprint(s.Providers)
	}
	if s.Calls != nil {
		calls = fmt.Sprint(s.calls())
		per = fmt.Sprintf("%.2f", s.perResource(float64(s.calls())))
	}
	var top []string
	for _, m := range s.topMethods(p.top) {
		top = append(top, fmt.Sprintf("%s %d", m.Method, m.Calls))
	}
	p.say(stepFormat, s.Name, seconds(s.Wall), providerCPU, seconds(s.TerraformCPU), calls, per, rss, procs, strings.Join(top, ", "))
}

// providerFigures are the step's provider CPU time and peak RSS as
// printed, or "-" for a step that started no provider (the terraform_data
// floor's).
func (s step) providerFigures() (cpu, rss string) {
	if s.Providers == 0 {
		return "-", "-"
	}
	return seconds(s.ProviderCPU), megabytes(s.PeakRSS)
}

// row is one line of the results table.
type row struct {
	size, latency, cache, step, wall, providerCPU, terraformCPU, calls, per, rss string
}

// rows lists, size by size, the floors' steps and then every run's.
func rows(results []result, floors []floor) []row {
	var sizes []size
	for _, f := range floors {
		if !slices.Contains(sizes, f.Size) {
			sizes = append(sizes, f.Size)
		}
	}
	for _, r := range results {
		if !slices.Contains(sizes, r.Size) {
			sizes = append(sizes, r.Size)
		}
	}
	slices.SortStableFunc(sizes, func(a, b size) int { return a.resources() - b.resources() })
	var out []row
	for _, sz := range sizes {
		for _, f := range floors {
			if f.Size != sz {
				continue
			}
			for _, s := range f.Steps {
				providerCPU, rss := s.providerFigures()
				out = append(out, row{f.Size.String(), "-", f.Kind, s.Name, seconds(s.Wall),
					providerCPU, seconds(s.TerraformCPU), "-", "-", rss})
			}
			if f.Stopped != "" {
				out = append(out, row{f.Size.String(), "-", f.Kind, f.Stopped, "", "", "", "", "", ""})
			}
		}
		for _, r := range results {
			if r.Size != sz {
				continue
			}
			for _, s := range r.Steps {
				out = append(out, row{
					r.Size.String(), latencyString(r.Latency), r.Mode, s.Name, seconds(s.Wall),
					seconds(s.ProviderCPU), seconds(s.TerraformCPU),
					fmt.Sprint(s.calls()), fmt.Sprintf("%.2f", s.perResource(float64(s.calls()))), megabytes(s.PeakRSS),
				})
			}
			switch {
			case r.Skipped != "":
				out = append(out, row{r.Size.String(), latencyString(r.Latency), r.Mode, "skipped: over the budget", "", "", "", "", "", ""})
			case r.Stopped != "":
				out = append(out, row{r.Size.String(), latencyString(r.Latency), r.Mode, r.Stopped, "", "", "", "", "", ""})
			}
		}
	}
	return out
}

var header = row{"size", "per call", "pool cache", "step", "wall", "provider CPU", "terraform CPU", "calls", "calls/resource", "peak RSS"}

// table prints every step of every run, one per line.
func (p *printer) table(results []result, floors []floor) {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, r := range append([]row{header}, rows(results, floors)...) {
		if _, err := fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			r.size, r.latency, r.cache, r.step, r.wall, r.providerCPU, r.terraformCPU, r.calls, r.per, r.rss); err != nil && p.err == nil {
			p.err = err
		}
	}
	if err := tw.Flush(); err != nil && p.err == nil {
		p.err = err
	}
	// The empty cells of a skipped or stopped run are padded to the
	// columns' width; the line ends at its text.
	for line := range strings.Lines(b.String()) {
		p.say("%s\n", strings.TrimRight(line, " \n"))
	}
}

// markdown prints the same table in Markdown, as the performance guide
// shows it.
func (p *printer) markdown(results []result, floors []floor) {
	line := func(cells ...string) { p.say("| %s |\n", strings.Join(cells, " | ")) }
	h := header
	line(h.size, h.latency, h.cache, h.step, h.wall, h.providerCPU, h.terraformCPU, h.calls, h.per, h.rss)
	line("----", "-------:", "----------", "----", "---:", "-----------:", "------------:", "----:", "-------------:", "-------:")
	for _, r := range rows(results, floors) {
		line(r.size, r.latency, r.cache, r.step, r.wall, r.providerCPU, r.terraformCPU, r.calls, r.per, r.rss)
	}
}
