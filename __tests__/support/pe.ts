// Minimal but valid PE headers: an MS-DOS header pointing at a PE signature, a COFF header for
// one machine, and an empty optional header of the right kind (PE32 or PE32+), then a note
// saying what the file is. Enough for any PE reader to tell machine and DLL flag.

export const MACHINES = { x86: 0x014c, amd64: 0x8664, arm: 0x01c4, arm64: 0xaa64 } as const;

export function peFile(machine: number, options: { dll?: boolean; note?: string } = {}): Buffer {
  const wide = machine === MACHINES.amd64 || machine === MACHINES.arm64;
  const optionalSize = wide ? 0xf0 : 0xe0;
  const dos = Buffer.alloc(0x40);
  dos.write('MZ', 0, 'latin1');
  dos.writeUInt32LE(0x40, 0x3c); // e_lfanew
  const coff = Buffer.alloc(24);
  coff.write('PE\0\0', 0, 'latin1');
  coff.writeUInt16LE(machine, 4);
  coff.writeUInt16LE(0, 6); // no sections
  coff.writeUInt16LE(optionalSize, 20);
  // executable image, 32-bit machine where it is one, and the DLL flag
  coff.writeUInt16LE(0x0002 | (wide ? 0x0020 : 0x0100) | (options.dll === false ? 0 : 0x2000), 22);
  const optional = Buffer.alloc(optionalSize);
  optional.writeUInt16LE(wide ? 0x20b : 0x10b, 0);
  return Buffer.concat([dos, coff, optional, Buffer.from(options.note ?? '')]);
}

/** The test wintun.dll of a `wintun/bin/<arch>` folder: a DLL for that machine that says which one it is. */
export function testWintunDll(arch: keyof typeof MACHINES): Buffer {
  return peFile(MACHINES[arch], { note: `test wintun.dll for ${arch}\n` });
}
