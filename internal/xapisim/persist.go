package xapisim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"

	"github.com/xsnet/terraform-provider-xsnet/internal/xenapi"
)

// stateVersion numbers the state file's format.
const stateVersion = 1

// persistedClasses are the classes a state file keeps. Sessions and tasks
// do not survive a restart of xapi either.
var persistedClasses = []string{"pool", "host", "host_metrics", "network", "PIF", "PIF_metrics", "Bond", "VLAN"}

type stateFile struct {
	Version int         `json:"version"`
	Pools   []statePool `json:"pools"`
	Hosts   []stateHost `json:"hosts"`
}

type statePool struct {
	Tables        map[string][]stateRow `json:"tables"`
	BridgeCounter int                   `json:"bridge_counter"`
}

type stateRow struct {
	Ref    xenapi.Ref      `json:"ref"`
	Record json.RawMessage `json:"record"`
	Extra  map[string]any  `json:"extra,omitempty"`
}

type stateHost struct {
	Ref        xenapi.Ref `json:"ref"`
	Index      int        `json:"index"`
	Standalone bool       `json:"standalone"`
}

// save writes the pools to Config.StatePath, if set. Called under s.mu.
func (s *Sim) save() error {
	if s.cfg.StatePath == "" {
		return nil
	}
	st := stateFile{Version: stateVersion}
	for _, d := range s.pools {
		sp := statePool{Tables: map[string][]stateRow{}, BridgeCounter: d.bridgeCounter}
		for _, class := range persistedClasses {
			t := d.tables[class]
			rows := []stateRow{}
			for _, ref := range t.refs() {
				raw, err := json.Marshal(t.rows[ref].rec)
				if err != nil {
					return fmt.Errorf("xapisim: saving %s %s: %w", class, ref, err)
				}
				rows = append(rows, stateRow{Ref: ref, Record: raw, Extra: t.rows[ref].extra})
			}
			sp.Tables[class] = rows
		}
		st.Pools = append(st.Pools, sp)
	}
	for _, h := range s.hosts {
		st.Hosts = append(st.Hosts, stateHost{Ref: h.ref, Index: h.index, Standalone: h.standalone})
	}
	data, err := json.MarshalIndent(st, "", " ")
	if err != nil {
		return fmt.Errorf("xapisim: saving state: %w", err)
	}
	// Write beside the file and rename, so that a crash leaves the old state.
	tmp, err := os.CreateTemp(filepath.Dir(s.cfg.StatePath), ".xapisim-state-*")
	if err != nil {
		return fmt.Errorf("xapisim: saving state: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }() // gone after the rename
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		return errors.Join(fmt.Errorf("xapisim: saving state: %w", err), tmp.Close())
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("xapisim: saving state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.cfg.StatePath); err != nil {
		return fmt.Errorf("xapisim: saving state: %w", err)
	}
	return nil
}

// load reads Config.StatePath when it exists, reporting whether it did.
func (s *Sim) load() (bool, error) {
	if s.cfg.StatePath == "" {
		return false, nil
	}
	data, err := os.ReadFile(s.cfg.StatePath)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("xapisim: loading state: %w", err)
	}
	var st stateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return false, fmt.Errorf("xapisim: loading state %s: %w", s.cfg.StatePath, err)
	}
	if st.Version != stateVersion {
		return false, fmt.Errorf("xapisim: state %s has format %d, this simulator reads %d", s.cfg.StatePath, st.Version, stateVersion)
	}
	types := xenapi.RecordTypes()
	owner := map[xenapi.Ref]*db{}
	for _, sp := range st.Pools {
		d := s.newDB()
		d.bridgeCounter = sp.BridgeCounter
		for _, class := range persistedClasses {
			for _, r := range sp.Tables[class] {
				rec := reflect.New(reflect.TypeOf(types[class]))
				if err := json.Unmarshal(r.Record, rec.Interface()); err != nil {
					return false, fmt.Errorf("xapisim: loading %s %s: %w", class, r.Ref, err)
				}
				c, ok := rec.Interface().(classed)
				if !ok {
					return false, fmt.Errorf("xapisim: loading %s %s: %s is not a record type", class, r.Ref, rec.Type())
				}
				d.insert(r.Ref, c)
				for k, v := range r.Extra {
					d.setExtra(class, r.Ref, k, v)
				}
				if class == "host" {
					owner[r.Ref] = d
				}
			}
		}
		if d.pool() == nil {
			return false, fmt.Errorf("xapisim: state %s has a pool without a pool record", s.cfg.StatePath)
		}
		s.pools = append(s.pools, d)
	}
	for _, sh := range st.Hosts {
		d := owner[sh.Ref]
		if d == nil {
			return false, fmt.Errorf("xapisim: state %s lists host %s in no pool", s.cfg.StatePath, sh.Ref)
		}
		uuid := get[xenapi.Host](d, sh.Ref).UUID
		s.hosts = append(s.hosts, &hostRT{uuid: uuid, index: sh.Index, db: d, ref: sh.Ref, standalone: sh.Standalone})
	}
	if len(s.hosts) == 0 {
		return false, fmt.Errorf("xapisim: state %s has no hosts", s.cfg.StatePath)
	}
	return true, nil
}
