// Command terraform-provider-xsnet is the xsnet Terraform provider: XenServer
// pool networking (bonds, VLANs, networks) with guardrails that refuse, at
// validate and plan time, the configurations that have taken pools down.
package main

import (
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/xsnet/terraform-provider-xsnet/internal/provider"
)

// `go generate ./...` rebuilds everything generated in the repository: the
// data model table (internal/xenapi/datamodel), the guardrails guide template
// (internal/guardrail) and, here, docs/ from the provider's schema, the
// templates in internal/provider/templates and examples/. The guide template
// comes first because docs/ renders it.
//
//go:generate go generate ./internal/guardrail
//go:generate go run github.com/hashicorp/terraform-plugin-docs/cmd/tfplugindocs@v0.25.0 generate --provider-name xsnet --website-source-dir internal/provider/templates --examples-dir examples

// version is set by the release build.
var version = "dev"

// memoryLimit is the heap size past which the Go runtime collects garbage
// harder. xsnet keeps one model of the pool in memory, and every change it
// learns of makes a new snapshot from the last: on a large pool the old
// ones are garbage at once, and without a limit the runtime lets the heap
// grow to twice what is live before it collects them. It is a soft limit:
// a pool whose model needs more still gets it. GOMEMLIMIT sets another.
const memoryLimit = 128 << 20

// logLevelsFromTerraform gives the plugin framework's loggers the level of
// the provider logs Terraform will show: TF_LOG_PROVIDER, else TF_LOG, else
// none. The framework's loggers read only their own variables (TF_LOG_SDK,
// TF_LOG_PROVIDER) and log every request at TRACE without them, for
// Terraform to drop: a plan of a thousand VLANs spent a quarter of the
// provider's time writing log lines nobody would read. A variable already
// set is left as it is.
func logLevelsFromTerraform() {
	level := "OFF"
	for _, v := range []string{"TF_LOG_PROVIDER", "TF_LOG"} {
		if l := os.Getenv(v); l != "" {
			level = l
			break
		}
	}
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_PROVIDER"} {
		if os.Getenv(v) == "" {
			_ = os.Setenv(v, level)
		}
	}
}

func main() {
	var debugger bool
	flag.BoolVar(&debugger, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	logLevelsFromTerraform()

	if err := provider.Serve("registry.terraform.io/xsnet/xsnet", version, debugger); err != nil {
		log.Fatal(err)
	}
}
