test_pmm_SRCS := kernel/mm/pmm_core.c
