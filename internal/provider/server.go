package provider

import (
	"context"
	"os"
	"path"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
)

// Serve serves the provider newProvider makes to Terraform under address
// until Terraform stops it; with debugger, to a debugger such as delve,
// which prints what to set TF_REATTACH_PROVIDERS to. It sets the process up
// first: the soft memory limit, unless GOMEMLIMIT sets one, the
// framework's log levels and, when Terraform started it, an end when
// Terraform is gone.
func Serve(address string, newProvider func() provider.Provider, debugger bool) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	logLevelsFromTerraform(address)
	var opts []tf6server.ServeOpt
	if debugger {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		go watchParent(os.Getppid, parentPoll, func() { os.Exit(1) })
	}
	return tf6server.Serve(address, protocolServer(newProvider), opts...)
}

// parentPoll is how often the provider checks that Terraform is still
// there.
const parentPoll = time.Second

// watchParent calls gone once the process's parent, the Terraform that
// started it, is gone: the process then has another parent. Terraform
// stops its providers when it ends, but a Terraform killed outright
// cannot, and the plugin protocol has no word for it. A provider left
// running would go on with work whose results nobody reads, and hold the
// pool's unfinished work as its own, unseen, until it ended: it ends
// instead, as when killed itself, and the next apply takes over what it
// left in the pool's journal. (A provider that logs finds out sooner,
// killed by SIGPIPE when it writes to the dead Terraform; one whose logs
// are off never would.)
func watchParent(ppid func() int, every time.Duration, gone func()) {
	parent := ppid()
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		if ppid() != parent {
			gone()
			return
		}
	}
}

// memoryLimit is the heap size past which the Go runtime collects garbage
// harder. xsnet keeps one model of the pool in memory, and every change it
// learns of makes a new snapshot from the last: on a large pool the old
// ones are garbage at once, and without a limit the runtime lets the heap
// grow to twice what is live before it collects them. It is a soft limit:
// a pool whose model needs more still gets it. GOMEMLIMIT sets another.
const memoryLimit = 128 << 20

// logLevelsFromTerraform gives the plugin's loggers the level of the
// provider logs Terraform will show: TF_LOG_PROVIDER, else TF_LOG, else
// none. The loggers read only their own variables: the framework's
// TF_LOG_SDK and TF_LOG_PROVIDER, and the provider's own logger, which
// xsnet's client logs every XenAPI call to, TF_LOG_PROVIDER_ and the
// provider's type from its address (TF_LOG_PROVIDER_XSNET). Without them
// each logs at TRACE for Terraform to drop: a plan of a thousand VLANs
// spent a quarter of the provider's time writing log lines nobody would
// read, and the destroy of as many a sixteenth on its XenAPI calls. A
// variable already set is left as it is.
func logLevelsFromTerraform(address string) {
	level := "OFF"
	for _, v := range []string{"TF_LOG_PROVIDER", "TF_LOG"} {
		if l := os.Getenv(v); l != "" {
			level = l
			break
		}
	}
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER", providerLogVariable(address)} {
		if os.Getenv(v) == "" {
			_ = os.Setenv(v, level)
		}
	}
}

// providerLogVariable is the variable that sets the level of the
// provider's own logger served under address, as terraform-plugin-go names
// it: TF_LOG_PROVIDER_ and the provider's type, upper case, with dashes as
// underscores.
func providerLogVariable(address string) string {
	return "TF_LOG_PROVIDER_" + strings.ToUpper(strings.ReplaceAll(path.Base(address), "-", "_"))
}

// protocolServer serves the provider newProvider makes over Terraform's
// plugin protocol 6, as providerserver.NewProtocol6 does, but lets each
// request's context go once the request is answered.
//
// The framework keeps a cancel function for every request it has served,
// so that StopProvider can cancel them all, and lets none go before then.
// Each holds its request's context, and with it the loggers Terraform's
// plugin server put in it: about 17 kB a request. A plan of a thousand
// VLANs makes four requests of each resource, and the provider would hold
// some 70 MB it never uses again, a heap that the garbage collector then
// scans over and over under the provider's memory limit. The requests made
// once per provider process are left as they are.
func protocolServer(newProvider func() provider.Provider) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return server{providerserver.NewProtocol6(newProvider())()}
	}
}

// server is the framework's protocol server with the context of every
// request made once per resource released when the request returns.
type server struct {
	tfprotov6.ProviderServer
}

// answer calls rpc with a context that stands for ctx until rpc returns,
// and then forgets it: whatever keeps the context rpc was given keeps only
// its Done channel.
func answer[Req, Resp any](ctx context.Context, req Req, rpc func(context.Context, Req) (Resp, error)) (Resp, error) {
	r := &releasable{done: ctx.Done()}
	r.parent.Store(&ctx)
	defer r.parent.Store(nil)
	return rpc(r, req)
}

// releasable is a context that answers for its parent until released, and
// after that for nothing but cancellation. A goroutine the request started
// that outlives it (a catch-up of the pool model shared with other
// readers) finds no logger in it any more, and logs nothing.
type releasable struct {
	done   <-chan struct{}
	parent atomic.Pointer[context.Context]
}

func (r *releasable) Deadline() (time.Time, bool) {
	if p := r.parent.Load(); p != nil {
		return (*p).Deadline()
	}
	return time.Time{}, false
}

func (r *releasable) Done() <-chan struct{} { return r.done }

func (r *releasable) Err() error {
	if p := r.parent.Load(); p != nil {
		return (*p).Err()
	}
	select {
	case <-r.done:
		return context.Canceled
	default:
		return nil
	}
}

func (r *releasable) Value(key any) any {
	if p := r.parent.Load(); p != nil {
		return (*p).Value(key)
	}
	return nil
}

func (s server) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return answer(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s server) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return answer(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s server) UpgradeResourceIdentity(ctx context.Context, req *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	return answer(ctx, req, s.ProviderServer.UpgradeResourceIdentity)
}

func (s server) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return answer(ctx, req, s.ProviderServer.ReadResource)
}

func (s server) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return answer(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s server) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return answer(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s server) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return answer(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s server) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return answer(ctx, req, s.ProviderServer.MoveResourceState)
}

func (s server) GenerateResourceConfig(ctx context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	return answer(ctx, req, s.ProviderServer.GenerateResourceConfig)
}

func (s server) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return answer(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s server) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return answer(ctx, req, s.ProviderServer.ReadDataSource)
}
