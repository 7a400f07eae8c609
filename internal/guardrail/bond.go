package guardrail

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// CheckBond checks a pool-wide bond's own settings: what its
// configuration decides alone, and with the pool's facts whether its
// members exist and fit the pool's network backend. Where the bond leaves
// management, and how it sits with the pool's other networks, is judged on
// the pool as the plan leaves it (CheckPool). f is nil at Validate, and at
// Plan when the pool could not be read.
func CheckBond(at Stage, b Bond, p Policy, f *Facts) Result {
	c := &checker{at: at}
	checkManagementBondMTU(c, b)
	checkBondMode(c, b, p)
	checkMTURange(c, b.MTU)
	checkBondMemberCount(c, b, f)
	checkHashingAlgorithmLACP(c, b)
	checkBondMemberFree(c, b, f)
	return c.result()
}

// checkManagementBondMTU is the part of rule 1 a bond's configuration
// decides alone: management = true with an MTU other than 1500. Where else
// management ends up, and at what MTU, is judged on the pool as the plan
// leaves it (CheckPool). XenServer 6.1 hosts with management on a bond at
// MTU 9000 dropped out of the pool after every reboot.
func checkManagementBondMTU(c *checker, b Bond) {
	r := ruleManagementMTU
	if management, ok := b.Management.Get(); !ok || !management {
		return
	}
	mtu, ok := b.MTU.GetOr(DefaultMTU)
	switch {
	case !ok:
		c.unknown(r, []string{AttrMTU})
	case mtu != DefaultMTU:
		c.fail(r, []string{AttrMTU}, fmt.Sprintf("This bond carries the management interface (management = true) and has mtu = %d.", mtu), "")
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
		if c.at == Plan {
			c.warn(r, "Bond Mode Not Checked Yet", []string{AttrMode}, fmt.Sprintf("mode = %q needs the provider's "+
				"guardrails policy to allow it, and allowed_bond_modes is not known until apply.", mode),
				"xsnet checks it before apply changes this bond, and refuses it then unless the policy allows it. "+
					"Give allowed_bond_modes a value known at plan to have it checked here.")
		}
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

// checkBondMemberFree is the part of rule 3 a bond decides with the
// pool's facts: every member is a NIC each host has. xapi refuses a
// missing NIC halfway through a pool-wide bond. A NIC that two bonds claim
// is judged on the pool as the plan leaves it (CheckPool), and a NIC that
// carries VLANs may be bonded: xapi moves them onto the bond.
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
		var missing []string
		for _, h := range f.Hosts {
			if !slices.Contains(h.NICs, d) {
				missing = append(missing, h.Name)
			}
		}
		if len(missing) > 0 {
			c.fail(r, memberPath(i), fmt.Sprintf("Member %q is not a NIC of %s.", d, hostList(missing)), "")
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
