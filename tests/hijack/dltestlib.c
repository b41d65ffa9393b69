/* dltestlib: a library that glibcp copies into the kernel and dlopens. */
int dltest_answer(void);

int
dltest_answer(void)
{
	return 42;
}
