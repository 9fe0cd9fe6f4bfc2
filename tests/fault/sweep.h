/* Scenarios of the allocation-failure sweep: each runs one public
 * workflow and returns its result code. */
#ifndef KAP_SWEEP_H
#define KAP_SWEEP_H
typedef int (*scenario_fn)(void *ctx);
typedef struct {
    const char *name;
    scenario_fn fn;
} scenario;
extern const scenario scenarios[];
#endif
