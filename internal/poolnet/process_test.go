package poolnet

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	for _, c := range []struct {
		name, stat string
		state      byte
		sinceBoot  time.Duration
		ok         bool
	}{
		{"a provider", "4321 (terraform-provid) S 4300 4321 4300 0 -1 4194560 2 0 0 0 0 0 0 0 20 0 9 0 123456 1000 10 18446744073709551615", 'S', 1234*time.Second + 560*time.Millisecond, true},
		{"a zombie", "4321 (terraform-provid) Z 1 4321 4300 0 -1 4227084 2 0 0 0 0 0 0 0 20 0 1 0 250 0 0 0", 'Z', 2500 * time.Millisecond, true},
		{"a command name with spaces and parentheses", "7 (a) b (c) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0", 'R', time.Second, true},
		{"cut short", "7 (a) R 1 7 7", 0, 0, false},
		{"no command name", "7 a R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 0", 0, 0, false},
		{"a start time that is not a number", "7 (a) R 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 x 0", 0, 0, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			state, since, ok := parseProcStat([]byte(c.stat))
			if ok != c.ok || (ok && (state != c.state || since != c.sinceBoot)) {
				t.Errorf("parseProcStat = %q, %v, %v; want %q, %v, %v", state, since, ok, c.state, c.sinceBoot, c.ok)
			}
		})
	}
}

// A journal written in this pid space is looked up by its pid, whatever
// the host name it gives: the host may have been renamed since.
func TestJournalWrittenHereIsLookedUpByItsPid(t *testing.T) {
	if pidSpace() == "" {
		t.Skip("reads the pid space from /proc")
	}
	j := newJournal("create")
	if j.PIDSpace != pidSpace() {
		t.Fatalf("the journal names pid space %q, want this process's, %q", j.PIDSpace, pidSpace())
	}
	j.By = "renamed:" + strconv.Itoa(os.Getpid())
	if pid, ok := j.localPID(); !ok || pid != os.Getpid() {
		t.Errorf("localPID = %d, %v; want this process's pid, %d", pid, ok, os.Getpid())
	}
}
