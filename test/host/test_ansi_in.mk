test_ansi_in_SRCS := kernel/ansi_in.c
