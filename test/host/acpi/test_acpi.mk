test_acpi_SRCS := kernel/acpi/acpi_parse.c kernel/acpi/acpi_s5.c
