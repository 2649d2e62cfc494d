test_task_SRCS := kernel/async/task.c kernel/async/taskq.c kernel/smp/spinlock.c test/host/async/async_fake.c
