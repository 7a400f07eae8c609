package poolnet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// Work an earlier run left unfinished, as the next run judges and reports
// it. A create that takes over, or undoes first, what an earlier run left
// unfinished is judged on the pool as it will leave it: the unfinished
// bond is not there beside the new one. Work a provider may still be at
// stays in the way.

func TestCheckApplyLetsACreateTakeOverTheSameBondLeftUnfinished(t *testing.T) {
	p := newPlanPool(t, 3, 4)
	leftBehind(t, p.client, storageBond("storage"), "elsewhere:1", time.Now().Add(-time.Hour))

	j, err := p.plan().CheckApply(context.Background(), bondCreate("storage", 9000, guardrail.Null[bool](), "eth2", "eth3"))
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, "the same bond, abandoned", j)
}

func TestCheckApplyLetsACreateUndoAnUnfinishedBondInItsWay(t *testing.T) {
	p := newPlanPool(t, 3, 4)
	leftBehind(t, p.client, storageBond("storage"), "elsewhere:1", time.Now().Add(-time.Hour))

	j, err := p.plan().CheckApply(context.Background(), bondCreate("vm", 1500, guardrail.Null[bool](), "eth1", "eth2"))
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, "a bond sharing eth2 with an abandoned one", j)
}

// Terraform plans a resource again just before it applies it: the second
// judgement on the same pool takes the unfinished bond over as the first
// did.
func TestCheckApplyTakesOverUnfinishedWorkEveryTimeItJudges(t *testing.T) {
	p := newPlanPool(t, 3, 4)
	leftBehind(t, p.client, storageBond("storage"), "elsewhere:1", time.Now().Add(-time.Hour))

	m := p.plan()
	for _, when := range []string{"first", "second"} {
		j, err := m.CheckApply(context.Background(), bondCreate("storage", 9000, guardrail.Null[bool](), "eth2", "eth3"))
		if err != nil {
			t.Fatal(err)
		}
		wantFindings(t, "the same bond, abandoned, judged a "+when+" time", j)
	}
}

func TestCheckApplyRefusesABondOverUnfinishedWorkAProviderMayBeAt(t *testing.T) {
	p := newPlanPool(t, 3, 4)
	leftBehind(t, p.client, storageBond("storage"), "elsewhere:1", time.Now())

	j, err := p.plan().CheckApply(context.Background(), bondCreate("storage", 9000, guardrail.Null[bool](), "eth2", "eth3"))
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, "the same bond, begun a moment ago elsewhere", j,
		"error bond-member-free at members", "error bond-member-free at members")
}

// Work begun on this machine is its provider's for as long as that
// process runs, however long ago it began. A provider whose terraform was
// killed is handed to init, and once it has exited it may linger as a
// zombie until init reaps it, late or never: its work is the next run's
// all the same. And pids are handed out again: a process that started
// after the work began is not the provider that began it. A provider of
// the same host name in another pid space (a container with its host's
// name, or this machine before it rebooted) cannot be looked up by its
// pid: its work is judged as work begun elsewhere.
func TestCheckApplyAsksThisMachineWhetherTheProviderOfUnfinishedWorkRuns(t *testing.T) {
	running := func(t *testing.T) int { return process(t, "sleep", "60") }
	exited := func(t *testing.T) int {
		pid := process(t, "true")
		for !zombie(t, pid) {
			time.Sleep(5 * time.Millisecond)
		}
		return pid
	}
	refused := []string{"error bond-member-free at members", "error bond-member-free at members"}
	for _, c := range []struct {
		name     string
		provider func(*testing.T) int
		pidSpace string
		began    time.Duration
		want     []string
	}{
		{"its provider running", running, "", 0, refused},
		{"its provider a zombie", exited, "", 0, nil},
		{"its pid another process's since", running, "", -time.Hour, nil},
		{"its pid in another pid space, begun a moment ago", exited, "another boot pid:[1]", 0, refused},
		{"its pid in another pid space, begun long ago", exited, "another boot pid:[1]", -time.Hour, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			provider := c.provider(t)
			p := newPlanPool(t, 3, 4)
			leftBehindIn(t, p.client, storageBond("storage"), onThisMachine(t, provider), c.pidSpace, time.Now().Add(c.began))

			j, err := p.plan().CheckApply(context.Background(), bondCreate("storage", 9000, guardrail.Null[bool](), "eth2", "eth3"))
			if err != nil {
				t.Fatal(err)
			}
			wantFindings(t, "the same bond, "+c.name, j, c.want...)
		})
	}
}

// process starts a command that stands for a provider on this machine,
// and leaves it unwaited for, so that once it exits it is a zombie.
func process(t *testing.T, name string, args ...string) int {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("reads processes from /proc")
	}
	cmd := exec.CommandContext(t.Context(), name, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd.Process.Pid
}

// zombie reports whether process pid has exited and not been waited for.
func zombie(t *testing.T, pid int) bool {
	t.Helper()
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

// onThisMachine names process pid of this machine as a journal does.
func onThisMachine(t *testing.T, pid int) string {
	t.Helper()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return host + ":" + strconv.Itoa(pid)
}

func TestPlanLetsAVLANTakeOverTheSameVLANLeftUnfinished(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	parent := p.nicNetwork("eth1")
	spec := poolnet.VLANSpec{NameLabel: "v100", ParentNetworkUUID: parent, Tag: 100, MTU: 1500}
	leftBehindVLAN(t, p, spec, "elsewhere:1", time.Now().Add(-time.Hour))

	wantFindings(t, "the same VLAN, abandoned", judge(t, p.plan(), vlanCreate("v100", known(parent), 100, 1500)))
	j, err := p.plan().CheckApply(context.Background(), vlanCreate("v100", known(parent), 100, 1500))
	if err != nil {
		t.Fatal(err)
	}
	wantFindings(t, "the same VLAN, abandoned, just before apply", j)
}

// leftBehindVLAN is a VLAN as a provider killed in the middle of
// CreateVLAN leaves it: its network with the journal, and the VLAN on
// every host.
func leftBehindVLAN(t *testing.T, p *planPool, spec poolnet.VLANSpec, by string, started time.Time) {
	t.Helper()
	ctx := context.Background()
	journal, err := json.Marshal(map[string]any{"id": "0123456789abcdef", "op": "create", "by": by,
		"started": started.Unix(), "vlan": spec})
	if err != nil {
		t.Fatal(err)
	}
	net, err := p.client.NetworkCreate(ctx, xenapi.Network{NameLabel: spec.NameLabel, MTU: spec.MTU,
		OtherConfig: map[string]string{"xsnet_managed": "vlan", "xsnet_journal": string(journal)}})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot(t, p.history)
	parent, _, _ := s.NetworkByUUID(spec.ParentNetworkUUID)
	pif, _, ok := s.NetworkPIF(s.Pool.Master, parent)
	if !ok {
		t.Fatal("the master has no PIF on the parent")
	}
	if _, err := p.client.PoolCreateVLANFromPIF(ctx, pif, net, spec.Tag); err != nil {
		t.Fatal(err)
	}
}

// An interrupted move of management onto a bond is reported as that, not
// as a network being made: no create finishes it, the bond's next apply
// does.
func TestUnfinishedSaysWhichHostsManagementWasMoving(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	id := p.bond("vm", 1500, false, "eth2", "eth3")
	s := snapshot(t, p.history)
	ref, _, _ := s.NetworkByUUID(id)
	journal, err := json.Marshal(map[string]any{"id": "0123456789abcdef", "op": "move management", "by": "elsewhere:1",
		"started": time.Now().Add(-time.Hour).Unix(), "moves": []map[string]string{
			{"host": "xs-host-2", "from": "a", "to": "b", "mode": "Static"}, {"host": "xs-host-1", "from": "c", "to": "d", "mode": "Static"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.client.NetworkAddToOtherConfig(context.Background(), ref, "xsnet_journal", string(journal)); err != nil {
		t.Fatal(err)
	}

	unfinished, err := p.plan().Unfinished(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(unfinished) != 1 {
		t.Fatalf("unfinished work: %+v, want the move", unfinished)
	}
	u := unfinished[0]
	if u.Op != "move management" || u.What != "a move of the management interface of hosts xs-host-2, xs-host-1" || !u.Abandoned {
		t.Errorf("unfinished work: %+v, want the abandoned move of the management interface of hosts xs-host-2, xs-host-1", u)
	}
	pb, _ := poolnet.ReadBond(snapshot(t, p.plan()), id)
	if !pb.MoveUnfinished {
		t.Error("ReadBond does not say the move is unfinished")
	}
}

// A network whose network.create outlasted the request is made after its
// provider gave up on it; the next create of the same network takes it
// over, brings it to the new plan, and makes no second one.
func TestCreateNetworkTakesOverTheSameNetworkLeftUnfinished(t *testing.T) {
	p := newPlanPool(t, 2, 4)
	ctx := context.Background()
	spec := poolnet.NetworkSpec{NameLabel: "private", MTU: 1500, OtherConfig: map[string]string{}}
	journal, err := json.Marshal(map[string]any{"id": "0123456789abcdef", "op": "create", "by": "elsewhere:1",
		"started": time.Now().Add(-time.Hour).Unix(), "network": spec})
	if err != nil {
		t.Fatal(err)
	}
	left, err := p.client.NetworkCreate(ctx, xenapi.Network{NameLabel: "private", MTU: 1500,
		OtherConfig: map[string]string{"xsnet_managed": "network", "xsnet_journal": string(journal)}})
	if err != nil {
		t.Fatal(err)
	}

	uuid, err := p.plan().CreateNetwork(ctx, poolnet.NetworkSpec{NameLabel: "private", NameDescription: "VMs only", MTU: 9000,
		OtherConfig: map[string]string{"owner": "ops"}})
	if err != nil {
		t.Fatal(err)
	}
	s := snapshot(t, p.plan())
	if ref, _, _ := s.NetworkByUUID(uuid); ref != left {
		t.Errorf("CreateNetwork made network %s beside the unfinished one", uuid)
	}
	if n := len(s.NetworksByNameLabel("private")); n != 1 {
		t.Errorf("%d networks named private, want 1", n)
	}
	n := s.Networks.Get(left)
	if n.MTU != 9000 || n.NameDescription != "VMs only" || n.OtherConfig["owner"] != "ops" || n.OtherConfig["xsnet_journal"] != "" {
		t.Errorf("the network taken over is %+v, want MTU 9000, the new description and other_config, and no journal", n)
	}
}
