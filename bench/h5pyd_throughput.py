"""h5pyd writing then reading a float32 dataset (default 256 MiB) through an HSDS-compatible
server; prints "h5pyd-write <s> <MiB/s> MiB/s" and "h5pyd-read <s> <MiB/s> MiB/s".
usage: h5pyd_throughput.py ENDPOINT USER PASSWORD DOMAIN [MiB]"""
import sys
import time

import h5pyd
import numpy as np

endpoint, user, password, domain = sys.argv[1:5]
mib = int(sys.argv[5]) if len(sys.argv) > 5 else 256
rows = mib * 1024 * 1024 // 4 // 1024
data = (np.arange(rows * 1024, dtype=np.float32) % 977).reshape(rows, 1024)
slab = 256

t0 = time.perf_counter()
with h5pyd.File(domain, "w", endpoint=endpoint, username=user, password=password) as f:
    dset = f.create_dataset("data", (rows, 1024), dtype="f4", chunks=(1024, 1024))
    for r in range(0, rows, slab):
        dset[r:r + slab] = data[r:r + slab]
t_write = time.perf_counter() - t0

t0 = time.perf_counter()
with h5pyd.File(domain, "r", endpoint=endpoint, username=user, password=password) as f:
    dset = f["data"]
    for r in range(0, rows, slab):
        if not np.array_equal(dset[r:r + slab], data[r:r + slab]):
            sys.exit(f"values differ in rows {r}..{r + slab}")
t_read = time.perf_counter() - t0
print(f"h5pyd-write {t_write:.3f} {mib / t_write:.1f} MiB/s")
print(f"h5pyd-read {t_read:.3f} {mib / t_read:.1f} MiB/s")
