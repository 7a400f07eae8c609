package guardrail

import (
	"testing"
)

// bond is a VM-traffic bond of eth2 and eth3 with everything else left to
// XenServer's defaults, changed by change.
func bond(change func(*Bond)) Bond {
	b := Bond{
		Members:          knownList("eth2", "eth3"),
		Mode:             Null[string](),
		MTU:              Null[int64](),
		Management:       Null[bool](),
		HashingAlgorithm: Null[string](),
	}
	if change != nil {
		change(&b)
	}
	return b
}

func relaxed(modes ...string) Policy { return Policy{AllowedBondModes: Known(modes)} }

// At Validate the pool is not known, so the rules that need it are always
// undecided; the tables below list them with the rest.
const freeAtValidate = "undecided bond-member-free at (resource)"

// What a bond's configuration decides alone of rule 1. Where management
// ends up, and at what MTU, is the end state's (endstate_test.go).
func TestCheckBondManagementMTU(t *testing.T) {
	tests := []struct {
		name    string
		at      Stage
		bond    Bond
		want    []string
		details []string
	}{
		{
			name: "a management bond at MTU 9000 fails validate",
			at:   Validate,
			bond: bond(func(b *Bond) { b.Management, b.MTU = Known(true), Known[int64](9000) }),
			want: []string{"error management-mtu at mtu", freeAtValidate},
			details: []string{"management = true", "mtu = 9000", "drop out of the pool after a reboot",
				"Set mtu = 1500"},
		},
		{
			name: "a management bond at MTU 1500 passes",
			at:   Validate,
			bond: bond(func(b *Bond) { b.Management, b.MTU = Known(true), Known[int64](1500) }),
			want: []string{freeAtValidate},
		},
		{
			name: "a management bond that leaves mtu out gets xapi's 1500 and passes",
			at:   Validate,
			bond: bond(func(b *Bond) { b.Management = Known(true) }),
			want: []string{freeAtValidate},
		},
		{
			name: "a jumbo bond that says nothing of management is left to the end state",
			at:   Validate,
			bond: bond(func(b *Bond) { b.MTU = Known[int64](9000) }),
			want: []string{freeAtValidate},
		},
		{
			name:    "a management bond whose MTU comes from a variable is decided later",
			at:      Validate,
			bond:    bond(func(b *Bond) { b.Management, b.MTU = Known(true), Unknown[int64]() }),
			want:    []string{"undecided management-mtu at mtu", "undecided mtu-range at mtu", freeAtValidate},
			details: []string{"mtu is not known yet."},
		},
		{
			name:    "at apply, a rule still undecided is an error, not a pass",
			at:      Apply,
			bond:    bond(func(b *Bond) { b.Management, b.MTU = Known(true), Unknown[int64]() }),
			want:    []string{"error management-mtu at mtu", "error mtu-range at mtu", "error bond-member-free at (resource)"},
			details: []string{"Guardrail Could Not Be Checked", `"management-mtu"`, "mtu is not known yet."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, CheckBond(tt.at, tt.bond, DefaultPolicy(), nil), tt.want, tt.details)
		})
	}
}

func TestCheckBondMode(t *testing.T) {
	lacp := bond(func(b *Bond) { b.Mode = Known(BondModeLACP) })
	tests := []struct {
		name    string
		at      Stage
		bond    Bond
		policy  Policy
		want    []string
		details []string
	}{
		{
			name:   "lacp fails validate under the default policy",
			at:     Validate,
			bond:   lacp,
			policy: DefaultPolicy(),
			want:   []string{"error bond-mode at mode", freeAtValidate},
			details: []string{`mode = "lacp" is not allowed`, "intermittent packet loss",
				`Set mode = "balance-slb"`, "allowed_bond_modes"},
		},
		{
			name:    "active-backup fails validate under the default policy",
			at:      Validate,
			bond:    bond(func(b *Bond) { b.Mode = Known(BondModeActiveBackup) }),
			policy:  DefaultPolicy(),
			want:    []string{"error bond-mode at mode", freeAtValidate},
			details: []string{`mode = "active-backup" is not allowed: the provider's guardrails policy allows only "balance-slb".`},
		},
		{
			name:   "balance-slb passes",
			at:     Validate,
			bond:   bond(func(b *Bond) { b.Mode = Known(BondModeBalanceSLB) }),
			policy: DefaultPolicy(),
			want:   []string{freeAtValidate},
		},
		{
			name:   "a bond that leaves mode out gets xapi's balance-slb and passes",
			at:     Validate,
			bond:   bond(nil),
			policy: DefaultPolicy(),
			want:   []string{freeAtValidate},
		},
		{
			name:    "a mode xapi does not know fails",
			at:      Validate,
			bond:    bond(func(b *Bond) { b.Mode = Known("802.3ad") }),
			policy:  relaxed(BondModeLACP),
			want:    []string{"error bond-mode at mode", freeAtValidate},
			details: []string{`mode = "802.3ad" is not a XenServer bond mode`},
		},
		{
			name:   "a mode from a variable is decided later",
			at:     Validate,
			bond:   bond(func(b *Bond) { b.Mode = Unknown[string]() }),
			policy: DefaultPolicy(),
			want:   []string{"undecided bond-mode at mode", freeAtValidate},
		},
		{
			name:    "lacp waits for a provider policy not known at validate",
			at:      Validate,
			bond:    lacp,
			policy:  Policy{},
			want:    []string{"undecided bond-mode at mode", freeAtValidate},
			details: []string{"guardrails policy is not known yet"},
		},
		{
			name:   "balance-slb passes under any policy, known or not",
			at:     Validate,
			bond:   bond(nil),
			policy: Policy{},
			want:   []string{freeAtValidate},
		},
		{
			name:    "a policy that allows lacp lets it through, with a warning on the plan",
			at:      Plan,
			bond:    lacp,
			policy:  relaxed(BondModeLACP),
			want:    []string{"warning bond-mode at mode"},
			details: []string{"Bond Mode Guardrail Relaxed", `allows the bond modes "balance-slb" and "lacp", not balance-slb alone`, `this bond's mode is "lacp"`},
		},
		{
			name:    "under a relaxed policy every bond's plan carries the warning, balance-slb too",
			at:      Plan,
			bond:    bond(nil),
			policy:  relaxed(BondModeBalanceSLB, BondModeActiveBackup),
			want:    []string{"warning bond-mode at mode"},
			details: []string{`this bond's mode is "balance-slb"`},
		},
		{
			name:   "the warning is for plans: validate stays quiet",
			at:     Validate,
			bond:   lacp,
			policy: relaxed(BondModeLACP),
			want:   []string{freeAtValidate},
		},
		{
			name:    "a policy relaxed for active-backup still refuses lacp",
			at:      Plan,
			bond:    lacp,
			policy:  relaxed(BondModeActiveBackup),
			want:    []string{"error bond-mode at mode", "warning bond-mode at mode"},
			details: []string{`the provider's guardrails policy allows only "balance-slb" and "active-backup"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f *Facts
			if tt.at != Validate {
				f = pool()
			}
			checkFindings(t, CheckBond(tt.at, tt.bond, tt.policy, f), tt.want, tt.details)
		})
	}
}

func TestCheckBondXenCenterLimits(t *testing.T) {
	members := func(ms ...string) func(*Bond) { return func(b *Bond) { b.Members = knownList(ms...) } }
	bridge := func() *Facts { return with(pool(), func(f *Facts) { f.NetworkBackend = BackendBridge }) }
	tests := []struct {
		name    string
		at      Stage
		bond    Bond
		policy  Policy
		facts   *Facts
		want    []string
		details []string
	}{
		// mtu-range
		{name: "MTU 1499 is too small", at: Validate, bond: bond(func(b *Bond) { b.MTU = Known[int64](1499) }),
			want: []string{"error mtu-range at mtu", freeAtValidate}, details: []string{"mtu = 1499 is outside 1500 to 9216"}},
		{name: "MTU 9217 is too large", at: Validate, bond: bond(func(b *Bond) { b.MTU = Known[int64](9217) }),
			want: []string{"error mtu-range at mtu", freeAtValidate}},
		{name: "MTU 9216 is the largest allowed", at: Validate, bond: bond(func(b *Bond) { b.MTU = Known[int64](9216) }),
			want: []string{freeAtValidate}},

		// bond-member-count
		{name: "one NIC is no bond", at: Validate, bond: bond(members("eth2")),
			want: []string{"error bond-member-count at members", freeAtValidate}, details: []string{"members has 1 distinct NIC;"}},
		{name: "five NICs are too many", at: Validate, bond: bond(members("eth1", "eth2", "eth3", "eth4", "eth5")),
			want: []string{"error bond-member-count at members", freeAtValidate}, details: []string{"XenServer bonds at most 4"}},
		{name: "a NIC listed twice is bonded once, so two entries make one NIC", at: Validate, bond: bond(members("eth2", "eth2")),
			want:    []string{"error bond-member-count at members[1]", "error bond-member-count at members", freeAtValidate},
			details: []string{`members lists "eth2" twice (members[0] and members[1])`}},
		{name: "four NICs wait for the pool's backend at validate", at: Validate, bond: bond(members("eth2", "eth3", "eth4", "eth5")),
			want: []string{"undecided bond-member-count at members", freeAtValidate}, details: []string{"the bridge backend bonds exactly 2"}},
		{name: "four NICs pass on openvswitch", at: Plan, facts: pool(), bond: bond(members("eth2", "eth3", "eth4", "eth5"))},
		{name: "three NICs fail on the bridge backend", at: Plan, facts: bridge(), bond: bond(members("eth2", "eth3", "eth4")),
			want: []string{"error bond-member-count at members"}, details: []string{"bridge network backend, which bonds exactly 2"}},
		{name: "two NICs pass on the bridge backend", at: Plan, facts: bridge(), bond: bond(nil)},
		{name: "a single member from a variable can never make two", at: Validate,
			bond: bond(func(b *Bond) { b.Members = Known([]Value[string]{Unknown[string]()}) }),
			want: []string{"error bond-member-count at members", freeAtValidate}},
		{name: "two members, one from a variable, may be the same NIC", at: Validate,
			bond: bond(func(b *Bond) { b.Members = Known([]Value[string]{Known("eth2"), Unknown[string]()}) }),
			want: []string{"undecided bond-member-count at members", freeAtValidate}},

		// hashing-algorithm-lacp
		{name: "hashing_algorithm on a balance-slb bond fails", at: Validate,
			bond: bond(func(b *Bond) { b.HashingAlgorithm = Known(HashingSrcMAC) }),
			want: []string{"error hashing-algorithm-lacp at hashing_algorithm", freeAtValidate},
			details: []string{`hashing_algorithm = "src_mac" is set on a bond whose mode is "balance-slb"`,
				"INVALID_VALUE"}},
		{name: "hashing_algorithm on an allowed lacp bond passes", at: Validate, policy: relaxed(BondModeLACP),
			bond: bond(func(b *Bond) { b.Mode, b.HashingAlgorithm = Known(BondModeLACP), Known(HashingTCPUDPPorts) }),
			want: []string{freeAtValidate}},
		{name: "a hashing algorithm xapi does not know fails", at: Validate, policy: relaxed(BondModeLACP),
			bond: bond(func(b *Bond) { b.Mode, b.HashingAlgorithm = Known(BondModeLACP), Known("dst_mac") }),
			want: []string{"error hashing-algorithm-lacp at hashing_algorithm", freeAtValidate}},
		{name: "an empty hashing_algorithm is none", at: Validate, bond: bond(func(b *Bond) { b.HashingAlgorithm = Known("") }),
			want: []string{freeAtValidate}},
		{name: "hashing_algorithm from a variable is decided later", at: Validate,
			bond: bond(func(b *Bond) { b.HashingAlgorithm = Unknown[string]() }),
			want: []string{"undecided hashing-algorithm-lacp at hashing_algorithm", freeAtValidate}},
		{name: "hashing_algorithm with a mode from a variable is decided later", at: Validate,
			bond: bond(func(b *Bond) { b.Mode, b.HashingAlgorithm = Unknown[string](), Known(HashingSrcMAC) }),
			want: []string{"undecided hashing-algorithm-lacp at mode", "undecided bond-mode at mode", freeAtValidate}},

		// bond-member-free
		{name: "free NICs pass", at: Plan, facts: pool(), bond: bond(nil)},
		{name: "a NIC one host lacks fails", at: Plan, bond: bond(members("eth2", "eth6")),
			facts: with(pool(), func(f *Facts) {
				f.Hosts[0].NICs = append(f.Hosts[0].NICs, "eth6")
				f.Hosts[1].NICs = append(f.Hosts[1].NICs, "eth6")
			}),
			want:    []string{"error bond-member-free at members[1]"},
			details: []string{`Member "eth6" is not a NIC of host xs3`}},
		{name: "members from another resource's attribute are decided later", at: Plan, facts: pool(),
			bond: bond(func(b *Bond) { b.Members = Unknown[[]Value[string]]() }),
			want: []string{"undecided bond-member-count at members", "undecided bond-member-free at members"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.policy
			if p.AllowedBondModes.IsUnknown() {
				p = DefaultPolicy()
			}
			checkFindings(t, CheckBond(tt.at, tt.bond, p, tt.facts), tt.want, tt.details)
		})
	}
}
