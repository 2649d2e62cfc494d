test_hid_kbd_SRCS := kernel/input/hid_kbd.c kernel/input/kbd.c kernel/input/kbd_layouts.c
