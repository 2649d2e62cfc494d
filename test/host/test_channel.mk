test_channel_SRCS := kernel/channel.c kernel/timer.c kernel/task.c kernel/taskq.c test/host/async_fake.c
