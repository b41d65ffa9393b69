/*
 * tcp_compat.h: the socket calls the TCP tests use, mapped to the host's
 * in TEST_ON_HOST builds (compat.h maps the rest).
 */
#ifndef TESTS_UNIT_TCP_COMPAT_H
#define TESTS_UNIT_TCP_COMPAT_H

#include <sys/socket.h>

#ifdef TEST_ON_HOST
#ifndef rump_sys_socket
#define rump_sys_socket		socket
#define rump_sys_bind		bind
#define rump_sys_listen		listen
#define rump_sys_accept		accept
#define rump_sys_accept4	accept4
#define rump_sys_connect	connect
#define rump_sys_shutdown	shutdown
#define rump_sys_sendto		sendto
#define rump_sys_recvfrom	recvfrom
#define rump_sys_getsockname	getsockname
#define rump_sys_getpeername	getpeername
#define rump_sys_getsockopt	getsockopt
#define rump_sys_setsockopt	setsockopt
#endif
#endif

#endif /* TESTS_UNIT_TCP_COMPAT_H */
