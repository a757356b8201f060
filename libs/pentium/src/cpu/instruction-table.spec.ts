// Imported first on purpose: the table imports the handlers, which import the CPU, which
// imports the decoder, which reads the table — this order must work (the test generator
// and other tools load the table on its own).
import { INSTRUCTION_TABLE, ONE_BYTE } from './instruction-table';
import { decodeInsn } from './decoder';
import { Machine } from '../machine';

describe('instruction table loaded on its own', () => {
  it('lists its rows and drives the decoder', () => {
    expect(INSTRUCTION_TABLE.length).toBeGreaterThan(400);
    expect(INSTRUCTION_TABLE.filter((r) => r.user).length).toBeGreaterThan(350);
    expect(ONE_BYTE[0x89]).not.toBeNull();
    const m = new Machine({ memoryBytes: 1 << 20 });
    const bytes = [0x8b, 0x44, 0x24, 0x08]; // mov eax, [esp+8]
    const d = decodeInsn(m.cpu, (i) => bytes[i], true);
    expect(d.row.mnemonic).toBe('MOV');
    expect(d.len).toBe(4);
    expect(d.timing.addrRegs).toBe(1 << 4);
    expect(d.timing.regsWritten).toBe(1);
  });
});
