package xenapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

var protocols = []Protocol{ProtocolJSONRPC, ProtocolXMLRPC, ProtocolAuto}

// aPIF is what the fake answers PIF.get_record with: ints, bools, sets and
// maps, which XML-RPC carries loosely.
var aPIF = map[string]any{
	"uuid": "1b5c", "device": "bond0", "MTU": int64(9000), "VLAN": int64(-1),
	"management": true, "physical": false, "ip_configuration_mode": "Static",
	"bond_master_of": []any{"OpaqueRef:b"}, "other_config": map[string]any{"k": "v"},
}

func TestCallDecodesByTheModelOverBothProtocols(t *testing.T) {
	for _, proto := range protocols {
		t.Run(string(proto), func(t *testing.T) {
			f := newFake(t)
			f.handle = func(c wire.Call) (wire.Result, bool) {
				if c.Method == "PIF.get_record" {
					return wire.Result{Value: aPIF}, true
				}
				return wire.Result{}, false
			}
			c := f.client(t, func(cfg *Config) { cfg.Protocol = proto })
			ctx := context.Background()

			pif, err := GetRecord[PIF](ctx, c, "OpaqueRef:p")
			if err != nil {
				t.Fatal(err)
			}
			want := PIF{UUID: "1b5c", Device: "bond0", MTU: 9000, VLAN: -1, Management: true,
				IPConfigurationMode: IPConfigurationStatic, BondMasterOf: []Ref{"OpaqueRef:b"},
				OtherConfig: map[string]string{"k": "v"}}
			if !reflect.DeepEqual(pif, want) {
				t.Errorf("PIF record:\n got %#v\nwant %#v", pif, want)
			}

			// Call coerces by the message's result type: an int
			// arrives as int64 even where XML-RPC wrote it bare.
			mtu, err := c.Call(ctx, "network.get_MTU", Ref("OpaqueRef:n"))
			if err != nil || mtu != int64(1500) {
				t.Errorf("network.get_MTU = %#v, %v; want int64 1500", mtu, err)
			}
			void, err := c.Call(ctx, "network.set_MTU", Ref("OpaqueRef:n"), 9000)
			if err != nil || void != nil {
				t.Errorf("network.set_MTU = %#v, %v; want nil, nil", void, err)
			}
			if proto == ProtocolAuto && c.Protocol() != ProtocolJSONRPC {
				t.Errorf("auto settled on %q against a host that serves JSON-RPC", c.Protocol())
			}
		})
	}
}

func TestAutoFallsBackToXMLRPC(t *testing.T) {
	f := newFake(t)
	f.noJSON = true
	c := f.client(t)
	ctx := context.Background()
	if _, err := GetAllRecords[Network](ctx, c); err != nil {
		t.Fatal(err)
	}
	if c.Protocol() != ProtocolXMLRPC {
		t.Fatalf("Protocol() = %q after /jsonrpc answered HTML, want xmlrpc", c.Protocol())
	}
	probes := f.requestCount("/jsonrpc")
	for range 3 {
		if _, err := GetAllRecords[PIF](ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.requestCount("/jsonrpc"); got != probes {
		t.Errorf("/jsonrpc was asked %d more times after the fallback; the choice must be remembered", got-probes)
	}
	if f.requestCount("/") < 4 {
		t.Errorf("only %d XML-RPC requests", f.requestCount("/"))
	}
}

func TestJSONRPCOnlyDoesNotFallBack(t *testing.T) {
	f := newFake(t)
	f.noJSON = true
	c := f.client(t, func(cfg *Config) { cfg.Protocol = ProtocolJSONRPC })
	err := c.Login(context.Background())
	if err == nil || !strings.Contains(err.Error(), "not a JSON-RPC reply") {
		t.Fatalf("Login = %v, want the host's non-JSON reply reported", err)
	}
	if f.requestCount("/") != 0 {
		t.Error("a jsonrpc client sent XML-RPC")
	}
}

func TestXenAPIErrorsAreTyped(t *testing.T) {
	for _, proto := range protocols[:2] {
		f := newFake(t)
		f.handle = func(c wire.Call) (wire.Result, bool) {
			if c.Method == "network.get_record" {
				return fail(ErrHandleInvalid, "network", "OpaqueRef:gone"), true
			}
			return wire.Result{}, false
		}
		c := f.client(t, func(cfg *Config) { cfg.Protocol = proto })
		_, err := GetRecord[Network](context.Background(), c, "OpaqueRef:gone")
		var xerr *Error
		if !errors.As(err, &xerr) || xerr.Code != ErrHandleInvalid || !reflect.DeepEqual(xerr.Params, []string{"network", "OpaqueRef:gone"}) {
			t.Fatalf("%s: err = %#v, want HANDLE_INVALID [network, OpaqueRef:gone]", proto, err)
		}
		if !IsGone(err) {
			t.Errorf("%s: IsGone(HANDLE_INVALID) is false", proto)
		}
		_, err = c.Call(context.Background(), "network.no_such_message")
		if !IsCode(err, ErrMessageMethodUnknown) {
			t.Errorf("%s: unknown method gave %v", proto, err)
		}
	}
}

func TestCallSendsGoTypesAsWireValues(t *testing.T) {
	f := newFake(t)
	c := f.client(t, func(cfg *Config) { cfg.Protocol = ProtocolJSONRPC })
	_, err := c.Call(context.Background(), "Bond.create", Ref("OpaqueRef:n"), []Ref{"OpaqueRef:a", "OpaqueRef:b"},
		"", BondModeActiveBackup, map[string]string(nil))
	if err != nil {
		t.Fatal(err)
	}
	calls := f.recorded()
	got := calls[len(calls)-1].Params[1:]
	want := []any{"OpaqueRef:n", []any{"OpaqueRef:a", "OpaqueRef:b"}, "", "active-backup", map[string]any{}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sent %#v, want %#v", got, want)
	}
	if _, err := c.Call(context.Background(), "network.set_MTU", Ref("OpaqueRef:n"), make(chan int)); err == nil {
		t.Error("a channel parameter was sent")
	}
}

func TestSessionIsSharedByConcurrentCallers(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			for range 5 {
				if _, err := GetAllRecords[Network](ctx, c); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.loginCount(); n != 1 {
		t.Errorf("%d logins for 10 concurrent callers, want 1", n)
	}
}

func TestExpiredSessionIsReplacedOnceForAllCallers(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	ctx := context.Background()
	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	f.expireSessions()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			if _, err := GetAllRecords[PIF](ctx, c); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a call failed across the session expiry: %v", err)
	}
	if n := f.loginCount(); n != 2 {
		t.Errorf("%d logins, want 2: the first and one re-login shared by all ten callers", n)
	}
}

func TestSessionInvalidTwiceIsReturned(t *testing.T) {
	f := newFake(t)
	var secret string
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "network.get_all_records" {
			secret = c.Params[0].(string)
			return fail(ErrSessionInvalid, secret), true
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	_, err := GetAllRecords[Network](context.Background(), c)
	if !IsCode(err, ErrSessionInvalid) {
		t.Fatalf("err = %v, want SESSION_INVALID after one re-login", err)
	}
	if n := f.loginCount(); n != 2 {
		t.Errorf("%d logins, want 2: a session refused on first use ends the call after one re-login", n)
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("the error shows the session reference: %v", err)
	}
}

// TestSessionExpiringAgainAfterServing: a session that served other callers
// and then expired is a new expiry, not a host refusing sessions, so the
// call logs in again.
func TestSessionExpiringAgainAfterServing(t *testing.T) {
	f := newFake(t)
	var c *Client
	n := 0
	f.handle = func(call wire.Call) (wire.Result, bool) {
		if call.Method != "network.get_all_records" {
			return wire.Result{}, false
		}
		n++
		switch n {
		case 1:
			f.expireSessions()
			return fail(ErrSessionInvalid, call.Params[0].(string)), true
		case 2:
			// Another caller gets its answer with the new session, which
			// then expires before this call is served.
			if _, err := c.Call(context.Background(), "pool.get_all"); err != nil {
				t.Errorf("the other caller: %v", err)
			}
			f.expireSessions()
			return fail(ErrSessionInvalid, call.Params[0].(string)), true
		}
		return wire.Result{}, false
	}
	c = f.client(t)
	if _, err := GetAllRecords[Network](context.Background(), c); err != nil {
		t.Fatalf("a call across two expiries: %v", err)
	}
	if got := f.loginCount(); got != 3 {
		t.Errorf("%d logins, want 3", got)
	}
}

func TestLoginFailures(t *testing.T) {
	f := newFake(t)
	c := f.client(t, func(cfg *Config) { cfg.Password = "wrong-" + fakePassword })
	err := c.Login(context.Background())
	if !IsCode(err, ErrSessionAuthenticationFailed) {
		t.Fatalf("Login with a wrong password = %v, want SESSION_AUTHENTICATION_FAILED", err)
	}

	// A host that echoes what it was sent must not get the password into
	// the error.
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "session.login_with_password" {
			return fail(ErrInternalError, fmt.Sprintf("bad login %v", c.Params)), true
		}
		return wire.Result{}, false
	}
	c = f.client(t)
	err = c.Login(context.Background())
	if err == nil || strings.Contains(err.Error(), fakePassword) {
		t.Fatalf("Login = %v; want an error without the password", err)
	}
}

// TestLoginOnOldHosts stands in for a host that predates the version and
// originator parameters of login_with_password.
func TestLoginOnOldHosts(t *testing.T) {
	f := newFake(t)
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "session.login_with_password" && len(c.Params) != 2 {
			return fail(ErrMessageParameterCount, c.Method, "2", fmt.Sprint(len(c.Params))), true
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	if err := c.Login(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := f.recorded()
	if len(calls) != 2 || len(calls[0].Params) != 4 || calls[0].Params[3] != Originator {
		t.Errorf("calls %v: want a login with originator %q first, then one with two parameters", f.methods(), Originator)
	}
}

func TestLogout(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	ctx := context.Background()
	if err := c.Logout(ctx); err != nil {
		t.Fatalf("Logout without a session: %v", err)
	}
	if len(f.recorded()) != 0 {
		t.Errorf("Logout without a session called %v", f.methods())
	}
	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if m := f.methods(); m[len(m)-1] != "session.logout" {
		t.Errorf("calls %v, want session.logout last", m)
	}
	f.mu.Lock()
	open := len(f.sessions)
	f.mu.Unlock()
	if open != 0 {
		t.Errorf("%d sessions open after Logout", open)
	}
	// The next call logs in again.
	if _, err := GetAllRecords[Pool](ctx, c); err != nil {
		t.Fatal(err)
	}
	if f.loginCount() != 2 {
		t.Errorf("%d logins, want 2", f.loginCount())
	}
}

// slaveOf serves HOST_IS_SLAVE naming master's address, as a pool member
// does to every login and call.
func slaveOf(t *testing.T, master string) *fakeXAPI {
	f := newFake(t)
	f.handle = func(wire.Call) (wire.Result, bool) { return fail(ErrHostIsSlave, master), true }
	return f
}

func TestHostIsSlaveMovesToTheMaster(t *testing.T) {
	for _, proto := range protocols {
		t.Run(string(proto), func(t *testing.T) {
			master := newFake(t)
			masterURL, _ := url.Parse(master.srv.URL)
			member := slaveOf(t, masterURL.Host)
			c := member.client(t, func(cfg *Config) { cfg.Protocol = proto })
			pools, err := GetAllRecords[Pool](context.Background(), c)
			if err != nil {
				t.Fatal(err)
			}
			if len(pools) != 1 {
				t.Errorf("%d pools", len(pools))
			}
			if c.URL() != master.srv.URL {
				t.Errorf("URL() = %s, want the master's %s", c.URL(), master.srv.URL)
			}
			if master.loginCount() != 1 {
				t.Errorf("%d logins at the master, want 1", master.loginCount())
			}
			if m := member.methods(); len(m) != 1 || m[0] != "session.login_with_password" {
				t.Errorf("the member saw %v, want only the refused login", m)
			}
		})
	}
}

func TestHostIsSlaveLoopIsBounded(t *testing.T) {
	a, b := newFake(t), newFake(t)
	aURL, _ := url.Parse(a.srv.URL)
	bURL, _ := url.Parse(b.srv.URL)
	a.handle = func(wire.Call) (wire.Result, bool) { return fail(ErrHostIsSlave, bURL.Host), true }
	b.handle = func(wire.Call) (wire.Result, bool) { return fail(ErrHostIsSlave, aURL.Host), true }
	c := a.client(t)
	err := c.Login(context.Background())
	if !IsCode(err, ErrHostIsSlave) {
		t.Fatalf("Login between two hosts naming each other = %v, want HOST_IS_SLAVE", err)
	}
	if n := len(a.recorded()) + len(b.recorded()); n != maxRedirects+1 {
		t.Errorf("%d logins tried, want %d", n, maxRedirects+1)
	}
}

func TestMasterURL(t *testing.T) {
	tests := []struct{ old, master, want string }{
		{"https://10.0.0.2", "10.0.0.1", "https://10.0.0.1"},
		{"https://10.0.0.2:8443", "10.0.0.1", "https://10.0.0.1:8443"},
		{"http://127.0.0.1:41000", "127.0.0.1:41234", "http://127.0.0.1:41234"},
		{"https://xen2.example.com", "xen1.example.com", "https://xen1.example.com"},
		{"https://[fe80::2]", "fe80::1", "https://[fe80::1]"},
		{"https://[fe80::2]:443", "[fe80::1]:8443", "https://[fe80::1]:8443"},
		{"https://[fe80::2]:443", "fe80::1", "https://[fe80::1]:443"},
	}
	for _, tt := range tests {
		old, _ := url.Parse(tt.old)
		got, err := masterURL(old, tt.master)
		if err != nil || got.String() != tt.want {
			t.Errorf("masterURL(%s, %q) = %v, %v; want %s", tt.old, tt.master, got, err, tt.want)
		}
	}
	old, _ := url.Parse("https://xen2")
	for _, bad := range []string{"", "evil.com/path", "user@host"} {
		if _, err := masterURL(old, bad); err == nil {
			t.Errorf("masterURL accepted %q", bad)
		}
	}
}

func TestEveryRequestHasATimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	c, err := NewClient(Config{URL: slow.URL, Username: "root", Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = c.Login(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no reply within 100ms") {
		t.Errorf("Login to a silent host = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the timeout took %s", d)
	}

	// The caller's deadline counts too, and shows as such.
	c, _ = NewClient(Config{URL: slow.URL, Username: "root"})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = c.Login(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Login past the caller's deadline = %v, want context.DeadlineExceeded", err)
	}
}

func TestHTTPFailuresAreReported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/jsonrpc" {
			w.Header().Set("Content-Type", "application/json")
			http.Error(w, `{"oops": "echoing `+fakePassword+`"}`, http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "https://elsewhere/", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	c, _ := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword, Protocol: ProtocolJSONRPC})
	err := c.Login(context.Background())
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") || strings.Contains(err.Error(), fakePassword) {
		t.Errorf("JSON-RPC HTTP 500 = %v, want the status and no body", err)
	}
	c, _ = NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword, Protocol: ProtocolXMLRPC})
	err = c.Login(context.Background())
	if err == nil || !strings.Contains(err.Error(), `redirect to "https://elsewhere/"`) {
		t.Errorf("redirect = %v, want it reported, not followed", err)
	}
}

func TestLoggerGetsOneLinePerRequestAndNoSecrets(t *testing.T) {
	f := newFake(t)
	var mu sync.Mutex
	var lines []map[string]any
	c := f.client(t, func(cfg *Config) {
		cfg.Logger = func(_ context.Context, msg string, fields map[string]any) {
			mu.Lock()
			defer mu.Unlock()
			lines = append(lines, fields)
		}
	})
	ctx := context.Background()
	if _, err := GetAllRecords[Network](ctx, c); err != nil {
		t.Fatal(err)
	}
	_, _ = c.Call(ctx, "network.no_such_message")
	f.expireSessions()
	if err := c.PoolJoin(ctx, "10.0.0.1", "root", "master-secret"); err != nil {
		t.Fatal(err)
	}

	if len(lines) != len(f.recorded()) {
		t.Errorf("%d log lines for %d requests", len(lines), len(f.recorded()))
	}
	var sessions []string
	for _, c := range f.recorded() {
		if s, ok := c.Params[0].(string); ok && strings.HasPrefix(s, "OpaqueRef:0000") {
			sessions = append(sessions, s)
		}
	}
	codes := map[string]bool{}
	for _, l := range lines {
		text := fmt.Sprint(l)
		for _, secret := range append(sessions, fakePassword, "master-secret") {
			if strings.Contains(text, secret) {
				t.Errorf("log line %v shows %q", l, secret)
			}
		}
		if l["method"] == nil || l["duration_ms"] == nil || l["protocol"] == nil {
			t.Errorf("log line %v lacks method, duration_ms or protocol", l)
		}
		if code, ok := l["error_code"].(string); ok {
			codes[code] = true
		}
	}
	if !codes[ErrMessageMethodUnknown] || !codes[ErrSessionInvalid] {
		t.Errorf("error codes logged: %v, want MESSAGE_METHOD_UNKNOWN and SESSION_INVALID", codes)
	}
}

func TestWireValue(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mtu := int64(9000)
	tests := []struct {
		in   any
		want any
	}{
		{Ref("OpaqueRef:x"), "OpaqueRef:x"},
		{IPConfigurationDHCP, "DHCP"},
		{7, int64(7)},
		{&mtu, int64(9000)},
		{nil, ""},
		{when, when},
		{[]string{"a"}, []any{"a"}},
		{map[string]Ref{"k": "OpaqueRef:v"}, map[string]any{"k": "OpaqueRef:v"}},
		{VLAN{UUID: "u", Tag: 5, TaggedPIF: "OpaqueRef:p"}, map[string]any{
			"uuid": "u", "tag": int64(5), "tagged_PIF": "OpaqueRef:p", "untagged_PIF": "OpaqueRef:NULL", "other_config": map[string]any{}}},
	}
	for _, tt := range tests {
		got, err := wireValue(reflect.ValueOf(tt.in), 0)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("wireValue(%#v) = %#v, %v; want %#v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []any{struct{ X int }{1}, map[int]string{1: "a"}, func() {}} {
		if _, err := wireValue(reflect.ValueOf(bad), 0); err == nil {
			t.Errorf("wireValue(%T) was accepted", bad)
		}
	}
}

// TestLoginSurvivesTheFirstCallerGivingUp: callers wait for one login; if
// the caller that started it gives up, the others log in themselves.
func TestLoginSurvivesTheFirstCallerGivingUp(t *testing.T) {
	f := newFake(t)
	f.handle = func(c wire.Call) (wire.Result, bool) {
		if c.Method == "session.login_with_password" {
			time.Sleep(150 * time.Millisecond)
		}
		return wire.Result{}, false
	}
	c := f.client(t)
	impatient, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	first := make(chan error, 1)
	go func() { first <- c.Login(impatient) }()
	time.Sleep(10 * time.Millisecond)
	if _, err := GetAllRecords[Network](context.Background(), c); err != nil {
		t.Errorf("a patient caller failed because another gave up: %v", err)
	}
	if err := <-first; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the impatient caller got %v, want DeadlineExceeded", err)
	}
}

// TestSessionRefusedWhileItsFirstCallIsInFlight: ten callers share each new
// session, and when the host counts a session's calls the one it refuses
// can come back before the others' answers. That caller must wait for them
// before judging the session unused, or it takes an expiry for a host that
// refuses sessions and hands SESSION_INVALID to its caller.
func TestSessionRefusedWhileItsFirstCallIsInFlight(t *testing.T) {
	f := newFake(t)
	c := f.client(t)
	ctx := context.Background()
	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	first := c.session.ref
	bWaiting, aInFlight, bRefused, releaseA := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	var aSession string
	f.handle = func(call wire.Call) (wire.Result, bool) {
		session := call.Params[0].(string)
		switch {
		case call.Method == "pool.get_all" && session == string(first): // A
			return fail(ErrSessionInvalid, session), true
		case call.Method == "pool.get_all":
			aSession = session
			close(aInFlight)
			<-releaseA
		case call.Method == "network.get_all" && session == string(first): // B
			close(bWaiting)
			<-aInFlight
			return fail(ErrSessionInvalid, session), true
		case call.Method == "network.get_all" && session == aSession:
			// The session A is being served with runs out with B's call.
			close(bRefused)
			return fail(ErrSessionInvalid, session), true
		}
		return wire.Result{}, false
	}
	errA, errB := make(chan error, 1), make(chan error, 1)
	go func() { _, err := c.Call(ctx, "network.get_all"); errB <- err }()
	<-bWaiting
	go func() { _, err := c.Call(ctx, "pool.get_all"); errA <- err }()
	<-bRefused
	// B is given time to go wrong on its own before A's answer comes.
	var gotB error
	select {
	case gotB = <-errB:
		close(releaseA)
	case <-time.After(50 * time.Millisecond):
		close(releaseA)
		gotB = <-errB
	}
	if gotB != nil {
		t.Errorf("B, refused on a session another call was being served with: %v", gotB)
	}
	if err := <-errA; err != nil {
		t.Errorf("A: %v", err)
	}
	if n := f.loginCount(); n != 3 {
		t.Errorf("%d logins, want 3: the first, A's renewal, and B's after its second refusal", n)
	}
}

// TestHostRefusingSessionsCostsOneReloginForAllCallers: against a host that
// accepts logins and then refuses every call made with the new session, ten
// callers at once share one re-login and then give up together: no login
// per caller, no loop. A call made afterwards tries one new session, in
// case the host has recovered.
func TestHostRefusingSessionsCostsOneReloginForAllCallers(t *testing.T) {
	f := newFake(t)
	var mu sync.Mutex
	var first string
	arrived, allArrived := 0, make(chan struct{})
	f.handle = func(call wire.Call) (wire.Result, bool) {
		if call.Method != "PIF.get_all_records" {
			return wire.Result{}, false
		}
		session := call.Params[0].(string)
		mu.Lock()
		if first == "" {
			first = session
		}
		if session == first {
			// Every caller is under way with the first session before the
			// host refuses any of them.
			if arrived++; arrived == 10 {
				close(allArrived)
			}
			mu.Unlock()
			<-allArrived
		} else {
			mu.Unlock()
		}
		return fail(ErrSessionInvalid, session), true
	}
	c := f.client(t)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() {
			_, err := GetAllRecords[PIF](context.Background(), c)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !IsCode(err, ErrSessionInvalid) {
			t.Errorf("a caller got %v, want SESSION_INVALID", err)
		}
	}
	if n := f.loginCount(); n != 2 {
		t.Errorf("%d logins, want 2: the first and one re-login shared by all ten callers", n)
	}
	if _, err := GetAllRecords[PIF](context.Background(), c); !IsCode(err, ErrSessionInvalid) {
		t.Errorf("a later call got %v, want SESSION_INVALID", err)
	}
	if n := f.loginCount(); n != 3 {
		t.Errorf("%d logins after a later call, want 3: one more, on trial", n)
	}
}
