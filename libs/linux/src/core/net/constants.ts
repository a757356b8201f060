// Constants of the BSD socket interface as Linux 2.0 i386 numbers them
// (include/linux/socket.h, include/linux/net.h, include/asm-i386/socket.h,
// include/asm-i386/errno.h, include/linux/in.h, include/linux/tcp.h).

/** socketcall(2) call numbers (include/linux/net.h: SYS_SOCKET …). */
export const SYS_SOCKET = 1;
export const SYS_BIND = 2;
export const SYS_CONNECT = 3;
export const SYS_LISTEN = 4;
export const SYS_ACCEPT = 5;
export const SYS_GETSOCKNAME = 6;
export const SYS_GETPEERNAME = 7;
export const SYS_SOCKETPAIR = 8;
export const SYS_SEND = 9;
export const SYS_RECV = 10;
export const SYS_SENDTO = 11;
export const SYS_RECVFROM = 12;
export const SYS_SHUTDOWN = 13;
export const SYS_SETSOCKOPT = 14;
export const SYS_GETSOCKOPT = 15;
export const SYS_SENDMSG = 16;
export const SYS_RECVMSG = 17;
/** arguments (longs) each call takes from the user's array (net/socket.c nargs[]) */
export const SOCKETCALL_NARGS = [0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4, 6, 6, 2, 5, 5, 3, 3];

export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;

export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

export const IPPROTO_IP = 0;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const SOL_SOCKET = 1;
export const SO_DEBUG = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_DONTROUTE = 5;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_OOBINLINE = 10;
export const SO_LINGER = 13;
export const SOL_TCP = 6;
export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;

export const MSG_OOB = 1;
export const MSG_PEEK = 2;
export const MSG_DONTROUTE = 4;
/** later kernels' per-call non-blocking flag; accepted here as a convenience */
export const MSG_DONTWAIT = 0x40;

export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

/** socket-layer errno values (include/asm-i386/errno.h) */
export const ENOTSOCK = 88;
export const EDESTADDRREQ = 89;
export const EMSGSIZE = 90;
export const EPROTOTYPE = 91;
export const ENOPROTOOPT = 92;
export const EPROTONOSUPPORT = 93;
export const ESOCKTNOSUPPORT = 94;
export const EOPNOTSUPP = 95;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETUNREACH = 101;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const ESHUTDOWN = 108;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EALREADY = 114;
export const EINPROGRESS = 115;

/** Socket buffer limits (include/linux/skbuff.h, 2.0: SK_WMEM_MAX = SK_RMEM_MAX = 32767). */
export const SK_WMEM_MAX = 32767;
export const SK_RMEM_MAX = 32767;

/** ports below this need root (include/net/sock.h PROT_SOCK); ephemeral ports start above it */
export const PROT_SOCK = 1024;

/** S_IFSOCK (include/linux/stat.h): the inode a bound AF_UNIX socket leaves in the file system */
export const S_IFSOCK = 0o140000;

/** The loopback interface's address, 127.0.0.1, as a host-order number. */
export const INADDR_LOOPBACK = 0x7f000001;
export const INADDR_ANY = 0;
