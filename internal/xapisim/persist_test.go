package xapisim

import (
	"os"
	"path/filepath"
	"testing"
)

func TestStateSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pool.json")
	s, err := New(Config{Hosts: 2, Standalone: 1, StatePath: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, s.URL(), "jsonrpc").login(s)
	bond, bondNet := c.bondOf(9000, "active-backup", map[string]any{}, c.pif("xs-host-2", "eth2"), c.pif("xs-host-2", "eth3"))
	vlan := c.str("VLAN.create", c.pif("xs-host-1", "eth1"), int64(12), c.newNetwork("vm-12", 1500))
	pool := strs(c.call("pool.get_all"))[0]
	c.call("pool.set_name_label", pool, "kept")
	before := map[string]int{}
	for _, class := range []string{"PIF", "network", "Bond", "VLAN", "host"} {
		before[class] = len(c.records(class))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no state saved: %v", err)
	}

	// A second simulator on the same file has the same pool, whatever its
	// Config says.
	s2 := Run(t, Config{Hosts: 4, StatePath: path})
	c2 := newClient(t, s2.URL(), "xmlrpc").login(s2)
	for class, n := range before {
		equal(t, class+" count", len(c2.records(class)), n)
	}
	equal(t, "pool name", c2.field("pool", pool, "name_label"), any("kept"))
	equal(t, "bond mode", c2.field("Bond", bond, "mode"), any("active-backup"))
	equal(t, "bond network MTU", c2.field("network", bondNet, "MTU"), any(int64(9000)))
	equal(t, "VLAN tag", c2.field("VLAN", vlan, "tag"), any(int64(12)))
	equal(t, "standalone hosts", len(s2.StandaloneURLs()), 1)
	// The old session did not survive, as xapi's do not.
	c2.failsRaw([]string{"SESSION_INVALID", c.session}, "pool.get_all", c.session)
	// Hosts have their new endpoints as addresses.
	equal(t, "master address", c2.str("host.get_address", c2.host("xs-host-1")), hostPort(s2.URL()))
}

func TestStateRefusesAnotherFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pool.json")
	if err := os.WriteFile(path, []byte(`{"version": 99}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{StatePath: path}); err == nil {
		t.Fatal("New read a state file of an unknown format")
	}
}
