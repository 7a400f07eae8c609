// Package xapisim is a simulated XenServer pool: real HTTP endpoints that
// speak xapi's XML-RPC and JSON-RPC, with xapi's objects, checks and error
// codes for everything xsnet touches. It plays the part govmomi's vcsim
// plays for vSphere: the provider's tests run against it in process, and
// the same tests run against a real pool when XENSERVER_HOST is set.
//
// # Shape
//
// A preset pool has Config.Hosts hosts ("xs-host-1" is the master) with
// Config.NICs NICs each (eth0..., each on the pool-wide network xapi makes
// for it, bridge xenbrN, MTU 1500, properties {gro: on}), the host
// internal management network (bridge xenapi), management on eth0 with a
// static 192.0.2.x address, and Config.Standalone further hosts, each a
// pool of one, that can pool.join it. Every host has its own endpoint on 127.0.0.1;
// host.address is that endpoint's "127.0.0.1:port", which is also what
// HOST_IS_SLAVE names. Run starts one for a test; cmd/xapisim serves one
// until interrupted.
//
// # How a call is served
//
// server.go routes a POST as xapi's HTTP server does, by the longest
// prefix of its path: "/", "/RPC2" and the legacy "/json" take XML-RPC,
// "/jsonrpc" JSON-RPC; OPTIONS answers a browser's preflight, and replies
// allow any origin. It reads the body (xapi's 300 KiB limit; HTTP 500 for a
// malformed body) and decodes it with internal/xenapi/wire. dispatch.go
// checks it as xapi's generated server does, in its order: the method
// exists (MESSAGE_METHOD_UNKNOWN, once the first parameter, if any, has
// been checked as a session: SESSION_INVALID), the parameter count
// (MESSAGE_PARAMETER_COUNT_MISMATCH [method; expected; received], counts
// without the session, as xapi reports them), the parameters' types, the
// session (SESSION_INVALID, or HOST_IS_SLAVE on a member's endpoint); then
// fault rules; then the message. Which messages exist, their parameters and
// the fields of every record come from internal/xenapi/datamodel: getters,
// get_record, get_all_records, get_by_uuid, get_by_name_label and the
// setters of stored read-write fields are generic (generic.go); the others
// are written per class, one file each (bond.go holds Bond.create's checks
// in xapi's order). A record carries every field its class declares, with
// the type's zero value where the simulator stores nothing.
//
// The store (store.go) keeps one database per pool under one mutex. It
// stores the owning side of each relation (PIF.host, PIF.bond_slave_of,
// VLAN.tagged_PIF...) and indexes it, so that the other side (host.PIFs,
// PIF.bond_master_of...) is read at the cost of its own length. A handler
// changes records in place; every record it was handed for writing is
// noted, and after the change the store compares only those with what
// event.from last saw, which gives event.from its add, mod and del events
// and a list of changes by generation: event.from since a recent token
// costs the number of changes, not the pool's size. The package's tests
// check every commit against a walk of the whole database.
//
// # Reboots and the quirk
//
// host.reboot (of a disabled host) returns, then the host goes down for
// Config.RebootTime: its endpoint refuses connections and
// host_metrics.live is false. It comes back enabled with nothing attached
// but what xapi plugs at start of day: every managed NIC not in a bond,
// every bond master and every PIF with an IP configuration (a VLAN PIF
// without one stays unplugged). Plugging is when an MTU set on a network
// reaches a PIF. Config.MemberSyncDelay after any start of its xapi, a
// pool member copies the master's bonds and VLANs it lacks, the VLAN PIFs
// unplugged; pool.join returns before the joining host restarts its xapi
// (Config.ToolstackRestart), so the copy comes after the call;
// host.restart_agent restarts a host's xapi the same way, the bridges (and
// so currently_attached) left as they were. With the
// quirk "jumbo-management-bond" (XenServer 6.1), a host whose management
// interface is a bond (or a VLAN on one) with an MTU above 1500 comes back,
// stays up for half of RebootTime, then drops out: live goes false and its
// endpoint holds every call without answering. It stays out across
// PowerCycle until EmergencyNetworkReset brings it back (until the next
// reboot) and its management moves to an interface with MTU 1500.
//
// # Management moves
//
// A bond made or destroyed over the management NIC, host and
// pool.management_reconfigure, and PIF.reconfigure_ip of the management
// PIF rebuild the host's management bridge. As xapi's clients see it, the
// simulator then closes every connection to that host's endpoint, idle
// ones and the call in flight (whose work is done and committed, and whose
// reply is lost). When the management IP changes, host.address becomes the
// new IP, bare, as xapi stores it; the endpoint stays where it listens, and
// pool.join and HOST_IS_SLAVE's address map the IP to it.
// Config.KeepConnections switches the resets off for clients that do not
// reconnect.
//
// # MTU
//
// network.set_MTU checks no range, as in xapi. A PIF takes its network's
// MTU when it is brought up, if its device can: Config.NICMaxMTU caps NICs
// (by device; others take DefaultNICMaxMTU), a bond takes what its weakest
// member takes, and a VLAN no more than its parent has. Otherwise the PIF
// keeps the MTU it had, as the kernel refuses the change and xapi only logs
// it. After a restart of its xapi a bond member shows its bond's MTU.
//
// # Faults, calls and trace
//
// Config.Faults (see ParseFaults) fail or delay calls by method, or expire
// sessions after a number of calls. Calls and Trace report every call;
// each endpoint serves them as JSON on GET /sim/calls and GET /sim/trace,
// and takes POST /sim/hosts/{name}/power-cycle and
// POST /sim/hosts/{name}/emergency-network-reset.
//
// # What xapi does that the simulator does not
//
//   - Only the messages listed by system.listMethods are served; every
//     other message of the data model answers MESSAGE_METHOD_UNKNOWN, as
//     xapi does for a name it does not know. Async.<message> of a message
//     xapi serves only synchronously (getters, setters) answers the fault
//     ["Fault"; "No async mode for this operation (rpc: <message>)"], as
//     xapi's does.
//   - A parameter of the wrong type answers INTERNAL_ERROR, as in xapi,
//     but with the simulator's own text.
//   - No VMs, VIFs, SRs, tunnels, SR-IOV, HA, clustering, IPv6 or RBAC:
//     the checks about them never fail (NETWORK_CONTAINS_VIF,
//     HA_IS_ENABLED...). Every login is the local superuser's.
//   - A failed login answers at once; xapi waits five seconds.
//   - leftout.go lists every message of a served class that is not
//     served, with why (PIF.introduce, PIF.forget, PIF.set_property, the
//     emergency calls, master failover...). network.attach and
//     host.sync_vlans are not in the published data model, so they cannot
//     be served; a member's copy of the master's VLANs is what
//     host.sync_vlans does. Bond properties are checked as xapi checks
//     them, but bonds have no links to balance: links_up starts at 0 and a
//     moment later counts every member, as every simulated NIC has carrier.
//   - task.cancel marks the task and nothing stops: xapi's networking
//     code never looks at the mark, and the simulator has no VM or storage
//     operations, which would.
//   - pool.join moves the joining host's records to the pool, its NICs
//     onto the pool's networks with the same bridge; the joining host keeps
//     its endpoint, which answers HOST_IS_SLAVE at once, where xapi's is
//     briefly down while it restarts.
//   - The simulator starts its pools as running ones: Start plugs only
//     what was attached, where a real host's start plugs every NIC.
//   - pool.eject reboots the host into a pool of its own with its NICs on
//     fresh networks and management on the NIC under its old management
//     interface; xapi also rewrites the host's network configuration files.
//   - The emergency network reset only brings a dropped-out host back; the
//     real one also rewrites the host's networking.
//   - Sessions are collected as xapi's collector does
//     (Config.SessionIdleTimeout, Config.MaxSessionsPerOriginator), but at
//     the next call or login rather than every so often; the limit counts
//     sessions by originator only, where xapi groups non-root users by
//     name. A master forgets its sessions when it reboots, as xapi does.
//     The "sessions=N" fault expires sessions sooner.
//   - event.from reports every class the simulator stores but session (as
//     xapi's data model says) and ignores messages; its events carry
//     timestamp "0.0", as xapi's do. As in xapi, each class keeps its last
//     deletions only (at 510, the newest 256 stay), and a token from before
//     the oldest kept silently misses the others: valid_ref_counts is how a
//     client notices. xapi raises EVENTS_LOST from event.next only, for a
//     session that fell behind the queue (the simulator keeps 10000
//     events; xapi bounds the queue by size), and has no
//     EVENT_FROM_TOKEN_INVALID.
//   - system.listMethods lists the served messages, not the whole API.
package xapisim
