/* A tiny RPC layer of our own, in the spirit of Sun RPC (which lmbench's rpc tests
   use): calls and replies are marshalled in big-endian 32-bit words, a call carries
   a transaction id, program, version and procedure; over TCP every message is one
   record behind a 4-byte record mark (last-fragment bit + length); over UDP a message
   is one datagram. One server procedure matters here: ECHO_CHAR, a 1-character
   argument returned as the result. */
#ifndef LMB_RPC_H
#define LMB_RPC_H

#define LMB_RPC_PROG 0x20000099u
#define LMB_RPC_VERS 1u
#define LMB_RPC_NULL 0u
#define LMB_RPC_ECHO_CHAR 1u

#define LMB_RPC_MAX 256 /* bytes of the largest message */

enum lmb_rpc_transport { LMB_RPC_UDP, LMB_RPC_TCP };

struct lmb_rpc_client {
  enum lmb_rpc_transport transport;
  int fd;           /* a TCP socket connected to the server, or a UDP socket */
  void *server;     /* UDP: the server's struct sockaddr_in (calls go by sendto) */
  unsigned xid;     /* the next transaction id */
};

/* calls procedure `proc` with `arglen` bytes of argument; the result's bytes go to res
   (at most *reslen, which gets the length). 0, or -1 on a transport or protocol error. */
int lmb_rpc_call(struct lmb_rpc_client *c, unsigned proc, const void *arg, int arglen, void *res, int *reslen);

/* serves calls on fd until the transport fails or the peer goes away */
void lmb_rpc_serve(enum lmb_rpc_transport transport, int fd);

#endif
