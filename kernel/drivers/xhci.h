/*
 * xHCI host controllers (eXtensible Host Controller Interface for USB,
 * revision 1.2): register names, TRBs and contexts as the specification
 * names them, and the driver's contract.
 *
 * The driver (xhci.c) takes every xHCI function PCI found from the
 * firmware (USB legacy support hand-off), resets it, builds its command
 * ring, one event ring, the device context base address array and the
 * scratchpad buffers, and then handles root-hub ports: on a connection it
 * resets the port, enables a slot, addresses the device, reads and checks
 * its descriptors (usb_desc.h) and, for a HID boot keyboard, configures it
 * and hands it to usb_kbd.h. Other devices are listed and left alone. A
 * device that stalls, babbles, lies in its descriptors or does not answer
 * is reported and its slot disabled; the controller and the kernel go on.
 *
 * All the work runs in one task ("usb"); the notification that wakes it is
 * MSI-X or MSI when the platform delivers them, else a 1 kHz timer poll of
 * the event rings (see docs/usb.md).
 */
#ifndef EMBER_KERNEL_XHCI_H
#define EMBER_KERNEL_XHCI_H

#include <stdbool.h>
#include <stdint.h>

/* ---- capability registers (section 5.3) ---- */
#define XHCI_CAPLENGTH      0x00   /* 8 bits; HCIVERSION at 0x02 */
#define XHCI_HCSPARAMS1     0x04   /* MaxSlots 7:0, MaxIntrs 18:8, MaxPorts 31:24 */
#define XHCI_HCSPARAMS2     0x08   /* Max Scratchpad Bufs Hi 25:21, Lo 31:27 */
#define XHCI_HCCPARAMS1     0x10   /* AC64 bit 0, CSZ bit 2, xECP 31:16 */
#define XHCI_DBOFF          0x14
#define XHCI_RTSOFF         0x18

#define XHCI_HCC_CSZ        (1u << 2)

/* ---- operational registers (section 5.4), from CAPLENGTH ---- */
#define XHCI_USBCMD         0x00
#define XHCI_USBSTS         0x04
#define XHCI_PAGESIZE       0x08
#define XHCI_CRCR           0x18
#define XHCI_DCBAAP         0x30
#define XHCI_CONFIG         0x38
#define XHCI_PORTSC(n)      (0x400 + 0x10 * ((n) - 1))   /* ports count from 1 */

#define XHCI_CMD_RS         (1u << 0)
#define XHCI_CMD_HCRST      (1u << 1)
#define XHCI_CMD_INTE       (1u << 2)
#define XHCI_STS_HCH        (1u << 0)
#define XHCI_STS_HSE        (1u << 2)
#define XHCI_STS_EINT       (1u << 3)
#define XHCI_STS_CNR        (1u << 11)
#define XHCI_STS_HCE        (1u << 12)
#define XHCI_CRCR_RCS       (1u << 0)

/* PORTSC (section 5.4.8). */
#define XHCI_PORT_CCS       (1u << 0)
#define XHCI_PORT_PED       (1u << 1)     /* write 1: disable the port */
#define XHCI_PORT_PR        (1u << 4)
#define XHCI_PORT_PP        (1u << 9)
#define XHCI_PORT_SPEED(v)  (((v) >> 10) & 0xf)
#define XHCI_PORT_CSC       (1u << 17)
#define XHCI_PORT_PEC       (1u << 18)
#define XHCI_PORT_WRC       (1u << 19)
#define XHCI_PORT_OCC       (1u << 20)
#define XHCI_PORT_PRC       (1u << 21)
#define XHCI_PORT_PLC       (1u << 22)
#define XHCI_PORT_CEC       (1u << 23)
#define XHCI_PORT_CHANGES   (XHCI_PORT_CSC | XHCI_PORT_PEC | XHCI_PORT_WRC | XHCI_PORT_OCC | \
			     XHCI_PORT_PRC | XHCI_PORT_PLC | XHCI_PORT_CEC)
/* Bits written back unchanged; everything else is written 0 (no RW1C clears). */
#define XHCI_PORT_PRESERVE  (XHCI_PORT_PP | (3u << 14) | (7u << 25))

/* Port speed IDs (section 7.2.2.1.1, default mapping). */
#define XHCI_SPEED_FULL     1
#define XHCI_SPEED_LOW      2
#define XHCI_SPEED_HIGH     3
#define XHCI_SPEED_SUPER    4

/* ---- runtime registers (section 5.5), from RTSOFF: interrupter 0 ---- */
#define XHCI_IR0            0x20
#define XHCI_IMAN           0x00   /* IP bit 0 (RW1C), IE bit 1 */
#define XHCI_IMOD           0x04
#define XHCI_ERSTSZ         0x08
#define XHCI_ERSTBA         0x10
#define XHCI_ERDP           0x18   /* EHB bit 3 (RW1C) */
#define XHCI_IMAN_IP        (1u << 0)
#define XHCI_IMAN_IE        (1u << 1)
#define XHCI_ERDP_EHB       (1u << 3)

/* ---- extended capabilities (section 7) ---- */
#define XHCI_XCAP_LEGACY    1      /* USBLEGSUP, section 7.1.1 */
#define XHCI_XCAP_PROTOCOL  2      /* Supported Protocol, section 7.2 */
#define XHCI_LEGSUP_BIOS    (1u << 16)
#define XHCI_LEGSUP_OS      (1u << 24)
#define XHCI_LEGCTL_SMI_MASK 0x0000e011u  /* SMI enables, section 7.1.2 */
#define XHCI_LEGCTL_SMI_STS  0xe0000000u  /* RW1C SMI status bits */

/* ---- Transfer Request Blocks (section 6.4) ---- */
struct xhci_trb {
	uint64_t param;
	uint32_t status;
	uint32_t control;
} __attribute__((packed));
_Static_assert(sizeof(struct xhci_trb) == 16, "xHCI 1.2 section 6.4");

#define XHCI_TRB_CYCLE      (1u << 0)
#define XHCI_TRB_TC         (1u << 1)     /* Link TRB: toggle cycle */
#define XHCI_TRB_ISP        (1u << 2)
#define XHCI_TRB_IOC        (1u << 5)
#define XHCI_TRB_IDT        (1u << 6)
#define XHCI_TRB_BSR        (1u << 9)     /* Address Device: block SET_ADDRESS */
#define XHCI_TRB_DIR_IN     (1u << 16)
#define XHCI_TRB_TYPE(t)    ((uint32_t)(t) << 10)
#define XHCI_TRB_GET_TYPE(c) (((c) >> 10) & 0x3f)
#define XHCI_TRB_SLOT(s)    ((uint32_t)(s) << 24)
#define XHCI_TRB_TRT(t)     ((uint32_t)(t) << 16)   /* Setup: 0 none, 2 OUT, 3 IN */

enum xhci_trb_type {
	XHCI_TRB_NORMAL = 1, XHCI_TRB_SETUP = 2, XHCI_TRB_DATA = 3, XHCI_TRB_STATUS = 4,
	XHCI_TRB_LINK = 6,
	XHCI_TRB_ENABLE_SLOT = 9, XHCI_TRB_DISABLE_SLOT = 10, XHCI_TRB_ADDRESS_DEVICE = 11,
	XHCI_TRB_CONFIGURE_EP = 12, XHCI_TRB_EVALUATE_CTX = 13,
	XHCI_TRB_TRANSFER_EVENT = 32, XHCI_TRB_CMD_COMPLETION = 33,
	XHCI_TRB_PORT_STATUS = 34,
};

/* Completion codes (section 6.4.5). */
enum xhci_cc {
	XHCI_CC_SUCCESS = 1, XHCI_CC_DATA_BUFFER = 2, XHCI_CC_BABBLE = 3,
	XHCI_CC_TRANSACTION = 4, XHCI_CC_TRB = 5, XHCI_CC_STALL = 6,
	XHCI_CC_SHORT_PACKET = 13,
	XHCI_CC_TIMEOUT = 256,     /* ours: no event came in time */
};

/* Event Ring Segment Table entry (section 6.5). */
struct xhci_erst_entry {
	uint64_t base;
	uint32_t size;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct xhci_erst_entry) == 16, "xHCI 1.2 section 6.5");

/*
 * Slot and endpoint contexts (section 6.2.2, 6.2.3): 32 bytes, or 64 when
 * HCCPARAMS1.CSZ is set (the upper half then reserved). Fields by dword.
 */
struct xhci_slot_ctx {
	uint32_t info;       /* route string 19:0, speed 23:20, context entries 31:27 */
	uint32_t info2;      /* max exit latency 15:0, root hub port 23:16 */
	uint32_t tt;
	uint32_t state;      /* USB address 7:0, slot state 31:27 */
	uint32_t reserved[4];
} __attribute__((packed));
_Static_assert(sizeof(struct xhci_slot_ctx) == 32, "xHCI 1.2 section 6.2.2");

struct xhci_ep_ctx {
	uint32_t info;       /* EP state 2:0, interval 23:16 */
	uint32_t info2;      /* CErr 2:1, EP type 5:3, max burst 15:8, max packet 31:16 */
	uint64_t deq;        /* TR dequeue pointer, DCS bit 0 */
	uint32_t tx_info;    /* average TRB length 15:0, max ESIT payload lo 31:16 */
	uint32_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct xhci_ep_ctx) == 32, "xHCI 1.2 section 6.2.3");

/* Input control context (section 6.2.5.1): drop and add flags by DCI. */
struct xhci_input_ctrl {
	uint32_t drop, add;
	uint32_t reserved[6];
} __attribute__((packed));
_Static_assert(sizeof(struct xhci_input_ctrl) == 32, "xHCI 1.2 section 6.2.5.1");

#define XHCI_EP_TYPE_CONTROL 4
#define XHCI_EP_TYPE_INT_IN  7

/* ---- the driver ---- */

/* Bring up every xHCI controller PCI found and start the "usb" task. Main flow. */
void xhci_init(void);

/* The shell's `usb`: controllers, ports and devices. */
void xhci_print(void);

/* What the tests and the shell read. */
struct xhci_stats {
	unsigned controllers;
	unsigned devices;          /* addressed devices now */
	unsigned keyboards;        /* keyboards now */
	unsigned attaches, detaches, failures;
	uint64_t events;           /* event TRBs handled */
	const char *notify;        /* "MSI-X", "MSI" or "timer poll" */
};
void xhci_get_stats(struct xhci_stats *out);

#endif
