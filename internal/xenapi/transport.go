package xenapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi/wire"
)

// maxReply bounds the reply body read into memory. get_all_records of a
// large pool runs to megabytes; nothing xsnet asks for comes near this.
const maxReply = 256 << 20

// replyBuffers keeps reply buffers for the next replies. During a large
// apply every event.from answers about a megabyte, every host's record
// whole with its list of PIFs: a new buffer for each was most of what the
// provider allocated, and so most of the garbage collector's work.
var replyBuffers sync.Pool // of *[]byte

// maxPooledReply is the largest buffer kept for reuse: the few replies
// larger than this (a first read of a large pool's PIFs) go to the
// garbage collector, rather than stay in the pool until two collections
// pass.
const maxPooledReply = 4 << 20

// replyBuffer returns an empty buffer with room for n bytes.
func replyBuffer(n int) []byte {
	if p, ok := replyBuffers.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]byte, 0, n)
}

// putReplyBuffer keeps b for a later reply; nothing may use it after.
func putReplyBuffer(b []byte) {
	if cap(b) <= maxPooledReply {
		replyBuffers.Put(&b)
	}
}

// newTLSConfig builds the TLS settings: the system's roots by default, a CA
// bundle, a pinned leaf fingerprint, or no verification at all. At most one
// of the three may be set, so that no setting silently overrides another.
func newTLSConfig(cfg Config, scheme string) (*tls.Config, error) {
	set := []string{}
	if cfg.CACertificate != "" {
		set = append(set, "ca_certificate")
	}
	if cfg.TLSFingerprint != "" {
		set = append(set, "tls_fingerprint")
	}
	if cfg.Insecure {
		set = append(set, "insecure")
	}
	if len(set) > 1 {
		return nil, &ConfigError{Setting: set[0], Conflicting: set[1:], Reason: "set only one of them"}
	}
	if scheme == "http" && (cfg.CACertificate != "" || cfg.TLSFingerprint != "") {
		return nil, configError(set[0], "the url is http, so no certificate would be checked; use https")
	}
	// Every call that changes the pool goes out on a connection of its
	// own (see post): resuming the session spares the host a full
	// handshake, and the signature with its key, for each of them.
	// VerifyConnection, which checks a pinned fingerprint, still runs on
	// a resumed connection.
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ClientSessionCache: tls.NewLRUClientSessionCache(0)}
	if cfg.AllowLegacyTLS {
		// XenServer 6.x offers TLS 1.0 with RSA key exchange only, which
		// Go no longer offers unless asked.
		tc.MinVersion = tls.VersionTLS10
		tc.CipherSuites = legacyCipherSuites()
	}
	switch {
	case cfg.CACertificate != "":
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(cfg.CACertificate)) {
			return nil, configError("ca_certificate", "holds no PEM certificate")
		}
		tc.RootCAs = pool
	case cfg.TLSFingerprint != "":
		want, err := parseFingerprint(cfg.TLSFingerprint)
		if err != nil {
			return nil, err
		}
		// The chain and the host name are not checked: the pin alone
		// decides, as XenServer's own certificates are self-signed and
		// name whatever the installer saw.
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("xenapi: the host presented no certificate")
			}
			got := sha256.Sum256(cs.PeerCertificates[0].Raw)
			if subtle.ConstantTimeCompare(got[:], want) != 1 {
				return fmt.Errorf("xenapi: the host's certificate has SHA-256 fingerprint %s, not the tls_fingerprint configured", CertificateFingerprint(cs.PeerCertificates[0]))
			}
			return nil
		}
	case cfg.Insecure:
		tc.InsecureSkipVerify = true
	}
	return tc, nil
}

func legacyCipherSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	return append(ids, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_256_CBC_SHA)
}

// parseFingerprint reads a SHA-256 fingerprint in hex, with or without
// colons (or spaces), in any case.
func parseFingerprint(s string) ([]byte, error) {
	clean := strings.NewReplacer(":", "", " ", "", "-", "").Replace(strings.TrimSpace(s))
	b, err := hex.DecodeString(clean)
	if err != nil || len(b) != sha256.Size {
		return nil, configError("tls_fingerprint", fmt.Sprintf("want the certificate's SHA-256 as 64 hex digits (colons optional), got %d characters", len(clean)))
	}
	return b, nil
}

// CertificateFingerprint returns a certificate's SHA-256 fingerprint the
// way tls_fingerprint takes it and openssl prints it: upper-case hex pairs
// joined by colons.
func CertificateFingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// errNotJSONRPC says /jsonrpc answered with something other than a JSON
// reply: the host predates JSON-RPC and speaks XML-RPC only.
type errNotJSONRPC struct {
	status      int
	contentType string
}

func (e *errNotJSONRPC) Error() string {
	return fmt.Sprintf("/jsonrpc answered HTTP %d with content type %q, not a JSON-RPC reply", e.status, e.contentType)
}

// send makes one HTTP request and decodes the reply. With ProtocolAuto it
// tries JSON-RPC first and, if the host does not serve it, XML-RPC; the
// protocol it settled on is returned so the caller can remember it. An
// idempotent request may go out on a pooled connection; any other gets a
// connection of its own (see post).
func (c *Client) send(ctx context.Context, base *url.URL, proto Protocol, method string, params []any, idempotent bool, each *resultEach) (wire.Result, Protocol, error) {
	switch proto {
	case ProtocolJSONRPC:
		r, err := c.postJSON(ctx, base, method, params, idempotent, each)
		return r, proto, err
	case ProtocolXMLRPC:
		r, err := c.postXML(ctx, base, method, params, idempotent, each)
		return r, proto, err
	}
	r, err := c.postJSON(ctx, base, method, params, idempotent, each)
	var nj *errNotJSONRPC
	if errors.As(err, &nj) {
		r, err := c.postXML(ctx, base, method, params, idempotent, each)
		if err != nil {
			return r, ProtocolAuto, err
		}
		return r, ProtocolXMLRPC, nil
	}
	if err != nil {
		return r, ProtocolAuto, err
	}
	return r, ProtocolJSONRPC, nil
}

func (c *Client) postJSON(ctx context.Context, base *url.URL, method string, params []any, idempotent bool, each *resultEach) (wire.Result, error) {
	body, err := wire.EncodeJSONCall(wire.Call{Method: method, Params: params, ID: c.ids.Add(1), Version: "2.0"})
	if err != nil {
		return wire.Result{}, err
	}
	return c.post(ctx, base.JoinPath("jsonrpc").String(), "application/json", body, idempotent,
		func(status int, ctype string, reply []byte) (wire.Result, error) {
			if mt, _, _ := mime.ParseMediaType(ctype); mt != "application/json" {
				return wire.Result{}, &errNotJSONRPC{status: status, contentType: ctype}
			}
			if status != http.StatusOK {
				return wire.Result{}, fmt.Errorf("HTTP %d %s", status, http.StatusText(status))
			}
			if each != nil {
				return wire.DecodeJSONResultEach(reply, each.field, each.omit, each.fn)
			}
			return wire.DecodeJSONResult(reply)
		})
}

func (c *Client) postXML(ctx context.Context, base *url.URL, method string, params []any, idempotent bool, each *resultEach) (wire.Result, error) {
	body, err := wire.EncodeXMLCall(method, params)
	if err != nil {
		return wire.Result{}, err
	}
	return c.post(ctx, base.String()+"/", "text/xml", body, idempotent,
		func(status int, _ string, reply []byte) (wire.Result, error) {
			if status != http.StatusOK {
				return wire.Result{}, fmt.Errorf("HTTP %d %s", status, http.StatusText(status))
			}
			res, err := wire.DecodeXMLResult(reply)
			if err != nil || each == nil || res.Failure != nil {
				return res, err
			}
			return res, each.take(res.Value)
		})
}

// take hands over the elements of an XML-RPC result's array, which is read
// whole, as DecodeJSONResultEach does those of a JSON-RPC one, and takes
// the array out of the result.
func (e *resultEach) take(result any) error {
	m, ok := result.(map[string]any)
	if !ok {
		return nil
	}
	elems, ok := m[e.field].([]any)
	if !ok {
		return nil
	}
	delete(m, e.field)
	for i, v := range elems {
		// Each is let go once handed over.
		elems[i] = nil
		if err := e.fn(v); err != nil {
			return err
		}
	}
	return nil
}

// postError is a request that got no reply, or only part of one.
type postError struct {
	// sent says the request was written out whole: xapi may have it.
	sent bool
	err  error
}

func (e *postError) Error() string { return e.err.Error() }

func (e *postError) Unwrap() error { return e.err }

// post sends one request, and hands its reply's status, content type and
// body to read. The body is a buffer that later replies reuse: read
// decodes it into values of their own, and keeps no part of it. The reply
// body is never quoted in an error: it could echo what was sent.
//
// An idempotent request goes out on a pooled connection, and net/http may
// send it again on a fresh one if the pooled one turns out closed. Any
// other request gets a connection of its own: a pooled connection the host
// closed just as the request went out would leave its outcome unknown,
// where a fresh one fails, if at all, before anything is sent.
func (c *Client) post(ctx context.Context, target, contentType string, body []byte, idempotent bool,
	read func(status int, ctype string, reply []byte) (wire.Result, error)) (wire.Result, error) {
	var sent atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(w httptrace.WroteRequestInfo) {
		if w.Err == nil {
			sent.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return wire.Result{}, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "xsnet")
	hc := c.fresh
	if idempotent {
		hc = c.http
		// An empty Idempotency-Key tells net/http the request may be
		// sent again, and is not sent itself.
		req.Header["Idempotency-Key"] = nil
	}
	resp, err := hc.Do(req)
	if err != nil {
		return wire.Result{}, &postError{sent: sent.Load(), err: err}
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return wire.Result{}, fmt.Errorf("HTTP %d redirect to %q; set url to the address xapi answers on", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp.ContentLength > maxReply {
		return wire.Result{}, fmt.Errorf("reply larger than %d bytes", maxReply)
	}
	// xapi says how long its reply is: reading into a buffer of that size
	// leaves no garbage behind, where growing one leaves twice the reply.
	buf := replyBuffer(int(max(resp.ContentLength, 0)) + bytes.MinRead)
	defer func() { putReplyBuffer(buf) }()
	reply := bytes.NewBuffer(buf[:0])
	if _, err := reply.ReadFrom(io.LimitReader(resp.Body, maxReply+1)); err != nil {
		return wire.Result{}, &postError{sent: true, err: err}
	}
	if reply.Len() > maxReply {
		return wire.Result{}, fmt.Errorf("reply larger than %d bytes", maxReply)
	}
	// A reply longer than its Content-Length said grew a buffer of its own.
	buf = reply.Bytes()
	return read(resp.StatusCode, resp.Header.Get("Content-Type"), buf)
}
