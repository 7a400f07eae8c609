package guardrail

import "testing"

func TestCheckPolicy(t *testing.T) {
	tests := []struct {
		name    string
		policy  Policy
		want    []string
		details []string
		relaxed bool
		known   bool
	}{
		{name: "the default allows balance-slb only", policy: DefaultPolicy(), known: true},
		{name: "balance-slb alone is not relaxed", policy: relaxed(BondModeBalanceSLB), known: true},
		{name: "allowing lacp relaxes the policy", policy: relaxed(BondModeBalanceSLB, BondModeLACP), relaxed: true, known: true},
		{name: "a mode xapi does not know is refused", policy: relaxed(BondModeBalanceSLB, "balance-tlb"),
			want:    []string{"error bond-mode at guardrails.allowed_bond_modes[1]"},
			details: []string{`allowed_bond_modes lists "balance-tlb", which is not a XenServer bond mode`},
			relaxed: true, known: true},
		{name: "an empty list is refused", policy: relaxed(),
			want: []string{"error bond-mode at guardrails.allowed_bond_modes"}, known: true},
		{name: "a policy from a variable is decided later", policy: Policy{},
			want: []string{"undecided bond-mode at guardrails.allowed_bond_modes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, CheckPolicy(Validate, tt.policy), tt.want, tt.details)
			relaxed, known := tt.policy.Relaxed()
			if relaxed != tt.relaxed || known != tt.known {
				t.Errorf("Relaxed() = %v, %v; want %v, %v", relaxed, known, tt.relaxed, tt.known)
			}
		})
	}
}
