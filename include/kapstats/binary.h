/*
 * kapstats/binary.h - see include/kapstats.h for ownership and error rules.
 */
#ifndef KAPSTATS_BINARY_H
#define KAPSTATS_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
}
#endif

#endif
