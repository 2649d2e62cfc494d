/*
 * Ember's one error convention: actions return 0 on success or a negative
 * E* code from this list. Shared by loader, kernel and host tests, so the
 * names are prefixed to stay clear of the host C library's <errno.h>.
 */
#ifndef EMBER_LIB_ERRNO_H
#define EMBER_LIB_ERRNO_H

#define E_OK        0
#define E_INVAL     1   /* malformed argument or input */
#define E_NOMEM     2   /* out of memory */
#define E_NOSPC     3   /* the caller's buffer is too small */
#define E_RANGE     4   /* a value lies outside what is allowed */
#define E_NOENT     5   /* no such thing */
#define E_BUSY      6   /* resource in use */
#define E_AGAIN     7   /* try again later (queue full or empty) */
#define E_TIMEDOUT  8   /* a device did not answer in time */
#define E_NODEV     9   /* the device is not present */
#define E_IO        10  /* the device reported an error */
#define E_EXIST     11  /* already there */

/* A short name for an error code, for messages ("E_NOSPC"). */
const char *err_name(int err);

#endif
