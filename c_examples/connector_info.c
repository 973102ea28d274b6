/*
 * connector_info: shows what HDF5 says about the restvol connector.
 *
 * Run it with the connector selected through the environment:
 *   HDF5_PLUGIN_PATH=<dir with librestvol.so> HDF5_VOL_CONNECTOR=REST ./connector_info
 * It prints whether the connector is registered, whether it is the default for new file access
 * property lists, its name and value, and the capability flags it advertises. Exit status 0 when
 * REST is registered and is the default connector, 1 otherwise.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <hdf5.h>

static const struct {
    uint64_t    flag;
    const char *name;
} cap_names[] = {
    {H5VL_CAP_FLAG_THREADSAFE, "THREADSAFE"},         {H5VL_CAP_FLAG_ASYNC, "ASYNC"},
    {H5VL_CAP_FLAG_NATIVE_FILES, "NATIVE_FILES"},     {H5VL_CAP_FLAG_ATTR_BASIC, "ATTR_BASIC"},
    {H5VL_CAP_FLAG_ATTR_MORE, "ATTR_MORE"},           {H5VL_CAP_FLAG_DATASET_BASIC, "DATASET_BASIC"},
    {H5VL_CAP_FLAG_DATASET_MORE, "DATASET_MORE"},     {H5VL_CAP_FLAG_FILE_BASIC, "FILE_BASIC"},
    {H5VL_CAP_FLAG_FILE_MORE, "FILE_MORE"},           {H5VL_CAP_FLAG_GROUP_BASIC, "GROUP_BASIC"},
    {H5VL_CAP_FLAG_GROUP_MORE, "GROUP_MORE"},         {H5VL_CAP_FLAG_LINK_BASIC, "LINK_BASIC"},
    {H5VL_CAP_FLAG_LINK_MORE, "LINK_MORE"},           {H5VL_CAP_FLAG_OBJECT_BASIC, "OBJECT_BASIC"},
    {H5VL_CAP_FLAG_OBJECT_MORE, "OBJECT_MORE"},       {H5VL_CAP_FLAG_REF_BASIC, "REF_BASIC"},
    {H5VL_CAP_FLAG_REF_MORE, "REF_MORE"},             {H5VL_CAP_FLAG_OBJ_REF, "OBJ_REF"},
    {H5VL_CAP_FLAG_REG_REF, "REG_REF"},               {H5VL_CAP_FLAG_ATTR_REF, "ATTR_REF"},
    {H5VL_CAP_FLAG_STORED_DATATYPES, "STORED_DATATYPES"}, {H5VL_CAP_FLAG_CREATION_ORDER, "CREATION_ORDER"},
    {H5VL_CAP_FLAG_ITERATE, "ITERATE"},               {H5VL_CAP_FLAG_STORAGE_SIZE, "STORAGE_SIZE"},
    {H5VL_CAP_FLAG_BY_IDX, "BY_IDX"},                 {H5VL_CAP_FLAG_GET_PLIST, "GET_PLIST"},
    {H5VL_CAP_FLAG_FLUSH_REFRESH, "FLUSH_REFRESH"},   {H5VL_CAP_FLAG_EXTERNAL_LINKS, "EXTERNAL_LINKS"},
    {H5VL_CAP_FLAG_HARD_LINKS, "HARD_LINKS"},         {H5VL_CAP_FLAG_SOFT_LINKS, "SOFT_LINKS"},
    {H5VL_CAP_FLAG_TRACK_TIMES, "TRACK_TIMES"},       {H5VL_CAP_FLAG_FILTERS, "FILTERS"},
    {H5VL_CAP_FLAG_FILL_VALUES, "FILL_VALUES"},
};

int
main(void)
{
    unsigned majnum, minnum, relnum;
    htri_t   registered;
    hid_t    fapl = H5I_INVALID_HID, default_id = H5I_INVALID_HID, rest_id = H5I_INVALID_HID;
    uint64_t caps = 0;
    int      is_default;

    H5get_libversion(&majnum, &minnum, &relnum);
    printf("HDF5 library: %u.%u.%u\n", majnum, minnum, relnum);

    if ((registered = H5VLis_connector_registered_by_name("REST")) < 0) {
        fprintf(stderr, "connector_info: H5VLis_connector_registered_by_name failed\n");
        return 1;
    }
    printf("REST connector registered: %s\n", registered ? "yes" : "no");
    if (!registered)
        return 1;

    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 || H5Pget_vol_id(fapl, &default_id) < 0 ||
        (rest_id = H5VLget_connector_id_by_name("REST")) < 0) {
        fprintf(stderr, "connector_info: cannot query the default connector\n");
        return 1;
    }
    {
        H5VL_class_value_t rest_value = -1, default_value = -1;
        H5VLget_value(rest_id, &rest_value);
        H5VLget_value(default_id, &default_value);
        is_default = (default_value == rest_value);
        printf("default connector: value %d (%s)\n", (int)default_value,
               is_default ? "REST is the default" : "REST is not the default");
        printf("connector value: %d\n", (int)rest_value);
    }

    if (H5Pget_vol_cap_flags(fapl, &caps) < 0) {
        fprintf(stderr, "connector_info: H5Pget_vol_cap_flags failed\n");
        return 1;
    }
    printf("capability flags: 0x%016" PRIx64 "\n", caps);
    for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
        if (caps & cap_names[i].flag)
            printf("  H5VL_CAP_FLAG_%s\n", cap_names[i].name);
    if (caps == 0)
        printf("  (none)\n");

    H5VLclose(rest_id);
    H5VLclose(default_id);
    H5Pclose(fapl);
    return is_default ? 0 : 1;
}
