/*
 * 16550 UART on COM1, 115200 baud 8N1, polled transmit. The first device the
 * kernel brings up: every line printed goes here too, so a machine with no
 * screen still tells its story. Transmit waits are bounded, so a missing UART
 * never hangs the kernel. Any context; callers serialise (kprintf does).
 *
 * Receive is interrupt driven once arch_serial_rx_start has run: IRQ 4 moves
 * every byte waiting in the UART into the caller's ring and does nothing else.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "kernel/arch.h"
#include "kernel/input/input.h"
#include "lib/errno.h"
#include "lib/ring.h"

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
#define LSR_DR       0x01  /* data ready: a received byte waits */
#define LSR_THRE     0x20  /* transmit holding register empty */
#define IER_RX_DATA  0x01  /* interrupt when received data is available */
#define RX_IRQ_MAX   256   /* bytes one interrupt may take: bounds a stuck DR bit */
#define DIVISOR_115200 1
#define TX_SPIN_MAX  100000

static bool present;
static uint64_t bytes_sent;
static struct ring *rx_ring;
static uint64_t bytes_received;

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

/* IRQ 4: everything the UART holds, into the ring. The PIC sends the EOI. */
static void serial_irq(void)
{
	for (int i = 0; i < RX_IRQ_MAX && (inb(COM1 + UART_LSR) & LSR_DR); i++) {
		ring_push(rx_ring, inb(COM1 + UART_DATA));
		bytes_received++;
	}
	input_irq_notify();              /* wake the task reading the stream */
}

int arch_serial_rx_start(struct ring *rx)
{
	int err;

	if (!present)
		return -E_NODEV;
	rx_ring = rx;
	err = irq_set_handler(IRQ_COM1, serial_irq);
	if (err < 0)
		return err;
	outb(COM1 + UART_IER, IER_RX_DATA);
	irq_unmask(IRQ_COM1);
	return 0;
}

uint64_t arch_serial_bytes_received(void)
{
	return bytes_received;
}
