// Command xapisim serves a simulated XenServer pool until interrupted.
//
// When the pool is ready it prints, on standard output, lines a shell can
// eval:
//
//	XENSERVER_HOST=http://127.0.0.1:40123
//	XENSERVER_USERNAME=root
//	XENSERVER_PASSWORD=xsnet-sim
//
// and, on standard error, every host's endpoint and the TLS fingerprint.
// SIGINT or SIGTERM stops it, saving the pool when -state is given.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/xsnet/terraform-provider-xsnet/internal/xapisim"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr, waitForSignal); err != nil {
		fmt.Fprintln(os.Stderr, "xapisim:", err)
		os.Exit(1)
	}
}

func waitForSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	<-ch
}

// run parses the flags, serves the pool and returns when wait does.
func run(args []string, stdout, stderr io.Writer, wait func()) error {
	fs := flag.NewFlagSet("xapisim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg xapisim.Config
	listen := fs.String("listen", "127.0.0.1:0", `address of the pool master's endpoint (":0" picks a free port)`)
	fs.IntVar(&cfg.Hosts, "hosts", xapisim.DefaultHosts, "hosts in the pool, the master included")
	fs.IntVar(&cfg.NICs, "nics", xapisim.DefaultNICs, "NICs per host, eth0 upwards")
	fs.IntVar(&cfg.Standalone, "standalone", 0, "extra standalone hosts, each its own pool, able to pool.join")
	fs.StringVar(&cfg.Username, "username", xapisim.DefaultUsername, "user name every host accepts")
	fs.StringVar(&cfg.Password, "password", xapisim.DefaultPassword, "password every host accepts")
	fs.StringVar(&cfg.Backend, "backend", xapisim.DefaultBackend, "network backend: openvswitch or bridge")
	fs.BoolVar(&cfg.TLS, "tls", false, "serve HTTPS with a self-signed certificate")
	fs.DurationVar(&cfg.Latency, "latency", 0, "time added to every call, such as 20ms")
	faults := fs.String("faults", "", `fault rules, such as "Bond.create#2=INTERNAL_ERROR;*=+20ms;sessions=100"`)
	fs.StringVar(&cfg.StatePath, "state", "", "JSON file the pool is loaded from and saved to")
	quirks := fs.String("quirk", "", "XenServer misbehaviours to simulate, comma-separated: "+xapisim.QuirkJumboManagementBond)
	fs.DurationVar(&cfg.RebootTime, "reboot-time", xapisim.DefaultRebootTime, "how long a rebooting host stays down")
	nicMTU := fs.String("nic-max-mtu", "", fmt.Sprintf("largest MTU of NICs by device, such as eth1=1500,eth3=1500 (others take %d)", xapisim.DefaultNICMaxMTU))
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if cfg.Hosts < 1 || cfg.NICs < 1 {
		return fmt.Errorf("-hosts %d -nics %d: a pool needs a host, and a host a NIC", cfg.Hosts, cfg.NICs)
	}
	var err error
	if cfg.Faults, err = xapisim.ParseFaults(*faults); err != nil {
		return err
	}
	if cfg.NICMaxMTU, err = xapisim.ParseNICMaxMTU(*nicMTU); err != nil {
		return err
	}
	for q := range strings.SplitSeq(*quirks, ",") {
		if q = strings.TrimSpace(q); q != "" {
			cfg.Quirks = append(cfg.Quirks, q)
		}
	}
	sim, err := xapisim.New(cfg)
	if err != nil {
		return err
	}
	if err := sim.Start(*listen); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(stdout, "XENSERVER_HOST=%s\nXENSERVER_USERNAME=%s\nXENSERVER_PASSWORD=%s\n",
		sim.URL(), shellQuote(sim.Username()), shellQuote(sim.Password())); err != nil {
		return errors.Join(err, sim.Close())
	}
	// What follows is for a person watching; a closed stderr stops nothing.
	logf := func(format string, args ...any) { _, _ = fmt.Fprintf(stderr, "xapisim: "+format+"\n", args...) }
	logf("pool master on %s", sim.URL())
	for _, u := range sim.StandaloneURLs() {
		logf("standalone host on %s", u)
	}
	if fp := sim.Fingerprint(); fp != "" {
		logf("TLS certificate SHA-256 fingerprint %s", fp)
	}
	logf("calls and trace on %s/sim/calls and %s/sim/trace; stop with Ctrl-C", sim.URL(), sim.URL())
	wait()
	return sim.Close()
}

// shellQuote quotes a value for eval when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@%+=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
