/* A netCDF-4 program that uses only netCDF-C: it creates a file with groups, fixed and
 * unlimited dimensions, coordinate variables, variables of many types (deflate, shuffle,
 * chunking, fill values), user-defined compound/vlen/enum types and attributes of several
 * kinds; closes it; reopens it to append along the unlimited dimension; then reopens it read-only
 * and checks every value. The same program runs on a native file and, through restvol, on a
 * domain (tests/netcdf_parity.rs).
 *
 * Usage: netcdf_roundtrip PATH
 */
#include <netcdf.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                          \
    do {                                                                                     \
        int rc_ = (call);                                                                    \
        if (rc_ != NC_NOERR) {                                                               \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, nc_strerror(rc_)); \
            exit(1);                                                                         \
        }                                                                                    \
    } while (0)

#define EXPECT(cond)                                                               \
    do {                                                                           \
        if (!(cond)) {                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                               \
        }                                                                          \
    } while (0)

#define NLAT 3
#define NLON 4
#define NSTATION 2
#define NTIME_FIRST 2
#define NTIME 3

typedef struct {
    float u;
    float v;
} wind_t;

static float temp_value(size_t t, size_t y, size_t x) { return (float)(100 * t + 10 * y + x) + 0.5f; }
static double obs_value(size_t t, size_t s) { return (double)t * 1.25 + (double)s; }

/* Writes time steps [from, to) of the time-dependent variables. */
static void write_steps(int ncid, int obs, size_t from, size_t to) {
    int time_v, temp_v, obs_d;
    CHECK(nc_inq_varid(ncid, "time", &time_v));
    CHECK(nc_inq_varid(ncid, "temp", &temp_v));
    CHECK(nc_inq_varid(obs, "pressure", &obs_d));
    for (size_t t = from; t < to; t++) {
        double tv = 6.0 * (double)t;
        size_t start1[1] = {t};
        CHECK(nc_put_var1_double(ncid, time_v, start1, &tv));
        float grid[NLAT][NLON];
        for (size_t y = 0; y < NLAT; y++)
            for (size_t x = 0; x < NLON; x++) grid[y][x] = temp_value(t, y, x);
        size_t start3[3] = {t, 0, 0}, count3[3] = {1, NLAT, NLON};
        CHECK(nc_put_vara_float(ncid, temp_v, start3, count3, &grid[0][0]));
        double row[NSTATION];
        for (size_t s = 0; s < NSTATION; s++) row[s] = obs_value(t, s);
        size_t start2[2] = {t, 0}, count2[2] = {1, NSTATION};
        CHECK(nc_put_vara_double(obs, obs_d, start2, count2, row));
    }
}

static void create(const char *path) {
    int ncid, time_d, lat_d, lon_d, station_d;
    CHECK(nc_create(path, NC_NETCDF4 | NC_CLOBBER, &ncid));

    /* Global attributes: text, string, numbers. */
    CHECK(nc_put_att_text(ncid, NC_GLOBAL, "title", strlen("restvol netCDF parity"),
                          "restvol netCDF parity"));
    const char *history[2] = {"created", "by netcdf_roundtrip"};
    CHECK(nc_put_att_string(ncid, NC_GLOBAL, "history", 2, history));
    int version[3] = {1, 2, 3};
    CHECK(nc_put_att_int(ncid, NC_GLOBAL, "version", NC_INT, 3, version));
    double scale = 0.125;
    CHECK(nc_put_att_double(ncid, NC_GLOBAL, "scale", NC_DOUBLE, 1, &scale));

    /* Dimensions and coordinate variables. */
    CHECK(nc_def_dim(ncid, "time", NC_UNLIMITED, &time_d));
    CHECK(nc_def_dim(ncid, "lat", NLAT, &lat_d));
    CHECK(nc_def_dim(ncid, "lon", NLON, &lon_d));
    int time_v, lat_v, lon_v, temp_v, mask_v;
    CHECK(nc_def_var(ncid, "time", NC_DOUBLE, 1, &time_d, &time_v));
    CHECK(nc_put_att_text(ncid, time_v, "units", strlen("hours since 2000-01-01"),
                          "hours since 2000-01-01"));
    CHECK(nc_def_var(ncid, "lat", NC_FLOAT, 1, &lat_d, &lat_v));
    CHECK(nc_put_att_text(ncid, lat_v, "units", strlen("degrees_north"), "degrees_north"));
    CHECK(nc_def_var(ncid, "lon", NC_FLOAT, 1, &lon_d, &lon_v));
    CHECK(nc_put_att_text(ncid, lon_v, "units", strlen("degrees_east"), "degrees_east"));

    /* A deflated, shuffled, chunked variable with a fill value. */
    int dims3[3] = {time_d, lat_d, lon_d};
    CHECK(nc_def_var(ncid, "temp", NC_FLOAT, 3, dims3, &temp_v));
    size_t chunks3[3] = {1, NLAT, NLON};
    CHECK(nc_def_var_chunking(ncid, temp_v, NC_CHUNKED, chunks3));
    CHECK(nc_def_var_deflate(ncid, temp_v, 1, 1, 4));
    float fill = -999.0f;
    CHECK(nc_def_var_fill(ncid, temp_v, 0, &fill));
    CHECK(nc_put_att_text(ncid, temp_v, "long_name", strlen("air temperature"), "air temperature"));
    const char *flags[1] = {"quality checked"};
    CHECK(nc_put_att_string(ncid, temp_v, "comment", 1, flags));
    /* A contiguous ubyte variable, written only partly (fill values show). */
    int dims2[2] = {lat_d, lon_d};
    CHECK(nc_def_var(ncid, "mask", NC_UBYTE, 2, dims2, &mask_v));
    CHECK(nc_def_var_chunking(ncid, mask_v, NC_CONTIGUOUS, NULL));

    float lats[NLAT] = {-45.0f, 0.0f, 45.0f};
    float lons[NLON] = {0.0f, 90.0f, 180.0f, 270.0f};
    CHECK(nc_put_var_float(ncid, lat_v, lats));
    CHECK(nc_put_var_float(ncid, lon_v, lons));
    unsigned char mask_row[NLON] = {1, 0, 1, 255};
    size_t ms[2] = {1, 0}, mc[2] = {1, NLON};
    CHECK(nc_put_vara_uchar(ncid, mask_v, ms, mc, mask_row));

    /* A group with its own dimension, a variable on the parent's unlimited dimension and
     * one variable of each atomic type. */
    int obs;
    CHECK(nc_def_grp(ncid, "obs", &obs));
    CHECK(nc_def_dim(obs, "station", NSTATION, &station_d));
    CHECK(nc_put_att_text(obs, NC_GLOBAL, "platform", strlen("buoy"), "buoy"));
    int pres_v, dims_ts[2] = {time_d, station_d};
    CHECK(nc_def_var(obs, "pressure", NC_DOUBLE, 2, dims_ts, &pres_v));
    CHECK(nc_def_var_deflate(obs, pres_v, 0, 1, 1));
    int b_v, s_v, i_v, i64_v, ub_v, us_v, ui_v, ui64_v, name_v;
    CHECK(nc_def_var(obs, "b", NC_BYTE, 1, &station_d, &b_v));
    CHECK(nc_def_var(obs, "s", NC_SHORT, 1, &station_d, &s_v));
    CHECK(nc_def_var(obs, "i", NC_INT, 1, &station_d, &i_v));
    CHECK(nc_def_var(obs, "i64", NC_INT64, 1, &station_d, &i64_v));
    CHECK(nc_def_var(obs, "ub", NC_UBYTE, 1, &station_d, &ub_v));
    CHECK(nc_def_var(obs, "us", NC_USHORT, 1, &station_d, &us_v));
    CHECK(nc_def_var(obs, "ui", NC_UINT, 1, &station_d, &ui_v));
    CHECK(nc_def_var(obs, "ui64", NC_UINT64, 1, &station_d, &ui64_v));
    CHECK(nc_def_var(obs, "name", NC_STRING, 1, &station_d, &name_v));
    short s_fill = -1;
    CHECK(nc_def_var_fill(obs, s_v, 0, &s_fill));
    int valid[2] = {-100, 100};
    CHECK(nc_put_att_int(obs, i_v, "valid_range", NC_INT, 2, valid));

    signed char bv[NSTATION] = {-128, 127};
    short sv[NSTATION] = {-32768, 32767};
    int iv[NSTATION] = {-7, 7};
    long long i64v[NSTATION] = {-9000000000LL, 9000000000LL};
    unsigned char ubv[NSTATION] = {0, 255};
    unsigned short usv[NSTATION] = {0, 65535};
    unsigned int uiv[NSTATION] = {0, 4000000000u};
    unsigned long long ui64v[NSTATION] = {0, 18000000000000000000ULL};
    const char *names[NSTATION] = {"north pole", "équateur"};
    CHECK(nc_put_var_schar(obs, b_v, bv));
    CHECK(nc_put_var_short(obs, s_v, sv));
    CHECK(nc_put_var_int(obs, i_v, iv));
    CHECK(nc_put_var_longlong(obs, i64_v, i64v));
    CHECK(nc_put_var_uchar(obs, ub_v, ubv));
    CHECK(nc_put_var_ushort(obs, us_v, usv));
    CHECK(nc_put_var_uint(obs, ui_v, uiv));
    CHECK(nc_put_var_ulonglong(obs, ui64_v, ui64v));
    CHECK(nc_put_var_string(obs, name_v, names));

    /* User-defined types: compound, vlen, enum. */
    nc_type wind_t_id, ragged_t_id, cloud_t_id;
    CHECK(nc_def_compound(obs, sizeof(wind_t), "wind_t", &wind_t_id));
    CHECK(nc_insert_compound(obs, wind_t_id, "u", offsetof(wind_t, u), NC_FLOAT));
    CHECK(nc_insert_compound(obs, wind_t_id, "v", offsetof(wind_t, v), NC_FLOAT));
    CHECK(nc_def_vlen(obs, "ragged_t", NC_INT, &ragged_t_id));
    CHECK(nc_def_enum(obs, NC_UBYTE, "cloud_t", &cloud_t_id));
    unsigned char clear = 0, partly = 1, overcast = 2;
    CHECK(nc_insert_enum(obs, cloud_t_id, "clear", &clear));
    CHECK(nc_insert_enum(obs, cloud_t_id, "partly", &partly));
    CHECK(nc_insert_enum(obs, cloud_t_id, "overcast", &overcast));
    int wind_v, ragged_v, cloud_v;
    CHECK(nc_def_var(obs, "wind", wind_t_id, 1, &station_d, &wind_v));
    CHECK(nc_def_var(obs, "ragged", ragged_t_id, 1, &station_d, &ragged_v));
    CHECK(nc_def_var(obs, "cloud", cloud_t_id, 1, &station_d, &cloud_v));
    wind_t winds[NSTATION] = {{1.5f, -2.5f}, {3.0f, 4.0f}};
    CHECK(nc_put_var(obs, wind_v, winds));
    int r0[1] = {1}, r1[3] = {2, 3, 4};
    nc_vlen_t ragged[NSTATION] = {{1, r0}, {3, r1}};
    CHECK(nc_put_var(obs, ragged_v, ragged));
    unsigned char clouds[NSTATION] = {2, 0};
    CHECK(nc_put_var(obs, cloud_v, clouds));
    CHECK(nc_put_att(obs, wind_v, "calm", wind_t_id, 1, &winds[0]));

    /* A nested group. */
    int deep, note_v;
    CHECK(nc_def_grp(obs, "deep", &deep));
    CHECK(nc_def_var(deep, "note", NC_CHAR, 1, &station_d, &note_v));
    CHECK(nc_put_var_text(deep, note_v, "ok"));

    write_steps(ncid, obs, 0, NTIME_FIRST);
    CHECK(nc_close(ncid));
}

static void append(const char *path) {
    int ncid, obs;
    CHECK(nc_open(path, NC_WRITE, &ncid));
    CHECK(nc_inq_grp_ncid(ncid, "obs", &obs));
    size_t len;
    int time_d;
    CHECK(nc_inq_dimid(ncid, "time", &time_d));
    CHECK(nc_inq_dimlen(ncid, time_d, &len));
    EXPECT(len == NTIME_FIRST);
    write_steps(ncid, obs, NTIME_FIRST, NTIME);
    int temp_v;
    CHECK(nc_inq_varid(ncid, "temp", &temp_v));
    const char *appended = "appended";
    CHECK(nc_put_att_text(ncid, NC_GLOBAL, "note", strlen(appended), appended));
    CHECK(nc_close(ncid));
}

static void verify(const char *path) {
    int ncid, obs, deep, format;
    CHECK(nc_open(path, NC_NOWRITE, &ncid));
    CHECK(nc_inq_format(ncid, &format));
    EXPECT(format == NC_FORMAT_NETCDF4);
    CHECK(nc_inq_grp_ncid(ncid, "obs", &obs));
    CHECK(nc_inq_grp_ncid(obs, "deep", &deep));

    int ndims, nvars, natts, unlim;
    CHECK(nc_inq(ncid, &ndims, &nvars, &natts, &unlim));
    EXPECT(ndims == 3 && nvars == 5 && natts == 5);
    size_t len;
    CHECK(nc_inq_dimlen(ncid, unlim, &len));
    EXPECT(len == NTIME);

    char title[64] = {0};
    CHECK(nc_get_att_text(ncid, NC_GLOBAL, "title", title));
    EXPECT(strcmp(title, "restvol netCDF parity") == 0);
    char *history[2];
    CHECK(nc_get_att_string(ncid, NC_GLOBAL, "history", history));
    EXPECT(strcmp(history[1], "by netcdf_roundtrip") == 0);
    CHECK(nc_free_string(2, history));

    int temp_v, time_v, mask_v;
    CHECK(nc_inq_varid(ncid, "temp", &temp_v));
    CHECK(nc_inq_varid(ncid, "time", &time_v));
    CHECK(nc_inq_varid(ncid, "mask", &mask_v));
    int shuffle, deflate, level, storage, no_fill;
    CHECK(nc_inq_var_deflate(ncid, temp_v, &shuffle, &deflate, &level));
    EXPECT(shuffle == 1 && deflate == 1 && level == 4);
    size_t chunks[3];
    CHECK(nc_inq_var_chunking(ncid, temp_v, &storage, chunks));
    EXPECT(storage == NC_CHUNKED && chunks[0] == 1 && chunks[1] == NLAT && chunks[2] == NLON);
    float fill;
    CHECK(nc_inq_var_fill(ncid, temp_v, &no_fill, &fill));
    EXPECT(no_fill == 0 && fill == -999.0f);

    float temp[NTIME][NLAT][NLON];
    CHECK(nc_get_var_float(ncid, temp_v, &temp[0][0][0]));
    for (size_t t = 0; t < NTIME; t++)
        for (size_t y = 0; y < NLAT; y++)
            for (size_t x = 0; x < NLON; x++) EXPECT(temp[t][y][x] == temp_value(t, y, x));
    double times[NTIME];
    CHECK(nc_get_var_double(ncid, time_v, times));
    for (size_t t = 0; t < NTIME; t++) EXPECT(times[t] == 6.0 * (double)t);
    unsigned char mask[NLAT][NLON];
    CHECK(nc_get_var_uchar(ncid, mask_v, &mask[0][0]));
    EXPECT(mask[0][0] == NC_FILL_UBYTE && mask[1][3] == 255 && mask[1][1] == 0);

    int pres_v;
    CHECK(nc_inq_varid(obs, "pressure", &pres_v));
    double pres[NTIME][NSTATION];
    CHECK(nc_get_var_double(obs, pres_v, &pres[0][0]));
    for (size_t t = 0; t < NTIME; t++)
        for (size_t s = 0; s < NSTATION; s++) EXPECT(pres[t][s] == obs_value(t, s));

    int v;
    long long i64v[NSTATION];
    CHECK(nc_inq_varid(obs, "i64", &v));
    CHECK(nc_get_var_longlong(obs, v, i64v));
    EXPECT(i64v[0] == -9000000000LL && i64v[1] == 9000000000LL);
    unsigned long long ui64v[NSTATION];
    CHECK(nc_inq_varid(obs, "ui64", &v));
    CHECK(nc_get_var_ulonglong(obs, v, ui64v));
    EXPECT(ui64v[1] == 18000000000000000000ULL);
    short sv[NSTATION];
    CHECK(nc_inq_varid(obs, "s", &v));
    CHECK(nc_get_var_short(obs, v, sv));
    EXPECT(sv[0] == -32768 && sv[1] == 32767);
    char *names[NSTATION];
    CHECK(nc_inq_varid(obs, "name", &v));
    CHECK(nc_get_var_string(obs, v, names));
    EXPECT(strcmp(names[1], "équateur") == 0);
    CHECK(nc_free_string(NSTATION, names));

    wind_t winds[NSTATION];
    CHECK(nc_inq_varid(obs, "wind", &v));
    CHECK(nc_get_var(obs, v, winds));
    EXPECT(winds[0].u == 1.5f && winds[1].v == 4.0f);
    nc_vlen_t ragged[NSTATION];
    CHECK(nc_inq_varid(obs, "ragged", &v));
    CHECK(nc_get_var(obs, v, ragged));
    EXPECT(ragged[1].len == 3 && ((int *)ragged[1].p)[2] == 4);
    nc_type ragged_t_id;
    CHECK(nc_inq_vartype(obs, v, &ragged_t_id));
    CHECK(nc_reclaim_data(obs, ragged_t_id, ragged, NSTATION));
    unsigned char clouds[NSTATION];
    CHECK(nc_inq_varid(obs, "cloud", &v));
    CHECK(nc_get_var(obs, v, clouds));
    EXPECT(clouds[0] == 2 && clouds[1] == 0);

    char note[2];
    CHECK(nc_inq_varid(deep, "note", &v));
    CHECK(nc_get_var_text(deep, v, note));
    EXPECT(note[0] == 'o' && note[1] == 'k');
    CHECK(nc_close(ncid));
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH\n", argv[0]);
        return 2;
    }
    create(argv[1]);
    append(argv[1]);
    verify(argv[1]);
    printf("ok %s\n", argv[1]);
    return 0;
}
