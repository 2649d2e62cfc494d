test_ansi_in_SRCS := kernel/ansi_in.c kernel/kbd.c kernel/kbd_layouts.c
