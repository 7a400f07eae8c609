package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
)

func TestAccPoolDataSource_fourHostPool(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 4, NICs: 4})
	snap := pool.snapshot(t)
	master := snap.Hosts.Get(snap.Pool.Master)
	uuidish := knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`))

	if pool.sim != nil && snap.Hosts.Len() != 4 {
		t.Fatalf("the preset should have 4 hosts, the pool has %d", snap.Hosts.Len())
	}
	hostChecks := make([]knownvalue.Check, 0, snap.Hosts.Len())
	for _, ref := range snap.HostRefs() {
		h := snap.Hosts.Get(ref)
		_, mgmt, _ := snap.ManagementPIF(ref)
		hostChecks = append(hostChecks, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"uuid":                  knownvalue.StringExact(h.UUID),
			"name_label":            knownvalue.StringExact(h.NameLabel),
			"address":               knownvalue.StringExact(h.Address),
			"enabled":               knownvalue.Bool(h.Enabled),
			"live":                  knownvalue.Bool(snap.Live(ref)),
			"management_device":     knownvalue.StringExact(mgmt.Device),
			"management_mtu":        knownvalue.Int64Exact(mgmt.MTU),
			"management_network_id": knownvalue.StringExact(snap.Networks.Get(mgmt.Network).UUID),
			"management_vlan":       knownvalue.Int64Exact(-1),
			"management_ip":         knownvalue.StringExact(mgmt.IP),
		}))
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`data "xsnet_pool" "this" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_pool.this", tfjsonpath.New("id"), uuidish),
				statecheck.ExpectKnownValue("data.xsnet_pool.this", tfjsonpath.New("name_label"), knownvalue.StringExact(snap.Pool.NameLabel)),
				statecheck.ExpectKnownValue("data.xsnet_pool.this", tfjsonpath.New("master"), knownvalue.StringExact(master.UUID)),
				statecheck.ExpectKnownValue("data.xsnet_pool.this", tfjsonpath.New("network_backend"), knownvalue.StringExact("openvswitch")),
				statecheck.ExpectKnownValue("data.xsnet_pool.this", tfjsonpath.New("management_network_id"),
					knownvalue.StringExact(pool.nicNetwork(t, "eth0"))),
				statecheck.ExpectKnownValue("data.xsnet_pool.this", tfjsonpath.New("hosts"), knownvalue.ListExact(hostChecks)),
			},
		}},
	})
}

func TestAccPoolDataSource_bridgeBackend(t *testing.T) {
	pool := newTestPool(t, xapisim.Config{Hosts: 2, Backend: "bridge"})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: pool.config(`data "xsnet_pool" "this" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.xsnet_pool.this", tfjsonpath.New("network_backend"), knownvalue.StringExact("bridge")),
				statecheck.ExpectKnownValue("data.xsnet_pool.this", tfjsonpath.New("hosts"), knownvalue.ListSizeExact(2)),
			},
		}},
	})
}

func TestAccProvider_missingSettingsNameTheAttribute(t *testing.T) {
	t.Setenv(envHost, "")
	t.Setenv(envUsername, "")
	t.Setenv(envPassword, "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      `data "xsnet_pool" "this" {}`,
			ExpectError: regexp.MustCompile(`Missing XenServer Host(.|\n)*XENSERVER_HOST`),
		}},
	})
}

func TestAccProvider_badFingerprintIsRefusedAtValidate(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `provider "xsnet" {
  host            = "https://xs.example.com"
  tls_fingerprint = "not-a-fingerprint"
}
data "xsnet_pool" "this" {}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`tls_fingerprint(.|\n)*SHA-256 fingerprint`),
		}},
	})
}
