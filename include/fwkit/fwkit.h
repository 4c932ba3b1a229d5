/*
 * libfwkit: everything the fwkit tool does, as a library that never prints.
 * Include this one header; the others it pulls in group the API by subject.
 */
#ifndef FWKIT_FWKIT_H
#define FWKIT_FWKIT_H

#include "status.h"
#include "context.h"
#include "findings.h"
#include "file.h"
#include "codec.h"
#include "uimage.h"
#include "imagecheck.h"
#include "range.h"
#include "env.h"
#include "tftp.h"
#include "profile.h"
#include "inspect.h"
#include "dump.h"
#include "devicetree.h"
#include "node.h"
#include "scan.h"
#include "poray.h"
#include "sysupgrade.h"
#include "check.h"
#include "container.h"
#include "flash.h"
#include "build.h"

#endif
