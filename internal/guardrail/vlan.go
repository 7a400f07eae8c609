package guardrail

import "fmt"

// CheckVLAN checks a pool-wide VLAN network against every rule that
// concerns it. f is nil at Validate, and at Plan when the pool could not be
// read.
func CheckVLAN(at Stage, v VLAN, f *Facts) Result {
	c := &checker{at: at}
	checkVLANTagRange(c, v)
	checkMTURange(c, v.MTU)
	checkVLANMTUParent(c, v, f)
	checkVLANTagUnique(c, v, f)
	return c.result()
}

// checkVLANTagRange is part of rule 3: an 802.1Q tag from 1 to 4094. xapi
// refuses a larger tag only halfway through the apply, and takes tag 0,
// which switches treat as the untagged native VLAN.
func checkVLANTagRange(c *checker, v VLAN) {
	r := ruleVLANTagRange
	tag, ok := v.Tag.Get()
	switch {
	case v.Tag.IsUnknown():
		c.unknown(r, []string{AttrTag})
	case !ok:
		// A required attribute: Terraform refuses the configuration itself.
	case tag < MinVLANTag || tag > MaxVLANTag:
		c.fail(r, []string{AttrTag}, fmt.Sprintf("tag = %d is outside %d to %d.", tag, MinVLANTag, MaxVLANTag), "")
	}
}

// checkVLANMTUParent is part of rule 3: a VLAN's MTU is no larger than its
// parent network's. Its frames travel on the parent's PIFs, which drop
// anything larger: small packets pass and large transfers hang.
func checkVLANMTUParent(c *checker, v VLAN, f *Facts) {
	r := ruleVLANMTUParent
	mtu, ok := v.MTU.Get()
	if v.MTU.IsUnknown() {
		c.unknown(r, []string{AttrMTU})
		return
	}
	if !ok {
		return // the VLAN takes its parent's MTU
	}
	var parent int64
	var source string
	switch {
	case v.ParentMTU.IsKnown():
		parent, _ = v.ParentMTU.Get()
		source = "in the configuration"
	case v.ParentMTU.IsUnknown():
		c.undecided(r, []string{AttrParentNetworkID}, "The parent network's MTU is not known yet.")
		return
	case f == nil:
		c.needFacts(r)
		return
	default:
		id, ok := v.ParentNetwork.Get()
		if !ok {
			c.unknown(r, []string{AttrParentNetworkID})
			return
		}
		pm, ok := f.NetworkMTU[id]
		if !ok {
			c.undecided(r, []string{AttrParentNetworkID}, fmt.Sprintf("The pool has no network %s yet, so its MTU "+
				"is not known.", id))
			return
		}
		parent, source = pm, "in the pool"
	}
	if mtu > parent {
		c.fail(r, []string{AttrMTU}, fmt.Sprintf("mtu = %d is above the parent network's MTU, %d %s.", mtu, parent, source), "")
	}
}

// checkVLANTagUnique is part of rule 3: a (parent, tag) pair is used once.
// xapi refuses the second with PIF_VLAN_EXISTS only during the apply, once
// the new network exists.
func checkVLANTagUnique(c *checker, v VLAN, f *Facts) {
	r := ruleVLANTagUnique
	tag, tagOK := v.Tag.Get()
	parent, parentOK := v.ParentNetwork.Get()
	switch {
	case v.Tag.IsUnknown():
		c.unknown(r, []string{AttrTag})
		return
	case v.ParentNetwork.IsUnknown():
		c.unknown(r, []string{AttrParentNetworkID})
		return
	case !tagOK || !parentOK:
		return // required attributes: Terraform refuses the configuration itself
	case f == nil:
		c.needFacts(r)
		return
	}
	for _, e := range f.VLANs {
		if e.ParentNetwork == parent && e.Tag == tag && e.Network != v.Network {
			c.fail(r, []string{AttrTag}, fmt.Sprintf("tag = %d is already used on parent network %s by the VLAN "+
				"network %q (%s).", tag, parent, e.Name, e.Network), "")
		}
	}
}
