/*
 * 16550 UART on COM1, 115200 baud 8N1, polled transmit. The first device the
 * kernel brings up: every line printed goes here too, so a machine with no
 * screen still tells its story. Transmit waits are bounded, so a missing UART
 * never hangs the kernel. Any context; callers serialise (kprintf does).
 */
#include "arch/x86_64/cpu.h"
#include "kernel/arch.h"

#define COM1         0x3f8
#define UART_DATA    0   /* DLAB=0: transmit/receive buffer */
#define UART_IER     1   /* interrupt enable; DLAB=1: divisor high byte */
#define UART_DLL     0   /* DLAB=1: divisor low byte */
#define UART_FCR     2   /* FIFO control */
#define UART_LCR     3   /* line control */
#define UART_MCR     4   /* modem control */
#define UART_LSR     5   /* line status */
#define UART_SCR     7   /* scratch */
#define LCR_8N1      0x03
#define LCR_DLAB     0x80
#define FCR_ENABLE   0xc7  /* enable, clear both FIFOs, 14-byte threshold */
#define MCR_DTR_RTS  0x03
#define MCR_OUT2     0x08  /* gates the IRQ line on PCs */
#define LSR_THRE     0x20  /* transmit holding register empty */
#define DIVISOR_115200 1
#define TX_SPIN_MAX  100000

static bool present;
static uint64_t bytes_sent;

void arch_serial_init(void)
{
	outb(COM1 + UART_SCR, 0x5a);              /* is anything there? */
	if (inb(COM1 + UART_SCR) != 0x5a)
		return;
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, DIVISOR_115200);
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE);
	outb(COM1 + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	present = true;
}

bool arch_serial_present(void)
{
	return present;
}

static void put(char c)
{
	for (int i = 0; i < TX_SPIN_MAX && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		pause();
	outb(COM1 + UART_DATA, (uint8_t)c);
	bytes_sent++;
}

void arch_serial_write(const char *s, size_t len)
{
	if (!present)
		return;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}

uint64_t arch_serial_bytes_sent(void)
{
	return bytes_sent;
}
