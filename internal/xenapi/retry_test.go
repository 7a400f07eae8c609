package xenapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

func TestIdempotentComesFromTheDataModel(t *testing.T) {
	tests := []struct {
		method string
		want   bool
	}{
		{"network.get_record", true},
		{"network.get_all_records", true},
		{"PIF.get_all", true},
		{"Bond.get_by_uuid", true},
		{"network.get_MTU", true},
		{"task.get_status", true},
		{"task.get_result", true},
		{"event.from", true},
		{"session.login_with_password", true},
		{"host.get_management_interface", true},
		// Setting a field twice leaves it as setting it once.
		{"network.set_MTU", true},
		{"pool.set_name_label", true},
		{"network.create", false},
		{"network.destroy", false},
		{"Bond.create", false},
		{"VLAN.create", false},
		{"PIF.plug", false},
		{"pool.join", false},
		{"pool.create_VLAN_from_PIF", false},
		{"host.management_reconfigure", false},
		{"task.cancel", false},
		// A second add of the same key fails with MAP_DUPLICATE_KEY.
		{"network.add_to_other_config", false},
		// Every Async call makes a task of its own.
		{"Async.network.get_record", false},
		{"Async.Bond.create", false},
		{"network.no_such_message", false},
	}
	for _, tt := range tests {
		if got := idempotent(tt.method); got != tt.want {
			t.Errorf("idempotent(%s) = %v, want %v", tt.method, got, tt.want)
		}
	}
	for method := range repeatable {
		if _, ok := message(method); !ok {
			t.Errorf("repeatable lists %s, which the data model does not know", method)
		}
	}
}

// TestReadIsSentAgainWhenTheConnectionDrops: the master dropped the
// connection with the call in it, as XenServer drops every connection when
// the management interface moves; a read is simply sent again.
func TestReadIsSentAgainWhenTheConnectionDrops(t *testing.T) {
	for _, proto := range protocols[:2] {
		t.Run(string(proto), func(t *testing.T) {
			f := newFake(t)
			var mu sync.Mutex
			dropped := 0
			f.dropAfter = func(c wire.Call) bool {
				mu.Lock()
				defer mu.Unlock()
				if c.Method == "network.get_all_records" && dropped < 2 {
					dropped++
					return true
				}
				return false
			}
			c := f.client(t, func(cfg *Config) { cfg.Protocol = proto })
			if _, err := GetAllRecords[Network](context.Background(), c); err != nil {
				t.Fatalf("a read whose connection dropped twice: %v", err)
			}
			if n := f.count("network.get_all_records"); n != 3 {
				t.Errorf("network.get_all_records sent %d times, want 3", n)
			}
		})
	}
}

// TestWriteWhoseConnectionDropsIsOutcomeUnknown: xapi had the request and
// may have carried it out, so the client neither repeats it nor calls it
// failed.
func TestWriteWhoseConnectionDropsIsOutcomeUnknown(t *testing.T) {
	for _, proto := range protocols[:2] {
		t.Run(string(proto), func(t *testing.T) {
			f := newFake(t)
			f.dropAfter = func(c wire.Call) bool { return c.Method == "network.create" }
			c := f.client(t, func(cfg *Config) { cfg.Protocol = proto })
			_, err := c.NetworkCreate(context.Background(), Network{NameLabel: "orphan?"})
			var unknown *OutcomeUnknownError
			if !errors.As(err, &unknown) || unknown.Method != "network.create" || unknown.Task != "" {
				t.Fatalf("network.create whose connection dropped = %#v, want *OutcomeUnknownError for network.create", err)
			}
			if !IsOutcomeUnknown(err) || !errors.Is(err, ErrOutcomeUnknown) {
				t.Error("IsOutcomeUnknown and errors.Is(ErrOutcomeUnknown) do not see it")
			}
			if n := f.count("network.create"); n != 1 {
				t.Errorf("network.create sent %d times, want once", n)
			}
		})
	}
}

// TestSetterIsSentAgainWhenTheConnectionDrops: a setter leaves the field as
// it would after one try, so it is sent again rather than reported unknown.
func TestSetterIsSentAgainWhenTheConnectionDrops(t *testing.T) {
	f := newFake(t)
	var once sync.Once
	f.dropAfter = func(c wire.Call) bool {
		drop := false
		if c.Method == "network.set_MTU" {
			once.Do(func() { drop = true })
		}
		return drop
	}
	c := f.client(t)
	if err := c.NetworkSetMTU(context.Background(), "OpaqueRef:n", 9000); err != nil {
		t.Fatal(err)
	}
	if n := f.count("network.set_MTU"); n != 2 {
		t.Errorf("network.set_MTU sent %d times, want 2", n)
	}
}

// TestWriteWithoutReplyIsOutcomeUnknown: a write whose reply does not come
// within the request timeout, or whose caller gives up while it is out, may
// still be carried out by xapi.
func TestWriteWithoutReplyIsOutcomeUnknown(t *testing.T) {
	f := newFake(t)
	var mu sync.Mutex
	sent := map[string]int{}
	logSends := func(cfg *Config) {
		cfg.Logger = func(_ context.Context, _ string, fields map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			sent[fields["method"].(string)]++
		}
	}
	c := f.client(t, logSends, func(cfg *Config) { cfg.Timeout = 200 * time.Millisecond })
	ctx := context.Background()
	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	f.setDelay(time.Second)
	_, err := c.NetworkCreate(ctx, Network{NameLabel: "slow"})
	if !IsOutcomeUnknown(err) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("network.create past the request timeout = %v, want outcome unknown, DeadlineExceeded", err)
	}
	// A read past the timeout is a plain failure: nothing changed.
	_, err = GetAllRecords[Network](ctx, c)
	if err == nil || IsOutcomeUnknown(err) {
		t.Errorf("a read past the request timeout = %v, want a timeout", err)
	}

	f.setDelay(0)
	f.handle = func(call wire.Call) (wire.Result, bool) {
		if call.Method == "network.destroy" {
			time.Sleep(300 * time.Millisecond)
		}
		return wire.Result{}, false
	}
	c = f.client(t, logSends)
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	err = c.NetworkDestroy(cctx, "OpaqueRef:n")
	if !IsOutcomeUnknown(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("network.destroy whose caller gave up = %v, want outcome unknown, Canceled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if sent["network.create"] != 1 || sent["network.destroy"] != 1 {
		t.Errorf("requests sent %v, want one network.create and one network.destroy", sent)
	}
}

// TestCallRefusedIsSentOnceTheHostIsBack: a request that never left (the
// dial was refused while xapi restarted) changed nothing, so even a write
// is sent again, and done once.
func TestCallRefusedIsSentOnceTheHostIsBack(t *testing.T) {
	f := newFake(t)
	host := newRestartable(t, f)
	back := make(chan struct{})
	var once sync.Once
	c := clientAt(t, host.URL(), func(cfg *Config) {
		cfg.Logger = func(_ context.Context, _ string, fields map[string]any) {
			if fields["method"] == "network.create" && fields["error"] != nil {
				once.Do(func() { host.start(); close(back) })
			}
		}
	})
	c.retryPause = 20 * time.Millisecond
	ctx := context.Background()
	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	host.stop()
	ref, err := c.NetworkCreate(ctx, Network{NameLabel: "after restart"})
	if err != nil {
		t.Fatalf("network.create refused, then the host came back: %v", err)
	}
	<-back
	if ref == "" || f.count("network.create") != 1 {
		t.Errorf("network.create gave %q and was served %d times, want a ref and once", ref, f.count("network.create"))
	}
}

// TestRetriesAreBounded: against a host that stays down, a call gives up
// after maxTries, and a write that never left is a plain failure, not an
// unknown outcome.
func TestRetriesAreBounded(t *testing.T) {
	f := newFake(t)
	host := newRestartable(t, f)
	var mu sync.Mutex
	tries := map[string]int{}
	c := clientAt(t, host.URL(), func(cfg *Config) {
		cfg.Logger = func(_ context.Context, _ string, fields map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			tries[fields["method"].(string)]++
		}
	})
	ctx := context.Background()
	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	host.stop()
	_, err := GetAllRecords[Network](ctx, c)
	if !errors.Is(err, syscall.ECONNREFUSED) || IsOutcomeUnknown(err) {
		t.Errorf("a read from a host that stays down = %v, want connection refused", err)
	}
	_, err = c.NetworkCreate(ctx, Network{NameLabel: "never sent"})
	if !errors.Is(err, syscall.ECONNREFUSED) || IsOutcomeUnknown(err) {
		t.Errorf("a write to a host that stays down = %v, want connection refused, known not done", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if tries["network.get_all_records"] != maxTries || tries["network.create"] != maxTries {
		t.Errorf("tries %v, want %d of each", tries, maxTries)
	}
}

// TestCertificateRefusalIsNotRetried: a host whose certificate does not
// match would refuse every try alike.
func TestCertificateRefusalIsNotRetried(t *testing.T) {
	f := newFake(t)
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ErrorLog = quietLog
	var conns atomic.Int32
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := clientAt(t, srv.URL)
	if err := c.Login(context.Background()); err == nil {
		t.Fatal("Login to a host with an unknown certificate succeeded")
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestManagementMoveReconnectsThroughTheConfiguredURL: the client was
// pointed at a pool member and followed HOST_IS_SLAVE to the master. The
// master's management interface then moves to another address: its
// connections drop and its old address refuses. The client goes back to the
// member it was configured with, which names the master's new address.
func TestManagementMoveReconnectsThroughTheConfiguredURL(t *testing.T) {
	oldMaster := newFake(t)
	oldHost := newRestartable(t, oldMaster)
	newMaster := newFake(t)
	var mu sync.Mutex
	masterAddr := oldHost.addr
	member := newFake(t)
	member.handle = func(wire.Call) (wire.Result, bool) {
		mu.Lock()
		defer mu.Unlock()
		return fail(ErrHostIsSlave, masterAddr), true
	}
	c := member.client(t)
	ctx := context.Background()
	if _, err := GetAllRecords[Network](ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.URL() != oldHost.URL() {
		t.Fatalf("URL() = %s, want the master's %s", c.URL(), oldHost.URL())
	}

	// The write in flight when management moves: xapi had it.
	oldMaster.dropAfter = func(call wire.Call) bool { return call.Method == "network.create" }
	_, err := c.NetworkCreate(ctx, Network{NameLabel: "in flight"})
	if !IsOutcomeUnknown(err) {
		t.Errorf("a write whose connection dropped in the move = %v, want outcome unknown", err)
	}

	oldHost.stop()
	newURL, _ := url.Parse(newMaster.srv.URL)
	mu.Lock()
	masterAddr = newURL.Host
	mu.Unlock()
	if _, err := GetAllRecords[PIF](ctx, c); err != nil {
		t.Fatalf("a read after the move: %v", err)
	}
	if c.URL() != newMaster.srv.URL {
		t.Errorf("URL() = %s after the move, want the new address %s", c.URL(), newMaster.srv.URL)
	}
	if _, err := c.NetworkCreate(ctx, Network{NameLabel: "after the move"}); err != nil {
		t.Errorf("a write after the move: %v", err)
	}
	if oldMaster.count("network.create") != 1 || newMaster.count("network.create") != 1 {
		t.Errorf("network.create served %d times before the move and %d after, want once each",
			oldMaster.count("network.create"), newMaster.count("network.create"))
	}
}

// TestFollowMasterGoesWhereManagementMoved: the client talks to the master
// by the address it was configured with, and the master's management
// interface moves to a new address, which xsnet read from the PIF it moves
// to. The client stays while the old address answers, and once it stops
// the client goes to the new one, not back to the old.
func TestFollowMasterGoesWhereManagementMoved(t *testing.T) {
	oldMaster := newFake(t)
	oldHost := newRestartable(t, oldMaster)
	newMaster := newFake(t)
	newHost := newRestartable(t, newMaster)
	c := clientAt(t, oldHost.URL())
	c.retryPause = 10 * time.Millisecond
	ctx := context.Background()
	if err := c.FollowMaster(newHost.addr); err != nil {
		t.Fatal(err)
	}
	// xapi cuts the connections when it rebuilds the management
	// interface; the old address answers again at once.
	var cut atomic.Bool
	oldMaster.dropAfter = func(call wire.Call) bool {
		return call.Method == "network.get_all_records" && cut.CompareAndSwap(false, true)
	}
	if _, err := GetAllRecords[Network](ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.URL() != oldHost.URL() || newMaster.count("network.get_all_records") != 0 || oldMaster.count("network.get_all_records") != 2 {
		t.Fatalf("URL() = %s after a cut connection where the old address answers, want it kept", c.URL())
	}
	oldHost.stop()
	if _, err := GetAllRecords[PIF](ctx, c); err != nil {
		t.Fatalf("a read after the move: %v", err)
	}
	if c.URL() != newHost.URL() || newMaster.count("PIF.get_all_records") == 0 {
		t.Errorf("URL() = %s after the old address stopped, want the new %s", c.URL(), newHost.URL())
	}
	if err := c.FollowMaster("not a host/"); err == nil {
		t.Error("FollowMaster took an address that is no host")
	}
}

// TestPooledConnectionsClosedByTheHost: a host that closes a kept-alive
// connection just as the next request goes out on it (here: every second
// request on a connection is read and dropped) costs a read nothing, and a
// write never meets it, as writes go out on connections of their own.
func TestPooledConnectionsClosedByTheHost(t *testing.T) {
	f := newFake(t)
	type connKey struct{}
	var mu sync.Mutex
	served := map[net.Conn]int{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn := r.Context().Value(connKey{}).(net.Conn)
		mu.Lock()
		served[conn]++
		n := served[conn]
		mu.Unlock()
		if n > 1 {
			hangUp(t, w)
			return
		}
		f.ServeHTTP(w, r)
	}))
	srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := clientAt(t, srv.URL)
	ctx := context.Background()
	for i := range 10 {
		if _, err := GetAllRecords[Network](ctx, c); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
		if err := c.NetworkDestroy(ctx, "OpaqueRef:n"); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if n := f.count("network.destroy"); n != 10 {
		t.Errorf("network.destroy served %d times, want 10", n)
	}
}

func TestConnectionBroken(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused", &url.Error{Op: "Post", URL: "http://x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, true},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{"broken pipe", &net.OpError{Op: "write", Err: syscall.EPIPE}, true},
		{"closed early", &url.Error{Op: "Post", URL: "http://x", Err: io.EOF}, true},
		{"cut reply", io.ErrUnexpectedEOF, true},
		{"TLS handshake timeout", &url.Error{Op: "Post", URL: "https://x", Err: timeoutError{}}, true},
		{"name not found", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "no such host", Name: "xen1", IsNotFound: true}}, false},
		{"name server timeout", &net.OpError{Op: "dial", Err: &net.DNSError{Err: "timeout", Name: "xen1", IsTimeout: true}}, true},
		{"certificate", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, false},
		{"TLS alert", &net.OpError{Op: "remote error", Err: errors.New("tls: bad certificate")}, false},
		{"pin", errors.New("xenapi: the host's certificate has SHA-256 fingerprint AB, not the tls_fingerprint configured"), false},
	}
	for _, tt := range tests {
		if got := connectionBroken(tt.err); got != tt.want {
			t.Errorf("%s: connectionBroken(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "net/http: TLS handshake timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }
