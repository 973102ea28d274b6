/* Attribute behaviour testhdf5's attr group checks, as native HDF5 has it:
 *  - the character set of an attribute's name (H5Pset_char_encoding on the creation plist)
 *    comes back from H5Aget_create_plist and H5Aget_info after a reopen, through
 *    H5Aopen_by_idx and H5Aiterate, and survives H5Arename and H5Ocopy;
 *  - a compound attribute or dataset read into a padded struct in the type it was created
 *    with leaves zeros in the padding (the whole struct compares equal with memcmp to what was
 *    written); a reordered memory type gets every member, a member subset keeps the others;
 *  - with HDF5's default low bound (H5F_LIBVER_EARLIEST) an attribute must fit a 64 KiB
 *    object header message: a larger one is refused with a message naming it and nothing is
 *    created; with a V18 low bound it is stored and read back.
 *  - with attribute creation order tracked, an attribute keeps its creation order value when
 *    an earlier one is deleted, and a new one takes the next value.
 * argv[1] is a folder for the files; argv[2] "hsds" when the service is HSDS 1.0.2, which
 * keeps neither attribute creation properties (names read back ASCII) nor creation order
 * values (the creation order checks are left out). Prints one
 * line per failed check, then "OK: N failure(s)"; exit status = number of failures. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"

typedef struct {
    char   c; /* 7 bytes of padding follow */
    double d;
    short  s; /* 6 bytes of padding follow */
} padded_t;

typedef struct {
    short  s;
    char   c;
    double d;
} reordered_t;

static hid_t padded_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(padded_t));
    H5Tinsert(t, "c", HOFFSET(padded_t, c), H5T_NATIVE_CHAR);
    H5Tinsert(t, "d", HOFFSET(padded_t, d), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "s", HOFFSET(padded_t, s), H5T_NATIVE_SHORT);
    return t;
}

static hid_t reordered_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(reordered_t));
    H5Tinsert(t, "s", HOFFSET(reordered_t, s), H5T_NATIVE_SHORT);
    H5Tinsert(t, "c", HOFFSET(reordered_t, c), H5T_NATIVE_CHAR);
    H5Tinsert(t, "d", HOFFSET(reordered_t, d), H5T_NATIVE_DOUBLE);
    return t;
}

/* The name character set of attribute `name` of `obj`, from its creation plist and its
 * H5Aget_info; -1 when they disagree or a call fails. */
static int name_cset(hid_t obj, const char *name)
{
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    if (attr < 0)
        return -1;
    hid_t       acpl = H5Aget_create_plist(attr);
    H5T_cset_t  from_plist = H5T_CSET_ERROR;
    H5A_info_t  info;
    int         result = -1;
    if (acpl >= 0 && H5Pget_char_encoding(acpl, &from_plist) >= 0 && H5Aget_info(attr, &info) >= 0 &&
        info.cset == from_plist)
        result = (int)from_plist;
    if (acpl >= 0)
        H5Pclose(acpl);
    H5Aclose(attr);
    return result;
}

static herr_t collect_cset(hid_t o, const char *name, const H5A_info_t *info, void *data)
{
    (void)o;
    if (strcmp(name, "utf8 é") == 0)
        *(int *)data = (int)info->cset;
    return 0;
}

static void name_character_sets(hid_t file, int kept)
{
    int   utf8 = kept ? H5T_CSET_UTF8 : H5T_CSET_ASCII;
    hid_t group = H5Gcreate2(file, "names", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t acpl = H5Pcreate(H5P_ATTRIBUTE_CREATE);
    H5Pset_char_encoding(acpl, H5T_CSET_UTF8);
    int   value = 7;
    hid_t attr = H5Acreate2(group, "utf8 é", H5T_NATIVE_INT, space, acpl, H5P_DEFAULT);
    CHECK(attr >= 0, "create an attribute with a UTF-8 name");
    H5Awrite(attr, H5T_NATIVE_INT, &value);
    hid_t own = H5Aget_create_plist(attr);
    H5T_cset_t cset = H5T_CSET_ERROR;
    H5Pget_char_encoding(own, &cset);
    CHECK(cset == H5T_CSET_UTF8, "the creating handle's plist says UTF-8");
    H5Pclose(own);
    H5Aclose(attr);
    H5Aclose(H5Acreate2(group, "plain", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT));
    H5Pclose(acpl);
    H5Sclose(space);
    H5Gclose(group);

    group = H5Gopen2(file, "names", H5P_DEFAULT);
    CHECK(name_cset(group, "utf8 é") == utf8, "a UTF-8 name reads back as UTF-8 after reopen");
    CHECK(name_cset(group, "plain") == H5T_CSET_ASCII, "a default name reads back as ASCII");
    int seen = -1;
    H5Aiterate2(group, H5_INDEX_NAME, H5_ITER_INC, NULL, collect_cset, &seen);
    CHECK(seen == utf8, "H5Aiterate2 reports the UTF-8 name's character set");
    H5A_info_t info;
    CHECK(H5Aget_info_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, 1, &info, H5P_DEFAULT) >= 0 &&
              (int)info.cset == utf8,
          "H5Aget_info_by_idx reports the UTF-8 name's character set");
    int read = 0;
    attr = H5Aopen_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, 1, H5P_DEFAULT, H5P_DEFAULT);
    H5Aread(attr, H5T_NATIVE_INT, &read);
    H5Aclose(attr);
    CHECK(read == 7, "the UTF-8 named attribute keeps its value");

    CHECK(H5Arename(group, "utf8 é", "renamed ü") >= 0, "rename the UTF-8 named attribute");
    CHECK(name_cset(group, "renamed ü") == utf8, "a renamed attribute keeps its name's character set");
    read = 0;
    attr = H5Aopen(group, "renamed ü", H5P_DEFAULT);
    H5Aread(attr, H5T_NATIVE_INT, &read);
    H5Aclose(attr);
    CHECK(read == 7, "a renamed attribute keeps its value");
    H5Gclose(group);

    CHECK(H5Ocopy(file, "names", file, "names copy", H5P_DEFAULT, H5P_DEFAULT) >= 0, "copy the group");
    group = H5Gopen2(file, "names copy", H5P_DEFAULT);
    CHECK(name_cset(group, "renamed ü") == utf8, "H5Ocopy keeps an attribute name's character set");
    H5Gclose(group);
}

static void padding_reads_as_zero(hid_t file)
{
    padded_t written[3];
    memset(written, 0, sizeof written);
    for (int i = 0; i < 3; i++) {
        written[i].c = (char)('a' + i);
        written[i].d = 1.5 * i;
        written[i].s = (short)(100 + i);
    }
    hsize_t dims[1] = {3};
    hid_t   space = H5Screate_simple(1, dims, NULL);
    hid_t   type = padded_type();
    hid_t   attr = H5Acreate2(file, "padded", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(attr, type, written);
    H5Aclose(attr);
    hid_t dset = H5Dcreate2(file, "padded", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, written);
    H5Dclose(dset);

    padded_t read[3];
    memset(read, 0xAB, sizeof read);
    attr = H5Aopen(file, "padded", H5P_DEFAULT);
    hid_t stored = H5Aget_type(attr);
    CHECK(H5Aread(attr, stored, read) >= 0, "read the attribute in its own type");
    CHECK(memcmp(read, written, sizeof read) == 0, "an attribute read leaves zeros in the padding");
    H5Tclose(stored);
    memset(read, 0xAB, sizeof read);
    CHECK(H5Aread(attr, type, read) >= 0, "read the attribute in the struct's type");
    CHECK(memcmp(read, written, sizeof read) == 0, "an attribute read into the struct is equal");

    reordered_t shuffled[3];
    memset(shuffled, 0xAB, sizeof shuffled);
    hid_t other = reordered_type();
    CHECK(H5Aread(attr, other, shuffled) >= 0, "read the attribute with members reordered");
    reordered_t expect[3];
    memset(expect, 0, sizeof expect);
    for (int i = 0; i < 3; i++) {
        expect[i].s = written[i].s;
        expect[i].c = written[i].c;
        expect[i].d = written[i].d;
    }
    /* A converting read works over the application's buffer, as natively (its padding stays). */
    int same = 1;
    for (int i = 0; i < 3; i++)
        same &= shuffled[i].s == expect[i].s && shuffled[i].c == expect[i].c && shuffled[i].d == expect[i].d;
    CHECK(same, "a read with members reordered gets every member");
    H5Aclose(attr);

    dset = H5Dopen2(file, "padded", H5P_DEFAULT);
    memset(read, 0xAB, sizeof read);
    CHECK(H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, read) >= 0, "read the dataset");
    CHECK(memcmp(read, written, sizeof read) == 0, "a dataset read leaves zeros in the padding");

    /* A member subset keeps the members it does not name. */
    hid_t only_d = H5Tcreate(H5T_COMPOUND, sizeof(padded_t));
    H5Tinsert(only_d, "d", HOFFSET(padded_t, d), H5T_NATIVE_DOUBLE);
    padded_t partial[3];
    memset(partial, 0, sizeof partial);
    for (int i = 0; i < 3; i++)
        partial[i].s = -1;
    CHECK(H5Dread(dset, only_d, H5S_ALL, H5S_ALL, H5P_DEFAULT, partial) >= 0, "read one member");
    CHECK(partial[2].d == 3.0 && partial[2].s == -1 && partial[2].c == 0,
          "a one-member read keeps the other members");
    /* Writing every member (in another order) needs nothing read first and stores them all. */
    for (int i = 0; i < 3; i++)
        expect[i].d = -expect[i].d - 1;
    CHECK(H5Dwrite(dset, other, H5S_ALL, H5S_ALL, H5P_DEFAULT, expect) >= 0, "write reordered");
    memset(read, 0xAB, sizeof read);
    H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, read);
    CHECK(read[1].d == -2.5 && read[1].s == 101 && read[1].c == 'b', "a reordered write is stored");
    H5Tclose(only_d);
    H5Tclose(other);
    H5Dclose(dset);
    H5Tclose(type);
    H5Sclose(space);
}

/* An attribute of 256 KiB (under HSDS's 1 MiB request limit): refused with the earliest format,
 * stored with a V18 low bound. */
static void big_attributes(const char *folder)
{
    char name[512];
    snprintf(name, sizeof name, "%s/big_attributes.h5", folder);
    hsize_t       dims[1] = {64 * 1024};
    hid_t         space = H5Screate_simple(1, dims, NULL);
    unsigned int *values = malloc(sizeof(unsigned int) * dims[0]);
    for (hsize_t i = 0; i < dims[0]; i++)
        values[i] = (unsigned int)i;
    hsize_t small_dims[1] = {16000}; /* 64000 bytes of data: fits */
    hid_t   small_space = H5Screate_simple(1, small_dims, NULL);

    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t attr;
    H5E_BEGIN_TRY { attr = H5Acreate2(file, "big", H5T_NATIVE_UINT, space, H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(attr < 0, "a 256 KiB attribute is refused with the default (earliest) format");
    if (attr >= 0)
        H5Aclose(attr);
    CHECK(H5Aexists(file, "big") == 0, "the refused attribute does not exist");
    attr = H5Acreate2(file, "fits", H5T_NATIVE_UINT, small_space, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(attr >= 0, "a 64000-byte attribute fits the earliest format");
    if (attr >= 0)
        H5Aclose(attr);
    H5Fclose(file);

    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    file = H5Fopen(name, H5F_ACC_RDWR, fapl);
    attr = H5Acreate2(file, "big", H5T_NATIVE_UINT, space, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(attr >= 0, "a 256 KiB attribute is stored with a V18 low bound");
    CHECK(H5Awrite(attr, H5T_NATIVE_UINT, values) >= 0, "write the 256 KiB attribute");
    H5Aclose(attr);
    H5Fclose(file);
    memset(values, 0, sizeof(unsigned int) * dims[0]);
    file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
    attr = H5Aopen(file, "big", H5P_DEFAULT);
    CHECK(H5Aread(attr, H5T_NATIVE_UINT, values) >= 0, "read the 256 KiB attribute");
    CHECK(values[12345] == 12345 && values[dims[0] - 1] == dims[0] - 1, "the 256 KiB attribute's values");
    H5Aclose(attr);
    H5Fclose(file);
    H5Pclose(fapl);
    free(values);
    H5Sclose(space);
    H5Sclose(small_space);
}

/* With attribute creation order tracked, each attribute keeps the value it was created with:
 * deleting one renumbers nothing and a new one takes the next value (native HDF5's rule). */
static void creation_order_values(hid_t file)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    hid_t group = H5Gcreate2(file, "ordered", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    hid_t space = H5Screate(H5S_SCALAR);
    const char *names[] = {"zeta", "alpha", "mid"};
    for (int i = 0; i < 3; i++)
        H5Aclose(H5Acreate2(group, names[i], H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Adelete(group, "zeta") >= 0, "delete the first attribute");
    H5A_info_t info;
    CHECK(H5Aget_info_by_name(group, ".", "mid", &info, H5P_DEFAULT) >= 0 && info.corder_valid &&
              info.corder == 2,
          "an attribute keeps its creation order value after an earlier one is deleted");
    CHECK(H5Aget_info_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_INC, 0, &info, H5P_DEFAULT) >= 0 &&
              info.corder == 1,
          "the first attribute in creation order is the second created");
    hid_t attr = H5Acreate2(group, "new", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(H5Aget_info(attr, &info) >= 0 && info.corder == 3, "a new attribute takes the next value");
    H5Aclose(attr);
    char name[16] = "";
    H5Aget_name_by_idx(group, ".", H5_INDEX_CRT_ORDER, H5_ITER_DEC, 0, name, sizeof name, H5P_DEFAULT);
    CHECK(strcmp(name, "new") == 0, "the newest attribute is last in creation order");
    /* Once the last attribute is gone, creation order starts again from 0 (as natively). */
    const char *left[] = {"alpha", "mid", "new"};
    for (int i = 0; i < 3; i++)
        H5Adelete(group, left[i]);
    attr = H5Acreate2(group, "fresh", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(H5Aget_info(attr, &info) >= 0 && info.corder == 0,
          "after the last attribute is deleted creation order starts again from 0");
    H5Aclose(attr);
    H5Sclose(space);
    H5Gclose(group);
    H5Pclose(gcpl);
}

int main(int argc, char **argv)
{
    const char *folder = argc > 1 ? argv[1] : "/attrules";
    int         names_kept = !(argc > 2 && strcmp(argv[2], "hsds") == 0);
    char        name[512];
    snprintf(name, sizeof name, "%s/attributes.h5", folder);
    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0, "create");
    name_character_sets(file, names_kept);
    padding_reads_as_zero(file);
    if (names_kept) /* HSDS keeps no creation order values: positions stand in */
        creation_order_values(file);
    H5Fclose(file);
    big_attributes(folder);
    printf("OK: %d failure(s)\n", failures);
    return failures;
}
