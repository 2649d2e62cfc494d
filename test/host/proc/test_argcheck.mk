test_argcheck_SRCS := kernel/proc/argcheck.c
