/* Loopback networking: udp (4-byte request, 4-byte reply) and tcp (1 byte each way)
   round trips, the same through our RPC layer, TCP connect+close, and TCP bandwidth.
   The servers are child processes; the socket is made and bound before the fork, so
   the client knows the port. The latency tests run net_factor x the target (lmbench
   1.x: 5 s instead of 1 s). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/wait.h>
#include "lmb.h"
#include "net.h"
#include "rpc.h"

#if LMB_HAVE_SOCKETS
void lmb_loopback_addr(struct sockaddr_in *sa, unsigned short port) {
  memset(sa, 0, sizeof *sa);
  sa->sin_family = AF_INET;
  sa->sin_port = port;
  sa->sin_addr.s_addr = lmb_be32(LMB_LOOPBACK);
}

int lmb_inet_server(int type, unsigned short *port) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  int fd = socket(AF_INET, type, 0);
  if (fd < 0) return -1;
  lmb_loopback_addr(&sa, 0);
  if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || (type == SOCK_STREAM && listen(fd, 8) < 0) ||
      getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
    close(fd);
    return -1;
  }
  *port = sa.sin_port;
  return fd;
}

int lmb_tcp_connect(unsigned short port) {
  struct sockaddr_in sa;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  lmb_loopback_addr(&sa, port);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

/* ends a server child: it blocks in its loop, so it is killed */
static void stop_server(pid_t pid) {
  int status;
  if (pid <= 0) return;
  kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
}

/* ---- udp: the server returns every datagram to its sender ---- */
struct udp_client {
  int fd;
  struct sockaddr_in server;
  int failed;
};

static void op_udp(long n, void *a) {
  struct udp_client *c = a;
  int msg = 0x12345678;
  while (n-- > 0) {
    if (sendto(c->fd, &msg, 4, 0, (struct sockaddr *)&c->server, sizeof c->server) != 4 || recv(c->fd, &msg, 4, 0) != 4) {
      c->failed = 1;
      return;
    }
  }
}

int lmb_udp(void) {
  unsigned short port;
  struct udp_client c;
  pid_t server;
  double us;
  int sfd = lmb_inet_server(SOCK_DGRAM, &port);
  if (sfd < 0) {
    lmb_fail("udp", "a loopback UDP socket");
    return -1;
  }
  server = fork();
  if (server == 0) {
    char buf[64];
    struct sockaddr_in from;
    for (;;) {
      socklen_t len = sizeof from;
      long r = recvfrom(sfd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
      if (r < 0) _exit(1);
      sendto(sfd, buf, r, 0, (struct sockaddr *)&from, len);
    }
  }
  close(sfd);
  memset(&c, 0, sizeof c);
  c.fd = socket(AF_INET, SOCK_DGRAM, 0);
  lmb_loopback_addr(&c.server, port);
  if (server < 0 || c.fd < 0) {
    lmb_fail("udp", "starting the server");
    stop_server(server);
    return -1;
  }
  op_udp(1, &c);
  us = c.failed ? 0 : lmb_time(op_udp, &c, lmb.target_us * lmb.net_factor);
  close(c.fd);
  stop_server(server);
  if (c.failed) {
    lmb_fail("udp", "a request-response round trip");
    return -1;
  }
  lmb_report_us("lmb_udp_us", us);
  return 0;
}

/* ---- tcp: the server echoes one byte at a time on one connection ---- */
struct tcp_client {
  int fd;
  int failed;
};

static void op_tcp(long n, void *a) {
  struct tcp_client *c = a;
  char ch = 'x';
  while (n-- > 0) {
    if (write(c->fd, &ch, 1) != 1 || read(c->fd, &ch, 1) != 1) {
      c->failed = 1;
      return;
    }
  }
}

/* a server child that accepts one connection and runs `serve` on it */
static pid_t tcp_server(int lfd, void (*serve)(int fd)) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = accept(lfd, 0, 0);
    close(lfd);
    if (fd < 0) _exit(1);
    serve(fd);
    _exit(0);
  }
  return pid;
}

static void serve_echo(int fd) {
  char ch;
  while (read(fd, &ch, 1) == 1)
    if (write(fd, &ch, 1) != 1) break;
}

int lmb_tcp(void) {
  unsigned short port;
  struct tcp_client c = {-1, 0};
  pid_t server;
  double us;
  int lfd = lmb_inet_server(SOCK_STREAM, &port);
  if (lfd < 0) {
    lmb_fail("tcp", "a loopback TCP listener");
    return -1;
  }
  server = tcp_server(lfd, serve_echo);
  close(lfd);
  if (server < 0 || (c.fd = lmb_tcp_connect(port)) < 0) {
    lmb_fail("tcp", "connecting to the server");
    stop_server(server);
    return -1;
  }
  op_tcp(1, &c);
  us = c.failed ? 0 : lmb_time(op_tcp, &c, lmb.target_us * lmb.net_factor);
  close(c.fd);
  stop_server(server);
  if (c.failed) {
    lmb_fail("tcp", "a request-response round trip");
    return -1;
  }
  lmb_report_us("lmb_tcp_us", us);
  return 0;
}

/* ---- rpc over udp and tcp: ECHO_CHAR calls ---- */
struct rpc_arg {
  struct lmb_rpc_client client;
  int failed;
};

static void op_rpc(long n, void *a) {
  struct rpc_arg *r = a;
  char in = 'a', out;
  while (n-- > 0) {
    int len = 1;
    if (lmb_rpc_call(&r->client, LMB_RPC_ECHO_CHAR, &in, 1, &out, &len) < 0 || len != 1 || out != in) {
      r->failed = 1;
      return;
    }
  }
}

static void serve_rpc_tcp(int fd) { lmb_rpc_serve(LMB_RPC_TCP, fd); }

static int rpc_test(const char *test, const char *metric, enum lmb_rpc_transport t) {
  unsigned short port;
  struct rpc_arg r;
  struct sockaddr_in server_addr;
  pid_t server;
  double us;
  int sfd = lmb_inet_server(t == LMB_RPC_UDP ? SOCK_DGRAM : SOCK_STREAM, &port);
  memset(&r, 0, sizeof r);
  r.client.transport = t;
  r.client.xid = 1;
  if (sfd < 0) {
    lmb_fail(test, "a loopback socket for the server");
    return -1;
  }
  if (t == LMB_RPC_UDP) {
    server = fork();
    if (server == 0) {
      lmb_rpc_serve(LMB_RPC_UDP, sfd);
      _exit(1);
    }
    r.client.fd = socket(AF_INET, SOCK_DGRAM, 0);
    lmb_loopback_addr(&server_addr, port);
    r.client.server = &server_addr;
  } else {
    server = tcp_server(sfd, serve_rpc_tcp);
    r.client.fd = server < 0 ? -1 : lmb_tcp_connect(port);
  }
  close(sfd);
  if (server < 0 || r.client.fd < 0) {
    lmb_fail(test, "starting the server");
    stop_server(server);
    return -1;
  }
  op_rpc(1, &r);
  us = r.failed ? 0 : lmb_time(op_rpc, &r, lmb.target_us * lmb.net_factor);
  close(r.client.fd);
  stop_server(server);
  if (r.failed) {
    lmb_fail(test, "an RPC call");
    return -1;
  }
  lmb_report_us(metric, us);
  return 0;
}

int lmb_rpc_udp(void) { return rpc_test("rpc_udp", "lmb_rpc_udp_us", LMB_RPC_UDP); }
int lmb_rpc_tcp(void) { return rpc_test("rpc_tcp", "lmb_rpc_tcp_us", LMB_RPC_TCP); }

/* ---- connect: TCP connect + close to a server that accepts and closes ---- */
struct connect_arg {
  unsigned short port;
  int failed;
};

static void op_connect(long n, void *a) {
  struct connect_arg *c = a;
  while (n-- > 0) {
    char ch;
    int fd = lmb_tcp_connect(c->port);
    if (fd < 0) {
      c->failed = 1;
      return;
    }
    /* the server closes first and keeps the TIME_WAIT; we close after its FIN. (When
       the client closed first, a host kernel soon reused a port whose server half was
       still closing, and every such connect stalled ~100 ms.) */
    read(fd, &ch, 1);
    close(fd);
  }
}

int lmb_connect(void) {
  struct connect_arg c = {0, 0};
  pid_t server;
  double us;
  int lfd = lmb_inet_server(SOCK_STREAM, &c.port);
  if (lfd < 0) {
    lmb_fail("connect", "a loopback TCP listener");
    return -1;
  }
  server = fork();
  if (server == 0) {
    for (;;) {
      int fd = accept(lfd, 0, 0);
      if (fd < 0) _exit(1);
      close(fd);
    }
  }
  close(lfd);
  op_connect(1, &c);
  /* the 1x target: every connection leaves a TIME_WAIT behind, and 5x would run the
     host's ephemeral ports out natively (lmbench's own connect test has the same issue) */
  us = c.failed || server < 0 ? 0 : lmb_time(op_connect, &c, lmb.target_us);
  stop_server(server);
  if (c.failed || server < 0) {
    lmb_fail("connect", "connect to the loopback server");
    return -1;
  }
  lmb_report_us("lmb_connect_us", us);
  return 0;
}

/* ---- bw_tcp: the server streams 64 KiB writes, we read ---- */
static void serve_stream(int fd) { lmb_stream_writer(fd); }

int lmb_bw_tcp(void) {
  unsigned short port;
  pid_t server;
  int fd, lfd = lmb_inet_server(SOCK_STREAM, &port);
  if (lfd < 0) {
    lmb_fail("bw_tcp", "a loopback TCP listener");
    return -1;
  }
  server = tcp_server(lfd, serve_stream);
  close(lfd);
  fd = server < 0 ? -1 : lmb_tcp_connect(port);
  if (fd < 0) {
    lmb_fail("bw_tcp", "connecting to the server");
    stop_server(server);
    return -1;
  }
  return lmb_stream_bandwidth("bw_tcp", "lmb_bw_tcp_mbs", fd, server);
}

#else /* no socket calls in this libc */
static int no_sockets(const char *test) {
  errno = ENOSYS;
  lmb_fail(test, "this libc has no socket calls");
  return -1;
}
int lmb_udp(void) { return no_sockets("udp"); }
int lmb_tcp(void) { return no_sockets("tcp"); }
int lmb_rpc_udp(void) { return no_sockets("rpc_udp"); }
int lmb_rpc_tcp(void) { return no_sockets("rpc_tcp"); }
int lmb_connect(void) { return no_sockets("connect"); }
int lmb_bw_tcp(void) { return no_sockets("bw_tcp"); }
#endif
