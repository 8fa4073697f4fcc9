// Reads just enough of a PE (Windows executable) header to tell a DLL for one machine from
// anything else. ktctl loads wintun.dll at run time; a DLL of another architecture (a
// mirror's mix-up) only fails then, on a developer's machine, as "Error loading wintun.dll".
// Pure: the caller reads the bytes.

/** COFF machine numbers of wintun's `wintun/bin/<arch>` folders. */
const PE_MACHINE: Readonly<Record<string, number>> = { x86: 0x014c, amd64: 0x8664, arm: 0x01c4, arm64: 0xaa64 };

/** IMAGE_FILE_DLL in the COFF header's Characteristics. */
const DLL_FLAG = 0x2000;

/** Offset of e_lfanew (where the PE signature starts) in the MS-DOS header. */
const LFANEW_OFFSET = 0x3c;
/** 'PE\0\0', then the COFF header: Machine at +4, Characteristics at +22. */
const COFF_END = 24;

/** How many bytes from the start of a file `peDllProblem` needs at most before it knows e_lfanew. */
export const DOS_HEADER_SIZE = 0x40;

/** Where the PE signature is, from the first DOS_HEADER_SIZE bytes; undefined when they are not an MS-DOS header. */
export function peHeaderOffset(dosHeader: Uint8Array): number | undefined {
  if (dosHeader.length < DOS_HEADER_SIZE || dosHeader[0] !== 0x4d || dosHeader[1] !== 0x5a) return undefined;
  return Buffer.from(dosHeader.buffer, dosHeader.byteOffset, dosHeader.byteLength).readUInt32LE(LFANEW_OFFSET);
}

/** Bytes needed at peHeaderOffset for peDllProblem. */
export const PE_HEADER_SIZE = COFF_END;

function machineName(machine: number): string {
  const name = Object.entries(PE_MACHINE).find(([, value]) => value === machine)?.[0];
  return `${name ?? 'an unknown machine'} (0x${machine.toString(16).padStart(4, '0')})`;
}

/**
 * What is wrong with a file meant to be a DLL for `arch` (a key of PE_MACHINE), or undefined
 * when it is one. `dosHeader` is the file's first DOS_HEADER_SIZE bytes (fewer if the file is
 * shorter), `peHeader` the PE_HEADER_SIZE bytes at peHeaderOffset (fewer if the file ends).
 */
export function peDllProblem(dosHeader: Uint8Array, peHeader: Uint8Array | undefined, arch: string): string | undefined {
  const wanted = PE_MACHINE[arch];
  if (wanted === undefined) return `there is no PE machine number for ${arch}`;
  if (peHeaderOffset(dosHeader) === undefined) return 'is not a Windows DLL (no MZ header)';
  if (peHeader === undefined || peHeader.length < COFF_END) return 'is not a Windows DLL (it ends before its PE header)';
  const header = Buffer.from(peHeader.buffer, peHeader.byteOffset, peHeader.byteLength);
  if (header.readUInt32BE(0) !== 0x50450000) return 'is not a Windows DLL (no PE signature)';
  const machine = header.readUInt16LE(4);
  if (machine !== wanted) return `is built for ${machineName(machine)}, not ${machineName(wanted)}`;
  if ((header.readUInt16LE(22) & DLL_FLAG) === 0) return 'is a Windows executable, not a DLL';
  return undefined;
}
