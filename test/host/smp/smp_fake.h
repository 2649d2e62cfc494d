/*
 * The fake SMP machine of the host tests in test/host/smp/: every pthread
 * is a CPU (smp_fake_set_cpu names it), with a thread-local interrupt flag
 * behind arch_irq_save/restore and a thread-local struct cpu behind
 * cpu_self; panic_at goes to cmocka's mock_assert.
 */
#ifndef EMBER_TEST_SMP_FAKE_H
#define EMBER_TEST_SMP_FAKE_H

extern char smp_fake_panic_msg[256];

/* This thread is CPU index from now on; interrupts "on". */
void smp_fake_set_cpu(unsigned index);

#endif
