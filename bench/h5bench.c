/*
 * h5bench: the workloads of shared/reference/peer-figures.md, written against the plain HDF5 C
 * API so the same binary measures the native connector (a local .h5 file) and restvol (any
 * mode, chosen by HDF5_VOL_CONNECTOR and the restvol environment).
 *
 *   write   create /data, float32 (NZ, 1024, 1024), chunks (16, 256, 256), written in slabs
 *           of 16 planes
 *   read    read it back in the same slabs and verify a checksum
 *   column  200 reads of [:, y, x] at random (y, x); mean latency per read
 *   meta    2000 groups with 2 small attributes each (6000 operations), then reopen, iterate
 *           the groups and read every attribute
 *   small   2000 writes (then H5Fflush), then 2000 checked reads, of a 4x4 int block of a
 *           64x64 dataset (one small request each unless the connector holds the value)
 *   attrs   10000 attributes on one group, each checked absent, created, written, closed and
 *           checked present (testhdf5 attr's pattern); the rate over the first and the last
 *           1000 shows whether an operation's cost grows with the object
 *
 * usage: h5bench FILE [NZ] [workload...]     (NZ = 256 gives 1 GiB; default 256; all workloads
 *        unless some are named)
 * Prints one line per workload: "<name> <seconds> <figure> <unit>".
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NY 1024
#define NX 1024
#define CZ 16
#define CY 256
#define CX 256
#define NGROUPS 2000
#define NCOLUMNS 200

#define CHECK(expr)                                                                          \
    do {                                                                                     \
        if ((expr) < 0) {                                                                    \
            fprintf(stderr, "h5bench: %s failed (line %d)\n", #expr, __LINE__);              \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static float value_at(size_t z, size_t y, size_t x)
{
    return (float)((z * 7 + y * 3 + x) % 1000);
}

static void fill_slab(float *slab, size_t z0)
{
    for (size_t z = 0; z < CZ; z++)
        for (size_t y = 0; y < NY; y++)
            for (size_t x = 0; x < NX; x++)
                slab[(z * NY + y) * NX + x] = value_at(z0 + z, y, x);
}

static void bench_write(const char *name, size_t nz)
{
    hsize_t dims[3] = {nz, NY, NX}, chunk[3] = {CZ, CY, CX}, count[3] = {CZ, NY, NX};
    hsize_t start[3] = {0, 0, 0};
    float *slab = malloc(sizeof(float) * CZ * NY * NX);
    hid_t file, space, dcpl, dset, mem;
    double t0 = now(), busy = 0;

    CHECK(file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(space = H5Screate_simple(3, dims, NULL));
    CHECK(dcpl = H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5Pset_chunk(dcpl, 3, chunk));
    CHECK(dset = H5Dcreate2(file, "data", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    CHECK(mem = H5Screate_simple(3, count, NULL));
    for (size_t z0 = 0; z0 < nz; z0 += CZ) {
        double f0 = now();
        fill_slab(slab, z0);
        busy += now() - f0;
        start[0] = z0;
        CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL));
        CHECK(H5Dwrite(dset, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, slab));
    }
    CHECK(H5Sclose(mem));
    CHECK(H5Dclose(dset));
    CHECK(H5Pclose(dcpl));
    CHECK(H5Sclose(space));
    CHECK(H5Fclose(file));
    double t = now() - t0 - busy;
    printf("write %.3f %.1f MiB/s\n", t, (double)nz * NY * NX * 4 / 1048576.0 / t);
    free(slab);
}

static void bench_read(const char *name, size_t nz)
{
    hsize_t count[3] = {CZ, NY, NX}, start[3] = {0, 0, 0};
    float *slab = malloc(sizeof(float) * CZ * NY * NX);
    hid_t file, dset, space, mem;
    size_t bad = 0;
    double t0 = now(), busy = 0;

    CHECK(file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK(dset = H5Dopen2(file, "data", H5P_DEFAULT));
    CHECK(space = H5Dget_space(dset));
    CHECK(mem = H5Screate_simple(3, count, NULL));
    for (size_t z0 = 0; z0 < nz; z0 += CZ) {
        start[0] = z0;
        CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL));
        CHECK(H5Dread(dset, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, slab));
        double c0 = now();
        for (size_t z = 0; z < CZ; z += 5)
            for (size_t y = 0; y < NY; y += 7)
                for (size_t x = 0; x < NX; x += 3)
                    if (slab[(z * NY + y) * NX + x] != value_at(z0 + z, y, x))
                        bad++;
        busy += now() - c0;
    }
    CHECK(H5Sclose(mem));
    CHECK(H5Sclose(space));
    CHECK(H5Dclose(dset));
    CHECK(H5Fclose(file));
    double t = now() - t0 - busy;
    if (bad) {
        fprintf(stderr, "h5bench: %zu values differ\n", bad);
        exit(1);
    }
    printf("read %.3f %.1f MiB/s\n", t, (double)nz * NY * NX * 4 / 1048576.0 / t);
    free(slab);
}

static void bench_column(const char *name, size_t nz)
{
    hsize_t count[3] = {nz, 1, 1}, start[3] = {0, 0, 0}, mcount[1] = {nz};
    float *column = malloc(sizeof(float) * nz);
    hid_t file, dset, space, mem;
    size_t bad = 0;

    srand(42);
    CHECK(file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK(dset = H5Dopen2(file, "data", H5P_DEFAULT));
    CHECK(space = H5Dget_space(dset));
    CHECK(mem = H5Screate_simple(1, mcount, NULL));
    double t0 = now();
    for (int i = 0; i < NCOLUMNS; i++) {
        start[1] = (hsize_t)(rand() % NY);
        start[2] = (hsize_t)(rand() % NX);
        CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL));
        CHECK(H5Dread(dset, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, column));
        for (size_t z = 0; z < nz; z++)
            if (column[z] != value_at(z, start[1], start[2]))
                bad++;
    }
    double t = now() - t0;
    CHECK(H5Sclose(mem));
    CHECK(H5Sclose(space));
    CHECK(H5Dclose(dset));
    CHECK(H5Fclose(file));
    if (bad) {
        fprintf(stderr, "h5bench: %zu column values differ\n", bad);
        exit(1);
    }
    printf("column %.3f %.3f ms/read\n", t, t * 1000.0 / NCOLUMNS);
    free(column);
}

static herr_t read_attrs(hid_t group, const char *name, const H5L_info2_t *info, void *data)
{
    size_t *reads = data;
    (void)info;
    for (int a = 0; a < 2; a++) {
        char aname[8];
        int value = -1;
        snprintf(aname, sizeof aname, "a%d", a);
        hid_t attr = H5Aopen_by_name(group, name, aname, H5P_DEFAULT, H5P_DEFAULT);
        if (attr < 0 || H5Aread(attr, H5T_NATIVE_INT, &value) < 0 || value != a)
            return -1;
        H5Aclose(attr);
        (*reads)++;
    }
    return 0;
}

static void bench_meta(const char *name)
{
    hid_t file, space;
    double t0 = now();
    CHECK(file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(space = H5Screate(H5S_SCALAR));
    for (int g = 0; g < NGROUPS; g++) {
        char gname[16];
        snprintf(gname, sizeof gname, "g%05d", g);
        hid_t group;
        CHECK(group = H5Gcreate2(file, gname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        for (int a = 0; a < 2; a++) {
            char aname[8];
            snprintf(aname, sizeof aname, "a%d", a);
            hid_t attr;
            CHECK(attr = H5Acreate2(group, aname, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT));
            CHECK(H5Awrite(attr, H5T_NATIVE_INT, &a));
            CHECK(H5Aclose(attr));
        }
        CHECK(H5Gclose(group));
    }
    CHECK(H5Sclose(space));
    CHECK(H5Fclose(file));
    double t_create = now() - t0;

    size_t reads = 0;
    t0 = now();
    CHECK(file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK(H5Literate2(file, H5_INDEX_NAME, H5_ITER_INC, NULL, read_attrs, &reads));
    CHECK(H5Fclose(file));
    double t_read = now() - t0;
    if (reads != 2 * NGROUPS) {
        fprintf(stderr, "h5bench: read %zu attributes, expected %d\n", reads, 2 * NGROUPS);
        exit(1);
    }
    printf("meta-create %.3f %.0f ops/s\n", t_create, 3.0 * NGROUPS / t_create);
    printf("meta-read %.3f %.0f ops/s\n", t_read, 3.0 * NGROUPS / t_read);
}

/* Small requests: SMALL_OPS writes, then SMALL_OPS reads, of a 4x4 block of a 64x64 int
 * dataset (chunks 16x16) at moving places; every read is checked against what was written. */
#define SMALL_OPS 2000
static void bench_small(const char *name)
{
    hid_t file, space, dcpl, dset, mem;
    hsize_t dims[2] = {64, 64}, chunk[2] = {16, 16}, count[2] = {4, 4};
    CHECK(file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(space = H5Screate_simple(2, dims, NULL));
    CHECK(dcpl = H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5Pset_chunk(dcpl, 2, chunk));
    CHECK(dset = H5Dcreate2(file, "small", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    CHECK(mem = H5Screate_simple(2, count, NULL));
    int block[16];
    double t0 = now();
    for (int i = 0; i < SMALL_OPS; i++) {
        hsize_t start[2] = {(hsize_t)(i * 4) % 64, (hsize_t)(i * 4 / 64 * 4) % 64};
        for (int k = 0; k < 16; k++)
            block[k] = i * 16 + k;
        CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL));
        CHECK(H5Dwrite(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, block));
    }
    /* Writes held back (restvol's write-back, native's chunk cache) count once stored. */
    CHECK(H5Fflush(file, H5F_SCOPE_LOCAL));
    double t_write = now() - t0;
    size_t bad = 0;
    t0 = now();
    for (int i = SMALL_OPS - 256; i < 2 * SMALL_OPS - 256; i++) {
        int last = SMALL_OPS - 256 + (i % 256); /* the last write to each of the 256 blocks */
        hsize_t start[2] = {(hsize_t)(last * 4) % 64, (hsize_t)(last * 4 / 64 * 4) % 64};
        CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL));
        CHECK(H5Dread(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, block));
        for (int k = 0; k < 16; k++)
            bad += block[k] != last * 16 + k;
    }
    double t_read = now() - t0;
    CHECK(H5Sclose(mem));
    CHECK(H5Dclose(dset));
    CHECK(H5Pclose(dcpl));
    CHECK(H5Sclose(space));
    CHECK(H5Fclose(file));
    if (bad) {
        fprintf(stderr, "h5bench: %zu small-read values differ\n", bad);
        exit(1);
    }
    printf("small-write %.3f %.0f ops/s\n", t_write, SMALL_OPS / t_write);
    printf("small-read %.3f %.0f ops/s\n", t_read, SMALL_OPS / t_read);
}

/* Many attributes on one object: the rate over the first and the last ATTRS_WINDOW. */
#define ATTRS_TOTAL 10000
#define ATTRS_WINDOW 1000
static void bench_attrs(const char *name)
{
    hid_t file, group, space;
    CHECK(file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(group = H5Gcreate2(file, "many", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(space = H5Screate(H5S_SCALAR));
    double first = 0, last = 0, t0 = now(), window = t0;
    for (int u = 0; u < ATTRS_TOTAL; u++) {
        char aname[32];
        snprintf(aname, sizeof aname, "attr %05d", u);
        if (H5Aexists(group, aname) != 0) {
            fprintf(stderr, "h5bench: %s exists before it is made\n", aname);
            exit(1);
        }
        hid_t attr;
        CHECK(attr = H5Acreate2(group, aname, H5T_NATIVE_UINT, space, H5P_DEFAULT, H5P_DEFAULT));
        unsigned value = (unsigned)u;
        CHECK(H5Awrite(attr, H5T_NATIVE_UINT, &value));
        CHECK(H5Aclose(attr));
        if (H5Aexists(group, aname) != 1) {
            fprintf(stderr, "h5bench: %s is missing after it was made\n", aname);
            exit(1);
        }
        if (u + 1 == ATTRS_WINDOW)
            first = now() - window;
        if (u + 1 == ATTRS_TOTAL - ATTRS_WINDOW)
            window = now();
    }
    last = now() - window;
    double total = now() - t0;
    CHECK(H5Sclose(space));
    CHECK(H5Gclose(group));
    CHECK(H5Fclose(file));
    /* One attribute = 5 calls (exists, create, write, close, exists). */
    printf("attrs-first %.3f %.0f ops/s\n", first, 5.0 * ATTRS_WINDOW / first);
    printf("attrs-last %.3f %.0f ops/s\n", last, 5.0 * ATTRS_WINDOW / last);
    printf("attrs-all %.3f %.0f ops/s\n", total, 5.0 * ATTRS_TOTAL / total);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: h5bench FILE [NZ] [workload...]\n");
        return 2;
    }
    const char *name = argv[1];
    size_t nz = argc > 2 ? (size_t)atol(argv[2]) : 256;
    if (nz == 0 || nz % CZ != 0) {
        fprintf(stderr, "h5bench: NZ must be a positive multiple of %d\n", CZ);
        return 2;
    }
    /* Start-up: the first H5Fcreate to return (direct access starts its service here). The
     * file stays open so the service keeps running for the workloads, as in an application. */
    char first[4096];
    snprintf(first, sizeof first, "%s.first.h5", name);
    double t0 = now();
    hid_t keep = H5Fcreate(first, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    double t_first = now() - t0;
    CHECK(keep);
    printf("startup %.4f %.1f ms\n", t_first, t_first * 1000.0);

    int all = argc <= 3;
    for (int i = 3; i < argc || all; i++) {
        const char *w = all ? NULL : argv[i];
        if (all || strcmp(w, "write") == 0)
            bench_write(name, nz);
        if (all || strcmp(w, "read") == 0)
            bench_read(name, nz);
        if (all || strcmp(w, "column") == 0)
            bench_column(name, nz);
        if (all || strcmp(w, "meta") == 0) {
            char meta[4096];
            snprintf(meta, sizeof meta, "%s.meta.h5", name);
            bench_meta(meta);
        }
        if (all || strcmp(w, "attrs") == 0) {
            char attrs[4096];
            snprintf(attrs, sizeof attrs, "%s.attrs.h5", name);
            bench_attrs(attrs);
        }
        if (all || strcmp(w, "small") == 0) {
            char small[4096];
            snprintf(small, sizeof small, "%s.small.h5", name);
            bench_small(small);
        }
        if (all)
            break;
    }
    CHECK(H5Fclose(keep));
    return 0;
}
