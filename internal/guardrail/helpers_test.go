package guardrail

import (
	"slices"
	"strings"
	"testing"
)

// pool is a three-host openvswitch pool as installed: NICs eth0 to eth5
// on every host.
func pool() *Facts {
	f := &Facts{NetworkBackend: BackendOpenvswitch}
	for _, name := range []string{"xs1", "xs2", "xs3"} {
		f.Hosts = append(f.Hosts, Host{Name: name, NICs: []string{"eth0", "eth1", "eth2", "eth3", "eth4", "eth5"}})
	}
	return f
}

// with returns f after changing it.
func with(f *Facts, change func(*Facts)) *Facts {
	change(f)
	return f
}

// findings renders a result as sorted lines "<kind> <rule> at <path>", the
// form the tables state their expectations in.
func findings(r Result) []string {
	var out []string
	for _, d := range r.Diagnostics {
		out = append(out, d.Severity.String()+" "+d.Rule+" at "+pathString(d.Path))
	}
	for _, u := range r.Undecided {
		out = append(out, "undecided "+u.Rule+" at "+pathString(u.Path))
	}
	slices.Sort(out)
	return out
}

// checkFindings compares a result with the expected findings, and checks
// that the details contain each of the given fragments.
func checkFindings(t *testing.T, got Result, want []string, details []string) {
	t.Helper()
	want = slices.Clone(want)
	slices.Sort(want)
	if g := findings(got); !slices.Equal(g, want) {
		t.Errorf("findings:\n got  %q\n want %q\n%s", g, want, dump(got))
	}
	var all strings.Builder
	for _, d := range got.Diagnostics {
		all.WriteString(d.Summary + "\n" + d.Detail + "\n")
	}
	for _, u := range got.Undecided {
		all.WriteString(u.Reason + "\n")
	}
	for _, frag := range details {
		if !strings.Contains(all.String(), frag) {
			t.Errorf("no diagnostic says %q:\n%s", frag, dump(got))
		}
	}
	checkWording(t, got)
}

// checkWording holds every diagnostic to what an operator needs in CI
// output: the rule's ID, a Title Case summary, and a detail in full
// sentences that says what is wrong, why (the rule's Why), and what to do.
func checkWording(t *testing.T, r Result) {
	t.Helper()
	for _, d := range r.Diagnostics {
		rule, ok := ruleByID[d.Rule]
		if !ok {
			t.Errorf("diagnostic names no rule: %v", d)
			continue
		}
		if !isTitleCase(d.Summary) {
			t.Errorf("summary %q is not Title Case", d.Summary)
		}
		if !strings.Contains(d.Detail, rule.Why) {
			t.Errorf("detail of %s does not give the rule's why: %q", d.Rule, d.Detail)
		}
		if !strings.HasSuffix(d.Detail, ".") || strings.Contains(d.Detail, "..") {
			t.Errorf("detail of %s is not full sentences: %q", d.Rule, d.Detail)
		}
	}
	for _, u := range r.Undecided {
		if _, ok := ruleByID[u.Rule]; !ok || !strings.HasSuffix(u.Reason, ".") {
			t.Errorf("undecided %v: unknown rule or reason not a sentence", u)
		}
	}
}

func isTitleCase(s string) bool {
	for _, w := range strings.Fields(s) {
		if c := w[0]; c >= 'a' && c <= 'z' {
			return false
		}
	}
	return s != ""
}

func dump(r Result) string {
	var b strings.Builder
	for _, d := range r.Diagnostics {
		b.WriteString("  " + d.String() + "\n")
	}
	for _, u := range r.Undecided {
		b.WriteString("  " + u.String() + "\n")
	}
	return b.String()
}

// knownList returns a known list whose elements are all known, the common
// case for members = ["eth0", "eth1"].
func knownList[T any](elems ...T) Value[[]Value[T]] {
	vs := make([]Value[T], len(elems))
	for i, e := range elems {
		vs[i] = Known(e)
	}
	return Known(vs)
}
