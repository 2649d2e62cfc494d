test_pmm_SRCS := kernel/pmm_core.c
