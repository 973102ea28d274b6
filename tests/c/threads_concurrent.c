/* Several pthreads call HDF5 through restvol at the same time, every value checked:
 *   1. each thread creates, writes, reopens and reads its own file (dataset + attribute);
 *   2. all threads share one open file: each creates its own group with a dataset, an attribute
 *      and subgroups in it, writes, reads back, iterates its links and fails to open a missing
 *      dataset (restvol's error on its own error stack), while the others do the same (the whole
 *      file is checked again after a close and reopen);
 *   3. all threads open, read and close that same file concurrently, again and again (in direct
 *      access the local service is shared; it stops when the last file closes, and restarts).
 * With a thread-safe libhdf5 (H5is_library_threadsafe) the threads call HDF5 with no
 * application lock: HDF5's global lock serializes the calls, but the connector is entered from a
 * different thread each time. With a non-thread-safe libhdf5 every step runs under one
 * application mutex instead. It prints whether the connector advertises
 * H5VL_CAP_FLAG_THREADSAFE (tests/connector_threads.rs holds the flag to these runs).
 * Usage: threads_concurrent <folder> (domains <folder>/…).
 * Prints one line per failed check, then "OK: N failure(s)"; exits with the failure count. */
#include <hdf5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define ROUNDS 3
#define SUBGROUPS 3
#define N 500

static int failures = 0;
static hbool_t threadsafe = 0;
static pthread_mutex_t app_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *folder = "";

/* Counts a failed check from any thread. */
#define TCHECK(cond, what)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAILED: %s (thread %ld, line %d)\n", what, t, __LINE__);                       \
            __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);                                    \
        }                                                                                          \
    } while (0)

/* The application lock, taken only when libhdf5 is not thread-safe. */
static void enter(void) {
    if (!threadsafe)
        pthread_mutex_lock(&app_lock);
}
static void leave(void) {
    if (!threadsafe)
        pthread_mutex_unlock(&app_lock);
}

static void fill(int *data, int seed) {
    for (int i = 0; i < N; i++)
        data[i] = seed * N + i;
}

static int same(const int *data, int seed) {
    for (int i = 0; i < N; i++)
        if (data[i] != seed * N + i)
            return 0;
    return 1;
}

/* Writes dataset `name` under `loc` with values from `seed` and an int attribute "seed". */
static int write_dataset(hid_t loc, const char *name, int seed) {
    int data[N];
    fill(data, seed);
    hsize_t dims[1] = {N};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dset = H5Dcreate2(loc, name, H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t status = dset < 0 ? -1 : H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t attr = dset < 0 ? -1 : H5Acreate2(dset, "seed", H5T_NATIVE_INT, scalar, H5P_DEFAULT, H5P_DEFAULT);
    herr_t attr_status = attr < 0 ? -1 : H5Awrite(attr, H5T_NATIVE_INT, &seed);
    if (attr >= 0)
        H5Aclose(attr);
    H5Sclose(scalar);
    if (dset >= 0)
        H5Dclose(dset);
    H5Sclose(space);
    return (dset < 0 || status < 0 || attr < 0 || attr_status < 0) ? -1 : 0;
}

/* Reads dataset `name` under `loc` back (and its attribute when `with_attribute`): 0 when they
 * hold `seed`'s values, -2 when they differ, -1 when a call failed. */
static int read_back(hid_t loc, const char *name, int seed, int with_attribute) {
    int data[N], stored = seed;
    memset(data, 0, sizeof data);
    hid_t dset = H5Dopen2(loc, name, H5P_DEFAULT);
    if (dset < 0)
        return -1;
    herr_t status = H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    herr_t attr_status = 0;
    if (with_attribute) {
        hid_t attr = H5Aopen(dset, "seed", H5P_DEFAULT);
        attr_status = attr < 0 ? -1 : H5Aread(attr, H5T_NATIVE_INT, &stored);
        if (attr >= 0)
            H5Aclose(attr);
    }
    H5Dclose(dset);
    if (status < 0 || attr_status < 0)
        return -1;
    return (same(data, seed) && stored == seed) ? 0 : -2;
}

static int check_dataset(hid_t loc, const char *name, int seed) {
    return read_back(loc, name, seed, 1);
}

static void domain(char *out, size_t size, const char *name) {
    snprintf(out, size, "%s/%s", folder, name);
}

/* --- 1. each thread its own file ------------------------------------------------------------ */
static void *own_file(void *arg) {
    long t = (long)arg;
    char name[512], file_name[64];
    snprintf(file_name, sizeof file_name, "own%ld.h5", t);
    domain(name, sizeof name, file_name);
    for (int round = 0; round < ROUNDS; round++) {
        int seed = (int)t * ROUNDS + round;
        enter();
        hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        int rc = file < 0 ? -1 : write_dataset(file, "values", seed);
        herr_t closed = file < 0 ? -1 : H5Fclose(file);
        leave();
        TCHECK(file >= 0 && rc == 0 && closed >= 0, "create and write own file");
        enter();
        file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
        rc = file < 0 ? -1 : check_dataset(file, "values", seed);
        closed = file < 0 ? -1 : H5Fclose(file);
        leave();
        TCHECK(file >= 0 && closed >= 0, "reopen own file");
        TCHECK(rc == 0, "own file values read back");
    }
    return NULL;
}

/* --- 2. all threads in one open file -------------------------------------------------------- */
static hid_t shared_file = -1;

static herr_t count_link(hid_t group, const char *name, const H5L_info2_t *info, void *data) {
    (void)group;
    (void)name;
    (void)info;
    (*(int *)data)++;
    return 0;
}

static herr_t find_restvol_entry(unsigned n, const H5E_error2_t *entry, void *data) {
    (void)n;
    char name[32] = "";
    if (H5Eget_class_name(entry->cls_id, name, sizeof name) > 0 && strcmp(name, "restvol") == 0)
        *(int *)data = 1;
    return 0;
}

/* Opens a dataset that is not there: the call must fail with restvol's entry on this thread's
 * error stack (each thread has its own stack in a thread-safe libhdf5). */
static int missing_dataset_fails_with_restvol_error(hid_t loc) {
    hid_t dset = -1;
    int found = 0;
    H5E_BEGIN_TRY {
        dset = H5Dopen2(loc, "missing", H5P_DEFAULT);
    }
    H5E_END_TRY
    if (dset >= 0) {
        H5Dclose(dset);
        return 0;
    }
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, find_restvol_entry, &found);
    H5Eclear2(H5E_DEFAULT);
    return found;
}

static int seed_of(long t) {
    return 1000 + (int)t;
}

static void *shared_group(void *arg) {
    long t = (long)arg;
    char group_name[32], sub_name[32];
    snprintf(group_name, sizeof group_name, "g%ld", t);
    enter();
    hid_t group = H5Gcreate2(shared_file, group_name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    leave();
    TCHECK(group >= 0, "create own group in the shared file");
    if (group < 0)
        return NULL;
    enter();
    int rc = write_dataset(group, "d", seed_of(t));
    leave();
    TCHECK(rc == 0, "write dataset in the shared file");
    for (int s = 0; s < SUBGROUPS; s++) {
        snprintf(sub_name, sizeof sub_name, "sub%d", s);
        enter();
        hid_t sub = H5Gcreate2(group, sub_name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        herr_t closed = sub < 0 ? -1 : H5Gclose(sub);
        leave();
        TCHECK(sub >= 0 && closed >= 0, "create subgroup in the shared file");
    }
    enter();
    rc = check_dataset(group, "d", seed_of(t));
    leave();
    TCHECK(rc == 0, "dataset values read back from the shared file");
    int links = 0;
    enter();
    herr_t status = H5Literate2(group, H5_INDEX_NAME, H5_ITER_INC, NULL, count_link, &links);
    leave();
    TCHECK(status >= 0 && links == SUBGROUPS + 1, "iterate own group's links");
    enter();
    rc = missing_dataset_fails_with_restvol_error(group);
    leave();
    TCHECK(rc == 1, "a failed call leaves restvol's error on this thread's stack");
    /* Read a neighbour's values when they are there already (its attribute is made after its
     * data is written; its attribute's value may still be unwritten, so only the data). */
    char group_path[32], other[64];
    snprintf(group_path, sizeof group_path, "g%ld", (t + 1) % THREADS);
    snprintf(other, sizeof other, "g%ld/d", (t + 1) % THREADS);
    enter();
    rc = 0;
    if (H5Lexists(shared_file, group_path, H5P_DEFAULT) > 0 && H5Lexists(shared_file, other, H5P_DEFAULT) > 0 &&
        H5Aexists_by_name(shared_file, other, "seed", H5P_DEFAULT) > 0)
        rc = read_back(shared_file, other, seed_of((t + 1) % THREADS), 0);
    leave();
    TCHECK(rc == 0, "neighbour's dataset values in the shared file");
    enter();
    herr_t closed = H5Gclose(group);
    leave();
    TCHECK(closed >= 0, "close own group");
    return NULL;
}

/* --- 3. the same file opened and closed by all threads ------------------------------------- */
static void *reopen_shared(void *arg) {
    long t = (long)arg;
    char name[512], path[64];
    domain(name, sizeof name, "shared.h5");
    for (int round = 0; round < ROUNDS; round++) {
        long other = (t + round) % THREADS;
        snprintf(path, sizeof path, "g%ld/d", other);
        enter();
        hid_t file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
        leave();
        TCHECK(file >= 0, "open the shared file again");
        if (file < 0)
            continue;
        enter();
        int rc = check_dataset(file, path, seed_of(other));
        leave();
        TCHECK(rc == 0, "values read from the reopened shared file");
        enter();
        herr_t closed = H5Fclose(file);
        leave();
        TCHECK(closed >= 0, "close the reopened shared file");
    }
    return NULL;
}

/* How many distinct libhdf5 files are mapped into this process (Linux /proc/self/maps): 1 when
 * the connector bound to the libhdf5 the program loaded (same soname), 2 if it brought its own. */
static int libhdf5_copies(void) {
    char paths[4][512];
    int count = 0;
    char line[1024];
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps)
        return -1;
    while (fgets(line, sizeof line, maps)) {
        char *path = strchr(line, '/');
        if (!path || !strstr(path, "/libhdf5.so"))
            continue;
        path[strcspn(path, "\n")] = 0;
        int seen = 0;
        for (int i = 0; i < count; i++)
            seen |= strcmp(paths[i], path) == 0;
        if (!seen && count < 4)
            snprintf(paths[count++], sizeof paths[0], "%s", path);
    }
    fclose(maps);
    for (int i = 0; i < count; i++)
        printf("libhdf5 loaded: %s\n", paths[i]);
    return count;
}

static void run_threads(void *(*body)(void *)) {
    pthread_t threads[THREADS];
    for (long t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, body, (void *)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
}

int main(int argc, char **argv) {
    long t = -1; /* for TCHECK in the main thread */
    if (argc > 1)
        folder = argv[1];
    H5is_library_threadsafe(&threadsafe);
    printf("library thread-safe: %s\n", threadsafe ? "yes" : "no");
    /* What the connector selected by HDF5_VOL_CONNECTOR tells HDF5 about itself. */
    uint64_t cap_flags = 0;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    TCHECK(H5Pget_vol_cap_flags(fapl, &cap_flags) >= 0, "connector capability flags");
    H5Pclose(fapl);
    printf("connector thread-safe flag: %s\n", (cap_flags & H5VL_CAP_FLAG_THREADSAFE) ? "yes" : "no");

    run_threads(own_file);

    char name[512];
    domain(name, sizeof name, "shared.h5");
    shared_file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    TCHECK(shared_file >= 0, "create the shared file");
    if (shared_file >= 0) {
        run_threads(shared_group);
        int groups = 0;
        herr_t status = H5Literate2(shared_file, H5_INDEX_NAME, H5_ITER_INC, NULL, count_link, &groups);
        TCHECK(status >= 0 && groups == THREADS, "one group per thread in the shared file");
        TCHECK(H5Fclose(shared_file) >= 0, "close the shared file");

        /* Everything again after a reopen, from the main thread. */
        hid_t file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
        TCHECK(file >= 0, "reopen the shared file");
        for (long g = 0; g < THREADS && file >= 0; g++) {
            char path[64];
            snprintf(path, sizeof path, "g%ld/d", g);
            TCHECK(check_dataset(file, path, seed_of(g)) == 0, "shared file values after reopen");
            snprintf(path, sizeof path, "g%ld", g);
            int links = 0;
            herr_t st = H5Literate_by_name2(file, path, H5_INDEX_NAME, H5_ITER_INC, NULL, count_link, &links,
                                            H5P_DEFAULT);
            TCHECK(st >= 0 && links == SUBGROUPS + 1, "group links after reopen");
        }
        if (file >= 0)
            TCHECK(H5Fclose(file) >= 0, "close the reopened shared file");

        run_threads(reopen_shared);
    }

    TCHECK(libhdf5_copies() == 1, "one libhdf5 in the process (the connector binds to the program's)");
    printf("OK: %d failure(s)\n", failures);
    return failures;
}
