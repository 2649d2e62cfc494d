test_vgacon_SRCS := kernel/vgacon.c kernel/console.c kernel/fbcon.c
