// The encodings of the IPC system call's registers (the register ABI is documented at
// the top of ipc.ts): descriptors, timeouts, result codes, the long-message buffer.
import { decodeFpage, type Fpage } from './fpage';

/** "no send phase" / "no receive phase" */
export const NO_PHASE = 0xffffffff;

/** Error codes in bits 7..4 of the result (EAX out), L4 v2's numbering (L4 reference manual, x86). */
export const IPC_ERR = {
  OK: 0x00,
  NOT_EXISTENT: 0x10,
  RECV_TIMEOUT: 0x20,
  SEND_TIMEOUT: 0x30,
  RECV_CANCELLED: 0x40,
  SEND_CANCELLED: 0x50,
  RECV_MAP_FAILED: 0x60,
  SEND_MAP_FAILED: 0x70,
  RECV_PF_TIMEOUT: 0x80,
  SEND_PF_TIMEOUT: 0x90,
  RECV_MSG_CUT: 0xe0,
  SEND_MSG_CUT: 0xf0,
} as const;
export const IPC_ERR_MASK = 0xf0;
/** bit 1 of the result: the message carried map/grant items that were installed */
export const IPC_RESULT_MAPPED = 0x02;

export const errorName = (code: number): string =>
  (Object.entries(IPC_ERR).find(([, v]) => v === (code & IPC_ERR_MASK))?.[0] ?? `0x${(code & IPC_ERR_MASK).toString(16)}`).toLowerCase();

/** Result dword: dwords received (bits 31..13), strings received (12..8), error (7..4), mapped (1). */
export function ipcResult(dwords: number, strings: number, error: number, mapped: boolean): number {
  return ((dwords << 13) | ((strings & 0x1f) << 8) | (error & IPC_ERR_MASK) | (mapped ? IPC_RESULT_MAPPED : 0)) >>> 0;
}

// ------------------------------------------------------------------ send descriptor
export interface SendDescriptor {
  /** the first two message dwords are a map/grant item (snd_base, fpage) — or, in a long message, the leading dword pairs */
  map: boolean;
  /** user address of the long-message buffer, 0 for a register-only message */
  buffer: number;
}

export function decodeSendDescriptor(eax: number): SendDescriptor {
  return { map: (eax & 2) !== 0, buffer: (eax & ~3) >>> 0 };
}

// --------------------------------------------------------------- receive descriptor
export interface ReceiveDescriptor {
  /** receive from any thread (else only from ESI) */
  open: boolean;
  /** window for map/grant items of a register message, or null */
  window: Fpage | null;
  /** user address of the long-message buffer, 0 for a register-only receive */
  buffer: number;
}

/**
 * EBP in: bit 0 open; bit 1 set: bits 31..2 are a receive fpage (its size field in
 * bits 7..2 as in an fpage; no w bit); bit 1 clear: bits 31..2 are the long-message
 * buffer's address (0 = registers only).
 */
export function decodeReceiveDescriptor(ebp: number): ReceiveDescriptor {
  const open = (ebp & 1) !== 0;
  if (ebp & 2) {
    const f = decodeFpage((ebp & ~3) >>> 0);
    return { open, window: f.log2 >= 12 ? { ...f, writable: true } : null, buffer: 0 };
  }
  return { open, window: null, buffer: (ebp & ~3) >>> 0 };
}

export const receiveWindow = (fpageWord: number, open: boolean): number => (((fpageWord & ~3) | 2 | (open ? 1 : 0)) >>> 0);
export const receiveBuffer = (address: number, open: boolean): number => {
  if (address & 3) throw new Error(`receive buffer 0x${address.toString(16)} must be 4-byte aligned`);
  return (address | (open ? 1 : 0)) >>> 0;
};

// ------------------------------------------------------------------------ timeouts
/** A timeout in µs; Infinity = never, 0 = do not wait. */
export interface IpcTimeouts {
  send: number;
  receive: number;
  sendPageFault: number;
  receivePageFault: number;
}

/**
 * ECX in (L4 v2 layout): bits 31..24 send mantissa, 23..16 receive mantissa, 15..12
 * send page-fault exponent, 11..8 receive page-fault exponent, 7..4 send exponent,
 * 3..0 receive exponent. A timeout is m·4^(15−e) µs; e = 0 means never, m = 0 (e ≠ 0)
 * means zero. Page-fault timeouts: p = 0 never, p = 15 zero, else 4^(15−p) µs.
 */
export function decodeTimeouts(ecx: number): IpcTimeouts {
  const one = (m: number, e: number): number => (e === 0 ? Infinity : m === 0 ? 0 : m * 4 ** (15 - e));
  const pf = (p: number): number => (p === 0 ? Infinity : p === 15 ? 0 : 4 ** (15 - p));
  return {
    send: one((ecx >>> 24) & 0xff, (ecx >>> 4) & 0xf),
    receive: one((ecx >>> 16) & 0xff, ecx & 0xf),
    sendPageFault: pf((ecx >>> 12) & 0xf),
    receivePageFault: pf((ecx >>> 8) & 0xf),
  };
}

/** Encodes one timeout (µs, or Infinity / 0) as (mantissa, exponent), rounding up to the next representable value. */
export function encodeTimeout(us: number): { m: number; e: number } {
  if (us === Infinity) return { m: 0, e: 0 };
  if (!(us >= 0) || !Number.isFinite(us)) throw new Error(`timeout: ${us} µs is not a duration`);
  if (us === 0) return { m: 0, e: 1 };
  for (let e = 15; e >= 1; e--) {
    const unit = 4 ** (15 - e);
    const m = Math.ceil(us / unit);
    if (m <= 255) return { m, e };
  }
  throw new Error(`timeout: ${us} µs is longer than the longest encodable timeout`);
}

export function encodeTimeouts(t: { send?: number; receive?: number; sendPageFault?: number; receivePageFault?: number }): number {
  const s = encodeTimeout(t.send ?? Infinity);
  const r = encodeTimeout(t.receive ?? Infinity);
  const pfExp = (us: number | undefined): number => {
    if (us === undefined || us === Infinity) return 0;
    if (us === 0) return 15;
    for (let p = 14; p >= 1; p--) if (4 ** (15 - p) >= us) return p;
    throw new Error(`page-fault timeout ${us} µs is too long`);
  };
  return ((s.m << 24) | (r.m << 16) | (pfExp(t.sendPageFault) << 12) | (pfExp(t.receivePageFault) << 8) | (s.e << 4) | r.e) >>> 0;
}

// ------------------------------------------------------------- long-message buffer
/**
 * Layout of a long-message buffer in user memory (dword offsets):
 *   +0  receive fpage (window for map items of long messages; 0 = none)
 *   +4  size dope: dword capacity in bits 31..13, string-dope count in 12..8
 *   +8  send dope: dwords to send in bits 31..13, strings to send in 12..8
 *   +12 dwords[0 .. capacity): dwords 0..2 travel in EDX, EBX, EDI (the buffer's first three slots are not read or written)
 *   then per string: { sendSize, sendAddress, receiveSize, receiveAddress }
 *      (a receiver's sendSize slot receives the length that arrived)
 */
export const MSG = { RCV_FPAGE: 0, SIZE_DOPE: 4, SEND_DOPE: 8, DWORDS: 12, STRING_DOPE_BYTES: 16 } as const;
export const REGISTER_DWORDS = 3;

export const dope = (dwords: number, strings: number): number => ((dwords << 13) | ((strings & 0x1f) << 8)) >>> 0;
export const dopeDwords = (d: number): number => d >>> 13;
export const dopeStrings = (d: number): number => (d >>> 8) & 0x1f;
