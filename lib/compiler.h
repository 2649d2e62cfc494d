/*
 * Small compiler helpers shared by every build (loader, kernel, host tests).
 * Only GCC/Clang builtins: no library needed.
 */
#ifndef EMBER_LIB_COMPILER_H
#define EMBER_LIB_COMPILER_H

#define ARRAY_SIZE(a)      (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)     (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a)   ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a)   (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b)          ((a) < (b) ? (a) : (b))
#define MAX(a, b)          ((a) > (b) ? (a) : (b))

#define __packed           __attribute__((packed))
#define __noreturn         __attribute__((noreturn))
#define __unused           __attribute__((unused))
#define __printf_like(f, a) __attribute__((format(printf, f, a)))
#define likely(x)          __builtin_expect(!!(x), 1)
#define unlikely(x)        __builtin_expect(!!(x), 0)

#endif
