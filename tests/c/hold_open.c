/* Creates a file through the connector, says so, and then waits to be killed. */
#include <hdf5.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    hid_t file = H5Fcreate(argc > 1 ? argv[1] : "/held.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
        return 1;
    printf("open\n");
    fflush(stdout);
    for (;;)
        pause();
}
