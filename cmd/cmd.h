/* SPDX-License-Identifier: Apache-2.0 */
/* The ospack program: one function per command, sharing option parsing and output helpers. */
#ifndef OSPACK_CMD_H
#define OSPACK_CMD_H

#include "ospack.h"

int cmd_build(int argc, char **argv);

#endif
