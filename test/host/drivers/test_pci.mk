test_pci_SRCS := kernel/drivers/pci.c
