package guardrail

import (
	"fmt"
	"strings"
)

// Stage is when a check runs. Each stage knows more than the one before:
// Validate has the configuration alone, Plan adds the pool's Facts, and
// Apply runs just before xsnet changes the pool.
type Stage int

// The stages, in the order Terraform reaches them.
const (
	Validate Stage = iota
	Plan
	Apply
)

// String returns the command an operator sees the check in.
func (s Stage) String() string {
	switch s {
	case Validate:
		return "terraform validate"
	case Plan:
		return "terraform plan"
	case Apply:
		return "terraform apply"
	}
	return fmt.Sprintf("Stage(%d)", int(s))
}

// Severity says whether a Diagnostic stops Terraform.
type Severity int

// Severities.
const (
	// Error refuses the configuration.
	Error Severity = iota
	// Warning lets the plan go on but shows in its output, for review.
	Warning
)

// String returns "error" or "warning".
func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one finding of a rule, written for an operator reading CI
// output in code review.
type Diagnostic struct {
	// Rule is the ID of the rule that found it.
	Rule string
	// Severity is Error or Warning.
	Severity Severity
	// Path is the attribute to blame, as plain steps such as ["mtu"] or
	// ["members", "1"]; empty when the resource as a whole is to blame.
	Path []string
	// Summary is a short Title Case headline.
	Summary string
	// Detail is full sentences: what is wrong with the actual value, the
	// failure it leads to, and what to write instead.
	Detail string
}

// String renders d on one line, for logs and test failures.
func (d Diagnostic) String() string {
	return fmt.Sprintf("%s %s at %s: %s: %s", d.Severity, d.Rule, pathString(d.Path), d.Summary, d.Detail)
}

// Undecided is a rule a check could not decide, because a value it needs is
// not known yet or because it needs the pool's Facts.
type Undecided struct {
	// Rule is the ID of the rule.
	Rule string
	// Path is the attribute whose value is missing; empty when what is
	// missing is the pool's Facts.
	Path []string
	// Reason says in a sentence what is missing.
	Reason string
}

// String renders u on one line.
func (u Undecided) String() string {
	return fmt.Sprintf("undecided %s at %s: %s", u.Rule, pathString(u.Path), u.Reason)
}

// Result is what a check found: the diagnostics, and the rules it could not
// decide yet. A caller shows the diagnostics and runs the check again at the
// next Stage while Undecided is not empty. At Apply a check never returns
// undecided rules: they come back as errors instead.
type Result struct {
	Diagnostics []Diagnostic
	Undecided   []Undecided
}

// HasError reports whether any diagnostic is an Error.
func (r Result) HasError() bool {
	for _, d := range r.Diagnostics {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// checker collects the findings of one check.
type checker struct {
	at  Stage
	res Result
}

// fail reports a violation of rule r at path: what is wrong, then the rule's
// why, then fix (the rule's Fix when fix is empty).
func (c *checker) fail(r *Rule, path []string, what, fix string) {
	c.report(Error, r, r.Title, path, what, fix)
}

func (c *checker) warn(r *Rule, summary string, path []string, what, fix string) {
	c.report(Warning, r, summary, path, what, fix)
}

func (c *checker) report(sev Severity, r *Rule, summary string, path []string, what, fix string) {
	if fix == "" {
		fix = r.Fix
	}
	c.res.Diagnostics = append(c.res.Diagnostics, Diagnostic{
		Rule:     r.ID,
		Severity: sev,
		Path:     path,
		Summary:  summary,
		Detail:   what + " " + r.Why + " " + fix,
	})
}

// undecided records that rule r needs a value that is not known yet.
func (c *checker) undecided(r *Rule, path []string, reason string) {
	c.res.Undecided = append(c.res.Undecided, Undecided{Rule: r.ID, Path: path, Reason: reason})
}

// unknown records that rule r needs the attribute at path, which is unknown.
func (c *checker) unknown(r *Rule, path []string) {
	c.undecided(r, path, fmt.Sprintf("%s is not known yet.", pathString(path)))
}

// needFacts records that rule r needs the pool's facts.
func (c *checker) needFacts(r *Rule) {
	c.undecided(r, nil, "It needs the pool's facts, which xsnet reads at plan time.")
}

// result returns the findings. At Apply a rule still undecided becomes an
// error: xsnet does not change the pool with a guardrail unchecked.
func (c *checker) result() Result {
	if c.at != Apply {
		return c.res
	}
	for _, u := range c.res.Undecided {
		r := ruleByID[u.Rule]
		c.res.Diagnostics = append(c.res.Diagnostics, Diagnostic{
			Rule:     u.Rule,
			Severity: Error,
			Path:     u.Path,
			Summary:  "Guardrail Could Not Be Checked",
			Detail: fmt.Sprintf("xsnet could not check the guardrail %q (%s) before changing the pool. %s "+
				"xsnet checks every guardrail before any change and does not skip one it cannot decide. %s "+
				"Make the value known before apply, or make sure the pool can be read, then run terraform apply again.",
				u.Rule, r.Title, u.Reason, r.Why),
		})
	}
	c.res.Undecided = nil
	return c.res
}

func pathString(p []string) string {
	if len(p) == 0 {
		return "(resource)"
	}
	var b strings.Builder
	for i, s := range p {
		if i > 0 && isIndex(s) {
			b.WriteString("[" + s + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Decide returns r as a check at Apply returns it: every rule still
// undecided becomes an error, since xsnet changes nothing with a guardrail
// unchecked.
func Decide(r Result) Result {
	c := &checker{at: Apply, res: r}
	return c.result()
}
