/*
 * rest_vol_public.h: the header programs written for HDF Group's REST VOL include. It declares
 * the same API (H5rest_init, H5rest_term, H5Pset_fapl_rest_vol, H5rest_get_object_uri) by
 * including restvol.h, so those programs compile against restvol unchanged:
 *   #include "rest_vol_public.h"
 *   cc prog.c $(pkg-config --cflags --libs restvol)
 * The buffer-size macros of REST VOL's header are defined too. REST VOL's rv_obj_ref_t (its
 * in-memory object reference) is not: restvol uses HDF5's own H5R_ref_t references.
 */
#ifndef rest_vol_public_H
#define rest_vol_public_H

#include "restvol.h"

#ifndef URL_MAX_LENGTH
#define URL_MAX_LENGTH 2048
#endif
#ifndef URI_MAX_LENGTH
#define URI_MAX_LENGTH 256
#endif
#ifndef MAX_NUM_LENGTH
#define MAX_NUM_LENGTH 20
#endif
#ifndef LINK_NAME_MAX_LENGTH
#define LINK_NAME_MAX_LENGTH 2048
#endif
#ifndef ATTRIBUTE_NAME_MAX_LENGTH
#define ATTRIBUTE_NAME_MAX_LENGTH 2048
#endif
#ifndef EXTERNAL_FILE_NAME_MAX_LENGTH
#define EXTERNAL_FILE_NAME_MAX_LENGTH 2048
#endif
#ifndef FILTER_NAME_MAX_LENGTH
#define FILTER_NAME_MAX_LENGTH 256
#endif
#ifndef FILTER_MAX_CD_VALUES
#define FILTER_MAX_CD_VALUES 32
#endif

#endif /* rest_vol_public_H */
