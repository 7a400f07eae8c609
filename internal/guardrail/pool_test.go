package guardrail

import "testing"

func TestCheckPoolJoin(t *testing.T) {
	const addr = "xs5.example.com"
	joining := func(h JoiningHost) *Facts {
		return with(pool(), func(f *Facts) { f.JoiningHosts = map[string]JoiningHost{addr: h} })
	}
	clean := JoiningHost{Name: "xs5", NetworkBackend: BackendOpenvswitch}
	tests := []struct {
		name    string
		at      Stage
		addr    Value[string]
		facts   *Facts
		want    []string
		details []string
	}{
		{name: "a freshly installed host passes", at: Plan, addr: Known(addr), facts: joining(clean)},
		{name: "a host with a bond fails", at: Plan, addr: Known(addr),
			facts:   joining(JoiningHost{Name: "xs5", Bonds: []string{"bond0"}, NetworkBackend: BackendOpenvswitch}),
			want:    []string{"error pool-join-host at address"},
			details: []string{"The host xs5 (xs5.example.com) has bond bond0.", "POOL_JOINING_HOST_HAS_BONDS", "Destroy the host's bonds"}},
		{name: "a host with VLANs besides management fails", at: Plan, addr: Known(addr),
			facts:   joining(JoiningHost{NonManagementVLANs: []int64{10, 20}, NetworkBackend: BackendOpenvswitch}),
			want:    []string{"error pool-join-host at address"},
			details: []string{"The host xs5.example.com has VLANs 10, 20 besides management."}},
		{name: "a host on the bridge backend cannot join an openvswitch pool", at: Plan, addr: Known(addr),
			facts:   joining(JoiningHost{Name: "xs5", NetworkBackend: BackendBridge}),
			want:    []string{"error pool-join-host at address"},
			details: []string{"uses the bridge network backend and the pool uses openvswitch", "xe-switch-network-backend openvswitch"}},
		{name: "a host with everything wrong gets every reason", at: Plan, addr: Known(addr),
			facts: joining(JoiningHost{Bonds: []string{"bond0", "bond1"}, NonManagementVLANs: []int64{10}, NetworkBackend: BackendBridge}),
			want:  []string{"error pool-join-host at address", "error pool-join-host at address", "error pool-join-host at address"}},
		{name: "a host whose backend was not read waits", at: Plan, addr: Known(addr),
			facts: joining(JoiningHost{Name: "xs5"}),
			want:  []string{"undecided pool-join-host at address"}},
		{name: "a host xsnet has not read waits", at: Plan, addr: Known(addr), facts: pool(),
			want: []string{"undecided pool-join-host at address"}, details: []string{"has not read the host at xs5.example.com"}},
		{name: "at validate there is no host to read", at: Validate, addr: Known(addr),
			want: []string{"undecided pool-join-host at (resource)"}},
		{name: "an address from a variable is decided later", at: Validate, addr: Unknown[string](),
			want: []string{"undecided pool-join-host at address"}},
		{name: "at apply, a host xsnet could not read is an error", at: Apply, addr: Known(addr), facts: pool(),
			want: []string{"error pool-join-host at address"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, CheckPoolJoin(tt.at, PoolJoin{Address: tt.addr}, tt.facts), tt.want, tt.details)
		})
	}
}
