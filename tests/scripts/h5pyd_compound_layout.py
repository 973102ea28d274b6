"""Reads tests/c/compound_layout.c's file with h5pyd (argv[1]: the domain): the compounds the
connector stored with a recorded memory layout read as plain packed numpy records."""
import sys

import h5pyd


def main(domain):
    f = h5pyd.File(domain, "r")
    padded = f["padded"][...]
    assert padded.dtype.names == ("a", "b", "c"), padded.dtype
    for i in range(4):
        row = padded[i]
        assert (int(row["a"]), float(row["b"]), int(row["c"])) == (ord("a") + i, 1.5 * i, 100 + i), row
    attr = f.attrs["attr"][0]
    assert (int(attr["a"]), float(attr["b"]), int(attr["c"])) == (ord("a") + 7, 10.5, 107), attr
    nested = f["nested"][...]
    assert int(nested[1]["n"]) == 10, nested
    assert int(nested[1]["pair"][1]["c"]) == 103, nested
    assert float(nested[1]["pair"][0]["b"]) == 3.0, nested
    packed = f["packed"][...]
    assert int(packed[1]["b"]) == 1001, packed
    print("h5pyd read all values")


if __name__ == "__main__":
    main(sys.argv[1])
