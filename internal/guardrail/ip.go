package guardrail

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// The modes of an IP interface, as xsnet_ip_interface spells xapi's
// ip_configuration_mode (Static, DHCP, None).
const (
	IPModeStatic = "static"
	IPModeDHCP   = "dhcp"
	IPModeNone   = "none"
)

// IPInterface is the configuration of an IP interface: one IPv4
// configuration on every host's PIF of a network, as XenCenter's
// "Configure IP Addresses" makes a secondary interface for storage.
type IPInterface struct {
	// Mode is static, dhcp or none.
	Mode Value[string]
	// Addresses are the hosts' addresses by host UUID or name_label; Null
	// when StartAddress numbers them.
	Addresses Value[map[string]Value[string]]
	// StartAddress is the pool master's address: each host takes it plus
	// its index in the pool's host order, as XenCenter numbers them.
	StartAddress Value[string]
	// Netmask or PrefixLength give the subnet; Null when not set.
	Netmask      Value[string]
	PrefixLength Value[int64]
	Gateway      Value[string]
	// DNS are the name servers' addresses.
	DNS Value[[]Value[string]]
	// Purpose is what XenCenter keeps in the PIF's
	// other_config:management_purpose, such as "Storage".
	Purpose Value[string]
}

// HostAddress is the address an IP interface gives one host.
type HostAddress struct {
	Host    Host
	Address string
}

// IsManagementPurpose reports whether a purpose says the interface carries
// management traffic, as XenCenter's "Management" and "Secondary
// management" do: the management rules hold such an interface as they
// hold the management interface itself.
func IsManagementPurpose(purpose string) bool {
	return strings.Contains(strings.ToLower(purpose), "management")
}

// CheckIPInterface checks an IP interface's own settings: what its
// configuration decides alone, and with the pool's facts whether every
// host has an address and whether the addresses fit their subnet. Whether
// the addresses clash with the pool's, and whether the network carries
// management, is judged on the pool as the plan leaves it (CheckPool). f
// is nil at Validate, and at Plan when the pool could not be read.
func CheckIPInterface(at Stage, ip IPInterface, f *Facts) Result {
	c := &checker{at: at}
	checkIPConfig(c, ip, f)
	checkIPAddressesDistinct(c, ip)
	return c.result()
}

// IPAddresses returns the address the interface gives each host, in the
// order of hosts (the pool's, master first): the one addresses names it
// by, by UUID or else by name, or start_address plus the host's index.
// ok is false while any value it needs is unknown or not a valid address;
// a host addresses does not name is left out.
func IPAddresses(ip IPInterface, hosts []Host) (out []HostAddress, ok bool) {
	if start, known := ip.StartAddress.Get(); known {
		a, err := netip.ParseAddr(start)
		if err != nil || !a.Is4() {
			return nil, false
		}
		for _, h := range hosts {
			out = append(out, HostAddress{Host: h, Address: a.String()})
			a = a.Next()
		}
		return out, true
	}
	if ip.StartAddress.IsUnknown() {
		return nil, false
	}
	byKey, known := ip.Addresses.Get()
	if !known {
		return nil, ip.Addresses.IsNull()
	}
	for _, h := range hosts {
		v, found := byKey[h.UUID]
		if !found {
			v, found = byKey[h.Name]
		}
		if !found {
			continue
		}
		addr, known := v.Get()
		if !known {
			return nil, false
		}
		out = append(out, HostAddress{Host: h, Address: addr})
	}
	return out, true
}

// Subnet returns the prefix length netmask or prefix_length gives, and
// false while it is unknown, left out or not a netmask.
func (ip IPInterface) Subnet() (int, bool) {
	if n, ok := ip.PrefixLength.Get(); ok {
		return int(n), n >= 1 && n <= 32
	}
	mask, ok := ip.Netmask.Get()
	if !ok {
		return 0, false
	}
	return prefixOf(mask)
}

// prefixOf reads a dotted netmask such as 255.255.255.0 as a prefix
// length; a mask whose ones are not contiguous is not one.
func prefixOf(mask string) (int, bool) {
	a, err := netip.ParseAddr(mask)
	if err != nil || !a.Is4() {
		return 0, false
	}
	b := a.As4()
	bits := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for bits&(1<<31) != 0 {
		n++
		bits <<= 1
	}
	return n, bits == 0 && n > 0
}

// checkIPConfig is the ip-config rule: a static interface has an address
// for every host and a subnet, a dhcp or none one has neither, and every
// address is an IPv4 host address of its subnet, with the gateway in it.
// xapi applies whatever it is given at once, and a host with a wrong
// address or gateway loses the traffic of that interface.
func checkIPConfig(c *checker, ip IPInterface, f *Facts) {
	r := ruleIPConfig
	checkIPSyntax(c, ip)
	mode, ok := ip.Mode.Get()
	if !ok {
		if ip.Mode.IsUnknown() {
			c.unknown(r, []string{AttrMode})
		}
		return
	}
	if mode != IPModeStatic {
		for _, a := range []struct {
			name string
			set  bool
		}{
			{AttrAddresses, !ip.Addresses.IsNull()}, {AttrStartAddress, !ip.StartAddress.IsNull()},
			{AttrNetmask, !ip.Netmask.IsNull()}, {AttrPrefixLength, !ip.PrefixLength.IsNull()},
			{AttrGateway, !ip.Gateway.IsNull()}, {AttrDNS, !ip.DNS.IsNull()},
		} {
			if !a.set {
				continue
			}
			what := fmt.Sprintf("mode = %q takes its address, netmask, gateway and DNS from the DHCP server, and %s is set.", mode, a.name)
			fix := fmt.Sprintf(`Remove %s, or set mode = "static".`, a.name)
			if mode == IPModeNone {
				what = fmt.Sprintf("mode = %q gives the PIFs no address, and %s is set.", mode, a.name)
			}
			c.fail(r, []string{a.name}, what, fix)
		}
		return
	}
	if ip.Addresses.IsNull() && ip.StartAddress.IsNull() {
		c.fail(r, []string{AttrAddresses}, `mode = "static" needs an address for every host, and neither addresses nor start_address is set.`,
			"Set addresses (by host UUID or name), or start_address to number the hosts from it.")
	}
	if ip.Netmask.IsNull() && ip.PrefixLength.IsNull() {
		c.fail(r, []string{AttrNetmask}, `mode = "static" needs a subnet, and neither netmask nor prefix_length is set.`,
			`Set netmask, such as "255.255.255.0", or prefix_length, such as 24.`)
	}
	prefix, subnetKnown := ip.Subnet()
	if ip.Netmask.IsUnknown() || ip.PrefixLength.IsUnknown() {
		c.unknown(r, []string{AttrNetmask})
		return
	}
	if !subnetKnown {
		return
	}
	var addrs []HostAddress
	switch {
	case f != nil:
		checkIPHostsNamed(c, ip, f)
		var ok bool
		if addrs, ok = IPAddresses(ip, f.Hosts); !ok {
			if ip.StartAddress.IsUnknown() || ip.Addresses.IsUnknown() {
				c.undecided(r, []string{AttrAddresses}, "The addresses are not known yet.")
			}
			return
		}
	case !ip.StartAddress.IsNull():
		// The hosts it numbers are the pool's, read at plan.
		addrs, _ = IPAddresses(ip, []Host{{Name: "the pool master"}})
		if !ip.StartAddress.IsKnown() {
			c.unknown(r, []string{AttrStartAddress})
		} else if c.at != Validate {
			c.needFacts(r)
		}
	default:
		byKey, _ := ip.Addresses.Get()
		for _, k := range sortedKeys(byKey) {
			if a, ok := byKey[k].Get(); ok {
				addrs = append(addrs, HostAddress{Host: Host{Name: k}, Address: a})
			} else {
				c.unknown(r, []string{AttrAddresses, k})
			}
		}
	}
	checkIPSubnet(c, ip, prefix, addrs)
}

// checkIPSyntax reports every address, netmask and name server that is
// not IPv4, whatever the mode.
func checkIPSyntax(c *checker, ip IPInterface) {
	r := ruleIPConfig
	bad := func(path []string, what, v string) {
		c.fail(r, path, fmt.Sprintf("%s = %q is not an IPv4 address.", pathString(path), v),
			fmt.Sprintf("Write %s as four decimal numbers, such as 192.0.2.10.", what))
	}
	if byKey, ok := ip.Addresses.Get(); ok {
		for _, k := range sortedKeys(byKey) {
			if a, ok := byKey[k].Get(); ok && !isIPv4(a) {
				bad([]string{AttrAddresses, k}, "each address", a)
			}
		}
	}
	if a, ok := ip.StartAddress.Get(); ok && !isIPv4(a) {
		bad([]string{AttrStartAddress}, "start_address", a)
	}
	if a, ok := ip.Gateway.Get(); ok && !isIPv4(a) {
		bad([]string{AttrGateway}, "gateway", a)
	}
	if servers, ok := ip.DNS.Get(); ok {
		for i, s := range servers {
			if a, ok := s.Get(); ok && !isIPv4(a) {
				bad([]string{AttrDNS, fmt.Sprint(i)}, "each name server", a)
			}
		}
	}
	if m, ok := ip.Netmask.Get(); ok {
		if _, valid := prefixOf(m); !valid {
			c.fail(r, []string{AttrNetmask}, fmt.Sprintf("netmask = %q is not a netmask: its ones are not contiguous from the left.", m),
				`Write the netmask as xapi stores it, such as "255.255.255.0", or set prefix_length instead.`)
		}
	}
	if n, ok := ip.PrefixLength.Get(); ok && (n < 1 || n > 32) {
		c.fail(r, []string{AttrPrefixLength}, fmt.Sprintf("prefix_length = %d is outside 1 to 32.", n),
			"Set prefix_length to the subnet's prefix, such as 24 for 255.255.255.0.")
	}
}

// checkIPHostsNamed checks addresses against the pool's hosts: every key
// names one host, and every host has an address.
func checkIPHostsNamed(c *checker, ip IPInterface, f *Facts) {
	r := ruleIPConfig
	byKey, ok := ip.Addresses.Get()
	if !ok {
		return
	}
	named := map[string]bool{}
	for _, k := range sortedKeys(byKey) {
		var matches []Host
		for _, h := range f.Hosts {
			if h.UUID == k {
				matches = []Host{h}
				break
			}
			if h.Name == k {
				matches = append(matches, h)
			}
		}
		switch len(matches) {
		case 0:
			c.fail(r, []string{AttrAddresses, k}, fmt.Sprintf("addresses names %q, which is neither the UUID nor the name of a host of the pool (%s).",
				k, strings.Join(hostNames(f.Hosts), ", ")), "Key addresses by the pool's host names or UUIDs.")
		case 1:
			named[matches[0].Name+"\x00"+matches[0].UUID] = true
		default:
			c.fail(r, []string{AttrAddresses, k}, fmt.Sprintf("addresses names %q, and %d hosts of the pool have that name.", k, len(matches)),
				"Key those hosts by UUID: xapi does not keep host names unique.")
		}
	}
	var missing []string
	for _, h := range f.Hosts {
		if !named[h.Name+"\x00"+h.UUID] {
			missing = append(missing, h.Name)
		}
	}
	if len(missing) > 0 {
		c.fail(r, []string{AttrAddresses}, fmt.Sprintf("addresses gives no address to %s, such as a host that joined the pool since.", hostList(missing)),
			"Add an address for every host of the pool, or number them all with start_address.")
	}
}

// checkIPSubnet checks each address against the subnet: not the subnet's
// own address nor its broadcast address, and, with start_address, every
// host's inside the subnet of the first; the gateway inside each
// address's subnet and none of them.
func checkIPSubnet(c *checker, ip IPInterface, prefix int, addrs []HostAddress) {
	r := ruleIPConfig
	start, numbered := ip.StartAddress.Get()
	gateway, hasGateway := ip.Gateway.Get()
	gw, gwErr := netip.ParseAddr(gateway)
	for _, ha := range addrs {
		a, err := netip.ParseAddr(ha.Address)
		if err != nil || !a.Is4() {
			continue
		}
		p := netip.PrefixFrom(a, prefix).Masked()
		path := []string{AttrAddresses, ha.Host.Name}
		if numbered {
			path = []string{AttrStartAddress}
			if first, err := netip.ParseAddr(start); err == nil && !netip.PrefixFrom(first, prefix).Masked().Contains(a) {
				c.fail(r, path, fmt.Sprintf("start_address = %q numbers %s %s, outside the subnet %s.", start, hostLabel(ha.Host), a,
					netip.PrefixFrom(first, prefix).Masked()), "Start lower in the subnet, so that every host's address fits, or give the addresses one by one.")
				return
			}
		}
		if prefix <= 30 && (a == p.Addr() || a == broadcast(p)) {
			which := "the subnet's own address"
			if a == broadcast(p) {
				which = "the subnet's broadcast address"
			}
			c.fail(r, path, fmt.Sprintf("%s would have %s, %s of %s.", capitalize(hostLabel(ha.Host)), a, which, p),
				"Give each host an address strictly between the subnet's first and last.")
		}
		if hasGateway && gwErr == nil && gw.Is4() {
			switch {
			case gw == a:
				c.fail(r, []string{AttrGateway}, fmt.Sprintf("gateway = %q is the address of %s.", gateway, hostLabel(ha.Host)),
					"Set gateway to the router's address on the subnet, or leave it out.")
			case !p.Contains(gw):
				c.fail(r, []string{AttrGateway}, fmt.Sprintf("gateway = %q is outside %s, the subnet of %s's address %s.",
					gateway, p, hostLabel(ha.Host), a), "Set a gateway inside the subnet, or leave it out: a storage network seldom needs one.")
				return
			}
		}
	}
}

// checkIPAddressesDistinct is the part of ip-address-unique the
// configuration decides alone: addresses gives no address twice.
func checkIPAddressesDistinct(c *checker, ip IPInterface) {
	r := ruleIPAddressUnique
	byKey, ok := ip.Addresses.Get()
	if !ok {
		return
	}
	first := map[string]string{}
	for _, k := range sortedKeys(byKey) {
		a, ok := byKey[k].Get()
		if !ok {
			continue
		}
		if other, dup := first[a]; dup {
			c.fail(r, []string{AttrAddresses, k}, fmt.Sprintf("addresses gives %s to both %q and %q.", a, other, k),
				"Give every host an address of its own.")
			continue
		}
		first[a] = k
	}
}

func broadcast(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	host := uint32(1)<<(32-p.Bits()) - 1
	v := (uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

func hostLabel(h Host) string {
	if h.Name == "the pool master" {
		return h.Name
	}
	return "host " + h.Name
}

func hostNames(hosts []Host) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.Name
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
