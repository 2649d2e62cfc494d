test_kbd_SRCS := kernel/kbd.c kernel/kbd_layouts.c
