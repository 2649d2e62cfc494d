test_sigframe_SRCS := kernel/proc/sigframe.c
