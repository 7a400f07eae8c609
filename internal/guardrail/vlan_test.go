package guardrail

import "testing"

// vlan is tag 200 on the network of eth2, its MTU left to follow the
// parent, changed by change.
func vlan(change func(*VLAN)) VLAN {
	v := VLAN{
		Tag:           Known[int64](200),
		MTU:           Null[int64](),
		ParentNetwork: Known("net-eth2"),
		ParentMTU:     Null[int64](),
	}
	if change != nil {
		change(&v)
	}
	return v
}

func TestCheckVLAN(t *testing.T) {
	const uniqueAtValidate = "undecided vlan-tag-unique at (resource)"
	tests := []struct {
		name    string
		at      Stage
		vlan    VLAN
		facts   *Facts
		want    []string
		details []string
	}{
		// vlan-tag-range
		{name: "tag 0 is priority tagging, not a VLAN", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Known[int64](0) }),
			want: []string{"error vlan-tag-range at tag", uniqueAtValidate}, details: []string{"tag = 0 is outside 1 to 4094", "native VLAN"}},
		{name: "tag 4095 is refused", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Known[int64](4095) }),
			want: []string{"error vlan-tag-range at tag", uniqueAtValidate}, details: []string{"VLAN_TAG_INVALID"}},
		{name: "tag 4094 passes", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Known[int64](4094) }),
			want: []string{uniqueAtValidate}},
		{name: "tag 1 passes", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Known[int64](1) }),
			want: []string{uniqueAtValidate}},
		{name: "a tag from a variable is decided later", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Unknown[int64]() }),
			want: []string{"undecided vlan-tag-range at tag", "undecided vlan-tag-unique at tag"}},

		// mtu-range
		{name: "a VLAN's MTU is held to 1500 to 9216 too", at: Validate, vlan: vlan(func(v *VLAN) { v.MTU = Known[int64](1400) }),
			want: []string{"error mtu-range at mtu", "undecided vlan-mtu-parent at (resource)", uniqueAtValidate}},

		// vlan-mtu-parent
		{name: "MTU above the parent's, both in the configuration, fails validate", at: Validate,
			vlan: vlan(func(v *VLAN) { v.MTU, v.ParentMTU = Known[int64](9000), Known[int64](1500) }),
			want: []string{"error vlan-mtu-parent at mtu", uniqueAtValidate},
			details: []string{"mtu = 9000 is above the parent network's MTU, 1500 in the configuration",
				"large transfers hang"}},
		{name: "MTU equal to the parent's passes", at: Validate,
			vlan: vlan(func(v *VLAN) { v.MTU, v.ParentMTU = Known[int64](9000), Known[int64](9000) }),
			want: []string{uniqueAtValidate}},
		{name: "MTU left out follows the parent and passes", at: Plan, facts: pool(), vlan: vlan(nil)},
		{name: "a parent MTU the configuration does not give waits for the pool", at: Validate,
			vlan: vlan(func(v *VLAN) { v.MTU = Known[int64](9000) }),
			want: []string{"undecided vlan-mtu-parent at (resource)", uniqueAtValidate}},
		{name: "at plan the parent's MTU comes from the pool", at: Plan, facts: pool(),
			vlan:    vlan(func(v *VLAN) { v.MTU = Known[int64](9000) }),
			want:    []string{"error vlan-mtu-parent at mtu"},
			details: []string{"above the parent network's MTU, 1500 in the pool"}},
		{name: "a jumbo VLAN on a jumbo parent passes", at: Plan, facts: pool(),
			vlan: vlan(func(v *VLAN) { v.MTU, v.ParentNetwork = Known[int64](9000), Known("net-jumbo") })},
		{name: "a parent the pool does not have yet waits for apply", at: Plan, facts: pool(),
			vlan:    vlan(func(v *VLAN) { v.MTU, v.ParentNetwork = Known[int64](9000), Known("net-new") }),
			want:    []string{"undecided vlan-mtu-parent at parent_network_id"},
			details: []string{"The pool has no network net-new yet"}},
		{name: "at apply, a parent the pool still does not have is an error", at: Apply, facts: pool(),
			vlan: vlan(func(v *VLAN) { v.MTU, v.ParentNetwork = Known[int64](9000), Known("net-new") }),
			want: []string{"error vlan-mtu-parent at parent_network_id"}},
		{name: "a parent MTU that is another resource's attribute waits", at: Plan, facts: pool(),
			vlan: vlan(func(v *VLAN) { v.MTU, v.ParentMTU = Known[int64](9000), Unknown[int64]() }),
			want: []string{"undecided vlan-mtu-parent at parent_network_id"}},
		{name: "an MTU from a variable is decided later", at: Validate, vlan: vlan(func(v *VLAN) { v.MTU = Unknown[int64]() }),
			want: []string{"undecided mtu-range at mtu", "undecided vlan-mtu-parent at mtu", uniqueAtValidate}},

		// vlan-tag-unique
		{name: "a tag already on the parent fails at plan", at: Plan, facts: pool(),
			vlan:    vlan(func(v *VLAN) { v.Tag = Known[int64](100) }),
			want:    []string{"error vlan-tag-unique at tag"},
			details: []string{`tag = 100 is already used on parent network net-eth2 by the VLAN network "VM 100" (net-vlan100)`, "PIF_VLAN_EXISTS"}},
		{name: "the VLAN's own pair is no clash", at: Plan, facts: pool(),
			vlan: vlan(func(v *VLAN) { v.Network, v.Tag = "net-vlan100", Known[int64](100) })},
		{name: "the same tag on another parent passes", at: Plan, facts: pool(),
			vlan: vlan(func(v *VLAN) { v.Tag, v.ParentNetwork = Known[int64](100), Known("net-jumbo") })},
		{name: "a parent made in the same plan is decided at apply", at: Plan, facts: pool(),
			vlan: vlan(func(v *VLAN) { v.ParentNetwork = Unknown[string]() }),
			want: []string{"undecided vlan-tag-unique at parent_network_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, CheckVLAN(tt.at, tt.vlan, tt.facts), tt.want, tt.details)
		})
	}
}
