/*
 * fault KIND: does one thing the CPU refuses, so the kernel must end this
 * process (and only it) with a report: null (read address 0), text (write
 * to its own code), exec (jump into a data page), kernel (read a kernel
 * address), priv (a privileged instruction: hlt), div (divide by zero).
 */
#include <stdio.h>
#include <string.h>

static unsigned char data_page[4096] __attribute__((aligned(4096))) = { 0xc3 };  /* ret */

int main(int argc, char **argv)
{
	const char *k = argc > 1 ? argv[1] : "";
	volatile int zero = 0;

	printf("fault: %s\n", k);
	fflush(stdout);
	if (!strcmp(k, "null"))
		return *(volatile int *)0;
	if (!strcmp(k, "text"))
		*(volatile unsigned char *)main = 0x90;
	if (!strcmp(k, "exec"))
		((void (*)(void))data_page)();
	if (!strcmp(k, "kernel"))
		return *(volatile int *)0xffffffff80000000ul;
	if (!strcmp(k, "priv"))
		__asm__ volatile("hlt");
	if (!strcmp(k, "div"))     /* asm: the compiler may turn 1 / x into a comparison */
		__asm__ volatile("xorl %%edx, %%edx; movl $1, %%eax; divl %0"
				 : : "r"(zero) : "eax", "edx");
	printf("fault: survived %s\n", k);
	return 0;
}
