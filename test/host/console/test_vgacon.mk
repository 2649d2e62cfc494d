test_vgacon_SRCS := kernel/console/vgacon.c kernel/console/console.c kernel/console/fbcon.c
