package guardrail

import "testing"

// vlan is tag 200 with its MTU left to xapi, changed by change.
func vlan(change func(*VLAN)) VLAN {
	v := VLAN{Tag: Known[int64](200), MTU: Null[int64]()}
	if change != nil {
		change(&v)
	}
	return v
}

// A VLAN's own settings. Its MTU against its parent's, and its tag against
// the parent's other VLANs, are the end state's (endstate_test.go).
func TestCheckVLAN(t *testing.T) {
	tests := []struct {
		name    string
		at      Stage
		vlan    VLAN
		want    []string
		details []string
	}{
		// vlan-tag-range
		{name: "tag 0 is priority tagging, not a VLAN", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Known[int64](0) }),
			want: []string{"error vlan-tag-range at tag"}, details: []string{"tag = 0 is outside 1 to 4094", "native VLAN"}},
		{name: "tag 4095 is refused", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Known[int64](4095) }),
			want: []string{"error vlan-tag-range at tag"}, details: []string{"VLAN_TAG_INVALID"}},
		{name: "tag 4094 passes", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Known[int64](4094) })},
		{name: "tag 1 passes", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Known[int64](1) })},
		{name: "a tag from a variable is decided later", at: Validate, vlan: vlan(func(v *VLAN) { v.Tag = Unknown[int64]() }),
			want: []string{"undecided vlan-tag-range at tag"}},
		{name: "at apply, a tag still unknown is an error", at: Apply, vlan: vlan(func(v *VLAN) { v.Tag = Unknown[int64]() }),
			want: []string{"error vlan-tag-range at tag"}},

		// mtu-range
		{name: "a VLAN's MTU is held to 1500 to 9216 too", at: Validate, vlan: vlan(func(v *VLAN) { v.MTU = Known[int64](1400) }),
			want: []string{"error mtu-range at mtu"}},
		{name: "an MTU from a variable is decided later", at: Validate, vlan: vlan(func(v *VLAN) { v.MTU = Unknown[int64]() }),
			want: []string{"undecided mtu-range at mtu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, CheckVLAN(tt.at, tt.vlan), tt.want, tt.details)
		})
	}
}
