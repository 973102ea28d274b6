"""Drive a running restvol (or HSDS) with h5pyd: folders, a domain, groups, soft and external
links, attributes of several types, dataset metadata; then reopen and check everything.

Usage: python h5pyd_metadata.py folders|write|check|all <folder> <name>
(HS_ENDPOINT, HS_USERNAME, HS_PASSWORD set). `write` ends by reopening the domain in append
mode, which makes the server flush (`PUT /?flush=1`).
"""
import sys

import numpy as np
import h5pyd
from h5pyd_common import folders as common_folders


def folders(folder):
    common_folders(folder)
    print("FOLDERS OK")


def write(folder, name):
    domain = folder + name
    with h5pyd.File(domain, "w") as f:
        g1 = f.create_group("g1")
        g2 = g1.create_group("g2")
        f.create_group("g1/g2/g3")
        f["soft"] = h5pyd.SoftLink("/g1/g2")
        f["ext"] = h5pyd.ExternalLink(folder + "other.h5", "/x")
        f.attrs["int_attr"] = 42
        f.attrs["float_list"] = [1.5, 2.5, 3.5]
        f.attrs["text"] = "hello restvol"
        f.attrs["matrix"] = np.arange(6, dtype="i2").reshape(2, 3)
        g2.attrs["u8"] = np.uint8(7)
        d = g1.create_dataset("dset", shape=(10, 20), dtype="f4")
        d.attrs["units"] = "m/s"
        f.create_dataset("ext_dset", shape=(0,), maxshape=(None,), dtype="i8", chunks=(1000,))
        f.create_dataset("scalar", shape=(), dtype="i4")
        dt = np.dtype([("a", "i4"), ("b", "f8")])
        f.create_dataset("table", shape=(5,), dtype=dt)
        f["ctype"] = np.dtype("u2")
        f.attrs["doomed"] = 1
        f.attrs["nan"] = np.float64("nan")
        f.attrs["names"] = ["a", "bb", "ccc"]
        f.attrs["flags"] = np.array([True, False])
        f.attrs["pair"] = np.array((1, 2.5), dtype=dt)
        f.create_group("doomed_group")
        ordered = f.create_group("ordered", track_order=True)
        for title in ("zeta", "alpha", "mid"):
            ordered.create_group(title)
        # h5pyd only sends deletions of items created before its last flush in this session
        f.flush()
        del f.attrs["doomed"]
        del f["doomed_group"]
    with h5pyd.File(domain, "a") as f:
        assert "g1" in f
        f["ext_dset"].resize((25,))
    with h5pyd.File(domain, "a") as f:  # opening in append mode flushes the server
        assert f["ext_dset"].shape == (25,)
    return domain


def check(folder, name):
    domain = folder + name
    with h5pyd.File(domain, "r") as f:
        assert set(f.keys()) == {"g1", "soft", "ext", "ext_dset", "scalar", "table", "ctype", "ordered"}, list(f.keys())
        # a group tracking creation order lists its links in that order (restvol stores each
        # link's creationOrder; HSDS orders by creation time)
        assert list(f["ordered"]) == ["zeta", "alpha", "mid"], list(f["ordered"])
        assert "g2" in f["g1"]
        assert "g3" in f["g1/g2"]
        assert f.get("soft", getlink=True).path == "/g1/g2"
        ext = f.get("ext", getlink=True)
        assert ext.path == "/x" and ext.filename == folder + "other.h5", (ext.path, ext.filename)
        assert f.attrs["int_attr"] == 42
        assert list(f.attrs["float_list"]) == [1.5, 2.5, 3.5]
        text = f.attrs["text"]
        text = text.decode() if isinstance(text, bytes) else text
        assert text == "hello restvol", text
        assert f.attrs["matrix"].tolist() == [[0, 1, 2], [3, 4, 5]]
        assert f["g1/g2"].attrs["u8"] == 7
        d = f["g1/dset"]
        assert d.shape == (10, 20) and d.dtype == np.dtype("f4"), (d.shape, d.dtype)
        units = d.attrs["units"]
        units = units.decode() if isinstance(units, bytes) else units
        assert units == "m/s"
        e = f["ext_dset"]
        assert e.shape == (25,) and e.maxshape == (None,), (e.shape, e.maxshape)
        assert "doomed" not in f.attrs and "doomed_group" not in f
        assert f.attrs["flags"].tolist() == [True, False], f.attrs["flags"]
        assert np.isnan(f.attrs["nan"])
        assert [n.decode() if isinstance(n, bytes) else n for n in f.attrs["names"]] == ["a", "bb", "ccc"]
        pair = f.attrs["pair"]
        assert pair["a"] == 1 and pair["b"] == 2.5, pair
        assert f["scalar"].shape == ()
        assert f["table"].dtype.names == ("a", "b")
        assert f["ctype"].dtype == np.dtype("u2")
    folders = h5pyd.Folder(folder)
    assert name in list(folders), list(folders)
    print("CHECK OK")


if __name__ == "__main__":
    mode, folder, name = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode in ("folders", "all"):
        folders(folder)
    if mode in ("write", "all"):
        write(folder, name)
        print("WRITE OK")
    if mode in ("check", "all"):
        check(folder, name)
