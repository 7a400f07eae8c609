"""Drive the simulated pool with XenAPI.py from Debian's python3-os-xenapi.

A client xsnet did not write: if it logs in, lists PIFs, makes and removes
a bond and reads xapi's refusal of a second bond over the same NIC, the
simulator speaks xapi's XML-RPC. Usage: os_xenapi_bond.py URL USER PASSWORD
"""

import sys

from os_xenapi.client import XenAPI


def main(url, user, password):
    session = XenAPI.Session(url)
    session.xenapi.login_with_password(user, password, "1.0", "xsnet-test")
    api = session.xenapi
    try:
        master = api.pool.get_master(api.pool.get_all()[0])
        pifs = api.PIF.get_all_records()
        print("PIFs:", len(pifs))
        mine = {p["device"]: ref for ref, p in pifs.items() if p["host"] == master}
        for device in ("eth0", "eth1", "eth2", "eth3"):
            if device not in mine:
                raise SystemExit("no %s on the master: %s" % (device, sorted(mine)))

        network = api.network.create({"name_label": "bond", "MTU": "9000", "other_config": {}})
        bond = api.Bond.create(network, [mine["eth2"], mine["eth3"]], "", "balance-slb", {})
        record = api.Bond.get_record(bond)
        bond_master = api.PIF.get_record(record["master"])
        print("bond:", bond_master["device"], "MTU", bond_master["MTU"], "members", len(record["slaves"]))
        if bond_master["device"] != "bond0" or int(bond_master["MTU"]) != 9000:
            raise SystemExit("unexpected bond master %r" % bond_master)

        other = api.network.create({"name_label": "second", "other_config": {}})
        try:
            api.Bond.create(other, [mine["eth1"], mine["eth3"]], "", "balance-slb", {})
        except XenAPI.Failure as failure:
            print("second bond:", failure.details)
            if failure.details != ["PIF_ALREADY_BONDED", mine["eth3"]]:
                raise SystemExit("want PIF_ALREADY_BONDED for eth3, got %r" % failure.details)
        else:
            raise SystemExit("a second bond over eth3 was made")

        api.Bond.destroy(bond)
        if api.PIF.get_bond_slave_of(mine["eth2"]) != "OpaqueRef:NULL":
            raise SystemExit("eth2 still in a bond after Bond.destroy")
        api.network.destroy(other)
        api.network.destroy(network)
        print("OK")
    finally:
        session.xenapi.session.logout()


if __name__ == "__main__":
    main(*sys.argv[1:4])
