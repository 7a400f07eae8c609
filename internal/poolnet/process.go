package poolnet

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// providerRunning reports whether process pid, on this machine, may still
// be the provider that began work at began.
//
// Signal 0 alone says too much. A provider whose terraform was killed is
// handed to init, and once it exits it stays a zombie until init reaps it,
// which some container inits do late or never; signal 0 still reaches a
// zombie. And after a reboot, or enough processes, the pid may be another
// process's. Either would keep the work from the next run for good. Where
// /proc is there to say, a zombie, or a process that started after the
// work began, is not the provider.
func providerRunning(pid int, began time.Time) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		if _, err := os.Stat("/proc/self/stat"); err == nil {
			return false // /proc is there, and has no such process
		}
		return signalable(pid)
	}
	state, sinceBoot, ok := parseProcStat(stat)
	if !ok {
		return signalable(pid)
	}
	if state == 'Z' || state == 'X' {
		return false
	}
	boot, ok := bootTime()
	return !ok || !boot.Add(sinceBoot).After(began.Add(startSlack))
}

// pidSpace names the processes whose pids this process can look up: this
// boot of the kernel, and this process's pid namespace. A host name alone
// does not: containers may share their host's name and each have a pid
// namespace of its own, where a pid written down in one names nothing, or
// another process, in the next. Empty where /proc cannot say.
var pidSpace = sync.OnceValue(func() string {
	boot, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	ns, err := os.Readlink("/proc/self/ns/pid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(boot)) + " " + ns
})

// startSlack is how far a process's start may seem to follow the work it
// began: the journal keeps whole seconds, and the kernel's boot time is
// given in whole seconds too.
const startSlack = 2 * time.Second

// userHZ is the unit of the start times in /proc: a hundredth of a second
// on every architecture Linux runs on, whatever the kernel's own tick.
const userHZ = 100

// parseProcStat reads a process's state and the time it started after
// boot from its /proc/<pid>/stat. The command name, in parentheses, may
// hold spaces and parentheses itself, so fields are counted from the last
// closing one: the state is the first after it, and the start time the
// twentieth.
func parseProcStat(stat []byte) (state byte, sinceBoot time.Duration, ok bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, false
	}
	fields := strings.Fields(string(stat[i+1:]))
	if len(fields) < 20 || len(fields[0]) != 1 {
		return 0, 0, false
	}
	ticks, err := strconv.ParseInt(fields[19], 10, 64)
	if err != nil {
		return 0, 0, false
	}
	return fields[0][0], time.Duration(ticks) * time.Second / userHZ, true
}

// bootTime is when this machine booted, from the btime line of /proc/stat.
var bootTime = sync.OnceValues(func() (time.Time, bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}, false
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			secs, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return time.Unix(secs, 0), err == nil
		}
	}
	return time.Time{}, false
})

// signalable reports whether process pid exists, where there is no /proc
// to ask: signal 0 checks that a process could be signalled, sending
// nothing.
func signalable(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}
