// Names of the core's kernel paths an architecture charges (arch/*/costs.ts maps each
// to a path profile). The core says which path ran; the arch knows what it costs on
// that system (code addresses, the entry mechanism around it).

export type CorePath =
  /** one system call's body, the sys_* function itself (per-call profiles: 'sys.<name>') */
  | `sys.${string}`
  /** schedule(): the goodness loop over the run queue (units = runnable tasks examined) */
  | 'schedule'
  /** counter recalculation when every runnable counter is 0 (units = tasks) */
  | 'schedule.recalc'
  /** do_timer + update_process_times from the timer interrupt */
  | 'timer-tick'
  /** do_page_fault: find the vma, handle_mm_fault, no page: anonymous zero page */
  | 'page-fault'
  /** copying a page (COW break, file page in): units = 1 page */
  | 'page-copy'
  /** clearing a page (get_free_page with zeroing) */
  | 'page-clear'
  /** copy_page_range in fork: units = PTEs copied */
  | 'fork.copy-pte'
  /** zap_page_range on exit/exec/munmap: units = PTEs released */
  | 'mm.zap-pte'
  /** setup_frame + handle_signal (signal delivery) */
  | 'signal.deliver'
  /** copy_to_user/copy_from_user: units = bytes */
  | 'uaccess.copy'
  /** do_execve: ELF header parse, mm teardown and setup (excluding copies and PTE work) */
  | 'exec'
  /** do_fork: task struct, files, signal handlers (excluding copy_page_range) */
  | 'fork'
  /** do_exit + the parent's wait4 release of the zombie */
  | 'exit'
  // ---- networking (net/): per call, per packet or per buffer (units = 1), or per byte (units = bytes)
  /** a socket call behind sys_socketcall: sockfd_lookup, address checks, the proto_ops dispatch */
  | 'net.socketcall'
  /** sock_alloc + the protocol's create (inet_create / unix_create) and the file */
  | 'net.sock-create'
  /** sock_release + the protocol's release (tcp_close / udp_close / unix_release) */
  | 'net.sock-release'
  /** alloc_skb (kmalloc + header init) and skb_clone */
  | 'net.skb-alloc'
  /** kfree_skb */
  | 'net.skb-free'
  /** a kernel memcpy of packet data (IP fragmentation and reassembly): units = bytes */
  | 'net.copy'
  /** the Internet checksum over packet bytes (csum_partial): units = bytes */
  | 'net.csum'
  /** ip_queue_xmit/ip_build_xmit per packet: header, route, header checksum */
  | 'net.ip-output'
  /** dev_queue_xmit + loopback_xmit + netif_rx per packet */
  | 'net.dev-xmit'
  /** net_bh per packet taken off the backlog */
  | 'net.bh'
  /** ip_rcv per packet: header checks, header checksum, protocol demux */
  | 'net.ip-rcv'
  /** one timer handler of the stack (delayed ACK, retransmit, TIME_WAIT) */
  | 'net.timer'
  /** tcp_sendmsg per buffer filled (the data copy itself is uaccess.copy) */
  | 'net.tcp-sendmsg'
  /** tcp_send_skb/tcp_transmit per segment: headers, window selection */
  | 'net.tcp-output'
  /** tcp_send_ack/tcp_reset: a control segment built and sent */
  | 'net.tcp-send-ack'
  /** tcp_rcv per segment: socket lookup and the state machine */
  | 'net.tcp-rcv'
  /** tcp_ack: acknowledged segments freed, writers woken */
  | 'net.tcp-ack'
  /** tcp_recvmsg per call (the copy to the user is uaccess.copy) */
  | 'net.tcp-recvmsg'
  /** tcp_connect: route, ports, the SYN */
  | 'net.tcp-connect'
  /** tcp_conn_request: a new socket for an incoming SYN */
  | 'net.tcp-conn-request'
  /** tcp_accept: take a connection off the queue */
  | 'net.tcp-accept'
  /** tcp_close/tcp_shutdown: the FIN */
  | 'net.tcp-close'
  /** udp_sendmsg per datagram (header; its checksum is net.csum) */
  | 'net.udp-sendmsg'
  /** udp_rcv per datagram */
  | 'net.udp-rcv'
  /** udp_recvmsg per call */
  | 'net.udp-recvmsg'
  /** unix_*_sendmsg per buffer queued on the peer */
  | 'net.unix-sendmsg'
  /** unix_*_recvmsg per call */
  | 'net.unix-recvmsg'
  /** unix_connect: the request queued on the listener */
  | 'net.unix-connect'
  /** unix_accept */
  | 'net.unix-accept'
  /** unix_release */
  | 'net.unix-release'
  /** buffer cache: getblk's hash lookup (per buffer) */
  | 'fs.getblk'
  /** ext2: directory entries scanned by a lookup or listing (units = entries) */
  | 'fs.lookup'
  /** ext2_bmap: one logical block mapped */
  | 'fs.bmap'
  /** ext2 block or inode allocation (bitmap search, descriptor and superblock update) */
  | 'fs.alloc'
  /** data copied inside the kernel between buffers and a file's pages (units = bytes) */
  | 'fs.copy'
  /** an inode read from or written into the inode table */
  | 'fs.inode'
  /** ll_rw_block + make_request + add_request + the command to the drive (units = buffers) */
  | 'block.request'
  /** ide_intr: status read, dispatch to read_intr / write_intr */
  | 'block.intr'
  /** insl/outsl of one 512-byte sector through the data port (units = sectors) */
  | 'block.pio'
  /** end_request in the bottom half: unlock and wake per buffer (units = buffers) */
  | 'block.end-request';
