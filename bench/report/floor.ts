// The floor for `synth report`: read a dataset line by line and parse every row, nothing else (no statistics,
// no page). What a report over every row cannot beat in Node. Prints the rows read.
// Run: node dist/bench/report/floor.js FILE.jsonl|FILE.csv
import { createReadStream } from 'node:fs';

const file = process.argv[2]!;
const csv = file.endsWith('.csv');
let rows = 0;
let carry = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (carry + (chunk as string)).split('\n');
  carry = lines.pop()!;
  for (const l of lines) {
    if (!l) continue;
    if (csv) l.split(',');
    else JSON.parse(l);
    rows++;
  }
}
console.log(JSON.stringify({ rows: csv ? rows - 1 : rows }));
