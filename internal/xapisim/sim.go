package xapisim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// Config describes the simulated pool to build.
type Config struct {
	// Hosts is the number of pool members, the master included; default 4.
	Hosts int
	// NICs is the number of NICs per host, eth0 upwards; default 4.
	NICs int
	// Standalone is the number of extra hosts, each a pool of one on its own
	// endpoint, that can pool.join the pool.
	Standalone int
	// Username and Password are the credentials every host accepts;
	// default "root" and "xsnet-sim".
	Username, Password string
	// Backend is the network backend, "openvswitch" (default) or "bridge".
	Backend string
	// TLS serves HTTPS with a self-signed certificate made at start.
	TLS bool
	// Latency is added to every call.
	Latency time.Duration
	// Faults inject errors and delays by method; see ParseFaults.
	Faults []Fault
	// StatePath is a JSON file holding the pools: loaded by New when it
	// exists (the pool shape above is then ignored), saved by Close.
	StatePath string
	// Quirks switch on known XenServer misbehaviours: "jumbo-management-bond".
	Quirks []string
	// RebootTime is how long host.reboot keeps a host out; default 200ms.
	RebootTime time.Duration
	// ToolstackRestart is how long a joining host's xapi takes to restart
	// as a pool member after pool.join returns; default 50ms. Until then
	// the pool counts it neither enabled nor live.
	ToolstackRestart time.Duration
	// SessionIdleTimeout is how long a session may go unused before xapi's
	// collector destroys it; default 24h (xapi_globs.ml).
	SessionIdleTimeout time.Duration
	// MaxSessionsPerOriginator is how many sessions one originator may
	// hold; beyond it the least recently used go (db_gc_util.ml); default
	// 500.
	MaxSessionsPerOriginator int
	// KeepConnections keeps clients' connections when a host's management
	// interface is rebuilt. By default, as in xapi, a bond made or destroyed
	// on the management NIC, host or pool.management_reconfigure, and
	// PIF.reconfigure_ip of the management PIF close every connection to
	// that host's endpoint, the call in flight included (its work is done),
	// and a new management IP becomes host.address.
	KeepConnections bool
	// NICMaxMTU caps the MTU a NIC takes, by device ("eth1": 1500); a NIC
	// not named takes up to DefaultNICMaxMTU. Bringing a PIF up with a
	// larger MTU leaves it at the MTU it had, as the kernel refuses it.
	NICMaxMTU map[string]int64
	// MemberSyncDelay is how long after its xapi starts (after a reboot or
	// pool.join) a pool member takes to copy the master's bonds and VLANs;
	// default 50ms. On a real host it is seconds.
	MemberSyncDelay time.Duration
}

// QuirkJumboManagementBond is XenServer 6.1's failure: a host whose
// management interface is a bond with an MTU above 1500 comes back from a
// reboot, touches the pool, then drops out and stays out across reboots.
const QuirkJumboManagementBond = "jumbo-management-bond"

// Defaults of Config.
const (
	DefaultHosts      = 4
	DefaultNICs       = 4
	DefaultUsername   = "root"
	DefaultPassword   = "xsnet-sim"
	DefaultBackend    = "openvswitch"
	DefaultRebootTime = 200 * time.Millisecond
	// DefaultToolstackRestart and DefaultMemberSyncDelay are short, so that
	// tests stay fast; real hosts take seconds.
	DefaultToolstackRestart = 50 * time.Millisecond
	DefaultMemberSyncDelay  = 50 * time.Millisecond
	// DefaultNICMaxMTU is the largest MTU of a NIC Config.NICMaxMTU does
	// not name: what XenCenter offers at most.
	DefaultNICMaxMTU = 9216
	// DefaultSessionIdleTimeout and DefaultMaxSessionsPerOriginator are
	// xapi's.
	DefaultSessionIdleTimeout       = 24 * time.Hour
	DefaultMaxSessionsPerOriginator = 500
)

// maxTrace bounds the trace kept in memory; older entries are dropped.
const maxTrace = 50000

// Sim is a running simulated XenServer pool.
type Sim struct {
	cfg Config

	// mu guards everything below and every pool database.
	mu           sync.Mutex
	pools        []*db
	hosts        []*hostRT
	faults       []*faultRule
	sessionLimit int
	sessionCalls map[xenapi.Ref]int
	doomedTasks  map[xenapi.Ref]bool // destroyed while running
	// waiting counts the event.from calls waiting for a change.
	waiting int
	// registrations are the sessions registered for event.next.
	registrations map[xenapi.Ref]*registration
	calls         map[string]int
	trace         []TraceEntry
	started       bool
	closing       bool

	cert        *tls.Certificate
	certPEM     string
	fingerprint string

	// closed ends reboot timers and waiting calls; wg counts them.
	closed chan struct{}
	wg     sync.WaitGroup
}

// hostState says whether a host's xapi answers.
type hostState int

const (
	hostUp   hostState = iota
	hostDown           // rebooting: nothing listens on its endpoint
	hostOut            // dropped out: its endpoint accepts calls and never answers
)

// hostRT is a host's life outside the database: its endpoint and whether
// it is up.
type hostRT struct {
	uuid  string
	index int // numbers the host's MACs and IP, stable for its life
	db    *db // the database of the pool the host belongs to
	ref   xenapi.Ref

	standalone bool   // built as a standalone host
	listen     string // where its endpoint listens
	addr       string // "127.0.0.1:port", host.address
	url        string
	srv        *http.Server
	// conns are the open connections to the endpoint.
	conns *connSet
	// address is host.address once the management IP has changed: xapi
	// stores the bare IP, while the endpoint stays where it listens.
	address string

	state hostState
	// back is closed when the host leaves hostOut, releasing held calls.
	back chan struct{}
	// boots counts boots, so that a timer set by an earlier boot is ignored.
	boots int
}

func (h *hostRT) record() *xenapi.Host { return get[xenapi.Host](h.db, h.ref) }

// isMaster reports whether the host is its pool's master.
func (h *hostRT) isMaster() bool {
	p := h.db.pool()
	return p != nil && p.Master == h.ref
}

// New builds the pools Config describes, or loads them from StatePath.
func New(cfg Config) (*Sim, error) {
	if cfg.Hosts == 0 {
		cfg.Hosts = DefaultHosts
	}
	if cfg.NICs == 0 {
		cfg.NICs = DefaultNICs
	}
	if cfg.Username == "" {
		cfg.Username = DefaultUsername
	}
	if cfg.Password == "" {
		cfg.Password = DefaultPassword
	}
	if cfg.Backend == "" {
		cfg.Backend = DefaultBackend
	}
	if cfg.RebootTime == 0 {
		cfg.RebootTime = DefaultRebootTime
	}
	if cfg.ToolstackRestart == 0 {
		cfg.ToolstackRestart = DefaultToolstackRestart
	}
	if cfg.MemberSyncDelay == 0 {
		cfg.MemberSyncDelay = DefaultMemberSyncDelay
	}
	if cfg.SessionIdleTimeout == 0 {
		cfg.SessionIdleTimeout = DefaultSessionIdleTimeout
	}
	if cfg.MaxSessionsPerOriginator == 0 {
		cfg.MaxSessionsPerOriginator = DefaultMaxSessionsPerOriginator
	}
	switch {
	case cfg.Hosts < 1 || cfg.Hosts > 200:
		return nil, fmt.Errorf("xapisim: %d hosts: a pool has 1 to 200", cfg.Hosts)
	case cfg.NICs < 1 || cfg.NICs > 64:
		return nil, fmt.Errorf("xapisim: %d NICs: a host has 1 to 64", cfg.NICs)
	case cfg.Standalone < 0 || cfg.Hosts+cfg.Standalone > 240:
		return nil, fmt.Errorf("xapisim: %d standalone hosts: at most 240 hosts in all", cfg.Standalone)
	case cfg.Backend != "openvswitch" && cfg.Backend != "bridge":
		return nil, fmt.Errorf("xapisim: network backend %q: want openvswitch or bridge", cfg.Backend)
	}
	for _, q := range cfg.Quirks {
		if q != QuirkJumboManagementBond {
			return nil, fmt.Errorf("xapisim: unknown quirk %q (known: %s)", q, QuirkJumboManagementBond)
		}
	}
	s := &Sim{
		cfg:           cfg,
		sessionCalls:  map[xenapi.Ref]int{},
		doomedTasks:   map[xenapi.Ref]bool{},
		registrations: map[xenapi.Ref]*registration{},
		calls:         map[string]int{},
		closed:        make(chan struct{}),
	}
	for _, f := range cfg.Faults {
		if f.SessionCalls > 0 {
			s.sessionLimit = f.SessionCalls
			continue
		}
		s.faults = append(s.faults, &faultRule{Fault: f})
	}
	loaded, err := s.load()
	if err != nil {
		return nil, err
	}
	if !loaded {
		s.build()
	}
	if cfg.TLS {
		if err := s.makeCertificate(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Sim) quirk(name string) bool { return slices.Contains(s.cfg.Quirks, name) }

// ParseNICMaxMTU reads the -nic-max-mtu flag: "device=MTU" pairs separated
// by commas, such as "eth1=1500,eth3=1500".
func ParseNICMaxMTU(spec string) (map[string]int64, error) {
	out := map[string]int64{}
	for pair := range strings.SplitSeq(spec, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		device, mtu, ok := strings.Cut(pair, "=")
		n, err := strconv.ParseInt(mtu, 10, 64)
		if !ok || device == "" || err != nil || n < 68 {
			return nil, fmt.Errorf("NIC MTU %q: want device=MTU, such as eth1=1500, with an MTU of 68 or more", pair)
		}
		out[device] = n
	}
	return out, nil
}

// newDB makes an empty pool database for the simulator's NICs.
func (s *Sim) newDB() *db {
	d := newDB()
	d.nicMaxMTU = s.cfg.NICMaxMTU
	return d
}

// Start serves the master's endpoint on listen (":0" or "127.0.0.1:0" picks
// a free port) and every other host on its own 127.0.0.1:0 endpoint.
func (s *Sim) Start(listen string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return errors.New("xapisim: already started")
	}
	s.started = true
	master := s.mainMaster()
	for _, h := range s.hosts {
		h.listen = "127.0.0.1:0"
		if h == master {
			h.listen = listen
		}
		if err := s.listen(h); err != nil {
			s.stopAll()
			return err
		}
	}
	for _, h := range s.hosts {
		if rec := h.record(); rec != nil {
			rec.Address = h.addr
		}
	}
	// Every host boots, so that PIFs take their networks' MTU and the
	// quirks get their say, as when a pool is powered on.
	for _, h := range s.hosts {
		s.boot(h, bootResume)
	}
	for _, d := range s.pools {
		d.commit()
	}
	return nil
}

// listen opens h's endpoint and serves it.
func (s *Sim) listen(h *hostRT) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", h.listen)
	if err != nil {
		return fmt.Errorf("xapisim: %s: %w", h.name(), err)
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return errors.Join(fmt.Errorf("xapisim: %s: listening on %s, not a TCP address", h.name(), ln.Addr()), ln.Close())
	}
	port := tcp.Port
	// Listen on the same port again after a reboot.
	host, _, _ := net.SplitHostPort(h.listen)
	h.listen = net.JoinHostPort(host, fmt.Sprint(port))
	h.addr = fmt.Sprintf("127.0.0.1:%d", port)
	scheme := "http"
	if s.cert != nil {
		scheme = "https"
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*s.cert}, MinVersion: tls.VersionTLS12})
	}
	h.url = scheme + "://" + h.addr
	if h.conns == nil {
		h.conns = &connSet{conns: map[net.Conn]struct{}{}}
	}
	h.srv = &http.Server{
		Handler:           s.endpoint(h),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          quietLog(),
		ConnState:         h.conns.track,
	}
	srv := h.srv
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(ln)
	}()
	return nil
}

// unlisten closes h's endpoint: connections are refused until listen.
func (s *Sim) unlisten(h *hostRT) {
	if h.srv != nil {
		_ = h.srv.Close()
		h.srv = nil
	}
}

func (s *Sim) stopAll() {
	for _, h := range s.hosts {
		s.unlisten(h)
	}
}

// name is the host's name_label, for traces and messages.
func (h *hostRT) name() string {
	if rec := h.record(); rec != nil {
		return rec.NameLabel
	}
	return h.uuid
}

// mainMaster is the master of the pool built from Config.Hosts.
func (s *Sim) mainMaster() *hostRT {
	for _, h := range s.hosts {
		if !h.standalone && h.isMaster() {
			return h
		}
	}
	for _, h := range s.hosts {
		if h.isMaster() {
			return h
		}
	}
	return s.hosts[0]
}

// URL is the master's endpoint, http(s)://127.0.0.1:port.
func (s *Sim) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mainMaster().url
}

// HostURL is the endpoint of any host, named by name_label or UUID; "" if
// there is no such host.
func (s *Sim) HostURL(nameOrUUID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h := s.findHost(nameOrUUID); h != nil {
		return h.url
	}
	return ""
}

func (s *Sim) findHost(nameOrUUID string) *hostRT {
	for _, h := range s.hosts {
		if h.uuid == nameOrUUID || h.name() == nameOrUUID || string(h.ref) == nameOrUUID {
			return h
		}
	}
	return nil
}

// StandaloneURLs are the endpoints of the hosts built as standalone, in
// order; they keep their endpoints after joining the pool.
func (s *Sim) StandaloneURLs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, h := range s.hosts {
		if h.standalone {
			out = append(out, h.url)
		}
	}
	return out
}

// Username is the user every host accepts.
func (s *Sim) Username() string { return s.cfg.Username }

// Password is the password every host accepts.
func (s *Sim) Password() string { return s.cfg.Password }

// CertificatePEM is the endpoints' certificate, or "" without TLS.
func (s *Sim) CertificatePEM() string { return s.certPEM }

// Fingerprint is the SHA-256 of the certificate's DER, upper-case hex
// bytes joined by colons as openssl prints it, or "" without TLS.
func (s *Sim) Fingerprint() string { return s.fingerprint }

// Close stops every endpoint and timer, and saves the pools to StatePath
// when it is set.
func (s *Sim) Close() error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil
	}
	s.closing = true
	close(s.closed)
	s.stopAll()
	s.mu.Unlock()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.save()
}

// Run starts a simulated pool for a test on 127.0.0.1:0 and stops it when
// the test ends.
func Run(t testing.TB, cfg Config) *Sim {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("closing the simulated pool: %v", err)
		}
	})
	return s
}

// sleep waits for d, or less if ctx ends or the simulator closes.
func (s *Sim) sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	case <-s.closed:
	}
}

// after runs fn under the lock once d has passed, unless the simulator
// closes first.
func (s *Sim) after(d time.Duration, fn func()) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.closed:
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closing {
			return
		}
		fn()
	}()
}

// hostByRef finds the runtime of a host record.
func (s *Sim) hostByRef(ref xenapi.Ref) *hostRT {
	for _, h := range s.hosts {
		if h.ref == ref {
			return h
		}
	}
	return nil
}

// linkMonitorDelay is how long after a bond is made xapi's monitor counts
// its links (monitor_dbcalls.ml runs every few seconds on a real host).
const linkMonitorDelay = 20 * time.Millisecond

// linksUp counts a bond's members whose link has carrier.
func (d *db) linksUp(bond xenapi.Ref) int64 {
	var n int64
	for _, m := range d.childRefs(pifBondSlaveOf, bond) {
		if pm := view[xenapi.PIFMetrics](d, view[xenapi.PIF](d, m).Metrics); pm != nil && pm.Carrier {
			n++
		}
	}
	return n
}

// connSet is the open connections of an endpoint. net/http reports them
// outside s.mu, so it has its own lock.
type connSet struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

func (cs *connSet) track(c net.Conn, state http.ConnState) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	switch state {
	case http.StateNew:
		cs.conns[c] = struct{}{}
	case http.StateClosed, http.StateHijacked:
		delete(cs.conns, c)
	}
}

// closeAll closes every connection, idle or with a call in flight.
func (cs *connSet) closeAll() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for c := range cs.conns {
		_ = c.Close()
	}
	clear(cs.conns)
}

// settleManagementMoves acts on the management interfaces the last change
// rebuilt, as xapi does (nm.ml, message_forwarding.ml): a host whose
// management IP changed gets it as host.address, bare, as xapi stores it
// (its endpoint stays where it listens), and unless Config.KeepConnections
// every connection to the host's endpoint is reset. Called under s.mu
// after the change's work is done and committed.
func (s *Sim) settleManagementMoves(d *db) {
	if bonds := d.pendingLinks; len(bonds) > 0 {
		d.pendingLinks = nil
		s.after(linkMonitorDelay, func() {
			for _, b := range bonds {
				if bond := get[xenapi.Bond](d, b); bond != nil {
					bond.LinksUp = d.linksUp(b)
				}
			}
			d.commit()
		})
	}
	moves := d.managementMoves
	d.managementMoves = nil
	for _, m := range moves {
		h := s.hostByRef(m.host)
		if h == nil || h.db != d {
			continue
		}
		if _, pif := d.managementPIF(m.host); pif != nil && pif.IP != "" && pif.IP != m.oldIP {
			h.address = pif.IP
			if rec := h.record(); rec != nil {
				rec.Address = h.address
			}
			d.commit()
		}
		if !s.cfg.KeepConnections && h.conns != nil {
			h.conns.closeAll()
		}
	}
}

// hostByAddress finds the host whose endpoint is addr ("127.0.0.1:port",
// with or without a scheme), or whose host.address is addr.
func (s *Sim) hostByAddress(addr string) *hostRT {
	addr = strings.TrimPrefix(strings.TrimPrefix(addr, "https://"), "http://")
	addr = strings.TrimSuffix(addr, "/")
	for _, h := range s.hosts {
		if h.addr == addr || h.address != "" && h.address == addr {
			return h
		}
	}
	return nil
}

// addressOf is host.address: the endpoint "127.0.0.1:port", or the bare
// management IP once it has changed.
func (s *Sim) addressOf(h *hostRT) string {
	if h.address != "" {
		return h.address
	}
	return h.addr
}
