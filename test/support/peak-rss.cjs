// Preloaded into a CLI run (NODE_OPTIONS=--require …) by memory tests: at exit, writes the process's peak
// resident memory in bytes to the file named by PEAK_RSS_FILE. A measurement of what a run really held,
// without timers or sampling (the kernel keeps the maximum).
const { writeFileSync } = require('node:fs');
const file = process.env.PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
