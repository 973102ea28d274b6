/* Several pthreads each create, write, close, reopen, read and check their own restvol file.
 * The HDF5 build is not thread-safe, so every HDF5 call sequence runs under one mutex (HDF5's
 * global lock plays that part in a thread-safe build); the threads still interleave their
 * files, so the connector's shared state (sessions, the direct-access service registry) is
 * used from several threads. Usage: threads <folder> (domains <folder>/t<i>.h5). */
#include <hdf5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define THREADS 4
#define ROUNDS 3
#define N 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const char *folder;

static int write_file(const char *name, int seed) {
    int data[N];
    for (int i = 0; i < N; i++)
        data[i] = seed * N + i;
    hsize_t dims[1] = {N};
    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return -1;
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dset = H5Dcreate2(file, "values", H5T_NATIVE_INT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    herr_t status = H5Dwrite(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(dset);
    H5Sclose(space);
    if (H5Fclose(file) < 0 || dset < 0 || status < 0)
        return -1;
    return 0;
}

static int check_file(const char *name, int seed) {
    int data[N];
    hid_t file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file < 0)
        return -1;
    hid_t dset = H5Dopen2(file, "values", H5P_DEFAULT);
    herr_t status = H5Dread(dset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(dset);
    if (H5Fclose(file) < 0 || dset < 0 || status < 0)
        return -1;
    for (int i = 0; i < N; i++)
        if (data[i] != seed * N + i)
            return -2;
    return 0;
}

static void *run(void *arg) {
    long t = (long)arg;
    char name[512];
    snprintf(name, sizeof name, "%s/t%ld.h5", folder, t);
    for (int round = 0; round < ROUNDS; round++) {
        int seed = (int)t * ROUNDS + round;
        pthread_mutex_lock(&lock);
        int rc = write_file(name, seed);
        pthread_mutex_unlock(&lock);
        if (rc == 0) {
            pthread_mutex_lock(&lock);
            rc = check_file(name, seed);
            pthread_mutex_unlock(&lock);
        }
        if (rc != 0) {
            printf("thread %ld round %d: %s\n", t, round, rc == -2 ? "values differ" : "HDF5 call failed");
            return (void *)1;
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2)
        return 2;
    folder = argv[1];
    hbool_t threadsafe = 0;
    H5is_library_threadsafe(&threadsafe);
    printf("library thread-safe: %s\n", threadsafe ? "yes" : "no");
    pthread_t threads[THREADS];
    for (long t = 0; t < THREADS; t++)
        pthread_create(&threads[t], NULL, run, (void *)t);
    int failed = 0;
    for (int t = 0; t < THREADS; t++) {
        void *result = NULL;
        pthread_join(threads[t], &result);
        failed |= result != NULL;
    }
    if (failed)
        return 1;
    printf("all match\n");
    return 0;
}
