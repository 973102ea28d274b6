/* What HDF5's testhdf5 groups misc and attr found missing in restvol: H5Lcopy, H5Lmove and
 * H5Lcreate_* into intermediate groups (and their errors when not asked), creation plist
 * settings kept across close and reopen (attribute creation order, time tracking, link
 * creation order, on groups, datasets, committed datatypes and intermediate groups), the
 * reference count of a committed datatype as attributes and datasets using it go.
 * argv[1] is a folder for the files. Prints one line per failed check, then
 * "OK: N failure(s)"; exit status = number of failures. */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"

/* Links into missing groups: made with the intermediate-group flag, refused without it. */
static void intermediate_groups(hid_t file)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    H5Gclose(H5Gcreate2(file, "/src/grp", lcpl, H5P_DEFAULT, H5P_DEFAULT));

    herr_t status;
    H5E_BEGIN_TRY { status = H5Lcopy(file, "/src/grp", file, "/c1/c2/grp", H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(status < 0, "H5Lcopy into a missing group without the flag fails");
    CHECK(H5Lcopy(file, "/src/grp", file, "/c1/c2/grp", lcpl, H5P_DEFAULT) >= 0,
          "H5Lcopy into intermediate groups");
    CHECK(H5Lexists(file, "/c1/c2/grp", H5P_DEFAULT) > 0, "the copied link exists");
    CHECK(H5Lexists(file, "/src/grp", H5P_DEFAULT) > 0, "H5Lcopy keeps the source");

    H5E_BEGIN_TRY { status = H5Lmove(file, "/c1/c2/grp", file, "/m1/m2/grp", H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(status < 0, "H5Lmove into a missing group without the flag fails");
    CHECK(H5Lexists(file, "/c1/c2/grp", H5P_DEFAULT) > 0, "a failed H5Lmove keeps the source");
    CHECK(H5Lmove(file, "/c1/c2/grp", file, "/m1/m2/grp", lcpl, H5P_DEFAULT) >= 0,
          "H5Lmove into intermediate groups");
    CHECK(H5Lexists(file, "/m1/m2/grp", H5P_DEFAULT) > 0, "the moved link exists");
    CHECK(H5Lexists(file, "/c1/c2/grp", H5P_DEFAULT) == 0, "H5Lmove removes the source");

    H5E_BEGIN_TRY { status = H5Lcreate_soft("/src/grp", file, "/s1/s2/soft", H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(status < 0, "H5Lcreate_soft into a missing group without the flag fails");
    CHECK(H5Lcreate_soft("/src/grp", file, "/s1/s2/soft", lcpl, H5P_DEFAULT) >= 0,
          "H5Lcreate_soft into intermediate groups");
    CHECK(H5Lexists(file, "/s1/s2/soft", H5P_DEFAULT) > 0, "the soft link exists");

    H5E_BEGIN_TRY { status = H5Lcreate_external("other.h5", "/x", file, "/e1/e2/ext", H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(status < 0, "H5Lcreate_external into a missing group without the flag fails");
    CHECK(H5Lcreate_external("other.h5", "/x", file, "/e1/e2/ext", lcpl, H5P_DEFAULT) >= 0,
          "H5Lcreate_external into intermediate groups");
    CHECK(H5Lexists(file, "/e1/e2/ext", H5P_DEFAULT) > 0, "the external link exists");

    H5E_BEGIN_TRY { status = H5Lcreate_hard(file, "/src/grp", file, "/h1/h2/hard", H5P_DEFAULT, H5P_DEFAULT); }
    H5E_END_TRY
    CHECK(status < 0, "H5Lcreate_hard into a missing group without the flag fails");
    CHECK(H5Lcreate_hard(file, "/src/grp", file, "/h1/h2/hard", lcpl, H5P_DEFAULT) >= 0,
          "H5Lcreate_hard into intermediate groups");
    CHECK(H5Lexists(file, "/h1/h2/hard", H5P_DEFAULT) > 0, "the hard link exists");
    H5Pclose(lcpl);
}

static unsigned attr_order(hid_t plist)
{
    unsigned flags = 99;
    H5Pget_attr_creation_order(plist, &flags);
    return flags;
}

static hbool_t track_times(hid_t plist)
{
    hbool_t track = 99;
    H5Pget_obj_track_times(plist, &track);
    return track;
}

static unsigned link_order(hid_t plist)
{
    unsigned flags = 99;
    H5Pget_link_creation_order(plist, &flags);
    return flags;
}

/* The group creation plist of the group at `path`. */
static hid_t gcpl_of(hid_t file, const char *path)
{
    hid_t group = H5Gopen2(file, path, H5P_DEFAULT);
    hid_t gcpl  = H5Gget_create_plist(group);
    H5Gclose(group);
    return gcpl;
}

/* Creation plist settings are kept; intermediate groups take the object's settings. */
static void creation_plists(hid_t file)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);

    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_attr_creation_order(gcpl, H5P_CRT_ORDER_TRACKED);
    H5Pset_obj_track_times(gcpl, 0);
    H5Gclose(H5Gcreate2(file, "p1/p2/p3", lcpl, gcpl, H5P_DEFAULT));
    H5Pclose(gcpl);
    const char *groups[] = {"p1", "p1/p2", "p1/p2/p3"};
    for (int i = 0; i < 3; i++) {
        hid_t got = gcpl_of(file, groups[i]);
        CHECK(attr_order(got) == H5P_CRT_ORDER_TRACKED, "group attribute creation order kept");
        CHECK(track_times(got) == 0, "group time tracking kept");
        CHECK(link_order(got) == 0, "group link creation order not set");
        H5Pclose(got);
    }

    gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED);
    H5Gclose(H5Gcreate2(file, "links_tracked", H5P_DEFAULT, gcpl, H5P_DEFAULT));
    H5Pclose(gcpl);
    hid_t got = gcpl_of(file, "links_tracked");
    CHECK(link_order(got) == H5P_CRT_ORDER_TRACKED, "link creation order (tracked only) kept");
    CHECK(attr_order(got) == 0, "attribute creation order not set");
    CHECK(track_times(got) == 1, "times tracked by default");
    H5Pclose(got);

    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED);
    hsize_t dims[1] = {4};
    hid_t   space   = H5Screate_simple(1, dims, NULL);
    H5Dclose(H5Dcreate2(file, "d1/dset", H5T_NATIVE_INT, space, lcpl, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    got = gcpl_of(file, "d1");
    CHECK(attr_order(got) == H5P_CRT_ORDER_TRACKED, "intermediate group takes the dataset's order");
    CHECK(track_times(got) == 1, "intermediate group tracks times");
    H5Pclose(got);
    hid_t dset = H5Dopen2(file, "d1/dset", H5P_DEFAULT);
    got        = H5Dget_create_plist(dset);
    CHECK(attr_order(got) == H5P_CRT_ORDER_TRACKED, "dataset attribute creation order kept");
    CHECK(track_times(got) == 1, "dataset times tracked by default");
    H5Pclose(got);
    H5Dclose(dset);

    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    H5Pset_attr_creation_order(dcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    H5Dclose(H5Dcreate2(file, "untimed", H5T_NATIVE_INT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
    H5Pclose(dcpl);
    dset = H5Dopen2(file, "untimed", H5P_DEFAULT);
    got  = H5Dget_create_plist(dset);
    CHECK(track_times(got) == 0, "dataset time tracking kept");
    CHECK(attr_order(got) == (H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED),
          "dataset attribute creation order (indexed) kept");
    H5Pclose(got);
    H5Dclose(dset);
    H5Sclose(space);

    hid_t tcpl = H5Pcreate(H5P_DATATYPE_CREATE);
    H5Pset_obj_track_times(tcpl, 0);
    hid_t type = H5Tcopy(H5T_NATIVE_INT);
    H5Tcommit2(file, "t1/type", type, lcpl, tcpl, H5P_DEFAULT);
    H5Tclose(type);
    H5Pclose(tcpl);
    type = H5Topen2(file, "t1/type", H5P_DEFAULT);
    got  = H5Tget_create_plist(type);
    CHECK(track_times(got) == 1, "a committed datatype reports times tracked, as natively");
    H5Pclose(got);
    H5Tclose(type);
    got = gcpl_of(file, "t1");
    CHECK(track_times(got) == 1, "a committed datatype's intermediate group has defaults");
    H5Pclose(got);
    H5Pclose(lcpl);
}

/* The file creation plist of a default file says what the native library says. */
static void default_fcpl(hid_t file)
{
    hid_t                   fcpl     = H5Fget_create_plist(file);
    unsigned                nindexes = 99;
    H5F_fspace_strategy_t   strategy = (H5F_fspace_strategy_t)99;
    hbool_t                 persist  = 99;
    hsize_t                 threshold = 99;
    CHECK(H5Pget_shared_mesg_nindexes(fcpl, &nindexes) >= 0 && nindexes == 0,
          "no shared-message indexes");
    CHECK(H5Pget_file_space_strategy(fcpl, &strategy, &persist, &threshold) >= 0 &&
              strategy == H5F_FSPACE_STRATEGY_FSM_AGGR && !persist && threshold == 1,
          "default file space strategy");
    H5Pclose(fcpl);
}

static unsigned rc_of(hid_t file, const char *path)
{
    H5O_info2_t info;
    memset(&info, 0, sizeof info);
    H5Oget_info_by_name3(file, path, &info, H5O_INFO_BASIC, H5P_DEFAULT);
    return info.rc;
}

/* A committed datatype counts the datasets and attributes using it (tattr.c's
 * test_attr_dtype_shared): deleting an attribute, or the last link of a dataset, releases it. */
static void committed_type_users(hid_t file)
{
    hid_t type = H5Tcopy(H5T_NATIVE_INT);
    H5Tcommit2(file, "shared_type", type, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(rc_of(file, "shared_type") == 1, "a new committed datatype has rc 1");
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t dset  = H5Dcreate2(file, "typed", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(rc_of(file, "shared_type") == 2, "a dataset using it counts");
    H5Aclose(H5Acreate2(dset, "a", type, space, H5P_DEFAULT, H5P_DEFAULT));
    CHECK(rc_of(file, "shared_type") == 3, "an attribute using it counts");
    H5Adelete(dset, "a");
    CHECK(rc_of(file, "shared_type") == 2, "a deleted attribute no longer counts");
    H5Aclose(H5Acreate2(dset, "a", type, space, H5P_DEFAULT, H5P_DEFAULT));
    H5Aclose(H5Acreate2(dset, "b", type, space, H5P_DEFAULT, H5P_DEFAULT));
    H5Adelete_by_idx(dset, ".", H5_INDEX_NAME, H5_ITER_INC, 1, H5P_DEFAULT);
    CHECK(rc_of(file, "shared_type") == 3, "H5Adelete_by_idx releases the type too");
    H5Dclose(dset);
    H5Sclose(space);
    H5Tclose(type);
    H5Ldelete(file, "typed", H5P_DEFAULT);
    CHECK(rc_of(file, "shared_type") == 1, "unlinking the dataset releases it and its attributes");
}

int main(int argc, char **argv)
{
    const char *folder = argc > 1 ? argv[1] : "/gaps";
    char        name[512];
    snprintf(name, sizeof name, "%s/gaps.h5", folder);

    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(file >= 0, "create");
    intermediate_groups(file);
    creation_plists(file);
    committed_type_users(file);
    H5Fclose(file);

    /* Everything again after reopening (nothing served from the open handles). */
    file = H5Fopen(name, H5F_ACC_RDWR, H5P_DEFAULT);
    CHECK(file >= 0, "reopen");
    CHECK(H5Lexists(file, "/m1/m2/grp", H5P_DEFAULT) > 0, "moved link after reopen");
    hid_t got = gcpl_of(file, "p1/p2");
    CHECK(attr_order(got) == H5P_CRT_ORDER_TRACKED && track_times(got) == 0,
          "intermediate group settings after reopen");
    H5Pclose(got);
    default_fcpl(file);
    H5Fclose(file);

    printf("OK: %d failure(s)\n", failures);
    return failures;
}
