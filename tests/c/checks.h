/* Shared by the check programs in tests/c: CHECK(cond, what) prints one line per failed check
 * and counts it in `failures`; a program ends with `printf("OK: %d failure(s)\n", failures)`
 * and returns `failures`, which tests/common/mod.rs (assert_c_checks_pass) reads. */
#ifndef RESTVOL_TEST_CHECKS_H
#define RESTVOL_TEST_CHECKS_H

#include <stdio.h>

static int failures = 0;

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAILED: %s (line %d)\n", what, __LINE__);                                      \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#endif
