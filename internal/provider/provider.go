// Package provider is xsnet's Terraform layer: the provider's settings, its
// resources and data sources, and the guardrails' place in validate and
// plan. It stays thin: XenAPI lives in internal/xenapi, the rules in
// internal/guardrail.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/boolvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/xsnet/terraform-provider-xsnet/internal/guardrail"
	"github.com/xsnet/terraform-provider-xsnet/internal/poolnet"
	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// The environment variables the official XenServer provider reads, so that
// operators' CI secrets carry over.
const (
	envHost     = "XENSERVER_HOST"
	envUsername = "XENSERVER_USERNAME"
	envPassword = "XENSERVER_PASSWORD"
	// envPoolCache set to "off" makes xsnet read the pool whole for every
	// question instead of keeping a model of it current with events: a
	// baseline for benchmarks, and a way out should the events mislead.
	envPoolCache = "XSNET_POOL_CACHE"
	// envRequestTimeout, a Go duration such as "2s", bounds each XenAPI
	// request instead of xenapi.DefaultTimeout. It is there for tests,
	// which set it short to see a call outlast it; operators have no
	// reason to set it.
	envRequestTimeout = "XSNET_REQUEST_TIMEOUT"
)

var (
	_ provider.Provider                   = (*xsnetProvider)(nil)
	_ provider.ProviderWithValidateConfig = (*xsnetProvider)(nil)
)

type xsnetProvider struct {
	version string
	// validation is the guardrails policy as validate found it, for the
	// resources' ValidateConfig.
	validation validationPolicy
}

type providerModel struct {
	Host           types.String     `tfsdk:"host"`
	Username       types.String     `tfsdk:"username"`
	Password       types.String     `tfsdk:"password"`
	Protocol       types.String     `tfsdk:"protocol"`
	CACertificate  types.String     `tfsdk:"ca_certificate"`
	TLSFingerprint types.String     `tfsdk:"tls_fingerprint"`
	Insecure       types.Bool       `tfsdk:"insecure"`
	AllowLegacyTLS types.Bool       `tfsdk:"allow_legacy_tls"`
	Guardrails     *guardrailsModel `tfsdk:"guardrails"`
}

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &xsnetProvider{version: version}
	}
}

func (p *xsnetProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "xsnet"
	resp.Version = p.version
}

var fingerprintPattern = regexp.MustCompile(`^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$`)

func (p *xsnetProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages XenServer and XCP-ng pool networking (bonds, VLANs, networks) " +
			"and refuses, at `terraform validate` and `terraform plan`, the configurations that have taken pools down.",
		Attributes: map[string]schema.Attribute{
			"host": schema.StringAttribute{
				MarkdownDescription: "URL of the pool master's XenAPI, such as `https://xs-master.example.com`. " +
					"A bare host name means HTTPS. Defaults to the `" + envHost + "` environment variable. " +
					"Pointing at a pool member works too: xsnet follows XenServer's redirect to the master.",
				Optional: true,
			},
			"username": schema.StringAttribute{
				MarkdownDescription: "User to log in as, usually `root`. Defaults to `" + envUsername + "`.",
				Optional:            true,
			},
			"password": schema.StringAttribute{
				MarkdownDescription: "Password of that user. Defaults to `" + envPassword + "`.",
				Optional:            true,
				Sensitive:           true,
			},
			"protocol": schema.StringAttribute{
				MarkdownDescription: "Wire protocol: `jsonrpc`, `xmlrpc`, or `auto` (the default), which uses JSON-RPC " +
					"and falls back to XML-RPC on hosts that do not serve it, such as XenServer 6.x.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.OneOf(string(xenapi.ProtocolAuto), string(xenapi.ProtocolJSONRPC), string(xenapi.ProtocolXMLRPC)),
				},
			},
			"ca_certificate": schema.StringAttribute{
				MarkdownDescription: "PEM bundle of the certificate authorities that signed the pool's certificate.",
				Optional:            true,
			},
			"tls_fingerprint": schema.StringAttribute{
				MarkdownDescription: "SHA-256 fingerprint of the pool master's certificate, as 64 hex digits with or " +
					"without colons. XenServer hosts ship self-signed certificates: pinning the fingerprint verifies " +
					"them without a certificate authority.",
				Optional: true,
				Validators: []validator.String{
					stringvalidator.RegexMatches(fingerprintPattern,
						"must be a SHA-256 fingerprint: 64 hex digits, optionally in colon-separated pairs "+
							"(openssl x509 -noout -fingerprint -sha256 prints it)"),
				},
			},
			"insecure": schema.BoolAttribute{
				MarkdownDescription: "Skip verification of the pool's TLS certificate. Prefer `tls_fingerprint`.",
				Optional:            true,
				Validators: []validator.Bool{
					boolvalidator.ConflictsWith(path.MatchRoot("tls_fingerprint"), path.MatchRoot("ca_certificate")),
				},
			},
			"allow_legacy_tls": schema.BoolAttribute{
				MarkdownDescription: "Accept TLS 1.0 and 1.1, which is all XenServer 6.x speaks. Off, xsnet insists on TLS 1.2 or later.",
				Optional:            true,
			},
		},
		Blocks: map[string]schema.Block{
			"guardrails": schema.SingleNestedBlock{
				MarkdownDescription: "Relaxes the guardrails' policy. Without this block xsnet accepts " +
					"`balance-slb` bonds only; every plan under a relaxed policy carries a warning, so that review sees it. " +
					"See the guardrails guide.",
				Attributes: map[string]schema.Attribute{
					"allowed_bond_modes": schema.ListAttribute{
						MarkdownDescription: "Bond modes to accept, from `balance-slb`, `active-backup` and `lacp`. " +
							"Allow `lacp` only where the switch ports of every bond are configured as a LAG.",
						ElementType: types.StringType,
						Optional:    true,
					},
				},
			},
		},
	}
}

func (p *xsnetProvider) ValidateConfig(ctx context.Context, req provider.ValidateConfigRequest, resp *provider.ValidateConfigResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	policy := policyOf(cfg.Guardrails)
	addGuardrailDiagnostics(guardrail.CheckPolicy(guardrail.Validate, policy), &resp.Diagnostics)
	p.validation.set(policy)
}

func (p *xsnetProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	settings := []struct {
		attr  string
		value types.String
		env   string
		out   *string
		hint  string
	}{
		{"host", cfg.Host, envHost, new(string), "the pool master's URL, such as https://xs-master.example.com"},
		{"username", cfg.Username, envUsername, new(string), "the XenAPI user, usually root"},
		{"password", cfg.Password, envPassword, new(string), "that user's password"},
	}
	for _, s := range settings {
		if s.value.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(s.attr), "Unknown XenServer "+titleOf(s.attr),
				"The provider cannot connect while "+s.attr+" is unknown. Set it to a value known at plan time, "+
					"or leave it out and set the "+s.env+" environment variable.")
			continue
		}
		*s.out = s.value.ValueString()
		if *s.out == "" {
			*s.out = os.Getenv(s.env)
		}
		if *s.out == "" {
			resp.Diagnostics.AddAttributeError(path.Root(s.attr), "Missing XenServer "+titleOf(s.attr),
				"The provider needs "+s.attr+" to reach the pool. Set "+s.attr+" in the provider block, "+
					"or the "+s.env+" environment variable, to "+s.hint+".")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	clientConfig := xenapi.Config{
		URL:            *settings[0].out,
		Username:       *settings[1].out,
		Password:       *settings[2].out,
		Protocol:       xenapi.Protocol(cfg.Protocol.ValueString()),
		CACertificate:  cfg.CACertificate.ValueString(),
		TLSFingerprint: cfg.TLSFingerprint.ValueString(),
		Insecure:       cfg.Insecure.ValueBool(),
		AllowLegacyTLS: cfg.AllowLegacyTLS.ValueBool(),
		Logger: func(ctx context.Context, msg string, fields map[string]any) {
			tflog.Debug(ctx, msg, fields)
		},
	}
	if v := os.Getenv(envRequestTimeout); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			resp.Diagnostics.AddError("Invalid "+envRequestTimeout,
				envRequestTimeout+" must be a positive duration such as 30s; got "+quote(v)+". Unset it to use the default.")
			return
		}
		clientConfig.Timeout = d
	}
	client, err := xenapi.NewClient(clientConfig)
	if err != nil {
		addConfigError(err, &resp.Diagnostics)
		return
	}
	policy := policyOf(cfg.Guardrails)
	// Configure runs on every plan and apply: the relaxed-policy warning
	// shows in each.
	policyCheck := guardrail.CheckPolicy(guardrail.Plan, policy)
	addGuardrailDiagnostics(policyCheck, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	model := poolnet.NewModel(client, poolnet.Options{CacheOff: os.Getenv(envPoolCache) == "off"})
	// Reading the pool now makes a wrong password or an unreachable host
	// fail the plan, not the apply, and loads the model every resource of
	// this run reads.
	if _, err := model.Snapshot(ctx); err != nil {
		attr, summary := connectionFault(err)
		resp.Diagnostics.AddAttributeError(path.Root(attr), summary,
			"xsnet could not read the pool at "+clientConfig.URL+": "+err.Error()+". "+connectionHint(attr))
		return
	}
	warnPreexisting(ctx, model, &resp.Diagnostics)
	data := &providerData{model: model, clientConfig: clientConfig, policy: policy}
	resp.DataSourceData = data
	resp.ResourceData = data
}

// warnPreexisting warns, on every plan and apply, of what in the pool
// breaks a guardrail already, whoever made it: it blocks nothing else, and
// it says how to bring it under xsnet and fix it.
func warnPreexisting(ctx context.Context, model *poolnet.Model, diags *diag.Diagnostics) {
	violations, err := model.Violations(ctx)
	if err != nil {
		return // Configure has just read the pool; a resource reports the failure
	}
	unfinished, err := model.Unfinished(ctx)
	if err != nil {
		return
	}
	for _, u := range unfinished {
		state := "Its provider may still be at work on it."
		if u.Abandoned {
			state = "No provider is at work on it any more."
		}
		next := "The next terraform apply that creates the same thing finishes it and adopts it; one that needs " +
			"its NICs or its tag undoes it first. If no resource of any configuration asks for it any more, " +
			"import it by that UUID as what it is (xsnet_bond, xsnet_vlan or xsnet_network) and destroy it."
		if u.Op == "move management" {
			next = "Until it is finished, a host's address may be on two of its PIFs. The next move of management " +
				"onto or off that network settles each host's management interface first; a bond's state shows " +
				"management as null meanwhile, so that the next terraform apply of the bond makes that move. If no " +
				"configuration manages the bond, import it (as xsnet_bond, by that UUID) and apply or destroy it."
		}
		diags.AddWarning("Unfinished Work In The Pool",
			fmt.Sprintf("Network %q (%s) holds %s that a run of xsnet began at %s (%s) and did not finish. %s %s",
				u.Name, u.NetworkUUID, u.What, u.Started.UTC().Format(time.RFC3339), u.By, state, next))
	}
	for _, v := range violations {
		diags.AddWarning("The Pool Breaks A Guardrail Already: "+v.Summary,
			v.Detail+" This is the pool as it is now, before this plan: it warns on every plan until it is fixed, "+
				"and blocks no other change. To fix it with xsnet, import the network ("+strings.Join(v.Values, ", ")+
				") as the xsnet_bond or xsnet_vlan it is, with an import block or terraform import, and apply the fix "+
				"in place. (xsnet guardrail "+v.Rule+")")
	}
}

// connectionFault names the provider attribute to blame when the pool
// cannot be read at Configure, and a summary for the diagnostic.
func connectionFault(err error) (attr, summary string) {
	switch xenapi.ErrorCode(err) {
	case xenapi.ErrSessionAuthenticationFailed:
		return "password", "XenServer Refused the Credentials"
	case "":
		return "host", "Cannot Reach the Pool"
	}
	return "host", "Cannot Read the Pool"
}

// connectionHint says what to check for the attribute connectionFault
// blamed.
func connectionHint(attr string) string {
	if attr == "password" {
		return "Check username and password (or " + envUsername + " and " + envPassword + "): xapi refused to log in with them."
	}
	return "Check host (or " + envHost + "), and that the pool master answers XenAPI there; " +
		"for TLS failures, set tls_fingerprint or ca_certificate."
}

// addConfigError blames the provider attribute that holds the client
// setting at fault, and each one it conflicts with.
func addConfigError(err error, diags *diag.Diagnostics) {
	var cerr *xenapi.ConfigError
	if !errors.As(err, &cerr) {
		diags.AddAttributeError(path.Root("host"), "Invalid XenServer Connection Settings", err.Error())
		return
	}
	attr := attributeOf(cerr.Setting)
	if len(cerr.Conflicting) == 0 {
		diags.AddAttributeError(path.Root(attr), "Invalid XenServer Connection Settings",
			"The provider's "+attr+" setting is not usable: "+cerr.Reason+".")
		return
	}
	all := append([]string{attr}, cerr.Conflicting...)
	for _, a := range all {
		diags.AddAttributeError(path.Root(attributeOf(a)), "Conflicting XenServer Connection Settings",
			"Set only one of "+strings.Join(all, ", ")+": "+cerr.Reason+".")
	}
}

// attributeOf is the provider attribute that holds a client setting.
func attributeOf(setting string) string {
	if setting == "url" {
		return "host"
	}
	return setting
}

func titleOf(attr string) string {
	switch attr {
	case "host":
		return "Host"
	case "username":
		return "Username"
	}
	return "Password"
}

func (p *xsnetProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewNetworkResource,
		NewVLANResource,
		NewPoolResource,
		NewIPInterfaceResource,
		NewManagementInterfaceResource,
		func() resource.Resource { return &bondResource{validation: &p.validation} },
	}
}

func (p *xsnetProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewPoolDataSource,
		NewHostDataSource,
		NewPIFDataSource,
		NewPIFsDataSource,
		NewNetworkDataSource,
	}
}

// providerData is what Configure hands every resource and data source.
type providerData struct {
	// model is the pool as this provider process sees it; every read and
	// change goes through it.
	model *poolnet.Model
	// clientConfig is how client reaches the pool: a host joining the pool
	// needs the pool's credentials, and xsnet reaches that host the same way.
	clientConfig xenapi.Config
	policy       guardrail.Policy
}
