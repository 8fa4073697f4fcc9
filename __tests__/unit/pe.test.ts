import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DOS_HEADER_SIZE, PE_HEADER_SIZE, peDllProblem, peHeaderOffset } from '../../src/toolchain/pe.js';
import { MACHINES, peFile } from '../support/pe.js';

/** Reads the two headers out of a whole file, as the action reads them from disk. */
function problem(file: Buffer, arch: string): string | undefined {
  const dos = file.subarray(0, DOS_HEADER_SIZE);
  const offset = peHeaderOffset(dos);
  return peDllProblem(dos, offset === undefined ? undefined : file.subarray(offset, offset + PE_HEADER_SIZE), arch);
}

test('a DLL for each of wintun’s machines passes for that machine and no other', () => {
  for (const [arch, machine] of Object.entries(MACHINES)) {
    assert.equal(problem(peFile(machine), arch), undefined, arch);
    for (const other of Object.keys(MACHINES).filter((name) => name !== arch)) {
      assert.match(problem(peFile(machine), other)!, new RegExp(`^is built for ${arch} \\(0x[0-9a-f]{4}\\), not ${other} `), `${arch} as ${other}`);
    }
  }
});

test('what is not a DLL says what it is', () => {
  assert.equal(
    problem(Buffer.from('not a dll at all, just some text that is long enough to hold a DOS header........'), 'amd64'),
    'is not a Windows DLL (no MZ header)',
  );
  assert.equal(problem(Buffer.from('MZ'), 'amd64'), 'is not a Windows DLL (no MZ header)', 'too short for e_lfanew');
  assert.equal(problem(peFile(MACHINES.amd64).subarray(0, 0x50), 'amd64'), 'is not a Windows DLL (it ends before its PE header)');
  const noSignature = peFile(MACHINES.amd64);
  noSignature.write('NE', 0x40, 'latin1');
  assert.equal(problem(noSignature, 'amd64'), 'is not a Windows DLL (no PE signature)');
  assert.equal(problem(peFile(MACHINES.amd64, { dll: false }), 'amd64'), 'is a Windows executable, not a DLL');
  assert.match(problem(peFile(0x1234), 'amd64')!, /an unknown machine \(0x1234\)/);
  const farAway = peFile(MACHINES.x86);
  farAway.writeUInt32LE(0xfffffff0, 0x3c); // e_lfanew past the end
  assert.equal(problem(farAway, 'x86'), 'is not a Windows DLL (it ends before its PE header)');
});
