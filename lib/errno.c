/* Names of the error codes in errno.h, for messages. Pure, any context. */
#include "lib/errno.h"

const char *err_name(int err)
{
	static const char *const names[] = {
		"E_OK", "E_INVAL", "E_NOMEM", "E_NOSPC", "E_RANGE", "E_NOENT",
		"E_BUSY", "E_AGAIN", "E_TIMEDOUT", "E_NODEV", "E_IO", "E_EXIST",
	};
	if (err < 0)
		err = -err;
	if ((unsigned)err < sizeof(names) / sizeof(names[0]))
		return names[err];
	return "E_UNKNOWN";
}
