/* The tiny RPC layer (rpc.h): marshalling, record marking over TCP, datagrams over
   UDP, the client's call with transaction-id matching, and the server's dispatch. */
#include <string.h>
#include <unistd.h>
#include "lmb.h"
#include "net.h"
#include "rpc.h"

#if LMB_HAVE_SOCKETS
#define CALL 0u
#define REPLY 1u
#define ACCEPTED 0u
#define PROC_UNAVAIL 3u
#define GARBAGE_ARGS 4u

struct buf {
  unsigned char *p;
  int len, cap, pos;
};

static int put32(struct buf *b, unsigned v) {
  if (b->len + 4 > b->cap) return -1;
  b->p[b->len++] = v >> 24;
  b->p[b->len++] = v >> 16;
  b->p[b->len++] = v >> 8;
  b->p[b->len++] = v;
  return 0;
}

static int get32(struct buf *b, unsigned *v) {
  if (b->pos + 4 > b->len) return -1;
  *v = (unsigned)b->p[b->pos] << 24 | (unsigned)b->p[b->pos + 1] << 16 | (unsigned)b->p[b->pos + 2] << 8 | b->p[b->pos + 3];
  b->pos += 4;
  return 0;
}

/* opaque bytes: a length word, the bytes, padding to a multiple of 4 (as XDR) */
static int put_bytes(struct buf *b, const void *d, int n) {
  int padded = (n + 3) & ~3;
  if (put32(b, n) < 0 || b->len + padded > b->cap) return -1;
  memcpy(b->p + b->len, d, n);
  memset(b->p + b->len + n, 0, padded - n);
  b->len += padded;
  return 0;
}

static int get_bytes(struct buf *b, void *d, int *n, int max) {
  unsigned len;
  if (get32(b, &len) < 0 || (int)len > max || b->pos + (int)((len + 3) & ~3u) > b->len) return -1;
  memcpy(d, b->p + b->pos, len);
  b->pos += (len + 3) & ~3u;
  *n = len;
  return 0;
}

/* one message out: a datagram, or a record behind its mark */
static int send_msg(enum lmb_rpc_transport t, int fd, struct buf *b, struct sockaddr_in *peer) {
  if (t == LMB_RPC_UDP) {
    long w = peer ? sendto(fd, b->p, b->len, 0, (struct sockaddr *)peer, sizeof *peer) : send(fd, b->p, b->len, 0);
    return w == b->len ? 0 : -1;
  }
  {
    unsigned char mark[4];
    unsigned m = 0x80000000u | (unsigned)b->len; /* the last (only) fragment */
    unsigned char out[4 + LMB_RPC_MAX];
    mark[0] = m >> 24;
    mark[1] = m >> 16;
    mark[2] = m >> 8;
    mark[3] = m;
    /* mark and body in one write: one segment, as a record-marking stream sends it */
    memcpy(out, mark, 4);
    memcpy(out + 4, b->p, b->len);
    return lmb_write_all(fd, out, 4 + b->len);
  }
}

/* over UDP, `peer` (when given) gets the sender's address, for the reply */
static int recv_msg(enum lmb_rpc_transport t, int fd, struct buf *b, struct sockaddr_in *peer) {
  b->pos = 0;
  if (t == LMB_RPC_UDP) {
    socklen_t plen = sizeof *peer;
    long r = peer ? recvfrom(fd, b->p, b->cap, 0, (struct sockaddr *)peer, &plen) : recv(fd, b->p, b->cap, 0);
    if (r <= 0) return -1;
    b->len = r;
    return 0;
  }
  {
    unsigned char mark[4];
    unsigned m;
    if (lmb_read_all(fd, mark, 4) < 0) return -1;
    m = (unsigned)mark[0] << 24 | (unsigned)mark[1] << 16 | (unsigned)mark[2] << 8 | mark[3];
    /* one fragment per record is all we send */
    if (!(m & 0x80000000u) || (int)(m & 0x7fffffffu) > b->cap) return -1;
    b->len = m & 0x7fffffffu;
    return lmb_read_all(fd, b->p, b->len);
  }
}

int lmb_rpc_call(struct lmb_rpc_client *c, unsigned proc, const void *arg, int arglen, void *res, int *reslen) {
  unsigned char out[LMB_RPC_MAX], in[LMB_RPC_MAX];
  struct buf call = {out, 0, sizeof out, 0}, reply = {in, 0, sizeof in, 0};
  unsigned xid = c->xid++, rxid, kind, status;
  if (put32(&call, xid) < 0 || put32(&call, CALL) < 0 || put32(&call, LMB_RPC_PROG) < 0 || put32(&call, LMB_RPC_VERS) < 0 ||
      put32(&call, proc) < 0 || put_bytes(&call, arg, arglen) < 0)
    return -1;
  if (send_msg(c->transport, c->fd, &call, c->server) < 0) return -1;
  for (;;) {
    struct sockaddr_in from;
    if (recv_msg(c->transport, c->fd, &reply, c->server ? &from : 0) < 0) return -1;
    if (get32(&reply, &rxid) < 0 || get32(&reply, &kind) < 0) return -1;
    if (kind == REPLY && rxid == xid) break;
    /* a stale reply (a datagram of an earlier call): not ours, wait for ours */
  }
  if (get32(&reply, &status) < 0 || status != ACCEPTED) return -1;
  return get_bytes(&reply, res, reslen, *reslen);
}

void lmb_rpc_serve(enum lmb_rpc_transport t, int fd) {
  unsigned char in[LMB_RPC_MAX], out[LMB_RPC_MAX], arg[LMB_RPC_MAX];
  for (;;) {
    struct buf call = {in, 0, sizeof in, 0}, reply = {out, 0, sizeof out, 0};
    unsigned xid, kind, prog, vers, proc;
    int arglen;
    struct sockaddr_in peer;
    if (recv_msg(t, fd, &call, t == LMB_RPC_UDP ? &peer : 0) < 0) return;
    if (get32(&call, &xid) < 0 || get32(&call, &kind) < 0 || kind != CALL) continue;
    put32(&reply, xid);
    put32(&reply, REPLY);
    if (get32(&call, &prog) < 0 || get32(&call, &vers) < 0 || get32(&call, &proc) < 0 ||
        get_bytes(&call, arg, &arglen, sizeof arg) < 0) {
      put32(&reply, GARBAGE_ARGS);
    } else if (prog != LMB_RPC_PROG || vers != LMB_RPC_VERS || proc > LMB_RPC_ECHO_CHAR ||
               (proc == LMB_RPC_ECHO_CHAR && arglen != 1)) {
      put32(&reply, PROC_UNAVAIL);
    } else {
      put32(&reply, ACCEPTED);
      /* NULL returns nothing; ECHO_CHAR returns its character */
      put_bytes(&reply, arg, proc == LMB_RPC_ECHO_CHAR ? 1 : 0);
    }
    if (send_msg(t, fd, &reply, t == LMB_RPC_UDP ? &peer : 0) < 0) return;
  }
}
#endif
