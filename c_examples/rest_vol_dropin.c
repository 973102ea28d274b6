/*
 * rest_vol_dropin: a program written for HDF Group's REST VOL, as in its README and examples:
 * it includes "rest_vol_public.h", calls H5rest_init and H5Pset_fapl_rest_vol, creates
 * "/home/$HSDS_USERNAME/rest_vol_dropin.h5" and reports object URIs with
 * H5rest_get_object_uri. It builds against restvol unchanged and is configured only by
 * HSDS_ENDPOINT, HSDS_USERNAME and HSDS_PASSWORD (against restvol serve or HSDS):
 *   cc rest_vol_dropin.c $(pkg-config --cflags --libs restvol) -o rest_vol_dropin
 *   HSDS_ENDPOINT=http://127.0.0.1:5101 HSDS_USERNAME=test_user1 HSDS_PASSWORD=test \
 *     ./rest_vol_dropin
 * An optional argument names another domain. Prints "uri <path> <uri>" for the file, a group,
 * a dataset and a committed datatype (an attribute's URI is empty, as with REST VOL); exit status 0 when every value read back matches what was written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hdf5.h"
#include "rest_vol_public.h"

#define FILE_NAME     "rest_vol_dropin.h5"
#define FILE_NAME_MAX 256
#define NX            4
#define NY            6

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "rest_vol_dropin: FAILED: %s\n", what);                                \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

/* Prints the URI of obj and copies it to uri (URI_MAX_LENGTH bytes). */
static int
report_uri(hid_t obj, const char *path, char *uri)
{
    const char *got = H5rest_get_object_uri(obj);

    if (got == NULL || strlen(got) >= URI_MAX_LENGTH)
        return -1;
    strcpy(uri, got);
    printf("uri %s %s\n", path, uri);
    return 0;
}

int
main(int argc, char **argv)
{
    hid_t       fapl, file, group, space, dcpl, dset, aspace, attr, atype;
    hsize_t     dims[2] = {NX, NY}, chunk[2] = {2, 3};
    int         data[NX][NY], back[NX][NY], i, j, count = 0;
    double      temps[NX], temps_back[NX];
    hsize_t     tdims[1] = {NX};
    const char *username = getenv("HSDS_USERNAME");
    char        filename[FILE_NAME_MAX], units[16] = "";
    char        file_uri[URI_MAX_LENGTH], group_uri[URI_MAX_LENGTH], dset_uri[URI_MAX_LENGTH];
    char        again[URI_MAX_LENGTH], type_uri[URI_MAX_LENGTH];
    hid_t       ctype;

    if (argc > 1)
        snprintf(filename, sizeof filename, "%s", argv[1]);
    else
        snprintf(filename, sizeof filename, "/home/%s/" FILE_NAME, username ? username : "");

    for (i = 0; i < NX; i++) {
        temps[i] = 20.5 + i;
        for (j = 0; j < NY; j++)
            data[i][j] = i * 100 + j;
    }

    CHECK(H5rest_init() >= 0, "H5rest_init");
    fapl = H5Pcreate(H5P_FILE_ACCESS);
    CHECK(H5Pset_fapl_rest_vol(fapl) >= 0, "H5Pset_fapl_rest_vol");

    /* Write: a group with an attribute, a chunked deflated dataset, a 1-D dataset. */
    file = H5Fcreate(filename, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    CHECK(file >= 0, "H5Fcreate");
    CHECK(report_uri(file, "/", file_uri) == 0, "H5rest_get_object_uri of the file");

    group = H5Gcreate2(file, "/measurements", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(group >= 0, "H5Gcreate2");
    CHECK(report_uri(group, "/measurements", group_uri) == 0, "H5rest_get_object_uri of a group");

    aspace = H5Screate(H5S_SCALAR);
    atype  = H5Tcopy(H5T_C_S1);
    H5Tset_size(atype, 8);
    attr = H5Acreate2(group, "units", atype, aspace, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(attr >= 0 && H5Awrite(attr, atype, "celsius") >= 0, "string attribute written");
    CHECK(H5rest_get_object_uri(attr) != NULL && H5rest_get_object_uri(attr)[0] == '\0',
          "an attribute's URI is empty, as with REST VOL");
    H5Aclose(attr);

    ctype = H5Tcopy(H5T_IEEE_F64LE);
    CHECK(H5Tcommit2(file, "/temperature_t", ctype, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) >= 0,
          "H5Tcommit2");
    CHECK(report_uri(ctype, "/temperature_t", type_uri) == 0,
          "H5rest_get_object_uri of a committed datatype");

    space = H5Screate_simple(2, dims, NULL);
    dcpl  = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, 2, chunk);
    H5Pset_deflate(dcpl, 6);
    dset = H5Dcreate2(group, "counts", H5T_STD_I32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    CHECK(dset >= 0, "H5Dcreate2 counts");
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0, "H5Dwrite counts");
    CHECK(report_uri(dset, "/measurements/counts", dset_uri) == 0,
          "H5rest_get_object_uri of a dataset");
    H5Dclose(dset);
    H5Sclose(space);
    H5Pclose(dcpl);

    space = H5Screate_simple(1, tdims, NULL);
    dset  = H5Dcreate2(file, "/temperatures", ctype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(dset >= 0 && H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, temps) >= 0,
          "temperatures written");
    H5Dclose(dset);
    H5Sclose(space);
    H5Tclose(ctype);
    H5Gclose(group);
    CHECK(H5Fclose(file) >= 0, "H5Fclose");

    /* Read back through a new open: values, and the same URIs for the same objects. */
    file = H5Fopen(filename, H5F_ACC_RDONLY, fapl);
    CHECK(file >= 0, "H5Fopen");
    CHECK(strcmp(H5rest_get_object_uri(file), file_uri) == 0, "the file's URI is stable");
    dset = H5Dopen2(file, "/measurements/counts", H5P_DEFAULT);
    CHECK(dset >= 0, "H5Dopen2 counts");
    strcpy(again, H5rest_get_object_uri(dset));
    CHECK(strcmp(again, dset_uri) == 0, "the dataset's URI is stable");
    memset(back, 0, sizeof back);
    CHECK(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0, "H5Dread counts");
    CHECK(memcmp(back, data, sizeof data) == 0, "counts read back");
    H5Dclose(dset);
    dset = H5Dopen2(file, "/temperatures", H5P_DEFAULT);
    CHECK(H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, temps_back) >= 0,
          "H5Dread temperatures");
    CHECK(memcmp(temps, temps_back, sizeof temps) == 0, "temperatures read back");
    H5Dclose(dset);
    group = H5Gopen2(file, "/measurements", H5P_DEFAULT);
    CHECK(strcmp(H5rest_get_object_uri(group), group_uri) == 0, "the group's URI is stable");
    attr = H5Aopen(group, "units", H5P_DEFAULT);
    CHECK(attr >= 0 && H5Aread(attr, atype, units) >= 0, "H5Aread units");
    CHECK(strcmp(units, "celsius") == 0, "units read back");
    H5Aclose(attr);
    {
        H5G_info_t info;
        CHECK(H5Gget_info(group, &info) >= 0 && info.nlinks == 1, "the group holds one link");
        count = (int)info.nlinks;
    }
    H5Gclose(group);
    H5Tclose(atype);
    H5Sclose(aspace);
    CHECK(H5Fclose(file) >= 0, "H5Fclose after reading");

    H5Pclose(fapl);
    CHECK(H5rest_term() >= 0, "H5rest_term");
    printf("all checks passed (%d link in /measurements)\n", count);
    return 0;
}
