/*
 * Inside the shell: its task state and the commands, shared by shell.c
 * (the task), shell_cmds.c (information commands and the table) and
 * shell_sys.c (commands that wait, crash, benchmark or end the machine).
 * Not for use outside shell*.c. Shell task context.
 */
#ifndef EMBER_KERNEL_SHELL_CMDS_H
#define EMBER_KERNEL_SHELL_CMDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/async/coro.h"
#include "kernel/input/lineedit.h"
#include "kernel/shell/shell.h"
#include "kernel/async/timer.h"

#define SHELL_MAX_ARGS     16
#define SHELL_BENCH_MAX    256   /* latency samples bench-input keeps */

/* bench-input: keyboard interrupt to echo, in TSC cycles. */
struct shell_bench {
	uint32_t want, have;         /* samples asked for / taken; want 0: off */
	uint64_t cycles[SHELL_BENCH_MAX];
};

struct shell {
	struct coro co;
	struct lineedit le;
	struct kbd_event ev;
	char line[LINEEDIT_MAX];     /* the submitted line, cut into argv */
	char *argv[SHELL_MAX_ARGS];
	int argc;
	const struct shell_cmd *cmd; /* the command running */
	struct timer_sleep sleep;    /* for sleep */
	uint64_t sleep_ms, sleep_start_ns;
	struct shell_bench bench;
	struct task_handle self;     /* the shell task, for its own CPU time */
	int run_pid;                 /* run: the foreground program, 0 if none */
	int run_status;              /* run: wait status of the last program */
};

extern const struct shell_cmd shell_cmds[];
extern const size_t shell_ncmds;

/* Parse a decimal or 0x-hex number: 0 or -E_INVAL. */
int shell_parse_u64(const char *s, uint64_t *out);

/*
 * bench-input: record one sample; once all are in, print the figures and
 * return true (the shell then opens a fresh line).
 */
bool shell_bench_sample(struct shell *sh, uint64_t cycles);

/* Commands of shell_smp.c. */
int shell_cmd_cpus(struct shell *sh, int argc, char **argv);

/* Commands of shell_sys.c. */
int shell_cmd_sleep(struct shell *sh, int argc, char **argv);
enum task_poll shell_cmd_sleep_poll(struct shell *sh, struct task_cx *cx);
int shell_cmd_int3(struct shell *sh, int argc, char **argv);
int shell_cmd_pagefault(struct shell *sh, int argc, char **argv);
int shell_cmd_overflow(struct shell *sh, int argc, char **argv);
int shell_cmd_reboot(struct shell *sh, int argc, char **argv);
int shell_cmd_poweroff(struct shell *sh, int argc, char **argv);
int shell_cmd_power(struct shell *sh, int argc, char **argv);
int shell_cmd_bench_input(struct shell *sh, int argc, char **argv);

/* Commands of shell_platform.c. */
int shell_cmd_acpi(struct shell *sh, int argc, char **argv);

/* Commands of shell_proc.c (user programs). */
int shell_cmd_run(struct shell *sh, int argc, char **argv);
enum task_poll shell_cmd_run_poll(struct shell *sh, struct task_cx *cx);
int shell_cmd_procs(struct shell *sh, int argc, char **argv);
int shell_cmd_syscalls(struct shell *sh, int argc, char **argv);

#endif
