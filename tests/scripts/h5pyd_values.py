"""Drive a running restvol (or HSDS) with h5pyd: dataset values written and read with
hyperslabs, steps, point selections and fancy indexing, deflate+shuffle, fill values, scalars,
strings and resizing; every read compared with numpy.

Usage: python h5pyd_values.py write|check|all <folder> <name>
(HS_ENDPOINT/HS_USERNAME/HS_PASSWORD set)
"""
import sys

import numpy as np
import h5pyd
from h5pyd_common import folders


def expected():
    """The arrays the write step leaves, by dataset name."""
    grid = np.arange(40 * 30, dtype="i4").reshape(40, 30)
    grid[5:35:3, 2:29:4] = -np.arange(10 * 7, dtype="i4").reshape(10, 7)
    packed = (np.arange(100 * 50, dtype="f8") % 17).reshape(100, 50)
    packed[::7, 3] = 1.25
    filled = np.full((12, 9), 42, dtype="i2")
    filled[3:6, 4:8] = 7
    filled[[0, 11], 0] = 1  # points
    return {"grid": grid, "packed": packed, "filled": filled}


def write(folder, name):
    folders(folder)
    exp = expected()
    with h5pyd.File(folder + name, "w") as f:
        grid = f.create_dataset("grid", shape=(40, 30), dtype="i4", chunks=(16, 8))
        grid[...] = np.arange(40 * 30, dtype="i4").reshape(40, 30)
        grid[5:35:3, 2:29:4] = -np.arange(10 * 7, dtype="i4").reshape(10, 7)
        packed = f.create_dataset(
            "packed", shape=(100, 50), dtype="f8", chunks=(25, 25), compression="gzip",
            compression_opts=6, shuffle=True)
        packed[...] = (np.arange(100 * 50, dtype="f8") % 17).reshape(100, 50)
        packed[::7, 3] = 1.25
        filled = f.create_dataset("filled", shape=(12, 9), dtype="i2", chunks=(5, 4), fillvalue=42)
        filled[3:6, 4:8] = 7
        filled[0, 0] = 1
        filled[11, 0] = 1
        scalar = f.create_dataset("scalar", shape=(), dtype="f4")
        scalar[()] = 3.5
        f.create_dataset("words", data=np.array(["alpha", "beta", "gamma"], dtype=object),
                         dtype=h5pyd.string_dtype())
        ext = f.create_dataset("ext", shape=(10,), maxshape=(None,), dtype="i8", chunks=(4,))
        ext[...] = np.arange(10)
        f.flush()  # h5pyd buffers writes; resize before they reach the server mis-sizes them
        ext.resize((6,))
        f.flush()
        ext.resize((12,))
        f.flush()
        # Read back right away (served from the chunk caches).
        for key, arr in exp.items():
            np.testing.assert_array_equal(f[key][...], arr, err_msg=key)


def check(folder, name):
    exp = expected()
    with h5pyd.File(folder + name, "r") as f:
        for key, arr in exp.items():
            np.testing.assert_array_equal(f[key][...], arr, err_msg=key)
        grid, g = f["grid"], exp["grid"]
        np.testing.assert_array_equal(grid[3:37:5, 1:30:6], g[3:37:5, 1:30:6])
        np.testing.assert_array_equal(grid[7], g[7])
        np.testing.assert_array_equal(grid[:, 4], g[:, 4])
        np.testing.assert_array_equal(grid[[1, 5, 20, 39], 2:9], g[[1, 5, 20, 39], 2:9])
        np.testing.assert_array_equal(grid[10:12, [0, 3, 29]], g[10:12, [0, 3, 29]])
        mask = np.zeros(g.shape, dtype=bool)
        mask[[0, 5, 17, 39], [29, 2, 6, 0]] = True
        np.testing.assert_array_equal(grid[mask], g[mask])  # a point selection (POST)
        packed, p = f["packed"], exp["packed"]
        assert packed.compression == "gzip" and packed.shuffle, (packed.compression, packed.shuffle)
        np.testing.assert_array_equal(packed[90:100:3, 40:], p[90:100:3, 40:])
        filled = f["filled"]
        assert filled.fillvalue == 42, filled.fillvalue
        np.testing.assert_array_equal(filled[11, :], exp["filled"][11, :])
        assert f["scalar"][()] == np.float32(3.5)
        words = [w.decode() if isinstance(w, bytes) else w for w in f["words"][...]]
        assert words == ["alpha", "beta", "gamma"], words
        ext = f["ext"]
        assert ext.shape == (12,), ext.shape
        np.testing.assert_array_equal(ext[...], np.array([0, 1, 2, 3, 4, 5] + [0] * 6))


if __name__ == "__main__":
    mode, folder, name = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode in ("write", "all"):
        write(folder, name)
        print("WRITE OK")
    if mode in ("check", "all"):
        check(folder, name)
        print("CHECK OK")
