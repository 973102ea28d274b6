"""Object references between h5pyd and the restvol connector, through a running restvol serve.

Usage: python h5pyd_references.py write|check <folder> <name>
(HS_ENDPOINT, HS_USERNAME, HS_PASSWORD set).

- `write` makes the folder, then a domain with group `g`, dataset `data` (4x5 int32, values
  0..19) and object references to `/g`, `/data` and `/` in dataset `objrefs` and in the root
  attribute `objrefs`, as h5pyd stores them.
- `check` reads the references the connector's C test stored (dataset `refs` and attribute
  `refs` of group `g`: the first two are object references to `/g` and `/data`) and
  dereferences them with h5pyd.
"""
import sys

import numpy as np
import h5pyd
from h5pyd_common import folders
from h5json.hdf5dtype import Reference


def write(domain):
    with h5pyd.File(domain, "w") as f:
        g = f.create_group("g")
        data = f.create_dataset("data", data=np.arange(20, dtype="i4").reshape(4, 5))
        ref_dt = h5pyd.special_dtype(ref=h5pyd.Reference)
        refs = f.create_dataset("objrefs", (3,), dtype=ref_dt)
        refs[0] = g.ref
        refs[1] = data.ref
        refs[2] = f.ref
        f.attrs.create("objrefs", [g.ref, data.ref, f.ref], dtype=ref_dt)
    print("WRITE OK")


def as_reference(value):
    if isinstance(value, Reference):
        return value
    if isinstance(value, np.ndarray):
        value = value.item()
    return Reference(value)


def deref_name(f, value):
    return f[as_reference(value)].name


def check(domain):
    with h5pyd.File(domain, "r") as f:
        refs = f["refs"]
        names = [deref_name(f, refs[i]) for i in range(2)]
        assert names == ["/g", "/data"], names
        assert f[as_reference(refs[1])][1, 2] == 7
        attr = f["g"].attrs["refs"]
        names = [deref_name(f, attr[i]) for i in range(2)]
        assert names == ["/g", "/data"], names
    print("CHECK OK")


def main():
    mode, folder, name = sys.argv[1:4]
    if mode == "write":
        folders(folder)
        write(folder + name)
    elif mode == "check":
        check(folder + name)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
