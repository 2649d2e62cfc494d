test_lineedit_SRCS := kernel/input/lineedit.c kernel/console/console.c kernel/console/fbcon.c
