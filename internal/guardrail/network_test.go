package guardrail

import "testing"

func TestCheckNetwork(t *testing.T) {
	tests := []struct {
		name string
		at   Stage
		mtu  Value[int64]
		want []string
	}{
		{name: "MTU left out is xapi's 1500", at: Validate, mtu: Null[int64]()},
		{name: "MTU 1500 passes", at: Validate, mtu: Known[int64](1500)},
		{name: "MTU 9000 passes", at: Validate, mtu: Known[int64](9000)},
		{name: "MTU 1000 fails", at: Validate, mtu: Known[int64](1000), want: []string{"error mtu-range at mtu"}},
		{name: "MTU 9600 fails", at: Validate, mtu: Known[int64](9600), want: []string{"error mtu-range at mtu"}},
		{name: "MTU from a variable is decided later", at: Validate, mtu: Unknown[int64](),
			want: []string{"undecided mtu-range at mtu"}},
		{name: "MTU still unknown at apply is an error", at: Apply, mtu: Unknown[int64](),
			want: []string{"error mtu-range at mtu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, CheckNetwork(tt.at, Network{MTU: tt.mtu}), tt.want, nil)
		})
	}
}
