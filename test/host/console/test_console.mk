test_console_SRCS := kernel/console/console.c kernel/console/fbcon.c
