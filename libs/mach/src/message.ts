// The Mach message format and codes (OSF Mach / MK descriptor format, 32-bit i386),
// shared by mach_msg, the kernel's own messages (exceptions, system-call redirection,
// pager protocol) and user code.
//
// Header (mach_msg_header_t, 24 bytes):
//   +0  msgh_bits         remote disposition (bits 0–7), local disposition (8–15),
//                         MACH_MSGH_BITS_COMPLEX (bit 31): a body with descriptors follows
//   +4  msgh_size         bytes of the whole message (header + body + inline data), 4-aligned
//   +8  msgh_remote_port  send: destination name; received: the reply right's name
//   +12 msgh_local_port   send: reply right name; received: the destination's name
//   +16 msgh_seqno        (received) sequence number of the message on its port
//   +20 msgh_id           operation id (MIG convention: reply id = request id + 100)
// Complex body: +24 descriptor count, then 12-byte descriptors:
//   port descriptor:  name, 0, (disposition << 16) | (MACH_MSG_PORT_DESCRIPTOR << 24)
//   OOL descriptor:   address, size, (deallocate) | (copy << 8) | (MACH_MSG_OOL_DESCRIPTOR << 24)
// (the type is in the top byte of the third word of both, as in mach_msg_type_descriptor_t)
// then the inline data, copied byte for byte.
export const HEADER_BYTES = 24;
export const DESCRIPTOR_BYTES = 12;
export const H = { BITS: 0, SIZE: 4, REMOTE: 8, LOCAL: 12, SEQNO: 16, ID: 20, DESC_COUNT: 24 } as const;
export const MACH_MSGH_BITS_COMPLEX = 0x80000000;
export const msghBits = (remote: number, local = 0): number => (remote | (local << 8)) >>> 0;

/** Dispositions (mach/message.h). */
export const MSG_TYPE = {
  MOVE_RECEIVE: 16,
  MOVE_SEND: 17,
  MOVE_SEND_ONCE: 18,
  COPY_SEND: 19,
  MAKE_SEND: 20,
  MAKE_SEND_ONCE: 21,
} as const;
/** What a receiver finds: the right it now holds. */
export const PORT_RECEIVE = 16,
  PORT_SEND = 17,
  PORT_SEND_ONCE = 18;

export const MACH_MSG_PORT_DESCRIPTOR = 0;
export const MACH_MSG_OOL_DESCRIPTOR = 1;
/** OOL copy options */
export const MACH_MSG_PHYSICAL_COPY = 0,
  MACH_MSG_VIRTUAL_COPY = 1;

/** mach_msg options. */
export const MACH_SEND_MSG = 0x1,
  MACH_RCV_MSG = 0x2,
  MACH_SEND_TIMEOUT = 0x10,
  MACH_RCV_TIMEOUT = 0x100;

/** Return codes (mach/message.h, mach/kern_return.h). */
export const KERN = {
  SUCCESS: 0,
  INVALID_ADDRESS: 1,
  PROTECTION_FAILURE: 2,
  NO_SPACE: 3,
  INVALID_ARGUMENT: 4,
  FAILURE: 5,
  INVALID_NAME: 15,
  INVALID_RIGHT: 17,
  INVALID_VALUE: 18,
  UREFS_OVERFLOW: 19,
} as const;
export const MSG_RET = {
  SUCCESS: 0,
  SEND_INVALID_DATA: 0x10000002,
  SEND_INVALID_DEST: 0x10000003,
  SEND_TIMED_OUT: 0x10000004,
  SEND_MSG_TOO_SMALL: 0x10000008,
  SEND_INVALID_REPLY: 0x10000009,
  SEND_INVALID_RIGHT: 0x1000000a,
  SEND_INVALID_MEMORY: 0x1000000c,
  SEND_TOO_LARGE: 0x1000000e,
  SEND_INVALID_HEADER: 0x10000010,
  RCV_INVALID_NAME: 0x10004002,
  RCV_TIMED_OUT: 0x10004003,
  RCV_TOO_LARGE: 0x10004004,
  RCV_INVALID_DATA: 0x10004008,
  RCV_PORT_DIED: 0x10004009,
} as const;

/** Largest message the kernel accepts (bytes of header + body + inline data). */
export const MAX_MSG_BYTES = 8192;

/** Port right types as mach_port_type() reports them (mach/port.h MACH_PORT_TYPE_*). */
export const PORT_TYPE = {
  SEND: 1 << 16,
  RECEIVE: 1 << 17,
  SEND_ONCE: 1 << 18,
  PORT_SET: 1 << 19,
  DEAD_NAME: 1 << 20,
} as const;
/** mach_port_allocate rights (mach/port.h MACH_PORT_RIGHT_*) */
export const PORT_RIGHT = { SEND: 0, RECEIVE: 1, SEND_ONCE: 2, PORT_SET: 3 } as const;

export const MACH_PORT_NULL = 0;
export const MACH_PORT_DEAD = 0xffffffff;

/** Exception types (mach/exception_types.h; EXC_SYSCALL as OSF MK / xnu number it). */
export const EXC = {
  BAD_ACCESS: 1,
  BAD_INSTRUCTION: 2,
  ARITHMETIC: 3,
  EMULATION: 4,
  SOFTWARE: 5,
  BREAKPOINT: 6,
  SYSCALL: 7,
} as const;

/** MIG message ids of the kernel's own messages. */
export const MSG_ID = {
  /** exc.defs: exception_raise_state (subsystem 2400) */
  EXCEPTION_RAISE_STATE: 2401,
  /** memory_object.defs (subsystem 2200, approx.) */
  MEMORY_OBJECT_INIT: 2200,
  MEMORY_OBJECT_DATA_REQUEST: 2202,
  /** memory_object_control: the pager's answer */
  MEMORY_OBJECT_DATA_PROVIDED: 2093,
  MEMORY_OBJECT_DATA_UNAVAILABLE: 2094,
  /**
   * memory_object_physical_supply (ours, next to data_provided): the pager lends one of
   * its physical pages in place, with a lock value — what Mach's device pager does with
   * fictitious pages, offered to a pager that owns physical memory (the MkLinux server).
   */
  MEMORY_OBJECT_PHYSICAL_SUPPLY: 2095,
  /** memory_object_lock_request (flush): the pager takes pages back (their mappings go) */
  MEMORY_OBJECT_LOCK_REQUEST: 2096,
  /** a device interrupt delivered to a user-level driver's port (ours): +24 the line → 28 bytes */
  DEVICE_INTERRUPT: 2900,
} as const;
export const replyId = (id: number): number => id + 100;

/**
 * i386_THREAD_STATE (flavor 1): 17 dwords, the order of Mach's struct i386_thread_state:
 * gs fs es ds edi esi ebp esp ebx edx ecx eax eip cs efl uesp ss.
 */
export const I386_THREAD_STATE = 1;
export const I386_THREAD_STATE_COUNT = 17;
export const TS = { GS: 0, FS: 1, ES: 2, DS: 3, EDI: 4, ESI: 5, EBP: 6, ESP: 7, EBX: 8, EDX: 9, ECX: 10, EAX: 11, EIP: 12, CS: 13, EFL: 14, UESP: 15, SS: 16 } as const;

/**
 * exception_raise_state request (the kernel → the exception or system-call server):
 *   header (remote = the exception port, local = a send-once reply right), then
 *   +24 exception, +28 codeCnt (2), +32 code[0], +36 code[1], +40 flavor, +44 stateCnt (17),
 *   +48 state[17]                                                   → 116 bytes
 * reply (id 2501): +24 RetCode, +28 flavor, +32 stateCnt, +36 state[17] → 104 bytes.
 * RetCode KERN_SUCCESS resumes the thread with the reply's state; anything else
 * terminates it.
 */
export const EXC_MSG = { EXCEPTION: 24, CODE_CNT: 28, CODE0: 32, CODE1: 36, FLAVOR: 40, STATE_CNT: 44, STATE: 48, BYTES: 48 + 4 * 17 } as const;
export const EXC_REPLY = { RETCODE: 24, FLAVOR: 28, STATE_CNT: 32, STATE: 36, BYTES: 36 + 4 * 17 } as const;

/**
 * Pager protocol (inline data, simple messages):
 *   memory_object_data_request (kernel → pager port): +24 object id, +28 offset, +32 length,
 *     +36 desired access; local = a send right to the object's control port (make-send).
 *   memory_object_data_provided (pager → control port): complex, 1 OOL descriptor with
 *     the page's data (+24 count = 1, +28 descriptor), then +40 offset, +44 lock value.
 *   memory_object_data_unavailable (pager → control port): +24 offset, +28 size: zero-fill.
 */
export const PAGER_MSG = { OBJECT: 24, OFFSET: 28, LENGTH: 32, ACCESS: 36, BYTES: 40 } as const;
export const PROVIDED_MSG = { OOL: 28, OFFSET: 40, LOCK: 44, BYTES: 48 } as const;
/** memory_object_physical_supply: +24 offset, +28 physical page, +32 lock value (access prohibited) → 36 bytes */
export const SUPPLY_MSG = { OFFSET: 24, FRAME: 28, LOCK: 32, BYTES: 36 } as const;
/** memory_object_lock_request (flush): +24 offset, +28 size → 32 bytes */
export const LOCK_MSG = { OFFSET: 24, SIZE: 28, BYTES: 32 } as const;
