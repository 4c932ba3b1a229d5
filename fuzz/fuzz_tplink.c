/* Fuzz target for the tplink container (docs/formats/tplink.md); the properties are in container_target.h. */
#include "container_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_container("tplink", true, data, size); }
