package guardrail

import "testing"

// storage is a static IP interface numbered from 10.0.20.11 in a /24,
// changed by change.
func storage(change func(*IPInterface)) IPInterface {
	ip := IPInterface{
		Mode:         Known(IPModeStatic),
		Addresses:    Null[map[string]Value[string]](),
		StartAddress: Known("10.0.20.11"),
		Netmask:      Known("255.255.255.0"),
		PrefixLength: Null[int64](),
		Gateway:      Null[string](),
		DNS:          Null[[]Value[string]](),
		Purpose:      Known("Storage"),
	}
	if change != nil {
		change(&ip)
	}
	return ip
}

// byHost is an addresses map of known values.
func byHost(pairs ...string) Value[map[string]Value[string]] {
	m := map[string]Value[string]{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = Known(pairs[i+1])
	}
	return Known(m)
}

// poolWithUUIDs is pool() with host UUIDs, as poolnet reads them.
func poolWithUUIDs() *Facts {
	f := pool()
	for i := range f.Hosts {
		f.Hosts[i].UUID = "uuid-" + f.Hosts[i].Name
	}
	return f
}

func TestCheckIPInterface(t *testing.T) {
	tests := []struct {
		name    string
		at      Stage
		ip      IPInterface
		facts   *Facts
		want    []string
		details []string
	}{
		{name: "a storage interface numbered from a start address passes", at: Plan, ip: storage(nil), facts: poolWithUUIDs()},
		{name: "addresses by name and by UUID pass", at: Plan, facts: poolWithUUIDs(), ip: storage(func(ip *IPInterface) {
			ip.StartAddress, ip.Addresses = Null[string](), byHost("xs1", "10.0.20.11", "uuid-xs2", "10.0.20.12", "xs3", "10.0.20.13")
		})},
		{name: "a prefix length serves as well as a netmask", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.Netmask, ip.PrefixLength = Null[string](), Known[int64](24)
		})},
		{name: "dhcp needs nothing else", at: Validate, ip: IPInterface{Mode: Known(IPModeDHCP), Addresses: Null[map[string]Value[string]](),
			StartAddress: Null[string](), Netmask: Null[string](), PrefixLength: Null[int64](), Gateway: Null[string](), DNS: Null[[]Value[string]](),
			Purpose: Null[string]()}},

		// ip-config, from the configuration alone
		{name: "static without addresses", at: Validate, ip: storage(func(ip *IPInterface) { ip.StartAddress = Null[string]() }),
			want: []string{"error ip-config at addresses"}, details: []string{`mode = "static" needs an address for every host`}},
		{name: "static without a subnet", at: Validate, ip: storage(func(ip *IPInterface) { ip.Netmask = Null[string]() }),
			want: []string{"error ip-config at netmask"}, details: []string{"neither netmask nor prefix_length"}},
		{name: "dhcp with addresses", at: Validate, ip: storage(func(ip *IPInterface) { ip.Mode = Known(IPModeDHCP) }),
			want:    []string{"error ip-config at start_address", "error ip-config at netmask"},
			details: []string{`mode = "dhcp" takes its address`, `set mode = "static"`}},
		{name: "none with a gateway", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.Mode, ip.StartAddress, ip.Netmask, ip.Gateway = Known(IPModeNone), Null[string](), Null[string](), Known("10.0.20.1")
		}), want: []string{"error ip-config at gateway"}, details: []string{`mode = "none" gives the PIFs no address`}},
		{name: "an address that is not IPv4", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.StartAddress, ip.Addresses = Null[string](), byHost("xs1", "10.0.20.300")
		}), want: []string{"error ip-config at addresses.xs1"}, details: []string{`addresses.xs1 = "10.0.20.300" is not an IPv4 address`}},
		{name: "an IPv6 name server", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.DNS = Known([]Value[string]{Known("10.0.0.53"), Known("2001:db8::53")})
		}), want: []string{"error ip-config at dns[1]"}},
		{name: "a netmask with a hole", at: Validate, ip: storage(func(ip *IPInterface) { ip.Netmask = Known("255.0.255.0") }),
			want: []string{"error ip-config at netmask"}, details: []string{"not contiguous"}},
		{name: "prefix length 33", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.Netmask, ip.PrefixLength = Null[string](), Known[int64](33)
		}), want: []string{"error ip-config at prefix_length"}},
		{name: "the subnet's broadcast address", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.StartAddress, ip.Addresses = Null[string](), byHost("xs1", "10.0.20.255")
		}), want: []string{"error ip-config at addresses.xs1"}, details: []string{"the subnet's broadcast address of 10.0.20.0/24"}},
		{name: "the subnet's own address", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.StartAddress, ip.Addresses = Null[string](), byHost("xs1", "10.0.20.0")
		}), want: []string{"error ip-config at addresses.xs1"}, details: []string{"the subnet's own address"}},
		{name: "a gateway outside the subnet", at: Validate, ip: storage(func(ip *IPInterface) { ip.Gateway = Known("10.0.21.1") }),
			want: []string{"error ip-config at gateway"}, details: []string{`gateway = "10.0.21.1" is outside 10.0.20.0/24`}},
		{name: "a gateway that is a host's address", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.StartAddress, ip.Addresses, ip.Gateway = Null[string](), byHost("xs1", "10.0.20.1"), Known("10.0.20.1")
		}), want: []string{"error ip-config at gateway"}},
		{name: "a start address from a variable is decided later", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.StartAddress = Unknown[string]()
		}), want: []string{"undecided ip-config at start_address"}},
		{name: "a mode from a variable is decided later", at: Validate, ip: storage(func(ip *IPInterface) { ip.Mode = Unknown[string]() }),
			want: []string{"undecided ip-config at mode"}},

		// ip-config, with the pool's hosts
		{name: "a start address that numbers past the subnet's end", at: Plan, facts: poolWithUUIDs(),
			ip:   storage(func(ip *IPInterface) { ip.StartAddress = Known("10.0.20.253") }),
			want: []string{"error ip-config at start_address"}, details: []string{"Host xs3 would have 10.0.20.255, the subnet's broadcast address"}},
		{name: "a start address whose hosts leave the subnet", at: Plan, facts: poolWithUUIDs(), ip: storage(func(ip *IPInterface) {
			ip.Netmask, ip.StartAddress = Known("255.255.255.254"), Known("10.0.20.10")
		}), want: []string{"error ip-config at start_address"}, details: []string{"numbers host xs3 10.0.20.12, outside the subnet 10.0.20.10/31"}},
		{name: "an address for a host the pool lacks", at: Plan, facts: poolWithUUIDs(), ip: storage(func(ip *IPInterface) {
			ip.StartAddress = Null[string]()
			ip.Addresses = byHost("xs1", "10.0.20.11", "xs2", "10.0.20.12", "xs3", "10.0.20.13", "xs9", "10.0.20.19")
		}), want: []string{"error ip-config at addresses.xs9"}, details: []string{`names "xs9"`, "xs1, xs2, xs3"}},
		{name: "a host without an address, as one that joined since", at: Plan, facts: poolWithUUIDs(), ip: storage(func(ip *IPInterface) {
			ip.StartAddress, ip.Addresses = Null[string](), byHost("xs1", "10.0.20.11", "xs2", "10.0.20.12")
		}), want: []string{"error ip-config at addresses"}, details: []string{"gives no address to host xs3"}},
		{name: "a name two hosts share", at: Plan, facts: with(poolWithUUIDs(), func(f *Facts) { f.Hosts[2].Name = "xs2" }),
			ip: storage(func(ip *IPInterface) {
				ip.StartAddress, ip.Addresses = Null[string](), byHost("xs1", "10.0.20.11", "xs2", "10.0.20.12")
			}), want: []string{"error ip-config at addresses.xs2", "error ip-config at addresses"}, details: []string{"Key those hosts by UUID"}},
		{name: "at apply, a start address still unknown is an error", at: Apply, facts: poolWithUUIDs(),
			ip: storage(func(ip *IPInterface) { ip.StartAddress = Unknown[string]() }), want: []string{"error ip-config at addresses"}},

		// ip-address-unique, from the configuration alone
		{name: "one address for two hosts", at: Validate, ip: storage(func(ip *IPInterface) {
			ip.StartAddress, ip.Addresses = Null[string](), byHost("xs1", "10.0.20.11", "xs2", "10.0.20.11")
		}), want: []string{"error ip-address-unique at addresses.xs2"}, details: []string{`gives 10.0.20.11 to both "xs1" and "xs2"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFindings(t, CheckIPInterface(tt.at, tt.ip, tt.facts), tt.want, tt.details)
		})
	}
}

func TestIPAddresses(t *testing.T) {
	hosts := poolWithUUIDs().Hosts
	got, ok := IPAddresses(storage(func(ip *IPInterface) { ip.StartAddress = Known("10.0.20.254") }), hosts)
	if !ok || len(got) != 3 || got[0].Address != "10.0.20.254" || got[1].Address != "10.0.20.255" || got[2].Address != "10.0.21.0" {
		t.Errorf("numbered from 10.0.20.254: %v, %t", got, ok)
	}
	got, ok = IPAddresses(storage(func(ip *IPInterface) {
		ip.StartAddress, ip.Addresses = Null[string](), byHost("uuid-xs1", "10.0.20.21", "xs1", "10.0.20.99", "xs3", "10.0.20.23")
	}), hosts)
	if !ok || len(got) != 2 || got[0].Address != "10.0.20.21" || got[1].Host.Name != "xs3" {
		t.Errorf("by UUID before name, a host left out: %v, %t", got, ok)
	}
	if _, ok := IPAddresses(storage(func(ip *IPInterface) { ip.StartAddress = Unknown[string]() }), hosts); ok {
		t.Error("an unknown start address gave addresses")
	}
}

func TestIsManagementPurpose(t *testing.T) {
	for purpose, want := range map[string]bool{"Management": true, "Secondary management": true, "Storage": false, "": false} {
		if got := IsManagementPurpose(purpose); got != want {
			t.Errorf("IsManagementPurpose(%q) = %t", purpose, got)
		}
	}
}
