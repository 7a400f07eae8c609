package xapisim

import (
	"testing"
)

func TestLoginAndLogout(t *testing.T) {
	eachProtocol(t, Config{Hosts: 2}, func(t *testing.T, s *Sim, c *rawClient) {
		rec := c.record("session", c.session)
		equal(t, "this_host", rec["this_host"], any(c.host("xs-host-1")))
		equal(t, "originator", rec["originator"], any("xsnet-test"))

		c.call("session.logout")
		c.fails([]string{"SESSION_INVALID", c.session}, "pool.get_all")
	})
}

func TestLoginTakesTwoToFourParameters(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		if r := c.raw("session.login_with_password", s.Username(), s.Password()); r.Failure != nil {
			t.Fatalf("login without version: %v", r.Failure)
		}
		if r := c.raw("session.login_with_password", s.Username(), s.Password(), "1.0"); r.Failure != nil {
			t.Fatalf("login without originator: %v", r.Failure)
		}
		// xapi counts the parameters without their defaults.
		c.failsRaw([]string{"MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "1"},
			"session.login_with_password", s.Username())
	})
}

func TestLoginRefusesBadCredentials(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		c.failsRaw([]string{"SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"},
			"session.login_with_password", "root", "wrong", "1.0", "")
		c.failsRaw([]string{"SESSION_AUTHENTICATION_FAILED", "admin", "Authentication failure"},
			"session.login_with_password", "admin", s.Password(), "1.0", "")
	})
}

func TestPoolMemberAnswersHostIsSlave(t *testing.T) {
	eachProtocol(t, Config{Hosts: 3}, func(t *testing.T, s *Sim, c *rawClient) {
		masterAddress := c.str("host.get_address", c.host("xs-host-1"))
		equal(t, "master address", "http://"+masterAddress, s.URL())
		member := newClient(t, s.HostURL("xs-host-2"), c.proto)
		// A member refuses a login, right credentials or not...
		member.failsRaw([]string{"HOST_IS_SLAVE", masterAddress},
			"session.login_with_password", s.Username(), s.Password(), "1.0", "")
		member.failsRaw([]string{"HOST_IS_SLAVE", masterAddress},
			"session.login_with_password", s.Username(), "wrong", "1.0", "")
		// ...and a good session from the master; a bad one is just bad.
		member.failsRaw([]string{"HOST_IS_SLAVE", masterAddress}, "PIF.get_all", c.session)
		member.failsRaw([]string{"SESSION_INVALID", "OpaqueRef:bogus"}, "PIF.get_all", "OpaqueRef:bogus")
	})
}

func TestGenericChecksComeInXapisOrder(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		// A method that does not exist, then one of the data model the
		// simulator does not serve: both unknown, like any unknown name.
		c.fails([]string{"MESSAGE_METHOD_UNKNOWN", "VM.start"}, "VM.start")
		c.fails([]string{"MESSAGE_METHOD_UNKNOWN", "PIF.introduce"}, "PIF.introduce", c.host("xs-host-1"), "02:00:00:00:00:01", "eth9", true)
		c.fails([]string{"MESSAGE_METHOD_UNKNOWN", "pif.get_all"}, "pif.get_all")
		// Getters have no Async form: server_helpers.ml answers a fault
		// naming the message without "Async.".
		c.fails([]string{"Fault", "No async mode for this operation (rpc: PIF.get_all)"}, "Async.PIF.get_all")
		// The count is checked before the session, and reported without it.
		c.failsRaw([]string{"MESSAGE_PARAMETER_COUNT_MISMATCH", "Bond.create", "3", "1"},
			"Bond.create", "OpaqueRef:bogus", "OpaqueRef:net")
		c.failsRaw([]string{"MESSAGE_PARAMETER_COUNT_MISMATCH", "PIF.get_all", "0", "-1"}, "PIF.get_all")
		// Then the session.
		c.failsRaw([]string{"SESSION_INVALID", "OpaqueRef:bogus"}, "PIF.get_all", "OpaqueRef:bogus")
		// Generic lookups.
		c.fails([]string{"HANDLE_INVALID", "PIF", "OpaqueRef:nothing"}, "PIF.get_record", "OpaqueRef:nothing")
		c.fails([]string{"HANDLE_INVALID", "network", "OpaqueRef:nothing"}, "network.get_MTU", "OpaqueRef:nothing")
		c.fails([]string{"UUID_INVALID", "Bond", "no-such-uuid"}, "Bond.get_by_uuid", "no-such-uuid")
	})
}

func TestParametersAreCheckedAgainstTheirTypes(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		net := c.networkOf(c.pif("xs-host-1", "eth1"))
		for _, bad := range [][]any{
			{"network.set_MTU", net, "jumbo"},
			{"Bond.create", net, []any{}, "", "round-robin", map[string]any{}},
			{"VLAN.create", c.pif("xs-host-1", "eth1"), "ten", net},
		} {
			r := c.raw(bad[0].(string), c.withSession(bad[1:])...)
			if len(r.Failure) != 2 || r.Failure[0] != "INTERNAL_ERROR" {
				t.Errorf("%s%v: got %v, want INTERNAL_ERROR as xapi's unmarshalling gives", bad[0], bad[1:], r.Failure)
			}
		}
	})
}

func TestSessionGettersAreServed(t *testing.T) {
	eachProtocol(t, Config{Hosts: 1}, func(t *testing.T, s *Sim, c *rawClient) {
		uuid := c.str("session.get_uuid", c.session)
		equal(t, "session by uuid", c.str("session.get_by_uuid", uuid), c.session)
		equal(t, "this_host", c.str("session.get_this_host", c.session), c.host("xs-host-1"))
	})
}
