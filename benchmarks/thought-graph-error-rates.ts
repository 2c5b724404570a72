// The simulated thought operator's error-free rates by piece size (docs/search-benchmark.md):
// for pieces of n digits of a 64-digit sorting task, how often solve, merge and refine come out
// exactly right. Run: npx tsx benchmarks/thought-graph-error-rates.ts
import { contentError, generateSortingProblem, SimulatedThoughtOperator } from "../src/envs/thought-graph.js";
import { seededRandom } from "../src/search/random.js";

const op = new SimulatedThoughtOperator({ base: 0.02 });
const random = seededRandom(7);
const trials = 4000;
console.log("n  error rate  solve  merge  refine");
for (const n of [8, 16, 32, 64]) {
  let solve = 0;
  let merge = 0;
  let refine = 0;
  for (let t = 0; t < trials; t++) {
    const problem = generateSortingProblem(64, 1 + (t % 50));
    const half = n / 2;
    const sorted = (lo: number, hi: number) => ({ kind: "list" as const, values: problem.input.slice(lo, hi).sort((x, y) => x - y) });
    const solved = await op.solve(problem, 0, n, random);
    if (contentError(problem, 0, n, solved) === 0) solve++;
    const merged = await op.merge(problem, { id: 1, lo: 0, hi: half, content: sorted(0, half), origin: "solve" }, { id: 2, lo: half, hi: n, content: sorted(half, n), origin: "solve" }, random);
    if (contentError(problem, 0, n, merged) === 0) merge++;
    if (contentError(problem, 0, n, await op.refine(problem, { id: 3, lo: 0, hi: n, content: solved, origin: "solve" }, random)) === 0) refine++;
  }
  console.log(`${n}  ${op.errorRate(n).toFixed(3)}  ${(solve / trials).toFixed(3)}  ${(merge / trials).toFixed(3)}  ${(refine / trials).toFixed(3)}`);
}
