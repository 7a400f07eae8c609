package poolnet_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// A create that takes over, or undoes first, what an earlier run left
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
