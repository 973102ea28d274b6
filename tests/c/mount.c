/* File mounting through the connector (H5Fmount/H5Funmount), after HDF5's test/mount.c: a
 * child file mounted on a group of a parent file; objects of the child opened, read and
 * written through the mount point; the covered group's own links hidden while mounted and back
 * after unmounting; H5Gget_info's 'mounted' flag; iteration through the mount point; the
 * illegal mounts refused; the child kept open by the mount after its id is closed.
 * argv[1] is a folder for the files. Prints one line per failed check, then "OK: N failure(s)";
 * exit status = number of failures. */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

#define N 6

static herr_t count_link(hid_t group, const char *name, const H5L_info2_t *info, void *data)
{
    (void)group;
    (void)info;
    if (strcmp(name, "dset") == 0 || strcmp(name, "sub") == 0)
        (*(int *)data)++;
    else
        (*(int *)data) += 100; /* a link of the covered group leaked through */
    return 0;
}

static int fails(herr_t status) { return status < 0; }
static int fails_id(hid_t id)
{
    if (id >= 0) {
        H5Oclose(id);
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    const char *folder = argc > 1 ? argv[1] : "/mount";
    char        parent_name[512], child_name[512], other_name[512];
    snprintf(parent_name, sizeof parent_name, "%s/parent.h5", folder);
    snprintf(child_name, sizeof child_name, "%s/child.h5", folder);
    snprintf(other_name, sizeof other_name, "%s/other.h5", folder);

    int     values[N] = {1, 2, 3, 4, 5, 6}, read_back[N];
    hsize_t dims[1]   = {N};

    /* The child: /dset and /sub. */
    hid_t child = H5Fcreate(child_name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(child >= 0, "create child");
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dset  = H5Dcreate2(child, "dset", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    CHECK(dset >= 0, "create child dataset");
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0, "write");
    H5Dclose(dset);
    H5Gclose(H5Gcreate2(child, "sub", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));

    /* The parent: /mnt holding /mnt/hidden, which the mount covers. */
    hid_t parent = H5Fcreate(parent_name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(parent >= 0, "create parent");
    hid_t mnt = H5Gcreate2(parent, "mnt", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(H5Gcreate2(mnt, "hidden", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    hid_t other = H5Fcreate(other_name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(other >= 0, "create other");

    H5G_info_t ginfo;
    CHECK(H5Gget_info(mnt, &ginfo) >= 0 && !ginfo.mounted, "not mounted before H5Fmount");

    /* Illegal mounts. */
    H5E_BEGIN_TRY
    {
        CHECK(fails(H5Fmount(parent, "/nowhere", child, H5P_DEFAULT)), "mount on a missing group");
        CHECK(fails(H5Fmount(parent, "/mnt", parent, H5P_DEFAULT)), "mount a file on itself");
    }
    H5E_END_TRY

    CHECK(H5Fmount(parent, "/mnt", child, H5P_DEFAULT) >= 0, "H5Fmount");
    CHECK(H5Gget_info(mnt, &ginfo) >= 0 && ginfo.mounted, "the covered group reports mounted");

    H5E_BEGIN_TRY
    {
        CHECK(fails(H5Fmount(parent, "/mnt", other, H5P_DEFAULT)), "mount point in use");
        CHECK(fails(H5Fmount(other, "/", child, H5P_DEFAULT)), "a file mounted twice");
        CHECK(fails_id(H5Gopen2(parent, "/mnt/hidden", H5P_DEFAULT)), "covered link is hidden");
    }
    H5E_END_TRY

    /* The child's objects through the mount point, and the child kept open by the mount. */
    CHECK(H5Fclose(child) >= 0, "close the child's id while mounted");
    dset = H5Dopen2(parent, "/mnt/dset", H5P_DEFAULT);
    CHECK(dset >= 0, "open /mnt/dset");
    memset(read_back, 0, sizeof read_back);
    CHECK(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, read_back) >= 0, "read");
    CHECK(memcmp(values, read_back, sizeof values) == 0, "values read through the mount");
    for (int i = 0; i < N; i++)
        values[i] *= 10;
    CHECK(H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0, "write");
    H5Dclose(dset);

    hid_t sub = H5Gopen2(mnt, "sub", H5P_DEFAULT);
    CHECK(sub >= 0, "open a child group relative to the mount point's id");
    if (sub >= 0)
        H5Gclose(sub);
    hid_t made = H5Gcreate2(parent, "/mnt/sub/made", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(made >= 0, "create a group through the mount point");
    if (made >= 0)
        H5Gclose(made);
    CHECK(H5Lexists(parent, "/mnt/sub/made", H5P_DEFAULT) > 0, "H5Lexists through the mount");
    H5O_info2_t oinfo;
    CHECK(H5Oget_info_by_name3(parent, "/mnt/dset", &oinfo, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 &&
              oinfo.type == H5O_TYPE_DATASET,
          "H5Oget_info_by_name through the mount");

    int seen = 0;
    CHECK(H5Literate_by_name2(parent, "/mnt", H5_INDEX_NAME, H5_ITER_INC, NULL, count_link, &seen,
                              H5P_DEFAULT) >= 0,
          "iterate the mount point");
    CHECK(seen == 2, "iteration sees the child's root links");
    hid_t croot = H5Gopen2(parent, "/mnt", H5P_DEFAULT);
    CHECK(croot >= 0 && H5Gget_info(croot, &ginfo) >= 0 && ginfo.nlinks == 2,
          "opening the mount point opens the child's root");

    /* Unmount through the child's root, then the covered group shows again. */
    CHECK(H5Funmount(croot, ".") >= 0, "H5Funmount");
    H5Gclose(croot);
    CHECK(H5Gget_info(mnt, &ginfo) >= 0 && !ginfo.mounted && ginfo.nlinks == 1,
          "the covered group is back");
    hid_t hidden = H5Gopen2(parent, "/mnt/hidden", H5P_DEFAULT);
    CHECK(hidden >= 0, "covered link visible after unmount");
    if (hidden >= 0)
        H5Gclose(hidden);
    H5E_BEGIN_TRY
    {
        CHECK(fails(H5Funmount(parent, "/mnt")), "unmount where nothing is mounted");
        CHECK(fails_id(H5Dopen2(parent, "/mnt/dset", H5P_DEFAULT)), "child gone after unmount");
    }
    H5E_END_TRY

    /* Mount again by the group's id and '.', unmount by the parent's path. */
    CHECK(H5Fmount(mnt, ".", other, H5P_DEFAULT) >= 0, "H5Fmount on '.'");
    CHECK(H5Funmount(parent, "/mnt") >= 0, "H5Funmount by path");
    H5Gclose(mnt);
    CHECK(H5Fclose(other) >= 0, "close other");
    CHECK(H5Fclose(parent) >= 0, "close parent");

    /* What was written through the mount is in the child file. */
    child = H5Fopen(child_name, H5F_ACC_RDONLY, H5P_DEFAULT);
    dset  = H5Dopen2(child, "dset", H5P_DEFAULT);
    memset(read_back, 0, sizeof read_back);
    CHECK(H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, read_back) >= 0, "reread");
    CHECK(memcmp(values, read_back, sizeof values) == 0, "values written through the mount");
    CHECK(H5Lexists(child, "/sub/made", H5P_DEFAULT) > 0, "group made through the mount");
    H5Dclose(dset);
    H5Sclose(space);
    H5Fclose(child);

    printf("OK: %d failure(s)\n", failures);
    return failures;
}
