package xenapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Protocol is the wire protocol a Client speaks to xapi.
type Protocol string

// Protocols. ProtocolAuto tries JSON-RPC and falls back to XML-RPC on hosts
// that do not serve it, such as XenServer 6.x.
const (
	ProtocolAuto    Protocol = "auto"
	ProtocolJSONRPC Protocol = "jsonrpc"
	ProtocolXMLRPC  Protocol = "xmlrpc"
)

// DefaultTimeout bounds each HTTP request when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// DefaultTaskGrace is how long Async goes on waiting for a task after the
// caller's context ended, when Config.TaskGrace is zero.
const DefaultTaskGrace = 2 * time.Minute

// Config says how to reach and authenticate to a pool.
type Config struct {
	// URL is https://host, http://host:port, or a bare host (meaning https).
	// Any pool member will do: calls follow HOST_IS_SLAVE to the master.
	URL string
	// Username and Password are those of session.login_with_password.
	Username, Password string
	// Protocol is ProtocolAuto when empty.
	Protocol Protocol
	// CACertificate is a PEM bundle of the authorities to trust instead of
	// the system's.
	CACertificate string
	// TLSFingerprint is the SHA-256 of the host's leaf certificate in hex,
	// colons optional, any case. When set, the certificate is checked
	// against it and nothing else, as XenServer hosts ship self-signed
	// certificates.
	TLSFingerprint string
	// Insecure turns certificate verification off.
	Insecure bool
	// AllowLegacyTLS accepts TLS 1.0 and 1.1 and RSA key exchange, which is
	// all XenServer 6.x speaks. Off, the client insists on TLS 1.2 or later.
	AllowLegacyTLS bool
	// Timeout bounds each HTTP request; DefaultTimeout when zero.
	// event.from requests get their own timeout on top.
	Timeout time.Duration
	// TaskGrace is how long Async goes on waiting for a task after the
	// caller's context ended, so as to report what the task did rather
	// than leave it unknown; DefaultTaskGrace when zero.
	TaskGrace time.Duration
	// Logger, when set, receives one line per request: method, protocol,
	// host, duration and error code. Never a parameter, never a password;
	// session references are masked.
	Logger func(ctx context.Context, msg string, fields map[string]any)
}

// String describes the configuration with the password masked, so that
// printing a Config cannot leak it.
func (c Config) String() string {
	pw := ""
	if c.Password != "" {
		pw = "(set)"
	}
	return fmt.Sprintf("xenapi.Config{URL: %q, Username: %q, Password: %s, Protocol: %q, CACertificate: %t, TLSFingerprint: %q, Insecure: %t, AllowLegacyTLS: %t, Timeout: %s, TaskGrace: %s}",
		c.URL, c.Username, pw, c.Protocol, c.CACertificate != "", c.TLSFingerprint, c.Insecure, c.AllowLegacyTLS, c.Timeout, c.TaskGrace)
}

// GoString is String, so that %#v masks the password too.
func (c Config) GoString() string { return c.String() }

// Client is a connection to one pool, safe for concurrent use.
type Client struct {
	username, password string
	timeout            time.Duration
	taskGrace          time.Duration
	logger             func(context.Context, string, map[string]any)
	// http sends idempotent requests over pooled connections; fresh sends
	// every other request over a connection of its own.
	http, fresh *http.Client
	ids         atomic.Int64
	// configured is the URL the client was configured with.
	configured *url.URL

	// pollMin and pollMax bound the wait between task polls.
	pollMin, pollMax time.Duration
	// retryPause is the pause before the second try of a call whose
	// connection failed; it doubles before each further one.
	retryPause time.Duration
	// gate keeps changes apart from the calls that rebuild a host's
	// management interface (see Rebuilding).
	gate rebuildGate

	mu sync.Mutex
	// base is the master's URL, scheme and host only; it changes when a
	// member answers HOST_IS_SLAVE, and goes back to configured (or on to
	// moved) when the master stops answering.
	base *url.URL
	// moved is where FollowMaster said the master's management interface
	// went; nil when nothing said so.
	moved *url.URL
	// protocol is the configured one, or the one auto-detection chose.
	protocol Protocol
	// session is the one session all calls share; nil before the first
	// login and after Logout.
	session *session
	// sessionNews is closed, and replaced, whenever a reply tells
	// something of a session.
	sessionNews chan struct{}
	// flight is the login in progress that concurrent callers wait for.
	flight *loginFlight
	// refusing says that the last session on trial never served: the host
	// refuses new sessions, until one serves a call.
	refusing bool
}

// NewClient checks cfg and builds a Client. It does not touch the network;
// the first call (or Login) logs in. An unusable setting gives a
// *ConfigError naming it.
func NewClient(cfg Config) (*Client, error) {
	base, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Username == "" {
		return nil, configError("username", "must be set")
	}
	proto := cfg.Protocol
	switch proto {
	case "":
		proto = ProtocolAuto
	case ProtocolAuto, ProtocolJSONRPC, ProtocolXMLRPC:
	default:
		return nil, configError("protocol", fmt.Sprintf("want %q, %q or %q, got %q", ProtocolAuto, ProtocolJSONRPC, ProtocolXMLRPC, cfg.Protocol))
	}
	if cfg.Timeout < 0 {
		return nil, configError("timeout", fmt.Sprintf("must not be negative, got %s", cfg.Timeout))
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if cfg.TaskGrace < 0 {
		return nil, configError("task_grace", fmt.Sprintf("must not be negative, got %s", cfg.TaskGrace))
	}
	grace := cfg.TaskGrace
	if grace == 0 {
		grace = DefaultTaskGrace
	}
	tlsConfig, err := newTLSConfig(cfg, base.Scheme)
	if err != nil {
		return nil, err
	}
	transport := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: 15 * time.Second,
		MaxIdleConns:        32,
		// Terraform runs ten operations at once; keep their connections.
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     90 * time.Second,
	}
	once := transport.Clone()
	once.DisableKeepAlives = true
	// xapi never redirects a call; a redirect means the URL is wrong (http
	// on a host that wants https), and following it would turn the POST
	// into a GET.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{
		username:    cfg.Username,
		password:    cfg.Password,
		timeout:     timeout,
		taskGrace:   grace,
		logger:      cfg.Logger,
		http:        &http.Client{Transport: transport, CheckRedirect: noRedirect},
		fresh:       &http.Client{Transport: once, CheckRedirect: noRedirect},
		configured:  base,
		pollMin:     50 * time.Millisecond,
		pollMax:     2 * time.Second,
		retryPause:  firstRetryPause,
		base:        base,
		protocol:    proto,
		sessionNews: make(chan struct{}),
	}, nil
}

// parseURL reads Config.URL: a bare host or host:port means https, and only
// a scheme and a host are allowed, as xapi serves its API at the root.
func parseURL(raw string) (*url.URL, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, configError("url", "must be set")
	}
	if !strings.Contains(s, "://") {
		if ip := net.ParseIP(s); ip != nil && strings.Contains(s, ":") {
			s = "[" + s + "]" // a bare IPv6 address
		}
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse's message quotes the whole URL, which may hold a
		// password; give only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, configError("url", "not a valid URL: "+err.Error())
	}
	if u.User != nil {
		return nil, configError("url", "must not carry credentials; set username and password instead")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, configError("url", fmt.Sprintf("scheme must be https or http, got %q", u.Scheme))
	}
	if u.Hostname() == "" {
		return nil, configError("url", "has no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, configError("url", fmt.Sprintf("want %s://host[:port] without a path or query, as xapi serves its API at the root", u.Scheme))
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// Protocol returns the protocol in use: the configured one, or after
// auto-detection the one the host serves. It is ProtocolAuto until the
// first request has settled it.
func (c *Client) Protocol() Protocol {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.protocol
}

// URL returns the address requests go to: the configured one, or the
// master's after a HOST_IS_SLAVE redirect (until that master stops
// answering).
func (c *Client) URL() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.String()
}

// FollowMaster tells the client that the pool master's management
// interface is moving to address (host.address's form: an IP or a name,
// with or without a port). The client stays where it is while that goes
// on answering, and once it stops, as the master's old address does when
// management leaves it, it goes to address instead of the URL it was
// configured with, which may be that very old address.
func (c *Client) FollowMaster(address string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	next, err := masterURL(c.base, address)
	if err != nil {
		return err
	}
	c.moved = next
	return nil
}

// CloseIdleConnections closes the connections kept for reuse.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

func (c *Client) log(ctx context.Context, msg string, fields map[string]any) {
	if c.logger != nil {
		c.logger(ctx, msg, fields)
	}
}

// maskRef shortens a reference to its last four characters, enough to tell
// sessions apart in a log and useless to anyone reading it.
func maskRef(r Ref) string {
	s := string(r)
	if r.IsNull() {
		return s
	}
	if len(s) <= 12 {
		return "…"
	}
	return "…" + s[len(s)-4:]
}
