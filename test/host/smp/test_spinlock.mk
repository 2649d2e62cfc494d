test_spinlock_SRCS := kernel/smp/spinlock.c test/host/smp/smp_fake.c
