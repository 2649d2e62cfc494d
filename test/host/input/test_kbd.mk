test_kbd_SRCS := kernel/input/kbd.c kernel/input/kbd_layouts.c
