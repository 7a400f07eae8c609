package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// errorSays matches an error that says each phrase, in order, however
// terraform wraps the lines of its diagnostics ("│ " starts each line).
func errorSays(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		words := strings.Fields(p)
		for j, w := range words {
			words[j] = regexp.QuoteMeta(w)
		}
		parts[i] = strings.Join(words, `[\s│]+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// hostChecks is what xsnet_host should say of a host, as the pool has it.
func hostChecks(snap *poolnet.Snapshot, ref xenapi.Ref) map[string]knownvalue.Check {
	h := snap.Hosts.Get(ref)
	checks := map[string]knownvalue.Check{
		"id":                knownvalue.StringExact(h.UUID),
		"uuid":              knownvalue.StringExact(h.UUID),
		"name_label":        knownvalue.StringExact(h.NameLabel),
		"address":           knownvalue.StringExact(h.Address),
		"enabled":           knownvalue.Bool(h.Enabled),
		"live":              knownvalue.Bool(snap.Live(ref)),
		"network_backend":   knownvalue.StringExact(h.SoftwareVersion["network_backend"]),
		"management_pif_id": knownvalue.Null(),
		"management_device": knownvalue.Null(),
	}
	if _, pif, ok := snap.ManagementPIF(ref); ok {
		checks["management_pif_id"] = knownvalue.StringExact(pif.UUID)
		checks["management_device"] = knownvalue.StringExact(pif.Device)
	}
	return checks
}

func expectAttributes(address string, checks map[string]knownvalue.Check) []statecheck.StateCheck {
	var out []statecheck.StateCheck
	for name, check := range checks {
		out = append(out, statecheck.ExpectKnownValue(address, tfjsonpath.New(name), check))
	}
	return out
}

func TestAccHostDataSource_masterByNameLabel(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	snap := pool.snapshot(t)
	master := snap.Hosts.Get(snap.Pool.Master)
	if pool.sim != nil && master.NameLabel != "xs-host-1" {
		t.Fatalf("the preset's master should be xs-host-1, is %q", master.NameLabel)
	}
	checks := hostChecks(snap, snap.Pool.Master)
	if pool.sim != nil {
		// The preset puts management on eth0, as XenServer's installer does.
		checks["management_device"] = knownvalue.StringExact("eth0")
		checks["network_backend"] = knownvalue.StringExact("openvswitch")
		checks["live"] = knownvalue.Bool(true)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            pool.config(`data "xsnet_host" "master" { name_label = "` + master.NameLabel + `" }`),
			ConfigStateChecks: expectAttributes("data.xsnet_host.master", checks),
		}},
	})
}

func TestAccHostDataSource_memberByUUID(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	snap := pool.snapshot(t)
	refs := snap.HostRefs()
	if len(refs) < 2 {
		t.Skip("the pool has no member besides the master")
	}
	member := refs[len(refs)-1]
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:            pool.config(`data "xsnet_host" "member" { uuid = "` + snap.Hosts.Get(member).UUID + `" }`),
			ConfigStateChecks: expectAttributes("data.xsnet_host.member", hostChecks(snap, member)),
		}},
	})
}

func TestAccHostDataSource_bridgeBackend(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, NICs: 2, Backend: "bridge"})
	if pool.sim == nil {
		t.Skip("a real pool has the backend it has")
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`data "xsnet_host" "h" { name_label = "xs-host-2" }`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_host.h", tfjsonpath.New("network_backend"), knownvalue.StringExact("bridge")),
			},
		}},
	})
}

func TestAccHostDataSource_unknownHostListsThePoolsHosts(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 2})
	snap := pool.snapshot(t)
	var names []string
	for _, ref := range snap.HostRefs() {
		names = append(names, `"`+snap.Hosts.Get(ref).NameLabel+`"`)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      pool.config(`data "xsnet_host" "h" { name_label = "no-such-host" }`),
				ExpectError: errorSays(append([]string{"Host Not Found", `named "no-such-host"`}, names...)...),
			},
			{
				Config:      pool.config(`data "xsnet_host" "h" { uuid = "00000000-0000-4000-8000-000000000000" }`),
				ExpectError: errorSays(append([]string{"Host Not Found", "00000000-0000-4000-8000-000000000000"}, names...)...),
			},
		},
	})
}

func TestAccHostDataSource_sharedNameAsksForTheUUID(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 3, NICs: 2})
	snap := pool.snapshot(t)
	refs := snap.HostRefs()
	if len(refs) < 2 {
		t.Skip("the pool has a single host")
	}
	first, second := snap.Hosts.Get(refs[0]), snap.Hosts.Get(refs[1])
	// xapi lets two hosts share a name; give the second the first's.
	if _, err := pool.client.Call(bg, "host.set_name_label", refs[1], first.NameLabel); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := pool.client.Call(bg, "host.set_name_label", refs[1], second.NameLabel); err != nil {
			t.Errorf("giving %s its name back: %v", second.UUID, err)
		}
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      pool.config(`data "xsnet_host" "h" { name_label = "` + first.NameLabel + `" }`),
				ExpectError: errorSays("Ambiguous Host Name", first.UUID+" (address "+first.Address+")", second.UUID, "by its UUID instead"),
			},
			{
				// The way out the error names works.
				Config: pool.config(`data "xsnet_host" "h" { uuid = "` + second.UUID + `" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.xsnet_host.h", tfjsonpath.New("name_label"), knownvalue.StringExact(first.NameLabel)),
				},
			},
		},
	})
}

func TestAccHostDataSource_takesExactlyOneOfUUIDAndNameLabel(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 1, NICs: 1})
	snap := pool.snapshot(t)
	master := snap.Hosts.Get(snap.Pool.Master)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      pool.config(`data "xsnet_host" "h" {}`),
				ExpectError: errorSays("Missing Attribute Configuration", "Exactly one of these attributes must be configured: [uuid,name_label]"),
			},
			{
				Config: pool.config(`data "xsnet_host" "h" {
  uuid       = "` + master.UUID + `"
  name_label = "` + master.NameLabel + `"
}`),
				ExpectError: errorSays("Invalid Attribute Combination", "uuid", "name_label"),
			},
			{
				Config:      pool.config(`data "xsnet_host" "h" { uuid = "` + master.NameLabel + `" }`),
				ExpectError: errorSays("must be a host UUID"),
			},
		},
	})
}
