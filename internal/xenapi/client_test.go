package xenapi

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewClientNamesTheBadSetting(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		setting string
		want    string
	}{
		{"no url", Config{Username: "root"}, "url", "url: must be set"},
		{"ftp", Config{URL: "ftp://xen1", Username: "root"}, "url", "url: scheme must be https or http"},
		{"path", Config{URL: "https://xen1/api", Username: "root"}, "url", "url: want https://host[:port] without a path"},
		{"bad port", Config{URL: "https://xen1:port", Username: "root"}, "url", "url: not a valid URL"},
		{"credentials in url", Config{URL: "https://root:hunter2@xen1", Username: "root"}, "url", "url: must not carry credentials"},
		{"no username", Config{URL: "xen1"}, "username", "username: must be set"},
		{"protocol", Config{URL: "xen1", Username: "root", Protocol: "soap"}, "protocol", `protocol: want "auto", "jsonrpc" or "xmlrpc", got "soap"`},
		{"timeout", Config{URL: "xen1", Username: "root", Timeout: -time.Second}, "timeout", "timeout: must not be negative"},
		{"task grace", Config{URL: "xen1", Username: "root", TaskGrace: -time.Second}, "task_grace", "task_grace: must not be negative"},
		{"short fingerprint", Config{URL: "xen1", Username: "root", TLSFingerprint: "AB:CD"}, "tls_fingerprint", "tls_fingerprint: want the certificate's SHA-256 as 64 hex digits"},
		{"not hex", Config{URL: "xen1", Username: "root", TLSFingerprint: strings.Repeat("zz", 32)}, "tls_fingerprint", "tls_fingerprint: want"},
		{"no PEM", Config{URL: "xen1", Username: "root", CACertificate: "not a certificate"}, "ca_certificate", "ca_certificate: holds no PEM certificate"},
		{"two trust settings", Config{URL: "xen1", Username: "root", Insecure: true, TLSFingerprint: strings.Repeat("ab", 32)}, "tls_fingerprint", "tls_fingerprint, insecure: set only one of them"},
		{"pin over http", Config{URL: "http://xen1", Username: "root", TLSFingerprint: strings.Repeat("ab", 32)}, "tls_fingerprint", "tls_fingerprint: the url is http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Password = "hunter2"
			_, err := NewClient(tt.cfg)
			if err == nil || !strings.HasPrefix(err.Error(), "xenapi: "+tt.want) {
				t.Fatalf("NewClient = %v, want an error starting %q", err, "xenapi: "+tt.want)
			}
			var cerr *ConfigError
			if !errors.As(err, &cerr) || cerr.Setting != tt.setting {
				t.Errorf("NewClient = %#v, want a *ConfigError for %s", err, tt.setting)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

// TestConfigErrorNamesConflictingSettings: when several trust settings are
// given, the error names the first as Setting and the others as
// Conflicting, so that each can be pointed at.
func TestConfigErrorNamesConflictingSettings(t *testing.T) {
	_, err := NewClient(Config{URL: "xen1", Username: "root", CACertificate: "x", TLSFingerprint: strings.Repeat("ab", 32), Insecure: true})
	var cerr *ConfigError
	if !errors.As(err, &cerr) {
		t.Fatalf("NewClient = %v, want a *ConfigError", err)
	}
	if cerr.Setting != "ca_certificate" || !slices.Equal(cerr.Conflicting, []string{"tls_fingerprint", "insecure"}) || cerr.Reason != "set only one of them" {
		t.Errorf("ConfigError = %+v", cerr)
	}
}

// TestCertificateFingerprint: the SHA-256 of the certificate's DER, as
// openssl x509 -fingerprint -sha256 prints it.
func TestCertificateFingerprint(t *testing.T) {
	// sha256("xsnet"), worked out apart from the code under test.
	const want = "E3:DC:29:3B:55:7D:5E:9F:28:57:81:5E:E0:21:37:DB:89:EC:CD:84:5C:18:39:3B:17:10:D0:CC:C9:C3:AA:49"
	if got := CertificateFingerprint(&x509.Certificate{Raw: []byte("xsnet")}); got != want {
		t.Errorf("CertificateFingerprint = %s, want %s", got, want)
	}
	_, srv := tlsFake(t)
	if _, err := parseFingerprint(CertificateFingerprint(srv.Certificate())); err != nil {
		t.Errorf("tls_fingerprint does not take what CertificateFingerprint prints: %v", err)
	}
}

func TestNewClientReadsURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"xen1.example.com", "https://xen1.example.com"},
		{"10.0.0.1:8443", "https://10.0.0.1:8443"},
		{"fe80::1", "https://[fe80::1]"},
		{"[fe80::1]:443", "https://[fe80::1]:443"},
		{"http://127.0.0.1:41234/", "http://127.0.0.1:41234"},
		{" https://xen1 ", "https://xen1"},
	}
	for _, tt := range tests {
		c, err := NewClient(Config{URL: tt.in, Username: "root"})
		if err != nil {
			t.Errorf("NewClient(%q): %v", tt.in, err)
			continue
		}
		if got := c.URL(); got != tt.want {
			t.Errorf("URL %q became %q, want %q", tt.in, got, tt.want)
		}
		if c.Protocol() != ProtocolAuto {
			t.Errorf("protocol defaults to %q, want auto", c.Protocol())
		}
	}
}

func TestConfigPrintsWithoutPassword(t *testing.T) {
	cfg := Config{URL: "xen1", Username: "root", Password: "hunter2"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, cfg); strings.Contains(s, "hunter2") || !strings.Contains(s, "root") {
			t.Errorf("Sprintf(%s, cfg) = %s", verb, s)
		}
	}
}

// quietLog swallows the handshake failures the TLS tests cause on purpose.
var quietLog = log.New(io.Discard, "", 0)

// tlsFake serves the fake xapi over TLS with httptest's certificate, which
// names 127.0.0.1 and is signed by no known authority.
func tlsFake(t *testing.T) (*fakeXAPI, *httptest.Server) {
	return tlsFakeWith(t, nil)
}

// tlsFakeWith serves the fake xapi over TLS with the server configuration
// tc; nil is httptest's own.
func tlsFakeWith(t testing.TB, tc *tls.Config) (*fakeXAPI, *httptest.Server) {
	f := newFake(t)
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ErrorLog = quietLog
	srv.TLS = tc
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return f, srv
}

func TestTLSIsVerifiedByDefault(t *testing.T) {
	_, srv := tlsFake(t)
	c, err := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Login(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Login to a host with an unknown certificate = %v, want a certificate error", err)
	}
}

func TestTLSTrustsTheCABundle(t *testing.T) {
	_, srv := tlsFake(t)
	bundle := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	c, err := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword, CACertificate: string(bundle)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(context.Background()); err != nil {
		t.Fatalf("Login with the server's certificate as CA: %v", err)
	}
}

func TestTLSPinnedFingerprint(t *testing.T) {
	_, srv := tlsFake(t)
	fp := CertificateFingerprint(srv.Certificate())
	forms := map[string]string{
		"as printed":   fp,
		"lower case":   strings.ToLower(fp),
		"no colons":    strings.ReplaceAll(fp, ":", ""),
		"spaces round": "  " + fp + "\n",
	}
	for name, pin := range forms {
		c, err := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword, TLSFingerprint: pin})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.Login(context.Background()); err != nil {
			t.Errorf("%s: Login with the right fingerprint: %v", name, err)
		}
	}

	// Any other certificate is refused, and the error shows the one
	// presented, so that a user can check it against the host's console.
	wrong := strings.Repeat("AB", 32)
	c, err := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword, TLSFingerprint: wrong})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Login(context.Background())
	if err == nil || !strings.Contains(err.Error(), fp) {
		t.Fatalf("Login with a wrong fingerprint = %v, want a refusal naming %s", err, fp)
	}
}

// resumingFake serves the fake xapi over TLS and records, for every
// handshake, whether it resumed an earlier session.
func resumingFake(t testing.TB) (*httptest.Server, func() []bool) {
	var mu sync.Mutex
	var resumed []bool
	_, srv := tlsFakeWith(t, &tls.Config{VerifyConnection: func(cs tls.ConnectionState) error {
		mu.Lock()
		defer mu.Unlock()
		resumed = append(resumed, cs.DidResume)
		return nil
	}})
	return srv, func() []bool {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(resumed)
	}
}

// pinnedLogin logs in to srv with its certificate's fingerprint pinned.
func pinnedLogin(t testing.TB, srv *httptest.Server) (*Client, context.Context) {
	t.Helper()
	c, err := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword,
		TLSFingerprint: CertificateFingerprint(srv.Certificate())})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Login(ctx); err != nil {
		t.Fatal(err)
	}
	return c, ctx
}

// A call that changes the pool goes out on a connection of its own, and
// over TLS each would be a full handshake, the host signing with its key
// every time: a thousand VLANs destroyed on sixteen hosts make some fifty
// thousand calls. The client resumes its TLS session on each new
// connection instead. Go checks a pinned fingerprint (VerifyConnection) on
// resumed connections too.
func TestTLSResumesItsSessionOnNewConnections(t *testing.T) {
	srv, handshakes := resumingFake(t)
	c, ctx := pinnedLogin(t, srv)
	for range 3 {
		if _, err := c.Call(ctx, "network.destroy", "OpaqueRef:1"); err != nil {
			t.Fatal(err)
		}
	}
	got := handshakes()
	if len(got) < 4 {
		t.Fatalf("%d handshakes for a login and three writes, want at least 4", len(got))
	}
	if got[0] || slices.Contains(got[1:], false) {
		t.Errorf("resumed by handshake: %v; want a full first handshake and every later one resumed", got)
	}
}

// What a call that changes the pool costs the client over TLS, on a
// connection of its own each time.
func BenchmarkWriteCallOverTLS(b *testing.B) {
	srv, _ := resumingFake(b)
	c, ctx := pinnedLogin(b, srv)
	for b.Loop() {
		if _, err := c.Call(ctx, "network.destroy", "OpaqueRef:1"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestTLSInsecure(t *testing.T) {
	_, srv := tlsFake(t)
	c, err := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(context.Background()); err != nil {
		t.Fatalf("Login with insecure: %v", err)
	}
}

// TestLegacyTLS stands in for XenServer 6.x, which speaks TLS 1.0 with RSA
// key exchange only.
func TestLegacyTLS(t *testing.T) {
	f := newFake(t)
	srv := httptest.NewUnstartedServer(f)
	srv.Config.ErrorLog = quietLog
	srv.TLS = &tls.Config{
		MinVersion:   tls.VersionTLS10,
		MaxVersion:   tls.VersionTLS10,
		CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA},
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	pin := CertificateFingerprint(srv.Certificate())

	modern, err := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword, TLSFingerprint: pin})
	if err != nil {
		t.Fatal(err)
	}
	if err := modern.Login(context.Background()); err == nil {
		t.Error("a TLS 1.0 host was accepted without AllowLegacyTLS")
	}
	legacy, err := NewClient(Config{URL: srv.URL, Username: fakeUser, Password: fakePassword, TLSFingerprint: pin, AllowLegacyTLS: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := legacy.Login(context.Background()); err != nil {
		t.Fatalf("Login over TLS 1.0 with AllowLegacyTLS: %v", err)
	}
}
