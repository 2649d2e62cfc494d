/*
 * The shell: one task that reads key events from the keyboard and the
 * serial line at once (input_next_poll), edits a line with kernel/lineedit
 * (history, Tab completion of command names, Ctrl+C, Ctrl+L), echoes to
 * every console, and runs commands from a table of name, help line and
 * function. Shift+PageUp/PageDown scroll the console's scrollback.
 * docs/shell.md lists the commands and keys.
 *
 * A command's run function executes in the shell task and returns 0 or a
 * negative E_* code (printed); a command that waits (sleep) also has a poll
 * function, a future the shell awaits before it prompts again.
 *
 * Context: shell_spawn once from the main flow after sched_init; everything
 * else runs in the shell task.
 */
#ifndef EMBER_KERNEL_SHELL_H
#define EMBER_KERNEL_SHELL_H

#include "kernel/async/task.h"

#define SHELL_PROMPT "\033[92member\033[0m> "

struct shell;

struct shell_cmd {
	const char *name;
	const char *args;    /* usage after the name, "" when none */
	const char *help;    /* one line */
	int (*run)(struct shell *sh, int argc, char **argv);
	enum task_poll (*poll)(struct shell *sh, struct task_cx *cx); /* or NULL */
};

/* Start the shell task on the kernel's executor. Panics if it cannot. */
/*
 * Spawns the shell task. With init=PATH on the command line it first runs
 * PATH in the foreground (as pid 1) and reports its end before the prompt.
 */
void shell_spawn(const char *cmdline);

/* The command called name, or NULL. */
const struct shell_cmd *shell_find(const char *name);

#endif
