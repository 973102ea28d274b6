"""Round trip of a real HDF5 file through a running restvol (or HSDS) with h5pyd's own tools:
h5py makes a file (many type classes, groups, attributes, links, chunked+compressed datasets),
`hsload` copies it into a domain, `hsls -r` lists it, `hsget` copies it back to a file, and
h5py compares every object, dtype, shape, value, attribute and link with the original.

Usage: python h5pyd_hsload.py <folder> <workdir>
(HS_ENDPOINT/HS_USERNAME/HS_PASSWORD set; the tools are run from this interpreter's bin/).
"""
import os
import subprocess
import sys

import h5py
import h5pyd
from h5pyd_common import folders
import numpy as np

BIN = os.path.dirname(sys.executable)

# What h5pyd 1.0.0's tools lose on the way (the same against HSDS 1.0.2), reported but not
# counted: the string padding of fixed strings (h5json derives the type from the numpy dtype,
# always H5T_STR_NULLPAD), and a null dataspace (hsget writes a scalar).
CLIENT_LIMITS = {
    "strings/fixed_nullterm: strpad",
    "strings/fixed_spacepad: strpad",
    "layouts/null: shape None != ()",
}

COMPOUND = np.dtype([
    ("id", "<i4"),
    ("pos", [("x", "<f8"), ("y", ">f4")]),
    ("name", "S6"),
    ("grid", "<i2", (2, 2)),
])


def fixed_string_type(size, pad, cset=h5py.h5t.CSET_ASCII):
    tid = h5py.h5t.C_S1.copy()
    tid.set_size(size)
    tid.set_strpad(pad)
    tid.set_cset(cset)
    return tid


def make_source(path):
    """The original file."""
    with h5py.File(path, "w") as f:
        f.attrs["title"] = "hsload round trip"
        f.attrs["version"] = np.int16(3)
        f.attrs["scales"] = np.array([0.5, 1.5, 2.5], dtype=">f8")
        f.attrs.create("fixed_attr", np.bytes_(b"fixed"), dtype="S5")
        f.attrs["cmpd_attr"] = np.array([(1, (2.0, 3.0), b"ab", [[1, 2], [3, 4]])], dtype=COMPOUND)

        g = f.create_group("numbers")
        for kind in "iu":
            for size in (1, 2, 4, 8):
                for order in "<>":
                    dt = np.dtype(f"{order}{kind}{size}")
                    info = np.iinfo(dt)
                    arr = np.array([info.min, 0, 1, info.max // 3, info.max], dtype=dt)
                    g.create_dataset(f"{kind}{size}{'le' if order == '<' else 'be'}", data=arr)
        for size in (2, 4, 8):
            for order in "<>":
                dt = np.dtype(f"{order}f{size}")
                arr = np.array([0.0, -1.5, np.inf, np.nan, np.finfo(dt).max], dtype=dt)
                g.create_dataset(f"f{size}{'le' if order == '<' else 'be'}", data=arr)

        s = f.create_group("strings")
        s.create_dataset("vlen_utf8", data=np.array(["grüße", "日本", ""], dtype=object),
                         dtype=h5py.string_dtype("utf-8"))
        s.create_dataset("vlen_ascii", data=np.array([b"abc", b"", b"defg"], dtype=object),
                         dtype=h5py.string_dtype("ascii"))
        s.create_dataset("fixed_nullpad", data=np.array([b"ab", b"cdef"], dtype="S6"))
        for name, pad in (("fixed_nullterm", h5py.h5t.STR_NULLTERM),
                          ("fixed_spacepad", h5py.h5t.STR_SPACEPAD)):
            tid = fixed_string_type(6, pad)
            space = h5py.h5s.create_simple((2,))
            dset = h5py.h5d.create(s.id, name.encode(), tid, space)
            dset.write(h5py.h5s.ALL, h5py.h5s.ALL, np.array([b"ab", b"cdef"], dtype="S6"),
                       mtype=tid)
        tid = fixed_string_type(12, h5py.h5t.STR_NULLPAD, h5py.h5t.CSET_UTF8)
        space = h5py.h5s.create_simple((2,))
        dset = h5py.h5d.create(s.id, b"fixed_utf8", tid, space)
        dset.write(h5py.h5s.ALL, h5py.h5s.ALL,
                   np.array(["grüße".encode(), "日本".encode()], dtype="S12"), mtype=tid)

        c = f.create_group("complex")
        cmpd = np.zeros((4, 3), dtype=COMPOUND)
        cmpd["id"] = np.arange(12).reshape(4, 3)
        cmpd["pos"]["x"] = np.arange(12).reshape(4, 3) / 3
        cmpd["name"] = b"n"
        cmpd["grid"] = np.arange(48, dtype="i2").reshape(4, 3, 2, 2)
        c.create_dataset("compound", data=cmpd, chunks=(2, 2), compression="gzip", shuffle=True)
        colors = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 7}, basetype="i1")
        c.create_dataset("enum", data=np.array([0, 7, 1, 7], dtype="i1"), dtype=colors)
        c.create_dataset("bool", data=np.array([True, False, True]))
        # (no H5T_ARRAY dataset: hsload 1.0.0 fails on its fill value, "The truth value of an
        # array ... is ambiguous", in h5pyd's make_new_dset; arrays appear as compound members)
        vl = c.create_dataset("vlen", shape=(3,), dtype=h5py.vlen_dtype("<i2"))
        vl[0] = np.array([1, 2, 3], dtype="i2")
        vl[1] = np.array([4], dtype="i2")
        vl[2] = np.array([5, 6], dtype="i2")
        c.create_dataset("opaque", data=np.array([b"\x01\x02\x03", b"xyz"], dtype="V3"))
        f["complex/committed"] = np.dtype([("a", "<f4"), ("b", "<i8")])
        c.create_dataset("uses_committed", data=np.array([(1.5, 2), (2.5, -3)],
                                                         dtype=f["complex/committed"].dtype),
                         dtype=f["complex/committed"])

        lay = f.create_group("layouts")
        big = np.arange(200 * 30, dtype="<f4").reshape(200, 30) % 13
        lay.create_dataset("deflate_shuffle", data=big, chunks=(50, 10), compression="gzip",
                           compression_opts=5, shuffle=True)
        lay.create_dataset("contiguous", data=np.arange(100, dtype=">i4"))
        lay.create_dataset("resizable", data=np.arange(10, dtype="i8"), maxshape=(None,),
                           chunks=(4,))
        lay.create_dataset("filled", shape=(6, 5), dtype="i4", chunks=(3, 5), fillvalue=-7)
        lay["filled"][1, :] = np.arange(5)
        lay.create_dataset("scalar", data=np.float64(2.75))
        lay.create_dataset("empty", shape=(0,), dtype="f8", maxshape=(None,), chunks=(8,))
        lay.create_dataset("null", data=h5py.Empty("i4"))
        lay["deflate_shuffle"].attrs["units"] = "m/s"
        lay["deflate_shuffle"].attrs["valid_range"] = np.array([0, 12], dtype="<f4")

        ln = f.create_group("links")
        ln["soft"] = h5py.SoftLink("/layouts/contiguous")
        ln["dangling"] = h5py.SoftLink("/nowhere")
        ln["external"] = h5py.ExternalLink("other.h5", "/some/path")
        ln["hard"] = f["numbers/i4le"]
        f.create_group("empty_group")


def run(*args):
    print("$", " ".join(args), flush=True)
    out = subprocess.run([os.path.join(BIN, args[0]), *args[1:]], capture_output=True,
                         text=True, timeout=600)
    print(out.stdout + out.stderr, flush=True)
    if out.returncode != 0:
        raise SystemExit(f"{args[0]} failed with status {out.returncode}")
    return out.stdout


def objects(f):
    """Every path in the file -> its h5py link object (each group walked once)."""
    out = {}
    seen = set()

    def walk(group, prefix):
        for name in group:
            path = prefix + name
            link = group.get(name, getlink=True)
            out[path] = link
            if isinstance(link, h5py.HardLink):
                obj = group[name]
                if isinstance(obj, h5py.Group) and obj.id not in seen:
                    seen.add(obj.id)
                    walk(obj, path + "/")

    walk(f, "")
    return out


def same_values(a, b, what):
    if a.dtype.kind == "O" or (a.dtype.names and any(a.dtype[n].kind == "O" for n in a.dtype.names)):
        assert [repr(x) for x in a.flat] == [repr(x) for x in b.flat], f"{what}: {a!r} != {b!r}"
    elif a.dtype.kind == "V" and not a.dtype.names:
        assert a.tobytes() == b.tobytes(), f"{what}: {a!r} != {b!r}"
    else:
        np.testing.assert_array_equal(a, b, err_msg=what)


def compare_attrs(a, b, what):
    assert sorted(a.attrs) == sorted(b.attrs), f"{what} attrs: {sorted(a.attrs)} != {sorted(b.attrs)}"
    for k in a.attrs:
        x, y = a.attrs[k], b.attrs[k]
        if isinstance(x, h5py.Empty):
            assert isinstance(y, h5py.Empty) and x.dtype == y.dtype, f"{what}@{k}"
            continue
        x, y = np.asarray(x), np.asarray(y)
        assert x.dtype == y.dtype, f"{what}@{k}: dtype {x.dtype} != {y.dtype}"
        assert x.shape == y.shape, f"{what}@{k}: shape {x.shape} != {y.shape}"
        same_values(x, y, f"{what}@{k}")


def compare(src_path, dst_path):
    problems = []
    with h5py.File(src_path, "r") as src, h5py.File(dst_path, "r") as dst:
        compare_attrs(src, dst, "/")
        want, got = objects(src), objects(dst)
        assert sorted(want) == sorted(got), f"paths: {sorted(want)} != {sorted(got)}"
        for path, link in want.items():
            try:
                other = got[path]
                assert type(link) is type(other), f"{path}: {type(link)} != {type(other)}"
                if isinstance(link, h5py.SoftLink):
                    assert link.path == other.path, f"{path}: {link.path} != {other.path}"
                    continue
                if isinstance(link, h5py.ExternalLink):
                    assert (link.filename, link.path) == (other.filename, other.path), path
                    continue
                a, b = src[path], dst[path]
                assert type(a) is type(b), f"{path}: {type(a)} != {type(b)}"
                compare_attrs(a, b, path)
                if isinstance(a, h5py.Datatype):
                    assert a.dtype == b.dtype, f"{path}: {a.dtype} != {b.dtype}"
                if not isinstance(a, h5py.Dataset):
                    continue
                assert a.dtype == b.dtype, f"{path}: dtype {a.dtype} != {b.dtype}"
                ta, tb = a.id.get_type(), b.id.get_type()
                if isinstance(ta, h5py.h5t.TypeStringID):
                    assert ta.get_strpad() == tb.get_strpad(), f"{path}: strpad"
                    assert ta.get_cset() == tb.get_cset(), f"{path}: cset"
                assert a.shape == b.shape, f"{path}: shape {a.shape} != {b.shape}"
                assert a.maxshape == b.maxshape, f"{path}: maxshape {a.maxshape} != {b.maxshape}"
                if a.chunks is not None:
                    assert b.chunks is not None, f"{path}: chunks {a.chunks} != {b.chunks}"
                if a.compression is not None:
                    assert a.compression == b.compression, f"{path}: {a.compression} != {b.compression}"
                    assert a.shuffle == b.shuffle, f"{path}: shuffle"
                if a.fillvalue is not None and a.dtype.kind in "iuf":
                    assert a.fillvalue == b.fillvalue, f"{path}: fill {a.fillvalue} != {b.fillvalue}"
                if a.shape is None:
                    assert b.shape is None, path
                    continue
                same_values(a[()], b[()], path)
            except AssertionError as e:
                problems.append(str(e))
    return problems


def main(folder, workdir):
    src = os.path.join(workdir, "source.h5")
    back = os.path.join(workdir, "back.h5")
    domain = folder + "loaded.h5"
    make_source(src)
    folders(folder)
    run("hsload", src, domain)
    listing = run("hsls", "-r", domain)
    for name in ("numbers/i8be", "strings/fixed_spacepad", "complex/compound", "complex/committed",
                 "layouts/deflate_shuffle", "links/soft", "links/external", "empty_group"):
        assert name in listing, f"hsls -r does not list {name}"
    run("hsget", domain, back)
    problems = compare(src, back)
    for p in problems:
        print("client limitation:" if p in CLIENT_LIMITS else "MISMATCH:", p)
    problems = [p for p in problems if p not in CLIENT_LIMITS]
    if problems:
        raise SystemExit(f"{len(problems)} mismatches")
    print("ROUND TRIP OK")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
