/* Variable-length strings and sequences written and read back through the connector. */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 5

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "/vlen.h5";
    const char *words[N] = {"alpha", "", "a much longer string, with spaces", "δέλτα", "e"};
    hvl_t seqs[N], back_seqs[N];
    char *back_words[N];
    hsize_t dims[1] = {N};
    int bad = 0;

    for (int i = 0; i < N; i++) {
        seqs[i].len = (size_t)i;
        seqs[i].p = malloc(sizeof(int) * (i + 1));
        for (int j = 0; j < i; j++)
            ((int *)seqs[i].p)[j] = 100 * i + j;
    }
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    hid_t seq = H5Tvlen_create(H5T_NATIVE_INT);
    hid_t space = H5Screate_simple(1, dims, NULL);

    hid_t file = H5Fcreate(name, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t ds = H5Dcreate2(file, "words", str, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t dq = H5Dcreate2(file, "sequences", seq, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0 || ds < 0 || dq < 0 || H5Dwrite(ds, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, words) < 0 ||
        H5Dwrite(dq, seq, H5S_ALL, H5S_ALL, H5P_DEFAULT, seqs) < 0)
        return 1;
    const char *note = "a variable-length string attribute";
    hid_t scalar = H5Screate(H5S_SCALAR);
    hid_t attr = H5Acreate2(ds, "note", str, scalar, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, str, &note) < 0)
        return 1;
    H5Aclose(attr);
    H5Dclose(ds);
    H5Dclose(dq);
    H5Fclose(file);

    file = H5Fopen(name, H5F_ACC_RDONLY, H5P_DEFAULT);
    ds = H5Dopen2(file, "words", H5P_DEFAULT);
    dq = H5Dopen2(file, "sequences", H5P_DEFAULT);
    if (H5Dread(ds, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, back_words) < 0 ||
        H5Dread(dq, seq, H5S_ALL, H5S_ALL, H5P_DEFAULT, back_seqs) < 0)
        return 1;
    for (int i = 0; i < N; i++) {
        if (strcmp(words[i], back_words[i]) != 0)
            bad++;
        if (back_seqs[i].len != seqs[i].len ||
            (seqs[i].len && memcmp(seqs[i].p, back_seqs[i].p, sizeof(int) * seqs[i].len) != 0))
            bad++;
    }
    char *back_note = NULL;
    attr = H5Aopen(ds, "note", H5P_DEFAULT);
    if (attr < 0 || H5Aread(attr, str, &back_note) < 0 || strcmp(back_note, note) != 0)
        bad++;
    H5Treclaim(str, scalar, H5P_DEFAULT, &back_note);
    H5Aclose(attr);
    H5Sclose(scalar);
    H5Treclaim(str, space, H5P_DEFAULT, back_words);
    H5Treclaim(seq, space, H5P_DEFAULT, back_seqs);
    H5Dclose(ds);
    H5Dclose(dq);
    H5Fclose(file);
    printf("%d variable-length strings, %d sequences and a string attribute: %s\n", N, N,
           bad ? "MISMATCH" : "all match");
    return bad ? 1 : 0;
}
