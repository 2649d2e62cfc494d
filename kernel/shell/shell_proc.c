/*
 * Shell commands for user programs: run (foreground, attached to the
 * console: keys go to the program, Ctrl+C kills it), procs and syscalls.
 * Shell task context.
 */
#include "kernel/input/input.h"
#include "kernel/input/kbd.h"
#include "kernel/kprintf.h"
#include "kernel/proc/file.h"
#include "kernel/proc/linux_abi.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/syscall.h"
#include "kernel/shell/shell_cmds.h"
#include "lib/errno.h"
#include "lib/string.h"

static const char *const default_env[] = { "PATH=/bin", "HOME=/", "TERM=linux" };

int shell_cmd_run(struct shell *sh, int argc, char **argv)
{
	int pid;

	bool background = argc > 2 && !strcmp(argv[argc - 1], "&");

	if (background)
		argv[--argc] = NULL;
	if (argc < 2)
		return -E_INVAL;
	pid = proc_spawn(argv[1], (const char *const *)argv + 1, argc - 1, default_env, 3);
	if (pid < 0) {
		kprintf("run: %s: cannot start (error %d)\n", argv[1], -pid);
		return 0;               /* said why; no second line */
	}
	if (background) {           /* nobody waits: it frees itself when it ends */
		proc_detach(pid);
		kprintf("run: %s started in the background as pid %d\n", argv[1], pid);
		return 0;
	}
	sh->run_pid = pid;
	return 0;
}

static bool is_ctrl_c(const struct kbd_event *ev)
{
	return ev->pressed && (ev->ch == 3 ||
			       ((ev->mods & KBD_MOD_CTRL) && (ev->ch == 'c' || ev->ch == 'C')));
}

/* One key for the foreground program: Ctrl+C, or a character for its terminal. */
static void run_key(struct shell *sh)
{
	const struct kbd_event *ev = &sh->ev;

	if (is_ctrl_c(ev)) {
		kprintf("^C\n");
		tty_flush_input();       /* what was typed before ^C is not read after it */
		proc_kill(proc_foreground_leaf(sh->run_pid), LX_SIGINT);
	} else if (ev->pressed && ev->ch) {
		tty_input(ev->ch);
	} else if (ev->pressed && ev->key == KBD_KEY_ENTER) {
		tty_input('\n');
	} else if (ev->pressed && ev->key == KBD_KEY_BACKSPACE) {
		tty_input(8);
	}
}

/*
 * Keys to the program while it lives (its end is checked first: keys that
 * come after it are the shell's); then its status when not 0. Its unread
 * input goes with it.
 */
enum task_poll shell_cmd_run_poll(struct shell *sh, struct task_cx *cx)
{
	int status;

	if (!sh->run_pid)
		return TASK_READY;
	if (proc_wait_poll(sh->run_pid, cx) == TASK_PENDING) {
		while (input_next_poll(&sh->ev, cx) == TASK_READY)   /* registers our waker */
			run_key(sh);
		return TASK_PENDING;
	}
	tty_flush_input();
	status = proc_reap(sh->run_pid);
	sh->run_pid = 0;
	sh->run_status = status;
	if (status & 0x7f)
		kprintf("run: killed by signal %d\n", status & 0x7f);
	else if (status)
		kprintf("run: exit status %d\n", (status >> 8) & 0xff);
	return TASK_READY;
}

int shell_cmd_procs(struct shell *sh, int argc, char **argv)
{
	proc_list();
	return 0;
}

int shell_cmd_syscalls(struct shell *sh, int argc, char **argv)
{
	syscall_print_stats();
	return 0;
}
