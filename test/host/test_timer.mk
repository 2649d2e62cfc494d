test_timer_SRCS := kernel/timer.c kernel/task.c kernel/taskq.c test/host/async_fake.c
