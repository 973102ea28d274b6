/* HDF5 references through the connector: the H5R API (object, region hyperslab, region point
 * and attribute references), references stored in a dataset and an attribute, the file reopened
 * and every reference dereferenced again, and the deprecated API as far as HDF5 allows it for a
 * connector other than the native one. Prints one line per failed check; exit status = number
 * of failures. */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#define NREFS 5
#define ROWS 4
#define COLS 5
#define LONG_ATTR "an attribute whose name is longer than forty-eight bytes"

#include "checks.h"

static int data[ROWS][COLS];

/* Selection of the hyperslab reference: rows 1-2, columns 1-3. */
static hid_t hyperslab_space(void)
{
    hsize_t dims[2] = {ROWS, COLS}, start[2] = {1, 1}, count[2] = {2, 3};
    hid_t   space = H5Screate_simple(2, dims, NULL);
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    return space;
}

/* Selection of the point reference: three points. */
static const hsize_t points[3][2] = {{0, 0}, {3, 4}, {2, 1}};
static hid_t         point_space(void)
{
    hsize_t dims[2] = {ROWS, COLS};
    hid_t   space = H5Screate_simple(2, dims, NULL);
    H5Sselect_elements(space, H5S_SELECT_SET, 3, (const hsize_t *)points);
    return space;
}

static void check_name(H5R_ref_t *ref, const char *expected, const char *what)
{
    char    name[64] = "";
    ssize_t len      = H5Rget_obj_name(ref, H5P_DEFAULT, name, sizeof(name));
    if (len < 0 || strcmp(name, expected) != 0)
        printf("  %s: object name '%s', expected '%s'\n", what, name, expected);
    CHECK(len == (ssize_t)strlen(expected) && strcmp(name, expected) == 0, what);
}

/* The elements a region reference selects, read through H5Ropen_region. */
static void check_region(H5R_ref_t *ref, const int *expected, hssize_t n, const char *what)
{
    hid_t dset  = H5Ropen_object(ref, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Ropen_region(ref, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(dset >= 0 && space >= 0, what);
    if (dset < 0 || space < 0)
        return;
    CHECK(H5Sget_select_npoints(space) == n, what);
    int     got[16] = {0};
    hsize_t count   = (hsize_t)n;
    hid_t   mem     = H5Screate_simple(1, &count, NULL);
    CHECK(H5Dread(dset, H5T_NATIVE_INT, mem, space, H5P_DEFAULT, got) >= 0, what);
    for (hssize_t i = 0; i < n; i++)
        if (got[i] != expected[i]) {
            printf("  %s: element %d is %d, expected %d\n", what, (int)i, got[i], expected[i]);
            failures++;
            break;
        }
    H5Sclose(mem);
    H5Sclose(space);
    H5Dclose(dset);
}

static const int hyperslab_values[6] = {6, 7, 8, 11, 12, 13};
static const int point_values[3]     = {0, 19, 11};

/* Every check on the five references: group, dataset, hyperslab, points, attribute. */
static void check_refs(H5R_ref_t *refs, const char *file_name, const char *when)
{
    char what[128];
    snprintf(what, sizeof(what), "%s: reference types", when);
    CHECK(H5Rget_type(&refs[0]) == H5R_OBJECT2 && H5Rget_type(&refs[1]) == H5R_OBJECT2 &&
              H5Rget_type(&refs[2]) == H5R_DATASET_REGION2 &&
              H5Rget_type(&refs[3]) == H5R_DATASET_REGION2 && H5Rget_type(&refs[4]) == H5R_ATTR,
          what);

    H5O_type_t types[NREFS];
    for (int i = 0; i < NREFS; i++)
        if (H5Rget_obj_type3(&refs[i], H5P_DEFAULT, &types[i]) < 0)
            types[i] = H5O_TYPE_UNKNOWN;
    snprintf(what, sizeof(what), "%s: H5Rget_obj_type3", when);
    CHECK(types[0] == H5O_TYPE_GROUP && types[1] == H5O_TYPE_DATASET && types[2] == H5O_TYPE_DATASET &&
              types[3] == H5O_TYPE_DATASET && types[4] == H5O_TYPE_DATASET,
          what);

    char    fname[256] = "";
    ssize_t flen       = H5Rget_file_name(&refs[0], fname, sizeof(fname));
    snprintf(what, sizeof(what), "%s: H5Rget_file_name", when);
    if (flen < 0 || strcmp(fname, file_name) != 0)
        printf("  file name '%s', expected '%s'\n", fname, file_name);
    CHECK(flen == (ssize_t)strlen(file_name) && strcmp(fname, file_name) == 0, what);

    snprintf(what, sizeof(what), "%s: H5Rget_obj_name of group", when);
    check_name(&refs[0], "/g", what);
    snprintf(what, sizeof(what), "%s: H5Rget_obj_name of dataset", when);
    check_name(&refs[1], "/data", what);
    snprintf(what, sizeof(what), "%s: H5Rget_obj_name of region", when);
    check_name(&refs[2], "/data", what);
    snprintf(what, sizeof(what), "%s: H5Rget_obj_name of attribute ref", when);
    check_name(&refs[4], "/data", what);

    char    aname[32] = "";
    ssize_t alen      = H5Rget_attr_name(&refs[4], aname, sizeof(aname));
    snprintf(what, sizeof(what), "%s: H5Rget_attr_name", when);
    CHECK(alen == 5 && strcmp(aname, "units") == 0, what);

    /* Dereference: the group and dataset open and are what they should be. */
    hid_t g = H5Ropen_object(&refs[0], H5P_DEFAULT, H5P_DEFAULT);
    snprintf(what, sizeof(what), "%s: H5Ropen_object of group", when);
    CHECK(g >= 0 && H5Iget_type(g) == H5I_GROUP, what);
    if (g >= 0) {
        char name[32] = "";
        H5Iget_name(g, name, sizeof(name));
        CHECK(strcmp(name, "/g") == 0, what);
        H5Gclose(g);
    }
    hid_t d = H5Ropen_object(&refs[1], H5P_DEFAULT, H5P_DEFAULT);
    snprintf(what, sizeof(what), "%s: H5Ropen_object of dataset", when);
    CHECK(d >= 0 && H5Iget_type(d) == H5I_DATASET, what);
    if (d >= 0) {
        int back[ROWS][COLS];
        CHECK(H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0 &&
                  memcmp(back, data, sizeof(data)) == 0,
              what);
        H5Dclose(d);
    }

    snprintf(what, sizeof(what), "%s: hyperslab region", when);
    check_region(&refs[2], hyperslab_values, 6, what);
    snprintf(what, sizeof(what), "%s: point region", when);
    check_region(&refs[3], point_values, 3, what);

    hid_t a = H5Ropen_attr(&refs[4], H5P_DEFAULT, H5P_DEFAULT);
    snprintf(what, sizeof(what), "%s: H5Ropen_attr", when);
    CHECK(a >= 0, what);
    if (a >= 0) {
        int units = 0;
        CHECK(H5Aread(a, H5T_NATIVE_INT, &units) >= 0 && units == 42, what);
        H5Aclose(a);
    }

    /* Equality and copies. */
    snprintf(what, sizeof(what), "%s: H5Requal", when);
    CHECK(H5Requal(&refs[0], &refs[0]) > 0 && H5Requal(&refs[0], &refs[1]) == 0 &&
              H5Requal(&refs[2], &refs[4]) == 0 && H5Requal(&refs[1], &refs[2]) == 0,
          what);
    for (int i = 0; i < NREFS; i++) {
        H5R_ref_t copy;
        snprintf(what, sizeof(what), "%s: H5Rcopy of reference %d", when, i);
        CHECK(H5Rcopy(&refs[i], &copy) >= 0 && H5Requal(&refs[i], &copy) > 0, what);
        H5Rdestroy(&copy);
    }
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/refs.h5";
    hsize_t     dims[2] = {ROWS, COLS}, nrefs = NREFS;
    H5R_ref_t   refs[NREFS], back[NREFS], back_attr[NREFS];
    int         units = 42;

    for (int i = 0; i < ROWS; i++)
        for (int j = 0; j < COLS; j++)
            data[i][j] = i * COLS + j;

    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return 100;
    hid_t g      = H5Gcreate2(file, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space  = H5Screate_simple(2, dims, NULL);
    hid_t dset   = H5Dcreate2(file, "data", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t attr   = H5Acreate2(dset, "units", H5T_NATIVE_INT, scalar, H5P_DEFAULT, H5P_DEFAULT);
    if (g < 0 || dset < 0 || attr < 0 || H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0 ||
        H5Awrite(attr, H5T_NATIVE_INT, &units) < 0)
        return 101;
    H5Aclose(attr);

    /* The new API. */
    hid_t hs = hyperslab_space(), ps = point_space();
    CHECK(H5Rcreate_object(file, "g", H5P_DEFAULT, &refs[0]) >= 0, "H5Rcreate_object group");
    CHECK(H5Rcreate_object(g, "/data", H5P_DEFAULT, &refs[1]) >= 0, "H5Rcreate_object dataset");
    CHECK(H5Rcreate_region(file, "data", hs, H5P_DEFAULT, &refs[2]) >= 0, "H5Rcreate_region hyperslab");
    CHECK(H5Rcreate_region(file, "data", ps, H5P_DEFAULT, &refs[3]) >= 0, "H5Rcreate_region points");
    CHECK(H5Rcreate_attr(file, "data", "units", H5P_DEFAULT, &refs[4]) >= 0, "H5Rcreate_attr");
    if (failures)
        return failures;
    check_refs(refs, name, "created");

    /* References stored in a dataset and in an attribute. */
    hid_t rspace = H5Screate_simple(1, &nrefs, NULL);
    hid_t rdset  = H5Dcreate2(file, "refs", H5T_STD_REF, rspace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(rdset >= 0, "create a dataset of H5T_STD_REF");
    CHECK(H5Dwrite(rdset, H5T_STD_REF, H5S_ALL, H5S_ALL, H5P_DEFAULT, refs) >= 0, "H5Dwrite references");
    hid_t rattr = H5Acreate2(g, "refs", H5T_STD_REF, rspace, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(rattr >= 0, "create an attribute of H5T_STD_REF");
    CHECK(H5Awrite(rattr, H5T_STD_REF, refs) >= 0, "H5Awrite references");
    H5Aclose(rattr);

    /* Read back while still open. */
    memset(back, 0, sizeof(back));
    CHECK(H5Dread(rdset, H5T_STD_REF, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0, "H5Dread references");
    check_refs(back, name, "read before closing");
    H5Treclaim(H5T_STD_REF, rspace, H5P_DEFAULT, back);
    H5Dclose(rdset);

    /* References as compound members and in variable-length sequences. */
    {
        typedef struct {
            int       n;
            H5R_ref_t r;
        } pair_t;
        pair_t  pairs[2];
        hsize_t two = 2, one = 1;
        hid_t   pair = H5Tcreate(H5T_COMPOUND, sizeof(pair_t));
        H5Tinsert(pair, "n", HOFFSET(pair_t, n), H5T_NATIVE_INT);
        H5Tinsert(pair, "r", HOFFSET(pair_t, r), H5T_STD_REF);
        for (int i = 0; i < 2; i++) {
            pairs[i].n = 10 + i;
            H5Rcopy(&refs[i], &pairs[i].r);
        }
        hid_t s2 = H5Screate_simple(1, &two, NULL), s1 = H5Screate_simple(1, &one, NULL);
        hid_t cd = H5Dcreate2(file, "pairs", pair, s2, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        CHECK(cd >= 0 && H5Dwrite(cd, pair, H5S_ALL, H5S_ALL, H5P_DEFAULT, pairs) >= 0,
              "write compounds holding references");
        H5Treclaim(pair, s2, H5P_DEFAULT, pairs);
        hid_t seq = H5Tvlen_create(H5T_STD_REF);
        hvl_t vl  = {3, refs};
        hid_t vd  = H5Dcreate2(file, "sequences", seq, s1, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        CHECK(vd >= 0 && H5Dwrite(vd, seq, H5S_ALL, H5S_ALL, H5P_DEFAULT, &vl) >= 0,
              "write a sequence of references");
        H5Dclose(cd);
        H5Dclose(vd);
        H5Tclose(seq);
        H5Tclose(pair);
        H5Sclose(s1);
        H5Sclose(s2);
    }

    /* References whose stored text is long: a long attribute name, a selection of many points. */
    {
        H5R_ref_t long_refs[2];
        hsize_t   two = 2, many[12][2];
        for (int i = 0; i < 12; i++) {
            many[i][0] = (hsize_t)(i % ROWS);
            many[i][1] = (hsize_t)(i % COLS);
        }
        hid_t la = H5Acreate2(dset, LONG_ATTR, H5T_NATIVE_INT, scalar, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(la, H5T_NATIVE_INT, &units);
        H5Aclose(la);
        hid_t mp = H5Screate_simple(2, dims, NULL);
        H5Sselect_elements(mp, H5S_SELECT_SET, 12, (const hsize_t *)many);
        CHECK(H5Rcreate_attr(file, "data", LONG_ATTR, H5P_DEFAULT, &long_refs[0]) >= 0 &&
                  H5Rcreate_region(file, "data", mp, H5P_DEFAULT, &long_refs[1]) >= 0,
              "create long references");
        hid_t s2 = H5Screate_simple(1, &two, NULL);
        hid_t ld = H5Dcreate2(file, "long", H5T_STD_REF, s2, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        CHECK(ld >= 0 && H5Dwrite(ld, H5T_STD_REF, H5S_ALL, H5S_ALL, H5P_DEFAULT, long_refs) >= 0,
              "write long references");
        H5Rdestroy(&long_refs[0]);
        H5Rdestroy(&long_refs[1]);
        H5Dclose(ld);
        H5Sclose(s2);
        H5Sclose(mp);
    }

    /* Deprecated API: HDF5 itself refuses H5Rcreate with connectors other than the native one. */
    hobj_ref_t old_ref;
    H5E_BEGIN_TRY
    {
        herr_t status = H5Rcreate(&old_ref, file, "g", H5R_OBJECT, -1);
        printf("deprecated H5Rcreate: %s\n", status < 0 ? "refused by HDF5" : "accepted");
    }
    H5E_END_TRY

    for (int i = 0; i < NREFS; i++)
        CHECK(H5Rdestroy(&refs[i]) >= 0, "H5Rdestroy");
    H5Sclose(hs);
    H5Sclose(ps);
    H5Dclose(dset);
    H5Gclose(g);
    H5Fclose(file);

    /* Reopen and dereference what was stored. */
    file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(file >= 0, "reopen");
    rdset = H5Dopen2(file, "refs", H5P_DEFAULT);
    hid_t ftype = H5Dget_type(rdset);
    CHECK(H5Tequal(ftype, H5T_STD_REF) > 0, "stored type reads as H5T_STD_REF");
    H5Tclose(ftype);
    memset(back, 0, sizeof(back));
    CHECK(H5Dread(rdset, H5T_STD_REF, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0, "H5Dread after reopen");
    check_refs(back, name, "dataset after reopen");

    /* A subset: the third and fourth elements only. */
    {
        H5R_ref_t two[2];
        hsize_t   start = 2, count = 2;
        hid_t     fs = H5Dget_space(rdset), ms = H5Screate_simple(1, &count, NULL);
        H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, NULL, &count, NULL);
        CHECK(H5Dread(rdset, H5T_STD_REF, ms, fs, H5P_DEFAULT, two) >= 0 &&
                  H5Requal(&two[0], &back[2]) > 0 && H5Requal(&two[1], &back[3]) > 0,
              "H5Dread of a subset of references");
        H5Treclaim(H5T_STD_REF, ms, H5P_DEFAULT, two);
        H5Sclose(fs);
        H5Sclose(ms);
    }
    H5Treclaim(H5T_STD_REF, rspace, H5P_DEFAULT, back);
    H5Dclose(rdset);

    {
        typedef struct {
            int       n;
            H5R_ref_t r;
        } pair_t;
        pair_t pairs[2];
        hid_t  pair = H5Tcreate(H5T_COMPOUND, sizeof(pair_t));
        H5Tinsert(pair, "n", HOFFSET(pair_t, n), H5T_NATIVE_INT);
        H5Tinsert(pair, "r", HOFFSET(pair_t, r), H5T_STD_REF);
        hid_t cd = H5Dopen2(file, "pairs", H5P_DEFAULT);
        memset(pairs, 0, sizeof(pairs));
        CHECK(cd >= 0 && H5Dread(cd, pair, H5S_ALL, H5S_ALL, H5P_DEFAULT, pairs) >= 0,
              "read compounds holding references");
        CHECK(pairs[0].n == 10 && pairs[1].n == 11, "compound members next to references");
        check_name(&pairs[0].r, "/g", "reference in a compound");
        check_name(&pairs[1].r, "/data", "reference in a compound");
        hid_t cs = H5Dget_space(cd);
        H5Treclaim(pair, cs, H5P_DEFAULT, pairs);
        H5Sclose(cs);
        H5Dclose(cd);
        H5Tclose(pair);

        hid_t vd  = H5Dopen2(file, "sequences", H5P_DEFAULT);
        hid_t seq = H5Dget_type(vd);
        hvl_t vl  = {0, NULL};
        CHECK(vd >= 0 && H5Dread(vd, seq, H5S_ALL, H5S_ALL, H5P_DEFAULT, &vl) >= 0 && vl.len == 3,
              "read a sequence of references");
        if (vl.len == 3) {
            check_name(&((H5R_ref_t *)vl.p)[0], "/g", "reference in a sequence");
            check_name(&((H5R_ref_t *)vl.p)[2], "/data", "region reference in a sequence");
            CHECK(H5Rget_type(&((H5R_ref_t *)vl.p)[2]) == H5R_DATASET_REGION2, "region in a sequence");
        }
        hid_t vs = H5Dget_space(vd);
        H5Treclaim(seq, vs, H5P_DEFAULT, &vl);
        H5Sclose(vs);
        H5Tclose(seq);
        H5Dclose(vd);
    }

    {
        H5R_ref_t long_refs[2];
        char      aname[64] = "";
        hid_t     ld        = H5Dopen2(file, "long", H5P_DEFAULT);
        memset(long_refs, 0, sizeof(long_refs));
        CHECK(ld >= 0 && H5Dread(ld, H5T_STD_REF, H5S_ALL, H5S_ALL, H5P_DEFAULT, long_refs) >= 0,
              "read long references");
        CHECK(H5Rget_attr_name(&long_refs[0], aname, sizeof(aname)) == (ssize_t)strlen(LONG_ATTR) &&
                  strcmp(aname, LONG_ATTR) == 0,
              "long attribute name");
        hid_t region = H5Ropen_region(&long_refs[1], H5P_DEFAULT, H5P_DEFAULT);
        CHECK(region >= 0 && H5Sget_select_npoints(region) == 12, "region of many points");
        if (region >= 0)
            H5Sclose(region);
        H5Rdestroy(&long_refs[0]);
        H5Rdestroy(&long_refs[1]);
        H5Dclose(ld);
    }

    rattr = H5Aopen_by_name(file, "g", "refs", H5P_DEFAULT, H5P_DEFAULT);
    memset(back_attr, 0, sizeof(back_attr));
    CHECK(rattr >= 0 && H5Aread(rattr, H5T_STD_REF, back_attr) >= 0, "H5Aread after reopen");
    check_refs(back_attr, name, "attribute after reopen");
    H5Treclaim(H5T_STD_REF, rspace, H5P_DEFAULT, back_attr);
    H5Aclose(rattr);
    H5Sclose(rspace);
    H5Sclose(space);
    H5Sclose(scalar);
    H5Fclose(file);

    printf("%s: %d failure(s)\n", failures ? "FAILED" : "OK", failures);
    return failures;
}
