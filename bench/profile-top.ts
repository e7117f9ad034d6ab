// Prints the functions with the most self time in a V8 .cpuprofile (from `npx projen bench --cpu-prof`):
// node -r ts-node/register/transpile-only bench/profile-top.ts bench/results/profiles/medium-ours.cpuprofile [count]
import * as fs from 'fs';
import * as path from 'path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const [file, count = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [count]');
const profile: Profile = JSON.parse(fs.readFileSync(file, 'utf8'));

const frameOf = new Map(profile.nodes.map(n => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url ? `${path.relative(process.cwd(), url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
  return [n.id, `${functionName || '(anonymous)'} ${where}`.trim()];
}));
const selfUs = new Map<string, number>();
let totalUs = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  totalUs += dt;
  const frame = frameOf.get(id)!;
  selfUs.set(frame, (selfUs.get(frame) ?? 0) + dt);
});

console.log(`total ${(totalUs / 1000).toFixed(0)} ms`);
for (const [frame, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${(100 * us / totalUs).toFixed(1).padStart(5)}%  ${frame}`);
}
