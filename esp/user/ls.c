/* ls: lists a directory (default: the working directory), sizes and kinds. */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

static int list(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char full[512];
	struct stat st;

	if (!d) {
		fprintf(stderr, "ls: %s: cannot open\n", path);
		return 1;
	}
	while ((e = readdir(d))) {
		snprintf(full, sizeof(full), "%s/%s", path, e->d_name);
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode))
			printf("%-24s  <dir>\n", e->d_name);
		else
			printf("%-24s  %lld\n", e->d_name, (long long)st.st_size);
	}
	closedir(d);
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return list(".");
	for (int i = 1; i < argc; i++)
		status |= list(argv[i]);
	return status;
}
