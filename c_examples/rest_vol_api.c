/*
 * rest_vol_api: uses restvol through the C API of HDF Group's REST VOL, as programs written for
 * it do: H5rest_init, H5Pset_fapl_rest_vol, H5rest_term. Build with pkg-config:
 *   cc rest_vol_api.c $(pkg-config --cflags --libs restvol) -o rest_vol_api
 * No environment variable is needed: the program registers the connector itself.
 * Exit status 0 when every check passes.
 */
#include <stdio.h>

#include <hdf5.h>
#include <restvol.h>

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "rest_vol_api: FAILED: %s\n", what);                                   \
            return 1;                                                                              \
        }                                                                                          \
        printf("ok: %s\n", what);                                                                  \
    } while (0)

int
main(void)
{
    hid_t  fapl, dxpl, conn_id = H5I_INVALID_HID;
    herr_t status;

    CHECK(H5rest_init() >= 0, "H5rest_init registers the connector");
    CHECK(H5VLis_connector_registered_by_name(H5_VOL_REST_NAME) > 0, "REST is registered");

    fapl = H5Pcreate(H5P_FILE_ACCESS);
    CHECK(H5Pset_fapl_rest_vol(fapl) >= 0, "H5Pset_fapl_rest_vol sets the connector on a FAPL");
    CHECK(H5Pget_vol_id(fapl, &conn_id) >= 0, "H5Pget_vol_id");
    {
        H5VL_class_value_t value = -1;
        H5VLget_value(conn_id, &value);
        CHECK(value == H5_VOL_REST_CLS_VAL, "the FAPL names the REST connector (value 520)");
    }
    H5VLclose(conn_id);

    /* Wrong input gets an error on the HDF5 error stack, not a crash. */
    dxpl = H5Pcreate(H5P_DATASET_XFER);
    H5E_BEGIN_TRY
    {
        status = H5Pset_fapl_rest_vol(dxpl);
    }
    H5E_END_TRY
    CHECK(status < 0, "H5Pset_fapl_rest_vol rejects a dataset transfer property list");
    H5E_BEGIN_TRY
    {
        CHECK(H5rest_get_object_uri(fapl) == NULL, "H5rest_get_object_uri rejects a non-object id");
    }
    H5E_END_TRY

    H5Pclose(dxpl);
    H5Pclose(fapl);
    CHECK(H5rest_term() >= 0, "H5rest_term");
    printf("all checks passed\n");
    return 0;
}
