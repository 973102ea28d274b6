/* Reads the object references h5pyd stored (tests/scripts/h5pyd_references.py `write`): the
 * dataset `objrefs` and the root attribute `objrefs`, both [/g, /data, /], as H5R_ref_t through
 * the connector, and dereferences them. Exit status = number of failed checks. */
#include <hdf5.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;

static void check_refs(H5R_ref_t *refs, const char *what)
{
    const char *names[3] = {"/g", "/data", "/"};
    H5O_type_t  types[3] = {H5O_TYPE_GROUP, H5O_TYPE_DATASET, H5O_TYPE_GROUP};
    for (int i = 0; i < 3; i++) {
        char       name[64] = "";
        H5O_type_t type     = H5O_TYPE_UNKNOWN;
        if (H5Rget_type(&refs[i]) != H5R_OBJECT2 || H5Rget_obj_name(&refs[i], H5P_DEFAULT, name, sizeof(name)) < 0 ||
            strcmp(name, names[i]) != 0 || H5Rget_obj_type3(&refs[i], H5P_DEFAULT, &type) < 0 ||
            type != types[i]) {
            printf("FAILED: %s[%d]: name '%s', expected '%s'\n", what, i, name, names[i]);
            failures++;
        }
    }
    hid_t d = H5Ropen_object(&refs[1], H5P_DEFAULT, H5P_DEFAULT);
    int   values[4][5];
    if (d < 0 || H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0 || values[1][2] != 7) {
        printf("FAILED: %s: dereferenced dataset\n", what);
        failures++;
    }
    if (d >= 0)
        H5Dclose(d);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 100;
    H5R_ref_t refs[3];
    hid_t     file = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return 101;
    hid_t dset = H5Dopen2(file, "objrefs", H5P_DEFAULT);
    hid_t type = H5Dget_type(dset);
    /* The connector reports the new-style type, the one it can read references as. */
    if (H5Tequal(type, H5T_STD_REF) <= 0) {
        printf("FAILED: h5pyd's reference dataset does not read as H5T_STD_REF\n");
        failures++;
    }
    memset(refs, 0, sizeof(refs));
    if (dset < 0 || H5Dread(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, refs) < 0) {
        printf("FAILED: read dataset objrefs\n");
        return failures + 1;
    }
    H5Tclose(type);
    check_refs(refs, "dataset");
    for (int i = 0; i < 3; i++)
        H5Rdestroy(&refs[i]);
    H5Dclose(dset);

    hid_t attr = H5Aopen(file, "objrefs", H5P_DEFAULT);
    memset(refs, 0, sizeof(refs));
    if (attr < 0 || H5Aread(attr, H5T_STD_REF, refs) < 0) {
        printf("FAILED: read attribute objrefs\n");
        return failures + 1;
    }
    check_refs(refs, "attribute");
    for (int i = 0; i < 3; i++)
        H5Rdestroy(&refs[i]);
    H5Aclose(attr);
    H5Fclose(file);
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "OK", failures);
    return failures;
}
