package guardrail

import (
	"fmt"
	"strings"
)

// CheckPoolJoin checks a host's request to join the pool. It needs the
// joining host's facts, so it decides at Plan at the earliest.
func CheckPoolJoin(at Stage, j PoolJoin, f *Facts) Result {
	c := &checker{at: at}
	checkPoolJoinHost(c, j, f)
	return c.result()
}

// checkPoolJoinHost is part of rule 3: a host to join has no bonds, no VLANs
// but management's, and the pool's network backend. pool.join refuses
// anything else in the middle of the apply.
func checkPoolJoinHost(c *checker, j PoolJoin, f *Facts) {
	r := rulePoolJoinHost
	path := []string{AttrAddress}
	addr, ok := j.Address.Get()
	switch {
	case j.Address.IsUnknown():
		c.unknown(r, path)
		return
	case !ok:
		return // a required attribute: Terraform refuses the configuration itself
	case f == nil:
		c.needFacts(r)
		return
	}
	h, ok := f.JoiningHosts[addr]
	if !ok {
		c.undecided(r, path, fmt.Sprintf("xsnet has not read the host at %s.", addr))
		return
	}
	name := addr
	if h.Name != "" {
		name = fmt.Sprintf("%s (%s)", h.Name, addr)
	}
	if len(h.Bonds) > 0 {
		c.fail(r, path, fmt.Sprintf("The host %s has bond%s %s.", name, plural(len(h.Bonds)), strings.Join(h.Bonds, ", ")),
			"Destroy the host's bonds before it joins: on joining it takes the pool's bonds, NICs matched by position.")
	}
	if len(h.NonManagementVLANs) > 0 {
		c.fail(r, path, fmt.Sprintf("The host %s has VLAN%s %s besides management.", name,
			plural(len(h.NonManagementVLANs)), intList(h.NonManagementVLANs)),
			"Destroy those VLANs on the host before it joins: on joining it takes the pool's VLANs.")
	}
	switch {
	case h.NetworkBackend == "" || f.NetworkBackend == "":
		c.undecided(r, path, fmt.Sprintf("The network backend of the host %s or of the pool is not known.", name))
	case h.NetworkBackend != f.NetworkBackend:
		c.fail(r, path, fmt.Sprintf("The host %s uses the %s network backend and the pool uses %s.", name,
			h.NetworkBackend, f.NetworkBackend),
			fmt.Sprintf("Switch the host to the %s backend (xe-switch-network-backend %s, then reboot) before it joins.",
				f.NetworkBackend, f.NetworkBackend))
	}
}
