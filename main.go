// Command terraform-provider-xsnet is the xsnet Terraform provider: XenServer
// pool networking (bonds, VLANs, networks) with guardrails that refuse, at
// validate and plan time, the configurations that have taken pools down.
package main

import (
	"flag"
	"log"

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

func main() {
	var debugger bool
	flag.BoolVar(&debugger, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()
	if err := provider.Serve("registry.terraform.io/xsnet/xsnet", provider.New(version), debugger); err != nil {
		log.Fatal(err)
	}
}
