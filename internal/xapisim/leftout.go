package xapisim

import "strings"

// leftOut are the messages of the classes the simulator serves that it
// answers MESSAGE_METHOD_UNKNOWN to, each with why. A key ending in "*" is
// a prefix. The conformance test fails on a message of a served class that
// is neither served nor here, and on an entry here that is served.
var leftOut = map[string]string{
	// Outside networking: nothing xsnet drives, and nothing the simulator
	// models (no VMs, storage, HA, licensing, certificates, updates, WLB,
	// external authentication, RRDs, telemetry, display, logging).
	"pool.*":                                  "pool settings and features outside networking (see the entries below for the networking ones)",
	"host.*":                                  "host settings and features outside networking (see the entries below for the networking ones)",
	"session.logout_subject_identifier":       "external authentication is not modelled",
	"session.get_all_subject_identifiers":     "external authentication is not modelled",
	"session.create_from_db_file":             "no database files",
	"session.change_password":                 "one fixed user (Config.Username, Config.Password)",
	"session.slave_local_login_with_password": "members' local sessions, for emergencies, are not modelled",
	"task.set_*":                              "xapi's own task bookkeeping; clients read tasks",
	"host_metrics.*_other_config":             "metrics are read-only for the simulator's clients",
	"PIF_metrics.*_other_config":              "metrics are read-only for the simulator's clients",
	"network.*purpose":                        "network purposes (NBD) are not modelled",
	"network.set_default_locking_mode":        "no VIFs, so no locking modes",
	"network.create_new_blob":                 "no blobs",
	"PIF.db_forget":                           "database surgery, not a networking operation",
	"PIF.db_introduce":                        "database surgery, not a networking operation",
	"PIF.forget":                              "simulated hosts neither gain nor lose NICs",
	"PIF.introduce":                           "simulated hosts neither gain nor lose NICs",
	"PIF.destroy":                             "only for tunnel and SR-IOV PIFs in xapi, which are not modelled",
	"PIF.create_VLAN":                         "deprecated since Miami for VLAN.create",
	"PIF.set_primary_address_type":            "IPv6 is not modelled",
	"PIF.reconfigure_ipv6":                    "IPv6 is not modelled",
}

// leftOutNetworking are the networking messages of pool and host that
// "pool.*" and "host.*" would hide; each must be served or listed here.
var leftOutNetworking = map[string]string{
	"pool.create_VLAN":                    "deprecated since Miami for pool.create_VLAN_from_PIF",
	"pool.emergency_transition_to_master": "master failover is not modelled",
	"pool.emergency_reset_master":         "master failover is not modelled",
	"pool.join_force":                     "pool.join's refusals are what the simulator is for",
	"host.local_management_reconfigure":   "only over the host's local socket, which the simulator has not",
	"host.management_disable":             "only over the host's local socket, which the simulator has not",
	"host.shutdown":                       "hosts reboot (host.reboot) but do not power off",
	"host.power_on":                       "hosts reboot (host.reboot) but do not power off",
	"host.destroy":                        "pool.eject removes hosts",
	"host.declare_dead":                   "HA is not modelled",
	"host.set_address":                    "the endpoints, not the database, decide addresses",
	"host.set_hostname":                   "the endpoints, not the database, decide addresses",
	"host.set_hostname_live":              "the endpoints, not the database, decide addresses",
	"host.shutdown_agent":                 "xapi stopping for good is not modelled",
	"host.set_power_on_mode":              "hosts reboot (host.reboot) but do not power off",
	"pool.ha_prevent_restarts_for":        "HA is not modelled",
}

// networkingMessages are the pool and host messages about networking:
// they must be served or in leftOutNetworking, not hidden by "pool.*".
var networkingMessages = []string{"VLAN", "management", "join", "eject", "master", "slave", "address", "hostname", "reboot", "shutdown", "power", "restart", "destroy", "dead"}

// leftOutReason says why the simulator does not serve name, or "".
func leftOutReason(name string) string {
	if r, ok := leftOutNetworking[name]; ok {
		return r
	}
	class, msg, _ := strings.Cut(name, ".")
	if class == "pool" || class == "host" {
		for _, w := range networkingMessages {
			if strings.Contains(msg, w) {
				return ""
			}
		}
	}
	if r, ok := leftOut[name]; ok {
		return r
	}
	for k, r := range leftOut {
		// One "*" stands for any text.
		head, tail, wild := strings.Cut(k, "*")
		if wild && len(name) >= len(head)+len(tail) && strings.HasPrefix(name, head) && strings.HasSuffix(name, tail) {
			return r
		}
	}
	return ""
}
