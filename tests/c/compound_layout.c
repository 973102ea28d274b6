/* Compounds keep the application's memory layout: a padded struct type (H5Tcreate with
 * sizeof + HOFFSET) used for a dataset, a scalar dataset, an attribute, a committed type and a
 * dataset of that committed type; a struct holding an array of padded structs; and a packed
 * compound; scalar attributes of a compound and of an array type (values HSDS 1.0.2 would cut
 * to their first field or element if written to .../value). After reopening, the type H5Dget_type / H5Aget_type / H5Topen gives back is
 * H5Tequal to the created one and reads straight into the struct; a packed memory type reads
 * the same values. argv[1] is the file. Prints one line per failed check, then
 * "OK: N failure(s)"; exit status = number of failures. */
#include <hdf5.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

typedef struct {
    char   a;
    double b;
    int    c;
} padded_t;

typedef struct {
    int      n;
    padded_t pair[2];
} outer_t;

#define N 4

static hid_t padded_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(padded_t));
    H5Tinsert(t, "a", HOFFSET(padded_t, a), H5T_NATIVE_CHAR);
    H5Tinsert(t, "b", HOFFSET(padded_t, b), H5T_NATIVE_DOUBLE);
    H5Tinsert(t, "c", HOFFSET(padded_t, c), H5T_NATIVE_INT);
    return t;
}

static hid_t outer_type(hid_t padded)
{
    hsize_t dims[1] = {2};
    hid_t   array   = H5Tarray_create2(padded, 1, dims);
    hid_t   t       = H5Tcreate(H5T_COMPOUND, sizeof(outer_t));
    H5Tinsert(t, "n", HOFFSET(outer_t, n), H5T_NATIVE_INT);
    H5Tinsert(t, "pair", HOFFSET(outer_t, pair), array);
    H5Tclose(array);
    return t;
}

/* struct { char a; int b; } without padding: 5 bytes. */
static hid_t packed_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, 5);
    H5Tinsert(t, "a", 0, H5T_NATIVE_CHAR);
    H5Tinsert(t, "b", 1, H5T_NATIVE_INT);
    return t;
}

static padded_t padded_value(int i)
{
    padded_t v;
    memset(&v, 0, sizeof v);
    v.a = (char)('a' + i);
    v.b = 1.5 * i;
    v.c = 100 + i;
    return v;
}

static int same_padded(const padded_t *x, const padded_t *y)
{
    return x->a == y->a && x->b == y->b && x->c == y->c;
}

/* The type `got` handed out for `what` equals `created` and has its size. */
static void check_type(hid_t got, hid_t created, const char *what)
{
    char message[256];
    snprintf(message, sizeof message, "%s: type equals the created one", what);
    CHECK(got >= 0 && H5Tequal(got, created) > 0, message);
    snprintf(message, sizeof message, "%s: type size", what);
    CHECK(H5Tget_size(got) == H5Tget_size(created), message);
}

static void write_file(const char *name)
{
    hid_t padded = padded_type(), outer = outer_type(padded), packed = packed_type();
    hid_t file   = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0, "create file");
    hsize_t dims[1] = {N};
    hid_t   space = H5Screate_simple(1, dims, NULL), scalar = H5Screate(H5S_SCALAR);

    padded_t values[N];
    for (int i = 0; i < N; i++)
        values[i] = padded_value(i);
    hid_t d = H5Dcreate2(file, "padded", padded, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(d >= 0 && H5Dwrite(d, padded, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0, "write padded");
    H5Dclose(d);

    padded_t one = padded_value(7);
    d = H5Dcreate2(file, "scalar", padded, scalar, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(d >= 0 && H5Dwrite(d, padded, H5S_ALL, H5S_ALL, H5P_DEFAULT, &one) >= 0, "write scalar");
    H5Dclose(d);

    /* A one-element attribute (scalar ones follow below). */
    hsize_t one_dim[1] = {1};
    hid_t   single     = H5Screate_simple(1, one_dim, NULL);
    hid_t   a          = H5Acreate2(file, "attr", padded, single, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(single);
    CHECK(a >= 0 && H5Awrite(a, padded, &one) >= 0, "write attribute");
    H5Aclose(a);

    /* Scalar attributes of a compound and of an array type, the compound written twice (the
     * second value wins): HSDS 1.0.2 keeps only the first field or element of such a value sent
     * to .../value, so the connector replaces the attribute with its value instead. */
    padded_t before = padded_value(3);
    a = H5Acreate2(file, "scalar_attr", padded, scalar, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(a >= 0 && H5Awrite(a, padded, &before) >= 0 && H5Awrite(a, padded, &one) >= 0,
          "write scalar compound attribute twice");
    H5Aclose(a);
    hsize_t three[1] = {3};
    hid_t   ints_t   = H5Tarray_create2(H5T_NATIVE_INT, 1, three);
    int     ints[3]  = {4, 5, 6};
    a = H5Acreate2(file, "scalar_array_attr", ints_t, scalar, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(a >= 0 && H5Awrite(a, ints_t, ints) >= 0, "write scalar array attribute");
    H5Aclose(a);
    H5Tclose(ints_t);

    hid_t committed = H5Tcopy(padded);
    CHECK(H5Tcommit2(file, "ptype", committed, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) >= 0,
          "commit type");
    d = H5Dcreate2(file, "by_committed", committed, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(d >= 0 && H5Dwrite(d, padded, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0,
          "write dataset of the committed type");
    H5Dclose(d);
    H5Tclose(committed);

    outer_t nested[2];
    memset(nested, 0, sizeof nested);
    for (int i = 0; i < 2; i++) {
        nested[i].n       = 10 * i;
        nested[i].pair[0] = padded_value(2 * i);
        nested[i].pair[1] = padded_value(2 * i + 1);
    }
    hsize_t two[1] = {2};
    hid_t   space2 = H5Screate_simple(1, two, NULL);
    d = H5Dcreate2(file, "nested", outer, space2, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(d >= 0 && H5Dwrite(d, outer, H5S_ALL, H5S_ALL, H5P_DEFAULT, nested) >= 0, "write nested");
    H5Dclose(d);

    unsigned char raw[2 * 5];
    for (int i = 0; i < 2; i++) {
        int b = 1000 + i;
        raw[5 * i] = (unsigned char)('x' + i);
        memcpy(raw + 5 * i + 1, &b, sizeof b);
    }
    d = H5Dcreate2(file, "packed", packed, space2, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(d >= 0 && H5Dwrite(d, packed, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0, "write packed");
    H5Dclose(d);

    H5Sclose(space2);
    H5Sclose(space);
    H5Sclose(scalar);
    CHECK(H5Fclose(file) >= 0, "close file");
    H5Tclose(packed);
    H5Tclose(outer);
    H5Tclose(padded);
}

static void read_file(const char *name)
{
    hid_t padded = padded_type(), outer = outer_type(padded), packed = packed_type();
    hid_t file   = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(file >= 0, "reopen file");

    const char *datasets[] = {"padded", "by_committed"};
    for (int k = 0; k < 2; k++) {
        hid_t d = H5Dopen2(file, datasets[k], H5P_DEFAULT);
        hid_t t = H5Dget_type(d);
        check_type(t, padded, datasets[k]);
        padded_t got[N];
        memset(got, 0, sizeof got);
        CHECK(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got) >= 0, "read with H5Dget_type");
        for (int i = 0; i < N; i++) {
            padded_t want = padded_value(i);
            CHECK(same_padded(&got[i], &want), "values read with the returned type");
        }
        /* A packed memory type converts from the same stored values. */
        hid_t memory = H5Tcopy(padded);
        H5Tpack(memory);
        CHECK(H5Tget_size(memory) == 13, "packed copy of the struct type");
        unsigned char raw[N * 13];
        CHECK(H5Dread(d, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0, "read packed");
        double b;
        int    c;
        memcpy(&b, raw + 13 * 3 + 1, sizeof b);
        memcpy(&c, raw + 13 * 3 + 9, sizeof c);
        CHECK(raw[13 * 3] == 'd' && b == 4.5 && c == 103, "values read with a packed type");
        H5Tclose(memory);
        H5Tclose(t);
        H5Dclose(d);
    }

    hid_t d = H5Dopen2(file, "scalar", H5P_DEFAULT);
    hid_t t = H5Dget_type(d);
    check_type(t, padded, "scalar");
    padded_t one, want = padded_value(7);
    memset(&one, 0, sizeof one);
    CHECK(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &one) >= 0 && same_padded(&one, &want),
          "scalar read with H5Dget_type");
    H5Tclose(t);
    H5Dclose(d);

    hid_t a = H5Aopen(file, "attr", H5P_DEFAULT);
    t       = H5Aget_type(a);
    check_type(t, padded, "attribute");
    memset(&one, 0, sizeof one);
    CHECK(H5Aread(a, t, &one) >= 0 && same_padded(&one, &want), "attribute read with H5Aget_type");
    H5Tclose(t);
    H5Aclose(a);

    a = H5Aopen(file, "scalar_attr", H5P_DEFAULT);
    t = H5Aget_type(a);
    memset(&one, 0, sizeof one);
    CHECK(H5Aread(a, t, &one) >= 0 && same_padded(&one, &want),
          "scalar compound attribute read (its second value)");
    H5Tclose(t);
    H5Aclose(a);
    hsize_t three[1] = {3};
    hid_t   ints_t   = H5Tarray_create2(H5T_NATIVE_INT, 1, three);
    int     ints[3]  = {0, 0, 0};
    a = H5Aopen(file, "scalar_array_attr", H5P_DEFAULT);
    CHECK(H5Aread(a, ints_t, ints) >= 0 && ints[0] == 4 && ints[1] == 5 && ints[2] == 6,
          "scalar array attribute read");
    H5Aclose(a);
    H5Tclose(ints_t);

    t = H5Topen2(file, "ptype", H5P_DEFAULT);
    check_type(t, padded, "committed type");
    H5Tclose(t);

    d = H5Dopen2(file, "nested", H5P_DEFAULT);
    t = H5Dget_type(d);
    check_type(t, outer, "nested");
    outer_t nested[2];
    memset(nested, 0, sizeof nested);
    CHECK(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, nested) >= 0, "read nested");
    for (int i = 0; i < 2; i++) {
        padded_t first = padded_value(2 * i), second = padded_value(2 * i + 1);
        CHECK(nested[i].n == 10 * i && same_padded(&nested[i].pair[0], &first) &&
                  same_padded(&nested[i].pair[1], &second),
              "nested values");
    }
    H5Tclose(t);
    H5Dclose(d);

    d = H5Dopen2(file, "packed", H5P_DEFAULT);
    t = H5Dget_type(d);
    check_type(t, packed, "packed");
    unsigned char raw[2 * 5];
    CHECK(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0, "read packed dataset");
    int b;
    memcpy(&b, raw + 5 + 1, sizeof b);
    CHECK(raw[5] == 'y' && b == 1001, "packed values");
    H5Tclose(t);
    H5Dclose(d);

    CHECK(H5Fclose(file) >= 0, "close reopened file");
    H5Tclose(packed);
    H5Tclose(outer);
    H5Tclose(padded);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/layout/compound.h5";
    write_file(name);
    read_file(name);
    printf("OK: %d failure(s)\n", failures);
    return failures;
}
