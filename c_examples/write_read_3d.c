/*
 * write_read_3d: an ordinary HDF5 program, with nothing restvol-specific in it.
 *
 * It creates a file with a group hierarchy, a 3-D chunked float32 dataset written in slabs,
 * and attributes on the group and the dataset; then reopens the file read-only, reads the
 * dataset back whole and through a strided hyperslab, and checks every value.
 *
 * Run it with HDF5_VOL_CONNECTOR=REST and HDF5_PLUGIN_PATH pointing at librestvol.so and the
 * file becomes a sharded store (direct access by default). Without those variables it writes
 * a native HDF5 file, which is how the results are compared.
 *
 * usage: write_read_3d [FILE]   (default /restvol-examples/weather.h5)
 */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NZ 32
#define NY 128
#define NX 256
#define CZ 8
#define CY 64
#define CX 64

#define CHECK(expr)                                                                          \
    do {                                                                                     \
        if ((expr) < 0) {                                                                    \
            fprintf(stderr, "write_read_3d: %s failed (line %d)\n", #expr, __LINE__);        \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

static float value_at(size_t z, size_t y, size_t x)
{
    return (float)(z * 10000.0 + y * 100.0 + x * 0.5);
}

static void write_file(const char *name)
{
    hid_t file, lcpl, run, space, dcpl, dset, attr, aspace, str;
    hsize_t dims[3] = {NZ, NY, NX}, chunk[3] = {CZ, CY, CX};
    hsize_t start[3] = {0, 0, 0}, count[3] = {CZ, NY, NX};
    float *slab = malloc(sizeof(float) * CZ * NY * NX);
    double scale = 0.01;
    int version = 3;
    const char units[16] = "kelvin";

    CHECK(file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));

    /* Groups, with the intermediate ones created on the way. */
    CHECK(lcpl = H5Pcreate(H5P_LINK_CREATE));
    CHECK(H5Pset_create_intermediate_group(lcpl, 1));
    CHECK(run = H5Gcreate2(file, "/measurements/2026/run1", lcpl, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(aspace = H5Screate(H5S_SCALAR));
    CHECK(attr = H5Acreate2(run, "version", H5T_STD_I32LE, aspace, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Awrite(attr, H5T_NATIVE_INT, &version));
    CHECK(H5Aclose(attr));

    /* A chunked 3-D dataset written one slab of CZ planes at a time. */
    CHECK(space = H5Screate_simple(3, dims, NULL));
    CHECK(dcpl = H5Pcreate(H5P_DATASET_CREATE));
    CHECK(H5Pset_chunk(dcpl, 3, chunk));
    CHECK(dset = H5Dcreate2(run, "temperature", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl,
                            H5P_DEFAULT));
    for (size_t z0 = 0; z0 < NZ; z0 += CZ) {
        hid_t mem = H5Screate_simple(3, count, NULL);
        for (size_t z = 0; z < CZ; z++)
            for (size_t y = 0; y < NY; y++)
                for (size_t x = 0; x < NX; x++)
                    slab[(z * NY + y) * NX + x] = value_at(z0 + z, y, x);
        start[0] = z0;
        CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL));
        CHECK(H5Dwrite(dset, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, slab));
        CHECK(H5Sclose(mem));
    }

    /* Attributes on the dataset: a double and a fixed-length string. */
    CHECK(attr = H5Acreate2(dset, "scale", H5T_IEEE_F64LE, aspace, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Awrite(attr, H5T_NATIVE_DOUBLE, &scale));
    CHECK(H5Aclose(attr));
    CHECK(str = H5Tcopy(H5T_C_S1));
    CHECK(H5Tset_size(str, sizeof units));
    CHECK(attr = H5Acreate2(dset, "units", str, aspace, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(H5Awrite(attr, str, units));
    CHECK(H5Aclose(attr));

    CHECK(H5Tclose(str));
    CHECK(H5Sclose(aspace));
    CHECK(H5Dclose(dset));
    CHECK(H5Pclose(dcpl));
    CHECK(H5Sclose(space));
    CHECK(H5Gclose(run));
    CHECK(H5Pclose(lcpl));
    CHECK(H5Fclose(file));
    free(slab);
}

static int read_file(const char *name)
{
    hid_t file, dset, space, mem, attr, str;
    hsize_t dims[3];
    hsize_t start[3] = {1, 3, 5}, stride[3] = {7, 11, 13}, count[3] = {4, 10, 19};
    float *all = malloc(sizeof(float) * NZ * NY * NX);
    float strided[4 * 10 * 19];
    double scale = 0;
    char units[16] = {0};
    int version = 0, bad = 0;

    CHECK(file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT));
    CHECK(dset = H5Dopen2(file, "/measurements/2026/run1/temperature", H5P_DEFAULT));
    CHECK(space = H5Dget_space(dset));
    CHECK(H5Sget_simple_extent_dims(space, dims, NULL));
    if (dims[0] != NZ || dims[1] != NY || dims[2] != NX) {
        fprintf(stderr, "wrong shape %llu x %llu x %llu\n", (unsigned long long)dims[0],
                (unsigned long long)dims[1], (unsigned long long)dims[2]);
        return 1;
    }

    /* Everything at once. */
    CHECK(H5Dread(dset, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, all));
    for (size_t z = 0; z < NZ; z++)
        for (size_t y = 0; y < NY; y++)
            for (size_t x = 0; x < NX; x++)
                if (all[(z * NY + y) * NX + x] != value_at(z, y, x))
                    bad++;

    /* A strided hyperslab, converted to double on the way. */
    CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, stride, count, NULL));
    CHECK(mem = H5Screate_simple(3, count, NULL));
    CHECK(H5Dread(dset, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, strided));
    for (size_t i = 0; i < count[0]; i++)
        for (size_t j = 0; j < count[1]; j++)
            for (size_t k = 0; k < count[2]; k++)
                if (strided[(i * count[1] + j) * count[2] + k] !=
                    value_at(start[0] + i * stride[0], start[1] + j * stride[1],
                             start[2] + k * stride[2]))
                    bad++;

    CHECK(attr = H5Aopen(dset, "scale", H5P_DEFAULT));
    CHECK(H5Aread(attr, H5T_NATIVE_DOUBLE, &scale));
    CHECK(H5Aclose(attr));
    CHECK(str = H5Tcopy(H5T_C_S1));
    CHECK(H5Tset_size(str, sizeof units));
    CHECK(attr = H5Aopen(dset, "units", H5P_DEFAULT));
    CHECK(H5Aread(attr, str, units));
    CHECK(H5Aclose(attr));
    CHECK(H5Tclose(str));
    CHECK(attr = H5Aopen_by_name(file, "/measurements/2026/run1", "version", H5P_DEFAULT,
                                 H5P_DEFAULT));
    CHECK(H5Aread(attr, H5T_NATIVE_INT, &version));
    CHECK(H5Aclose(attr));
    if (scale != 0.01 || strcmp(units, "kelvin") != 0 || version != 3)
        bad++;

    CHECK(H5Sclose(mem));
    CHECK(H5Sclose(space));
    CHECK(H5Dclose(dset));
    CHECK(H5Fclose(file));
    free(all);
    printf("read back %d x %d x %d floats, a %llu-element strided hyperslab and 3 attributes: %s\n",
           NZ, NY, NX, (unsigned long long)(count[0] * count[1] * count[2]),
           bad ? "MISMATCH" : "all values match");
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/restvol-examples/weather.h5";
    write_file(name);
    printf("wrote %s: /measurements/2026/run1/temperature, %d x %d x %d float32 in %d x %d x %d "
           "chunks\n",
           name, NZ, NY, NX, CZ, CY, CX);
    return read_file(name);
}
