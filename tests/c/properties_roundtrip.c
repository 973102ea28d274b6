/* What HDF5 programs set and ask back through the connector, each checked after closing and
 * reopening the file: the file creation plist (userblock), a contiguous layout, a filter's
 * client data values, shrinking a fixed-size chunked dataset, H5Dvlen_get_buf_size, an
 * attribute's creation plist and a compound member write, link creation order values across
 * moves and deletes, H5Lcreate_ud of an external link, and open object counts over files.
 * Prints "all match" when everything does. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int bad = 0;
#define CHECK(cond, ...)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            printf("MISMATCH line %d: ", __LINE__);                                               \
            printf(__VA_ARGS__);                                                                  \
            printf("\n");                                                                         \
            bad++;                                                                                \
        }                                                                                         \
    } while (0)

typedef struct {
    int    a;
    double b;
} pair_t;

static void write_file(const char *name)
{
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_userblock(fcpl, 65536);
    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);

    hsize_t dims[2] = {6, 4}, chunk[2] = {2, 2};
    hid_t   space = H5Screate_simple(2, dims, NULL);
    hid_t   contiguous = H5Dcreate2(file, "contiguous", H5T_NATIVE_INT, space, H5P_DEFAULT,
                                    H5P_DEFAULT, H5P_DEFAULT);
    H5Dclose(contiguous);

    /* lz4 with three client data values: HSDS names only its level. */
    hid_t    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    unsigned params[3] = {7, 8, 9};
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_filter(dcpl, 32004, H5Z_FLAG_OPTIONAL, 3, params);
    hid_t filtered =
        H5Dcreate2(file, "filtered", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Dclose(filtered);
    H5Pclose(dcpl);

    /* A chunked dataset without maxdims shrinks within its dims. */
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    hid_t fixed = H5Dcreate2(file, "fixed", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    hsize_t smaller[2] = {3, 2}, back[2] = {6, 4}, bigger[2] = {7, 4};
    CHECK(H5Dset_extent(fixed, smaller) >= 0, "shrinking failed");
    CHECK(H5Dset_extent(fixed, back) >= 0, "growing back failed");
    herr_t status;
    H5E_BEGIN_TRY { status = H5Dset_extent(fixed, bigger); }
    H5E_END_TRY
    CHECK(status < 0, "growing past maxdims succeeded");
    H5Dset_extent(fixed, smaller);
    H5Dclose(fixed);
    H5Pclose(dcpl);
    H5Sclose(space);

    /* Variable-length strings: H5Dvlen_get_buf_size counts their bytes. */
    const char *words[3] = {"one", "three", "eleven"};
    hsize_t     n = 3;
    hid_t       str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    space = H5Screate_simple(1, &n, NULL);
    hid_t strings = H5Dcreate2(file, "strings", str, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(strings, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, words);
    hsize_t size = 0;
    CHECK(H5Dvlen_get_buf_size(strings, str, space, &size) >= 0 && size == 4 + 6 + 7,
          "H5Dvlen_get_buf_size gave %llu", (unsigned long long)size);
    H5Dclose(strings);
    H5Tclose(str);
    H5Sclose(space);

    /* An attribute keeps its creation plist; writing member b keeps member a. */
    hid_t acpl = H5Pcreate(H5P_ATTRIBUTE_CREATE);
    H5Pset_char_encoding(acpl, H5T_CSET_UTF8);
    hid_t pair = H5Tcreate(H5T_COMPOUND, sizeof(pair_t));
    H5Tinsert(pair, "a", HOFFSET(pair_t, a), H5T_NATIVE_INT);
    H5Tinsert(pair, "b", HOFFSET(pair_t, b), H5T_NATIVE_DOUBLE);
    hid_t only_b = H5Tcreate(H5T_COMPOUND, sizeof(double));
    H5Tinsert(only_b, "b", 0, H5T_NATIVE_DOUBLE);
    space = H5Screate(H5S_SCALAR);
    hid_t  attr = H5Acreate2(file, "pair", pair, space, acpl, H5P_DEFAULT);
    pair_t value = {5, 1.5};
    double b = 2.5;
    H5Awrite(attr, pair, &value);
    H5Awrite(attr, only_b, &b);
    hid_t           got_acpl = H5Aget_create_plist(attr);
    H5T_cset_t      cset = H5T_CSET_ERROR;
    H5Pget_char_encoding(got_acpl, &cset);
    CHECK(cset == H5T_CSET_UTF8, "attribute creation plist encoding %d", (int)cset);
    H5Pclose(got_acpl);
    H5Aclose(attr);
    H5Sclose(space);
    H5Pclose(acpl);
    H5Tclose(only_b);
    H5Tclose(pair);

    /* Link creation order values in groups that track them. */
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED);
    hid_t src = H5Gcreate2(file, "src", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    hid_t dst = H5Gcreate2(file, "dst", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    char link[16];
    for (int i = 0; i < 3; i++) {
        snprintf(link, sizeof link, "s%d", i);
        H5Lcreate_soft("/contiguous", src, link, H5P_DEFAULT, H5P_DEFAULT);
        snprintf(link, sizeof link, "d%d", i);
        H5Lcreate_soft("/contiguous", dst, link, H5P_DEFAULT, H5P_DEFAULT);
    }
    H5Lmove(src, "s1", dst, "moved", H5P_DEFAULT, H5P_DEFAULT);
    H5Ldelete(src, "s2", H5P_DEFAULT);
    H5Gclose(src);
    H5Gclose(dst);

    /* H5Lcreate_ud with the external link class and a packed value. */
    const char ud[] = "\0other.h5\0/x";
    CHECK(H5Lcreate_ud(file, "ud", H5L_TYPE_EXTERNAL, ud, sizeof ud, H5P_DEFAULT, H5P_DEFAULT) >= 0,
          "H5Lcreate_ud failed");
    H5Fclose(file);
}

static void check_file(const char *name, const char *other)
{
    hid_t   file = H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t   fcpl = H5Fget_create_plist(file);
    hsize_t userblock = 0;
    H5Pget_userblock(fcpl, &userblock);
    CHECK(userblock == 65536, "userblock %llu after reopening", (unsigned long long)userblock);
    H5Pclose(fcpl);

    hid_t   dset = H5Dopen2(file, "contiguous", H5P_DEFAULT);
    hid_t   dcpl = H5Dget_create_plist(dset);
    hsize_t chunk[2];
    CHECK(H5Pget_layout(dcpl) == H5D_CONTIGUOUS, "layout %d", (int)H5Pget_layout(dcpl));
    herr_t status;
    H5E_BEGIN_TRY { status = H5Pget_chunk(dcpl, 2, chunk); }
    H5E_END_TRY
    CHECK(status < 0, "a contiguous dataset reports chunks");
    H5Pclose(dcpl);
    H5Dclose(dset);

    dset = H5Dopen2(file, "filtered", H5P_DEFAULT);
    dcpl = H5Dget_create_plist(dset);
    unsigned flags, values[8] = {0};
    size_t   nvalues = 8;
    H5Pget_filter2(dcpl, 0, &flags, &nvalues, values, 0, NULL, NULL);
    CHECK(nvalues == 3 && values[0] == 7 && values[1] == 8 && values[2] == 9,
          "filter values %zu: %u %u %u", nvalues, values[0], values[1], values[2]);
    H5Pclose(dcpl);
    H5Dclose(dset);

    dset = H5Dopen2(file, "fixed", H5P_DEFAULT);
    hid_t   space = H5Dget_space(dset);
    hsize_t dims[2], maxdims[2];
    H5Sget_simple_extent_dims(space, dims, maxdims);
    CHECK(dims[0] == 3 && dims[1] == 2 && maxdims[0] == 6 && maxdims[1] == 4,
          "fixed dataset %llux%llu of %llux%llu", (unsigned long long)dims[0],
          (unsigned long long)dims[1], (unsigned long long)maxdims[0],
          (unsigned long long)maxdims[1]);
    H5Sclose(space);
    H5Dclose(dset);

    hid_t pair = H5Tcreate(H5T_COMPOUND, sizeof(pair_t));
    H5Tinsert(pair, "a", HOFFSET(pair_t, a), H5T_NATIVE_INT);
    H5Tinsert(pair, "b", HOFFSET(pair_t, b), H5T_NATIVE_DOUBLE);
    pair_t value = {0, 0};
    hid_t  attr = H5Aopen(file, "pair", H5P_DEFAULT);
    H5Aread(attr, pair, &value);
    CHECK(value.a == 5 && value.b == 2.5, "attribute pair %d %g", value.a, value.b);
    H5Aclose(attr);
    H5Tclose(pair);

    H5L_info2_t info;
    H5G_info_t  ginfo;
    hid_t       src = H5Gopen2(file, "src", H5P_DEFAULT);
    H5Lget_info2(src, "s0", &info, H5P_DEFAULT);
    CHECK(info.corder_valid && info.corder == 0, "s0 corder %lld", (long long)info.corder);
    H5Gget_info(src, &ginfo);
    CHECK(ginfo.max_corder == 3, "src max_corder %lld after deletes", (long long)ginfo.max_corder);
    H5Ldelete(src, "s0", H5P_DEFAULT);
    H5Gget_info(src, &ginfo);
    CHECK(ginfo.max_corder == 0, "src max_corder %lld once empty", (long long)ginfo.max_corder);
    H5Gclose(src);
    hid_t dst = H5Gopen2(file, "dst", H5P_DEFAULT);
    H5Lget_info2(dst, "moved", &info, H5P_DEFAULT);
    CHECK(info.corder_valid && info.corder == 3, "moved corder %lld", (long long)info.corder);
    H5Gclose(dst);
    H5Lget_info2(file, "contiguous", &info, H5P_DEFAULT);
    CHECK(!info.corder_valid, "a group without creation order tracking has valid corders");
    H5Lget_info2(file, "ud", &info, H5P_DEFAULT);
    CHECK(info.type == H5L_TYPE_EXTERNAL, "ud link type %d", (int)info.type);

    /* Reference counts: H5Oincr_refcount, and users of a committed datatype. */
    H5O_info2_t oinfo;
    hid_t       counted = H5Gopen2(file, "src", H5P_DEFAULT);
    H5Oincr_refcount(counted);
    H5Oget_info3(counted, &oinfo, H5O_INFO_BASIC);
    CHECK(oinfo.rc == 2, "rc %u after H5Oincr_refcount", oinfo.rc);
    H5Odecr_refcount(counted);
    H5Oget_info3(counted, &oinfo, H5O_INFO_BASIC);
    CHECK(oinfo.rc == 1, "rc %u after H5Odecr_refcount", oinfo.rc);
    hid_t shared = H5Tcopy(H5T_NATIVE_SHORT);
    H5Tcommit2(file, "shared", shared, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t user = H5Acreate2(counted, "typed", shared, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Oget_info_by_name3(file, "shared", &oinfo, H5O_INFO_BASIC, H5P_DEFAULT);
    CHECK(oinfo.rc == 2, "committed datatype rc %u with one user", oinfo.rc);
    H5Aclose(user);
    H5Sclose(scalar);
    H5Tclose(shared);
    H5Gclose(counted);

    /* Open objects over two files: only what the application holds. */
    hid_t file2 = H5Fcreate(other, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t named = H5Tcopy(H5T_NATIVE_INT);
    H5Tcommit2(file2, "named", named, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    dset = H5Dopen2(file, "contiguous", H5P_DEFAULT);
    attr = H5Aopen(file, "pair", H5P_DEFAULT);
    ssize_t types = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_DATATYPE);
    ssize_t all = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
    CHECK(types == 1, "%zd open datatypes", types);
    CHECK(all == 5, "%zd open objects", all);
    H5Aclose(attr);
    H5Dclose(dset);
    H5Tclose(named);
    H5Fclose(file2);
    H5Fclose(file);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/props.h5";
    const char *other = argc > 2 ? argv[2] : "/props2.h5";
    write_file(name);
    check_file(name, other);
    if (bad == 0)
        printf("all match\n");
    return bad == 0 ? 0 : 1;
}
