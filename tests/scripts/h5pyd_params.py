"""Drive a running restvol (or HSDS) with h5pyd and its HTTP connection: the value endpoints'
`append`, `fields` and `query` parameters (read_where, field reads and writes, query updates,
appends and their error statuses), every answer compared with numpy.

Usage: python h5pyd_params.py <folder> <name>   (HS_ENDPOINT/HS_USERNAME/HS_PASSWORD set)
"""
import sys

import numpy as np
import h5pyd
from h5pyd_common import folders

DT = np.dtype([("temp", "<i4"), ("name", "S4"), ("w", "<f8")])


def status(rsp, want, what):
    assert rsp.status_code == want, f"{what}: status {rsp.status_code}, wanted {want}"


def main(folder, name):
    folders(folder)
    rows = np.zeros(6, dtype=DT)
    rows["temp"] = np.arange(6) * 10
    rows["name"] = [b"x", b"y"] * 3
    rows["w"] = np.arange(6) * 0.5
    with h5pyd.File(folder + name, "w") as f:
        dset = f.create_dataset("t", shape=(6,), maxshape=(None,), dtype=DT, chunks=(3,))
        dset[:] = rows
        ints = f.create_dataset("i", shape=(2, 3), maxshape=(None, 3), dtype="i4", chunks=(2, 3))
        ints[:] = np.arange(6).reshape(2, 3)
        fixed = f.create_dataset("fixed", shape=(2,), dtype="i4")
        fixed[:] = [1, 2]
    with h5pyd.File(folder + name, "a") as f:
        dset = f["t"]
        # fields: reads and a member write
        np.testing.assert_array_equal(dset["temp"], rows["temp"])
        sub = dset.fields(["w", "temp"])[1:4]
        np.testing.assert_array_equal(sub["w"], rows["w"][1:4])
        np.testing.assert_array_equal(sub["temp"], rows["temp"][1:4])
        dset["temp", 0:2] = np.array([100, 110], dtype="i4")
        rows["temp"][0:2] = [100, 110]
        f.flush()
        np.testing.assert_array_equal(dset[...], rows)
        # query: read_where on a table
        table = h5pyd.Table(dset.id)
        got = np.array(list(table.read_where("temp > 15 & name == b'x'")), dtype=DT)
        want = rows[(rows["temp"] > 15) & (rows["name"] == b"x")]
        np.testing.assert_array_equal(got, want)
        got = np.array(list(table.read_where("(w >= 1.0) | (name == y)")), dtype=DT)
        want = rows[(rows["w"] >= 1.0) | (rows["name"] == b"y")]
        np.testing.assert_array_equal(got, want)

        conn = f.id.db.plugin.http_conn
        url = f"/datasets/{dset.id.uuid}/value"
        rsp = conn.GET(url, params={"query": "name == y", "Limit": 2, "fields": "temp"})
        status(rsp, 200, "GET query")
        assert rsp.json()["value"] == [[110], [30]], rsp.json()
        rsp = conn.GET(url, params={"query": "temp >"})
        status(rsp, 400, "malformed query")
        rsp = conn.GET(url, params={"query": "nope == 1"})
        status(rsp, 400, "unknown field")
        rsp = conn.GET(url, params={"fields": "nope"})
        status(rsp, 400, "unknown fields member")
        # query update
        rsp = conn.PUT(url, params={"query": "name == x"}, body={"w": 9.5})
        status(rsp, 200, "PUT query")
        assert rsp.json()["indices"] == [[0], [2], [4]], rsp.json()
        rows["w"][[0, 2, 4]] = 9.5
        np.testing.assert_array_equal(dset[...], rows)

        # append
        iurl = f"/datasets/{f['i'].id.uuid}/value"
        rsp = conn.PUT(iurl, params={"append": 1}, body={"value": [[6, 7, 8]]})
        status(rsp, 200, "append")
        rsp = conn.PUT(iurl, body={"value": [[9, 10, 11]], "append": 1, "append_dim": 0})
        status(rsp, 200, "append in body")
        rsp = conn.PUT(iurl, params={"append": 1, "append_dim": 1}, body={"value": [[0], [0]]})
        status(rsp, 409, "append past maxdims")
        rsp = conn.PUT(iurl, params={"append": 1, "append_dim": 2}, body={"value": [[0, 0, 0]]})
        status(rsp, 400, "bad append_dim")
        rsp = conn.PUT(iurl, params={"append": 1, "select": "[0:1,:]"}, body={"value": [[0, 0, 0]]})
        status(rsp, 400, "append with select")
        furl = f"/datasets/{f['fixed'].id.uuid}/value"
        rsp = conn.PUT(furl, params={"append": 1}, body={"value": [3]})
        status(rsp, 400, "append to a fixed shape")
    with h5pyd.File(folder + name, "r") as f:
        np.testing.assert_array_equal(f["i"][...], np.arange(12).reshape(4, 3))
        np.testing.assert_array_equal(f["t"][...], rows)
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
