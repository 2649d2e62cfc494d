/*
 * The \_S5 search of power-off (see acpi.h, docs/power.md): no AML
 * interpreter, a byte search of the DSDT/SSDT bodies for the one shape
 * firmware (QEMU, and nearly every PC) uses:
 *
 *   NameOp(0x08) [\ or ^...] "_S5_" PackageOp(0x12) PkgLength NumElements
 *       SLP_TYPa SLP_TYPb ...
 *
 * where each value is ZeroOp, OneOp, or BytePrefix(0x0a) n / WordPrefix
 * (0x0b) n (only the low byte matters: SLP_TYP is 3 bits). Pure code.
 */
#include "kernel/acpi/acpi.h"
#include "lib/errno.h"
#include "lib/string.h"

#define AML_NAME_OP     0x08
#define AML_PACKAGE_OP  0x12
#define AML_ZERO_OP     0x00
#define AML_ONE_OP      0x01
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_ROOT_CHAR   '\\'
#define AML_PARENT_CHAR '^'

/* Whether the NameSeg at aml[i] is the name of a Name() declaration. */
static bool preceded_by_name_op(const uint8_t *aml, size_t i)
{
	while (i > 0 && (aml[i - 1] == AML_ROOT_CHAR || aml[i - 1] == AML_PARENT_CHAR))
		i--;
	return i > 0 && aml[i - 1] == AML_NAME_OP;
}

/* One integer constant at aml[*pos]: its low byte, or -1. */
static int read_const(const uint8_t *aml, size_t len, size_t *pos)
{
	size_t p = *pos;

	if (p >= len)
		return -1;
	switch (aml[p]) {
	case AML_ZERO_OP: *pos = p + 1; return 0;
	case AML_ONE_OP:  *pos = p + 1; return 1;
	case AML_BYTE_PREFIX:
	case AML_WORD_PREFIX:
		if (p + 1 >= len)
			return -1;
		*pos = p + (aml[p] == AML_BYTE_PREFIX ? 2 : 3);
		return *pos <= len ? aml[p + 1] : -1;
	default:
		return -1;
	}
}

/* Parse the Package after "_S5_" at aml[i]; 0 or -E_INVAL. */
static int parse_package(const uint8_t *aml, size_t len, size_t i, uint8_t *a, uint8_t *b)
{
	size_t p = i + 4;
	int va, vb;

	if (p >= len || aml[p] != AML_PACKAGE_OP)
		return -E_INVAL;
	p++;
	if (p >= len)
		return -E_INVAL;
	p += 1 + (aml[p] >> 6);              /* PkgLength: lead byte bits 7:6 = extra bytes */
	if (p >= len || aml[p] < 2)          /* NumElements: two values at least */
		return -E_INVAL;
	p++;
	va = read_const(aml, len, &p);
	vb = va < 0 ? -1 : read_const(aml, len, &p);
	if (va < 0 || vb < 0)
		return -E_INVAL;
	*a = (uint8_t)va;
	*b = (uint8_t)vb;
	return 0;
}

int acpi_find_s5(const uint8_t *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb)
{
	int err = -E_NOENT;

	for (size_t i = 0; len >= 4 && i <= len - 4; i++) {
		if (memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		if (!preceded_by_name_op(aml, i)) {
			err = -E_INVAL;              /* a Method, or a reference: not ours */
			continue;
		}
		if (parse_package(aml, len, i, slp_typa, slp_typb) == 0)
			return 0;
		err = -E_INVAL;
	}
	return err;
}
