/*
 * User memory from system calls: every user pointer is checked to lie in
 * the user half (no wrap, no kernel address) and then copied with the
 * arch's fix-up copies, so a bad pointer is -LX_EFAULT, never a kernel
 * fault. Handlers never dereference a user pointer themselves.
 *
 * The range check is argcheck.h's (pure); the copies run in a process's
 * system call with its address space loaded.
 */
#ifndef EMBER_KERNEL_PROC_UACCESS_H
#define EMBER_KERNEL_PROC_UACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/proc/argcheck.h"


/* 0 or -LX_EFAULT. */
int copy_from_user(void *dst, uint64_t usrc, size_t n);
int copy_to_user(uint64_t udst, const void *src, size_t n);

/* A NUL-terminated user string into dst[0..n): its length, -LX_EFAULT or -LX_ENAMETOOLONG. */
long strncpy_from_user(char *dst, uint64_t usrc, size_t n);

#endif
