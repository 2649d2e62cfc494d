test_lineedit_SRCS := kernel/lineedit.c kernel/console.c kernel/fbcon.c
