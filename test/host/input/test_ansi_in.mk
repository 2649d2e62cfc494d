test_ansi_in_SRCS := kernel/input/ansi_in.c kernel/input/kbd.c kernel/input/kbd_layouts.c
