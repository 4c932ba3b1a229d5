/* Fuzz target for the sysupgrade-tar container (docs/formats/sysupgrade-tar.md); the properties are in container_target.h. */
#include "container_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_container("sysupgrade-tar", false, data, size); }
