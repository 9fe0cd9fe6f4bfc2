/* libFuzzer harness: wide-layout CSV ingestion from memory (body in
 * ingest_harness.h). */
#include "ingest_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_ingest(data, size, KAP_LAYOUT_WIDE);
}
