/* The connector's held dataset values (vol::value_cache), seen from a program: every read
 * returns what was last written, through any selection, memory type, handle or extent; a
 * compound written member by member keeps its other members; with --other-processes, what
 * another process writes is read after H5Drefresh, after reopening the file, and at the latest
 * after the TTL (1 s by default) with no call at all.
 *
 *   value_cache FILE [--other-processes [SETTLE_MS]]   the reader; runs itself as the writer
 *   value_cache FILE --writer N                        the other process: every element of d = N
 *
 * For the request count the test harness makes, the program writes "restvol-test: phase X"
 * lines to stderr around 50 small reads of a held dataset ("held") and of the same dataset
 * opened with a chunk cache of 0 bytes ("unheld").
 */
#include <hdf5.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "other_process.h"

#define ROWS 8
#define COLS 6

static void phase(const char *name)
{
    fprintf(stderr, "restvol-test: phase %s\n", name);
    fflush(stderr);
}

/* Every element of `d` read as int equals `expect`. */
static int all_equal(hid_t dset, int expect, size_t n)
{
    int *back = calloc(n, sizeof(int));
    int ok = back && H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0;
    for (size_t i = 0; ok && i < n; i++)
        ok = back[i] == expect;
    free(back);
    return ok;
}

static int writer(const char *name, int value)
{
    hid_t file = H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t dset = H5Dopen2(file, "d", H5P_DEFAULT);
    int values[ROWS * COLS];
    for (int i = 0; i < ROWS * COLS; i++)
        values[i] = value;
    herr_t written = H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
    H5Dclose(dset);
    return H5Fclose(file) < 0 || written < 0 ? 1 : 0;
}

static int same_as_model(hid_t dset, const int *model)
{
    int back[ROWS * COLS];
    memset(back, 0x55, sizeof back);
    return H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0 &&
           memcmp(back, model, sizeof back) == 0;
}

static void selections(hid_t file)
{
    hsize_t dims[2] = {ROWS, COLS}, maxdims[2] = {H5S_UNLIMITED, COLS}, chunk[2] = {4, 3};
    hid_t space = H5Screate_simple(2, dims, maxdims);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    int fill = 7;
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_fill_value(dcpl, H5T_NATIVE_INT, &fill);
    hid_t dset = H5Dcreate2(file, "d", H5T_STD_I32BE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    CHECK(dset >= 0, "H5Dcreate2 d");
    int model[ROWS * COLS];
    for (int i = 0; i < ROWS * COLS; i++)
        model[i] = i;
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, model) >= 0,
          "H5Dwrite whole");
    CHECK(same_as_model(dset, model), "the whole value reads back");

    /* A strided hyperslab, twice (the second read comes from the held value). */
    hsize_t start[2] = {1, 0}, stride[2] = {3, 2}, count[2] = {3, 3};
    hid_t fspace = H5Dget_space(dset);
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, stride, count, NULL);
    hsize_t nine = 9;
    hid_t mspace = H5Screate_simple(1, &nine, NULL);
    for (int round = 0; round < 2; round++) {
        int got[9] = {0}, ok = 1;
        CHECK(H5Dread(dset, H5T_NATIVE_INT, mspace, fspace, H5P_DEFAULT, got) >= 0,
              "H5Dread strided");
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                ok &= got[r * 3 + c] == model[(1 + 3 * r) * COLS + 2 * c];
        CHECK(ok, "a strided hyperslab reads the right elements in order");
    }

    /* Points in no order, read as double. */
    hsize_t points[4][2] = {{7, 5}, {0, 0}, {3, 2}, {0, 5}};
    H5Sselect_elements(fspace, H5S_SELECT_SET, 4, &points[0][0]);
    hsize_t four = 4;
    hid_t pspace = H5Screate_simple(1, &four, NULL);
    double as_double[4] = {0};
    CHECK(H5Dread(dset, H5T_NATIVE_DOUBLE, pspace, fspace, H5P_DEFAULT, as_double) >= 0 &&
              as_double[0] == 47.0 && as_double[1] == 0.0 && as_double[2] == 20.0 &&
              as_double[3] == 5.0,
          "points in their order, converted to double");

    /* A partial hyperslab write and a point write land in what is read next. */
    hsize_t bstart[2] = {2, 1}, bcount[2] = {2, 2};
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, bstart, NULL, bcount, NULL);
    int block[4] = {-1, -2, -3, -4};
    hid_t bspace = H5Screate_simple(1, &four, NULL);
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, bspace, fspace, H5P_DEFAULT, block) >= 0,
          "H5Dwrite block");
    model[2 * COLS + 1] = -1, model[2 * COLS + 2] = -2;
    model[3 * COLS + 1] = -3, model[3 * COLS + 2] = -4;
    CHECK(same_as_model(dset, model), "a block write is read back");
    H5Sselect_elements(fspace, H5S_SELECT_SET, 4, &points[0][0]);
    double written[4] = {100, 101, 102, 103};
    CHECK(H5Dwrite(dset, H5T_NATIVE_DOUBLE, pspace, fspace, H5P_DEFAULT, written) >= 0,
          "H5Dwrite points as double");
    model[47] = 100, model[0] = 101, model[20] = 102, model[5] = 103;
    CHECK(same_as_model(dset, model), "a point write is read back");
    CHECK(same_as_model(dset, model), "and again");

    /* A selection moved by H5Soffset_simple. */
    hsize_t one_start[2] = {0, 0}, one_count[2] = {1, 1};
    hssize_t offset[2] = {7, 5};
    H5Sselect_hyperslab(fspace, H5S_SELECT_SET, one_start, NULL, one_count, NULL);
    H5Soffset_simple(fspace, offset);
    hsize_t one = 1;
    hid_t one_space = H5Screate_simple(1, &one, NULL);
    int corner = 0;
    CHECK(H5Dread(dset, H5T_NATIVE_INT, one_space, fspace, H5P_DEFAULT, &corner) >= 0 &&
              corner == 100,
          "a selection with an offset reads the moved element");
    H5Sclose(fspace);

    /* A second handle sees the first one's writes at once, and the other way round. */
    hid_t other = H5Dopen2(file, "d", H5P_DEFAULT);
    CHECK(same_as_model(other, model), "a second handle reads the same value");
    model[1] = 555;
    CHECK(H5Dwrite(other, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, model) >= 0,
          "H5Dwrite through the second handle");
    CHECK(same_as_model(dset, model), "the first handle reads the second one's write");
    H5Dclose(other);

    /* Growing and shrinking. */
    hsize_t grown[2] = {ROWS + 2, COLS};
    CHECK(H5Dset_extent(dset, grown) >= 0, "H5Dset_extent grow");
    int back[(ROWS + 2) * COLS];
    CHECK(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0,
          "H5Dread grown");
    int grown_ok = memcmp(back, model, sizeof model) == 0;
    for (int i = ROWS * COLS; i < (ROWS + 2) * COLS; i++)
        grown_ok &= back[i] == 7;
    CHECK(grown_ok, "old elements kept, new ones the fill value");
    hsize_t shrunk[2] = {2, COLS};
    CHECK(H5Dset_extent(dset, shrunk) >= 0, "H5Dset_extent shrink");
    int two_rows[2 * COLS] = {0};
    CHECK(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, two_rows) >= 0 &&
              memcmp(two_rows, model, sizeof two_rows) == 0,
          "a shrunk dataset reads its first rows");
    CHECK(H5Dset_extent(dset, dims) >= 0, "H5Dset_extent back");
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, model) >= 0,
          "H5Dwrite after the extent changes");
    CHECK(same_as_model(dset, model), "and read");

    H5Sclose(one_space);
    H5Sclose(bspace);
    H5Sclose(pspace);
    H5Sclose(mspace);
    H5Dclose(dset);
    H5Pclose(dcpl);
    H5Sclose(space);
}

typedef struct {
    int a;
    double b;
} pair_t;

static void compound_members(hid_t file)
{
    hid_t pair = H5Tcreate(H5T_COMPOUND, sizeof(pair_t));
    H5Tinsert(pair, "a", HOFFSET(pair_t, a), H5T_NATIVE_INT);
    H5Tinsert(pair, "b", HOFFSET(pair_t, b), H5T_NATIVE_DOUBLE);
    hsize_t n = 5;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dset = H5Dcreate2(file, "pairs", pair, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    pair_t whole[5];
    for (int i = 0; i < 5; i++)
        whole[i].a = i, whole[i].b = i + 0.5;
    CHECK(H5Dwrite(dset, pair, H5S_ALL, H5S_ALL, H5P_DEFAULT, whole) >= 0, "H5Dwrite pairs");
    hid_t only_a = H5Tcreate(H5T_COMPOUND, sizeof(int));
    H5Tinsert(only_a, "a", 0, H5T_NATIVE_INT);
    int new_a[5] = {10, 11, 12, 13, 14};
    CHECK(H5Dwrite(dset, only_a, H5S_ALL, H5S_ALL, H5P_DEFAULT, new_a) >= 0,
          "H5Dwrite member a only");
    pair_t back[5];
    memset(back, 0, sizeof back);
    CHECK(H5Dread(dset, pair, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0, "H5Dread pairs");
    int ok = 1;
    for (int i = 0; i < 5; i++)
        ok &= back[i].a == 10 + i && back[i].b == i + 0.5;
    CHECK(ok, "writing one member keeps the other");
    hid_t only_b = H5Tcreate(H5T_COMPOUND, sizeof(double));
    H5Tinsert(only_b, "b", 0, H5T_NATIVE_DOUBLE);
    double bs[5] = {0};
    CHECK(H5Dread(dset, only_b, H5S_ALL, H5S_ALL, H5P_DEFAULT, bs) >= 0 && bs[4] == 4.5,
          "one member reads alone");
    H5Tclose(only_b);
    H5Tclose(only_a);
    H5Dclose(dset);
    H5Sclose(space);
    H5Tclose(pair);
}

/* 50 small reads of a 1000-element dataset, held or not. */
static void small_reads(hid_t dset, const char *what)
{
    hsize_t start = 0, ten = 10;
    hid_t fspace = H5Dget_space(dset);
    hid_t mspace = H5Screate_simple(1, &ten, NULL);
    int ok = 1;
    for (int i = 0; i < 50; i++) {
        start = (hsize_t)(i * 17) % 990;
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &start, NULL, &ten, NULL);
        int got[10];
        ok &= H5Dread(dset, H5T_NATIVE_INT, mspace, fspace, H5P_DEFAULT, got) >= 0;
        for (int k = 0; k < 10; k++)
            ok &= got[k] == 3 * (int)(start + k);
    }
    CHECK(ok, what);
    H5Sclose(mspace);
    H5Sclose(fspace);
}

static void request_phases(hid_t file)
{
    hsize_t n = 1000;
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t dset = H5Dcreate2(file, "r", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT,
                            H5P_DEFAULT);
    int values[1000];
    for (int i = 0; i < 1000; i++)
        values[i] = 3 * i;
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0,
          "H5Dwrite r");
    phase("held");
    small_reads(dset, "small reads of a held dataset");
    phase("unheld");
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, H5D_CHUNK_CACHE_NSLOTS_DEFAULT, 0, H5D_CHUNK_CACHE_W0_DEFAULT);
    hid_t unheld = H5Dopen2(file, "r", dapl);
    small_reads(unheld, "small reads with a chunk cache of 0 bytes");
    phase("end");
    H5Dclose(unheld);
    H5Pclose(dapl);
    H5Dclose(dset);
    H5Sclose(space);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/value_cache.h5";
    if (argc > 3 && strcmp(argv[2], "--writer") == 0)
        return writer(name, atoi(argv[3]));

    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0, "H5Fcreate");
    selections(file);
    compound_members(file);
    request_phases(file);
    CHECK(H5Fflush(file, H5F_SCOPE_GLOBAL) >= 0, "H5Fflush");
    if (argc < 3 || strcmp(argv[2], "--other-processes") != 0)
        goto done;
    settle_ms = argc > 3 ? atoi(argv[3]) : 0;

    hid_t dset = H5Dopen2(file, "d", H5P_DEFAULT);
    int warm[ROWS * COLS];
    CHECK(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, warm) >= 0,
          "read before the other process writes (now held)");
    CHECK(run_writer(argv[0], name, 3) == 0, "the writer process (3)");
    CHECK(H5Drefresh(dset) >= 0, "H5Drefresh");
    CHECK(all_equal(dset, 3, ROWS * COLS), "after H5Drefresh, the other process's values");

    CHECK(run_writer(argv[0], name, 4) == 0, "the writer process (4)");
    hid_t again = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dset_again = H5Dopen2(again, "d", H5P_DEFAULT);
    CHECK(all_equal(dset_again, 4, ROWS * COLS), "a file opened again reads anew");
    H5Dclose(dset_again);
    H5Fclose(again);

    CHECK(all_equal(dset, 4, ROWS * COLS), "held again");
    CHECK(run_writer(argv[0], name, 5) == 0, "the writer process (5)");
    usleep(1300 * 1000);
    CHECK(all_equal(dset, 5, ROWS * COLS), "after the TTL, with no call");
    H5Dclose(dset);

done:
    CHECK(H5Fclose(file) >= 0, "H5Fclose");
    printf("OK: %d failure(s)\n", failures);
    return failures;
}
