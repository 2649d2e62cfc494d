test_exceptions_SRCS := arch/x86_64/exceptions_decode.c kernel/ksyms.c
