test_uelf_SRCS := kernel/proc/uelf.c
