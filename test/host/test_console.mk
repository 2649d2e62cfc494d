test_console_SRCS := kernel/console.c kernel/fbcon.c
