/* Creates contiguous datasets (the default layout) larger than HSDS keeps in one chunk
 * (200 MB of bytes; an array type of 16 x 16 x 64 KiB strings in a 4 x 4 space, as
 * h5_api_test's random types draw), writes and reads back a small slab of the first, and checks
 * that both report H5D_CONTIGUOUS after reopening. Prints "all match" on success. */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "failed: %s\n", what);                                                 \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static int reports_contiguous(hid_t file, const char *name)
{
    hid_t dset = H5Dopen2(file, name, H5P_DEFAULT);
    if (dset < 0)
        return 0;
    hid_t dcpl = H5Dget_create_plist(dset);
    int ok = dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CONTIGUOUS;
    H5Pclose(dcpl);
    H5Dclose(dset);
    return ok;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/large_contiguous.h5";
    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0, "H5Fcreate");

    hsize_t dims[1] = {200000000};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t bytes = H5Dcreate2(file, "bytes", H5T_NATIVE_UCHAR, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    CHECK(bytes >= 0, "H5Dcreate2 of 200 MB contiguous bytes");

    unsigned char out[100], in[100];
    for (int i = 0; i < 100; i++)
        out[i] = (unsigned char)(i * 7 + 1);
    hsize_t start[1] = {150000000}, count[1] = {100};
    hid_t mem = H5Screate_simple(1, count, NULL);
    CHECK(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0, "select");
    CHECK(H5Dwrite(bytes, H5T_NATIVE_UCHAR, mem, space, H5P_DEFAULT, out) >= 0, "H5Dwrite");
    memset(in, 0, sizeof in);
    CHECK(H5Dread(bytes, H5T_NATIVE_UCHAR, mem, space, H5P_DEFAULT, in) >= 0, "H5Dread");
    CHECK(memcmp(in, out, sizeof in) == 0, "values read back");
    H5Sclose(mem);
    H5Dclose(bytes);
    H5Sclose(space);

    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, 65536);
    hsize_t array_dims[2] = {16, 16};
    hid_t array = H5Tarray_create2(str, 2, array_dims);
    hsize_t space_dims[2] = {4, 4};
    space = H5Screate_simple(2, space_dims, NULL);
    hid_t arrays = H5Dcreate2(file, "arrays", array, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(arrays >= 0, "H5Dcreate2 of 256 MiB contiguous string arrays");
    H5Dclose(arrays);
    H5Sclose(space);
    H5Tclose(array);
    H5Tclose(str);

    CHECK(reports_contiguous(file, "bytes"), "bytes reports H5D_CONTIGUOUS");
    CHECK(reports_contiguous(file, "arrays"), "arrays reports H5D_CONTIGUOUS");
    CHECK(H5Fclose(file) >= 0, "H5Fclose");
    printf("all match\n");
    return 0;
}
