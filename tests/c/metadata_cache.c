/* The connector's metadata cache, seen from a program: what it writes it reads back at once
 * (attribute values, extents, links), and, with --other-processes, what another process writes
 * it sees after H5Orefresh/H5Grefresh, after reopening the file, and at the latest after the
 * cache's TTL (1 s by default) with no call at all.
 *
 *   metadata_cache FILE [--other-processes [SETTLE_MS]]   the reader; runs itself as the writer
 *   metadata_cache FILE --writer N                        the other process: g/a = N, a group
 *
 * SETTLE_MS (default 0) is waited after each write of the other process: 0 when both share one
 * service; in direct access each process has its own, whose data nodes see another's flushed
 * writes once they recheck storage (storage_recheck_interval, 1 s).
 */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "other_process.h"

static int attr_value(hid_t loc, const char *obj, const char *name)
{
    int value = -1;
    hid_t attr = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Aread(attr, H5T_NATIVE_INT, &value) < 0)
        value = -2;
    if (attr >= 0)
        H5Aclose(attr);
    return value;
}

static hsize_t dset_extent(hid_t dset)
{
    hsize_t dims[1] = {0};
    hid_t space = H5Dget_space(dset);
    H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    return dims[0];
}

/* The other process: attribute "g/a" = value, a new group "made_by_writer_<value>". */
static int writer(const char *name, int value)
{
    hid_t file = H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0)
        return 1;
    hid_t attr = H5Aopen_by_name(file, "g", "a", H5P_DEFAULT, H5P_DEFAULT);
    herr_t written = attr < 0 ? -1 : H5Awrite(attr, H5T_NATIVE_INT, &value);
    H5Aclose(attr);
    char made_name[64];
    snprintf(made_name, sizeof made_name, "made_by_writer_%d", value);
    hid_t made = H5Gcreate2(file, made_name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(made);
    return H5Fclose(file) < 0 || written < 0 || made < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/metadata_cache.h5";
    if (argc > 3 && strcmp(argv[2], "--writer") == 0)
        return writer(name, atoi(argv[3]));

    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0, "H5Fcreate");
    hid_t group = H5Gcreate2(file, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(group, "a", H5T_STD_I32LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    int one = 1, two = 2;
    CHECK(H5Awrite(attr, H5T_NATIVE_INT, &one) >= 0, "H5Awrite 1");
    CHECK(attr_value(file, "g", "a") == 1, "the value just written is read");
    CHECK(H5Awrite(attr, H5T_NATIVE_INT, &two) >= 0, "H5Awrite 2");
    CHECK(attr_value(file, "g", "a") == 2, "a second write is read at once, not a cached 1");
    H5Aclose(attr);

    hsize_t dims[1] = {4}, maxdims[1] = {H5S_UNLIMITED}, chunk[1] = {4};
    hid_t space = H5Screate_simple(1, dims, maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    hid_t dset = H5Dcreate2(file, "d", H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    CHECK(dset >= 0, "H5Dcreate2");
    hsize_t bigger[1] = {10};
    CHECK(H5Dset_extent(dset, bigger) >= 0, "H5Dset_extent");
    int values[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, back[10] = {0};
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0,
          "H5Dwrite past the old extent, at once");
    CHECK(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0 &&
              memcmp(back, values, sizeof values) == 0,
          "values past the old extent read back");
    hid_t reopened = H5Dopen2(file, "d", H5P_DEFAULT);
    CHECK(dset_extent(reopened) == 10, "a dataset opened again has the new extent");
    H5Dclose(reopened);
    CHECK(H5Ldelete(file, "d", H5P_DEFAULT) >= 0, "H5Ldelete");
    CHECK(H5Lexists(file, "d", H5P_DEFAULT) == 0, "a deleted link is gone at once");
    H5Dclose(dset);
    H5Pclose(dcpl);
    H5Sclose(space);
    CHECK(H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0, "H5Fflush");
    if (argc < 3 || strcmp(argv[2], "--other-processes") != 0)
        goto done;
    settle_ms = argc > 3 ? atoi(argv[3]) : 0;

    /* Another process writes 3, and 4, and 5; this one is still reading 2 into its cache. */
    CHECK(attr_value(file, "g", "a") == 2, "value before the other process writes");
    CHECK(run_writer(argv[0], name, 3) == 0, "the writer process (3)");
    CHECK(H5Orefresh(group) >= 0, "H5Orefresh");
    CHECK(attr_value(file, "g", "a") == 3, "after H5Orefresh, the other process's value");
    CHECK(H5Lexists(file, "made_by_writer_3", H5P_DEFAULT) > 0,
          "after H5Orefresh, the other process's group");

    CHECK(attr_value(file, "g", "a") == 3, "value before the second write");
    CHECK(run_writer(argv[0], name, 4) == 0, "the writer process (4)");
    CHECK(H5Grefresh(group) >= 0, "H5Grefresh");
    CHECK(attr_value(file, "g", "a") == 4, "after H5Grefresh, the other process's value");

    CHECK(attr_value(file, "g", "a") == 4, "value before the third write");
    CHECK(run_writer(argv[0], name, 5) == 0, "the writer process (5)");
    hid_t again = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(again >= 0 && attr_value(again, "g", "a") == 5, "a file opened again reads anew");
    H5Fclose(again);

    CHECK(run_writer(argv[0], name, 6) == 0, "the writer process (6)");
    usleep(1300 * 1000);
    CHECK(attr_value(file, "g", "a") == 6, "after the cache's TTL, with no call");

done:
    H5Sclose(scalar);
    H5Gclose(group);
    CHECK(H5Fclose(file) >= 0, "H5Fclose");
    printf("OK: %d failure(s)\n", failures);
    return failures;
}
