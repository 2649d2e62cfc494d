/*
 * Input (see input.h): the two rings the interrupt handlers fill, drained
 * in the main flow through the keyboard and terminal decoders.
 */
#include "kernel/input/ansi_in.h"
#include "kernel/arch.h"
#include "kernel/time/clock.h"
#include "kernel/input/input.h"
#include "kernel/kprintf.h"
#include "kernel/async/task.h"
#include "lib/cmdline.h"
#include "lib/errno.h"
#include "lib/ring.h"

#define KBD_BYTE_SELF_TEST_OK 0xaa  /* set 2: the keyboard (re)started */

RING_DEFINE(static, kbd_ring, INPUT_KBD_RING);
RING_DEFINE(static, serial_ring, INPUT_SERIAL_RING);
RING_DEFINE(static, key_ring, INPUT_KEY_RING);

/* key_ring bytes: a physical key (enum kbd_key) with this bit when pressed. */
#define KEY_RING_PRESSED 0x80
_Static_assert(KBD_KEY_COUNT <= KEY_RING_PRESSED, "keys must fit in 7 bits");

#define LED_HOOKS 2
static void (*led_hooks[LED_HOOKS])(uint8_t leds);

static struct kbd kbd;
static struct ansi_in term;
static bool have_keyboard;
static int scancode_set = 2;
static uint64_t last_serial_ns;      /* when the last serial byte was taken */
static uint32_t led_errors;

/* Events decoded but not yet handed out: one byte makes at most two. */
static struct kbd_event queue[ANSI_IN_MAX_EVENTS];
static unsigned queue_head, queue_len;

static unsigned layout_count(void)
{
	unsigned n = 0;

	while (kbd_layout_at(n))
		n++;
	return n;
}

int input_init(const struct boot_info *bi)
{
	char layout[16] = "us";
	int set;

	cmdline_get(bi->cmdline, "kbd", layout, sizeof(layout));
	set = arch_ps2_init(&kbd_ring, input_irq_notify);
	have_keyboard = set > 0;
	if (have_keyboard)
		scancode_set = set;
	if (kbd_init(&kbd, scancode_set, layout) == -E_NOENT)
		kprintf("input: no keyboard layout \"%s\", using us\n", layout);
	ansi_in_init(&term);
	if (arch_serial_rx_start(&serial_ring, input_irq_notify) < 0)
		kprintf("input: no serial port: serial input off\n");
	kprintf("input: keyboard layout %s; Ctrl+Alt+F1..F%u switch layouts\n",
		kbd_layout_name(&kbd), layout_count());
	return 0;
}

int input_set_layout(const char *name)
{
	int err = kbd_set_layout(&kbd, name);

	if (!err)
		kprintf("\ninput: keyboard layout %s (%s)\n", kbd_layout_name(&kbd),
			kbd_layout_find(kbd_layout_name(&kbd))->description);
	return err;
}

const char *input_layout(void)
{
	return kbd_layout_name(&kbd);
}

static void update_leds(void)
{
	if (have_keyboard && arch_ps2_set_leds(kbd_leds(&kbd)) < 0)
		led_errors++;
	for (unsigned i = 0; i < LED_HOOKS; i++)
		if (led_hooks[i])
			led_hooks[i](kbd_leds(&kbd));
}

int input_add_led_hook(void (*fn)(uint8_t leds))
{
	for (unsigned i = 0; i < LED_HOOKS; i++)
		if (!led_hooks[i]) {
			led_hooks[i] = fn;
			fn(kbd_leds(&kbd));
			return 0;
		}
	return -E_NOSPC;
}

static volatile uint64_t last_irq_tsc;

void input_push_key(uint16_t key, bool pressed, uint64_t stamp)
{
	if (key && key < KBD_KEY_COUNT)
		ring_push(&key_ring, (uint8_t)(key | (pressed ? KEY_RING_PRESSED : 0)));
	input_irq_notify();
	if (stamp)
		last_irq_tsc = stamp;
}

/* Ctrl+Alt+Fn selects layout n; true if ev was that hot key (it is eaten). */
static bool layout_hot_key(const struct kbd_event *ev)
{
	const struct kbd_layout *l;

	if (!(ev->mods & KBD_MOD_CTRL) || !(ev->mods & (KBD_MOD_LALT | KBD_MOD_ALTGR)) ||
	    ev->key < KBD_KEY_F1 || ev->key > KBD_KEY_F12)
		return false;
	l = kbd_layout_at(ev->key - KBD_KEY_F1);
	if (l && ev->pressed && !ev->repeat)
		input_set_layout(l->name);
	return l != NULL;
}

/* A decoded event: LEDs, the layout hot key, else the queue. */
static void keyboard_event(const struct kbd_event *ev)
{
	if (ev->leds_changed)
		update_leds();
	if (!layout_hot_key(ev))
		queue[queue_len++] = *ev;
}

static void keyboard_byte(uint8_t byte)
{
	struct kbd_event ev;

	if (!kbd_feed(&kbd, byte, &ev)) {
		if (scancode_set == 2 && byte == KBD_BYTE_SELF_TEST_OK)
			update_leds();           /* keyboard reset itself: LEDs are off */
		return;
	}
	keyboard_event(&ev);
}

static void key_byte(uint8_t byte)
{
	struct kbd_event ev;

	if (kbd_feed_key(&kbd, byte & ~KEY_RING_PRESSED, byte & KEY_RING_PRESSED, &ev))
		keyboard_event(&ev);
}

static void serial_byte(uint8_t byte)
{
	queue_len = (unsigned)ansi_in_feed(&term, byte, queue);
	last_serial_ns = clock_ns();
}

/* A lone ESC with nothing after it for a while is the Escape key. */
static bool escape_due(void)
{
	return ansi_in_pending(&term) && ring_empty(&serial_ring) &&
	       clock_ns() - last_serial_ns >= INPUT_ESC_TIMEOUT_NS;
}

/* Decode bytes until at least one event is queued or both rings are dry. */
static void refill(void)
{
	uint8_t byte;

	queue_head = 0;
	while (!queue_len) {
		if (ring_pop(&kbd_ring, &byte))
			keyboard_byte(byte);
		else if (ring_pop(&key_ring, &byte))
			key_byte(byte);
		else if (ring_pop(&serial_ring, &byte))
			serial_byte(byte);
		else if (escape_due())
			queue_len = (unsigned)ansi_in_flush(&term, queue);
		else
			return;
	}
}

bool input_next(struct kbd_event *ev)
{
	if (!queue_len)
		refill();
	if (!queue_len)
		return false;
	*ev = queue[queue_head++];
	queue_len--;
	return true;
}

bool input_pending(void)
{
	return queue_len || !ring_empty(&kbd_ring) || !ring_empty(&key_ring) ||
	       !ring_empty(&serial_ring) || escape_due();
}

void input_get_stats(struct input_stats *out)
{
	*out = (struct input_stats){
		.keyboard = have_keyboard,
		.scancode_set = scancode_set,
		.kbd_waiting = (uint32_t)ring_count(&kbd_ring),
		.kbd_drops = ring_drops(&kbd_ring),
		.serial_waiting = (uint32_t)ring_count(&serial_ring),
		.serial_drops = ring_drops(&serial_ring),
		.led_errors = led_errors,
	};
}

/* ---- the stream for tasks (input.h) ------------------------------------- */

static struct atomic_waker *stream_waker;

void input_set_waker(struct atomic_waker *aw)
{
	__atomic_store_n(&stream_waker, aw, __ATOMIC_RELEASE);
}

void input_irq_notify(void)
{
	struct atomic_waker *aw = __atomic_load_n(&stream_waker, __ATOMIC_ACQUIRE);

	last_irq_tsc = arch_timestamp();
	if (aw)
		atomic_waker_wake(aw);
}

uint64_t input_last_irq_tsc(void)
{
	return last_irq_tsc;
}

enum task_poll input_next_poll(struct kbd_event *ev, struct task_cx *cx)
{
	struct atomic_waker *aw = __atomic_load_n(&stream_waker, __ATOMIC_ACQUIRE);

	if (aw)
		atomic_waker_register(aw, &cx->waker);
	if (input_next(ev))
		return TASK_READY;
	if (ansi_in_pending(&term))
		waker_wake(&cx->waker);  /* a lone ESC: poll again until it times out */
	return TASK_PENDING;
}
