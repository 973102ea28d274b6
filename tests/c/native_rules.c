/* Rules the native connector enforces that restvol follows too (found by HDF5's testhdf5
 * groups file, h5s, iterate and objects): truncating an open file, H5Iget_file_id's identity,
 * H5Fis_accessible of a missing file, a userblock that does not fit the file's alignment, a
 * dataspace without extent, a duplicate attribute, attribute phase change values, out-of-range iteration start indices, and intermediate groups
 * created by H5Olink/H5Lcreate_hard, and a point one past a row in contiguous storage. argv[1] is a folder for the files. Prints one line per
 * failed check, then "OK: N failure(s)"; exit status = number of failures. */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

static herr_t count_link(hid_t g, const char *name, const H5L_info2_t *info, void *data)
{
    (void)g;
    (void)name;
    (void)info;
    (*(int *)data)++;
    return 0;
}

static herr_t count_attr(hid_t o, const char *name, const H5A_info_t *info, void *data)
{
    (void)o;
    (void)name;
    (void)info;
    (*(int *)data)++;
    return 0;
}

int main(int argc, char **argv)
{
    const char *folder = argc > 1 ? argv[1] : "/rules";
    char        name[512], other[512], missing[512];
    snprintf(name, sizeof name, "%s/rules.h5", folder);
    snprintf(other, sizeof other, "%s/aligned.h5", folder);
    snprintf(missing, sizeof missing, "%s/missing.h5", folder);

    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0, "create");

    /* A file this process holds open cannot be truncated; EXCL fails as it exists. */
    hid_t again;
    H5E_BEGIN_TRY { again = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(again < 0, "H5F_ACC_TRUNC of an open file fails");

    /* H5Iget_file_id hands back the file's own id. */
    hid_t group = H5Gcreate2(file, "g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t same  = H5Iget_file_id(group);
    CHECK(same == file, "H5Iget_file_id returns the open file's id");
    if (same >= 0)
        H5Fclose(same);
    same = H5Iget_file_id(file);
    CHECK(same == file, "H5Iget_file_id of the file itself");
    if (same >= 0)
        H5Fclose(same);

    /* Out-of-range iteration start indices fail; the last valid one works. */
    H5Gclose(H5Gcreate2(group, "a", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    H5Gclose(H5Gcreate2(group, "b", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    hsize_t idx = 2;
    int     seen = 0;
    herr_t  status;
    H5E_BEGIN_TRY { status = H5Literate2(group, H5_INDEX_NAME, H5_ITER_INC, &idx, count_link, &seen); }
    H5E_END_TRY
    CHECK(status < 0, "H5Literate2 from index == count fails");
    idx = 1;
    CHECK(H5Literate2(group, H5_INDEX_NAME, H5_ITER_INC, &idx, count_link, &seen) >= 0 && seen == 1,
          "H5Literate2 from the last index");
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t attr   = H5Acreate2(group, "only", H5T_NATIVE_INT, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Aclose(attr);
    hid_t dup;
    H5E_BEGIN_TRY { dup = H5Acreate2(group, "only", H5T_NATIVE_INT, scalar, H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(dup < 0, "creating an attribute that exists fails");
    idx = 1;
    H5E_BEGIN_TRY { status = H5Aiterate2(group, H5_INDEX_NAME, H5_ITER_INC, &idx, count_attr, &seen); }
    H5E_END_TRY
    CHECK(status < 0, "H5Aiterate2 from index == count fails");
    idx = 0;
    seen = 0;
    CHECK(H5Aiterate2(group, H5_INDEX_NAME, H5_ITER_INC, &idx, count_attr, &seen) >= 0 && seen == 1,
          "H5Aiterate2 from 0");

    /* A simple dataspace without extent is refused for datasets, attributes and I/O. */
    hid_t   no_extent = H5Screate(H5S_SIMPLE);
    hsize_t dims[1]   = {4};
    hid_t   space     = H5Screate_simple(1, dims, NULL);
    hid_t   dset;
    H5E_BEGIN_TRY
    {
        dset = H5Dcreate2(file, "bad", H5T_NATIVE_INT, no_extent, H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT);
        attr = H5Acreate2(group, "bad", H5T_NATIVE_INT, no_extent, H5P_DEFAULT, H5P_DEFAULT);
    }
    H5E_END_TRY
    CHECK(dset < 0, "dataset on a dataspace without extent fails");
    CHECK(attr < 0, "attribute on a dataspace without extent fails");
    dset = H5Dcreate2(file, "good", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int values[4] = {1, 2, 3, 4};
    H5E_BEGIN_TRY
    {
        CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, no_extent, H5P_DEFAULT, values) < 0,
              "write with a file space without extent fails");
        CHECK(H5Dread(dset, H5T_NATIVE_INT, no_extent, no_extent, H5P_DEFAULT, values) < 0,
              "read with spaces without extent fails");
    }
    H5E_END_TRY
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0, "write");

    /* Hard links through missing groups, created with the intermediate-group flag. */
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    CHECK(H5Olink(dset, file, "/x/y/linked", lcpl, H5P_DEFAULT) >= 0, "H5Olink with intermediates");
    CHECK(H5Lexists(file, "/x/y/linked", H5P_DEFAULT) > 0, "the linked dataset is reachable");
    H5E_BEGIN_TRY { status = H5Olink(dset, file, "/p/q/linked", H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(status < 0, "H5Olink without the flag needs the groups");
    H5Pclose(lcpl);

    /* Attribute phase change values come back from re-opened objects' creation plists. */
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t tcpl = H5Pcreate(H5P_DATATYPE_CREATE), dtype = H5Tcopy(H5T_NATIVE_INT);
    H5Pset_attr_phase_change(gcpl, 9, 5);
    H5Pset_attr_phase_change(dcpl, 9, 5);
    H5Pset_attr_phase_change(tcpl, 9, 5);
    H5Gclose(H5Gcreate2(file, "phased_g", H5P_DEFAULT, gcpl, H5P_DEFAULT));
    H5Dclose(H5Dcreate2(file, "phased_d", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    CHECK(H5Tcommit2(file, "phased_t", dtype, H5P_DEFAULT, tcpl, H5P_DEFAULT) >= 0, "commit");
    H5Pclose(gcpl);
    H5Pclose(dcpl);
    H5Pclose(tcpl);
    H5Tclose(dtype);
    unsigned max_compact = 0, min_dense = 0;
    hid_t    obj = H5Gopen2(file, "phased_g", H5P_DEFAULT);
    gcpl         = H5Gget_create_plist(obj);
    CHECK(H5Pget_attr_phase_change(gcpl, &max_compact, &min_dense) >= 0 && max_compact == 9 &&
              min_dense == 5,
          "group attribute phase change");
    H5Pclose(gcpl);
    H5Gclose(obj);
    obj  = H5Dopen2(file, "phased_d", H5P_DEFAULT);
    dcpl = H5Dget_create_plist(obj);
    CHECK(H5Pget_attr_phase_change(dcpl, &max_compact, &min_dense) >= 0 && max_compact == 9 &&
              min_dense == 5,
          "dataset attribute phase change");
    H5Pclose(dcpl);
    H5Dclose(obj);
    obj  = H5Topen2(file, "phased_t", H5P_DEFAULT);
    tcpl = H5Tget_create_plist(obj);
    CHECK(H5Pget_attr_phase_change(tcpl, &max_compact, &min_dense) >= 0 && max_compact == 9 &&
              min_dense == 5,
          "datatype attribute phase change");
    H5Pclose(tcpl);
    H5Tclose(obj);

    H5Dclose(dset);
    H5Sclose(space);
    H5Sclose(scalar);
    H5Sclose(no_extent);
    H5Gclose(group);
    CHECK(H5Fclose(file) >= 0, "close");

    /* Truncating works again once closed. */
    file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0, "H5F_ACC_TRUNC of a closed file");
    H5Fclose(file);

    /* A missing file is an error for H5Fis_accessible, as with the native connector. */
    htri_t accessible;
    H5E_BEGIN_TRY { accessible = H5Fis_accessible(missing, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(accessible < 0, "H5Fis_accessible of a missing file fails");
    CHECK(H5Fis_accessible(name, H5P_DEFAULT) > 0, "H5Fis_accessible of a file");

    /* The userblock must be a multiple of the allocation alignment. */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_userblock(fcpl, 512);
    H5Pset_alignment(fapl, 1, 3);
    H5E_BEGIN_TRY { file = H5Fcreate(other, H5F_ACC_TRUNC, fcpl, fapl); }
    H5E_END_TRY
    CHECK(file < 0, "userblock 512 with alignment 3 fails");
    H5Pset_alignment(fapl, 1, 512);
    file = H5Fcreate(other, H5F_ACC_TRUNC, fcpl, fapl);
    CHECK(file >= 0, "userblock 512 with alignment 512");
    if (file >= 0)
        H5Fclose(file);
    H5Pclose(fcpl);
    H5Pclose(fapl);

    /* A point selection may reach one past the end of a row (HDF5 checks points with `>`);
     * in contiguous storage it is the next row's first element (testhdf5 select). */
    file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t grid[2] = {2, 3}, one = 1, past_row[1][2] = {{0, 3}};
    hid_t grid_space = H5Screate_simple(2, grid, NULL);
    hid_t one_space = H5Screate_simple(1, &one, NULL);
    hid_t grid_dset = H5Dcreate2(file, "grid", H5T_NATIVE_UCHAR, grid_space, H5P_DEFAULT,
                                 H5P_DEFAULT, H5P_DEFAULT);
    unsigned char zeros[6] = {0}, mark = 42, back[6] = {0}, point_back = 0;
    H5Dwrite(grid_dset, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros);
    H5Sselect_elements(grid_space, H5S_SELECT_SET, 1, &past_row[0][0]);
    CHECK(H5Dwrite(grid_dset, H5T_NATIVE_UCHAR, one_space, grid_space, H5P_DEFAULT, &mark) >= 0,
          "H5Dwrite of a point one past a row");
    CHECK(H5Dread(grid_dset, H5T_NATIVE_UCHAR, one_space, grid_space, H5P_DEFAULT,
                  &point_back) >= 0 && point_back == 42,
          "the point reads back");
    CHECK(H5Dread(grid_dset, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0 &&
              back[3] == 42 && back[2] == 0,
          "it is the next row's first element");
    H5Dclose(grid_dset);
    H5Sclose(one_space);
    H5Sclose(grid_space);
    H5Fclose(file);

    printf("OK: %d failure(s)\n", failures);
    return failures;
}
