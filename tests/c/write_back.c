/* Small writes to a dataset whose value the connector holds are written back: they change the
 * held value at once and reach the service later, chunk by chunk. What a program sees must not
 * change:
 *  - every read returns what was written, element by element or row by row (a dataset written
 *    piecemeal twice has its value fetched, and held, for the writes after);
 *  - only the chunks the writes touched are stored (the test counts the chunk objects of
 *    dataset "sparse" in a direct-access store: 3 of its 4);
 *  - H5Dset_extent, H5Ocopy, H5Drefresh and a file reopen see every write before them, and a
 *    shrink discards what lies beyond the new extent, as natively;
 *  - H5Fflush makes the writes visible to other processes: with argv[2] "pause" the program
 *    prints "FLUSHED" after flushing and waits for a line on stdin before it closes the file
 *    (the test reads the store meanwhile from another process).
 * argv[1] is a folder for the files. Prints one line per failed check, then
 * "OK: N failure(s)"; exit status = number of failures. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

#define N 40
#define CHUNK 10

static int write_one(hid_t dset, hsize_t row, hsize_t col, int value)
{
    hsize_t one[2] = {1, 1}, at[2] = {row, col};
    hid_t   file_space = H5Dget_space(dset);
    hid_t   mem_space = H5Screate_simple(2, one, NULL);
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, at, NULL, one, NULL);
    herr_t status = H5Dwrite(dset, H5T_NATIVE_INT, mem_space, file_space, H5P_DEFAULT, &value);
    H5Sclose(mem_space);
    H5Sclose(file_space);
    return status;
}

static int read_one(hid_t dset, hsize_t row, hsize_t col)
{
    hsize_t one[2] = {1, 1}, at[2] = {row, col};
    int     value = -12345;
    hid_t   file_space = H5Dget_space(dset);
    hid_t   mem_space = H5Screate_simple(2, one, NULL);
    H5Sselect_hyperslab(file_space, H5S_SELECT_SET, at, NULL, one, NULL);
    if (H5Dread(dset, H5T_NATIVE_INT, mem_space, file_space, H5P_DEFAULT, &value) < 0)
        value = -99999;
    H5Sclose(mem_space);
    H5Sclose(file_space);
    return value;
}

static hid_t chunked_2d(hid_t file, const char *name, int fill)
{
    hsize_t dims[2] = {N, N}, chunk[2] = {CHUNK, CHUNK};
    hid_t   space = H5Screate_simple(2, dims, NULL);
    hid_t   dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_fill_value(dcpl, H5T_NATIVE_INT, &fill);
    hid_t dset = H5Dcreate2(file, name, H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    return dset;
}

static int expected[N][N];
static int got[N][N];

static int whole_matches(hid_t dset)
{
    memset(got, 0, sizeof got);
    if (H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) < 0)
        return 0;
    return memcmp(got, expected, sizeof got) == 0;
}

/* Many element writes after a whole write: each read sees its write; after a reopen of the
 * dataset and of the file, everything is there; a copy made in between has it too. */
static void element_writes(hid_t file, const char *path)
{
    hid_t dset = chunked_2d(file, "elements", 0);
    memset(expected, 0, sizeof expected);
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, expected) >= 0,
          "whole write");
    int mismatched = 0;
    for (int u = 0; u < 600; u++) {
        hsize_t row = (hsize_t)((u * 7) % N), col = (hsize_t)((u * 13) % N);
        if (write_one(dset, row, col, u + 1) < 0 || read_one(dset, row, col) != u + 1)
            mismatched++;
        expected[row][col] = u + 1;
    }
    CHECK(mismatched == 0, "each element reads back as written");
    CHECK(whole_matches(dset), "a whole read sees every element write");
    CHECK(H5Ocopy(file, "elements", file, "elements_copy", H5P_DEFAULT, H5P_DEFAULT) >= 0,
          "H5Ocopy after element writes");
    CHECK(H5Drefresh(dset) >= 0, "H5Drefresh");
    CHECK(whole_matches(dset), "H5Drefresh keeps the writes");
    H5Dclose(dset);
    H5Fclose(file);
    file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    dset = H5Dopen2(file, "elements", H5P_DEFAULT);
    CHECK(whole_matches(dset), "the writes are there after the file is reopened");
    H5Dclose(dset);
    dset = H5Dopen2(file, "elements_copy", H5P_DEFAULT);
    CHECK(whole_matches(dset), "the copy has every write made before it");
    H5Dclose(dset);
    H5Fclose(file);
}

/* A dataset never written, read whole (so held: its access list gives it an 8 MiB chunk
 * cache) and then written in three of its four 1 MiB chunks, one write going through and
 * three held back: only those chunks are stored, as natively. */
#define BIG 1024
static void allocation(hid_t file)
{
    hsize_t dims[2] = {BIG, BIG}, chunk[2] = {BIG / 2, BIG / 2};
    int     fill = 7;
    hid_t   space = H5Screate_simple(2, dims, NULL);
    hid_t   dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t   dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_fill_value(dcpl, H5T_NATIVE_INT, &fill);
    H5Pset_chunk_cache(dapl, 521, 8 << 20, 0.75);
    hid_t dset = H5Dcreate2(file, "sparse", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, dapl);
    int  *want = malloc(sizeof(int) * BIG * BIG), *have = malloc(sizeof(int) * BIG * BIG);
    for (int i = 0; i < BIG * BIG; i++)
        want[i] = 7;
    int reads_ok = 1;
    for (int round = 0; round < 2; round++)
        reads_ok &= H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, have) >= 0 &&
                    memcmp(have, want, sizeof(int) * BIG * BIG) == 0;
    CHECK(reads_ok, "fill values read whole");
    CHECK(write_one(dset, 0, 0, 1) >= 0 && write_one(dset, 600, 600, 2) >= 0 &&
              write_one(dset, 1023, 1023, 3) >= 0 && write_one(dset, 1000, 100, 4) >= 0,
          "element writes");
    want[0] = 1, want[600 * BIG + 600] = 2, want[BIG * BIG - 1] = 3, want[1000 * BIG + 100] = 4;
    CHECK(read_one(dset, 600, 600) == 2 && read_one(dset, 1000, 100) == 4, "reads see the writes");
    H5Dclose(dset);
    dset = H5Dopen2(file, "sparse", H5P_DEFAULT);
    CHECK(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, have) >= 0 &&
              memcmp(have, want, sizeof(int) * BIG * BIG) == 0,
          "the writes are there after a reopen");
    H5Dclose(dset);
    free(want);
    free(have);
    H5Pclose(dapl);
    H5Pclose(dcpl);
    H5Sclose(space);
}

/* Writes before H5Dset_extent: growing keeps them, shrinking discards what lies beyond. */
static void extent_changes(hid_t file)
{
    hsize_t dims = 20, max = H5S_UNLIMITED, chunk = 5;
    hid_t   space = H5Screate_simple(1, &dims, &max);
    hid_t   dcpl = H5Pcreate(H5P_DATASET_CREATE);
    int     fill = -1, values[40];
    H5Pset_chunk(dcpl, 1, &chunk);
    H5Pset_fill_value(dcpl, H5T_NATIVE_INT, &fill);
    hid_t dset = H5Dcreate2(file, "growing", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    for (int i = 0; i < 20; i++)
        values[i] = i;
    H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    hsize_t at = 3, one = 1;
    hid_t   mem = H5Screate_simple(1, &one, NULL);
    int     v = 300;
    H5Sselect_hyperslab(space, H5S_SELECT_SET, &at, NULL, &one, NULL);
    H5Dwrite(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, &v);
    at = 15, v = 1500;
    H5Sselect_hyperslab(space, H5S_SELECT_SET, &at, NULL, &one, NULL);
    H5Dwrite(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, &v);
    hsize_t grown = 30;
    CHECK(H5Dset_extent(dset, &grown) >= 0, "grow");
    memset(values, 0, sizeof values);
    H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    CHECK(values[3] == 300 && values[15] == 1500 && values[19] == 19 && values[25] == -1,
          "growing keeps the writes made before");
    at = 17, v = 1700;
    hid_t grown_space = H5Dget_space(dset);
    H5Sselect_hyperslab(grown_space, H5S_SELECT_SET, &at, NULL, &one, NULL);
    H5Dwrite(dset, H5T_NATIVE_INT, mem, grown_space, H5P_DEFAULT, &v);
    H5Sclose(grown_space);
    hsize_t shrunk = 10;
    CHECK(H5Dset_extent(dset, &shrunk) >= 0, "shrink");
    CHECK(H5Dset_extent(dset, &grown) >= 0, "grow again");
    memset(values, 0, sizeof values);
    H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    CHECK(values[3] == 300 && values[9] == 9 && values[15] == -1 && values[17] == -1,
          "shrinking discards what lay beyond, written before or not");
    H5Sclose(mem);
    H5Dclose(dset);
    H5Pclose(dcpl);
    H5Sclose(space);
}

/* A dataset never read and never written whole, written row by row: every row reads back, and
 * the value is complete after a reopen. */
static void row_writes(hid_t file)
{
    hid_t   dset = chunked_2d(file, "rows", -1);
    hsize_t start[2] = {0, 0}, row[2] = {1, N};
    hid_t   mem = H5Screate_simple(2, row, NULL);
    hid_t   space = H5Dget_space(dset);
    int     values[N], rows_ok = 1;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            values[j] = expected[i][j] = i * N + j;
        start[0] = (hsize_t)i;
        H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, row, NULL);
        rows_ok &= H5Dwrite(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, values) >= 0;
        memset(values, 0, sizeof values);
        rows_ok &= H5Dread(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, values) >= 0 &&
                   values[N - 1] == i * N + N - 1;
    }
    CHECK(rows_ok, "each row reads back as written");
    H5Sclose(space);
    H5Sclose(mem);
    H5Dclose(dset);
    dset = H5Dopen2(file, "rows", H5P_DEFAULT);
    CHECK(whole_matches(dset), "every row is there after a reopen");
    H5Dclose(dset);
}

/* Element writes, then H5Fflush: another process reads them while the file stays open. */
static void flushed_for_others(hid_t file, int pause)
{
    hid_t dset = chunked_2d(file, "shared", 0);
    memset(expected, 0, sizeof expected);
    H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, expected);
    for (int u = 0; u < 5; u++)
        CHECK(write_one(dset, (hsize_t)u, (hsize_t)u, 1000 + u) >= 0, "element write");
    CHECK(H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0, "H5Fflush");
    if (pause) {
        printf("FLUSHED\n");
        fflush(stdout);
        char line[16];
        if (!fgets(line, sizeof line, stdin))
            printf("no go-ahead on stdin\n");
    }
    H5Dclose(dset);
}

int main(int argc, char **argv)
{
    const char *folder = argc > 1 ? argv[1] : "/writeback";
    int         pause = argc > 2 && strcmp(argv[2], "pause") == 0;
    char        path[256];
    snprintf(path, sizeof path, "%s/write_back.h5", folder);

    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    CHECK(file >= 0, "H5Fcreate");
    element_writes(file, path); /* closes the file */
    file = H5Fopen(path, H5F_ACC_RDWR, fapl);
    allocation(file);
    extent_changes(file);
    row_writes(file);
    flushed_for_others(file, pause);
    CHECK(H5Fclose(file) >= 0, "H5Fclose");
    H5Pclose(fapl);
    printf("OK: %d failure(s)\n", failures);
    return failures;
}
