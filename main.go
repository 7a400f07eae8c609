// Command terraform-provider-xsnet is the xsnet Terraform provider: XenServer
// pool networking (bonds, VLANs, networks) with guardrails that refuse, at
// validate and plan time, the configurations that have taken pools down.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/xsnet/terraform-provider-xsnet/internal/provider"
)

// version is set by the release build.
var version = "dev"

func main() {
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers such as delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/xsnet/xsnet",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err)
	}
}
