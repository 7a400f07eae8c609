package guardrail

import (
	"fmt"
	"slices"
	"strings"
)

// Policy is the provider's guardrails policy. Its zero value is unknown, as
// a provider block is at validate time; DefaultPolicy is the policy of a
// provider without a guardrails block.
type Policy struct {
	// AllowedBondModes lists the bond modes the provider accepts besides
	// balance-slb, which every policy allows. Null means the default,
	// balance-slb only. A list with any unknown element is Unknown as a
	// whole.
	AllowedBondModes Value[[]string]
}

// DefaultPolicy allows balance-slb bonds only.
func DefaultPolicy() Policy { return Policy{AllowedBondModes: Null[[]string]()} }

// bondModes returns the allowed modes, balance-slb first, and false when
// the policy is not known.
func (p Policy) bondModes() ([]string, bool) {
	modes, ok := p.AllowedBondModes.GetOr(nil)
	if !ok {
		return nil, false
	}
	out := []string{BondModeBalanceSLB}
	for _, m := range modes {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, true
}

// Relaxed reports whether the policy allows a bond mode other than
// balance-slb; known is false when the policy is not known.
func (p Policy) Relaxed() (relaxed, known bool) {
	modes, ok := p.bondModes()
	if !ok {
		return false, false
	}
	return slices.ContainsFunc(modes, func(m string) bool { return m != BondModeBalanceSLB }), true
}

// CheckPolicy checks the provider's guardrails block itself: every mode it
// allows is a XenServer bond mode, and it allows at least one.
func CheckPolicy(at Stage, p Policy) Result {
	c := &checker{at: at}
	path := []string{AttrGuardrails, AttrAllowedBondModes}
	modes, ok := p.AllowedBondModes.GetOr([]string{BondModeBalanceSLB})
	if !ok {
		c.unknown(ruleBondMode, path)
		return c.result()
	}
	if len(modes) == 0 {
		c.fail(ruleBondMode, path,
			"The guardrails block allows no bond mode (allowed_bond_modes = []), so every bond would be refused.",
			`Write allowed_bond_modes = ["balance-slb"], or leave it out for that default.`)
	}
	for i, m := range modes {
		if !isBondMode(m) {
			c.fail(ruleBondMode, []string{AttrGuardrails, AttrAllowedBondModes, fmt.Sprint(i)},
				fmt.Sprintf("allowed_bond_modes lists %q, which is not a XenServer bond mode.", m),
				"List only "+quotedList(bondModes)+".")
		}
	}
	return c.result()
}

var bondModes = []string{BondModeBalanceSLB, BondModeActiveBackup, BondModeLACP}

func isBondMode(m string) bool { return slices.Contains(bondModes, m) }

// quotedList quotes each of ss and joins them with commas and "or".
func quotedList(ss []string) string { return joinQuoted(ss, "or") }

// quotedAll quotes each of ss and joins them with commas and "and".
func quotedAll(ss []string) string { return joinQuoted(ss, "and") }

func joinQuoted(ss []string, conj string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + conj + " " + q[len(q)-1]
}
