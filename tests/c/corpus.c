/* The tool-parity corpus: `corpus CASE FILE` writes one case to FILE with plain HDF5 calls, so
 * the same binary writes a native .h5 file when no VOL connector is selected, and a restvol
 * domain when HDF5_VOL_CONNECTOR=REST (and the connector's settings) are in the environment.
 * `corpus --list` prints the case names, one per line. Exit status 0 on success. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK(expr)                                                                                   \
    do {                                                                                           \
        if ((expr) < 0) {                                                                          \
            fprintf(stderr, "failed: %s (line %d)\n", #expr, __LINE__);                            \
            exit(2);                                                                               \
        }                                                                                          \
    } while (0)

/* A dataset of `type` over `space`, written from `buf` (NULL: not written). */
static void dataset(hid_t loc, const char *name, hid_t type, hid_t space, hid_t dcpl,
                    const void *buf)
{
    hid_t d = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    OK(d);
    if (buf)
        OK(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf));
    OK(H5Dclose(d));
}

/* An attribute of `type` over `space` on `loc`, written from `buf`. */
static void attribute(hid_t loc, const char *name, hid_t type, hid_t space, const void *buf)
{
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    OK(a);
    if (buf)
        OK(H5Awrite(a, type, buf));
    OK(H5Aclose(a));
}

static hid_t simple1(hsize_t n)
{
    return H5Screate_simple(1, &n, NULL);
}

static hid_t simple2(hsize_t r, hsize_t c)
{
    hsize_t dims[2] = {r, c};
    return H5Screate_simple(2, dims, NULL);
}

static void case_integers(hid_t f)
{
    hid_t types[8] = {H5T_STD_I8LE,  H5T_STD_U8LE,  H5T_STD_I16LE, H5T_STD_U16BE,
                      H5T_STD_I32BE, H5T_STD_U32LE, H5T_STD_I64LE, H5T_STD_U64BE};
    const char *names[8] = {"i8", "u8", "i16", "u16be", "i32be", "u32", "i64", "u64be"};
    hid_t       space    = simple2(3, 4);
    long long   v[12];
    for (int i = 0; i < 12; i++)
        v[i] = i * 7 - 20;
    for (int t = 0; t < 8; t++) {
        hid_t d = H5Dcreate2(f, names[t], types[t], space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        OK(d);
        OK(H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
        OK(H5Dclose(d));
    }
    H5Sclose(space);
}

static void case_floats(hid_t f)
{
    hid_t  space = simple1(6);
    double v[6]  = {0.0, -1.5, 3.25, 1e10, -2.5e-5, 42.0};
    hid_t  types[4]    = {H5T_IEEE_F32LE, H5T_IEEE_F64LE, H5T_IEEE_F32BE, H5T_IEEE_F64BE};
    const char *names[4] = {"f32", "f64", "f32be", "f64be"};
    for (int t = 0; t < 4; t++) {
        hid_t d = H5Dcreate2(f, names[t], types[t], space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        OK(d);
        OK(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
        OK(H5Dclose(d));
    }
    H5Sclose(space);
}

static void case_fixed_strings(hid_t f)
{
    hid_t space         = simple1(3);
    char  words[3][8]   = {"alpha", "beta", "gamma"};
    H5T_str_t pads[3]   = {H5T_STR_NULLTERM, H5T_STR_NULLPAD, H5T_STR_SPACEPAD};
    const char *names[3] = {"nullterm", "nullpad", "spacepad"};
    for (int p = 0; p < 3; p++) {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, 8);
        H5Tset_strpad(t, pads[p]);
        dataset(f, names[p], t, space, H5P_DEFAULT, words);
        H5Tclose(t);
    }
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, 8);
    H5Tset_cset(t, H5T_CSET_UTF8);
    dataset(f, "utf8", t, space, H5P_DEFAULT, words);
    H5Tclose(t);
    H5Sclose(space);
}

static void case_vlen_strings(hid_t f)
{
    hid_t       space   = simple1(4);
    const char *v[4]    = {"a", "variable length", "", "strings \xc3\xa9"};
    hid_t       t       = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    dataset(f, "ascii", t, space, H5P_DEFAULT, v);
    H5Tset_cset(t, H5T_CSET_UTF8);
    dataset(f, "utf8", t, space, H5P_DEFAULT, v);
    H5Tclose(t);
    H5Sclose(space);
}

typedef struct {
    int    x;
    double y;
} inner_t;

typedef struct {
    short   id;
    float   values[3];
    inner_t inner;
    char    label[6];
} outer_t;

static hid_t inner_type(void)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(inner_t));
    H5Tinsert(t, "x", HOFFSET(inner_t, x), H5T_NATIVE_INT);
    H5Tinsert(t, "y", HOFFSET(inner_t, y), H5T_NATIVE_DOUBLE);
    return t;
}

static hid_t outer_type(void)
{
    hsize_t three = 3;
    hid_t   arr   = H5Tarray_create2(H5T_NATIVE_FLOAT, 1, &three);
    hid_t   str   = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 6);
    hid_t inner = inner_type();
    hid_t t     = H5Tcreate(H5T_COMPOUND, sizeof(outer_t));
    H5Tinsert(t, "id", HOFFSET(outer_t, id), H5T_NATIVE_SHORT);
    H5Tinsert(t, "values", HOFFSET(outer_t, values), arr);
    H5Tinsert(t, "inner", HOFFSET(outer_t, inner), inner);
    H5Tinsert(t, "label", HOFFSET(outer_t, label), str);
    H5Tclose(arr);
    H5Tclose(str);
    H5Tclose(inner);
    return t;
}

static void case_compound(hid_t f)
{
    outer_t v[3];
    memset(v, 0, sizeof(v));
    for (int i = 0; i < 3; i++) {
        v[i].id = (short)(i + 1);
        for (int j = 0; j < 3; j++)
            v[i].values[j] = (float)(i * 10 + j) / 4.0f;
        v[i].inner.x = -i;
        v[i].inner.y = i * 1.5;
        snprintf(v[i].label, sizeof(v[i].label), "row%d", i);
    }
    hid_t t     = outer_type();
    hid_t space = simple1(3);
    dataset(f, "records", t, space, H5P_DEFAULT, v);
    hid_t scalar = H5Screate(H5S_SCALAR);
    dataset(f, "one_record", t, scalar, H5P_DEFAULT, &v[1]);
    H5Sclose(scalar);
    H5Sclose(space);
    H5Tclose(t);
}

static void case_vlen_sequences(hid_t f)
{
    int   a[] = {1}, b[] = {2, 3}, c[] = {4, 5, 6};
    hvl_t v[4] = {{1, a}, {2, b}, {3, c}, {0, NULL}};
    hid_t t    = H5Tvlen_create(H5T_NATIVE_INT);
    hid_t space = simple1(4);
    dataset(f, "ragged", t, space, H5P_DEFAULT, v);
    H5Tclose(t);
    double d[] = {0.5, 1.5};
    hvl_t  w[2] = {{2, d}, {1, d}};
    t           = H5Tvlen_create(H5T_NATIVE_DOUBLE);
    H5Sclose(space);
    space = simple1(2);
    dataset(f, "ragged_double", t, space, H5P_DEFAULT, w);
    H5Tclose(t);
    H5Sclose(space);
}

static void case_enum(hid_t f)
{
    hid_t       t        = H5Tenum_create(H5T_NATIVE_INT);
    const char *names[3] = {"RED", "GREEN", "BLUE"};
    for (int i = 0; i < 3; i++) {
        int value = i * 10;
        H5Tenum_insert(t, names[i], &value);
    }
    int   v[5]  = {0, 10, 20, 10, 0};
    hid_t space = simple1(5);
    dataset(f, "colours", t, space, H5P_DEFAULT, v);
    hid_t small = H5Tenum_create(H5T_NATIVE_UCHAR);
    for (unsigned char i = 0; i < 2; i++)
        H5Tenum_insert(small, i ? "TRUE" : "FALSE", &i);
    unsigned char flags[5] = {1, 0, 1, 1, 0};
    dataset(f, "flags", small, space, H5P_DEFAULT, flags);
    H5Tclose(small);
    H5Tclose(t);
    H5Sclose(space);
}

static void case_array(hid_t f)
{
    hsize_t adims[2] = {2, 3};
    hid_t   t        = H5Tarray_create2(H5T_NATIVE_INT, 2, adims);
    int     v[4][2][3];
    for (int i = 0; i < 24; i++)
        ((int *)v)[i] = i;
    hid_t space = simple1(4);
    dataset(f, "matrices", t, space, H5P_DEFAULT, v);
    H5Tclose(t);
    H5Sclose(space);
}

static void case_opaque_bitfield(hid_t f)
{
    hid_t t = H5Tcreate(H5T_OPAQUE, 4);
    H5Tset_tag(t, "four bytes");
    unsigned char v[12];
    for (int i = 0; i < 12; i++)
        v[i] = (unsigned char)(i * 17);
    hid_t space = simple1(3);
    dataset(f, "opaque", t, space, H5P_DEFAULT, v);
    H5Tclose(t);
    dataset(f, "bitfield8", H5T_STD_B8LE, space, H5P_DEFAULT, v);
    dataset(f, "bitfield16", H5T_STD_B16LE, space, H5P_DEFAULT, v);
    H5Sclose(space);
}

static void case_references(hid_t f)
{
    hid_t g     = H5Gcreate2(f, "targets", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = simple2(4, 5);
    int   data[20];
    for (int i = 0; i < 20; i++)
        data[i] = i;
    dataset(g, "grid", H5T_NATIVE_INT, space, H5P_DEFAULT, data);
    hid_t one = H5Screate(H5S_SCALAR);
    attribute(g, "note", H5T_NATIVE_INT, one, data);
    H5R_ref_t refs[4];
    OK(H5Rcreate_object(f, "targets", H5P_DEFAULT, &refs[0]));
    OK(H5Rcreate_object(f, "targets/grid", H5P_DEFAULT, &refs[1]));
    hsize_t start[2] = {1, 1}, count[2] = {2, 3};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    OK(H5Rcreate_region(f, "targets/grid", space, H5P_DEFAULT, &refs[2]));
    hsize_t pts[3][2] = {{0, 0}, {3, 4}, {2, 1}};
    H5Sselect_elements(space, H5S_SELECT_SET, 3, (const hsize_t *)pts);
    OK(H5Rcreate_region(f, "targets/grid", space, H5P_DEFAULT, &refs[3]));
    hid_t objs = simple1(2);
    dataset(f, "object_refs", H5T_STD_REF, objs, H5P_DEFAULT, refs);
    dataset(f, "region_refs", H5T_STD_REF, objs, H5P_DEFAULT, &refs[2]);
    attribute(f, "refs", H5T_STD_REF, objs, refs);
    for (int i = 0; i < 4; i++)
        H5Rdestroy(&refs[i]);
    H5Sclose(objs);
    H5Sclose(one);
    H5Sclose(space);
    H5Gclose(g);
}

static void case_soft_links(hid_t f)
{
    hid_t g = H5Gcreate2(f, "data", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t s = simple1(3);
    int   v[3] = {1, 2, 3};
    dataset(g, "values", H5T_NATIVE_INT, s, H5P_DEFAULT, v);
    OK(H5Lcreate_soft("/data/values", f, "shortcut", H5P_DEFAULT, H5P_DEFAULT));
    OK(H5Lcreate_soft("/data", f, "data_alias", H5P_DEFAULT, H5P_DEFAULT));
    OK(H5Lcreate_soft("/nowhere/at/all", f, "dangling", H5P_DEFAULT, H5P_DEFAULT));
    OK(H5Lcreate_soft("values", g, "relative", H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(s);
    H5Gclose(g);
}

static void case_external_links(hid_t f)
{
    OK(H5Lcreate_external("other.h5", "/some/object", f, "elsewhere", H5P_DEFAULT, H5P_DEFAULT));
    OK(H5Lcreate_external("third.h5", "/", f, "root_of_third", H5P_DEFAULT, H5P_DEFAULT));
    hid_t g = H5Gcreate2(f, "inside", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    OK(H5Lcreate_external("other.h5", "/x", g, "deeper", H5P_DEFAULT, H5P_DEFAULT));
    H5Gclose(g);
}

static void case_hard_links(hid_t f)
{
    hid_t a = H5Gcreate2(f, "a", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t b = H5Gcreate2(f, "b", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t shared = H5Gcreate2(a, "shared", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t s      = simple1(2);
    int   v[2]   = {7, 8};
    dataset(shared, "inside", H5T_NATIVE_INT, s, H5P_DEFAULT, v);
    OK(H5Lcreate_hard(a, "shared", b, "same_group", H5P_DEFAULT, H5P_DEFAULT));
    OK(H5Lcreate_hard(shared, "inside", f, "top_level_alias", H5P_DEFAULT, H5P_DEFAULT));
    H5Sclose(s);
    H5Gclose(shared);
    H5Gclose(b);
    H5Gclose(a);
}

static void attributes_on(hid_t loc)
{
    hid_t  scalar = H5Screate(H5S_SCALAR);
    hid_t  null   = H5Screate(H5S_NULL);
    hid_t  vec    = simple1(3);
    hid_t  mat    = simple2(2, 2);
    int    i      = 42;
    double d[3]   = {1.0, 2.5, -3.0};
    short  m[4]   = {1, 2, 3, 4};
    attribute(loc, "int_scalar", H5T_NATIVE_INT, scalar, &i);
    attribute(loc, "double_vector", H5T_NATIVE_DOUBLE, vec, d);
    attribute(loc, "short_matrix", H5T_STD_I16BE, mat, m);
    attribute(loc, "empty", H5T_NATIVE_INT, null, NULL);
    hid_t fixed = H5Tcopy(H5T_C_S1);
    H5Tset_size(fixed, 5);
    attribute(loc, "fixed_string", fixed, scalar, "hello");
    H5Tclose(fixed);
    hid_t vstr = H5Tcopy(H5T_C_S1);
    H5Tset_size(vstr, H5T_VARIABLE);
    const char *words[3] = {"one", "two", "three"};
    attribute(loc, "vlen_strings", vstr, vec, words);
    H5Tclose(vstr);
    inner_t c  = {5, 0.25};
    hid_t   ct = inner_type();
    attribute(loc, "compound", ct, scalar, &c);
    H5Tclose(ct);
    hid_t et = H5Tenum_create(H5T_NATIVE_INT);
    int   on = 1, off = 0;
    H5Tenum_insert(et, "OFF", &off);
    H5Tenum_insert(et, "ON", &on);
    attribute(loc, "enum", et, scalar, &on);
    H5Tclose(et);
    int   seq[] = {9, 8};
    hvl_t vl    = {2, seq};
    hid_t vt    = H5Tvlen_create(H5T_NATIVE_INT);
    attribute(loc, "vlen", vt, scalar, &vl);
    H5Tclose(vt);
    hsize_t two = 2;
    hid_t   at  = H5Tarray_create2(H5T_NATIVE_INT, 1, &two);
    int     av[2] = {-1, 1};
    attribute(loc, "array", at, scalar, av);
    H5Tclose(at);
    H5Sclose(mat);
    H5Sclose(vec);
    H5Sclose(null);
    H5Sclose(scalar);
}

static void case_attributes(hid_t f)
{
    attributes_on(f);
    hid_t g = H5Gcreate2(f, "group", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    attributes_on(g);
    hid_t s    = simple1(2);
    int   v[2] = {1, 2};
    hid_t d = H5Dcreate2(g, "dataset", H5T_NATIVE_INT, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    OK(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    attributes_on(d);
    H5Dclose(d);
    H5Sclose(s);
    H5Gclose(g);
}

static void case_chunked(hid_t f)
{
    hsize_t dims[2] = {10, 12}, chunk[2] = {4, 5};
    hid_t   space   = H5Screate_simple(2, dims, NULL);
    hid_t   dcpl    = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    int v[120];
    for (int i = 0; i < 120; i++)
        v[i] = i * 3;
    dataset(f, "chunked", H5T_NATIVE_INT, space, dcpl, v);
    hsize_t c1[2] = {10, 12};
    H5Pset_chunk(dcpl, 2, c1);
    dataset(f, "one_chunk", H5T_NATIVE_INT, space, dcpl, v);
    H5Pclose(dcpl);
    H5Sclose(space);
}

static void case_filtered(hid_t f)
{
    hsize_t dims[2] = {16, 16}, chunk[2] = {8, 8};
    hid_t   space   = H5Screate_simple(2, dims, NULL);
    float   v[256];
    for (int i = 0; i < 256; i++)
        v[i] = (float)(i % 17) * 0.5f;
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_deflate(dcpl, 6);
    dataset(f, "deflate", H5T_NATIVE_FLOAT, space, dcpl, v);
    H5Pclose(dcpl);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    dataset(f, "shuffle_deflate", H5T_NATIVE_FLOAT, space, dcpl, v);
    H5Pclose(dcpl);
    H5Sclose(space);
}

static void case_resizable(hid_t f)
{
    hsize_t dims[1] = {4}, max[1] = {H5S_UNLIMITED}, chunk[1] = {4};
    hid_t   space   = H5Screate_simple(1, dims, max);
    hid_t   dcpl    = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    hid_t d = H5Dcreate2(f, "grows", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    int   v[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    OK(H5Dwrite(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v));
    hsize_t bigger[1] = {10};
    OK(H5Dset_extent(d, bigger));
    hid_t   fs       = H5Dget_space(d);
    hsize_t start[1] = {4}, count[1] = {6};
    H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    hid_t ms = simple1(6);
    OK(H5Dwrite(d, H5T_NATIVE_INT, ms, fs, H5P_DEFAULT, v + 4));
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    hsize_t dims2[2] = {3, 2}, max2[2] = {H5S_UNLIMITED, 8}, chunk2[2] = {2, 2};
    hid_t   space2   = H5Screate_simple(2, dims2, max2);
    H5Pset_chunk(dcpl, 2, chunk2);
    int w[6] = {1, 2, 3, 4, 5, 6};
    dataset(f, "bounded", H5T_NATIVE_INT, space2, dcpl, w);
    H5Sclose(space2);
    H5Pclose(dcpl);
    H5Sclose(space);
}

static void case_fill_values(hid_t f)
{
    hsize_t dims[1] = {8}, chunk[1] = {4};
    hid_t   space   = simple1(8);
    hid_t   dcpl    = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    int fill = -99;
    H5Pset_fill_value(dcpl, H5T_NATIVE_INT, &fill);
    hid_t   d        = H5Dcreate2(f, "partial", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    hsize_t start[1] = {2}, count[1] = {3};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL);
    hid_t ms   = simple1(3);
    int   v[3] = {1, 2, 3};
    OK(H5Dwrite(d, H5T_NATIVE_INT, ms, space, H5P_DEFAULT, v));
    H5Dclose(d);
    H5Sselect_all(space);
    double dfill = 2.5;
    H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &dfill);
    dataset(f, "never_written", H5T_NATIVE_DOUBLE, space, dcpl, NULL);
    dataset(f, "default_fill", H5T_NATIVE_SHORT, space, H5P_DEFAULT, NULL);
    (void)dims;
    H5Sclose(ms);
    H5Pclose(dcpl);
    H5Sclose(space);
}

static void case_empty_and_scalar(hid_t f)
{
    hid_t null = H5Screate(H5S_NULL);
    dataset(f, "null_space", H5T_NATIVE_INT, null, H5P_DEFAULT, NULL);
    hsize_t zero[1] = {0}, umax[1] = {H5S_UNLIMITED}, chunk[1] = {8};
    hid_t   empty   = H5Screate_simple(1, zero, umax);
    hid_t   dcpl    = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 1, chunk);
    dataset(f, "zero_length", H5T_NATIVE_FLOAT, empty, dcpl, NULL);
    hid_t  scalar = H5Screate(H5S_SCALAR);
    double pi     = 3.14159;
    dataset(f, "scalar_double", H5T_NATIVE_DOUBLE, scalar, H5P_DEFAULT, &pi);
    hid_t s = H5Tcopy(H5T_C_S1);
    H5Tset_size(s, H5T_VARIABLE);
    const char *text = "a scalar string";
    dataset(f, "scalar_string", s, scalar, H5P_DEFAULT, &text);
    H5Tclose(s);
    H5Sclose(scalar);
    H5Pclose(dcpl);
    H5Sclose(empty);
    H5Sclose(null);
}

static void case_deep(hid_t f)
{
    char  name[32];
    hid_t g = H5Gopen2(f, "/", H5P_DEFAULT);
    for (int level = 0; level < 12; level++) {
        snprintf(name, sizeof(name), "level%02d", level);
        hid_t next = H5Gcreate2(g, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        OK(next);
        if (level % 3 == 0) {
            hid_t s = H5Screate(H5S_SCALAR);
            attribute(next, "depth", H5T_NATIVE_INT, s, &level);
            dataset(next, "marker", H5T_NATIVE_INT, s, H5P_DEFAULT, &level);
            H5Sclose(s);
        }
        H5Gclose(g);
        g = next;
    }
    H5Gclose(g);
}

static void case_wide_group(hid_t f)
{
    char  name[32];
    hid_t s = H5Screate(H5S_SCALAR);
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "item_%03d", (i * 37) % 40);
        if (i % 2)
            H5Gclose(H5Gcreate2(f, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        else
            dataset(f, name, H5T_NATIVE_INT, s, H5P_DEFAULT, &i);
    }
    H5Sclose(s);
}

static void case_committed_types(hid_t f)
{
    hid_t t = inner_type();
    OK(H5Tcommit2(f, "pair", t, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    inner_t v[2] = {{1, 0.5}, {2, 1.5}};
    hid_t   s    = simple1(2);
    dataset(f, "uses_pair", t, s, H5P_DEFAULT, v);
    hid_t g  = H5Gcreate2(f, "types", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t e  = H5Tenum_create(H5T_NATIVE_SCHAR);
    signed char a = 0, b = 1;
    H5Tenum_insert(e, "NO", &a);
    H5Tenum_insert(e, "YES", &b);
    OK(H5Tcommit2(g, "answer", e, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Tclose(e);
    H5Gclose(g);
    H5Sclose(s);
    H5Tclose(t);
}

static void case_large_values(hid_t f)
{
    hsize_t dims[2] = {200, 150};
    hid_t   space   = H5Screate_simple(2, dims, NULL);
    int    *v       = malloc(sizeof(int) * 200 * 150);
    if (!v)
        exit(2);
    for (int i = 0; i < 200 * 150; i++)
        v[i] = (i * 7919) % 100003;
    dataset(f, "big", H5T_NATIVE_INT, space, H5P_DEFAULT, v);
    free(v);
    H5Sclose(space);
}

struct corpus_case {
    const char *name;
    void (*write)(hid_t);
};

static const struct corpus_case cases[] = {
    {"integers", case_integers},
    {"floats", case_floats},
    {"fixed_strings", case_fixed_strings},
    {"vlen_strings", case_vlen_strings},
    {"compound", case_compound},
    {"vlen_sequences", case_vlen_sequences},
    {"enum", case_enum},
    {"array", case_array},
    {"opaque_bitfield", case_opaque_bitfield},
    {"references", case_references},
    {"soft_links", case_soft_links},
    {"external_links", case_external_links},
    {"hard_links", case_hard_links},
    {"attributes", case_attributes},
    {"chunked", case_chunked},
    {"filtered", case_filtered},
    {"resizable", case_resizable},
    {"fill_values", case_fill_values},
    {"empty_and_scalar", case_empty_and_scalar},
    {"deep", case_deep},
    {"wide_group", case_wide_group},
    {"committed_types", case_committed_types},
    {"large_values", case_large_values},
};

int main(int argc, char **argv)
{
    size_t n = sizeof(cases) / sizeof(cases[0]);
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", cases[i].name);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: corpus CASE FILE | corpus --list\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(argv[1], cases[i].name) != 0)
            continue;
        hid_t f = H5Fcreate(argv[2], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        OK(f);
        cases[i].write(f);
        OK(H5Fclose(f));
        return 0;
    }
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 1;
}
