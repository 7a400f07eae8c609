package guardrail

import (
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"

	"github.com/xsnet/terraform-provider-xsnet/internal/table"
)

// Pool is a pool's networking as the end-state rules judge it: the pool as
// it is, with every change of a plan applied. The rules do not care how the
// pool got there (a create, an update, a destroy that returns management
// somewhere, a host joining); they judge where it ends up. poolnet builds a
// Pool from the pool and the plan; the rules only read it.
type Pool struct {
	// Networks are the pool's networks by ID. A network the plan creates
	// has an ID of poolnet's making until xapi gives it a UUID.
	Networks map[string]*PoolNetwork
	// Hosts are the pool's hosts, joining hosts included, in the order
	// messages list them.
	Hosts []*PoolHost
	// IPInterfaces are the IP interfaces xsnet keeps (xsnet_ip_interface),
	// in the pool or in the plan, by ID.
	IPInterfaces map[string]*PoolIPInterface
	// ManagementInterfaces are the requests for every host's management on
	// a network (xsnet_management_interface), in the pool or in the plan:
	// the network's ID by the request's ID.
	ManagementInterfaces map[string]string
}

// PoolIPInterface is one IP interface of a Pool: an IPv4 configuration on
// every host's PIF of a network.
type PoolIPInterface struct {
	ID string
	// Network is the ID of the network whose PIFs carry it; empty while
	// the plan makes that network and has not named it yet.
	Network string
	// Addresses are the static addresses it gives, by host name; unknown
	// while the configuration is. A host it gives none is absent.
	Addresses Value[map[string]string]
	// Purpose is its other_config:management_purpose.
	Purpose Value[string]
}

// NetworkKind says what a network's PIFs are.
type NetworkKind int

// Network kinds.
const (
	// NetworkPrivate has no PIFs.
	NetworkPrivate NetworkKind = iota
	// NetworkNIC is a NIC's pool-wide network.
	NetworkNIC
	// NetworkBond is a bond's network: its PIFs are bond masters.
	NetworkBond
	// NetworkVLAN is a VLAN's network: its PIFs are VLAN PIFs.
	NetworkVLAN
)

// String names the kind as messages do.
func (k NetworkKind) String() string {
	switch k {
	case NetworkNIC:
		return "NIC network"
	case NetworkBond:
		return "bond"
	case NetworkVLAN:
		return "VLAN"
	}
	return "network"
}

// PoolNetwork is one network of a Pool.
type PoolNetwork struct {
	ID   string
	Name string
	Kind NetworkKind
	MTU  Value[int64]
	// Parent and Tag are a VLAN's: the network its tagged PIFs are on,
	// and its 802.1Q tag. Parent is unknown for a VLAN planned over a
	// network the same plan creates.
	Parent Value[string]
	Tag    Value[int64]
	// WantsManagement says the configuration asks for management on this
	// network (an xsnet_bond with management = true), and
	// RefusesManagement that it says management = false.
	WantsManagement, RefusesManagement bool
}

// PoolHost is one host of a Pool.
type PoolHost struct {
	Name string
	// Management is the ID of the network of the host's management PIF;
	// empty when the pool did not say.
	Management string
	// MovedBy is the ID of the network whose change moves management
	// where it ends up, and MovedHow says how, for messages ("destroying
	// bond \"x\" returns it there"). Both are empty when management stays.
	MovedBy, MovedHow string
	// Releasing says management = false asks management off the network
	// that carries it, with nowhere recorded to go: another change must
	// take it, and until one does its end is not known.
	Releasing bool
	// Master says the host is the pool master.
	Master bool
	// ManagementVLANNow is the VLAN tag of the host's management PIF in
	// the pool as it is, -1 when untagged; unknown for a host the plan
	// joins.
	ManagementVLANNow Value[int64]
	// IPs are the host's IPv4 addresses by network ID, as the pool has
	// them (static or from DHCP).
	IPs map[string]string
	// Joining is what a host the plan joins says of itself, and JoinedBy
	// the ID of the change that joins it; nil and empty for the pool's own.
	Joining  *JoiningHost
	JoinedBy string
	// NICs are the host's physical NICs by device.
	NICs map[string]*PoolNIC
	// VLANParents maps each VLAN network with a PIF on this host to the
	// network its tagged PIF is on here, as the pool has it: bonding a NIC
	// moves the VLANs on it onto the bond, one host at a time. It is a
	// table, which a new pool shares with the last: a host of a large pool
	// carries a thousand VLANs. Read it, with the plan's changes, through
	// VLANParent and VLANs.
	VLANParents table.Map[string, string]
	// PlannedVLANs are the plan's changes to VLANParents: a VLAN's parent,
	// or "" for a VLAN gone. A pool is judged once for every resource of a
	// plan; the changes are written apart, into a map of the plan's own,
	// so that judging one VLAN made does not copy the host's thousand.
	PlannedVLANs map[string]string
}

// PoolNIC is one physical NIC of a PoolHost.
type PoolNIC struct {
	// Network is the ID of the NIC's own network.
	Network string
	// Bonds are the IDs of the bond networks that have (or plan to have)
	// the NIC as a member; more than one is a conflict.
	Bonds []string
}

// Violation is an end state a rule refuses.
type Violation struct {
	Rule string
	// Hosts are the hosts it happens on, by name.
	Hosts []string
	// Values are the networks whose values make the violation (an MTU, a
	// tag, management = true), and Movers those whose change moves
	// management where it makes one. The resource of each is to blame.
	Values, Movers []string
	// Path is the attribute to blame on the resource of a network in
	// Values.
	Path []string
	// Summary is the rule's title; Detail says what would happen, why it
	// is an outage, and what to write instead.
	Summary, Detail string
}

// Culprits are the networks whose resources the violation can be blamed
// on: Values, then Movers.
func (v Violation) Culprits() []string { return append(slices.Clone(v.Values), v.Movers...) }

// Key identifies the violation, so that two judgements of the same pool
// can be compared.
func (v Violation) Key() string {
	c := v.Culprits()
	slices.Sort(c)
	h := slices.Clone(v.Hosts)
	slices.Sort(h)
	return v.Rule + "|" + strings.Join(c, ",") + "|" + strings.Join(h, ",")
}

// Pending is an end-state rule that could not be decided because a value
// is unknown; the networks named are the ones whose values are missing.
type Pending struct {
	Rule     string
	Networks []string
	Reason   string
}

// PoolResult is what CheckPool found.
type PoolResult struct {
	Violations []Violation
	Pending    []Pending
}

// CheckPool judges a pool's end state by every end-state rule.
func CheckPool(p *Pool) PoolResult {
	var r PoolResult
	checkManagementMTU(p, &r)
	checkManagementPurposeMTU(p, &r)
	checkManagementKept(p, &r)
	checkManagementSingle(p, &r)
	checkManagementRefused(p, &r)
	checkVLANMTUParentEnd(p, &r)
	checkVLANTagUniqueEnd(p, &r)
	checkBondMembersEnd(p, &r)
	checkIPAddressUniqueEnd(p, &r)
	checkIPInterfaceManagementEnd(p, &r)
	checkJoinManagementVLAN(p, &r)
	checkJoinNICMTU(p, &r)
	return r
}

// networksWhere lists, in ID order, the networks for which keep is true.
// The rules look at few networks of a large pool each, so they filter
// before they sort.
func (p *Pool) networksWhere(keep func(*PoolNetwork) bool) []string {
	var ids []string
	for id, n := range p.Networks {
		if keep(n) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (p *Pool) name(id string) string {
	n, ok := p.Networks[id]
	if !ok {
		return id
	}
	if n.Name == "" {
		return fmt.Sprintf("%s %s", n.Kind, id)
	}
	return fmt.Sprintf("%s %q", n.Kind, n.Name)
}

// checkManagementMTU is rule 1 on the end state: on every host, the
// interface that carries management (a NIC, a bond, or a VLAN on either)
// has MTU 1500.
// XenServer 6.1 hosts with management on a jumbo bond dropped out of the
// pool after every reboot.
func checkManagementMTU(p *Pool, r *PoolResult) {
	rule := ruleManagementMTU
	type where struct{ chain, mover, how string }
	hostsAt := map[where][]string{}
	var order []where
	for _, h := range p.Hosts {
		if h.Management == "" {
			continue
		}
		if h.Releasing {
			r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{h.Management},
				Reason: fmt.Sprintf("management = false asks management of host %s off %s, and no change in this plan takes it yet.",
					h.Name, p.name(h.Management))})
			continue
		}
		// The interface that carries management is the one judged: a
		// management VLAN at 1500 over a jumbo bond is what XenCenter
		// makes for storage and management on one bond, and it is fine.
		chain := []string{h.Management}
		bad := false
		for _, id := range chain {
			n, ok := p.Networks[id]
			if !ok {
				continue
			}
			mtu, known := n.MTU.Get()
			switch {
			case !known:
				r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{id},
					Reason: fmt.Sprintf("%s will carry the management interface of host %s, and its MTU is not known yet.", p.name(id), h.Name)})
			case mtu != DefaultMTU:
				bad = true
			}
		}
		if !bad {
			continue
		}
		w := where{strings.Join(chain, ">"), h.MovedBy, h.MovedHow}
		if _, seen := hostsAt[w]; !seen {
			order = append(order, w)
		}
		hostsAt[w] = append(hostsAt[w], h.Name)
	}
	for _, w := range order {
		chain := strings.Split(w.chain, ">")
		top := p.Networks[chain[0]]
		var what strings.Builder
		fmt.Fprintf(&what, "The management interface of %s would be on %s", hostList(hostsAt[w]), p.name(chain[0]))
		if mtu, ok := top.MTU.Get(); ok {
			fmt.Fprintf(&what, " (MTU %d)", mtu)
		}
		if w.how != "" {
			fmt.Fprintf(&what, ", because %s", w.how)
		}
		what.WriteString(".")
		fix := "Give the interface that carries management MTU 1500 (mtu = 1500 changes in place), and carry jumbo frames " +
			"on a separate bond or VLAN."
		if w.mover != "" && !slices.Contains(chain, w.mover) {
			fix += " Where management has to move first, do it in two applies: move management onto an interface at " +
				"MTU 1500 (management = true on that bond), apply, then make this change."
		}
		r.Violations = append(r.Violations, Violation{
			Rule: rule.ID, Hosts: hostsAt[w], Values: chain, Movers: moverOf(w.mover, chain),
			Path: []string{AttrMTU}, Summary: rule.Title,
			Detail: what.String() + " " + rule.Why + " " + fix,
		})
	}
}

func moverOf(mover string, values []string) []string {
	if mover == "" || slices.Contains(values, mover) {
		return nil
	}
	return []string{mover}
}

// checkManagementKept refuses destroying the interface that carries a
// host's management: xapi refuses it (PIF_IS_MANAGEMENT_INTERFACE) half-way
// through the destroy, after other hosts' VLANs are gone.
func checkManagementKept(p *Pool, r *PoolResult) {
	rule := ruleManagementKept
	lost := map[string][]string{}
	var order []string
	for _, h := range p.Hosts {
		if h.Management == "" || p.Networks[h.Management] != nil || h.MovedBy == "" {
			continue
		}
		if _, seen := lost[h.MovedBy]; !seen {
			order = append(order, h.MovedBy)
		}
		lost[h.MovedBy] = append(lost[h.MovedBy], h.Name)
	}
	for _, id := range order {
		r.Violations = append(r.Violations, Violation{
			Rule: rule.ID, Hosts: lost[id], Movers: []string{id}, Summary: rule.Title,
			Detail: fmt.Sprintf("This destroys the network %s, which carries the management interface of %s.", id, hostList(lost[id])) +
				" " + rule.Why + " " + rule.Fix,
		})
	}
}

// checkManagementSingle refuses two requests for the management
// interface, bonds with management = true and xsnet_management_interface
// alike: a host has one, and the second move undoes the first half-way
// through the apply.
func checkManagementSingle(p *Pool, r *PoolResult) {
	want := p.networksWhere(func(n *PoolNetwork) bool { return n.WantsManagement })
	names := make([]string, 0, len(want))
	for _, id := range want {
		names = append(names, p.name(id))
	}
	onlyBonds := true
	for _, id := range slices.Sorted(maps.Keys(p.ManagementInterfaces)) {
		want = append(want, id)
		names = append(names, "the xsnet_management_interface on "+p.name(p.ManagementInterfaces[id]))
		onlyBonds = false
	}
	if len(want) < 2 {
		return
	}
	var hosts []string
	for _, h := range p.Hosts {
		hosts = append(hosts, h.Name)
	}
	how := ""
	if onlyBonds {
		how = " (management = true)"
	}
	rule := ruleManagementSingle
	r.Violations = append(r.Violations, Violation{
		Rule: rule.ID, Hosts: hosts, Values: want, Path: []string{AttrManagement}, Summary: rule.Title,
		Detail: fmt.Sprintf("Both %s ask for the management interface%s.", strings.Join(names, " and "), how) +
			" " + rule.Why + " " + rule.Fix,
	})
}

// checkManagementPurposeMTU is rule 1 for an IP interface whose purpose
// names management: the network under it has MTU 1500, as the management
// interface's does. XenCenter calls such an interface a secondary
// management interface, and the same XenServer 6.1 failure awaits it.
func checkManagementPurposeMTU(p *Pool, r *PoolResult) {
	rule := ruleManagementMTU
	for _, id := range slices.Sorted(maps.Keys(p.IPInterfaces)) {
		ip := p.IPInterfaces[id]
		purpose, ok := ip.Purpose.Get()
		switch {
		case ip.Purpose.IsUnknown():
			r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{id},
				Reason: "The purpose of the IP interface is not known yet, and a purpose that names management holds its network to MTU 1500."})
			continue
		case !ok || !IsManagementPurpose(purpose):
			continue
		case ip.Network == "":
			r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{id},
				Reason: fmt.Sprintf("The IP interface has purpose %q, and the network it is on is not known yet.", purpose)})
			continue
		}
		n, ok := p.Networks[ip.Network]
		if !ok {
			continue
		}
		mtu, known := n.MTU.Get()
		switch {
		case !known:
			r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{ip.Network, id},
				Reason: fmt.Sprintf("The IP interface has purpose %q, and the MTU of %s is not known yet.", purpose, p.name(ip.Network))})
		case mtu != DefaultMTU:
			var hosts []string
			for _, h := range p.Hosts {
				if h.hasNetwork(ip.Network) {
					hosts = append(hosts, h.Name)
				}
			}
			r.Violations = append(r.Violations, Violation{
				Rule: rule.ID, Hosts: hosts, Values: []string{ip.Network}, Movers: []string{id}, Path: []string{AttrMTU},
				Summary: rule.Title,
				Detail: fmt.Sprintf("The IP interface on %s has purpose %q, which makes it a management interface, and %s would have MTU %d.",
					p.name(ip.Network), purpose, p.name(ip.Network), mtu) + " " + rule.Why +
					" Give that network MTU 1500, or give the interface a purpose that does not name management, such as \"Storage\".",
			})
		}
	}
}

// VLANParent returns the network the VLAN's tagged PIF is on here, and
// whether the host carries the VLAN, the plan's changes included.
func (h *PoolHost) VLANParent(vlan string) (string, bool) {
	if p, ok := h.PlannedVLANs[vlan]; ok {
		return p, p != ""
	}
	return h.VLANParents.Lookup(vlan)
}

// SetVLANParent plans the VLAN on this host, over the parent network.
func (h *PoolHost) SetVLANParent(vlan, parent string) {
	if h.PlannedVLANs == nil {
		h.PlannedVLANs = map[string]string{}
	}
	h.PlannedVLANs[vlan] = parent
}

// RemoveVLAN plans the VLAN off this host.
func (h *PoolHost) RemoveVLAN(vlan string) {
	if _, ok := h.VLANParent(vlan); ok {
		h.SetVLANParent(vlan, "")
	}
}

// VLANs yields each VLAN the host carries and its parent, the plan's
// changes included, in no set order.
func (h *PoolHost) VLANs() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for vlan, p := range h.VLANParents.All() {
			if _, planned := h.PlannedVLANs[vlan]; !planned && !yield(vlan, p) {
				return
			}
		}
		for vlan, p := range h.PlannedVLANs {
			if p != "" && !yield(vlan, p) {
				return
			}
		}
	}
}

// hasNetwork reports whether the host has a PIF on the network, as far as
// the end state knows its NICs, bonds and VLANs.
func (h *PoolHost) hasNetwork(id string) bool {
	if _, ok := h.VLANParent(id); ok {
		return true
	}
	for _, nic := range h.NICs {
		if nic.Network == id || slices.Contains(nic.Bonds, id) {
			return true
		}
	}
	return false
}

// checkManagementRefused is the management-member rule: a bond that says
// management = false and would carry management all the same, because xapi
// moves management onto a bond made over a host's management NIC whatever
// the configuration says. The apply would end in a state the
// configuration contradicts, with the bond's MTU as the management MTU.
func checkManagementRefused(p *Pool, r *PoolResult) {
	rule := ruleManagementMember
	for _, id := range p.networksWhere(func(n *PoolNetwork) bool { return n.RefusesManagement }) {
		var hosts []string
		how := ""
		for _, h := range p.Hosts {
			if h.Management == id && !h.Releasing {
				hosts = append(hosts, h.Name)
				if how == "" {
					how = h.MovedHow
				}
			}
		}
		if len(hosts) == 0 {
			continue
		}
		what := fmt.Sprintf("management = false, but %s would carry the management interface of %s", p.name(id), hostList(hosts))
		if how != "" {
			what += ": " + how
		}
		r.Violations = append(r.Violations, Violation{
			Rule: rule.ID, Hosts: hosts, Values: []string{id}, Path: []string{AttrManagement}, Summary: rule.Title,
			Detail: what + ". " + rule.Why + " " + rule.Fix,
		})
	}
}

// checkVLANMTUParentEnd is the vlan-mtu-parent rule on the end state: no
// VLAN's MTU above its parent's, whichever of the two the plan changes.
func checkVLANMTUParentEnd(p *Pool, r *PoolResult) {
	// The pool is judged once per resource planned: the VLANs are looked
	// at in any order, and only the few with something to say are sorted,
	// not the thousand that fit.
	type found struct {
		vlan      string
		pending   *Pending
		violation *Violation
	}
	var all []found
	for id, v := range p.Networks {
		if v.Kind != NetworkVLAN {
			continue
		}
		if pending, violation := vlanMTUFinding(p, id, v); pending != nil || violation != nil {
			all = append(all, found{id, pending, violation})
		}
	}
	slices.SortFunc(all, func(a, b found) int { return strings.Compare(a.vlan, b.vlan) })
	for _, f := range all {
		if f.pending != nil {
			r.Pending = append(r.Pending, *f.pending)
		}
		if f.violation != nil {
			r.Violations = append(r.Violations, *f.violation)
		}
	}
}

// vlanMTUFinding is what vlan-mtu-parent says of one VLAN: that it cannot
// decide yet, that the VLAN's MTU is over its parent's, or (both nil)
// nothing.
func vlanMTUFinding(p *Pool, id string, v *PoolNetwork) (*Pending, *Violation) {
	rule := ruleVLANMTUParent
	mtu, ok := v.MTU.Get()
	parentID, parentOK := v.Parent.Get()
	parent := p.Networks[parentID]
	switch {
	case !ok:
		return &Pending{Rule: rule.ID, Networks: []string{id}, Reason: fmt.Sprintf("The MTU of %s is not known yet.", p.name(id))}, nil
	case !parentOK:
		return &Pending{Rule: rule.ID, Networks: []string{id}, Reason: fmt.Sprintf("The parent network of %s is not known yet.", p.name(id))}, nil
	case parent == nil:
		return nil, nil
	}
	pmtu, ok := parent.MTU.Get()
	switch {
	case !ok:
		return &Pending{Rule: rule.ID, Networks: []string{parentID}, Reason: fmt.Sprintf("The MTU of %s is not known yet.", p.name(parentID))}, nil
	case mtu > pmtu:
		return nil, &Violation{
			Rule: rule.ID, Values: []string{id, parentID}, Path: []string{AttrMTU}, Summary: rule.Title,
			Detail: fmt.Sprintf("%s would have MTU %d over %s with MTU %d.", capitalize(p.name(id)), mtu, p.name(parentID), pmtu) +
				" " + rule.Why + " Keep the VLAN's mtu no higher than its parent's: lower the VLAN, or leave the parent's MTU as it is.",
		}
	}
	return nil, nil
}

// checkVLANTagUniqueEnd is the vlan-tag-unique rule on the end state: one
// VLAN network per parent and tag.
func checkVLANTagUniqueEnd(p *Pool, r *PoolResult) {
	rule := ruleVLANTagUnique
	type pair struct {
		parent string
		tag    int64
	}
	// The pool is judged once per resource planned, and a pool of a
	// thousand VLANs has a thousand tags of which none clash: only a
	// second user of a tag makes a list.
	first := make(map[pair]string, len(p.Networks))
	users := map[pair][]string{}
	for id, v := range p.Networks {
		parent, ok1 := v.Parent.Get()
		tag, ok2 := v.Tag.Get()
		if v.Kind != NetworkVLAN || !ok1 || !ok2 {
			continue
		}
		k := pair{parent, tag}
		other, taken := first[k]
		if !taken {
			first[k] = id
			continue
		}
		if users[k] == nil {
			users[k] = []string{other}
		}
		users[k] = append(users[k], id)
	}
	for _, ids := range users {
		slices.Sort(ids)
	}
	for _, k := range slices.SortedFunc(maps.Keys(users), func(a, b pair) int {
		if c := strings.Compare(a.parent, b.parent); c != 0 {
			return c
		}
		return int(a.tag - b.tag)
	}) {
		ids := users[k]
		if len(ids) < 2 {
			continue
		}
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = p.name(id)
		}
		r.Violations = append(r.Violations, Violation{
			Rule: rule.ID, Values: ids, Path: []string{AttrTag}, Summary: rule.Title,
			Detail: fmt.Sprintf("%s would all use tag %d on %s.", strings.Join(names, " and "), k.tag, p.name(k.parent)) +
				" " + rule.Why + " " + rule.Fix,
		})
	}
}

// checkBondMembersEnd is the bond-member-free rule on the end state: a NIC
// is a member of one bond. xapi refuses the second with PIF_ALREADY_BONDED
// half-way through the pool-wide bond.
func checkBondMembersEnd(p *Pool, r *PoolResult) {
	rule := ruleBondMemberFree
	type clash struct{ device, bonds string }
	hosts := map[clash][]string{}
	var order []clash
	for _, h := range p.Hosts {
		for _, d := range slices.Sorted(maps.Keys(h.NICs)) {
			nic := h.NICs[d]
			if len(nic.Bonds) < 2 {
				continue
			}
			bonds := slices.Clone(nic.Bonds)
			slices.Sort(bonds)
			k := clash{d, strings.Join(bonds, ",")}
			if _, seen := hosts[k]; !seen {
				order = append(order, k)
			}
			hosts[k] = append(hosts[k], h.Name)
		}
	}
	for _, k := range order {
		ids := strings.Split(k.bonds, ",")
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = p.name(id)
		}
		r.Violations = append(r.Violations, Violation{
			Rule: rule.ID, Hosts: hosts[k], Values: ids, Path: []string{AttrMembers}, Summary: rule.Title,
			Detail: fmt.Sprintf("NIC %s of %s would be a member of both %s.", k.device, hostList(hosts[k]), strings.Join(names, " and ")) +
				" " + rule.Why + " " + rule.Fix,
		})
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// checkIPAddressUniqueEnd is the ip-address-unique rule on the end state:
// no address an IP interface gives is on two PIFs of the pool, whether
// the other is an IP interface's or one the pool has that no IP interface
// decides (a management address, an interface made in XenCenter).
func checkIPAddressUniqueEnd(p *Pool, r *PoolResult) {
	rule := ruleIPAddressUnique
	type use struct{ host, network, owner string }
	users := map[string][]use{}
	decided := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(p.IPInterfaces)) {
		ip := p.IPInterfaces[id]
		if ip.Network != "" {
			decided[ip.Network] = true
		}
		addrs, ok := ip.Addresses.Get()
		if !ok {
			continue
		}
		for _, h := range p.Hosts {
			if a, ok := addrs[h.Name]; ok {
				users[a] = append(users[a], use{h.Name, ip.Network, id})
			}
		}
	}
	for _, h := range p.Hosts {
		for _, network := range slices.Sorted(maps.Keys(h.IPs)) {
			if !decided[network] && h.IPs[network] != "" {
				users[h.IPs[network]] = append(users[h.IPs[network]], use{h.Name, network, ""})
			}
		}
	}
	for _, addr := range slices.Sorted(maps.Keys(users)) {
		us := users[addr]
		var owners, hosts, where []string
		for _, u := range us {
			if u.owner != "" && !slices.Contains(owners, u.owner) {
				owners = append(owners, u.owner)
			}
			if !slices.Contains(hosts, u.host) {
				hosts = append(hosts, u.host)
			}
			what := "host " + u.host
			if u.network != "" {
				what += " on " + p.name(u.network)
			}
			if u.owner == "" {
				what += " (configured outside this IP interface)"
			}
			where = append(where, what)
		}
		if len(us) < 2 || len(owners) == 0 {
			continue
		}
		r.Violations = append(r.Violations, Violation{
			Rule: rule.ID, Hosts: hosts, Values: owners, Path: []string{AttrAddresses}, Summary: rule.Title,
			Detail: fmt.Sprintf("Address %s would be on %s.", addr, strings.Join(where, " and ")) + " " + rule.Why + " " + rule.Fix,
		})
	}
}

// checkIPInterfaceManagementEnd is the ip-interface-management rule: no
// IP interface on the network that carries a host's management, whichever
// change puts management there.
func checkIPInterfaceManagementEnd(p *Pool, r *PoolResult) {
	rule := ruleIPInterfaceManagement
	for _, id := range slices.Sorted(maps.Keys(p.IPInterfaces)) {
		ip := p.IPInterfaces[id]
		if ip.Network == "" {
			continue
		}
		var hosts, movers []string
		how := ""
		for _, h := range p.Hosts {
			if h.Management != ip.Network || h.Releasing {
				continue
			}
			hosts = append(hosts, h.Name)
			if h.MovedBy != "" && h.MovedBy != id && !slices.Contains(movers, h.MovedBy) {
				movers = append(movers, h.MovedBy)
			}
			if how == "" && h.MovedHow != "" {
				how = ", because " + h.MovedHow
			}
		}
		if len(hosts) == 0 {
			continue
		}
		r.Violations = append(r.Violations, Violation{
			Rule: rule.ID, Hosts: hosts, Values: []string{id}, Movers: movers, Path: []string{AttrNetworkID}, Summary: rule.Title,
			Detail: fmt.Sprintf("An IP interface would be on %s, which would carry the management interface of %s%s.",
				p.name(ip.Network), hostList(hosts), how) + " " + rule.Why + " " + rule.Fix,
		})
	}
}

// master returns the pool master, or nil when the pool did not say.
func (p *Pool) master() *PoolHost {
	for _, h := range p.Hosts {
		if h.Master {
			return h
		}
	}
	return nil
}

// vlanTag is the tag of the network's PIFs: -1 for a network that is not
// a VLAN's.
func (p *Pool) vlanTag(id string) Value[int64] {
	n, ok := p.Networks[id]
	if !ok || n.Kind != NetworkVLAN {
		return Known[int64](-1)
	}
	return n.Tag
}

// describeVLAN says where a management VLAN tag puts management.
func describeVLAN(tag int64) string {
	if tag < 0 {
		return "untagged"
	}
	return fmt.Sprintf("on VLAN %d", tag)
}

// checkJoinManagementVLAN is part of the pool-join-host rule: a joining
// host's management is on the VLAN the master's is on, untagged when the
// master's is, both in the pool as it is (Terraform may join the host
// before it applies the plan's other changes) and as the plan leaves it.
// pool.join refuses anything else with
// POOL_JOINING_HOST_MANAGEMENT_VLAN_DOES_NOT_MATCH.
func checkJoinManagementVLAN(p *Pool, r *PoolResult) {
	rule := rulePoolJoinHost
	m := p.master()
	if m == nil || m.Management == "" {
		return
	}
	for _, h := range p.Hosts {
		if h.Joining == nil {
			continue
		}
		want := h.Joining.ManagementVLAN
		end, ok := p.vlanTag(m.Management).Get()
		if !ok {
			r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{h.JoinedBy, m.Management},
				Reason: fmt.Sprintf("The tag of %s, which would carry the pool master's management, is not known yet.", p.name(m.Management))})
			continue
		}
		now, nowKnown := m.ManagementVLANNow.Get()
		movers := []string{h.JoinedBy}
		if m.MovedBy != "" {
			movers = append(movers, m.MovedBy)
		}
		var what, fix string
		switch {
		case end != want:
			what = fmt.Sprintf("Host %s has its management %s, and the pool master's would be %s, on %s.",
				h.Name, describeVLAN(want), describeVLAN(end), p.name(m.Management))
			fix = "Put the host's management " + describeVLAN(end) + " before it joins, as the master's is " +
				"(xe host-management-reconfigure on the host)."
		case nowKnown && now != want:
			what = fmt.Sprintf("Host %s has its management %s, as the pool master's will be once this plan moves it, "+
				"and the master's is %s now, and Terraform may join the host first.", h.Name, describeVLAN(want), describeVLAN(now))
			fix = "Move the pool's management in one apply, and join the host in the next."
		default:
			continue
		}
		r.Violations = append(r.Violations, Violation{
			Rule: rule.ID, Hosts: []string{h.Name}, Movers: movers, Path: []string{AttrAddress}, Summary: rule.Title,
			Detail: what + " " + rule.Why + " " + fix,
		})
	}
}

// checkJoinNICMTU is part of the pool-join-host rule: a joining host's NIC
// that becomes a member of one of the pool's bonds takes that bond's MTU.
// xapi cannot say how large an MTU a NIC takes; a NIC that came up below
// its own network's MTU has shown it cannot take that one.
func checkJoinNICMTU(p *Pool, r *PoolResult) {
	rule := rulePoolJoinHost
	for _, h := range p.Hosts {
		if h.Joining == nil {
			continue
		}
		for _, d := range slices.Sorted(maps.Keys(h.NICs)) {
			refused := h.Joining.RefusedMTU[d]
			if refused == 0 {
				continue
			}
			for _, b := range h.NICs[d].Bonds {
				n, ok := p.Networks[b]
				if !ok {
					continue
				}
				mtu, known := n.MTU.Get()
				if !known || mtu < refused {
					continue
				}
				r.Violations = append(r.Violations, Violation{
					Rule: rule.ID, Hosts: []string{h.Name}, Values: []string{b}, Movers: []string{h.JoinedBy}, Path: []string{AttrMTU},
					Summary: rule.Title,
					Detail: fmt.Sprintf("NIC %s of host %s came up below MTU %d on its own network, and joining makes it a member of %s "+
						"with MTU %d: the bond on %s would not take the pool's MTU.", d, h.Name, refused, p.name(b), mtu, h.Name) +
						" " + rule.Why + " Join a host whose NICs take the bonds' MTU, or lower the bond's mtu to what every host takes.",
				})
			}
		}
	}
}
