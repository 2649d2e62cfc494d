/*
 * The shell task (see shell.h): key events in, line editing, commands out.
 * The commands themselves are in shell_cmds.c and shell_sys.c.
 */
#include "kernel/arch.h"
#include "kernel/console/console.h"
#include "kernel/input/input.h"
#include "kernel/kprintf.h"
#include "kernel/panic.h"
#include "kernel/async/sched.h"
#include "kernel/shell/shell_cmds.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "lib/words.h"

#define SHELL_COLS_MAX 80        /* a serial terminal is assumed this wide */

static struct shell shell;
static const char *words[64];
static char init_path[128];     /* init=PATH: the program started first, as pid 1 */
static char *init_argv[2] = { "run", init_path };

static void shell_write(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	kputs_n(s, len);
}

const struct shell_cmd *shell_find(const char *name)
{
	for (size_t i = 0; i < shell_ncmds; i++)
		if (!strcmp(shell_cmds[i].name, name))
			return &shell_cmds[i];
	return NULL;
}

int shell_parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10, d;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -E_INVAL;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (unsigned)((*s | 0x20) - 'a' + 10);
		else
			return -E_INVAL;
		if (v > (UINT64_MAX - d) / base)
			return -E_INVAL;
		v = v * base + d;
	}
	*out = v;
	return 0;
}

/*
 * Cut sh->line into sh->argv at blanks, with quotes and backslashes as a shell has
 * them (lib/words.h: run /bin/busybox sh -c 'echo a; echo b'). Returns argc, or 0
 * after saying why the line was refused.
 */
static int shell_split(struct shell *sh)
{
	int n = words_split(sh->line, sh->argv, SHELL_MAX_ARGS);

	if (n == -E_INVAL)
		kprintf("shell: a quote is left open or a backslash ends the line\n");
	else if (n == -E_RANGE)
		kprintf("shell: more than %d words\n", SHELL_MAX_ARGS);
	sh->argc = n < 0 ? 0 : n;
	return sh->argc;
}

/*
 * Run the submitted line's command. Returns the command if the shell must
 * await its poll function, else NULL.
 */
static const struct shell_cmd *shell_execute(struct shell *sh)
{
	const struct shell_cmd *cmd;
	int err;

	memcpy(sh->line, lineedit_line(&sh->le), sizeof(sh->line));
	if (!shell_split(sh))
		return NULL;
	cmd = shell_find(sh->argv[0]);
	if (!cmd) {
		kprintf("%s: unknown command (try help)\n", sh->argv[0]);
		return NULL;
	}
	err = cmd->run(sh, sh->argc, sh->argv);
	if (err < 0) {
		kprintf("%s: %s\n", cmd->name, err_name(err));
		return NULL;
	}
	return cmd->poll ? cmd : NULL;
}

/* Shift+PageUp/PageDown: half a screen through the scrollback. */
static bool shell_scroll_key(const struct kbd_event *ev)
{
	unsigned cols, rows;
	unsigned long flags;
	int lines;

	if (!ev->pressed || !(ev->mods & KBD_MOD_SHIFT) ||
	    (ev->key != KBD_KEY_PAGE_UP && ev->key != KBD_KEY_PAGE_DOWN))
		return false;
	console_get_size(&cols, &rows);
	lines = rows > 2 ? (int)rows / 2 : 1;
	flags = arch_irq_save();
	console_scroll_view(ev->key == KBD_KEY_PAGE_UP ? lines : -lines);
	arch_irq_restore(flags);
	return true;
}

/* One key event; true when a line was submitted. */
static bool shell_key(struct shell *sh)
{
	enum lineedit_status st;

	if (shell_scroll_key(&sh->ev))
		return false;
	st = lineedit_key(&sh->le, &sh->ev);
	if (sh->bench.want && sh->ev.pressed && sh->ev.ch >= 0x20 &&
	    shell_bench_sample(sh, arch_timestamp() - input_last_irq_tsc()))
		st = LINEEDIT_CANCEL;
	if (st == LINEEDIT_CANCEL)
		lineedit_start(&sh->le, SHELL_PROMPT);
	return st == LINEEDIT_SUBMIT;
}

static enum task_poll shell_poll(void *arg, struct task_cx *cx)
{
	struct shell *sh = arg;

	CORO_BEGIN(&sh->co);
	if (init_path[0] && shell_cmd_run(sh, 2, init_argv) == 0 && sh->run_pid) {
		kprintf("init: %s started as pid %d\n", init_path, sh->run_pid);
		CORO_AWAIT(&sh->co, shell_cmd_run_poll(sh, cx));
		kprintf("init: %s (pid 1) ended with wait status %#x; the kernel shell takes over\n",
			init_path, (unsigned)sh->run_status);
	}
	kprintf("Ember shell: type help for the commands (keyboard or serial).\n");
	for (;;) {
		lineedit_start(&sh->le, SHELL_PROMPT);
		do {
			CORO_AWAIT(&sh->co, input_next_poll(&sh->ev, cx));
		} while (!shell_key(sh));
		sh->cmd = shell_execute(sh);
		if (sh->cmd)
			CORO_AWAIT(&sh->co, sh->cmd->poll(sh, cx));
	}
	CORO_END(&sh->co);
}

static struct atomic_waker input_waker;

void shell_spawn(const char *cmdline)
{
	unsigned cols = 0, rows = 0;

	if (cmdline_get(cmdline, "init", init_path, sizeof(init_path)) < 0)
		init_path[0] = '\0';

	console_get_size(&cols, &rows);
	if (!cols || cols > SHELL_COLS_MAX)
		cols = SHELL_COLS_MAX;
	lineedit_init(&shell.le, shell_write, NULL, cols);
	for (size_t i = 0; i < shell_ncmds && i < sizeof(words) / sizeof(words[0]); i++)
		words[i] = shell_cmds[i].name;
	lineedit_set_words(&shell.le, words, shell_ncmds);
	atomic_waker_init(&input_waker);
	input_set_waker(&input_waker);
	if (sched_spawn("shell", shell_poll, &shell, &shell.self) < 0)
		panic("shell: cannot spawn the shell task");
}
