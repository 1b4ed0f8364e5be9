// SPDX-License-Identifier: GPL-2.0
/*
 * 19 - Sockets: TCP and UDP, client and server.
 *
 * A socket is an endpoint of communication, found by an address: an IP
 * address and a port.  The same calls connect processes on one computer
 * and across computers, whatever their operating system, since the
 * protocol defines what travels.  Here both ends are on 127.0.0.1, the
 * loopback, this computer.  The server binds port 0: the kernel picks a
 * free port and getsockname() says which, so no fixed port is needed.
 *
 * TCP (SOCK_STREAM): a connection, a reliable byte stream both ways.
 *
 *	server				client
 *	socket(); bind(address)
 *	listen()
 *	accept()  <-- connection --	socket(); connect(address)
 *	recv()    <----------------	send()
 *	send()    ---------------->	recv()
 *	recv() = 0 <---------------	close()
 *
 * accept() returns a new socket for this one client; the listening one
 * waits for the next.  The server here echoes each line upper-cased.
 *
 * UDP (SOCK_DGRAM): no connection, no listen, accept or connect.  Each
 * sendto() names the address and sends one datagram; each recvfrom()
 * returns one datagram and who sent it.  The boundaries are kept: two
 * sendto(), two recvfrom() (a byte stream, TCP's or a pipe's, keeps none).
 * Across a network a datagram may be lost or overtaken; TCP repairs that.
 *
 * Blocking and non-blocking: recv() on a socket without data waits until
 * data arrives (a socket synchronises itself); with MSG_DONTWAIT (or
 * O_NONBLOCK set on the socket) it returns at once, failing with EAGAIN.
 *
 * usage: ipclab-ex-sockets
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "example.h"

#define DELAY	300000			/* µs the late sender waits */

static const char *const lines[] = { "hallo server\n", "wie geht's?\n", "tschuess\n" };

/* A socket of this type bound to 127.0.0.1, port 0; its address into a. */
static int bound_socket(int type, struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int fd = socket(AF_INET, type, 0);

	*a = (struct sockaddr_in){ .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (fd < 0 || bind(fd, (struct sockaddr *)a, sizeof(*a)) ||
	    getsockname(fd, (struct sockaddr *)a, &len))
		ex_die("server: a socket on 127.0.0.1");
	printf("server: socket(%s); bind(127.0.0.1, port 0); getsockname(): port %d\n",
	       type == SOCK_STREAM ? "SOCK_STREAM" : "SOCK_DGRAM", ntohs(a->sin_port));
	return fd;
}

/* ---- TCP ------------------------------------------------------------ */

static void tcp_client(const struct sockaddr_in *server)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char buf[64];
	size_t i, len, got;
	ssize_t n;

	printf("client: socket(SOCK_STREAM); connect(127.0.0.1, port %d)\n",
	       ntohs(server->sin_port));
	if (fd < 0 || connect(fd, (const struct sockaddr *)server, sizeof(*server)))
		ex_die("client: connecting");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		len = strlen(lines[i]);
		printf("client: send(\"%.*s\")\n", (int)len - 1, lines[i]);
		if (send(fd, lines[i], len, 0) != (ssize_t)len)
			ex_die("client: sending");
		/* A stream may give the answer in pieces: recv until it is all here. */
		for (got = 0; got < len; got += n) {
			n = recv(fd, buf + got, len - got, 0);
			if (n <= 0)
				ex_die("client: receiving");
		}
		printf("client: recv() = \"%.*s\"\n", (int)len - 1, buf);
	}
	printf("client: close()\n");
	close(fd);
}

static void tcp_server(int listener)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	char buf[64];
	ssize_t n, i;
	int fd;

	fd = accept(listener, (struct sockaddr *)&peer, &len);
	if (fd < 0)
		ex_die("server: accepting");
	printf("server: accept(): a new socket, connected to 127.0.0.1, port %d\n",
	       ntohs(peer.sin_port));
	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		for (i = 0; i < n; i++)
			buf[i] = toupper((unsigned char)buf[i]);
		printf("server: recv() = %zd bytes; send() them upper-cased\n", n);
		if (send(fd, buf, n, 0) != n)
			ex_die("server: sending");
	}
	if (n < 0)
		ex_die("server: receiving");
	printf("server: recv() = 0: the client has closed; close()\n");
	close(fd);
}

static void tcp(void)
{
	struct sockaddr_in address;
	int listener = bound_socket(SOCK_STREAM, &address);
	pid_t client;

	if (listen(listener, 1))
		ex_die("server: listen");
	printf("server: listen(); accept() waits for a connection ...\n");
	client = ex_fork("client");
	if (client == 0) {
		close(listener);
		tcp_client(&address);
		_exit(0);
	}
	tcp_server(listener);
	ex_wait(client);
	close(listener);
}

/* ---- UDP, and blocking versus non-blocking -------------------------- */

static void udp_send(const struct sockaddr_in *server, const char *text)
{
	static int fd = -1;

	fd = fd < 0 ? socket(AF_INET, SOCK_DGRAM, 0) : fd;
	printf("client: sendto(127.0.0.1, port %d, \"%s\")\n", ntohs(server->sin_port), text);
	if (fd < 0 || sendto(fd, text, strlen(text), 0, (const struct sockaddr *)server,
			     sizeof(*server)) != (ssize_t)strlen(text))
		ex_die("client: sending a datagram");
}

static void udp(void)
{
	struct sockaddr_in address, from;
	int server = bound_socket(SOCK_DGRAM, &address);
	socklen_t len;
	char buf[1500];
	double t0;
	pid_t client;
	ssize_t n;
	int i;

	client = ex_fork("client");
	if (client == 0) {
		udp_send(&address, "one");
		udp_send(&address, "and another");
		_exit(0);
	}
	ex_wait(client);
	printf("server: two datagrams wait; recvfrom() with room for %zu bytes, twice:\n",
	       sizeof(buf));
	for (i = 0; i < 2; i++) {
		len = sizeof(from);
		n = recvfrom(server, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (n < 0)
			ex_die("server: receiving a datagram");
		printf("server: recvfrom() = %zd bytes from 127.0.0.1, port %d: \"%.*s\"\n",
		       n, ntohs(from.sin_port), (int)n, buf);
	}
	printf("server: one datagram each time: the boundaries are kept\n");

	printf("\nserver: recv(MSG_DONTWAIT) on the empty socket ...\n");
	t0 = ex_now();
	n = recv(server, buf, sizeof(buf), MSG_DONTWAIT);
	if (n >= 0 || errno != EAGAIN)
		ex_die("server: recv(MSG_DONTWAIT) did not fail with EAGAIN");
	printf("server: ... %s after %.3f s: no data, no waiting\n", ipclab_errname(errno),
	       ex_now() - t0);

	client = ex_fork("client");
	if (client == 0) {
		usleep(DELAY);
		udp_send(&address, "late");
		_exit(0);
	}
	printf("server: recv() on the empty socket blocks ...\n");
	t0 = ex_now();
	n = recv(server, buf, sizeof(buf), 0);
	if (n < 0)
		ex_die("server: receiving");
	printf("server: ... recv() = %zd bytes after %.2f s: \"%.*s\"\n", n, ex_now() - t0,
	       (int)n, buf);
	ex_wait(client);
	close(server);
}

int main(int argc, char **argv)
{
	ex_init();
	if (argc != 1) {
		fprintf(stderr, "usage: %s\n", argv[0]);
		return 2;
	}
	printf("TCP:\n");
	tcp();
	printf("\nUDP:\n");
	udp();
	return 0;
}
