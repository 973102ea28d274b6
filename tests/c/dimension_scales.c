/* Dimension scales as netCDF-4 uses them (HDF5 high-level H5DS API): scales made with
 * H5DSset_scale, attached to datasets (DIMENSION_LIST: vlen of references on the dataset;
 * REFERENCE_LIST: compound with a reference member on the scale, rewritten on each attach),
 * then, after reopening, queried, iterated and detached. Creation order is tracked and indexed
 * on the file's root group and on the datasets, as netCDF asks.
 *
 * Usage: dimension_scales FILE    (prints what it found; exit status = number of failures)
 */
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

#define EXPECT(cond)                                                               \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                            \
        }                                                                          \
    } while (0)

static hid_t dataset(hid_t file, const char *name, int rank, const hsize_t *dims) {
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl  = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    hid_t d = H5Dcreate2(file, name, H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(space);
    EXPECT(d >= 0);
    return d;
}

static herr_t visit(hid_t did, unsigned dim, hid_t dsid, void *data) {
    (void)did;
    (void)dim;
    char name[64] = "";
    EXPECT(H5DSget_scale_name(dsid, name, sizeof name) > 0);
    strcpy((char *)data, name);
    return 1;
}

static void create(const char *path) {
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, H5P_DEFAULT);
    H5Pclose(fcpl);
    EXPECT(file >= 0);
    hsize_t d4[1] = {4}, d3[1] = {3}, d43[2] = {4, 3};
    hid_t x = dataset(file, "x", 1, d4), y = dataset(file, "y", 1, d3);
    hid_t data = dataset(file, "data", 2, d43), other = dataset(file, "other", 1, d4);
    EXPECT(H5DSset_scale(x, "x") >= 0);
    EXPECT(H5DSset_scale(y, "This is a netCDF dimension but not a netCDF variable.         3") >= 0);
    EXPECT(H5DSattach_scale(data, x, 0) >= 0);
    EXPECT(H5DSattach_scale(data, y, 1) >= 0);
    EXPECT(H5DSattach_scale(other, x, 0) >= 0);
    EXPECT(H5DSset_label(data, 0, "across") >= 0);
    H5Dclose(x);
    H5Dclose(y);
    H5Dclose(data);
    H5Dclose(other);
    EXPECT(H5Fclose(file) >= 0);
}

static void check(const char *path) {
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    EXPECT(file >= 0);
    hid_t x = H5Dopen2(file, "x", H5P_DEFAULT), y = H5Dopen2(file, "y", H5P_DEFAULT);
    hid_t data = H5Dopen2(file, "data", H5P_DEFAULT), other = H5Dopen2(file, "other", H5P_DEFAULT);
    EXPECT(H5DSis_scale(x) > 0);
    EXPECT(H5DSis_scale(data) == 0);
    EXPECT(H5DSget_num_scales(data, 0) == 1);
    EXPECT(H5DSget_num_scales(data, 1) == 1);
    EXPECT(H5DSget_num_scales(other, 0) == 1);
    EXPECT(H5DSis_attached(data, x, 0) > 0);
    EXPECT(H5DSis_attached(data, y, 1) > 0);
    EXPECT(H5DSis_attached(data, y, 0) == 0);
    EXPECT(H5DSis_attached(other, x, 0) > 0);
    char name[64] = "";
    int idx = 0;
    EXPECT(H5DSiterate_scales(data, 0, &idx, visit, name) == 1);
    printf("data dim 0 scale: %s\n", name);
    EXPECT(strcmp(name, "x") == 0);
    EXPECT(H5DSiterate_scales(data, 1, NULL, visit, name) == 1);
    printf("data dim 1 scale: %s\n", name);
    char label[16] = "";
    EXPECT(H5DSget_label(data, 0, label, sizeof label) > 0);
    printf("data dim 0 label: %s\n", label);
    EXPECT(H5DSdetach_scale(other, x, 0) >= 0);
    EXPECT(H5DSget_num_scales(other, 0) == 0);
    EXPECT(H5DSis_attached(data, x, 0) > 0);
    H5O_info2_t info;
    EXPECT(H5Oget_info3(x, &info, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS) >= 0);
    printf("x: type %d, %llu attributes\n", (int)info.type, (unsigned long long)info.num_attrs);
    H5Dclose(x);
    H5Dclose(y);
    H5Dclose(data);
    H5Dclose(other);
    EXPECT(H5Fclose(file) >= 0);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    create(argv[1]);
    check(argv[1]);
    printf("%d failures\n", failures);
    return failures;
}
