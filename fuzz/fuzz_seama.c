/* Fuzz target for the seama container (docs/formats/seama.md); the properties are in container_target.h. */
#include "container_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_container("seama", true, data, size); }
