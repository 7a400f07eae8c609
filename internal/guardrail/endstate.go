package guardrail

import (
	"fmt"
	"maps"
	"slices"
	"strings"
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
	// NICs are the host's physical NICs by device.
	NICs map[string]*PoolNIC
	// VLANParents maps each VLAN network with a PIF on this host to the
	// network its tagged PIF is on here: bonding a NIC moves the VLANs on
	// it onto the bond, one host at a time.
	VLANParents map[string]string
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
	checkManagementKept(p, &r)
	checkManagementSingle(p, &r)
	checkManagementRefused(p, &r)
	checkVLANMTUParentEnd(p, &r)
	checkVLANTagUniqueEnd(p, &r)
	checkBondMembersEnd(p, &r)
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

// checkManagementSingle refuses two networks that both ask for the
// management interface: a host has one, and the second move undoes the
// first half-way through the apply.
func checkManagementSingle(p *Pool, r *PoolResult) {
	want := p.networksWhere(func(n *PoolNetwork) bool { return n.WantsManagement })
	if len(want) < 2 {
		return
	}
	names := make([]string, len(want))
	for i, id := range want {
		names[i] = p.name(id)
	}
	var hosts []string
	for _, h := range p.Hosts {
		hosts = append(hosts, h.Name)
	}
	rule := ruleManagementSingle
	r.Violations = append(r.Violations, Violation{
		Rule: rule.ID, Hosts: hosts, Values: want, Path: []string{AttrManagement}, Summary: rule.Title,
		Detail: fmt.Sprintf("Both %s ask for the management interface (management = true).", strings.Join(names, " and ")) +
			" " + rule.Why + " " + rule.Fix,
	})
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
	rule := ruleVLANMTUParent
	for _, id := range p.networksWhere(func(n *PoolNetwork) bool { return n.Kind == NetworkVLAN }) {
		v := p.Networks[id]
		mtu, ok := v.MTU.Get()
		parentID, parentOK := v.Parent.Get()
		parent := p.Networks[parentID]
		switch {
		case !ok:
			r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{id}, Reason: fmt.Sprintf("The MTU of %s is not known yet.", p.name(id))})
			continue
		case !parentOK:
			r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{id}, Reason: fmt.Sprintf("The parent network of %s is not known yet.", p.name(id))})
			continue
		case parent == nil:
			continue
		}
		pmtu, ok := parent.MTU.Get()
		if !ok {
			r.Pending = append(r.Pending, Pending{Rule: rule.ID, Networks: []string{parentID}, Reason: fmt.Sprintf("The MTU of %s is not known yet.", p.name(parentID))})
			continue
		}
		if mtu > pmtu {
			r.Violations = append(r.Violations, Violation{
				Rule: rule.ID, Values: []string{id, parentID}, Path: []string{AttrMTU}, Summary: rule.Title,
				Detail: fmt.Sprintf("%s would have MTU %d over %s with MTU %d.", capitalize(p.name(id)), mtu, p.name(parentID), pmtu) +
					" " + rule.Why + " Keep the VLAN's mtu no higher than its parent's: lower the VLAN, or leave the parent's MTU as it is.",
			})
		}
	}
}

// checkVLANTagUniqueEnd is the vlan-tag-unique rule on the end state: one
// VLAN network per parent and tag.
func checkVLANTagUniqueEnd(p *Pool, r *PoolResult) {
	rule := ruleVLANTagUnique
	type pair struct {
		parent string
		tag    int64
	}
	users := map[pair][]string{}
	for id, v := range p.Networks {
		parent, ok1 := v.Parent.Get()
		tag, ok2 := v.Tag.Get()
		if v.Kind != NetworkVLAN || !ok1 || !ok2 {
			continue
		}
		k := pair{parent, tag}
		users[k] = append(users[k], id)
	}
	for k, ids := range users {
		if len(ids) < 2 {
			delete(users, k)
			continue
		}
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
