package poolnet

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// journalKey is where, in the other_config of the network an operation
// works on, xsnet writes down the work it has begun and not finished: the
// operation, what it is to make, and who began it. It lives in the pool,
// so the next run finds it whichever machine it runs on, and it goes away
// with the network when the work is undone.
const journalKey = "xsnet_journal"

// journal is unfinished work on one network.
type journal struct {
	// ID names the operation, so that a call whose outcome is unknown
	// can be found in the pool afterwards.
	ID string `json:"id"`
	// Op is what was begun: "create" for now, the only operation whose
	// interruption leaves an object Terraform's state may not know.
	Op string `json:"op"`
	// By is the provider process that began it, "host:pid", and Started
	// when.
	By      string `json:"by"`
	Started int64  `json:"started"`
	// PIDSpace is the pid space By's pid is in (see pidSpace), empty
	// where it is not known: a later run looks the pid up only from the
	// same one.
	PIDSpace string `json:"pid_space,omitempty"`
	// Bond, VLAN and Network are what the operation is to make.
	Bond    *BondSpec    `json:"bond,omitempty"`
	VLAN    *VLANSpec    `json:"vlan,omitempty"`
	Network *NetworkSpec `json:"network,omitempty"`
	// Moves are the management moves begun, each written down before it
	// runs, so that an interrupted move can be finished or undone.
	Moves []managementMove `json:"moves,omitempty"`
}

// managementMove is one host's management moving from one PIF to another,
// with the IP configuration it had, which the move copies and clears.
type managementMove struct {
	Host    string                     `json:"host"`
	From    string                     `json:"from"`
	To      string                     `json:"to"`
	Mode    xenapi.IPConfigurationMode `json:"mode"`
	IP      string                     `json:"ip,omitempty"`
	Netmask string                     `json:"netmask,omitempty"`
	Gateway string                     `json:"gateway,omitempty"`
	DNS     string                     `json:"dns,omitempty"`
	// Kept says the new PIF had an IP configuration of its own: nothing
	// is copied or cleared, and each PIF keeps its own.
	Kept bool `json:"kept,omitempty"`
}

// abandonedAfter is how long unfinished work begun elsewhere may go
// without its provider finishing it before another run undoes it: no
// pool-wide operation of xsnet's takes that long.
const abandonedAfter = 15 * time.Minute

func newJournal(op string) journal {
	var b [8]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	return journal{ID: hex.EncodeToString(b[:]), Op: op, By: host + ":" + strconv.Itoa(os.Getpid()), Started: time.Now().Unix(),
		PIDSpace: pidSpace()}
}

func (j journal) encode() string {
	b, _ := json.Marshal(j)
	return string(b)
}

// journalOf reads a network's unfinished work; ok is false when there is
// none, or when what is there is not xsnet's to read.
func journalOf(n xenapi.Network) (journal, bool) {
	raw := n.OtherConfig[journalKey]
	if raw == "" {
		return journal{}, false
	}
	var j journal
	if err := json.Unmarshal([]byte(raw), &j); err != nil {
		return journal{}, false
	}
	return j, true
}

// abandoned reports whether no provider is working on j any more: the
// process that began it, where this process can look it up, is no longer
// running (see providerRunning); or, begun elsewhere, it is older than
// abandonedAfter.
func (j journal) abandoned(now time.Time) bool {
	if pid, ok := j.localPID(); ok {
		return pid != os.Getpid() && !providerRunning(pid, time.Unix(j.Started, 0))
	}
	return now.Sub(time.Unix(j.Started, 0)) > abandonedAfter
}

// localPID is the pid of the provider that began j, when this process can
// look it up: j was written in this pid space or, where j names none, on
// a machine of this host name.
func (j journal) localPID() (int, bool) {
	host, pid, ok := strings.Cut(j.By, ":")
	if !ok {
		return 0, false
	}
	if j.PIDSpace != "" {
		if j.PIDSpace != pidSpace() {
			return 0, false
		}
	} else if me, _ := os.Hostname(); host != me {
		return 0, false
	}
	n, err := strconv.Atoi(pid)
	return n, err == nil
}

// Unfinished is work an earlier run began and did not finish, as a plan
// reports it.
type Unfinished struct {
	// NetworkUUID is the network the work is on, and Name its name_label.
	NetworkUUID, Name string
	// Op is what was begun: "create", or "move management" for a move of
	// the management interface onto or off a bond that exists.
	Op string
	// What says what was being done, such as `a bond of eth2, eth3`.
	What string
	// By and Started say who began it and when.
	By      string
	Started time.Time
	// Abandoned says no provider is working on it any more.
	Abandoned bool
}

// Unfinished lists the work in the pool that some run began and did not
// finish, for the plan to show.
func (m *Model) Unfinished(ctx context.Context) ([]Unfinished, error) {
	snap, err := m.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	var out []Unfinished
	for n := range snap.Networks.Values() {
		j, ok := journalOf(n)
		if !ok {
			continue
		}
		u := Unfinished{NetworkUUID: n.UUID, Name: n.NameLabel, Op: j.Op, By: j.By, Started: time.Unix(j.Started, 0), Abandoned: j.abandoned(now)}
		switch {
		case j.Op == "move management":
			var hosts []string
			for _, mv := range j.Moves {
				hosts = appendNew(hosts, mv.Host)
			}
			u.What = "a move of the management interface of " + hostNames(hosts)
		case j.Bond != nil:
			u.What = "a bond of " + strings.Join(j.Bond.Members, ", ")
		case j.VLAN != nil:
			u.What = fmt.Sprintf("VLAN %d", j.VLAN.Tag)
		case j.Network != nil:
			u.What = "a network without PIFs"
		default:
			u.What = "a network"
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b Unfinished) int { return strings.Compare(a.NetworkUUID, b.NetworkUUID) })
	return out, nil
}

// endJournal removes the journal of network name once its work is done.
func (m *Model) endJournal(ctx context.Context, netRef xenapi.Ref, name string) error {
	err := m.client.NetworkRemoveFromOtherConfig(ctx, netRef, journalKey)
	if err != nil && !xenapi.IsGone(err) {
		return fmt.Errorf("clearing the journal of the finished work from network %q: %w", name, err)
	}
	return nil
}

// writeJournal writes the journal of network name before the work it
// describes.
func (m *Model) writeJournal(ctx context.Context, netRef xenapi.Ref, name string, j journal) error {
	err := m.client.NetworkRemoveFromOtherConfig(ctx, netRef, journalKey)
	if err == nil || xenapi.IsGone(err) {
		err = m.client.NetworkAddToOtherConfig(ctx, netRef, journalKey, j.encode())
	}
	if err != nil {
		return fmt.Errorf("writing the journal of the work begun into network %q: %w", name, err)
	}
	return nil
}

// Failure is a pool-wide operation that failed, with what xsnet did about
// it: every message is worded from it, so "nothing was left behind" is
// said only when it is true.
type Failure struct {
	// Op says what was being done, such as `creating bond "Bond 2+3"`.
	Op    string
	Cause error
	// Undone lists the steps taken back; Left what stays in the pool,
	// each with why.
	Undone, Left []string
	// Remains is the UUID of the network left in the pool, empty when
	// none is.
	Remains string
}

func (f *Failure) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s failed: %v", f.Op, f.Cause)
	if len(f.Undone) > 0 {
		fmt.Fprintf(&b, "\n\nxsnet undid what it had made: %s.", strings.Join(f.Undone, "; "))
	}
	if len(f.Left) == 0 {
		b.WriteString(" Nothing was left behind in the pool.")
		return b.String()
	}
	fmt.Fprintf(&b, "\n\nLeft in the pool: %s.", strings.Join(f.Left, "; "))
	return b.String()
}

func (f *Failure) Unwrap() error { return f.Cause }

// recordLeft records in f what a teardown that stopped at err left of the
// network on netRef: the network itself, by name and UUID, where it is
// still there.
func (m *Model) recordLeft(ctx context.Context, f *Failure, netRef xenapi.Ref, err error) {
	snap, serr := m.fresh(ctx)
	if serr != nil {
		f.Left = append(f.Left, err.Error())
		return
	}
	n, ok := snap.Networks.Lookup(netRef)
	if !ok {
		f.Left = append(f.Left, err.Error())
		return
	}
	f.Remains = n.UUID
	f.Left = append(f.Left, fmt.Sprintf("network %q (%s), where taking it apart stopped at %v", n.NameLabel, n.UUID, err))
}

// Remains returns the UUID of what a failed operation left in the pool,
// if anything.
func Remains(err error) string {
	var f *Failure
	if errors.As(err, &f) {
		return f.Remains
	}
	return ""
}

// beginCreate makes the network a create works on, through create, or
// takes over the network of a create an earlier run left unfinished with
// the same intent (same says which): that run's provider is gone, and
// what it made is what this one would make. Unfinished creates that stand
// in the way (clash says which) and that no provider is working on any
// more are undone first. It returns the network to go on with.
func (m *Model) beginCreate(ctx context.Context, snap *Snapshot, j journal, same, clash func(journal) bool,
	create func(context.Context) (xenapi.Ref, error)) (xenapi.Ref, error) {
	now := time.Now()
	refs := slices.Collect(snap.Networks.Keys())
	slices.Sort(refs)
	for _, ref := range refs {
		n := snap.Networks.Get(ref)
		other, ok := journalOf(n)
		if !ok || other.Op != "create" || !other.abandoned(now) {
			continue
		}
		switch {
		case same(other):
			j.Moves = other.Moves
			if err := m.writeJournal(ctx, ref, n.NameLabel, j); err != nil {
				return "", err
			}
			label, description := j.names()
			if err := updateNetworkNames(ctx, m.client, ref, n, label, description); err != nil {
				return "", err
			}
			return ref, nil
		case clash(other):
			var err error
			if other.Bond != nil {
				_, err = m.teardownBond(ctx, ref)
			} else {
				_, err = m.teardownVLAN(ctx, ref)
			}
			if err != nil {
				return "", fmt.Errorf("undoing the unfinished work on network %q, begun by %s, that stands in the way: %w", n.NameLabel, other.By, err)
			}
		}
	}
	ref, err := create(ctx)
	if xenapi.IsOutcomeUnknown(err) {
		// xapi may have made the network all the same: the journal's ID
		// finds it.
		if found, ok := m.findJournal(context.WithoutCancel(ctx), j.ID); ok {
			return found, nil
		}
	}
	return ref, err
}

// findJournal finds the network whose journal has the operation ID.
func (m *Model) findJournal(ctx context.Context, id string) (xenapi.Ref, bool) {
	snap, err := m.fresh(ctx)
	if err != nil {
		return "", false
	}
	for ref, n := range snap.Networks.All() {
		if j, ok := journalOf(n); ok && j.ID == id {
			return ref, true
		}
	}
	return "", false
}

// names are the name_label and name_description the work is to give its
// network.
func (j journal) names() (label, description string) {
	switch {
	case j.Bond != nil:
		return j.Bond.NameLabel, j.Bond.NameDescription
	case j.VLAN != nil:
		return j.VLAN.NameLabel, j.VLAN.NameDescription
	case j.Network != nil:
		return j.Network.NameLabel, j.Network.NameDescription
	}
	return "", ""
}

// undoCreate takes apart, with teardown, the network of a create that
// failed, on a context of its own (the caller's may be what ended), and
// returns a Failure that says how far that went.
func (m *Model) undoCreate(ctx context.Context, op string, netRef xenapi.Ref, cause error,
	teardown func(context.Context, xenapi.Ref) ([]string, error)) error {
	ctx = context.WithoutCancel(ctx)
	f := &Failure{Op: op, Cause: cause}
	undone, err := teardown(ctx, netRef)
	f.Undone = undone
	if err != nil {
		m.recordLeft(ctx, f, netRef, err)
	}
	return f
}
