/*
 * kapstats/rank.h - see include/kapstats.h for ownership and error rules.
 */
#ifndef KAPSTATS_RANK_H
#define KAPSTATS_RANK_H

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
