package guardrail

// CheckNetwork checks a network's own settings. A network needs nothing
// from the pool, so its check is complete at Validate once its MTU is
// known.
func CheckNetwork(at Stage, n Network) Result {
	c := &checker{at: at}
	checkMTURange(c, n.MTU)
	return c.result()
}
