package guardrail

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// BondResult is what CheckBond found, and whether the bond will carry the
// management interface.
type BondResult struct {
	Result
	// Management is whether the bond will carry management: true when the
	// configuration says so, when a member is a host's management PIF
	// (xapi moves management onto the bond whatever the configuration
	// says), or when the bond carries management already. When it is true
	// and the configuration leaves management out, the plan shows
	// management = true. It is unknown while that cannot be told, which at
	// Validate is whenever the configuration does not say true.
	Management Value[bool]
}

// CheckBond checks a pool-wide bond against every rule that concerns it.
// f is nil at Validate, and at Plan when the pool could not be read.
func CheckBond(at Stage, b Bond, p Policy, f *Facts) BondResult {
	c := &checker{at: at}
	m := bondManagement(b, f)
	checkManagementBondMTU(c, b, m)
	checkManagementMember(c, b, m)
	checkBondMode(c, b, p)
	checkMTURange(c, b.MTU)
	checkBondMemberCount(c, b, f)
	checkHashingAlgorithmLACP(c, b)
	checkBondMemberFree(c, b, f)
	return BondResult{Result: c.result(), Management: m.value}
}

// management is what the configuration and the pool say about a bond
// carrying the management interface.
type management struct {
	value Value[bool]
	// configured is management = true in the configuration.
	configured bool
	// carriedBy names the hosts whose management interface is on the bond
	// network already: an existing or imported management bond.
	carriedBy []string
	// pifs are the members that are a host's management PIF.
	pifs []managementPIF
	// pifsKnown is false while pifs may be incomplete; pifsPath and
	// pifsReason then say what is missing.
	pifsKnown  bool
	pifsPath   []string
	pifsReason string
	// When value is unknown, path and reason say what is missing.
	path   []string
	reason string
}

// managementPIF is a member that is the management PIF of some hosts.
type managementPIF struct {
	index  int
	device string
	hosts  []string
}

func bondManagement(b Bond, f *Facts) management {
	var m management
	cfg, cfgKnown := b.Management.GetOr(false)
	m.configured = cfgKnown && cfg
	if f == nil {
		m.pifsReason = "It needs the pool's facts (a member may be a host's management PIF), which xsnet reads at plan time."
	} else {
		members, ok := b.Members.GetOr(nil)
		membersUnknown := !ok
		for _, mv := range members {
			membersUnknown = membersUnknown || mv.IsUnknown()
		}
		var unread []string
		for _, h := range f.Hosts {
			switch {
			case b.Network != "" && h.ManagementNetwork == b.Network:
				m.carriedBy = append(m.carriedBy, h.Name)
			case h.ManagementOnVLAN:
				// Bonding the NIC moves the management VLAN onto the
				// bond; the bond itself does not carry management.
			case h.ManagementDevice == "":
				unread = append(unread, h.Name)
			default:
				for i, mv := range members {
					if d, ok := mv.Get(); ok && d == h.ManagementDevice {
						m.addPIF(i, d, h.Name)
					}
				}
			}
		}
		switch {
		case membersUnknown:
			m.pifsPath, m.pifsReason = []string{AttrMembers}, "members is not known yet, and a member may be a host's management PIF."
		case len(unread) > 0:
			m.pifsReason = "The pool did not say which PIF is the management PIF of " + hostList(unread) + "."
		default:
			m.pifsKnown = true
		}
	}
	switch {
	case m.configured || len(m.carriedBy) > 0 || len(m.pifs) > 0:
		m.value = Known(true)
	case !cfgKnown:
		m.path, m.reason = []string{AttrManagement}, "management is not known yet."
	case !m.pifsKnown:
		m.path, m.reason = m.pifsPath, m.pifsReason
	default:
		m.value = Known(false)
	}
	return m
}

func (m *management) addPIF(index int, device, host string) {
	for i := range m.pifs {
		if m.pifs[i].index == index {
			m.pifs[i].hosts = append(m.pifs[i].hosts, host)
			return
		}
	}
	m.pifs = append(m.pifs, managementPIF{index: index, device: device, hosts: []string{host}})
}

// checkManagementBondMTU is rule 1, and rule 5 on an imported pool: a bond
// that carries management has MTU 1500. XenServer 6.1 hosts with management
// on a bond at MTU 9000 dropped out of the pool after every reboot.
func checkManagementBondMTU(c *checker, b Bond, m management) {
	r := ruleManagementBondMTU
	mtu, ok := b.MTU.GetOr(DefaultMTU)
	carries, decided := m.value.Get()
	switch {
	case decided && !carries:
		return
	case !ok:
		c.unknown(r, []string{AttrMTU})
		return
	case mtu == DefaultMTU:
		return
	case !decided:
		c.undecided(r, m.path, m.reason)
		return
	}
	path := []string{AttrMTU}
	switch {
	case m.configured:
		c.fail(r, path, fmt.Sprintf("This bond carries the management interface (management = true) and has mtu = %d.", mtu), "")
	case len(m.carriedBy) > 0:
		c.fail(r, path, fmt.Sprintf("This bond carries the management interface of %s in the pool now, and has mtu = %d.",
			hostList(m.carriedBy), mtu),
			"Set mtu = 1500 on this bond: xsnet changes the MTU in place, without recreating the bond, "+
				"and carry jumbo frames on a separate bond.")
	default:
		p := m.pifs[0]
		c.fail(r, path, fmt.Sprintf("Member %q is the management PIF of %s, so xapi moves management onto this bond "+
			"whatever management says, and the bond has mtu = %d.", p.device, hostList(p.hosts), mtu), "")
	}
}

// checkManagementMember refuses management = false on a bond over a host's
// management PIF: xapi moves management onto the bond regardless, so the
// apply would end in a state the configuration contradicts, with the bond's
// MTU as the management MTU.
func checkManagementMember(c *checker, b Bond, m management) {
	r := ruleManagementMember
	switch {
	case m.configured || b.Management.IsNull():
		// Nothing to contradict: the plan shows management = true.
	case len(m.pifs) > 0 && b.Management.IsUnknown():
		c.unknown(r, []string{AttrManagement})
	case len(m.pifs) > 0:
		for _, p := range m.pifs {
			c.fail(r, []string{AttrManagement}, fmt.Sprintf("management = false, but member %q (members[%d]) is the "+
				"management PIF of %s.", p.device, p.index, hostList(p.hosts)), "")
		}
	case !m.pifsKnown:
		c.undecided(r, m.pifsPath, m.pifsReason)
	}
}

// checkBondMode is rule 2: the bond mode is one the policy allows, by
// default balance-slb only. An SLB bond over switch ports in a LAG, or an
// LACP bond without one, gives intermittent loss. Under a relaxed policy
// every plan warns on each bond, so that review sees it.
func checkBondMode(c *checker, b Bond, p Policy) {
	r := ruleBondMode
	allowed, policyKnown := p.bondModes()
	mode, ok := b.Mode.GetOr(BondModeBalanceSLB)
	if relaxed, _ := p.Relaxed(); relaxed && c.at == Plan {
		this := "not known yet"
		if ok {
			this = fmt.Sprintf("%q", mode)
		}
		c.warn(r, "Bond Mode Guardrail Relaxed", []string{AttrMode}, fmt.Sprintf("The provider's guardrails policy "+
			"allows the bond modes %s, not balance-slb alone; this bond's mode is %s.", quotedAll(allowed), this),
			"Check that the switch ports match the bond: a LAG for lacp, no LAG for balance-slb and active-backup.")
	}
	switch {
	case !ok:
		c.unknown(r, []string{AttrMode})
	case !isBondMode(mode):
		c.fail(r, []string{AttrMode}, fmt.Sprintf("mode = %q is not a XenServer bond mode; xapi knows %s.",
			mode, quotedList(bondModes)), `Set mode = "balance-slb".`)
	case mode == BondModeBalanceSLB:
		// Allowed under every policy: the policy can only add modes.
	case !policyKnown:
		c.undecided(r, []string{AttrMode}, fmt.Sprintf("The provider's guardrails policy is not known yet, and it "+
			"decides whether mode = %q is allowed.", mode))
	case !slices.Contains(allowed, mode):
		c.fail(r, []string{AttrMode}, fmt.Sprintf("mode = %q is not allowed: the provider's guardrails policy "+
			"allows only %s.", mode, quotedAll(allowed)), "")
	}
}

// checkMTURange is part of rule 3: XenCenter's MTU limits, 1500 to 9216.
// xapi accepts any MTU and applies it at the next plug: below 1500 the host
// drops its peers' full-size frames, above 9216 NIC drivers refuse it.
func checkMTURange(c *checker, mtu Value[int64]) {
	r := ruleMTURange
	v, ok := mtu.GetOr(DefaultMTU)
	switch {
	case !ok:
		c.unknown(r, []string{AttrMTU})
	case v < MinMTU || v > MaxMTU:
		c.fail(r, []string{AttrMTU}, fmt.Sprintf("mtu = %d is outside %d to %d.", v, MinMTU, MaxMTU), "")
	}
}

// checkBondMemberCount is part of rule 3: 2 to 4 distinct members, exactly
// 2 on the bridge backend. One NIC fails over to nothing, XenServer bonds
// no more NICs than that, and xapi folds a NIC listed twice.
func checkBondMemberCount(c *checker, b Bond, f *Facts) {
	r := ruleBondMemberCount
	members, ok := b.Members.GetOr(nil)
	if !ok {
		c.unknown(r, []string{AttrMembers})
		return
	}
	first := map[string]int{}
	unknown := 0
	for i, mv := range members {
		d, ok := mv.Get()
		if !ok {
			unknown++
			continue
		}
		if j, dup := first[d]; dup {
			c.fail(r, memberPath(i), fmt.Sprintf("members lists %q twice (members[%d] and members[%d]); xapi bonds "+
				"it once.", d, j, i), "List each NIC once in members.")
			continue
		}
		first[d] = i
	}
	distinct := len(first)
	// With unknown members the distinct count lies in [lo, hi]: an unknown
	// member may repeat a known one.
	lo, hi := distinct, distinct+unknown
	if lo == 0 && unknown > 0 {
		lo = 1
	}
	limit, backend := 4, BackendOpenvswitch
	backendKnown := f != nil && f.NetworkBackend != ""
	if backendKnown && f.NetworkBackend == BackendBridge {
		limit, backend = 2, BackendBridge
	}
	switch {
	case hi < 2:
		c.fail(r, []string{AttrMembers}, fmt.Sprintf("members has %d distinct NIC%s; a bond needs at least 2.",
			hi, plural(hi)), "")
	case lo > limit && backend == BackendBridge:
		c.fail(r, []string{AttrMembers}, fmt.Sprintf("members has %d distinct NICs, but the pool uses the bridge "+
			"network backend, which bonds exactly 2.", lo), "")
	case lo > limit:
		c.fail(r, []string{AttrMembers}, fmt.Sprintf("members has %d distinct NICs; XenServer bonds at most %d.",
			lo, limit), "")
	case unknown > 0 && (lo < 2 || hi > limit):
		c.undecided(r, []string{AttrMembers}, "Some members are not known yet.")
	case !backendKnown && hi > 2 && f == nil:
		c.undecided(r, []string{AttrMembers}, "More than 2 members need the pool's network backend, which xsnet "+
			"reads at plan time: the bridge backend bonds exactly 2.")
	case !backendKnown && hi > 2:
		c.undecided(r, []string{AttrMembers}, "The pool did not say its network backend, and the bridge backend "+
			"bonds exactly 2 NICs.")
	}
}

// checkHashingAlgorithmLACP is part of rule 3: hashing_algorithm only on an
// LACP bond, and only src_mac or tcpudp_ports. Anything else fails
// Bond.create with INVALID_VALUE halfway through the apply.
func checkHashingAlgorithmLACP(c *checker, b Bond) {
	r := ruleHashingAlgorithmLACP
	path := []string{AttrHashingAlgorithm}
	ha, ok := b.HashingAlgorithm.GetOr("")
	if !ok {
		c.unknown(r, path)
		return
	}
	if ha == "" {
		return
	}
	if ha != HashingSrcMAC && ha != HashingTCPUDPPorts {
		c.fail(r, path, fmt.Sprintf("hashing_algorithm = %q is not a hashing algorithm xapi knows.", ha),
			`Set hashing_algorithm = "src_mac" or "tcpudp_ports" on an LACP bond, or leave it out.`)
		return
	}
	mode, ok := b.Mode.GetOr(BondModeBalanceSLB)
	switch {
	case !ok:
		c.unknown(r, []string{AttrMode})
	case mode != BondModeLACP:
		c.fail(r, path, fmt.Sprintf("hashing_algorithm = %q is set on a bond whose mode is %q.", ha, mode), "")
	}
}

// checkBondMemberFree is part of rule 3: every member is a NIC each host
// has, in no other bond and carrying no VLANs. xapi refuses a missing or
// bonded NIC halfway through a pool-wide bond, and moves a NIC's VLANs onto
// the new bond.
func checkBondMemberFree(c *checker, b Bond, f *Facts) {
	r := ruleBondMemberFree
	members, ok := b.Members.GetOr(nil)
	if !ok {
		c.unknown(r, []string{AttrMembers})
		return
	}
	if f == nil {
		c.needFacts(r)
		return
	}
	seen := map[string]bool{}
	for i, mv := range members {
		d, ok := mv.Get()
		if !ok {
			c.unknown(r, memberPath(i))
			continue
		}
		if seen[d] {
			continue // bond-member-count reports the duplicate
		}
		seen[d] = true
		var missing, bonded, vlans []string
		for _, h := range f.Hosts {
			nic, ok := h.NICs[d]
			if !ok {
				missing = append(missing, h.Name)
				continue
			}
			if nic.BondNetwork != "" && nic.BondNetwork != b.Network {
				bonded = append(bonded, fmt.Sprintf("%s (bond network %s)", h.Name, nic.BondNetwork))
			}
			if len(nic.VLANTags) > 0 {
				vlans = append(vlans, fmt.Sprintf("%s (tag%s %s)", h.Name, plural(len(nic.VLANTags)), intList(nic.VLANTags)))
			}
		}
		if len(missing) > 0 {
			c.fail(r, memberPath(i), fmt.Sprintf("Member %q is not a NIC of %s.", d, hostList(missing)), "")
		}
		if len(bonded) > 0 {
			c.fail(r, memberPath(i), fmt.Sprintf("Member %q is already in another bond on %s.", d, strings.Join(bonded, ", ")), "")
		}
		if len(vlans) > 0 {
			c.fail(r, memberPath(i), fmt.Sprintf("Member %q carries VLANs on %s.", d, strings.Join(vlans, ", ")), "")
		}
	}
}

func memberPath(i int) []string { return []string{AttrMembers, strconv.Itoa(i)} }

func hostList(hosts []string) string {
	if len(hosts) == 1 {
		return "host " + hosts[0]
	}
	return "hosts " + strings.Join(hosts, ", ")
}

func intList(ns []int64) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.FormatInt(n, 10)
	}
	return strings.Join(s, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
