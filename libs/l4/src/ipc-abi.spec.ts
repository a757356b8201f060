import { decodeReceiveDescriptor, decodeSendDescriptor, decodeTimeouts, encodeTimeout, encodeTimeouts, errorName, ipcResult, IPC_ERR, receiveBuffer, receiveWindow } from './ipc-abi';
import { fpage } from './fpage';

describe('IPC register encodings', () => {
  it('timeouts: e = 0 never, m = 0 zero, else m·4^(15−e) µs; page-fault timeouts by exponent', () => {
    expect(decodeTimeouts(0)).toEqual({ send: Infinity, receive: Infinity, sendPageFault: Infinity, receivePageFault: Infinity });
    const t = decodeTimeouts((10 << 24) | (1 << 16) | (15 << 12) | (14 << 8) | (14 << 4) | 10);
    expect(t.send).toBe(10 * 4); // m 10, e 14
    expect(t.receive).toBe(1 * 4 ** 5); // m 1, e 10
    expect(t.sendPageFault).toBe(0);
    expect(t.receivePageFault).toBe(4);
    expect(decodeTimeouts(encodeTimeouts({ send: 0, receive: 1000 }))).toEqual({ send: 0, receive: 1000, sendPageFault: Infinity, receivePageFault: Infinity });
  });

  it('encodes a timeout with the finest unit that holds it, rounding up', () => {
    expect(encodeTimeout(255)).toEqual({ m: 255, e: 15 });
    expect(encodeTimeout(256)).toEqual({ m: 64, e: 14 });
    expect(encodeTimeout(257)).toEqual({ m: 65, e: 14 }); // 260 µs ≥ 257
    expect(() => encodeTimeout(-1)).toThrow(/not a duration/);
    expect(() => encodeTimeout(255 * 4 ** 14 + 1)).toThrow(/longest/);
  });

  it('descriptors: send (map bit, buffer), receive (open bit, window or buffer)', () => {
    expect(decodeSendDescriptor(0)).toEqual({ map: false, buffer: 0 });
    expect(decodeSendDescriptor(0x20002)).toEqual({ map: true, buffer: 0x20000 });
    expect(decodeReceiveDescriptor(receiveWindow(fpage(0x400000, 22), true))).toEqual({ open: true, window: { base: 0x400000, log2: 22, writable: true }, buffer: 0 });
    expect(decodeReceiveDescriptor(receiveBuffer(0x20000, false))).toEqual({ open: false, window: null, buffer: 0x20000 });
    expect(() => receiveBuffer(0x20001, false)).toThrow(/aligned/);
  });

  it('results: dwords, strings, error code, mapped bit', () => {
    const r = ipcResult(5, 2, IPC_ERR.RECV_MSG_CUT, true);
    expect(r >>> 13).toBe(5);
    expect((r >>> 8) & 0x1f).toBe(2);
    expect(r & 0xf0).toBe(0xe0);
    expect(r & 2).toBe(2);
    expect(errorName(r)).toBe('recv_msg_cut');
  });
});
