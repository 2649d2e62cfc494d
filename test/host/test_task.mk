test_task_SRCS := kernel/task.c kernel/taskq.c test/host/async_fake.c
