test_executor_smp_SRCS := kernel/async/task.c kernel/async/taskq.c kernel/smp/spinlock.c test/host/smp/smp_fake.c
