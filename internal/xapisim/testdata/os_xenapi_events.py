"""Follow the simulated pool's events and an Async call with XenAPI.py.

XenAPI.py from Debian's python3-os-xenapi, a client xsnet did not write:
it probes event.inject, reads event.from from a token, and follows an
Async.VLAN.create to its result. Usage: os_xenapi_events.py URL USER PASSWORD
"""

import sys
import time

from os_xenapi.client import XenAPI


def main(url, user, password):
    session = XenAPI.Session(url)
    session.xenapi.login_with_password(user, password, "1.0", "xsnet-test")
    api = session.xenapi
    event_from = getattr(api.event, "from")
    try:
        master = api.pool.get_master(api.pool.get_all()[0])
        pifs = api.PIF.get_all_records()
        eth1 = [ref for ref, p in pifs.items() if p["host"] == master and p["device"] == "eth1"][0]

        # The probe clients make: inject gives a token event.from answers at once.
        token = api.event.inject("PIF", eth1)
        batch = event_from(["pif"], token, 1.0)
        injected = [e for e in batch["events"] if e["ref"] == eth1]
        print("after inject:", [(e["class"], e["operation"]) for e in injected])
        if not injected or injected[0]["operation"] != "mod":
            raise SystemExit("event.from after event.inject: %r" % batch["events"])
        token = batch["token"]

        network = api.network.create({"name_label": "vm-30", "other_config": {}})
        task = api.Async.VLAN.create(eth1, "30", network)
        while api.task.get_status(task) == "pending":
            time.sleep(0.05)
        status = api.task.get_status(task)
        result = api.task.get_result(task)
        print("task:", status)
        if status != "success" or "OpaqueRef:" not in result:
            raise SystemExit("Async.VLAN.create: %s %r %r" % (status, result, api.task.get_error_info(task)))
        api.task.destroy(task)

        batch = event_from(["network", "vlan"], token, 5.0)
        seen = sorted(set((e["class"], e["operation"]) for e in batch["events"]))
        print("events since the token:", seen)
        if ("network", "add") not in seen or ("vlan", "add") not in seen:
            raise SystemExit("events since the token: %r" % seen)
        print("OK")
    finally:
        session.xenapi.session.logout()


if __name__ == "__main__":
    main(*sys.argv[1:4])
