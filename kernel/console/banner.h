/* The boot banner: what Ember is, and what the loader found (see banner.c). */
#ifndef EMBER_KERNEL_BANNER_H
#define EMBER_KERNEL_BANNER_H

#include "kernel/boot_info.h"

void banner_print(const struct boot_info *bi);

#endif
