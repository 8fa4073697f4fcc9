// Preloaded with NODE_OPTIONS=--require into a node process under measurement (the
// action's dist/index.js, or the upstream recipe). When that process exits it writes, to
// the file named by KTCTL_BENCH_PROBE_FILE:
//  - its own CPU time (getrusage(RUSAGE_SELF) via process.resourceUsage(): every thread,
//    so zlib and fs work on libuv's thread pool counts, children do not);
//  - its peak RSS (ru_maxrss, the kernel's high-water mark of this process alone);
//  - the CPU time of every child it has waited for, and of their waited-for descendants
//    (cutime + cstime of /proc/self/stat: go build's compile/link/asm children are reaped
//    by go and so are in go's counts, which join ours when we reap go).
// Measuring from inside avoids both a wrapper process and polling /proc from outside,
// which misses whatever happens between the last sample and the exit.
'use strict';
const fs = require('node:fs');

const file = process.env.KTCTL_BENCH_PROBE_FILE;
if (file) {
  // The measured program's own children need neither; a nested node must not report here.
  delete process.env.KTCTL_BENCH_PROBE_FILE;
  delete process.env.NODE_OPTIONS;
  const hz = Number(process.env.KTCTL_BENCH_CLK_TCK || 100);
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    // fields after "(comm) ": state is index 0, so utime..cstime (fields 14-17) are 11-14
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    fs.writeFileSync(
      file,
      JSON.stringify({
        code,
        ownUserSeconds: usage.userCPUTime / 1e6,
        ownSystemSeconds: usage.systemCPUTime / 1e6,
        maxRssKiB: usage.maxRSS,
        childUserSeconds: Number(fields[13]) / hz,
        childSystemSeconds: Number(fields[14]) / hz,
        uptimeSeconds: process.uptime(),
      }),
    );
  });
}
