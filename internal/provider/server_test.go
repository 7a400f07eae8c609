package provider

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// requestValue stands for what Terraform's plugin server puts in a
// request's context (its loggers): the test watches it being collected.
type requestValue struct{ loggers []byte }

type requestKey struct{}

// requestContextKept makes one ReadResource on srv with a context that
// carries a requestValue, and reports whether anything still holds that
// value once the request has returned and the garbage is collected.
func requestContextKept(t *testing.T, srv tfprotov6.ProviderServer) bool {
	t.Helper()
	collected := make(chan struct{})
	func() {
		v := &requestValue{loggers: make([]byte, 16<<10)}
		runtime.AddCleanup(v, func(ch chan struct{}) { close(ch) }, collected)
		ctx, cancel := context.WithCancel(context.WithValue(t.Context(), requestKey{}, v))
		defer cancel()
		// The request itself fails, having no state: the framework keeps
		// its context first.
		_, _ = srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "xsnet_vlan"})
	}()
	// The server lives on, as it does between Terraform's requests.
	defer runtime.KeepAlive(srv)
	for range 20 {
		runtime.GC()
		select {
		case <-collected:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
	return true
}

// The reason protocolServer exists: the framework holds on to the context
// of every request it serves until StopProvider. Should a release of the
// framework let them go, this fails, and protocolServer can go too.
func TestTheFrameworkKeepsEveryRequestContext(t *testing.T) {
	if !requestContextKept(t, providerserver.NewProtocol6(New("test")())()) {
		t.Fatal("the framework let a request's context go: serve it without protocolServer's wrapper")
	}
}

func TestARequestContextIsLetGoOnceAnswered(t *testing.T) {
	if requestContextKept(t, protocolServer(New("test"))()) {
		t.Fatal("a request's context is held after the request returned")
	}
}

func TestAReleasedContextStillCancels(t *testing.T) {
	parent, cancel := context.WithCancel(context.WithValue(t.Context(), requestKey{}, "logger"))
	// What the framework does with every request's context: derive one,
	// and keep it with its cancel function.
	var kept context.Context
	var cancelKept context.CancelFunc
	_, err := answer(parent, "request", func(ctx context.Context, req string) (string, error) {
		if got := ctx.Value(requestKey{}); got != "logger" {
			t.Errorf("during the request, Value = %v, want the parent's", got)
		}
		kept, cancelKept = context.WithCancel(ctx)
		return req, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer cancelKept()
	if got := kept.Value(requestKey{}); got != nil {
		t.Errorf("after the request, Value = %v, want nil", got)
	}
	if kept.Err() != nil {
		t.Errorf("before the parent is cancelled, Err = %v", kept.Err())
	}
	cancel()
	select {
	case <-kept.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the request's context did not reach a context derived from it after release")
	}
	if !errors.Is(kept.Err(), context.Canceled) {
		t.Errorf("Err = %v, want context.Canceled", kept.Err())
	}
}

// The framework's loggers get the level of the provider logs Terraform
// shows, and none when Terraform shows none.
func TestLogLevelsFromTerraform(t *testing.T) {
	tests := []struct {
		name                       string
		env                        map[string]string
		wantSDK, wantProv, wantOwn string
	}{
		{"nothing asked", nil, "OFF", "OFF", "OFF"},
		{"TF_LOG", map[string]string{"TF_LOG": "DEBUG"}, "DEBUG", "DEBUG", "DEBUG"},
		{"TF_LOG_PROVIDER over TF_LOG", map[string]string{"TF_LOG": "TRACE", "TF_LOG_PROVIDER": "INFO"}, "INFO", "INFO", "INFO"},
		{"TF_LOG_SDK kept", map[string]string{"TF_LOG_SDK": "TRACE"}, "TRACE", "OFF", "OFF"},
		{"TF_LOG_PROVIDER_XSNET kept", map[string]string{"TF_LOG_PROVIDER_XSNET": "DEBUG"}, "OFF", "OFF", "DEBUG"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, v := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_PROVIDER_XSNET"} {
				t.Setenv(v, tt.env[v])
			}
			logLevelsFromTerraform("registry.terraform.io/xsnet/xsnet")
			for v, want := range map[string]string{"TF_LOG_SDK": tt.wantSDK, "TF_LOG_PROVIDER": tt.wantProv, "TF_LOG_PROVIDER_XSNET": tt.wantOwn} {
				if got := os.Getenv(v); got != want {
					t.Errorf("%s = %q, want %q", v, got, want)
				}
			}
		})
	}
}

// The provider's own logger, which xsnet's client logs each XenAPI call
// to, takes its level from the variable terraform-plugin-go reads for a
// provider of the type: with none, it logs at TRACE.
func TestProviderLogVariable(t *testing.T) {
	for address, want := range map[string]string{
		"registry.terraform.io/xsnet/xsnet":     "TF_LOG_PROVIDER_XSNET",
		"registry.opentofu.org/xsnet/xsnet":     "TF_LOG_PROVIDER_XSNET",
		"registry.terraform.io/acme/xen-server": "TF_LOG_PROVIDER_XEN_SERVER",
	} {
		if got := providerLogVariable(address); got != want {
			t.Errorf("%s: %s, want %s", address, got, want)
		}
	}
}

// A provider whose Terraform is gone (killed, so that it could not stop
// its providers) ends: the process then has another parent.
func TestWatchParentEndsWhenTerraformIsGone(t *testing.T) {
	var parent atomic.Int64
	parent.Store(4242)
	gone := make(chan struct{})
	go watchParent(func() int { return int(parent.Load()) }, time.Millisecond, func() { close(gone) })
	select {
	case <-gone:
		t.Fatal("the watch ended the provider while Terraform was there")
	case <-time.After(50 * time.Millisecond):
	}
	parent.Store(1)
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("the provider went on after Terraform was gone")
	}
}
