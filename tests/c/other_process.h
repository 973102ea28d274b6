/* Shared by the cache check programs in tests/c: running the program itself as "the other
 * process" (`PROGRAM FILE --writer N`), then waiting `settle_ms` (set from the command line:
 * time for the other process's writes to reach this one's service, 0 when they share one). */
#ifndef RESTVOL_TEST_OTHER_PROCESS_H
#define RESTVOL_TEST_OTHER_PROCESS_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int settle_ms = 0;

/* Runs `self FILE --writer value` and waits settle_ms; the exit status of the shell. */
static int run_writer(const char *self, const char *name, int value)
{
    char command[4096];
    snprintf(command, sizeof command, "'%s' '%s' --writer %d", self, name, value);
    int status = system(command);
    usleep((useconds_t)settle_ms * 1000);
    return status;
}

#endif
