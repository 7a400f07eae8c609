package guardrail

import "fmt"

// CheckVLAN checks a pool-wide VLAN network's own settings. Its MTU
// against its parent's and its tag against the parent's other VLANs are
// judged on the pool as the plan leaves it (CheckPool), since either side
// may change in the same plan.
func CheckVLAN(at Stage, v VLAN) Result {
	c := &checker{at: at}
	checkVLANTagRange(c, v)
	checkMTURange(c, v.MTU)
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
