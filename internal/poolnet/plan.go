package poolnet

import (
	"context"
	"slices"
	"strconv"
	"sync"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
)

// plannedPrefix starts the ID the ledger gives a network a plan creates.
const plannedPrefix = "planned:"

// ledger is what this plan changes: every change a resource has planned in
// this provider process. Terraform plans every resource of a run in one
// process, so whichever of two changes that clash is planned second sees
// the first here.
type ledger struct {
	mu      sync.Mutex
	changes []Change
	next    int
}

// record adds a change, and returns it with its ID. A network's update or
// delete replaces an earlier one of the same network: Terraform plans a
// resource again just before it applies it. Every create is a resource of
// its own, since Terraform plans each once.
func (l *ledger) record(c Change) Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.Kind == Create {
		l.next++
		c.ID = plannedPrefix + strconv.Itoa(l.next)
		l.changes = append(l.changes, c)
		return c
	}
	for i, prior := range l.changes {
		if prior.ID == c.ID && prior.Join == nil {
			// Judges may hold the changes as they were: replace in a copy.
			l.changes = slices.Clone(l.changes)
			l.changes[i] = c
			return c
		}
	}
	l.changes = append(l.changes, c)
	return c
}

// all returns the changes recorded so far. The slice is shared: a later
// record appends past its end or replaces it whole, never writes in it.
func (l *ledger) all() []Change {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changes[:len(l.changes):len(l.changes)]
}

// planned reports whether a network is the subject of a change recorded.
func (l *ledger) planned(id string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.ContainsFunc(l.changes, func(c Change) bool { return c.ID == id })
}

// Judgement is what the end-state rules say of one change: the guardrail
// findings to show on its resource, and what else it moves.
type Judgement struct {
	guardrail.Result
	// Moves says what the change moves besides its own network, such as
	// the VLANs on NICs it bonds: the plan shows it for review.
	Moves []string
	// Standing says that every violation the judgement shows is in the
	// pool already, before any change of this plan: drift, not what the
	// plan does. A change that changes nothing may then be let through
	// (terraform destroy plans every resource unchanged first); one whose
	// violation another change of the plan causes may not.
	Standing bool
	// Management says whether the change's network carries every host's
	// management interface once the plan is applied: what a bond that
	// leaves management out shows in the plan. It is unknown while
	// management waits for another change to take it.
	Management guardrail.Value[bool]
}

// Plan records a resource's planned change in the plan ledger, and judges
// the pool as the plan leaves it: the pool now, with every change planned
// so far in this process. A violation is shown on the change if the
// change's network is among its culprits and no other culprit is a
// network xsnet manages that this plan has not reached yet: Terraform
// plans every resource of the configuration, so that resource, planned
// later, sees the violation and is blamed then. Whichever of two clashing
// changes is planned second fails the plan, whatever the order.
func (m *Model) Plan(ctx context.Context, c Change) (Judgement, error) {
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return Judgement{}, err
	}
	if m.applying.Load() {
		// Terraform's last plan of a resource during an apply: the pool
		// holds what was applied so far, and the plan was judged whole.
		return m.judgeAlone(snap, c, guardrail.Plan), nil
	}
	c = m.ledger.record(c)
	e := snap.endState()
	e.apply(m.ledger.all())
	return m.judge(snap, e, c, func(_ guardrail.Violation, id string) bool {
		return id == c.ID || !e.managed[id] || m.ledger.planned(id)
	}, guardrail.Plan), nil
}

// CheckApply judges one change against the pool as it is, just before it
// is applied: the rules that plan could not decide, now that every value
// is known, and anything that changed in the pool since. A clash with what
// is in the pool now (a NIC bonded, a tag used) is shown whoever made it:
// xapi would refuse the change half-way. So is management moved by this
// change onto an interface whose MTU is not 1500 now: the hosts take it
// now (a joining host restarts its toolstack on it), and a network xsnet
// manages outside this configuration is never planned, so plan could not
// decide it. Otherwise only violations all of whose other culprits are
// networks xsnet does not manage are shown: the others were decided at
// plan, and the resources that manage them may not have been applied yet.
func (m *Model) CheckApply(ctx context.Context, c Change) (Judgement, error) {
	snap, err := m.fresh(ctx)
	if err != nil {
		return Judgement{}, err
	}
	return m.judgeAlone(snap, c, guardrail.Apply), nil
}

// judgeAlone judges one change on the pool as it is.
func (m *Model) judgeAlone(snap *Snapshot, c Change, at guardrail.Stage) Judgement {
	if c.Kind == Create {
		c.ID = plannedPrefix + "apply"
	}
	e := snap.endState()
	e.apply([]Change{c})
	return m.judge(snap, e, c, func(v guardrail.Violation, id string) bool {
		return id == c.ID || !e.managed[id] || (at == guardrail.Apply && (refusedByXAPI(v.Rule) || movesManagementOnto(v, c)))
	}, at)
}

// movesManagementOnto says the change moves management onto the
// interface at fault in a management-mtu violation.
func movesManagementOnto(v guardrail.Violation, c Change) bool {
	return v.Rule == guardrail.IDManagementMTU && slices.Contains(v.Movers, c.ID)
}

// refusedByXAPI says a rule's violation is a call refused as the pool is:
// a NIC already bonded, a tag already on the parent (by xapi), an IP
// interface on the PIF that carries management (by xsnet, or management
// would move onto the interface's address).
func refusedByXAPI(rule string) bool {
	return rule == guardrail.IDBondMemberFree || rule == guardrail.IDVLANTagUnique || rule == guardrail.IDIPInterfaceMgmt
}

// judge turns the end state e of snap's pool into the change's
// judgement. settled says whether a culprit has had its say on a
// violation: a violation waits while any culprit has not.
func (m *Model) judge(snap *Snapshot, e *endState, c Change, settled func(v guardrail.Violation, id string) bool, at guardrail.Stage) Judgement {
	res := guardrail.CheckPool(e.pool)
	j := Judgement{Standing: true}
	var standing []guardrail.Violation
	for _, v := range res.Violations {
		culprits := v.Culprits()
		if !slices.Contains(culprits, c.ID) || !all(culprits, func(id string) bool { return settled(v, id) }) {
			continue
		}
		if j.Standing {
			if standing == nil {
				// Rare: only a change with a violation reads the pool as
				// it stands.
				standing = guardrail.CheckPool(snap.endState().pool).Violations
			}
			j.Standing = slices.ContainsFunc(standing, func(s guardrail.Violation) bool {
				return s.Rule == v.Rule && s.Summary == v.Summary && s.Detail == v.Detail
			})
		}
		path := v.Path
		if !slices.Contains(v.Values, c.ID) {
			path = c.movePath()
		}
		if own := c.ownPath(v.Rule); own != nil {
			path = own
		}
		j.Diagnostics = append(j.Diagnostics, guardrail.Diagnostic{
			Rule: v.Rule, Severity: guardrail.Error, Path: path, Summary: v.Summary, Detail: v.Detail,
		})
	}
	for _, p := range res.Pending {
		if !slices.Contains(p.Networks, c.ID) || (at == guardrail.Apply && c.releasesManagement()) {
			continue
		}
		j.Undecided = append(j.Undecided, guardrail.Undecided{Rule: p.Rule, Path: c.pendingPath(p.Rule), Reason: p.Reason})
	}
	if at == guardrail.Apply {
		j.Result = guardrail.Decide(j.Result)
	}
	j.Moves = e.notes[c.ID]
	j.Management = e.carriesManagement(c.ID)
	return j
}

// carriesManagement says whether every host's management ends on the
// network, as a Read of it would report.
func (e *endState) carriesManagement(id string) guardrail.Value[bool] {
	all := len(e.pool.Hosts) > 0
	for _, h := range e.pool.Hosts {
		if h.Releasing && h.Management == id {
			return guardrail.Unknown[bool]()
		}
		all = all && h.Management == id
	}
	return guardrail.Known(all)
}

func all(ids []string, ok func(string) bool) bool {
	for _, id := range ids {
		if !ok(id) {
			return false
		}
	}
	return true
}

// movePath is the attribute to blame when the change moves management
// into a violation rather than owning the value at fault.
func (c Change) movePath() []string {
	switch {
	case c.Join != nil:
		return []string{"join", c.Join.Address}
	case c.Bond != nil && c.Kind == Update:
		return []string{guardrail.AttrManagement}
	case c.Bond != nil && c.Kind == Create:
		return []string{guardrail.AttrMembers}
	}
	return nil
}

// ownPath is the attribute to blame on an IP or management interface,
// which has no MTU or management of its own: the one that brings it into
// the rule's reach.
func (c Change) ownPath(rule string) []string {
	switch {
	case c.Management != nil:
		return []string{guardrail.AttrNetworkID}
	case c.IP == nil:
		return nil
	case rule == guardrail.IDIPAddressUnique && c.IP.Numbered:
		return []string{guardrail.AttrStartAddress}
	case rule == guardrail.IDIPAddressUnique:
		return []string{guardrail.AttrAddresses}
	case rule == guardrail.IDManagementMTU:
		return []string{guardrail.AttrPurpose}
	}
	return []string{guardrail.AttrNetworkID}
}

// pendingPath is the attribute whose unknown value leaves a rule open.
func (c Change) pendingPath(rule string) []string {
	if own := c.ownPath(rule); own != nil {
		return own
	}
	switch {
	case c.VLAN != nil && c.VLAN.Parent.IsUnknown() && rule != guardrail.IDManagementMTU:
		return []string{guardrail.AttrParentNetworkID}
	case c.Bond != nil && c.Bond.Management.IsUnknown():
		return []string{guardrail.AttrManagement}
	}
	return []string{guardrail.AttrMTU}
}

// releasesManagement says the change asks management off its bond with
// nowhere recorded to go: its apply waits for another change to take it.
func (c Change) releasesManagement() bool {
	if c.Bond == nil || c.Kind != Update {
		return false
	}
	want, ok := c.Bond.Management.Get()
	return ok && !want
}

// Violations judges the pool as it is, before any change: what a plan
// warns of on every run until someone fixes it, such as a management
// interface on a jumbo bond made outside xsnet.
func (m *Model) Violations(ctx context.Context) ([]guardrail.Violation, error) {
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return guardrail.CheckPool(snap.endState().pool).Violations, nil
}
