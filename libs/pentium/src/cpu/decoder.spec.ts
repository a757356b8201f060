import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { Machine } from '../machine';
import { decodeInsn } from './decoder';
import { INSTRUCTION_TABLE, ONE_BYTE, TWO_BYTE } from './instruction-table';

const IMAGES = join(__dirname, '../../../../guest/images/int80');

/** bytes at virtual address `va` of a static ELF32 image (PT_LOAD segments) */
function elfReader(img: Buffer): (va: number) => number {
  const phoff = img.readUInt32LE(28),
    phentsize = img.readUInt16LE(42),
    phnum = img.readUInt16LE(44);
  const segs: { va: number; off: number; size: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (img.readUInt32LE(ph) === 1) segs.push({ off: img.readUInt32LE(ph + 4), va: img.readUInt32LE(ph + 8), size: img.readUInt32LE(ph + 16) });
  }
  return (va) => {
    for (const s of segs) if (va >= s.va && va < s.va + s.size) return img[s.off + va - s.va];
    throw new Error(`va 0x${va.toString(16)} not in the image`);
  };
}

const ALIAS: Record<string, string> = { wait: 'wait|fwait', cbw: 'cwde|cbw', cwd: 'cdq|cwd', sal: 'shl', int3: 'int3', esc: 'f', pushf: 'pushf|pushfd', popf: 'popf|popfd', pusha: 'pusha|pushad', popa: 'popa|popad', iret: 'iret|iretd', hostcall: '(bad)' };

describe('decoder against objdump on real gcc output', () => {
  for (const name of ['cpubench', 'test-format', 'test-float', 'instr-alu', 'instr-misc']) {
    const path = join(IMAGES, name);
    (existsSync(path) ? it : it.skip)(`${name}: every instruction's length and mnemonic`, () => {
      const img = readFileSync(path);
      const byteAt = elfReader(img);
      const dis = execFileSync('objdump', ['-d', '-M', 'intel', '--no-show-raw-insn', path], { encoding: 'latin1', maxBuffer: 256 << 20 });
      const m = new Machine({ memoryBytes: 1 << 20 });
      const lines = dis.split('\n').map((l) => /^\s*([0-9a-f]+):\t(\S+)(.*)$/.exec(l)).filter((x): x is RegExpExecArray => x !== null);
      let checked = 0;
      const problems: string[] = [];
      for (let i = 0; i + 1 < lines.length; i++) {
        const va = parseInt(lines[i][1], 16);
        const next = parseInt(lines[i + 1][1], 16);
        let text = (lines[i][2] + lines[i][3]).trim();
        if (text.startsWith('(bad)') || next <= va || next - va > 15) continue;
        text = text.replace(/^(rep[nez]*|lock|data16|addr16|cs|ds|es|ss|fs|gs)\s+/g, '').replace(/^(rep[nez]*|lock)\s+/, '');
        const d = decodeInsn(m.cpu, (k) => byteAt(va + k), true);
        if (d.len !== next - va) problems.push(`0x${va.toString(16)} ${text}: length ${d.len}, objdump ${next - va}`);
        const mine = d.row.mnemonic.toLowerCase();
        const theirs = text.split(/\s+/)[0];
        const ok = mine === theirs || (ALIAS[mine] !== undefined && new RegExp(`^(${ALIAS[mine]})`).test(theirs)) || (mine === 'esc' && theirs.startsWith('f')) || (/^(movs|stos|lods|cmps|scas|ins|outs)$/.test(mine) && theirs.startsWith(mine)) || (mine === 'xchg' && theirs === 'nop') || (mine === 'nop' && (theirs === 'xchg' || theirs.startsWith('nop'))) || (mine.startsWith('j') && theirs.startsWith('j')) || (mine.startsWith('set') && theirs.startsWith('set')) || (mine === 'retf' && theirs.startsWith('ret')) || (mine === 'ret' && theirs.startsWith('ret')) || (mine === 'jecxz' && theirs === 'jecxz');
        if (!ok) problems.push(`0x${va.toString(16)} ${text}: decoded as ${d.row.mnemonic}`);
        checked++;
      }
      expect(problems.slice(0, 20)).toEqual([]);
      expect(checked).toBeGreaterThan(500);
    });
  }
});

describe('instruction table', () => {
  it('has one row per opcode form, each with clocks and a source', () => {
    const seen = new Set<string>();
    for (const r of INSTRUCTION_TABLE) {
      const key = `${r.opcode}/${r.ext ?? '-'}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(r.timing.src.length).toBeGreaterThan(2);
      expect(r.timing.reg).toBeGreaterThanOrEqual(0);
      expect(r.timing.mem).toBeGreaterThanOrEqual(r.timing.reg === 0 ? 0 : 1);
      if (r.ext !== undefined) expect(r.modrm).toBe(true);
    }
    expect(INSTRUCTION_TABLE.length).toBeGreaterThan(350);
    // every one-byte opcode gcc uses for integer code is present
    for (const b of [0x01, 0x03, 0x0f, 0x29, 0x31, 0x39, 0x3b, 0x50, 0x58, 0x74, 0x75, 0x83, 0x85, 0x89, 0x8b, 0x8d, 0xc3, 0xe8, 0xe9, 0xeb, 0xf7, 0xff]) {
      if (b !== 0x0f) expect(ONE_BYTE[b]).not.toBeNull();
    }
    for (const b of [0x84, 0x85, 0x94, 0x95, 0xaf, 0xb6, 0xb7, 0xbe, 0xbf, 0xa2, 0x31, 0x3f]) expect(TWO_BYTE[b]).not.toBeNull();
  });
});
