/*
 * The built-in device tables, one file per vendor family; devices.c lists them.
 */
#ifndef FWKIT_DEVICES_H
#define FWKIT_DEVICES_H

#include <stddef.h>

#include "fwkit/profile.h"

extern const struct fwkit_profile fwkit_devices_xiaomi[];
extern const size_t fwkit_devices_xiaomi_count;
extern const struct fwkit_profile fwkit_devices_rt5350[];
extern const size_t fwkit_devices_rt5350_count;

#endif
