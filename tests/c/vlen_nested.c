/* Nested variable-length data (vlen of vlen, vlen of compounds with strings, compounds with
 * vlen members read back with H5Dget_type), variable-length data through point and irregular
 * selections, selection offsets (H5Soffset_simple), many-block selections, and the refusal of
 * H5D_FILL_TIME_NEVER for variable-length types. Prints "all match" when every check passes. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 4
#define FAIL_IF(cond, what)                                                                       \
    do {                                                                                          \
        if (cond) {                                                                               \
            printf("FAILED: %s (line %d)\n", what, __LINE__);                                     \
            bad++;                                                                                \
        }                                                                                         \
    } while (0)

typedef struct {
    char *s;
    int   e;
} inner_t;

typedef struct {
    int   i;
    hvl_t v; /* of inner_t */
} outer_t;

static int bad = 0;

static void vlen_of_vlen(hid_t file)
{
    hvl_t   data[N], back[N];
    hsize_t dims[1] = {N};
    hid_t   ints = H5Tvlen_create(H5T_NATIVE_INT);
    hid_t   type = H5Tvlen_create(ints);
    hid_t   space = H5Screate_simple(1, dims, NULL);

    for (int i = 0; i < N; i++) {
        data[i].len = (size_t)i;
        data[i].p = i ? malloc(sizeof(hvl_t) * (size_t)i) : NULL;
        for (int j = 0; j < i; j++) {
            hvl_t *row = &((hvl_t *)data[i].p)[j];
            row->len = (size_t)j + 1;
            row->p = malloc(sizeof(int) * row->len);
            for (int k = 0; k <= j; k++)
                ((int *)row->p)[k] = 100 * i + 10 * j + k;
        }
    }
    hid_t dset = H5Dcreate2(file, "vlen_of_vlen", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    FAIL_IF(dset < 0, "create vlen of vlen");
    FAIL_IF(H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0, "write vlen of vlen");
    hid_t attr = H5Acreate2(dset, "same", type, space, H5P_DEFAULT, H5P_DEFAULT);
    FAIL_IF(attr < 0 || H5Awrite(attr, type, data) < 0, "write vlen of vlen attribute");
    H5Aclose(attr);
    H5Dclose(dset);

    for (int pass = 0; pass < 2; pass++) {
        memset(back, 0, sizeof(back));
        dset = H5Dopen2(file, "vlen_of_vlen", H5P_DEFAULT);
        if (pass == 0) {
            FAIL_IF(H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) < 0, "read vlen of vlen");
        }
        else {
            attr = H5Aopen(dset, "same", H5P_DEFAULT);
            FAIL_IF(attr < 0 || H5Aread(attr, type, back) < 0, "read vlen of vlen attribute");
            H5Aclose(attr);
        }
        for (int i = 0; i < N; i++) {
            FAIL_IF(back[i].len != data[i].len, "outer length");
            for (size_t j = 0; j < back[i].len && j < data[i].len; j++) {
                hvl_t *a = &((hvl_t *)data[i].p)[j], *b = &((hvl_t *)back[i].p)[j];
                FAIL_IF(a->len != b->len || memcmp(a->p, b->p, sizeof(int) * a->len) != 0,
                        "inner sequence");
            }
        }
        H5Treclaim(type, space, H5P_DEFAULT, back);
        H5Dclose(dset);
    }
    H5Treclaim(type, space, H5P_DEFAULT, data);
    H5Sclose(space);
    H5Tclose(type);
    H5Tclose(ints);
}

static void compound_with_vlen_of_compounds(hid_t file)
{
    outer_t data[N], back[N];
    hsize_t dims[1] = {N};
    char    text[32];
    hid_t   str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    hid_t inner = H5Tcreate(H5T_COMPOUND, sizeof(inner_t));
    H5Tinsert(inner, "s", HOFFSET(inner_t, s), str);
    H5Tinsert(inner, "e", HOFFSET(inner_t, e), H5T_NATIVE_INT);
    hid_t seq = H5Tvlen_create(inner);
    hid_t outer = H5Tcreate(H5T_COMPOUND, sizeof(outer_t));
    H5Tinsert(outer, "i", HOFFSET(outer_t, i), H5T_NATIVE_INT);
    H5Tinsert(outer, "v", HOFFSET(outer_t, v), seq);
    hid_t space = H5Screate_simple(1, dims, NULL);

    for (int i = 0; i < N; i++) {
        data[i].i = 7 * i;
        data[i].v.len = (size_t)i + 1;
        data[i].v.p = malloc(sizeof(inner_t) * data[i].v.len);
        for (int j = 0; j <= i; j++) {
            inner_t *item = &((inner_t *)data[i].v.p)[j];
            snprintf(text, sizeof(text), "item %d.%d", i, j);
            item->s = strdup(text);
            item->e = i * j;
        }
    }
    hid_t dset = H5Dcreate2(file, "compound_vlen", outer, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    FAIL_IF(dset < 0 || H5Dwrite(dset, outer, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0,
            "write compound with vlen of compounds");
    H5Dclose(dset);

    /* Read back with the dataset's own type: its layout must be the application's struct. */
    dset = H5Dopen2(file, "compound_vlen", H5P_DEFAULT);
    hid_t got = H5Dget_type(dset);
    FAIL_IF(H5Tget_size(got) != sizeof(outer_t), "H5Dget_type gives the C struct size");
    memset(back, 0, sizeof(back));
    FAIL_IF(H5Dread(dset, got, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) < 0, "read compound with vlen");
    for (int i = 0; i < N; i++) {
        FAIL_IF(back[i].i != data[i].i || back[i].v.len != data[i].v.len, "outer fields");
        for (size_t j = 0; j < back[i].v.len && j < data[i].v.len; j++) {
            inner_t *a = &((inner_t *)data[i].v.p)[j], *b = &((inner_t *)back[i].v.p)[j];
            FAIL_IF(a->e != b->e || b->s == NULL || strcmp(a->s, b->s) != 0, "inner fields");
        }
    }
    H5Treclaim(got, space, H5P_DEFAULT, back);
    H5Tclose(got);
    H5Dclose(dset);
    for (int i = 0; i < N; i++) {
        for (size_t j = 0; j < data[i].v.len; j++)
            free(((inner_t *)data[i].v.p)[j].s);
        free(data[i].v.p);
    }
    H5Sclose(space);
    H5Tclose(outer);
    H5Tclose(seq);
    H5Tclose(inner);
    H5Tclose(str);
}

static void strings_through_points_and_unions(hid_t file)
{
    const char *all[8] = {"zero", "one", "two", "three", "four", "five", "six", "seven"};
    const char *some[3] = {"SIX", "ZERO", "THREE"};
    const char *expect[8] = {"ZERO", "one", "two", "THREE", "four", "five", "SIX", "seven"};
    char       *back[8];
    hsize_t     dims[1] = {8}, three[1] = {3}, coords[3] = {6, 0, 3};
    hid_t       str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dset = H5Dcreate2(file, "words", str, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    FAIL_IF(H5Dwrite(dset, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, all) < 0, "write words");

    /* Write three points, out of order. */
    hid_t mem3 = H5Screate_simple(1, three, NULL);
    H5Sselect_elements(space, H5S_SELECT_SET, 3, coords);
    FAIL_IF(H5Dwrite(dset, str, mem3, space, H5P_DEFAULT, some) < 0, "write words at points");
    H5Sselect_all(space);
    FAIL_IF(H5Dread(dset, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) < 0, "read words");
    for (int i = 0; i < 8; i++)
        FAIL_IF(strcmp(back[i], expect[i]) != 0, "words after the point write");
    H5Treclaim(str, space, H5P_DEFAULT, back);

    /* Read an irregular union of blocks {1,2} ∪ {5,6,7} into the same places in memory. */
    hsize_t start[1] = {1}, count[1] = {2};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    start[0] = 5;
    count[0] = 3;
    H5Sselect_hyperslab(space, H5S_SELECT_OR, start, NULL, count, NULL);
    memset(back, 0, sizeof(back));
    FAIL_IF(H5Dread(dset, str, space, space, H5P_DEFAULT, back) < 0, "read words in a union");
    for (int i = 0; i < 8; i++) {
        int selected = (i >= 1 && i <= 2) || i >= 5;
        FAIL_IF(selected ? (back[i] == NULL || strcmp(back[i], expect[i]) != 0) : back[i] != NULL,
                "words read through a union");
    }
    H5Treclaim(str, space, H5P_DEFAULT, back);

    /* And write through the union. */
    const char *five[5] = {"a", "b", "c", "d", "e"};
    hid_t       mem5 = H5Screate_simple(1, (hsize_t[]){5}, NULL);
    FAIL_IF(H5Dwrite(dset, str, mem5, space, H5P_DEFAULT, five) < 0, "write words in a union");
    H5Sselect_all(space);
    FAIL_IF(H5Dread(dset, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) < 0, "read words again");
    const char *final[8] = {"ZERO", "a", "b", "THREE", "four", "c", "d", "e"};
    for (int i = 0; i < 8; i++)
        FAIL_IF(strcmp(back[i], final[i]) != 0, "words after the union write");
    H5Treclaim(str, space, H5P_DEFAULT, back);

    H5Sclose(mem5);
    H5Sclose(mem3);
    H5Dclose(dset);
    H5Sclose(space);
    H5Tclose(str);
}

static void offsets_and_many_blocks(hid_t file)
{
    int     grid[16][16], back[16][16];
    hsize_t dims[2] = {16, 16};
    hid_t   space = H5Screate_simple(2, dims, NULL);
    hid_t   dset = H5Dcreate2(file, "grid", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    memset(grid, 0, sizeof(grid));
    FAIL_IF(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, grid) < 0, "zero the grid");

    /* A 2x3 block at (1,1) moved by the offset (4,5) lands at (5,6). */
    int     six[6] = {1, 2, 3, 4, 5, 6};
    hsize_t start[2] = {1, 1}, count[2] = {2, 3}, mdims[1] = {6};
    hssize_t offset[2] = {4, 5};
    hid_t    mem = H5Screate_simple(1, mdims, NULL);
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    H5Soffset_simple(space, offset);
    FAIL_IF(H5Dwrite(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, six) < 0, "write with an offset");
    int got6[6] = {0};
    FAIL_IF(H5Dread(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, got6) < 0, "read with an offset");
    FAIL_IF(memcmp(got6, six, sizeof(six)) != 0, "values read with an offset");
    /* Points move too. */
    hsize_t point[2] = {0, 0};
    H5Sselect_elements(space, H5S_SELECT_SET, 1, point);
    int one = 0;
    hid_t scalar = H5Screate(H5S_SCALAR);
    FAIL_IF(H5Dread(dset, H5T_NATIVE_INT, scalar, space, H5P_DEFAULT, &one) < 0, "read a moved point");
    FAIL_IF(one != 0, "the moved point (4,5) is outside the block");
    point[0] = 1;
    point[1] = 2;
    H5Sselect_elements(space, H5S_SELECT_SET, 1, point);
    FAIL_IF(H5Dread(dset, H5T_NATIVE_INT, scalar, space, H5P_DEFAULT, &one) < 0, "read a moved point");
    FAIL_IF(one != 2, "the moved point (5,7)");
    offset[0] = offset[1] = 0;
    H5Soffset_simple(space, offset);
    H5Sselect_all(space);
    FAIL_IF(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) < 0, "read the grid");
    FAIL_IF(back[5][6] != 1 || back[5][8] != 3 || back[6][6] != 4 || back[6][8] != 6 || back[1][1] != 0,
            "block written at the offset");

    /* A checkerboard of 1x1 blocks (128 blocks) written and read through one selection. */
    H5Sselect_none(space);
    for (hsize_t r = 0; r < 16; r++)
        for (hsize_t c = r % 2; c < 16; c += 2) {
            hsize_t at[2] = {r, c}, one_block[2] = {1, 1};
            H5Sselect_hyperslab(space, H5S_SELECT_OR, at, NULL, one_block, NULL);
        }
    for (int r = 0; r < 16; r++)
        for (int c = 0; c < 16; c++)
            grid[r][c] = 1000 + 16 * r + c;
    FAIL_IF(H5Dwrite(dset, H5T_NATIVE_INT, space, space, H5P_DEFAULT, grid) < 0, "write a checkerboard");
    memset(back, 0, sizeof(back));
    FAIL_IF(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) < 0, "read the grid");
    for (int r = 0; r < 16; r++)
        for (int c = 0; c < 16; c++)
            if ((r + c) % 2 == 0)
                FAIL_IF(back[r][c] != grid[r][c], "checkerboard cell");
    int part[16][16];
    memset(part, 0, sizeof(part));
    FAIL_IF(H5Dread(dset, H5T_NATIVE_INT, space, space, H5P_DEFAULT, part) < 0, "read a checkerboard");
    for (int r = 0; r < 16; r++)
        for (int c = 0; c < 16; c++)
            FAIL_IF(part[r][c] != ((r + c) % 2 == 0 ? grid[r][c] : 0), "checkerboard read");

    H5Sclose(scalar);
    H5Sclose(mem);
    H5Dclose(dset);
    H5Sclose(space);
}

static void fill_time_never_is_refused(hid_t file)
{
    hsize_t dims[1] = {4};
    hid_t   space = H5Screate_simple(1, dims, NULL);
    hid_t   type = H5Tvlen_create(H5T_NATIVE_UINT);
    hid_t   dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
    hid_t dset = -1;
    H5E_BEGIN_TRY
    {
        dset = H5Dcreate2(file, "never", type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    }
    H5E_END_TRY
    FAIL_IF(dset >= 0, "H5D_FILL_TIME_NEVER with a vlen type must fail");
    if (dset >= 0)
        H5Dclose(dset);
    H5Pclose(dcpl);
    H5Tclose(type);
    H5Sclose(space);
}

/* Whether `part` is in the comma-separated list `parts` ("all" names every part). */
static int wanted(const char *parts, const char *part)
{
    if (strcmp(parts, "all") == 0)
        return 1;
    size_t n = strlen(part);
    for (const char *at = strstr(parts, part); at; at = strstr(at + 1, part))
        if ((at == parts || at[-1] == ',') && (at[n] == ',' || at[n] == '\0'))
            return 1;
    return 0;
}

/* Usage: vlen_nested [file [parts]], parts a comma-separated list of
 * vlen_of_vlen,compound,strings,offsets,never (default all). */
int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/vlen_nested.h5";
    const char *parts = argc > 2 ? argv[2] : "all";
    hid_t       file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return 2;
    if (wanted(parts, "vlen_of_vlen"))
        vlen_of_vlen(file);
    if (wanted(parts, "compound"))
        compound_with_vlen_of_compounds(file);
    if (wanted(parts, "strings"))
        strings_through_points_and_unions(file);
    if (wanted(parts, "offsets"))
        offsets_and_many_blocks(file);
    if (wanted(parts, "never"))
        fill_time_never_is_refused(file);
    H5Fclose(file);
    printf("nested vlen, irregular selections and offsets: %s\n", bad ? "MISMATCH" : "all match");
    return bad ? 1 : 0;
}
