test_calibrate_SRCS := kernel/time/calibrate.c
